package org.blkdebug.engine.nbd;

import static org.blkdebug.engine.nbd.Protocol.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.channels.GatheringByteChannel;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntSupplier;
import org.jctools.queues.atomic.MpscUnboundedAtomicArrayQueue;

/**
 * Encodes transmission-phase replies and writes each one whole, so replies from requests that
 * complete concurrently never interleave on the wire. Replies go out in completion order.
 *
 * <p>Writes are combined: a reply is queued, its request thread yields once if other requests
 * are in flight (so that the ones ready to complete queue theirs too), and whichever thread then
 * holds {@link #lock} writes every queued reply in one gathering write; a thread that finds the
 * lock taken leaves its reply to the holder, which looks at the queue again after unlocking, so
 * no reply is stranded. With 16 reads in flight that is one socket write (and one client
 * wake-up) for about five replies, where a write each cost a system call and a client context
 * switch each (docs/perf-notes/nbd.md). A reply's
 * {@code settled} callback runs once its bytes are written, or once its write failed, on the
 * thread that wrote it, with no lock held.
 *
 * <p><b>{@link #lock} is held only while bytes are written to the socket, never while waiting
 * for a request.</b> A client that stops reading can still block the writer inside the socket
 * write (the other request threads just queue their replies and end); closing the channel is
 * what releases it.
 */
final class Replies {
    /** Replies per gathering write; far below IOV_MAX (1024) with two buffers each. */
    private static final int MAX_BATCH = 64;

    /** One encoded reply waiting for the wire. {@code data} and {@code settled} may be null. */
    private record Outgoing(ByteBuffer head, ByteBuffer data, Runnable settled) {
    }

    private final GatheringByteChannel channel;
    private final boolean structured;
    /** Guards the output side of {@link #channel}: one writer at a time. */
    private final ReentrantLock lock = new ReentrantLock();
    /** Replies not yet written; any thread offers, the lock holder polls. */
    private final MpscUnboundedAtomicArrayQueue<Outgoing> queue = new MpscUnboundedAtomicArrayQueue<>(64);
    /** The buffers of one gathering write. Guarded by {@link #lock}. */
    private final ByteBuffer[] iov = new ByteBuffer[2 * MAX_BATCH];
    /** The failure of a write; set once, under {@link #lock}; then nothing more is written. */
    private volatile IOException broken;

    /** How many requests of the connection are unanswered; with others about, a reply waits one yield for company. */
    private final IntSupplier inFlight;

    Replies(GatheringByteChannel channel, boolean structured, IntSupplier inFlight) {
        this.channel = channel;
        this.structured = structured;
        this.inFlight = inFlight;
    }

    /** The successful reply to a read, carrying {@code data} (positioned at its start). */
    void readData(long cookie, long offset, ByteBuffer data, Runnable settled) throws IOException {
        if (structured) {
            ByteBuffer head = chunkHeader(REPLY_TYPE_OFFSET_DATA, cookie, 8 + data.remaining(), 8);
            head.putLong(offset).flip();
            send(head, data, settled);
        } else {
            send(simpleHeader(cookie, 0), data, settled);
        }
    }

    /**
     * As {@link #readData(long, long, ByteBuffer, Runnable)} for data that sits in a
     * {@link PayloadBuffers} block after its head room: the header goes in front of it, so the
     * reply is one contiguous buffer.
     */
    void readData(long cookie, long offset, ByteBuffer block, int length, Runnable settled) throws IOException {
        int at = PayloadBuffers.HEAD_ROOM;
        if (structured) {
            at -= 28;
            block.putInt(at, STRUCTURED_REPLY_MAGIC).putShort(at + 4, (short) REPLY_FLAG_DONE)
                    .putShort(at + 6, (short) REPLY_TYPE_OFFSET_DATA).putLong(at + 8, cookie)
                    .putInt(at + 16, 8 + length).putLong(at + 20, offset);
        } else {
            at -= 16;
            block.putInt(at, SIMPLE_REPLY_MAGIC).putInt(at + 4, 0).putLong(at + 8, cookie);
        }
        block.limit(PayloadBuffers.HEAD_ROOM + length).position(at);
        send(block, null, settled);
    }

    /** The reply to any request that succeeded without data. */
    void ok(long cookie, Runnable settled) throws IOException {
        send(simpleHeader(cookie, 0), null, settled);
    }

    /**
     * The successful reply to a read of 0 bytes: with structured replies a NONE chunk (an
     * OFFSET_DATA chunk must carry at least one byte), as qemu-nbd answers; else a simple reply.
     */
    void emptyRead(long cookie, Runnable settled) throws IOException {
        if (structured) {
            send(chunkHeader(REPLY_TYPE_NONE, cookie, 0, 0).flip(), null, settled);
        } else {
            ok(cookie, settled);
        }
    }

