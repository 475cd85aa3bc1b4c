package org.blkdebug.engine.format.qcow2;

import java.nio.ByteBuffer;
import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.block.BlockIo;
import org.blkdebug.engine.block.IoVec;
import org.blkdebug.engine.block.Node;
import org.blkdebug.engine.request.Request;

/**
 * The driver's I/O on its children (QEMU's bdrv_pread / bdrv_pwrite / bdrv_pwrite_sync ...),
 * through the block layer of the child, so blkdebug sees every request. Results are QEMU's:
 * 0 or a negative errno, which keeps the ported metadata code's error paths as QEMU has them.
 */
final class ChildIo {
    private ChildIo() {
    }

    static int pread(Request r, Node child, long offset, byte[] buf, int off, int len) {
        return preadv(r, child, offset, len, IoVec.of(ByteBuffer.wrap(buf, off, len)));
    }

    static int preadv(Request r, Node child, long offset, long len, IoVec qiov) {
        try {
            BlockIo.preadv(child, r, offset, len, qiov);
            return 0;
        } catch (BlockException e) {
            return -e.errno();
        }
    }

    static int pwrite(Request r, Node child, long offset, byte[] buf, int off, int len) {
        return pwritev(r, child, offset, len, IoVec.of(ByteBuffer.wrap(buf, off, len)), 0);
    }

    static int pwritev(Request r, Node child, long offset, long len, IoVec qiov, int flags) {
        try {
            BlockIo.pwritev(child, r, offset, len, qiov, flags);
            return 0;
        } catch (BlockException e) {
            return -e.errno();
        }
    }

    /** bdrv_pwrite_sync: the write, then a flush of the child node. */
    static int pwriteSync(Request r, Node child, long offset, byte[] buf, int off, int len) {
        int ret = pwrite(r, child, offset, buf, off, len);
        if (ret < 0) {
            return ret;
        }
        return flush(r, child);
    }

    static int pwriteZeroes(Request r, Node child, long offset, long len, int flags) {
        try {
            BlockIo.pwriteZeroes(child, r, offset, len, flags);
            return 0;
        } catch (BlockException e) {
            return -e.errno();
        }
    }

    static int flush(Request r, Node child) {
        try {
            BlockIo.flush(child, r);
            return 0;
        } catch (BlockException e) {
            return -e.errno();
        }
    }

    static int pdiscard(Request r, Node child, long offset, long len) {
        try {
            BlockIo.pdiscard(child, r, offset, len);
            return 0;
        } catch (BlockException e) {
            return -e.errno();
        }
    }

    static int truncate(Request r, Node child, long length) {
        try {
            BlockIo.truncate(child, r, length);
            return 0;
        } catch (BlockException e) {
            return -e.errno();
        }
    }

    static long length(Node child) {
        try {
            return child.length();
        } catch (BlockException e) {
            return -e.errno();
        }
    }
}
