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
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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
 * }
 * }</pre>
 *
 * <p>Protocol: fixed newstyle negotiation with NBD_OPT_GO, INFO, EXPORT_NAME, LIST, ABORT and
 * STRUCTURED_REPLY (other options: NBD_REP_ERR_UNSUP; no TLS, no metadata contexts); commands
 * READ, WRITE (FUA), FLUSH, TRIM, WRITE_ZEROES (NO_HOLE) and DISC. Block sizes: minimum the
 * {@link Options#align() align} given (blkdebug's), preferred 4 KiB, maximum 32 MiB.
 *
 * <p>Each connection gets {@code device.session("nbd#N")}, so {@link Device#requests()} shows
 * which client a parked request belongs to. Every NBD request is submitted to the device's async
 * API at once (it runs on its own virtual thread); replies are written in completion order.
 *
 * <p>Errors, as the reply's error field (NBD's numbers are Linux errno numbers):
 * <table>
 * <caption>errno of the failed request → NBD error</caption>
 * <tr><td>EPERM, EIO, ENOMEM, EINVAL, ENOSPC, EOVERFLOW, ENOTSUP, ESHUTDOWN</td><td>the same</td></tr>
 * <tr><td>anything else (EROFS, EACCES, ENOMEDIUM, ...)</td><td>EIO</td></tr>
 * </table>
 * The server refuses before the device sees them: a write to a read-only export (EPERM), a read
 * or write over 32 MiB, an unknown command or flag, FLUSH with an offset or length (EINVAL), a
 * request past the end of the export (ENOSPC for WRITE and WRITE_ZEROES, else EINVAL; what
 * qemu-nbd and nbdkit answer). A bad request magic or a write payload over 64 MiB drops the
 * connection. With structured replies negotiated, errors are error chunks carrying the errno's
 * text.
 *
 * <p>{@link #close()} stops accepting, stops reading requests, waits up to {@link #CLOSE_GRACE}
 * for the requests in flight (a suspended request is not resumed: the device's owner decides),
 * answers the rest with ESHUTDOWN and hangs up. It never waits unbounded.
 */
public final class NbdServer implements AutoCloseable {
    /** How long {@link #close()} waits for requests in flight before answering them with ESHUTDOWN. */
    public static final Duration CLOSE_GRACE = Duration.ofSeconds(5);
    private static final Duration ABORT_WAIT = Duration.ofSeconds(1);

    /**
     * Where and what to serve.
     *
     * @param socket     the Unix socket to create (must not exist); null with {@code port < 0}
     *                   means a fresh one in a temporary directory, removed at close
     * @param host       TCP address to bind; null means 127.0.0.1. Only used with {@code port >= 0}
     * @param port       TCP port (0 picks a free one), or -1 to serve on a Unix socket
     * @param exportName the one export's name ("" is what {@code nbd+unix:///} asks for)
     * @param readOnly   advertise NBD_FLAG_READ_ONLY and refuse writes with EPERM
     * @param align      the device's request alignment (blkdebug's {@code align}), sent as the
     *                   minimum block size; 0 or 1 for none. {@link Device} does not expose it yet,
     *                   so whoever opened the device passes it
     * @param log        receives one line when a connection starts and one when it ends
     */
    public record Options(Path socket, String host, int port, String exportName, boolean readOnly, long align,
                          Consumer<String> log) {
        public Options {
            if (port < -1 || port > 65535) {
                throw new IllegalArgumentException("port " + port);
            }
            if (align < 0 || align > 1 && Long.bitCount(align) != 1) {
                throw new IllegalArgumentException("align must be a power of two: " + align);
            }
            exportName = exportName == null ? "" : exportName;
            log = log == null ? line -> { } : log;
        }

        /** A Unix socket in a new temporary directory. */
        public static Options defaults() {
            return new Options(null, null, -1, "", false, 0, null);
        }

        public static Options unix(Path socket) {
            return new Options(Objects.requireNonNull(socket), null, -1, "", false, 0, null);
        }

        /** TCP on 127.0.0.1. */
        public static Options tcp(int port) {
            return tcp(null, port);
        }

        public static Options tcp(String host, int port) {
            if (port < 0) {
                throw new IllegalArgumentException("port " + port);
            }
            return new Options(null, host, port, "", false, 0, null);
        }

        public Options withExportName(String name) {
            return new Options(socket, host, port, name, readOnly, align, log);
        }

        public Options withReadOnly(boolean ro) {
            return new Options(socket, host, port, exportName, ro, align, log);
        }

        public Options withAlign(long a) {
            return new Options(socket, host, port, exportName, readOnly, a, log);
        }

        public Options withLog(Consumer<String> sink) {
            return new Options(socket, host, port, exportName, readOnly, align, sink);
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
     */
    public record ConnectionInfo(String origin, String peer, int inFlight) {
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

    private NbdServer(Device device, Options options, ServerSocketChannel listener, Path socketFile, Path tempDir)
            throws IOException {
        this.device = device;
        this.options = options;
        this.listener = listener;
        this.address = listener.getLocalAddress();
        this.socketFile = socketFile;
        this.tempDir = tempDir;
    }

    /** Binds the socket and starts accepting clients. */
    public static NbdServer start(Device device, Options options) throws IOException {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(options, "options");
        if (options.tcp()) {
            ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.INET);
            try {
                ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                InetAddress host = options.host() == null ? InetAddress.getLoopbackAddress()
                        : InetAddress.getByName(options.host());
                ch.bind(new InetSocketAddress(host, options.port()));
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
            return new NbdServer(device, options, ch, null, null).startAccepting();
        }
        Path tempDir = options.socket() == null ? Files.createTempDirectory("blkdebug-nbd") : null;
        Path socket = tempDir == null ? options.socket() : tempDir.resolve("nbd.sock");
        ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.bind(UnixDomainSocketAddress.of(socket));
        } catch (IOException | RuntimeException e) {
            ch.close();
            if (tempDir != null) {
                Files.deleteIfExists(tempDir);
            }
            throw e;
        }
        return new NbdServer(device, options, ch, socket, tempDir).startAccepting();
    }

    private NbdServer startAccepting() {
        spawn("nbd-accept", this::acceptLoop);
        return this;
    }

    /** The bound address: a {@link UnixDomainSocketAddress} or an {@link InetSocketAddress}. */
    public SocketAddress address() {
        return address;
    }

    /** An NBD URI for the export, e.g. {@code nbd+unix:///?socket=/tmp/x/nbd.sock}. */
    public String uri() {
        String name = UriEscaper.escape(options.exportName());
        if (address instanceof InetSocketAddress inet) {
            return "nbd://" + inet.getAddress().getHostAddress() + ":" + inet.getPort() + "/" + name;
        }
        return "nbd+unix:///" + name + "?socket=" + socketFile;
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

    /** Server threads still alive (acceptor and connection readers); for leak tests. */
    int liveThreads() {
        return threads.size();
    }

    private void acceptLoop() {
        while (!closed.get()) {
            SocketChannel ch;
            try {
                ch = listener.accept();
            } catch (ClosedChannelException e) { // AsynchronousCloseException included: close() was called
                return;
            } catch (IOException e) {
                options.log().accept("nbd: accept failed: " + e);
                pause(); // e.g. out of file descriptors: do not spin
                continue;
            }
            String origin = "nbd#" + ids.incrementAndGet();
            Connection c = new Connection(origin, ch, device.session(origin), options, peerOf(ch),
                    connections::remove);
            connections.add(c);
            if (closed.get()) { // close() may have missed it
                c.close("closed by server shutdown");
                continue;
            }
            spawn(origin, c::run);
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

    private void spawn(String name, Runnable body) {
        Thread t = Thread.ofVirtual().name(name).unstarted(() -> {
            try {
                body.run();
            } finally {
                threads.remove(Thread.currentThread());
            }
        });
        threads.add(t);
        t.start();
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
        deleteSocketFile();
        for (Connection c : new ArrayList<>(connections)) {
            c.close("dropped: power loss");
        }
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