    /**
     * The successful reply to NBD_CMD_BLOCK_STATUS for one metadata context: a BLOCK_STATUS chunk
     * with {@code extents} as (length, flags) pairs.
     */
    void blockStatus(long cookie, int contextId, int[] extents, Runnable settled) throws IOException {
        int length = 4 + 4 * extents.length;
        ByteBuffer b = chunkHeader(REPLY_TYPE_BLOCK_STATUS, cookie, length, length).putInt(contextId);
        for (int e : extents) {
            b.putInt(e);
        }
        send(b.flip(), null, settled);
    }

    /**
     * An error reply. With structured replies it is an error chunk carrying the errno's text (the
     * spec forbids a simple reply to a read once they are negotiated, and prefers chunks for errors).
     */
    void error(long cookie, int nbdError, Runnable settled) throws IOException {
        send(errorReply(cookie, nbdError), null, settled);
    }

    private ByteBuffer errorReply(long cookie, int nbdError) {
        if (!structured) {
            return simpleHeader(cookie, nbdError);
        }
        byte[] msg = NbdErrors.message(nbdError).getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = chunkHeader(REPLY_TYPE_ERROR, cookie, 6 + msg.length, 6 + msg.length);
        return b.putInt(nbdError).putShort((short) msg.length).put(msg).flip();
    }

    /**
     * As {@link #error}, but gives up when another writer holds the wire for longer than
     * {@code timeoutMillis} (used at shutdown, when a stuck client must not stall the server).
     * The reply is written before this returns true.
     *
     * @return false when it gave up
     */
    boolean tryError(long cookie, int nbdError, long timeoutMillis) throws IOException, InterruptedException {
        if (!lock.tryLock(timeoutMillis, TimeUnit.MILLISECONDS)) {
            return false;
        }
        try {
            if (broken != null) {
                throw broken;
            }
            Wire.writeFully(channel, errorReply(cookie, nbdError));
        } finally {
            lock.unlock();
        }
        flush(); // what others queued while we held the lock
        return true;
    }

    private static ByteBuffer simpleHeader(long cookie, int error) {
        return ByteBuffer.allocate(16).putInt(SIMPLE_REPLY_MAGIC).putInt(error).putLong(cookie).flip();
    }

    /** A DONE chunk header with room for {@code extra} payload bytes after it. */
    private static ByteBuffer chunkHeader(int type, long cookie, int payloadLength, int extra) {
        return ByteBuffer.allocate(20 + extra).putInt(STRUCTURED_REPLY_MAGIC).putShort((short) REPLY_FLAG_DONE)
                .putShort((short) type).putLong(cookie).putInt(payloadLength);
    }

    private void send(ByteBuffer head, ByteBuffer data, Runnable settled) throws IOException {
        queue.offer(new Outgoing(head, data, settled));
        if (inFlight.getAsInt() > 1 && Thread.currentThread().isVirtual()) {
            // let the other request threads that are ready run first: those that complete now
            // queue their replies, and whoever flushes next writes them all at once
            Thread.yield();
        }
        flush();
    }

    /**
     * Writes queued replies while there are any and the lock is free. The holder re-checks the
     * queue after unlocking: a reply queued by a thread whose tryLock failed meanwhile is seen.
     * Once a write has failed, nothing more is written: every reply queued then or later is
     * settled unsent (the connection is being closed; its requests must still end).
     *
     * @throws IOException when a write this thread made failed (its replies are settled anyway)
     */
    private void flush() throws IOException {
        IOException failure = null;
        while (!queue.isEmpty() && lock.tryLock()) {
            Outgoing[] batch = new Outgoing[MAX_BATCH];
            int n = 0;
            try {
                Outgoing o;
                int k = 0;
                long bytes = 0;
                while (n < MAX_BATCH && (o = queue.poll()) != null) {
                    batch[n++] = o;
                    iov[k++] = o.head;
                    bytes += o.head.remaining();
                    if (o.data != null) {
                        iov[k++] = o.data;
                        bytes += o.data.remaining();
                    }
                }
                try {
                    while (broken == null && bytes > 0) {
                        bytes -= channel.write(iov, 0, k);
                    }
                } catch (IOException e) {
                    broken = e;
                    failure = e;
                } finally {
                    Arrays.fill(iov, 0, k, null);
                }
            } finally {
                lock.unlock();
            }
            for (int i = 0; i < n; i++) {
                if (batch[i].settled != null) {
                    batch[i].settled.run();
                }
            }
        }
        if (failure != null) { // after the loop: what others queued meanwhile is settled too
            throw failure;
        }
    }
}
