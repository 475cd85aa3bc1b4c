package org.blkdebug.engine.nbd;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.blkdebug.engine.Device;

/**
 * An NBD server exporting one {@link Device}, so a real client (qemu-io, qemu-img, nbdcopy, the
 * kernel) drives the device while breakpoints suspend its requests:
 *
 * <pre>{@code
 * try (NbdServer nbd = NbdServer.start(device, NbdServer.Options.unix(Path.of("/tmp/d.sock")))) {
 *     // qemu-io -f raw 'nbd+unix:///?socket=/tmp/d.sock' -c 'write 0 4k'
 *     int status = nbd.captive("qemu-img map \"$uri\"").inheritIO().start().waitFor();
 * }
 * }</pre>
 *
 * <p>Protocol, as qemu-nbd 7.2 speaks it: fixed newstyle negotiation with NBD_OPT_GO, INFO,
 * EXPORT_NAME, LIST, ABORT, STRUCTURED_REPLY and LIST/SET_META_CONTEXT ({@code base:allocation});
 * no TLS. Commands READ (FUA, DF), WRITE (FUA), FLUSH, TRIM (FUA), CACHE, WRITE_ZEROES (FUA,
 * NO_HOLE, FAST_ZERO), BLOCK_STATUS (REQ_ONE) and DISC. Block sizes: minimum the top node's
 * request alignment (raw: 1, as qemu-nbd's {@code blk_get_request_alignment}; so a client sends
 * unaligned writes and blkdebug's read-modify-write events fire below), preferred 4 KiB, maximum
 * the stack's max transfer up to 32 MiB. Block status reports data everywhere (no holes: a raw
 * image here is not probed for them); it runs through the device, so {@code iotype=block-status}
 * rules apply to it, to CACHE, and to structured reads (as under qemu-nbd, which asks for the block
 * status of a read's range before reading it).
 *
 * <p>Each connection gets {@code device.session("nbd#N")}, so {@link Device#requests()} shows
 * which client a parked request belongs to. Every NBD request is submitted to the device's async
 * API at once (it runs on its own virtual thread); replies are written in completion order. A
 * connection reads at most {@link Protocol#MAX_REQUESTS 16} requests ahead of its replies, as
 * qemu-nbd does, and holds only buffers sized to those requests.
 *
 * <p>Errors, as the reply's error field (NBD's numbers are Linux errno numbers), mapped as
 * qemu-nbd 7.2 maps them:
 * <table>
 * <caption>errno of the failed request → NBD error</caption>
 * <tr><td>EPERM, EIO, ENOMEM, EINVAL, ENOSPC, EOVERFLOW, ENOTSUP, ESHUTDOWN</td><td>the same</td></tr>
 * <tr><td>EROFS</td><td>EPERM</td></tr>
 * <tr><td>EFBIG, EDQUOT</td><td>ENOSPC</td></tr>
 * <tr><td>anything else (EACCES, ENOMEDIUM, ...)</td><td>EINVAL</td></tr>
 * </table>
 * The server refuses before the device sees them: a write to a read-only export (EPERM), a read,
 * write or cache over 32 MiB, an unknown command or flag, BLOCK_STATUS
 * without base:allocation or of length 0 (EINVAL), a request past the end of the export (ENOSPC
 * for WRITE and WRITE_ZEROES, else EINVAL), a payload it has no memory for (ENOMEM). A bad request
 * magic or a write payload over 64 MiB drops the connection. With structured replies negotiated,
 * errors are error chunks carrying the errno's text; a failed read keeps the connection (qemu-nbd
 * drops it).
 *
 * <p>{@link #close()} stops accepting, stops reading requests, waits up to {@link #CLOSE_GRACE}
 * for the requests in flight (a suspended request is not resumed: the device's owner decides),
 * answers the rest with ESHUTDOWN and hangs up. It never waits unbounded.
 * {@link #dropConnections} hangs up on every client at once without answering, and keeps serving;
 * {@link #dropAll} does that and stops, as the power going does.
 */
