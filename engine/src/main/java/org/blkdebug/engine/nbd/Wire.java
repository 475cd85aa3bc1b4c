package org.blkdebug.engine.nbd;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.ReadableByteChannel;

/** Blocking reads and writes of whole messages on a socket channel. */
final class Wire {
    private Wire() {
    }

    /**
     * Fills {@code dst} from its position to its limit, then flips it.
     *
     * @return false when the peer closed before sending a single byte: a clean end of stream
     * @throws EOFException when the peer closed part-way through the message
     */
    static boolean readFully(ReadableByteChannel ch, ByteBuffer dst) throws IOException {
        int start = dst.position();
        while (dst.hasRemaining()) {
            if (ch.read(dst) < 0) {
                if (dst.position() == start) {
                    return false;
                }
                throw new EOFException("client closed the connection " + dst.position() + " bytes into a "
                        + dst.limit() + "-byte message");
            }
        }
        dst.flip();
        return true;
    }

    /** As {@link #readFully}, but a clean end of stream is an error too. */
    static ByteBuffer readExactly(ReadableByteChannel ch, ByteBuffer dst) throws IOException {
        if (!readFully(ch, dst)) {
            throw new EOFException("client closed the connection");
        }
        return dst;
    }

    /** Reads and drops {@code n} bytes (the payload of a write that is refused). */
    static void skip(ReadableByteChannel ch, long n) throws IOException {
        ByteBuffer scratch = ByteBuffer.allocate((int) Math.min(n, 64 << 10));
        long left = n;
        while (left > 0) {
            scratch.clear().limit((int) Math.min(left, scratch.capacity()));
            readExactly(ch, scratch);
            left -= scratch.limit();
        }
    }

    /** One buffer: a plain write, not a gathering one (which costs the JDK an iovec array). */
    static void writeFully(GatheringByteChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }

    static void writeFully(GatheringByteChannel ch, ByteBuffer... bufs) throws IOException {
        long left = 0;
        for (ByteBuffer b : bufs) {
            left += b.remaining();
        }
        while (left > 0) {
            left -= ch.write(bufs);
        }
    }
}
