package org.blkdebug.engine.format.qcow2;

import org.blkdebug.engine.Errno;
import org.blkdebug.engine.block.Node;
import org.blkdebug.engine.request.Request;

/**
 * Discard and write-zeroes on metadata (QEMU's qcow2_cluster_discard and
 * qcow2_subcluster_zeroize): L2 entries become zero (or unallocated), missing L2 tables are
 * allocated first even over unallocated ranges, freed clusters are discarded in one batch at
 * the end. Called with the metadata lock held.
 */
final class ZeroDiscard {
    private ZeroDiscard() {
    }

    /** The new value of one L2 entry, and how to free what the old one pointed to (null: keep it). */
    private record NewEntry(long entry, long bitmap, DiscardType free) {
    }

    @FunctionalInterface
    private interface EntryRule {
        NewEntry apply(long oldEntry, long oldBitmap);
    }

    /**
     * The loop of discard_in_l2_slice and zero_in_l2_slice: each entry of one slice (from
     * {@code offset}, at most {@code nbClusters}) that the rule changes is rewritten, the slice
     * marked dirty, and the old cluster freed. The number of clusters handled, or -errno.
     */
    private static int updateSlice(Qcow2State s, Request r, long offset, long nbClusters, EntryRule rule) {
        int[] idx = new int[1];
        int slot = L2Tables.clusterTable(s, r, offset, idx);
        if (slot < 0) {
            return slot;
        }
        byte[] slice = s.l2Cache.table(slot);
        int l2Index = idx[0];
        nbClusters = Math.min(nbClusters, s.layout.l2SliceSize - l2Index);
        for (int i = 0; i < nbClusters; i++) {
            long oldEntry = s.l2Entry(slice, l2Index + i);
            long oldBitmap = s.l2Bitmap(slice, l2Index + i);
            NewEntry n = rule.apply(oldEntry, oldBitmap);
            if (oldEntry == n.entry() && oldBitmap == n.bitmap()) {
                continue;
            }
            s.l2Cache.markDirty(slot);
            s.setL2Entry(slice, l2Index + i, n.entry());
            if (s.hasSubclusters()) {
                s.setL2Bitmap(slice, l2Index + i, n.bitmap());
            }
            if (n.free() != null) {
                ClusterAllocation.freeAny(s, r, oldEntry, n.free());
            }
        }
        s.l2Cache.put(slot);
        return (int) nbClusters;
    }

    /** discard_in_l2_slice: entries become zero (v3), or unallocated (v2, full discard). */
    private static int discardInSlice(Qcow2State s, Request r, long offset, long nbClusters, DiscardType type,
                                      boolean fullDiscard) {
        return updateSlice(s, r, offset, nbClusters, (oldEntry, oldBitmap) -> {
            long newEntry = oldEntry;
            long newBitmap = oldBitmap;
            if (fullDiscard) {
                newEntry = 0;
                newBitmap = 0;
            } else if (s.backing != null || s.clusterType(oldEntry).allocated()) {
                if (s.hasSubclusters()) {
                    newEntry = 0;
                    newBitmap = Entries.L2_BITMAP_ALL_ZEROES;
                } else {
                    newEntry = s.qcowVersion >= 3 ? Entries.OFLAG_ZERO : 0;
                }
            }
            return new NewEntry(newEntry, newBitmap, type);
        });
    }

    /** qcow2_cluster_discard: cluster-aligned, except at the end of the image. */
    static int discard(Qcow2State s, Request r, long offset, long bytes, DiscardType type, boolean fullDiscard) {
        long nbClusters = s.layout.sizeToClusters(bytes);
        s.cacheDiscards = true;
        int ret = 0;
        while (nbClusters > 0) {
            int cleared = discardInSlice(s, r, offset, nbClusters, type, fullDiscard);
            if (cleared < 0) {
                ret = cleared;
                break;
            }
            nbClusters -= cleared;
            offset += (long) cleared * s.layout.clusterSize;
        }
        s.cacheDiscards = false;
        Refcounts.processDiscards(s, r, ret);
        return ret;
    }

