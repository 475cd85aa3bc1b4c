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
 * requests are in flight at once. READ and WRITE payloads up to 1 MiB live in direct buffers
 * from the connection's {@link PayloadBuffers}, taken by the reader and given back once the
 * reply is written ({@link #settle}).
 *
 * <p>Ending: a client that hangs up is dropped at once, and the replies of its requests that are
 * still running (say, parked at a breakpoint) are discarded when they complete. After
 * {@code NBD_CMD_DISC}, or when the server shuts down, no more requests are read and the socket
 * closes once every request is answered. Each connection logs one line when it starts and one
 * when it ends.
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
    private final PayloadBuffers buffers = new PayloadBuffers();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Set before the reader starts transmission; read by request threads. */
    private volatile Replies replies;
    /** No more requests will be read; the socket closes when the last one is answered. */
    private volatile String drainReason;

    Connection(String origin, SocketChannel channel, Device device, NbdServer.Options options, String peer,
               Consumer<Connection> onClosed) {
        this.origin = origin;
        this.channel = channel;
        this.device = device;
        this.options = options;
        this.peer = peer;
        this.onClosed = onClosed;
    }

    String origin() {
        return origin;
    }

    NbdServer.ConnectionInfo info() {
        return new NbdServer.ConnectionInfo(origin, peer, inFlight.size());
    }

    boolean isClosed() {
        return closed.get();
    }

    // ---- the reader --------------------------------------------------------------------------------------

    /** The connection's reader; returns when the client is done, dropped, or the server shuts down. */
    void run() {
        log("connected from " + peer);
        try {
            Handshake.Result r = Handshake.negotiate(channel, options.exportName(), this::export);
            if (r == null) {
                close("client ended negotiation (NBD_OPT_ABORT)");
                return;
            }
            replies = new Replies(channel, r.structuredReplies(), inFlight::size);
            transmit(r.export(), r.structuredReplies());
        } catch (NbdProtocolException e) {
            close("dropped: " + e.getMessage());
        } catch (EOFException e) {
            ended("dropped: " + e.getMessage());
        } catch (IOException e) {
            ended("dropped: " + e);
        } catch (RuntimeException e) { // a bug here must not leave the client hanging
            close("dropped: internal error: " + e);
        }
    }

    private Export export() throws IOException {
        // the device's own read-only flag and alignment apply unless the options say more
        return Export.of(options.exportName(), device.length(), options.readOnly() || device.readOnly(),
                options.align() != 0 ? options.align() : device.requestAlignment());
    }

    private void transmit(Export export, boolean structured) throws IOException {
        RequestReader input = new RequestReader(channel, inFlight::size);
        while (true) {
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
            if (drainReason != null) {
                return; // server shutdown: requests still buffered here are not started
            }
            ByteBuffer block = null;
            ByteBuffer payload = null;
            if (h.hasPayload()) {
                if (h.length() > MAX_SKIP) {
                    throw new NbdProtocolException("write payload too large to skip: " + h.describe());
                }
                if (h.length() > MAX_PAYLOAD) {
                    input.skip(h.length()); // validate() refuses it below
                } else {
                    block = buffers.take(h.length());
                    payload = input.payload(block != null ? PayloadBuffers.payload(block, (int) h.length())
                            : ByteBuffer.allocate((int) h.length()));
                }
            }
            int refused = Commands.validate(h, export, structured);
            if (refused != 0) {
                buffers.give(block);
                // in flight until written, so a DISC right after it still waits for this reply
                InFlight.Pending p = inFlight.add(h);
                p.claim();
                replies.error(h.cookie(), NbdErrors.toNbd(refused), () -> settle(p, null));
            } else {
                dispatch(h, block, payload);
            }
        }
    }

    /**
     * Submits {@code h}; its completion, on the request's own thread, sends the reply. A read gets
     * a pooled block (its reply is written from it), a write brings its payload (in {@code block}
     * when pooled).
     */
    private void dispatch(RequestHeader h, ByteBuffer block, ByteBuffer payload) {
        InFlight.Pending p = inFlight.add(h);
        ByteBuffer data = payload;
        if (h.type() == CMD_READ) {
            block = buffers.take(h.length());
            data = block != null ? PayloadBuffers.payload(block, (int) h.length())
                    : ByteBuffer.allocate((int) h.length());
        }
        ByteBuffer taken = block;
        ByteBuffer readData = data;
        CompletableFuture<Void> f;
        try {
            f = Commands.submit(device, h, data, null);
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        f.whenComplete((ignored, failure) -> finish(p, taken, readData, failure));
    }

    /** Runs when a request completes: the reply, unless the client is gone or it was answered already. */
    private void finish(InFlight.Pending p, ByteBuffer block, ByteBuffer data, Throwable failure) {
        if (!p.claim() || closed.get()) {
            settle(p, block); // answered with ESHUTDOWN, or nobody is listening: drop the reply silently
            return;
        }
        RequestHeader h = p.header;
        Runnable settled = () -> settle(p, block);
        try {
            if (failure != null) {
                replies.error(h.cookie(), NbdErrors.of(failure), settled);
            } else if (h.type() == CMD_READ && block != null) {
                replies.readData(h.cookie(), h.offset(), block, (int) h.length(), settled);
            } else if (h.type() == CMD_READ) {
                replies.readData(h.cookie(), h.offset(), data.rewind(), settled);
            } else {
                replies.ok(h.cookie(), settled);
            }
        } catch (IOException e) {
            ended("dropped: cannot send a reply: " + e);
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

    /** Closes the socket once; logs {@code reason} as the connection's last line. */
    void close(String reason) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
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
