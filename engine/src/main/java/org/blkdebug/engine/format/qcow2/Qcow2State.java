package org.blkdebug.engine.format.qcow2;

import java.util.ArrayList;
import java.util.List;
import org.blkdebug.engine.block.Node;

/**
 * The state of one open qcow2 image (QEMU's BDRVQcow2State). The classes of this package work on
 * it; each says which part it owns.
 *
 * <p><b>Every mutable field is guarded by {@link #lock}</b> (QEMU's {@code s->lock}), except where
 * QEMU itself touches it unlocked: open and close, which run before and after all requests.
 */
final class Qcow2State {
    static final int INCOMPAT_DIRTY = 1;
    static final int INCOMPAT_CORRUPT = 1 << 1;
    static final int INCOMPAT_DATA_FILE = 1 << 2;
    static final int INCOMPAT_COMPRESSION = 1 << 3;
    static final int INCOMPAT_EXTL2 = 1 << 4;
    static final long INCOMPAT_MASK = 0x1f;
    static final long COMPAT_LAZY_REFCOUNTS = 1;
    static final long AUTOCLEAR_BITMAPS = 1;
    static final long AUTOCLEAR_DATA_FILE_RAW = 2;
    static final long AUTOCLEAR_MASK = 3;

    final MetadataLock lock = new MetadataLock();
    final Layout layout;
    /** The image file (QEMU's bs->file): metadata, and data unless there is a data file. */
    final Node file;
    /** Where guest data lives: {@link #file}, or the external data file. */
    Node dataFile;
    /** The qcow2 node itself, for block-status queries on it. */
    Node node;
    /** The backing node, or null. */
    Node backing;
    /** Messages QEMU prints to stderr (corruption, repair, cache flush failures). */
    final Diagnostics out;
    final boolean readOnly;

    int qcowVersion;
    long incompatibleFeatures;
    long compatibleFeatures;
    long autoclearFeatures;
    int compressionType;
    int cryptMethod;

    /** Guest size in bytes (QEMU's total_sectors * 512). */
    long totalBytes;

    long l1TableOffset;
    int l1Size;
    /** Host-order L1 entries; length is at least {@link #l1Size}. */
    long[] l1Table = new long[0];
    int l1VmStateIndex;

    long refcountTableOffset;
    int refcountTableSize;
    long[] refcountTable = new long[0];
    int maxRefcountTableIndex;
    long freeClusterIndex;
    long freeByteOffset;

    MetadataCache l2Cache;
    MetadataCache refcountCache;

    /** In-flight allocations, newest first (QEMU's cluster_allocs). */
    final List<L2Meta> clusterAllocs = new ArrayList<>();
    /** Clusters freed while discards are batched (QEMU's discards), in order. */
    final List<long[]> discards = new ArrayList<>();
    boolean cacheDiscards;

    Snapshots snapshots = Snapshots.NONE;
    int nbBitmaps;
    long bitmapDirectoryOffset;
    long bitmapDirectorySize;

    /** The runtime options the image was opened with, applied again after a resize. */
    Qcow2Options options = Qcow2Options.DEFAULTS;
    /** Discards may pass down (BDRV_O_UNMAP). */
    boolean unmap;
    boolean useLazyRefcounts;
    /** Indexed by {@link DiscardType}. */
    final boolean[] discardPassthrough = new boolean[DiscardType.values().length];
    int overlapCheck;
    boolean signaledCorruption;
    /** Set when a fatal corruption made the node unusable (QEMU: bs->drv = NULL). */
    boolean unusable;
    boolean metadataPreallocationChecked;
    boolean metadataPreallocation;

    byte[] unknownHeaderFields = new byte[0];
    /** Unknown header extensions, kept for header rewrites: {magic, data}, in QEMU's order. */
    final List<HeaderExtension> unknownHeaderExt = new ArrayList<>();
    String imageBackingFile;
    String imageBackingFormat;
    String imageDataFile;

    Qcow2State(Layout layout, Node file, Diagnostics out, boolean readOnly) {
        this.layout = layout;
        this.file = file;
        this.dataFile = file;
        this.out = out;
        this.readOnly = readOnly;
    }

    /** An unknown header extension, written back as found. */
    record HeaderExtension(int magic, byte[] data) {
    }

    boolean hasSubclusters() {
        return layout.extendedL2;
    }

    boolean hasDataFile() {
        return dataFile != file;
    }

    boolean dataFileIsRaw() {
        return (autoclearFeatures & AUTOCLEAR_DATA_FILE_RAW) != 0;
    }

    boolean needAccurateRefcounts() {
        return (incompatibleFeatures & INCOMPAT_DIRTY) == 0;
    }

    long vmStateOffset() {
        return (long) l1VmStateIndex << (layout.clusterBits + layout.l2Bits);
    }

