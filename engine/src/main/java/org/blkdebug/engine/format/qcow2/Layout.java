package org.blkdebug.engine.format.qcow2;

/**
 * The geometry of one image, fixed at open: cluster and subcluster sizes, L2 and refcount block
 * shapes, compressed-descriptor fields. Only {@link #l2SliceSize} follows the cache options.
 */
final class Layout {
    final int clusterBits;
    final int clusterSize;
    final boolean extendedL2;
    final int subclustersPerCluster;
    final int subclusterSize;
    final int subclusterBits;
    final int l2EntrySize;
    final int l2Bits;
    final int l2Size;
    final int refcountOrder;
    final int refcountBits;
    final long refcountMax;
    final int refcountBlockBits;
    final int refcountBlockSize;
    final int csizeShift;
    final long csizeMask;
    final long clusterOffsetMask;
    /** Entries per L2 cache slice (the whole table unless the L2 cache is smaller than the disk). */
    int l2SliceSize;

    Layout(int clusterBits, boolean extendedL2, int refcountOrder) {
        this.clusterBits = clusterBits;
        this.clusterSize = 1 << clusterBits;
        this.extendedL2 = extendedL2;
        this.subclustersPerCluster = extendedL2 ? 32 : 1;
        this.subclusterSize = clusterSize / subclustersPerCluster;
        this.subclusterBits = Integer.numberOfTrailingZeros(subclusterSize);
        this.l2EntrySize = extendedL2 ? 16 : 8;
        this.l2Bits = clusterBits - Integer.numberOfTrailingZeros(l2EntrySize);
        this.l2Size = 1 << l2Bits;
        this.refcountOrder = refcountOrder;
        this.refcountBits = 1 << refcountOrder;
        this.refcountMax = refcountBits == 64 ? -1L : (1L << refcountBits) - 1;
        this.refcountBlockBits = clusterBits - (refcountOrder - 3);
        this.refcountBlockSize = 1 << refcountBlockBits;
        this.csizeShift = 62 - (clusterBits - 8);
        this.csizeMask = (1L << (clusterBits - 8)) - 1;
        this.clusterOffsetMask = (1L << csizeShift) - 1;
        this.l2SliceSize = l2Size;
    }

    long startOfCluster(long offset) {
        return offset & ~((long) clusterSize - 1);
    }

    long offsetIntoCluster(long offset) {
        return offset & (clusterSize - 1);
    }

    long offsetIntoSubcluster(long offset) {
        return offset & (subclusterSize - 1);
    }

    long sizeToClusters(long size) {
        return (size + (clusterSize - 1)) >>> clusterBits;
    }

    long sizeToSubclusters(long size) {
        return (size + (subclusterSize - 1)) >>> subclusterBits;
    }

    long sizeToL1(long size) {
        int shift = clusterBits + l2Bits;
        return (size + (1L << shift) - 1) >>> shift;
    }

    int l1Index(long offset) {
        return (int) (offset >>> (l2Bits + clusterBits));
    }

    int l2Index(long offset) {
        return (int) ((offset >>> clusterBits) & (l2Size - 1));
    }

    int l2SliceIndex(long offset) {
        return (int) ((offset >>> clusterBits) & (l2SliceSize - 1));
    }

    int scIndex(long offset) {
        return (int) ((offset >>> subclusterBits) & (subclustersPerCluster - 1));
    }

    long reftableIndex(long offset) {
        return offset >>> (refcountBlockBits + clusterBits);
    }

    /** Byte size of one L2 cache slice. */
    int sliceBytes() {
        return l2SliceSize * l2EntrySize;
    }

    /** qcow2_parse_compressed_l2_entry: host byte offset of the compressed data. */
    long compressedOffset(long l2Entry) {
        return l2Entry & clusterOffsetMask;
    }

    /** qcow2_parse_compressed_l2_entry: byte count to read (whole sectors, less the lead-in). */
    int compressedSize(long l2Entry) {
        long coffset = l2Entry & clusterOffsetMask;
        int nbCsectors = (int) (((l2Entry >>> csizeShift) & csizeMask) + 1);
        return nbCsectors * Entries.COMPRESSED_SECTOR_SIZE
                - (int) (coffset & (Entries.COMPRESSED_SECTOR_SIZE - 1));
    }
}
