package org.blkdebug.engine.format.qcow2;

import org.blkdebug.engine.Errno;
import org.blkdebug.engine.request.Request;

/**
 * The metadata overlap checks (QEMU's qcow2_check_metadata_overlap, default template "cached"):
 * a write that would land on live metadata is refused and the image marked corrupt. Only the
 * checks that need no I/O are implemented, which is all of the default template.
 */
final class Overlap {
    static final int MAIN_HEADER = 1;
    static final int ACTIVE_L1 = 1 << 1;
    static final int ACTIVE_L2 = 1 << 2;
    static final int REFCOUNT_TABLE = 1 << 3;
    static final int REFCOUNT_BLOCK = 1 << 4;
    static final int SNAPSHOT_TABLE = 1 << 5;
    static final int INACTIVE_L1 = 1 << 6;
    static final int INACTIVE_L2 = 1 << 7;
    static final int BITMAP_DIRECTORY = 1 << 8;
    static final int CONSTANT = MAIN_HEADER | ACTIVE_L1 | REFCOUNT_TABLE | SNAPSHOT_TABLE | BITMAP_DIRECTORY;
    static final int CACHED = CONSTANT | ACTIVE_L2 | REFCOUNT_BLOCK | INACTIVE_L1;
    static final int ALL = CACHED | INACTIVE_L2;
    private static final String[] NAMES = {"qcow2_header", "active L1 table", "active L2 table",
        "refcount table", "refcount block", "snapshot table", "inactive L1 table", "inactive L2 table",
        "bitmap directory"};

    private Overlap() {
    }

    private static boolean overlaps(long offset, long size, long ofs, long sz) {
        return offset < ofs + sz && ofs < offset + size;
    }

    /** The first metadata kind {@code [offset, offset + size)} overlaps, or 0. */
    static int check(Qcow2State s, int ign, long offset, long size) {
        int chk = s.overlapCheck & ~ign;
        if (size == 0) {
            return 0;
        }
        Layout l = s.layout;
        if ((chk & MAIN_HEADER) != 0 && offset < l.clusterSize) {
            return MAIN_HEADER;
        }
        size = Entries.roundUp(l.offsetIntoCluster(offset) + size, l.clusterSize);
        offset = l.startOfCluster(offset);
        if ((chk & ACTIVE_L1) != 0 && s.l1Size != 0
                && overlaps(offset, size, s.l1TableOffset, (long) s.l1Size * Entries.L1E_SIZE)) {
            return ACTIVE_L1;
        }
        if ((chk & REFCOUNT_TABLE) != 0 && s.refcountTableSize != 0
                && overlaps(offset, size, s.refcountTableOffset,
                (long) s.refcountTableSize * Entries.REFTABLE_ENTRY_SIZE)) {
            return REFCOUNT_TABLE;
        }
        if ((chk & SNAPSHOT_TABLE) != 0 && s.snapshots.size() != 0
                && overlaps(offset, size, s.snapshots.offset(), s.snapshots.size())) {
            return SNAPSHOT_TABLE;
        }
        if ((chk & INACTIVE_L1) != 0) {
            for (Snapshots.Snapshot sn : s.snapshots.list()) {
                if (sn.l1Size() != 0 && overlaps(offset, size, sn.l1TableOffset(),
                        (long) sn.l1Size() * Entries.L1E_SIZE)) {
                    return INACTIVE_L1;
                }
            }
        }
        if ((chk & ACTIVE_L2) != 0) {
            for (int i = 0; i < s.l1Size; i++) {
                long l2 = s.l1Table[i] & Entries.L1E_OFFSET_MASK;
                if (l2 != 0 && overlaps(offset, size, l2, l.clusterSize)) {
                    return ACTIVE_L2;
                }
            }
        }
        if ((chk & REFCOUNT_BLOCK) != 0 && s.refcountTableSize != 0) {
            for (int i = 0; i <= s.maxRefcountTableIndex; i++) {
                long rb = s.refcountTable[i] & Entries.REFT_OFFSET_MASK;
                if (rb != 0 && overlaps(offset, size, rb, l.clusterSize)) {
                    return REFCOUNT_BLOCK;
                }
            }
        }
        if ((chk & BITMAP_DIRECTORY) != 0 && (s.autoclearFeatures & Qcow2State.AUTOCLEAR_BITMAPS) != 0
                && overlaps(offset, size, s.bitmapDirectoryOffset, s.bitmapDirectorySize)) {
            return BITMAP_DIRECTORY;
        }
        return 0;
    }

    /** qcow2_pre_write_overlap_check: 0, or -EIO after marking the image corrupt. */
    static int preWriteCheck(Qcow2State s, Request r, int ign, long offset, long size, boolean dataFile) {
        if (dataFile && s.hasDataFile()) {
            return 0;
        }
        int ret = check(s, ign, offset, size);
        if (ret > 0) {
            int bit = Integer.numberOfTrailingZeros(ret);
            Corruption.signal(s, r, true, offset, size,
                    "Preventing invalid write on metadata (overlaps with " + NAMES[bit] + ")");
            return -Errno.EIO;
        }
        return 0;
    }
}