    /** zero_in_l2_slice: the zero flag (or all zero bits); compressed or unmapped clusters are released. */
    private static int zeroInSlice(Qcow2State s, Request r, long offset, long nbClusters, int flags) {
        return updateSlice(s, r, offset, nbClusters, (oldEntry, oldBitmap) -> {
            ClusterType type = s.clusterType(oldEntry);
            boolean unmap = type == ClusterType.COMPRESSED
                    || ((flags & Node.REQ_MAY_UNMAP) != 0 && type.allocated());
            long newEntry = unmap ? 0 : oldEntry;
            long newBitmap = oldBitmap;
            if (s.hasSubclusters()) {
                newBitmap = Entries.L2_BITMAP_ALL_ZEROES;
            } else {
                newEntry |= Entries.OFLAG_ZERO;
            }
            return new NewEntry(newEntry, newBitmap, unmap ? DiscardType.REQUEST : null);
        });
    }

    /** zero_l2_subclusters: part of one cluster (extended L2 only). */
    private static int zeroSubclusters(Qcow2State s, Request r, long offset, int nbSubclusters) {
        int sc = s.layout.scIndex(offset);
        int[] idx = new int[1];
        int slot = L2Tables.clusterTable(s, r, offset, idx);
        if (slot < 0) {
            return slot;
        }
        byte[] slice = s.l2Cache.table(slot);
        int ret = 0;
        switch (s.clusterType(s.l2Entry(slice, idx[0]))) {
            case COMPRESSED -> ret = -Errno.ENOTSUP; // a compressed cluster cannot be zeroed in part
            case NORMAL, UNALLOCATED -> {
                long old = s.l2Bitmap(slice, idx[0]);
                long bitmap = old | Entries.subZeroRange(sc, sc + nbSubclusters);
                bitmap &= ~Entries.subAllocRange(sc, sc + nbSubclusters);
                if (old != bitmap) {
                    s.setL2Bitmap(slice, idx[0], bitmap);
                    s.l2Cache.markDirty(slot);
                }
            }
            default -> throw new AssertionError();
        }
        s.l2Cache.put(slot);
        return ret;
    }

    /**
     * qcow2_subcluster_zeroize: zero flags (or bitmaps) over a subcluster-aligned range; v2 images
     * without a backing file discard instead, v2 with one cannot (ENOTSUP).
     */
    static int zeroize(Qcow2State s, Request r, long offset, long bytes, int flags) {
        Layout l = s.layout;
        long endOffset = offset + bytes;
        if (s.dataFileIsRaw()) {
            int ret = ChildIo.pwriteZeroes(r, s.dataFile, offset, bytes, flags);
            if (ret < 0) {
                return ret;
            }
        }
        if (s.qcowVersion < 3) {
            if (s.backing == null) {
                return discard(s, r, offset, bytes, DiscardType.REQUEST, false);
            }
            return -Errno.ENOTSUP;
        }
        long head = Math.min(endOffset, Entries.roundUp(offset, l.clusterSize)) - offset;
        offset += head;
        long tail = endOffset >= s.totalBytes ? 0 : endOffset - Math.max(offset, l.startOfCluster(endOffset));
        endOffset -= tail;
        s.cacheDiscards = true;
        int ret = 0;
        if (head != 0) {
            ret = zeroSubclusters(s, r, offset - head, (int) l.sizeToSubclusters(head));
        }
        if (ret >= 0) {
            long nbClusters = l.sizeToClusters(endOffset - offset);
            while (nbClusters > 0) {
                int cleared = zeroInSlice(s, r, offset, nbClusters, flags);
                if (cleared < 0) {
                    ret = cleared;
                    break;
                }
                nbClusters -= cleared;
                offset += (long) cleared * l.clusterSize;
            }
        }
        if (ret >= 0 && tail != 0) {
            ret = zeroSubclusters(s, r, endOffset, (int) l.sizeToSubclusters(tail));
        }
        if (ret > 0) {
            ret = 0;
        }
        s.cacheDiscards = false;
        Refcounts.processDiscards(s, r, ret);
        return ret;
    }
}