    /** qcow2_get_cluster_type. */
    ClusterType clusterType(long l2Entry) {
        if ((l2Entry & Entries.OFLAG_COMPRESSED) != 0) {
            return ClusterType.COMPRESSED;
        } else if ((l2Entry & Entries.OFLAG_ZERO) != 0 && !hasSubclusters()) {
            return (l2Entry & Entries.L2E_OFFSET_MASK) != 0 ? ClusterType.ZERO_ALLOC : ClusterType.ZERO_PLAIN;
        } else if ((l2Entry & Entries.L2E_OFFSET_MASK) == 0) {
            // offset 0 is valid in a data file, where every cluster has refcount 1: COPIED tells
            return hasDataFile() && (l2Entry & Entries.OFLAG_COPIED) != 0 ? ClusterType.NORMAL
                    : ClusterType.UNALLOCATED;
        }
        return ClusterType.NORMAL;
    }

    /** qcow2_get_subcluster_type. */
    SubclusterType subclusterType(long l2Entry, long l2Bitmap, int scIndex) {
        ClusterType type = clusterType(l2Entry);
        if (hasSubclusters()) {
            switch (type) {
                case COMPRESSED:
                    return SubclusterType.COMPRESSED;
                case NORMAL:
                    if (((l2Bitmap >>> 32) & l2Bitmap) != 0) {
                        return SubclusterType.INVALID;
                    } else if ((l2Bitmap & Entries.subZero(scIndex)) != 0) {
                        return SubclusterType.ZERO_ALLOC;
                    } else if ((l2Bitmap & Entries.subAlloc(scIndex)) != 0) {
                        return SubclusterType.NORMAL;
                    }
                    return SubclusterType.UNALLOCATED_ALLOC;
                case UNALLOCATED:
                    if ((l2Bitmap & Entries.L2_BITMAP_ALL_ALLOC) != 0) {
                        return SubclusterType.INVALID;
                    } else if ((l2Bitmap & Entries.subZero(scIndex)) != 0) {
                        return SubclusterType.ZERO_PLAIN;
                    }
                    return SubclusterType.UNALLOCATED_PLAIN;
                default:
                    throw new AssertionError(type);
            }
        }
        return switch (type) {
            case COMPRESSED -> SubclusterType.COMPRESSED;
            case ZERO_PLAIN -> SubclusterType.ZERO_PLAIN;
            case ZERO_ALLOC -> SubclusterType.ZERO_ALLOC;
            case NORMAL -> SubclusterType.NORMAL;
            case UNALLOCATED -> SubclusterType.UNALLOCATED_PLAIN;
        };
    }

    /**
     * qcow2_get_subcluster_range_type: the type at {@code scFrom} and how many subclusters from
     * there share it ({@code type[0]} gets the type); -EINVAL for an invalid entry.
     */
    int subclusterRangeType(long l2Entry, long l2Bitmap, int scFrom, SubclusterType[] type) {
        SubclusterType t = subclusterType(l2Entry, l2Bitmap, scFrom);
        type[0] = t;
        if (t == SubclusterType.INVALID) {
            return -org.blkdebug.engine.Errno.EINVAL;
        } else if (!hasSubclusters() || t == SubclusterType.COMPRESSED) {
            return layout.subclustersPerCluster - scFrom;
        }
        long val;
        switch (t) {
            case NORMAL:
                val = l2Bitmap | Entries.subAllocRange(0, scFrom);
                return Entries.cto32(val) - scFrom;
            case ZERO_PLAIN:
            case ZERO_ALLOC:
                val = (l2Bitmap | Entries.subZeroRange(0, scFrom)) >>> 32;
                return Entries.cto32(val) - scFrom;
            case UNALLOCATED_PLAIN:
            case UNALLOCATED_ALLOC:
                val = ((l2Bitmap >>> 32) | l2Bitmap) & ~Entries.subAllocRange(0, scFrom);
                return Entries.ctz32(val) - scFrom;
            default:
                throw new AssertionError(t);
        }
    }

    /** get_l2_entry on a cache slice. */
    long l2Entry(byte[] slice, int idx) {
        return Entries.getLong(slice, idx * layout.l2EntrySize);
    }

    long l2Bitmap(byte[] slice, int idx) {
        return hasSubclusters() ? Entries.getLong(slice, idx * layout.l2EntrySize + 8) : 0;
    }

    void setL2Entry(byte[] slice, int idx, long entry) {
        Entries.putLong(slice, idx * layout.l2EntrySize, entry);
    }

    void setL2Bitmap(byte[] slice, int idx, long bitmap) {
        Entries.putLong(slice, idx * layout.l2EntrySize + 8, bitmap);
    }
}
