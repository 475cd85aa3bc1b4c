package org.blkdebug.engine.nbd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.blkdebug.engine.nbd.NbdFixture.WAIT;
import static org.blkdebug.engine.nbd.NbdFixture.eventually;
import static org.blkdebug.engine.nbd.NbdFixture.pattern;
import static org.blkdebug.engine.nbd.Protocol.*;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.blkdebug.engine.BlkDebug;
import org.blkdebug.engine.Device;
import org.blkdebug.engine.Errno;
import org.blkdebug.engine.Event;
import org.blkdebug.engine.Phase;
import org.blkdebug.engine.RequestInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Concurrency and lifetimes: parked requests, reply order, disconnects, stalls, shutdown, leaks. */
@Timeout(60)
class NbdLifecycleTest {
    private static final int SIZE = 1 << 20;

    @TempDir
    Path dir;

    private final NbdFixture.Log log = new NbdFixture.Log();
    private Device dev;
    private NbdServer server;

    private void serve() throws Exception {
        dev = BlkDebug.builder().memory(SIZE).open();
        server = NbdServer.start(dev, log.options(dir));
    }

    @AfterEach
    void tearDown() throws Exception {
        if (server != null) {
            server.close();
        }
        if (dev != null) {
            dev.close();
        }
    }

    private void awaitParked(String tag) throws InterruptedException {
        assertThat(dev.awaitSuspended(tag, WAIT)).as("suspended at " + tag).isTrue();
        assertThat(dev.awaitQuiescence(WAIT)).isTrue();
    }

    /** Replies leave in completion order: a parked write does not hold back a later read. */
    @Test
    void repliesGoOutInCompletionOrder() throws Exception {
        serve();
        dev.breakpoint(Event.WRITE_AIO, "A");
        try (NbdTestClient c = NbdTestClient.open(server, true)) {
            c.request(0, CMD_WRITE, 1, 0, 512, pattern(512, 1));
            awaitParked("A");
            NbdTestClient.Reply read = c.read(2, 4096, 512);
            assertThat(read.cookie()).isEqualTo(2);
            dev.resume("A");
            NbdTestClient.Reply write = c.reply();
            assertThat(write.cookie()).isEqualTo(1);
            assertThat(write.error()).isZero();
        }
    }

