package org.blkdebug.engine.crash;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** A fast 64-bit content hash for telling crash states apart (not for security). */
final class Hashes {
    private Hashes() {
    }

    static long of(byte[] b) {
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        long h = 0x27D4EB2F165667C5L ^ b.length;
        while (buf.remaining() >= 8) {
            h = (h ^ mix(buf.getLong())) * 0x9E3779B97F4A7C15L;
        }
        long last = 0;
        int shift = 0;
        while (buf.hasRemaining()) {
            last |= (buf.get() & 0xffL) << shift;
            shift += 8;
        }
        return mix(h ^ mix(last ^ 0xA5A5L));
    }

    /** SplitMix64's finaliser. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