public final class NbdServer implements AutoCloseable {
    /** How long {@link #close()} waits for requests in flight before answering them with ESHUTDOWN. */
    public static final Duration CLOSE_GRACE = Duration.ofSeconds(5);
    private static final Duration ABORT_WAIT = Duration.ofSeconds(1);

    /**
     * Where and what to serve.
     *
     * @param socket         the Unix socket to create (must not exist); null with {@code port < 0}
     *                       means a fresh one in a temporary directory, removed at close
     * @param host           TCP address to bind; null means 127.0.0.1. Only used with {@code port >= 0}
     * @param port           TCP port (0 picks a free one), or -1 to serve on a Unix socket
     * @param exportName     the one export's name ("" is what {@code nbd+unix:///} asks for)
     * @param description    sent as NBD_INFO_DESCRIPTION (qemu-nbd's {@code -D}), or null
     * @param readOnly       advertise NBD_FLAG_READ_ONLY and refuse writes with EPERM
     * @param maxConnections clients served at once (qemu-nbd's {@code -e}; it defaults to 1), 0 for
     *                       no limit; a client beyond it waits until one leaves. MULTI_CONN is
     *                       advertised unless it is 1
     * @param unmap          TRIM discards and WRITE_ZEROES may unmap (qemu-nbd's {@code --discard=unmap});
     *                       false answers TRIM without touching the device (qemu-nbd's default, {@code ignore})
     * @param detectZeroes   a WRITE whose payload is all zeroes is written as WRITE_ZEROES, which may
     *                       unmap when {@code unmap} is on too (qemu-nbd's {@code --detect-zeroes=on|unmap})
     * @param log            receives one line when a connection starts and one when it ends
     */
    public record Options(Path socket, String host, int port, String exportName, String description,
                          boolean readOnly, int maxConnections, boolean unmap, boolean detectZeroes,
                          Consumer<String> log) {
        public Options {
            if (port < -1 || port > 65535) {
                throw new IllegalArgumentException("port " + port);
            }
            if (maxConnections < 0) {
                throw new IllegalArgumentException("maxConnections " + maxConnections);
            }
            exportName = exportName == null ? "" : exportName;
            log = log == null ? line -> { } : log;
        }

        /** A Unix socket in a new temporary directory; any number of clients; TRIM discards. */
        public static Options defaults() {
            return new Options(null, null, -1, "", null, false, 0, true, false, null);
        }

        public static Options unix(Path socket) {
            return defaults().withSocket(Objects.requireNonNull(socket));
        }

        /** TCP on 127.0.0.1. */
        public static Options tcp(int port) {
            return tcp(null, port);
        }

        public static Options tcp(String host, int port) {
            if (port < 0) {
                throw new IllegalArgumentException("port " + port);
            }
            return new Options(null, host, port, "", null, false, 0, true, false, null);
        }

        public Options withSocket(Path s) {
            return new Options(s, null, -1, exportName, description, readOnly, maxConnections, unmap, detectZeroes,
                    log);
        }

        public Options withExportName(String name) {
            return new Options(socket, host, port, name, description, readOnly, maxConnections, unmap, detectZeroes, log);
        }

        public Options withDescription(String text) {
            return new Options(socket, host, port, exportName, text, readOnly, maxConnections, unmap, detectZeroes, log);
        }

        public Options withReadOnly(boolean ro) {
            return new Options(socket, host, port, exportName, description, ro, maxConnections, unmap, detectZeroes, log);
        }

        public Options withMaxConnections(int n) {
            return new Options(socket, host, port, exportName, description, readOnly, n, unmap, detectZeroes, log);
        }

        public Options withUnmap(boolean u) {
            return new Options(socket, host, port, exportName, description, readOnly, maxConnections, u, detectZeroes,
                    log);
        }

        public Options withDetectZeroes(boolean d) {
            return new Options(socket, host, port, exportName, description, readOnly, maxConnections, unmap, d, log);
        }

        public Options withLog(Consumer<String> sink) {
            return new Options(socket, host, port, exportName, description, readOnly, maxConnections, unmap, detectZeroes,
                    sink);
        }

        boolean tcp() {
            return port >= 0;
        }
    }

