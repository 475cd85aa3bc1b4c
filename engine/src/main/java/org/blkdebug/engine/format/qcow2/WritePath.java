package org.blkdebug.engine.format.qcow2;

import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.Errno;
import org.blkdebug.engine.Event;
import org.blkdebug.engine.block.BlockIo;
import org.blkdebug.engine.block.IoVec;
import org.blkdebug.engine.block.Node;
import org.blkdebug.engine.request.Request;

/**
 * Guest writes (QEMU's qcow2_co_pwritev_part and qcow2_co_pwritev_task): per contiguous host
 * range, the allocation under the metadata lock; then unlocked the zeroing of fresh clusters
 * ({@code cluster_alloc_space}), the data ({@code write_aio}) merged with its COW when possible;
 * then the link under the lock again. Pieces run one after the other on the request's thread.
 */
final class WritePath {
    private WritePath() {
    }

    static void pwritev(Qcow2State s, Request r, long offset, long bytes, IoVec qiov) throws BlockException {
        long qiovOffset = 0;
        while (bytes != 0) {
            long cur = Math.min(bytes, Integer.MAX_VALUE);
            Allocation.Result res = new Allocation.Result();
            s.lock.lock(r);
            int ret = Allocation.hostOffset(s, r, offset, cur, res);
            if (ret >= 0) {
                ret = Overlap.preWriteCheck(s, r, 0, res.hostOffset, res.bytes, true);
            }
            if (ret < 0) {
                Linking.handle(s, r, new L2Meta[] {res.meta}, false);
                s.lock.unlock();
                throw new BlockException(-ret);
            }
            s.lock.unlock();
            cur = res.bytes;
            ret = task(s, r, res.hostOffset, offset, cur, qiov.slice(qiovOffset, cur), res.meta);
            if (ret < 0) {
                throw new BlockException(-ret);
            }
            bytes -= cur;
            offset += cur;
            qiovOffset += cur;
        }
        // QEMU takes the lock once more after the loop (out_locked, nothing left to handle), even
        // for a zero-length write: that write waits for an allocation in progress before its
        // writethrough flush fires flush_to_os (difftest seed 31000000 session 7331, scenario 380)
        s.lock.lock(r);
        s.lock.unlock();
    }

    /** qcow2_co_pwritev_task: called unlocked; consumes {@code meta}. */
    private static int task(Qcow2State s, Request r, long hostOffset, long offset, long bytes, IoVec qiov,
                            L2Meta meta) {
        int ret = allocSpace(s, r, meta);
        if (ret >= 0 && !mergeCow(offset, bytes, qiov, meta)) {
            s.file.event(r, Event.WRITE_AIO);
            ret = ChildIo.pwritev(r, s.dataFile, hostOffset, bytes, qiov, 0);
        }
        L2Meta[] chain = {meta};
        s.lock.lock(r);
        try {
            if (ret >= 0) {
                ret = Linking.handle(s, r, chain, true);
            }
            Linking.handle(s, r, chain, false);
        } finally {
            s.lock.unlock();
        }
        return ret;
    }

    /**
     * merge_cow: when the write exactly fills the gap between the COW areas of one allocation,
     * its data goes into that allocation's COW write.
     */
    private static boolean mergeCow(long offset, long bytes, IoVec qiov, L2Meta meta) {
        for (L2Meta m = meta; m != null; m = m.next) {
            if (m.cowStartBytes == 0 && m.cowEndBytes == 0) {
                continue;
            }
            if (m.skipCow) {
                continue;
            }
            if (m.cowStart() + m.cowStartBytes != offset) {
                continue;
            }
            if (m.offset + m.cowEndOffset != offset + bytes) {
                continue;
            }
            m.dataQiov = qiov;
            return true;
        }
        return false;
    }

