package org.blkdebug.engine.format.qcow2;

import org.blkdebug.engine.Errno;
import org.blkdebug.engine.request.Request;

/**
 * Rebuilding the refcount structure from a check's in-memory table (QEMU's
 * rebuild_refcount_structure): new refcount blocks and a new table placed in clusters the table
 * counts as free, written, then switched in through the header. Run by the repair of a dirty
 * image when its refcount structure itself is broken.
 */
final class RefcountRebuild {
    private RefcountRebuild() {
    }

    /** rebuild_refcounts_write_refblocks: 1 if the reftable grew, 0 if not, -errno. */
    private static int writeRefblocks(Qcow2State s, Request r, Imrt t, long firstCluster, long endCluster,
                                      long[][] reftable) {
        Layout l = s.layout;
        long[] firstFree = {0};
        boolean grown = false;
        for (long cluster = firstCluster; cluster < endCluster; cluster++) {
            if (t.get(s, cluster) == 0) {
                continue;
            }
            long refblockIndex = cluster >>> l.refcountBlockBits;
            long refblockStart = refblockIndex << l.refcountBlockBits;
            long refblockOffset;
            long[] table = reftable[0];
            if (table.length > refblockIndex && table[(int) refblockIndex] != 0) {
                refblockOffset = table[(int) refblockIndex];
            } else {
                if (firstFree[0] < refblockStart) {
                    firstFree[0] = refblockStart;
                }
                refblockOffset = t.alloc(s, 1, firstFree);
                long refblockClusterIndex = refblockOffset / l.clusterSize;
                if (refblockClusterIndex >= endCluster) {
                    endCluster = refblockClusterIndex + 1;
                }
                if (table.length <= refblockIndex) {
                    int entries = (int) (Entries.roundUp((refblockIndex + 1) * Entries.REFTABLE_ENTRY_SIZE,
                            l.clusterSize) / Entries.REFTABLE_ENTRY_SIZE);
                    table = java.util.Arrays.copyOf(table, entries);
                    reftable[0] = table;
                    grown = true;
                }
                table[(int) refblockIndex] = refblockOffset;
            }
            int ret = Overlap.preWriteCheck(s, r, 0, refblockOffset, l.clusterSize, false);
            if (ret < 0) {
                s.out.report("ERROR writing refblock: " + Errno.message(-ret));
                return ret;
            }
            ret = ChildIo.pwrite(r, s.file, refblockOffset, t.table, (int) (refblockIndex * l.clusterSize),
                    l.clusterSize);
            if (ret < 0) {
                s.out.report("ERROR writing refblock: " + Errno.message(-ret));
                return ret;
            }
            cluster = refblockStart + l.refcountBlockSize - 1;
        }
        return grown ? 1 : 0;
    }

    /** rebuild_refcount_structure: new refcount blocks and table made from the in-memory table. */
    static int rebuild(Qcow2State s, Request r, Check.Result res, Imrt t) {
        Layout l = s.layout;
        s.refcountCache.empty(r);
        long[][] reftable = {new long[0]};
        int changed = writeRefblocks(s, r, t, 0, t.nbClusters, reftable);
        if (changed < 0) {
            res.checkErrors++;
            return changed;
        }
        long reftableOffset;
        long reftableClusters;
        long reftableLength;
        do {
            long[] firstFree = {0};
            reftableLength = (long) reftable[0].length * Entries.REFTABLE_ENTRY_SIZE;
            reftableClusters = l.sizeToClusters(reftableLength);
            reftableOffset = t.alloc(s, (int) reftableClusters, firstFree);
            long start = reftableOffset / l.clusterSize;
            changed = writeRefblocks(s, r, t, start, start + reftableClusters, reftable);
            if (changed < 0) {
                res.checkErrors++;
                return changed;
            }
        } while (changed != 0);
        byte[] disk = new byte[(int) reftableLength];
        for (int i = 0; i < reftable[0].length; i++) {
            Entries.putLong(disk, i * 8, reftable[0][i]);
        }
        int ret = Overlap.preWriteCheck(s, r, 0, reftableOffset, reftableLength, false);
        if (ret >= 0) {
            ret = ChildIo.pwrite(r, s.file, reftableOffset, disk, 0, disk.length);
        }
        if (ret < 0) {
            s.out.report("ERROR writing reftable: " + Errno.message(-ret));
            return ret;
        }
        byte[] hdr = new byte[12];
        Entries.putLong(hdr, 0, reftableOffset);
        Entries.putInt(hdr, 8, (int) reftableClusters);
        ret = ChildIo.pwriteSync(r, s.file, HeaderWriter.OFFSET_REFTABLE, hdr, 0, 12);
        if (ret < 0) {
            s.out.report("ERROR setting reftable: " + Errno.message(-ret));
            return ret;
        }
        s.refcountTable = reftable[0];
        s.refcountTableOffset = reftableOffset;
        s.refcountTableSize = reftable[0].length;
        Refcounts.updateMaxTableIndex(s);
        return 0;
    }
}
