package org.blkdebug.engine.block;

import java.nio.ByteBuffer;
import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.Event;
import org.blkdebug.engine.request.Request;

/**
 * Copy-on-read (qemu-io {@code -C}, QEMU's {@code bdrv_co_do_copy_on_readv}): a read of a node
 * with copy-on-read on copies what is not allocated in the node itself (it comes from a backing
 * file) into the node, whole clusters at a time, so later reads find it there. The copy fires
 * {@code cor_write} on the node itself, which only a blkdebug node at the top sees.
 */
final class CopyOnRead {
    /** QEMU's MAX_BOUNCE_BUFFER. */
    private static final long MAX_BOUNCE_BUFFER = 32768L * 512;
    /** QEMU's BDRV_REQUEST_MAX_BYTES. */
    private static final long REQUEST_MAX_BYTES = (Integer.MAX_VALUE >> 9) << 9;

    private CopyOnRead() {
    }

    /** bdrv_get_cluster_size: the format's cluster size, else the request alignment. */
    static long clusterSize(Node bs) {
        ImageInfo info = bs.info();
        return info == null || info.clusterSize() == 0 ? bs.limits.requestAlignment() : info.clusterSize();
    }

    /**
     * The read of bdrv_aligned_preadv under copy-on-read, once the request is serialising over
     * whole clusters: true when it was done here, false when the range is allocated in
     * {@code bs} and the plain read path should do it.
     */
    static boolean readv(Node bs, Request r, long offset, long bytes, IoVec qiov) throws BlockException {
        BlockStatus s = BlockIo.isAllocated(bs, r, offset, bytes);
        if (s.has(BlockStatus.ALLOCATED) && s.bytes() == bytes) {
            return false;
        }
        copy(bs, r, offset, bytes, qiov);
        return true;
    }

    /** bdrv_co_do_copy_on_readv. */
    private static void copy(Node bs, Request r, long offset, long bytes, IoVec qiov) throws BlockException {
        long maxTransfer = BlockIo.minNonZero(bs.limits.maxTransfer(), REQUEST_MAX_BYTES);
        long c = clusterSize(bs);
        long clusterOffset = Math.floorDiv(offset, c) * c;
        long clusterBytes = Node.roundUp(offset - clusterOffset + bytes, c);
        long skip = offset - clusterOffset;
        long progress = 0;
        ByteBuffer bounce = null;
        while (clusterBytes > 0) {
            long want = Math.min(clusterBytes, maxTransfer);
            long pnum;
            boolean allocated;
            try {
                BlockStatus st = BlockIo.isAllocated(bs, r, clusterOffset, want);
                allocated = st.has(BlockStatus.ALLOCATED);
                pnum = st.bytes();
                if (!allocated && pnum == 0) {
                    break; // the image ends inside the cluster
                }
            } catch (BlockException e) {
                // QEMU: an error of the query counts as unallocated; the read will tell
                allocated = false;
                pnum = want;
            }
            if (!allocated) {
                pnum = Math.min(pnum, MAX_BOUNCE_BUFFER);
                if (bounce == null) {
                    long need = Math.max(pnum, clusterBytes - pnum);
                    bounce = ByteBuffer.allocate((int) Math.min(need, Math.min(maxTransfer, MAX_BOUNCE_BUFFER)));
                }
                IoVec local = IoVec.of(bounce.slice(0, (int) pnum));
                bs.preadv(r, clusterOffset, pnum, local);
                bs.event(r, Event.COR_WRITE);
                if (isZero(bounce, (int) pnum)) {
                    BlockIo.doPwriteZeroes(bs, Node.UNTRACKED, r, clusterOffset, pnum, 0); // inside the node
                } else {
                    BlockIo.driverPwritev(bs, r, clusterOffset, pnum, local, 0); // no flush needed
                }
                long n = Math.min(pnum - skip, bytes - progress);
                if (n > 0) {
                    copyInto(qiov.slice(progress, n), bounce, (int) skip);
                }
            } else {
                long n = Math.min(pnum - skip, bytes - progress);
                // n < 0: the piece starts past the request's end, where QEMU 7.2 aborts on
                // "bytes is negative" (D7); skip < pnum: see below
                if (n >= 0 && skip < pnum) {
                    bs.preadv(r, offset + progress, n, qiov.slice(progress, n));
                }
            }
            clusterOffset += pnum;
            clusterBytes -= pnum;
            if (skip >= pnum) {
                // D7: the piece ends before the request starts (max-transfer below the cluster
                // size); QEMU 7.2 fails its assertion skip_bytes < pnum, ours skips the piece
                skip -= pnum;
            } else {
                progress += pnum - skip;
                skip = 0;
            }
        }
    }

    private static boolean isZero(ByteBuffer b, int len) {
        for (int i = 0; i < len; i++) {
            if (b.get(i) != 0) {
                return false;
            }
        }
        return true;
    }

    private static void copyInto(IoVec dst, ByteBuffer src, int from) {
        int at = from;
        for (ByteBuffer seg : dst.segments()) {
            int n = seg.remaining();
            seg.put(src.slice(at, n));
            at += n;
        }
    }
}
