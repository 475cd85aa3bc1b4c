package org.blkdebug.engine.nbd;

import static org.blkdebug.engine.nbd.Protocol.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.channels.GatheringByteChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Encodes transmission-phase replies and writes each one whole, so replies from requests that
 * complete concurrently never interleave on the wire. Replies go out in completion order.
 *
 * <p><b>{@link #lock} is held only while bytes are written to the socket, never while waiting
 * for a request.</b> A client that stops reading can still block the writer inside the socket
 * write; closing the channel is what releases it.
 */
final class Replies {
    private final GatheringByteChannel channel;
    private final boolean structured;
    /** Guards the output side of {@link #channel}: one reply on the wire at a time. */
    private final ReentrantLock lock = new ReentrantLock();

    Replies(GatheringByteChannel channel, boolean structured) {
        this.channel = channel;
        this.structured = structured;
    }

    /** The successful reply to a read, carrying {@code data} (positioned at its start). */
    void readData(long cookie, long offset, ByteBuffer data) throws IOException {
        if (structured) {
            ByteBuffer head = chunkHeader(REPLY_TYPE_OFFSET_DATA, cookie, 8 + data.remaining(), 8);
            head.putLong(offset).flip();
            send(head, data);
        } else {
            send(simpleHeader(cookie, 0), data);
        }
    }

    /** The reply to any request that succeeded without data. */
    void ok(long cookie) throws IOException {
        send(simpleHeader(cookie, 0));
    }

    /**
     * An error reply. With structured replies it is an error chunk carrying the errno's text (the
     * spec forbids a simple reply to a read once they are negotiated, and prefers chunks for errors).
     */
    void error(long cookie, int nbdError) throws IOException {
        if (!structured) {
            send(simpleHeader(cookie, nbdError));
            return;
        }
        byte[] msg = NbdErrors.message(nbdError).getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = chunkHeader(REPLY_TYPE_ERROR, cookie, 6 + msg.length, 6 + msg.length);
        b.putInt(nbdError).putShort((short) msg.length).put(msg).flip();
        send(b);
    }

    /**
     * As {@link #error}, but gives up when another reply holds the wire for longer than
     * {@code timeoutMillis} (used at shutdown, when a stuck client must not stall the server).
     *
     * @return false when it gave up
     */
    boolean tryError(long cookie, int nbdError, long timeoutMillis) throws IOException, InterruptedException {
        if (!lock.tryLock(timeoutMillis, TimeUnit.MILLISECONDS)) {
            return false;
        }
        try {
            error(cookie, nbdError); // re-entrant: the lock is already ours
            return true;
        } finally {
            lock.unlock();
        }
    }

    private static ByteBuffer simpleHeader(long cookie, int error) {
        return ByteBuffer.allocate(16).putInt(SIMPLE_REPLY_MAGIC).putInt(error).putLong(cookie).flip();
    }

    /** A DONE chunk header with room for {@code extra} payload bytes after it. */
    private static ByteBuffer chunkHeader(int type, long cookie, int payloadLength, int extra) {
        return ByteBuffer.allocate(20 + extra).putInt(STRUCTURED_REPLY_MAGIC).putShort((short) REPLY_FLAG_DONE)
                .putShort((short) type).putLong(cookie).putInt(payloadLength);
    }

    private void send(ByteBuffer... bufs) throws IOException {
        lock.lock();
        try {
            Wire.writeFully(channel, bufs);
        } finally {
            lock.unlock();
        }
    }
}
