package org.blkdebug.engine.format.qcow2;

import java.util.ArrayList;
import java.util.List;
import org.blkdebug.engine.Errno;
import org.blkdebug.engine.request.Request;

/**
 * The internal snapshot table, as read at open (QEMU's qcow2_read_snapshots). Snapshots are made
 * and deleted by qemu-img; the driver needs them to write correctly into images that hold them:
 * their L1 tables count in the overlap checks and the refcount check.
 *
 * @param offset the table's offset in the image file
 * @param size   the table's byte length
 */
record Snapshots(long offset, long size, List<Snapshot> list) {
    static final Snapshots NONE = new Snapshots(0, 0, List.of());
    private static final int HEADER_SIZE = 40;
    private static final int EXTRA_SIZE = 24;
    private static final int MAX_EXTRA_DATA = 1024;
    private static final long MAX_TABLE_SIZE = 1024L * 65536;

    record Snapshot(long l1TableOffset, int l1Size, String id, String name, long extraDataSize) {
    }

    int count() {
        return list.size();
    }

    /** Reads {@code count} entries at {@code offset}; throws with QEMU's message. */
    static Snapshots read(Qcow2State s, Request r, long offset, int count) throws Qcow2OpenException {
        if (count == 0) {
            return new Snapshots(offset, 0, List.of());
        }
        List<Snapshot> out = new ArrayList<>(count);
        long at = offset;
        long tableLength = 0;
        byte[] h = new byte[HEADER_SIZE];
        for (int i = 0; i < count; i++) {
            tableLength = Entries.roundUp(tableLength, 8);
            at = Entries.roundUp(at, 8);
            readOrFail(s, r, at, h, HEADER_SIZE);
            at += HEADER_SIZE;
            long l1Offset = Entries.getLong(h, 0);
            int l1Size = Entries.getInt(h, 8);
            int idSize = Entries.getShort(h, 12);
            int nameSize = Entries.getShort(h, 14);
            long extraSize = Integer.toUnsignedLong(Entries.getInt(h, 36));
            if (extraSize > MAX_EXTRA_DATA) {
                throw new Qcow2OpenException(-Errno.EFBIG, "Too much extra metadata in snapshot table entry " + i);
            }
            // known extra data, then any unknown extra data: read as QEMU reads them, not kept
            int known = (int) Math.min(EXTRA_SIZE, extraSize);
            readOrFail(s, r, at, new byte[known], known);
            at += known;
            if (extraSize > EXTRA_SIZE) {
                int unknown = (int) (extraSize - EXTRA_SIZE);
                readOrFail(s, r, at, new byte[unknown], unknown);
                at += unknown;
            }
            byte[] id = new byte[idSize];
            readOrFail(s, r, at, id, idSize);
            at += idSize;
            byte[] name = new byte[nameSize];
            readOrFail(s, r, at, name, nameSize);
            at += nameSize;
            tableLength += HEADER_SIZE + extraSize + idSize + nameSize;
            if (tableLength > MAX_TABLE_SIZE) {
                throw new Qcow2OpenException(-Errno.EFBIG, "Snapshot table is too big");
            }
            out.add(new Snapshot(l1Offset, l1Size, new String(id, java.nio.charset.StandardCharsets.UTF_8),
                    new String(name, java.nio.charset.StandardCharsets.UTF_8), extraSize));
        }
        return new Snapshots(offset, at - offset, List.copyOf(out));
    }

    private static void readOrFail(Qcow2State s, Request r, long at, byte[] buf, int len) throws Qcow2OpenException {
        int ret = ChildIo.pread(r, s.file, at, buf, 0, len);
        if (ret < 0) {
            throw new Qcow2OpenException(ret, "Failed to read snapshot table: " + Errno.message(-ret));
        }
    }
}
