package org.blkdebug.engine.nbd;

import static org.blkdebug.engine.nbd.Protocol.REQUEST_HEADER;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.function.IntSupplier;

/**
 * The transmission-phase input of one connection, read through one direct buffer: a client with
 * many requests in flight (nbdcopy sends 16 back to back) delivers several headers per socket
 * read, and the JDK copies nothing (a heap buffer costs it a temporary direct buffer per read).
 * Reader thread only.
 */
final class RequestReader {
    private static final int BUFFER = 64 << 10;
    /** Yields before a read that may wait; see {@link #next}. */
    private static final int YIELDS_BEFORE_READ = 2;

    private final ReadableByteChannel ch;
    /** Bytes received and not consumed yet, between position and limit (read mode). */
    private final ByteBuffer in = ByteBuffer.allocateDirect(BUFFER).flip();

    /** How many requests of the connection are unanswered. */
    private final IntSupplier inFlight;

    RequestReader(ReadableByteChannel ch, IntSupplier inFlight) {
        this.ch = ch;
        this.inFlight = inFlight;
    }

    /**
     * The next request header. When none is buffered while requests are in flight, the reader
     * first yields its carrier to their threads (twice at most): the replies they send are what
     * makes the client send more, so the read that follows usually finds data instead of parking
     * on the poller (a poller wake-up and a carrier wake-up, context switches both).
     *
     * @return null when the client closed the connection between requests
     * @throws EOFException when it closed part-way through a header
     */
    RequestHeader next() throws IOException {
        if (in.remaining() < REQUEST_HEADER) {
            for (int i = 0; i < YIELDS_BEFORE_READ && inFlight.getAsInt() > 0; i++) {
                Thread.yield();
            }
        }
        if (in.remaining() < REQUEST_HEADER && !fill(REQUEST_HEADER)) {
            return null;
        }
        return RequestHeader.parse(in);
    }

    /** Fills {@code dst} (position to limit) with payload, then flips it: what is buffered first, then from the socket. */
    ByteBuffer payload(ByteBuffer dst) throws IOException {
        int want = dst.remaining();
        int n = Math.min(in.remaining(), want);
        dst.put(in.slice(in.position(), n));
        in.position(in.position() + n);
        while (dst.hasRemaining()) {
            if (ch.read(dst) < 0) {
                throw truncated(want - dst.remaining(), want);
            }
        }
        return dst.flip();
    }

    /** Reads and drops {@code n} payload bytes (the payload of a write that is refused). */
    void skip(long n) throws IOException {
        int buffered = (int) Math.min(in.remaining(), n);
        in.position(in.position() + buffered);
        Wire.skip(ch, n - buffered);
    }

    /** Reads until at least {@code n} bytes are buffered; false at a clean end of stream (nothing buffered). */
    private boolean fill(int n) throws IOException {
        in.compact();
        try {
            while (in.position() < n) {
                if (ch.read(in) < 0) {
                    if (in.position() == 0) {
                        return false;
                    }
                    throw truncated(in.position(), n);
                }
            }
            return true;
        } finally {
            in.flip();
        }
    }

    private static EOFException truncated(int got, int of) {
        return new EOFException("client closed the connection " + got + " bytes into a " + of + "-byte message");
    }
}