    /** Each connection is its own session: requests() tells which client a parked request came from. */
    @Test
    void parkedRequestsShowTheirConnection() throws Exception {
        serve();
        dev.breakpoint(Event.WRITE_AIO, "A");
        dev.breakpoint(Event.READ_AIO, "B");
        try (NbdTestClient c1 = NbdTestClient.open(server, false);
             NbdTestClient c2 = NbdTestClient.open(server, true)) {
            c1.request(0, CMD_WRITE, 1, 0, 512, new byte[512]);
            awaitParked("A");
            c2.request(0, CMD_READ, 1, 0, 512, null);
            awaitParked("B");
            assertThat(dev.requests()).extracting(RequestInfo::origin, RequestInfo::tag, RequestInfo::phase)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("nbd#1", "A", Phase.SUSPENDED),
                            org.assertj.core.groups.Tuple.tuple("nbd#2", "B", Phase.SUSPENDED));
            assertThat(server.connections()).extracting(NbdServer.ConnectionInfo::origin,
                    NbdServer.ConnectionInfo::inFlight).containsExactly(
                    org.assertj.core.groups.Tuple.tuple("nbd#1", 1), org.assertj.core.groups.Tuple.tuple("nbd#2", 1));
            dev.resume("A");
            dev.resume("B");
            assertThat(c1.reply().error()).isZero();
            assertThat(c2.reply().error()).isZero();
        }
    }

    /** Many requests in flight on one connection, all answered, each with its own cookie. */
    @Test
    void manyRequestsInFlightOnOneConnection() throws Exception {
        serve();
        try (NbdTestClient c = NbdTestClient.open(server, true)) {
            int n = 64;
            for (int i = 0; i < n; i++) {
                c.request(0, CMD_WRITE, i, i * 4096L, 4096, pattern(4096, i));
            }
            assertThat(c.replies(n)).extracting(NbdTestClient.Reply::cookie).containsExactlyInAnyOrderElementsOf(
                    java.util.stream.LongStream.range(0, n).boxed().toList());
            for (int i = 0; i < n; i++) {
                c.request(0, CMD_READ, 1000 + i, i * 4096L, 4096, null);
            }
            for (NbdTestClient.Reply r : c.replies(n)) {
                assertThat(r.data()).isEqualTo(pattern(4096, (int) r.cookie() - 1000));
            }
        }
    }

    /** The client hangs up while its write is parked: the write completes later, its reply is dropped quietly. */
    @Test
    void clientGoneWhileItsRequestIsSuspended() throws Exception {
        serve();
        dev.breakpoint(Event.WRITE_AIO, "A");
        try (NbdTestClient c = NbdTestClient.open(server, false)) {
            c.request(0, CMD_WRITE, 1, 0, 512, pattern(512, 5));
            awaitParked("A");
        }
        assertThat(eventually(() -> server.connections().isEmpty())).isTrue();
        assertThat(dev.requests()).singleElement().satisfies(r -> assertThat(r.origin()).isEqualTo("nbd#1"));
        dev.resume("A");
        assertThat(eventually(() -> dev.requests().isEmpty())).isTrue();
        ByteBuffer b = ByteBuffer.allocate(512);
        dev.read(0, b);
        assertThat(b.array()).isEqualTo(pattern(512, 5)); // the write itself went through
        assertThat(log.snapshot()).containsExactly("nbd#1: connected from unix",
                "nbd#1: client disconnected; dropping the replies of 1 request(s) still in flight");
        try (NbdTestClient c = NbdTestClient.open(server, false)) { // the server is fine
            assertThat(c.read(1, 0, 512).data()).isEqualTo(pattern(512, 5));
        }
    }

    /** A client that dies with half a request on the wire. */
    @Test
    void clientGoneMidRequest() throws Exception {
        serve();
        try (NbdTestClient c = NbdTestClient.open(server, false)) {
            ByteBuffer b = ByteBuffer.allocate(REQUEST_HEADER + 100).putInt(REQUEST_MAGIC).putShort((short) 0)
                    .putShort((short) CMD_WRITE).putLong(1).putLong(0).putInt(4096).put(new byte[100]).flip();
            c.send(b);
        }
        assertThat(eventually(() -> server.connections().isEmpty())).isTrue();
        assertThat(log.snapshot()).last().asString()
                .isEqualTo("nbd#1: dropped: client closed the connection 100 bytes into a 4096-byte message");
    }

    /** Half a header and silence: that connection waits, the others do not notice, close() is bounded. */
    @Test
    void stalledClientDoesNotBlockOthers() throws Exception {
        serve();
        try (NbdTestClient stalled = NbdTestClient.open(server, false)) {
            stalled.send(ByteBuffer.allocate(10).putInt(REQUEST_MAGIC).flip());
            try (NbdTestClient c = NbdTestClient.open(server, true)) {
                assertThat(c.write(1, 0, pattern(4096, 2), 0).error()).isZero();
                assertThat(c.read(2, 0, 4096).data()).isEqualTo(pattern(4096, 2));
            }
            long t0 = System.nanoTime();
            server.close();
            assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0)).isLessThan(3);
            assertThat(stalled.closedByServer()).isTrue();
        }
    }

    /** Soft disconnect: requests in flight are still answered before the server hangs up. */
    @Test
    void discAnswersRequestsInFlightFirst() throws Exception {
        serve();
        dev.breakpoint(Event.WRITE_AIO, "A");
        try (NbdTestClient c = NbdTestClient.open(server, false)) {
            c.request(0, CMD_WRITE, 7, 0, 512, new byte[512]);
            awaitParked("A");
            c.disconnect();
            // the server has read the DISC (it drains) and still holds the connection for the reply
            assertThat(eventually(() -> server.connections().getFirst().draining())).isTrue();
            assertThat(server.connections()).singleElement().satisfies(i -> assertThat(i.inFlight()).isEqualTo(1));
            assertThat(log.snapshot()).as("no closed line yet").hasSize(1);
            dev.resume("A");
            assertThat(c.reply().cookie()).isEqualTo(7);
            assertThat(c.closedByServer()).isTrue();
        }
        assertThat(eventually(() -> log.snapshot().contains("nbd#1: client disconnected (NBD_CMD_DISC)"))).isTrue();
    }

    /** Shutdown waits for a request that finishes within the grace period and answers it. */
    @Test
    void closeAnswersRequestsThatFinishInTime() throws Exception {
        serve();
        dev.breakpoint(Event.WRITE_AIO, "A");
        try (NbdTestClient c = NbdTestClient.open(server, false)) {
            c.request(0, CMD_WRITE, 3, 0, 512, new byte[512]);
            awaitParked("A");
            CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
            // shutdown has begun (the connection drains); the parked request keeps it waiting
            assertThat(eventually(() -> server.connections().isEmpty()
                    || server.connections().getFirst().draining())).isTrue();
            assertThat(server.connections()).as("the connection waits for its request").hasSize(1);
            assertThat(closing).isNotDone();
            dev.resume("A");
            closing.get(10, TimeUnit.SECONDS);
            NbdTestClient.Reply r = c.reply();
            assertThat(r.cookie()).isEqualTo(3);
            assertThat(r.error()).isZero();
            assertThat(c.closedByServer()).isTrue();
        }
    }

    /** A request still parked after the grace period gets ESHUTDOWN (the spec's word) and close() returns. */
    @Test
    void closeGivesUpOnParkedRequestsWithEshutdown() throws Exception {
        serve();
        dev.breakpoint(Event.WRITE_AIO, "A");
        try (NbdTestClient c = NbdTestClient.open(server, true)) {
            c.request(0, CMD_WRITE, 4, 0, 512, new byte[512]);
            awaitParked("A");
            long t0 = System.nanoTime();
            server.close();
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertThat(took).isBetween(NbdServer.CLOSE_GRACE.toMillis() - 100, NbdServer.CLOSE_GRACE.toMillis() + 3000);
            NbdTestClient.Reply r = c.reply();
            assertThat(r.cookie()).isEqualTo(4);
            assertThat(r.error()).isEqualTo(Errno.ESHUTDOWN);
            assertThat(c.closedByServer()).isTrue();
            assertThat(dev.isSuspended("A")).as("the device owner decides when to resume").isTrue();
        }
        dev.resume("A"); // completes later; its reply has nowhere to go
        assertThat(eventually(() -> dev.requests().isEmpty())).isTrue();
        assertThat(log.snapshot()).contains(
                "nbd#1: closed by server shutdown; 1 request(s) still running answered with ESHUTDOWN");
    }

    @Test
    void closeRemovesTheSocketAndRefusesNewClients() throws Exception {
        serve();
        Path sock = dir.resolve("nbd.sock");
        assertThat(sock).exists();
        server.close();
        assertThat(sock).doesNotExist();
        server.close(); // idempotent
    }

    @Test
    void defaultOptionsServeOnATemporarySocket() throws Exception {
        dev = BlkDebug.builder().memory(SIZE).open();
        server = NbdServer.start(dev, NbdServer.Options.defaults());
        Path sock = ((java.net.UnixDomainSocketAddress) server.address()).getPath();
        assertThat(server.uri()).isEqualTo("nbd+unix:///?socket=" + sock);
        try (NbdTestClient c = NbdTestClient.open(server, false)) {
            assertThat(c.read(1, 0, 512).error()).isZero();
        }
        server.close();
        assertThat(sock).doesNotExist();
        assertThat(Files.exists(sock.getParent())).isFalse();
    }

    @Test
    void tcpBindsToLoopback() throws Exception {
        dev = BlkDebug.builder().memory(SIZE).open();
        server = NbdServer.start(dev, NbdServer.Options.tcp(0).withExportName("a b"));
        java.net.InetSocketAddress a = (java.net.InetSocketAddress) server.address();
        assertThat(a.getAddress().isLoopbackAddress()).isTrue();
        assertThat(server.uri()).isEqualTo("nbd://127.0.0.1:" + a.getPort() + "/a%20b");
        try (NbdTestClient c = NbdTestClient.connect(a)) {
            c.handshake();
            c.go("a b");
            assertThat(c.read(1, 0, 512).error()).isZero();
        }
    }

    /** After many connections that end every possible way, the server is back to its acceptor thread. */
    @Test
    void noThreadsOrConnectionsLeakAfterManyCycles() throws Exception {
        serve();
        assertThat(server.liveThreads()).isEqualTo(1);
        for (int i = 0; i < 300; i++) {
            try (NbdTestClient c = NbdTestClient.connect(server.address())) {
                switch (i % 5) {
                    case 0 -> c.greeting(); // hang up mid-negotiation
                    case 1 -> { // normal session with DISC
                        c.handshake();
                        c.go("");
                        c.read(1, 0, 4096);
                        c.disconnect();
                    }
                    case 2 -> { // hang up with a request in flight
                        c.handshake();
                        c.go("");
                        c.request(0, CMD_READ, 1, 0, 65536, null);
                    }
                    case 3 -> { // protocol violation
                        c.handshake();
                        c.go("");
                        c.send(ByteBuffer.allocate(28));
                    }
                    default -> { // abort
                        c.handshake();
                        c.option(OPT_ABORT, ByteBuffer.allocate(0));
                    }
                }
            }
        }
        assertThat(eventually(() -> server.connections().isEmpty() && server.liveThreads() == 1))
                .as("threads %d, connections %s", server.liveThreads(), server.connections()).isTrue();
        assertThat(eventually(() -> dev.requests().isEmpty())).isTrue();
        List<String> lines = log.snapshot();
        assertThat(lines).hasSize(600); // one line at connect, one at the end, per connection
        server.close();
        assertThat(server.liveThreads()).isZero();
    }
}
