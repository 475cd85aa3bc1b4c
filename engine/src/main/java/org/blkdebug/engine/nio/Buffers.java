package org.blkdebug.engine.nio;

import java.nio.ByteBuffer;

/** Buffer arithmetic for scattering/gathering requests. */
final class Buffers {
    private Buffers() {
    }

    static long remaining(ByteBuffer[] bufs) {
        long n = 0;
        for (ByteBuffer b : bufs) {
            n += b.remaining();
        }
        return n;
    }

    /**
     * Views of the first {@code n} remaining bytes of {@code bufs}, so a short read fills the
     * buffers in order and the device sees exactly the request's length.
     */
    static ByteBuffer[] slices(ByteBuffer[] bufs, long n) {
        ByteBuffer[] out = new ByteBuffer[bufs.length];
        long left = n;
        for (int i = 0; i < bufs.length; i++) {
            int take = (int) Math.min(bufs[i].remaining(), left);
            out[i] = bufs[i].slice(bufs[i].position(), take);
            left -= take;
        }
        return out;
    }

    /** Moves the positions past {@code n} bytes, once the request succeeded (a failed one moves nothing). */
    static void advance(ByteBuffer[] bufs, long n) {
        long left = n;
        for (ByteBuffer b : bufs) {
            int take = (int) Math.min(b.remaining(), left);
            b.position(b.position() + take);
            left -= take;
        }
    }
}