    /**
     * handle_alloc_space: fresh clusters whose COW areas read as zeroes are zeroed as a whole with
     * a no-fallback write-zeroes ({@code cluster_alloc_space}) instead of copying zeroes;
     * ENOTSUP or EAGAIN leave the ordinary COW to do it.
     */
    private static int allocSpace(Qcow2State s, Request r, L2Meta meta) {
        if ((s.dataFile.supportedZeroFlags() & Node.REQ_NO_FALLBACK) == 0) {
            return 0;
        }
        for (L2Meta m = meta; m != null; m = m.next) {
            long startOffset = m.allocOffset + m.cowStartOffset;
            long nbBytes = m.cowEndOffset + m.cowEndBytes - m.cowStartOffset;
            if (m.cowStartBytes == 0 && m.cowEndBytes == 0) {
                continue;
            }
            int z = isZeroCow(s, r, m);
            if (z < 0) {
                return z;
            } else if (z == 0) {
                continue;
            }
            int ret = Overlap.preWriteCheck(s, r, 0, startOffset, nbBytes, true);
            if (ret < 0) {
                return ret;
            }
            s.file.event(r, Event.CLUSTER_ALLOC_SPACE);
            ret = ChildIo.pwriteZeroes(r, s.dataFile, startOffset, nbBytes, Node.REQ_NO_FALLBACK);
            if (ret < 0) {
                if (ret != -Errno.ENOTSUP && ret != -Errno.EAGAIN) {
                    return ret;
                }
                continue;
            }
            m.skipCow = true;
        }
        return 0;
    }

    /** is_zero_cow: 1 when both COW areas are known to read as zeroes (a fast block-status check). */
    private static int isZeroCow(Qcow2State s, Request r, L2Meta m) {
        try {
            if (!BlockIo.isZeroFast(s.node, r, m.offset + m.cowStartOffset, m.cowStartBytes)) {
                return 0;
            }
            return BlockIo.isZeroFast(s.node, r, m.offset + m.cowEndOffset, m.cowEndBytes) ? 1 : 0;
        } catch (BlockException e) {
            return -e.errno();
        }
    }

    /**
     * qcow2_co_pwritev_compressed_part: cluster by cluster, compressed ({@code cluster_alloc_bytes},
     * {@code l2_update_compressed}, {@code write_compressed}), or written normally when it does
     * not shrink.
     */
    static void pwritevCompressed(Qcow2State s, Request r, long offset, long bytes, IoVec qiov)
            throws BlockException {
        Layout l = s.layout;
        if (s.hasDataFile()) {
            throw new BlockException(Errno.ENOTSUP);
        }
        if (bytes == 0) {
            // align the end of the file to a sector boundary
            long len = ChildIo.length(s.file);
            if (len < 0) {
                throw new BlockException((int) -len);
            }
            int ret = ChildIo.truncate(r, s.file, len);
            if (ret < 0) {
                throw new BlockException(-ret);
            }
            return;
        }
        if (l.offsetIntoCluster(offset) != 0) {
            throw new BlockException(Errno.EINVAL);
        }
        if (l.offsetIntoCluster(bytes) != 0 && offset + bytes != s.totalBytes) {
            throw new BlockException(Errno.EINVAL);
        }
        long qiovOffset = 0;
        while (bytes != 0) {
            long chunk = Math.min(bytes, l.clusterSize);
            compressedTask(s, r, offset, chunk, qiov.slice(qiovOffset, chunk));
            qiovOffset += chunk;
            offset += chunk;
            bytes -= chunk;
        }
    }

    private static void compressedTask(Qcow2State s, Request r, long offset, long bytes, IoVec qiov)
            throws BlockException {
        Layout l = s.layout;
        byte[] buf = new byte[l.clusterSize];
        byte[] data = Buffers.copyOut(qiov, (int) bytes);
        System.arraycopy(data, 0, buf, 0, (int) bytes);
        byte[] out = new byte[l.clusterSize];
        int outLen = Compression.compress(buf, out, l.clusterSize - 1);
        if (outLen < 0) {
            pwritev(s, r, offset, bytes, qiov); // does not compress: an ordinary write
            return;
        }
        long clusterOffset;
        s.lock.lock(r);
        try {
            clusterOffset = Allocation.compressedClusterOffset(s, r, offset, outLen);
            if (clusterOffset < 0) {
                throw new BlockException((int) -clusterOffset);
            }
            int ret = Overlap.preWriteCheck(s, r, 0, clusterOffset, outLen, true);
            if (ret < 0) {
                throw new BlockException(-ret);
            }
        } finally {
            s.lock.unlock();
        }
        s.dataFile.event(r, Event.WRITE_COMPRESSED);
        int ret = ChildIo.pwrite(r, s.dataFile, clusterOffset, out, 0, outLen);
        if (ret < 0) {
            throw new BlockException(-ret);
        }
    }
}
