package org.blkdebug.engine.nbd;

import static org.blkdebug.engine.nbd.Protocol.*;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.blkdebug.engine.Device;
import org.blkdebug.engine.Errno;

/**
 * One client: a reader (the virtual thread that runs {@link #run}) that negotiates, then reads
 * requests and submits each to the device without waiting for it; each request's completion
 * writes its own reply (through {@link Replies}), so replies go out in completion order and many
 * requests are in flight at once, at most {@link Protocol#MAX_REQUESTS}: the reader stops reading
 * at that many, as qemu-nbd does. READ and WRITE payloads live in buffers sized to the request
 * from the connection's {@link PayloadBuffers}, taken by the reader and given back once the reply
 * is written ({@link #settle}).
 *
 * <p>Ending: a client that hangs up is dropped at once, and the replies of its requests that are
 * still running (say, parked at a breakpoint) are discarded when they complete. After
 * {@code NBD_CMD_DISC}, or when the server shuts down, no more requests are read and the socket
 * closes once every request is answered. A reply that cannot be written closes the connection.
 * Any other failure of the reader (a bug, {@code OutOfMemoryError}) closes it too, so a client
 * never waits on a socket nobody serves. Each connection logs one line when it starts and one
 * when it ends.
 *
 * <p>The reader never writes a reply: a client that does not read its replies fills the socket,
 * and a reader blocked in that write would stop reading short of {@code MAX_REQUESTS} (qemu-nbd's
 * {@code nbd_trip} starts the next request's receive before it replies, refusals included). The
 * replies it would have written (refusals, and requests done before it attached their completion)
 * go to {@link #sender}, which sends them in the order the reader read their requests, as
 * qemu-nbd does.
 */
final class Connection {
    private final String origin;
    private final SocketChannel channel;
    /** The device as seen by this connection: a session whose requests carry {@link #origin}. */
    private final Device device;
    private final NbdServer.Options options;
    private final String peer;
    private final Consumer<Connection> onClosed;
    private final InFlight inFlight = new InFlight();
    private final PayloadBuffers buffers;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** The reader's thread, set when it starts: replies are written off it ({@link #offReader}). */
    private volatile Thread reader;
    /** Sends the replies the reader hands over, in the order it hands them over. */
    private final InOrderSender sender = new InOrderSender(e -> close("dropped: internal error sending a reply: " + e));
    /** Set before the reader starts transmission; read by request threads. */
    private volatile Replies replies;
    /** No more requests will be read; the socket closes when the last one is answered. */
    private volatile String drainReason;
    /** The client got as far as transmission (qemu-nbd's "negotiated"). */
    private volatile boolean negotiated;

    Connection(String origin, SocketChannel channel, Device device, NbdServer.Options options, String peer,
               Consumer<Connection> onClosed, PayloadBuffers.Allocator allocator) {
        this.origin = origin;
        this.channel = channel;
        this.device = device;
        this.options = options;
        this.peer = peer;
        this.onClosed = onClosed;
        this.buffers = new PayloadBuffers(allocator);
    }

    String origin() {
        return origin;
    }

    NbdServer.ConnectionInfo info() {
        return new NbdServer.ConnectionInfo(origin, peer, inFlight.size(), drainReason != null);
    }

    boolean isClosed() {
        return closed.get();
    }

    boolean negotiated() {
        return negotiated;
    }

    // ---- the reader --------------------------------------------------------------------------------------

    /** The connection's reader; returns when the client is done, dropped, or the server shuts down. */
    void run() {
        reader = Thread.currentThread();
        log("connected from " + peer);
        try {
            Handshake.Result r = Handshake.negotiate(channel, options.exportName(), options.description(), this::export);
            if (r == null) {
                close("client ended negotiation (NBD_OPT_ABORT)");
                return;
            }
            replies = new Replies(channel, r.structuredReplies(), inFlight::size);
            negotiated = true;
            transmit(r);
        } catch (NbdProtocolException e) {
            close("dropped: " + e.getMessage());
        } catch (EOFException e) {
            ended("dropped: " + e.getMessage());
        } catch (IOException e) {
            ended("dropped: " + e);
        } catch (InterruptedException e) {
            close("dropped: reader interrupted");
        } catch (Throwable e) { // a bug, or out of memory: the client must not be left hanging
            close("dropped: internal error: " + e);
        }
    }

