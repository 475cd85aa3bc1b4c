package org.blkdebug.engine.format.qcow2;

import java.nio.ByteBuffer;
import org.blkdebug.engine.block.IoVec;

/** Copies between byte arrays and I/O vectors. */
final class Buffers {
    private Buffers() {
    }

    /** qemu_iovec_from_buf: {@code len} bytes of {@code src} from {@code from} into {@code dst}. */
    static void copyIn(IoVec dst, byte[] src, int from, int len) {
        int at = from;
        int left = len;
        for (ByteBuffer b : dst.segments()) {
            int n = Math.min(b.remaining(), left);
            b.put(src, at, n);
            at += n;
            left -= n;
            if (left == 0) {
                break;
            }
        }
    }

    /** qemu_iovec_to_buf: the first {@code len} bytes of {@code src}. */
    static byte[] copyOut(IoVec src, int len) {
        byte[] out = new byte[len];
        int at = 0;
        for (ByteBuffer b : src.segments()) {
            int n = Math.min(b.remaining(), len - at);
            b.get(out, at, n);
            at += n;
            if (at == len) {
                break;
            }
        }
        return out;
    }
}