    /**
     * One connected client.
     *
     * @param origin   the origin its requests carry in {@link Device#requests()}, e.g. {@code nbd#3}
     * @param peer     the client's address ({@code unix} for a Unix socket)
     * @param inFlight requests received and not yet answered (running, parked, ...)
     * @param draining it reads no more requests and closes once those are answered (the client
     *                 sent NBD_CMD_DISC, or the server is shutting down)
     */
    public record ConnectionInfo(String origin, String peer, int inFlight, boolean draining) {
    }

    private final Device device;
    private final Options options;
    private final ServerSocketChannel listener;
    private final SocketAddress address;
    /** The socket file we created and remove at close (null for TCP). */
    private final Path socketFile;
    /** The temporary directory we created for {@link #socketFile}, or null. */
    private final Path tempDir;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    /** The acceptor and the connection readers still running (request threads are the device's). */
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    private final AtomicInteger ids = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Room for one more client ({@link Options#maxConnections}); null without a limit. */
    private final Semaphore seats;
    private final CompletableFuture<Void> lastClientGone = new CompletableFuture<>();
    /** How connections allocate payload buffers; tests replace it to see allocation failures. */
    private volatile PayloadBuffers.Allocator allocator = PayloadBuffers.JVM;
    private volatile Thread acceptor;

    private NbdServer(Device device, Options options, ServerSocketChannel listener, Path socketFile, Path tempDir)
            throws IOException {
        this.device = device;
        this.options = options;
        this.listener = listener;
        this.address = socketFile != null ? UnixDomainSocketAddress.of(socketFile) : listener.getLocalAddress();
        this.socketFile = socketFile;
        this.tempDir = tempDir;
        this.seats = options.maxConnections() == 0 ? null : new Semaphore(options.maxConnections());
    }

    /** Binds the socket and starts accepting clients; once this returns, clients can connect. */
    public static NbdServer start(Device device, Options options) throws IOException {
        return bind(device, options).acceptClients();
    }

    /**
     * Binds the socket without serving anyone yet: a client may connect, and waits in the listen
     * backlog for its greeting until {@link #acceptClients()}. (qemu-nbd binds before it opens the
     * image; {@code serve} binds before its first commands and serves once they have set up.)
     */
    public static NbdServer bind(Device device, Options options) throws IOException {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(options, "options");
        if (options.tcp()) {
            InetAddress host = options.host() == null ? InetAddress.getLoopbackAddress()
                    : InetAddress.getByName(options.host());
            ServerSocketChannel ch = ServerSocketChannel.open(host instanceof java.net.Inet6Address
                    ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
            try {
                ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                ch.bind(new InetSocketAddress(host, options.port()));
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
            return new NbdServer(device, options, ch, null, null);
        }
        Path tempDir = options.socket() == null ? Files.createTempDirectory("blkdebug-nbd") : null;
        Path socket = tempDir == null ? options.socket().toAbsolutePath() : tempDir.resolve("nbd.sock");
        // Bound and listening under a temporary name first, then renamed into place: a script that
        // waits for the socket file to appear never finds one that refuses connections.
        Path binding = socket.resolveSibling("." + socket.getFileName() + "." + ProcessHandle.current().pid() + "."
                + Long.toHexString(System.nanoTime()));
        ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            if (Files.exists(socket, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                throw new java.net.BindException("Address already in use");
            }
            ch.bind(UnixDomainSocketAddress.of(binding));
            Files.move(binding, socket, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            ch.close();
            Files.deleteIfExists(binding);
            if (tempDir != null) {
                Files.deleteIfExists(tempDir);
            }
            throw e;
        }
        return new NbdServer(device, options, ch, socket, tempDir);
    }

    /** Starts serving clients (those waiting in the backlog first). Idempotent; returns this. */
    public synchronized NbdServer acceptClients() {
        if (acceptor == null && !closed.get()) {
            acceptor = spawn("nbd-accept", this::acceptLoop);
        }
        return this;
    }

    /** The bound address: a {@link UnixDomainSocketAddress} or an {@link InetSocketAddress}. */
    public SocketAddress address() {
        return address;
    }

    /**
     * An NBD URI for the export, e.g. {@code nbd+unix:///?socket=/tmp/x/nbd.sock} or
     * {@code nbd://localhost:10809/} when bound to every interface.
     */
    public String uri() {
        String name = UriEscaper.escape(options.exportName());
        if (address instanceof InetSocketAddress inet) {
            InetAddress a = inet.getAddress();
            String host = a.isAnyLocalAddress() ? "localhost" : a.getHostAddress();
            return "nbd://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + inet.getPort() + "/" + name;
        }
        return "nbd+unix:///" + name + "?socket=" + socketFile;
    }

    /** The Unix socket's path, or null on TCP. */
    public Path socketPath() {
        return socketFile;
    }

    /** The TCP port, or -1 on a Unix socket. */
    public int port() {
        return address instanceof InetSocketAddress inet ? inet.getPort() : -1;
    }

    /**
     * The variables nbdkit's captive mode ({@code --run}) gives its command: {@code uri} and
     * {@code nbd} (the URI), {@code unixsocket} or {@code port}, and {@code exportname}.
     */
    public Map<String, String> captiveEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("uri", uri());
        env.put("nbd", uri());
        env.put("unixsocket", socketFile == null ? "" : socketFile.toString());
        env.put("port", port() < 0 ? "" : Integer.toString(port()));
        env.put("exportname", options.exportName());
        return env;
    }

    /**
     * A process running {@code shellCommand} with {@code /bin/sh -c} and the variables of
     * {@link #captiveEnvironment()}, as nbdkit's {@code --run} starts it; the caller chooses its
     * I/O, starts it and waits for it (the server is already accepting).
     */
    public ProcessBuilder captive(String shellCommand) {
        ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", shellCommand);
        pb.environment().putAll(captiveEnvironment());
        return pb;
    }

    /**
     * Completes when, after some client got through negotiation, the last client hangs up: when
     * qemu-nbd without {@code --persistent} exits. Never completes after {@link #close()}.
     */
    public CompletableFuture<Void> lastClientGone() {
        return lastClientGone;
    }

    /** The clients connected now, oldest first. */
    public List<ConnectionInfo> connections() {
        List<Connection> list = new ArrayList<>(connections);
        list.sort(Comparator.comparingInt(c -> Integer.parseInt(c.origin().substring("nbd#".length()))));
        List<ConnectionInfo> out = new ArrayList<>(list.size());
        for (Connection c : list) {
            out.add(c.info());
        }
        return out;
    }

    /**
     * Hangs up on every connected client at once, without answering anything: what a client sees
     * when the server's machine loses power. Requests still running finish in the device and their
     * replies are dropped. The server keeps accepting new clients. Returns how many were dropped.
     */
    public int dropConnections(String reason) {
        int n = 0;
        for (Connection c : new ArrayList<>(connections)) {
            c.close("dropped: " + reason);
            n++;
        }
        return n;
    }

    /** Server threads still alive (acceptor and connection readers); for leak tests. */
    int liveThreads() {
        return threads.size();
    }

    /** Replaces how payload buffers are allocated, for connections accepted from now on (tests). */
    void allocator(PayloadBuffers.Allocator a) {
        allocator = a;
    }

    private void acceptLoop() {
        while (!closed.get()) {
            SocketChannel ch;
            try {
                if (seats != null) {
                    seats.acquire(); // at the limit, clients wait in the listen backlog, as with qemu-nbd -e
                }
            } catch (InterruptedException e) {
                return; // close()
            }
            try {
                ch = listener.accept();
            } catch (ClosedChannelException e) { // AsynchronousCloseException included: close() was called
                return;
            } catch (IOException e) {
                release();
                options.log().accept("nbd: accept failed: " + e);
                pause(); // e.g. out of file descriptors: do not spin
                continue;
            }
            String origin = "nbd#" + ids.incrementAndGet();
            Connection c = new Connection(origin, ch, device.session(origin), options, peerOf(ch), this::closed,
                    allocator);
            connections.add(c);
            if (closed.get()) { // close() may have missed it
                c.close("closed by server shutdown");
                continue;
            }
            spawn(origin, c::run);
        }
    }

    /** A connection has ended. */
    private void closed(Connection c) {
        connections.remove(c);
        release();
        if (c.negotiated() && connections.isEmpty() && !closed.get()) {
            lastClientGone.complete(null);
        }
    }

    private void release() {
        if (seats != null) {
            seats.release();
        }
    }

    private String peerOf(SocketChannel ch) {
        try {
            if (options.tcp()) {
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true); // replies are small and latency-bound
                return String.valueOf(ch.getRemoteAddress()).replaceFirst("^/", "");
            }
        } catch (IOException ignored) {
            // the peer is gone already; the reader will notice
        }
        return "unix";
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Thread spawn(String name, Runnable body) {
        Thread t = Thread.ofVirtual().name(name).unstarted(() -> {
            try {
                body.run();
            } finally {
                threads.remove(Thread.currentThread());
            }
        });
        threads.add(t);
        t.start();
        return t;
    }

    /**
     * Stops accepting, lets each connection finish what is in flight (at most {@link #CLOSE_GRACE}
     * in all), answers leftovers with ESHUTDOWN and disconnects every client. Suspended requests
     * stay suspended: their replies are dropped when they complete. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            listener.close();
        } catch (IOException ignored) {
            // nothing to release
        }
        Thread a = acceptor;
        if (a != null) {
            a.interrupt(); // it may wait for a seat rather than in accept()
        }
        deleteSocketFile();
        List<Connection> open = new ArrayList<>(connections);
        open.forEach(Connection::beginShutdown);
        long deadline = System.nanoTime() + CLOSE_GRACE.toNanos();
        boolean interrupted = false;
        for (Connection c : open) {
            try {
                c.awaitIdle(deadline);
            } catch (InterruptedException e) {
                interrupted = true;
                break;
            }
        }
        List<Thread> aborts = new ArrayList<>();
        for (Connection c : connections) {
            aborts.add(Thread.ofVirtual().name(c.origin() + "-abort").start(c::abort));
        }
        long abortDeadline = System.nanoTime() + ABORT_WAIT.toNanos();
        interrupted |= joinUntil(aborts, abortDeadline);
        for (Connection c : new ArrayList<>(connections)) {
            c.close("dropped at server shutdown: a reply could not be sent in time");
        }
        interrupted |= joinUntil(new ArrayList<>(threads), System.nanoTime() + ABORT_WAIT.toNanos());
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Power loss (ours, for {@code crash}): stops accepting and drops every connection at once,
     * sending nothing more, so each client sees its connection go as a dead server's would.
     * Requests in flight are left to the device, which is crashing. Idempotent; {@link #close()}
     * afterwards does nothing.
     */
    public void dropAll() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            listener.close();
        } catch (IOException ignored) {
            // nothing to release
        }
        Thread a = acceptor;
        if (a != null) {
            a.interrupt(); // it may wait for a seat rather than in accept()
        }
        deleteSocketFile();
        dropConnections("power loss");
    }

    /** Joins each thread until the deadline; true when interrupted. */
    private static boolean joinUntil(List<Thread> ts, long deadlineNanos) {
        for (Thread t : ts) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            try {
                t.join(Duration.ofNanos(left));
            } catch (InterruptedException e) {
                return true;
            }
        }
        return false;
    }

    private void deleteSocketFile() {
        try {
            if (socketFile != null) {
                Files.deleteIfExists(socketFile);
            }
            if (tempDir != null) {
                Files.deleteIfExists(tempDir);
            }
        } catch (IOException ignored) {
            // a stale socket file is harmless; the next bind reports it
        }
    }

    /** Percent-encoding for the export name in a URI path. */
    private static final class UriEscaper {
        static String escape(String s) {
            StringBuilder b = new StringBuilder();
            for (byte x : s.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
                int c = x & 0xff;
                if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "-._~".indexOf(c) >= 0) {
                    b.append((char) c);
                } else {
                    b.append('%').append(String.format("%02X", c));
                }
            }
            return b.toString();
        }
    }
}