    private Export export(boolean structured) throws IOException {
        // qemu-nbd advertises the top node's alignment and max transfer (blk_get_request_alignment)
        return Export.of(options, device.length(), options.readOnly() || device.readOnly(),
                device.topRequestAlignment(), device.maxTransfer(), structured);
    }

    private void transmit(Handshake.Result r) throws IOException, InterruptedException {
        Export export = r.export();
        boolean structured = r.structuredReplies();
        boolean statusFirst = structured && Commands.blockStatusCanFail(device);
        RequestReader input = new RequestReader(channel, inFlight::size);
        while (true) {
            if (!inFlight.awaitRoom(MAX_REQUESTS)) {
                return; // closed while the client had the most requests in flight
            }
            RequestHeader h = input.next();
            if (h == null) {
                int n = inFlight.size();
                ended(n == 0 ? "client disconnected" : "client disconnected; dropping the replies of "
                        + n + " request(s) still in flight");
                return;
            }
            if (h.type() == CMD_DISC) {
                drain("client disconnected (NBD_CMD_DISC)");
                return;
            }
            if (drainReason != null || closed.get()) {
                return; // server shutdown: requests still buffered here are not started
            }
            ByteBuffer block = null;
            int refused = 0;
            if (h.hasPayload()) {
                if (h.length() > MAX_SKIP) {
                    throw new NbdProtocolException("write payload too large to skip: " + h.describe());
                }
                block = h.length() > MAX_PAYLOAD ? null : allocate(h);
                if (block == null) {
                    input.skip(h.length()); // refused below: too large, or no memory for it
                    refused = h.length() > MAX_PAYLOAD ? Errno.EINVAL : Errno.ENOMEM;
                } else {
                    input.payload(PayloadBuffers.payload(block, (int) h.length()));
                }
            }
            if (refused == 0) {
                refused = Commands.validate(h, export, structured, r.baseAllocation());
            }
            if (refused == 0 && h.type() == CMD_READ) {
                block = allocate(h);
                refused = block == null ? Errno.ENOMEM : 0;
            }
            if (refused != 0) {
                buffers.give(block);
                // in flight until written, so a DISC right after it still waits for this reply
                InFlight.Pending p = inFlight.add(h);
                p.claim();
                int error = NbdErrors.toNbd(refused);
                offReader(() -> reply(p, () -> replies.error(h.cookie(), error, () -> settle(p, null))));
            } else {
                dispatch(h, block, export, statusFirst);
            }
        }
    }

    /**
     * A payload buffer for {@code h}, or null when there is no memory for it: the request is then
     * answered with ENOMEM (qemu-nbd's answer when its {@code blk_try_blockalign} fails) and the
     * connection lives on.
     */
    private ByteBuffer allocate(RequestHeader h) {
        try {
            return buffers.take((int) h.length());
        } catch (OutOfMemoryError e) {
            log("no memory for a " + h.length() + "-byte payload (" + e.getMessage() + "); answered ENOMEM");
            return null;
        }
    }

