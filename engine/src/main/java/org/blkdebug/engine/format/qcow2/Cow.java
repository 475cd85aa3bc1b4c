package org.blkdebug.engine.format.qcow2;

import java.nio.ByteBuffer;
import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.Errno;
import org.blkdebug.engine.Event;
import org.blkdebug.engine.block.IoVec;
import org.blkdebug.engine.request.Request;

/**
 * Copy-on-write of the parts of newly allocated clusters a write does not cover (QEMU's
 * perform_cow): the old contents are read through the driver's own read path on the old mapping
 * ({@code cow_read}), then written with the guest data when it was merged ({@code write_aio},
 * {@code cow_write}, one WRITE) or on their own ({@code cow_write} per area). Runs inside the
 * link step and drops the metadata lock around its I/O, as QEMU does.
 */
final class Cow {
    /** Both areas are read at once when the gap between them is at most this (QEMU: 16 KiB). */
    private static final int MERGE_READ_GAP = 16384;

    private Cow() {
    }

    static int perform(Qcow2State s, Request r, L2Meta m) {
        int startBytes = m.cowStartBytes;
        int endBytes = m.cowEndBytes;
        int dataBytes = m.cowEndOffset - (m.cowStartOffset + startBytes);
        if ((startBytes == 0 && endBytes == 0) || m.skipCow) {
            return 0;
        }
        boolean mergeReads = startBytes != 0 && endBytes != 0 && dataBytes <= MERGE_READ_GAP;
        int bufferSize = mergeReads ? startBytes + dataBytes + endBytes : startBytes + endBytes;
        ByteBuffer buffer = ByteBuffer.allocate(bufferSize);
        ByteBuffer startBuffer = buffer.slice(0, startBytes);
        ByteBuffer endBuffer = buffer.slice(bufferSize - endBytes, endBytes);
        s.lock.unlock();
        int ret;
        try {
            if (mergeReads) {
                ret = read(s, r, m.offset, m.cowStartOffset, IoVec.of(buffer));
            } else {
                ret = read(s, r, m.offset, m.cowStartOffset, IoVec.of(startBuffer));
                if (ret >= 0) {
                    ret = read(s, r, m.offset, m.cowEndOffset, IoVec.of(endBuffer));
                }
            }
            if (ret >= 0) {
                if (m.dataQiov != null) {
                    IoVec all = m.dataQiov.padded(startBytes != 0 ? startBuffer : null, endBytes != 0 ? endBuffer : null);
                    // QEMU: a write_aio event here, then cow_write, for one single write
                    s.file.event(r, Event.WRITE_AIO);
                    ret = write(s, r, m.allocOffset, m.cowStartOffset, all);
                } else {
                    ret = write(s, r, m.allocOffset, m.cowStartOffset, IoVec.of(startBuffer));
                    if (ret >= 0) {
                        ret = write(s, r, m.allocOffset, m.cowEndOffset, IoVec.of(endBuffer));
                    }
                }
            }
        } finally {
            s.lock.lock(r);
        }
        if (ret == 0) {
            // the new clusters' COW data must reach the disk before the L2 table points to them
            s.l2Cache.dependsOnFlush();
        }
        return ret;
    }

    /** do_perform_cow_read: {@code cow_read}, then the driver's read of the old contents. */
    private static int read(Qcow2State s, Request r, long srcClusterOffset, int offsetInCluster, IoVec qiov) {
        if (qiov.size() == 0) {
            return 0;
        }
        s.file.event(r, Event.COW_READ);
        if (s.unusable) {
            return -Errno.ENOMEDIUM;
        }
        try {
            ReadPath.preadv(s, r, srcClusterOffset + offsetInCluster, qiov.size(), qiov);
            return 0;
        } catch (BlockException e) {
            return -e.errno();
        }
    }

    /** do_perform_cow_write: overlap check, {@code cow_write}, the write to the data file. */
    private static int write(Qcow2State s, Request r, long clusterOffset, int offsetInCluster, IoVec qiov) {
        if (qiov.size() == 0) {
            return 0;
        }
        int ret = Overlap.preWriteCheck(s, r, 0, clusterOffset + offsetInCluster, qiov.size(), true);
        if (ret < 0) {
            return ret;
        }
        s.file.event(r, Event.COW_WRITE);
        return ChildIo.pwritev(r, s.dataFile, clusterOffset + offsetInCluster, qiov.size(), qiov, 0);
    }
}
