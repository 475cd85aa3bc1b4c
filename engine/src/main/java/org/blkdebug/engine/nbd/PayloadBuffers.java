package org.blkdebug.engine.nbd;

import java.nio.ByteBuffer;
import org.jctools.queues.atomic.MpscAtomicArrayQueue;

/**
 * Buffers for READ and WRITE payloads, sized to the request and pooled per connection. Why
 * direct: with a heap buffer the JDK copies through a temporary direct buffer on every
 * FileChannel read or write and every socket write, and its cache of those is per thread, while
 * each request runs on a fresh virtual thread. Why {@link #HEAD_ROOM}: the reply header is written
 * just in front of a read's data, so the whole reply is one contiguous socket write.
 *
 * <p>Sizes are powers of two from 4 KiB to 1 MiB, each class keeping at most about 1 MiB of idle
 * buffers (16 of 4 KiB … one of 1 MiB); a larger payload gets a heap buffer of its exact size,
 * left to the garbage collector. With the reader's bound of {@link Protocol#MAX_REQUESTS} requests
 * in flight, a connection holds at most 16 payloads whatever the client sends.
 *
 * <p>Taken by the connection's reader thread only; given back by whichever request thread sent
 * the reply (hence MPSC queues). A buffer given back to a full class is left to the collector.
 */
final class PayloadBuffers {
    /** Bytes in front of the payload, at least the largest reply header (a structured OFFSET_DATA chunk: 28). */
    static final int HEAD_ROOM = 32;

    private static final int MIN_SHIFT = 12;
    private static final int MAX_SHIFT = 20;
    private static final int KEEP_BYTES = 1 << 20;

    /** Allocates; a test replaces it to see allocation failures. */
    interface Allocator {
        ByteBuffer allocate(int capacity, boolean direct);
    }

    static final Allocator JVM = (capacity, direct) ->
            direct ? ByteBuffer.allocateDirect(capacity) : ByteBuffer.allocate(capacity);

    private final Allocator allocator;
    /** Idle direct buffers of {@code HEAD_ROOM + (1 << (MIN_SHIFT + i))} bytes. */
    private final MpscAtomicArrayQueue<ByteBuffer>[] classes;

    PayloadBuffers() {
        this(JVM);
    }

    @SuppressWarnings("unchecked")
    PayloadBuffers(Allocator allocator) {
        this.allocator = allocator;
        classes = new MpscAtomicArrayQueue[MAX_SHIFT - MIN_SHIFT + 1];
        for (int i = 0; i < classes.length; i++) {
            int keep = Math.max(1, Math.min(Protocol.MAX_REQUESTS, KEEP_BYTES >> (MIN_SHIFT + i)));
            classes[i] = new MpscAtomicArrayQueue<>(Math.max(2, keep)); // JCTools' smallest capacity is 2
        }
    }

    /**
     * A cleared buffer of at least {@link #HEAD_ROOM} + {@code length} bytes. Reader thread only.
     *
     * @throws OutOfMemoryError when neither direct nor heap memory has room for it
     */
    ByteBuffer take(int length) {
        int c = sizeClass(length);
        if (c < 0) {
            return allocator.allocate(HEAD_ROOM + length, false);
        }
        // poll, not relaxedPoll: a buffer whose give() has claimed its slot but not yet stored it
        // (two request threads giving back at once) is waited for, not missed. Missing it made a
        // fresh allocation although a buffer was coming back: more than MAX_REQUESTS in all.
        ByteBuffer b = classes[c].poll();
        if (b != null) {
            return b.clear();
        }
        int capacity = HEAD_ROOM + (1 << (MIN_SHIFT + c));
        try {
            return allocator.allocate(capacity, true);
        } catch (OutOfMemoryError directFull) { // -XX:MaxDirectMemorySize reached: the heap may still have room
            return allocator.allocate(HEAD_ROOM + length, false);
        }
    }

    /** The payload view of {@code block}: {@code length} bytes after the head room. */
    static ByteBuffer payload(ByteBuffer block, int length) {
        return block.slice(HEAD_ROOM, length);
    }

    /** Returns a buffer from {@link #take}; call once nothing (request, reply) uses it any more. */
    void give(ByteBuffer b) {
        if (b == null || !b.isDirect()) {
            return;
        }
        int c = sizeClass(b.capacity() - HEAD_ROOM);
        if (c >= 0 && b.capacity() == HEAD_ROOM + (1 << (MIN_SHIFT + c))) {
            classes[c].offer(b);
        }
    }

    /** The class of a payload of {@code length} bytes, or -1 when it is too large to pool. */
    private static int sizeClass(int length) {
        if (length > 1 << MAX_SHIFT) {
            return -1;
        }
        int shift = 32 - Integer.numberOfLeadingZeros(Math.max(length, 1) - 1); // ceil(log2)
        return Math.max(shift, MIN_SHIFT) - MIN_SHIFT;
    }
}