    /**
     * Submits {@code h}; its completion, on a request thread, sends the reply. A read or a write
     * brings its block: the read's data lands after its head room, the write's payload is there.
     */
    private void dispatch(RequestHeader h, ByteBuffer block, Export export, boolean statusFirst) {
        InFlight.Pending p = inFlight.add(h);
        if (h.type() == CMD_BLOCK_STATUS) {
            Commands.blockStatus(device, h).whenComplete((extents, failure) -> finish(p, null, extents, failure));
            return;
        }
        ByteBuffer data = block == null ? null : PayloadBuffers.payload(block, (int) h.length());
        CompletableFuture<Void> f;
        try {
            f = Commands.submit(device, h, data, export, statusFirst);
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        f.whenComplete((ignored, failure) -> finish(p, block, null, failure));
    }

    /** Runs when a request completes: the reply, unless the client is gone or it was answered already. */
    private void finish(InFlight.Pending p, ByteBuffer block, int[] extents, Throwable failure) {
        if (Thread.currentThread() == reader) {
            // the request ended before the reader attached this callback, so it runs on the reader
            offReader(() -> finish(p, block, extents, failure));
            return;
        }
        if (!p.claim() || closed.get()) {
            settle(p, block); // answered with ESHUTDOWN, or nobody is listening: drop the reply silently
            return;
        }
        RequestHeader h = p.header;
        Runnable settled = () -> settle(p, block);
        reply(p, () -> {
            if (failure != null) {
                replies.error(h.cookie(), NbdErrors.of(failure), settled);
            } else if (h.type() == CMD_READ && h.length() == 0) {
                replies.emptyRead(h.cookie(), settled);
            } else if (h.type() == CMD_READ) {
                replies.readData(h.cookie(), h.offset(), block, (int) h.length(), settled);
            } else if (h.type() == CMD_BLOCK_STATUS) {
                replies.blockStatus(h.cookie(), META_ID_BASE_ALLOCATION, extents, settled);
            } else {
                replies.ok(h.cookie(), settled);
            }
        });
    }

    /**
     * Runs {@code send}, a reply, on {@link #sender}: the reader goes on reading while the client
     * does not read, and the replies it hands over keep their request order (a request thread
     * that writes its own reply needs none of this).
     */
    private void offReader(Runnable send) {
        sender.handOver(send);
    }

    /** A reply being sent. */
    @FunctionalInterface
    private interface Send {
        void run() throws IOException;
    }

    /**
     * Sends a reply; when it cannot be written the client can never get its replies, so the
     * connection closes (drain or not: a client that sent DISC and hung up is closed too).
     */
    private void reply(InFlight.Pending p, Send send) {
        try {
            send.run();
        } catch (IOException e) {
            close("dropped: cannot send a reply: " + e);
        } catch (RuntimeException | Error e) { // e.g. no memory for the reply header
            settle(p, null);
            close("dropped: internal error sending a reply: " + e);
        }
    }

    /**
     * The reply is written, or never will be: the request stops counting as in flight and its
     * payload block goes back to the pool (the device is done with it, and so is the socket).
     * Runs once per request, on whichever thread wrote the reply.
     */
    private void settle(InFlight.Pending p, ByteBuffer block) {
        buffers.give(block);
        inFlight.remove(p);
        String reason = drainReason;
        if (reason != null && inFlight.isEmpty()) {
            close(reason);
        }
    }

    // ---- ending ---------------------------------------------------------------------------------

    /**
     * Stops reading requests; the socket closes once every request in flight is answered (the
     * spec: on NBD_CMD_DISC and at server shutdown, in-flight requests are still serviced).
     */
    void drain(String reason) {
        drainReason = reason;
        if (inFlight.isEmpty()) {
            close(reason);
        }
    }

    /** Server shutdown, step 1: no more requests; the reader sees end of stream. */
    void beginShutdown() {
        drain("closed by server shutdown");
        inFlight.release(); // a reader waiting for room stops
        try {
            channel.shutdownInput();
        } catch (IOException ignored) {
            // already closed
        }
    }

    /** Server shutdown, step 2: waits until every request is answered; false at the deadline. */
    boolean awaitIdle(long deadlineNanos) throws InterruptedException {
        return inFlight.awaitIdle(deadlineNanos);
    }

    /**
     * Server shutdown, step 3: answers what is still running with ESHUTDOWN (what the spec asks
     * of a server that stops waiting) and hangs up. May block in a socket write to a client that
     * stopped reading; the caller bounds it and closes the channel, which unblocks it.
     */
    void abort() {
        int answered = 0;
        Replies r = replies;
        try {
            for (InFlight.Pending p : r == null ? List.<InFlight.Pending>of() : inFlight.claimAll()) {
                if (!r.tryError(p.header.cookie(), Errno.ESHUTDOWN, 200)) {
                    break;
                }
                answered++;
                inFlight.remove(p);
            }
        } catch (IOException | InterruptedException e) {
            // the client is gone or we were told to hurry: hang up below
        }
        close(answered == 0 ? "closed by server shutdown"
                : "closed by server shutdown; " + answered + " request(s) still running answered with ESHUTDOWN");
    }

    /** The reader ended: hang up, unless a drain (DISC, shutdown) is under way and hangs up later. */
    private void ended(String reason) {
        if (drainReason == null) {
            close(reason);
        }
    }

    /**
     * Closes the socket once; logs {@code reason} as the connection's last line. Requests still
     * running finish in the device; their replies are dropped ({@link #finish}).
     */
    void close(String reason) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        inFlight.release();
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing left to tell the client
        }
        log(reason);
        onClosed.accept(this);
    }

    private void log(String line) {
        try {
            options.log().accept(origin + ": " + line);
        } catch (RuntimeException ignored) {
            // a broken log sink must not break the connection
        }
    }
}
