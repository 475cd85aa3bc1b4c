package org.blkdebug.engine.crash;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * The memory the volatile cache keeps write data in: off-heap chunks, each filled from its start
 * and reused once no cached entry points into it any more. Why not a {@code byte[]} per write: the
 * data lives until a flush, long enough to be copied by every young collection it survives and
 * promoted; a benchmark of 20,000 cached 4 KiB writes spent a third of its time in the collector
 * (docs/performance.md, "The power-loss model").
 *
 * <p>At most {@code limit} bytes are allocated, chunks and larger-than-a-chunk writes (kept on
 * the heap) together; {@link #allocate} answers null beyond it, and the cache spills instead.
 *
 * <p>Not thread-safe: the cache's lock guards it. <b>A chunk is reused only after every entry in
 * it was {@link #release}d</b>: the cache releases an entry once it left the cache <i>and</i> no
 * snapshot can read it any more.
 */
final class CacheMemory {
    /** Chunk size when the limit allows it. */
    static final int CHUNK = 1 << 20;

    /** Where an entry's bytes live: {@code buffer} (position 0, its length), in {@code chunk} or on the heap. */
    record Block(ByteBuffer buffer, Chunk chunk) {
    }

    /** One chunk: filled from {@code top} upwards, {@code live} entries still point into it. */
    static final class Chunk {
        final ByteBuffer buffer;
        int top;
        int live;

        Chunk(int size) {
            buffer = ByteBuffer.allocateDirect(size);
        }
    }

    private final long limit;
    private final int chunkSize;
    private final ArrayDeque<Chunk> free = new ArrayDeque<>();
    private Chunk current;
    /** Bytes allocated: chunks (whole) and heap blocks. */
    private long allocated;

    CacheMemory(long limit) {
        this.limit = limit;
        this.chunkSize = (int) Math.min(CHUNK, Math.max(limit, 0));
    }

    /** Room for {@code length} bytes, or null when the limit does not allow it (spill them). */
    Block allocate(long length) {
        if (length == 0) {
            return new Block(ByteBuffer.allocate(0), null);
        }
        if (length > chunkSize) {
            if (allocated + length > limit || length > Integer.MAX_VALUE - 16) {
                return null;
            }
            allocated += length;
            return new Block(ByteBuffer.allocate((int) length), null);
        }
        int len = (int) length;
        if (current == null || current.buffer.capacity() - current.top < len) {
            Chunk next = free.pollFirst();
            if (next == null) {
                if (allocated + chunkSize > limit) {
                    return null;
                }
                allocated += chunkSize;
                next = new Chunk(chunkSize);
            }
            if (current != null && current.live == 0) {
                current.top = 0;
                free.addLast(current);
            }
            current = next;
        }
        ByteBuffer b = current.buffer.slice(current.top, len);
        current.top += len;
        current.live++;
        return new Block(b, current);
    }

    /** No entry reads {@code b} any more. */
    void release(Block b) {
        Chunk c = b.chunk();
        if (c == null) {
            allocated -= b.buffer().capacity();
            return;
        }
        if (--c.live == 0) {
            c.top = 0;
            if (c != current) {
                free.addLast(c);
            }
        }
    }

    /** Bytes allocated now (at most the limit). */
    long allocated() {
        return allocated;
    }

    /** Drops every chunk (the cache closed; a snapshot still reading one keeps it alive). */
    void clear() {
        free.clear();
        current = null;
        allocated = 0;
    }
}
