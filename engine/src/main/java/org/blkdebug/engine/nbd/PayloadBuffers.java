package org.blkdebug.engine.nbd;

import java.nio.ByteBuffer;
import org.jctools.queues.atomic.MpscAtomicArrayQueue;

/**
 * Direct buffers for READ and WRITE payloads, pooled per connection. Why direct: with a heap
 * buffer the JDK copies through a temporary direct buffer on every FileChannel read or write and
 * every socket write, and its cache of those is per thread, while each request runs on a fresh
 * virtual thread. Why {@link #HEAD_ROOM}: the reply header is written just in front of a read's
 * data, so the whole reply is one contiguous socket write.
 *
 * <p>Taken by the connection's reader thread only; given back by whichever request thread sent
 * the reply (hence MPSC queues). A payload too large to pool gets no buffer here (the caller uses
 * a heap buffer), and a buffer given back to a full pool is left to the garbage collector.
 */
final class PayloadBuffers {
    /** Bytes in front of the payload, at least the largest reply header (a structured OFFSET_DATA chunk: 28). */
    static final int HEAD_ROOM = 32;

    private static final int SMALL = 64 << 10;
    private static final int LARGE = 1 << 20;

    /** Payloads up to 64 KiB; at most 64 kept (4 MiB). */
    private final MpscAtomicArrayQueue<ByteBuffer> small = new MpscAtomicArrayQueue<>(64);
    /** Payloads up to 1 MiB; at most 8 kept (8 MiB). */
    private final MpscAtomicArrayQueue<ByteBuffer> large = new MpscAtomicArrayQueue<>(8);

    /**
     * A cleared buffer of at least {@link #HEAD_ROOM} + {@code length} bytes, or null when
     * {@code length} is too large to pool. Reader thread only.
     */
    ByteBuffer take(long length) {
        if (length > LARGE) {
            return null;
        }
        boolean isSmall = length <= SMALL;
        ByteBuffer b = (isSmall ? small : large).relaxedPoll();
        if (b == null) {
            b = ByteBuffer.allocateDirect(HEAD_ROOM + (isSmall ? SMALL : LARGE));
        }
        return b.clear();
    }

    /** The payload view of {@code block}: {@code length} bytes after the head room. */
    static ByteBuffer payload(ByteBuffer block, int length) {
        return block.slice(HEAD_ROOM, length);
    }

    /** Returns a buffer from {@link #take}; call once nothing (request, reply) uses it any more. */
    void give(ByteBuffer b) {
        if (b != null) {
            (b.capacity() <= HEAD_ROOM + SMALL ? small : large).relaxedOffer(b);
        }
    }
}
