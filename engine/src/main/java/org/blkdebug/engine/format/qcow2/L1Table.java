package org.blkdebug.engine.format.qcow2;

import org.blkdebug.engine.Errno;
import org.blkdebug.engine.Event;
import org.blkdebug.engine.request.Request;

/** The active L1 table: one entry written back, growth and shrinking (qcow2-cluster.c). */
final class L1Table {
    private static final int MAX_L1_SIZE = 32 * 1024 * 1024;

    private L1Table() {
    }

    /**
     * qcow2_write_l1_entry: {@code l1_update}, then the aligned group of entries around it
     * (at least 8 bytes, up to the file's request alignment) and a flush.
     */
    static int writeEntry(Qcow2State s, Request r, int l1Index) {
        int bufsize = (int) Math.max(Entries.L1E_SIZE,
                Math.min(s.file.limits().requestAlignment(), s.layout.clusterSize));
        int nentries = bufsize / Entries.L1E_SIZE;
        byte[] buf = new byte[bufsize];
        int start = l1Index / nentries * nentries;
        for (int i = 0; i < Math.min(nentries, s.l1Size - start); i++) {
            Entries.putLong(buf, i * 8, s.l1Table[start + i]);
        }
        long at = s.l1TableOffset + (long) Entries.L1E_SIZE * start;
        int ret = Overlap.preWriteCheck(s, r, Overlap.ACTIVE_L1, at, bufsize, false);
        if (ret < 0) {
            return ret;
        }
        s.file.event(r, Event.L1_UPDATE);
        return ChildIo.pwriteSync(r, s.file, at, buf, 0, bufsize);
    }

    /**
     * qcow2_grow_l1_table: a bigger table (x1.5 steps, or exactly {@code minSize}) written to new
     * clusters, then switched in the header ({@code l1_grow_*} events).
     */
    static int grow(Qcow2State s, Request r, long minSize, boolean exactSize) {
        if (minSize <= s.l1Size) {
            return 0;
        }
        if (minSize > Integer.MAX_VALUE / Entries.L1E_SIZE) {
            return -Errno.EFBIG;
        }
        long newSize;
        if (exactSize) {
            newSize = minSize;
        } else {
            newSize = s.l1Size == 0 ? 1 : s.l1Size;
            while (minSize > newSize) {
                newSize = Entries.divRoundUp(newSize * 3, 2);
            }
        }
        if (newSize > MAX_L1_SIZE / Entries.L1E_SIZE) {
            return -Errno.EFBIG;
        }
        int newSize2 = (int) (Entries.L1E_SIZE * newSize);
        long[] newTable = new long[(int) newSize];
        System.arraycopy(s.l1Table, 0, newTable, 0, s.l1Size);
        s.file.event(r, Event.L1_GROW_ALLOC_TABLE);
        long newOffset = ClusterAllocation.allocClusters(s, r, newSize2);
        if (newOffset < 0) {
            return (int) newOffset;
        }
        int ret = s.refcountCache.flush(r);
        if (ret >= 0) {
            ret = Overlap.preWriteCheck(s, r, 0, newOffset, newSize2, false);
        }
        if (ret >= 0) {
            s.file.event(r, Event.L1_GROW_WRITE_TABLE);
            byte[] buf = new byte[newSize2];
            for (int i = 0; i < newSize; i++) {
                Entries.putLong(buf, i * 8, newTable[i]);
            }
            ret = ChildIo.pwriteSync(r, s.file, newOffset, buf, 0, newSize2);
        }
        if (ret >= 0) {
            s.file.event(r, Event.L1_GROW_ACTIVATE_TABLE);
            byte[] data = new byte[12];
            Entries.putInt(data, 0, (int) newSize);
            Entries.putLong(data, 4, newOffset);
            ret = ChildIo.pwriteSync(r, s.file, HeaderWriter.OFFSET_L1_SIZE, data, 0, 12);
        }
        if (ret < 0) {
            ClusterAllocation.free(s, r, newOffset, newSize2, DiscardType.OTHER);
            return ret;
        }
        long oldOffset = s.l1TableOffset;
        long oldSize = s.l1Size;
        s.l1TableOffset = newOffset;
        s.l1Table = newTable;
        s.l1Size = (int) newSize;
        ClusterAllocation.free(s, r, oldOffset, oldSize * Entries.L1E_SIZE, DiscardType.OTHER);
        return 0;
    }

    /**
     * qcow2_shrink_l1_table: zeroes the dropped entries on disk ({@code l1_shrink_write_table}),
     * then frees their L2 tables, highest first ({@code l1_shrink_free_l2_clusters}). The
     * in-memory size stays.
     */
    static int shrink(Qcow2State s, Request r, long exactSize) {
        if (exactSize >= s.l1Size) {
            return 0;
        }
        int newSize = (int) exactSize;
        s.file.event(r, Event.L1_SHRINK_WRITE_TABLE);
        int ret = ChildIo.pwriteZeroes(r, s.file, s.l1TableOffset + (long) newSize * Entries.L1E_SIZE,
                (long) (s.l1Size - newSize) * Entries.L1E_SIZE, 0);
        if (ret >= 0) {
            ret = ChildIo.flush(r, s.file);
        }
        if (ret < 0) {
            // the table on disk may be half overwritten: forget the entries rather than trust them
            for (int i = newSize; i < s.l1Size; i++) {
                s.l1Table[i] = 0;
            }
            return ret;
        }
        s.file.event(r, Event.L1_SHRINK_FREE_L2_CLUSTERS);
        for (int i = s.l1Size - 1; i > newSize - 1; i--) {
            if ((s.l1Table[i] & Entries.L1E_OFFSET_MASK) == 0) {
                continue;
            }
            ClusterAllocation.free(s, r, s.l1Table[i] & Entries.L1E_OFFSET_MASK, s.layout.clusterSize, DiscardType.ALWAYS);
            s.l1Table[i] = 0;
        }
        return 0;
    }
}
