package org.blkdebug.engine.format.qcow2;

import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.Errno;
import org.blkdebug.engine.Event;
import org.blkdebug.engine.block.BlockIo;
import org.blkdebug.engine.block.IoVec;
import org.blkdebug.engine.request.Request;

/**
 * Guest reads (QEMU's qcow2_co_preadv_part): per run of same-type subclusters, the mapping under
 * the metadata lock, then unlocked: zeroes, {@code read_aio} and a read of the data file,
 * {@code read_backing_aio} and a read of the backing node, or {@code read_compressed}.
 *
 * <p>QEMU runs the runs after the first as up to 8 parallel tasks; here they run one after the
 * other on the request's own thread, which keeps their events in the same order
 * (docs/differences-from-qemu.md).
 */
final class ReadPath {
    private ReadPath() {
    }

    static void preadv(Qcow2State s, Request r, long offset, long bytes, IoVec qiov) throws BlockException {
        long qiovOffset = 0;
        while (bytes != 0) {
            long cur = Math.min(bytes, Integer.MAX_VALUE);
            L2Tables.Mapping m;
            s.lock.lock(r);
            try {
                m = L2Tables.hostOffset(s, r, offset, cur);
            } catch (L2Tables.Errno2 e) {
                throw new BlockException(-e.ret);
            } finally {
                s.lock.unlock();
            }
            cur = m.bytes();
            SubclusterType type = m.type();
            if (type.zero() || (type.unallocated() && s.backing == null)) {
                qiov.zero(qiovOffset, cur);
            } else {
                task(s, r, type, m.hostOffset(), offset, cur, qiov.slice(qiovOffset, cur));
            }
            bytes -= cur;
            offset += cur;
            qiovOffset += cur;
        }
    }

    /** qcow2_co_preadv_task. */
    private static void task(Qcow2State s, Request r, SubclusterType type, long hostOffset, long offset, long bytes,
                             IoVec qiov) throws BlockException {
        switch (type) {
            case UNALLOCATED_PLAIN, UNALLOCATED_ALLOC -> {
                s.file.event(r, Event.READ_BACKING_AIO);
                BlockIo.preadv(s.backing, r, offset, bytes, qiov);
            }
            case COMPRESSED -> compressed(s, r, hostOffset, offset, bytes, qiov);
            case NORMAL -> {
                s.file.event(r, Event.READ_AIO);
                BlockIo.preadv(s.dataFile, r, hostOffset, bytes, qiov);
            }
            default -> throw new AssertionError(type);
        }
    }

    /** qcow2_co_preadv_compressed: {@code read_compressed}, the compressed bytes, inflate. */
    private static void compressed(Qcow2State s, Request r, long l2Entry, long offset, long bytes, IoVec qiov)
            throws BlockException {
        Layout l = s.layout;
        long coffset = l.compressedOffset(l2Entry);
        int csize = l.compressedSize(l2Entry);
        int offsetInCluster = (int) l.offsetIntoCluster(offset);
        byte[] buf = new byte[csize];
        byte[] out = new byte[l.clusterSize];
        s.file.event(r, Event.READ_COMPRESSED);
        int ret = ChildIo.pread(r, s.file, coffset, buf, 0, csize);
        if (ret < 0) {
            throw new BlockException(-ret);
        }
        if (!Compression.decompress(buf, csize, out)) {
            throw new BlockException(Errno.EIO);
        }
        Buffers.copyIn(qiov, out, offsetInCluster, (int) bytes);
    }
}
