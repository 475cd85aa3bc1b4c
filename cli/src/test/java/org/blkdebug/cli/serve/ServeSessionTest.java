package org.blkdebug.cli.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.blkdebug.cli.report.Console;
import org.blkdebug.engine.nbd.NbdServer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code serve} session in this JVM, as the explorer will run one: its lifetime (commands
 * end, clients come and go, terminate), its end (suspended requests resumed and answered,
 * socket and pid file removed), {@code --run}, and qemu-nbd's defaults where a client sees them.
 */
@Timeout(60)
class ServeSessionTest {
    @TempDir
    Path dir;
    Path image;
    Path socket;
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();
    final ServeSession session = new ServeSession(new Console(out, err, StandardCharsets.UTF_8));

    @BeforeEach
    void image() throws Exception {
        image = Programs.sparseImage(dir.resolve("t.img"));
        socket = dir.resolve("s.sock");
    }

    /** Starts the session on its own thread with {@code stdin}; returns its exit status, later. */
    private CompletableFuture<Integer> start(InputStream stdin, String... args) {
        CompletableFuture<Integer> status = new CompletableFuture<>();
        Thread.ofPlatform().daemon().start(() -> status.complete(session.run(args, stdin, false, () -> { })));
        return status;
    }

    private CompletableFuture<Integer> start(String... args) {
        return start(InputStream.nullInputStream(), args);
    }

    private NbdServer server(CompletableFuture<Integer> status) throws Exception {
        CompletableFuture.anyOf(session.server(), status).get(20, TimeUnit.SECONDS);
        assertThat(session.server()).as("started; stderr: %s", err).isDone();
        return session.server().get();
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The script: commands at an end (stdin at EOF) must not take the server down. */
    @Test
    void keepsServingAfterItsCommandsEndUntilTerminated() throws Exception {
        CompletableFuture<Integer> status = start("-t", "-k", socket.toString(), "-f", "raw", "blkdebug::" + image);
        server(status);
        for (int i = 0; i < 3; i++) {
            try (MiniNbd c = MiniNbd.open(socket)) {
                assertThat(c.write(i * 4096L, new byte[] {1, 2, 3})).isZero();
            }
        }
        Thread.sleep(200);
        assertThat(status).as("still serving after its last client, with -t").isNotDone();
        session.terminate("test");
        assertThat(status.get(20, TimeUnit.SECONDS)).isZero();
        assertThat(socket).doesNotExist();
        assertThat(out()).as("no prompts, nothing on stdout").isEmpty();
    }

    /** qemu-nbd without -t: the session ends when its last client has gone. */
    @Test
    void withoutPersistentItEndsWithTheLastClient() throws Exception {
        CompletableFuture<Integer> status = start("-k", socket.toString(), "-f", "raw", "blkdebug::" + image);
        server(status);
        try (MiniNbd c = MiniNbd.open(socket)) {
            assertThat(c.read(0, 512)).hasSize(512);
        }
        assertThat(status.get(20, TimeUnit.SECONDS)).isZero();
        assertThat(socket).doesNotExist();
    }

    /**
     * At the end, what is suspended is resumed and answered before the server hangs up: the
     * client's write succeeds and lands; a warning names the tag (QEMU would hang there, D5).
     */
    @Test
    void terminatingResumesSuspendedRequestsAndAnswersThem() throws Exception {
        CompletableFuture<Integer> status = start("-t", "-k", socket.toString(), "-c", "break write_aio A", "-f", "raw",
                "blkdebug::" + image);
        NbdServer server = server(status);
        try (MiniNbd c = MiniNbd.open(socket)) {
            c.sendWrite(0, new byte[] {9, 9, 9, 9});
            assertThat(Programs.eventually(() -> server.connections().stream().anyMatch(x -> x.inFlight() == 1)))
                    .isTrue();
            Thread.sleep(100);
            session.terminate("test");
            assertThat(c.reply()).as("the parked write's reply").isZero();
        }
        assertThat(status.get(20, TimeUnit.SECONDS)).isZero();
        assertThat(Arrays.copyOf(Files.readAllBytes(image), 4)).containsExactly(9, 9, 9, 9);
        assertThat(err()).contains("blkdebug: warning: resuming requests still suspended at exit: A");
        assertThat(out()).contains("blkdebug: Suspended request 'A'", "blkdebug: Resuming request 'A'");
    }

    @Test
    void quitEndsTheSessionAtOnce() throws Exception {
        CompletableFuture<Integer> status = start("-t", "-k", socket.toString(), "-c", "quit", "-f", "raw",
                "blkdebug::" + image);
        assertThat(status.get(20, TimeUnit.SECONDS)).isZero();
        assertThat(socket).doesNotExist();
    }

    /** Commands from stdin run, without qemu-io's prompts, and the server stays up after EOF. */
    @Test
    void stdinCommandsRunThenItServesOn() throws Exception {
        CompletableFuture<Integer> status = start(new java.io.ByteArrayInputStream(
                "write -P 0x41 0 512\nread -P 0x41 0 512\n".getBytes(StandardCharsets.UTF_8)),
                "-t", "-k", socket.toString(), "-f", "raw", "blkdebug::" + image);
        server(status);
        assertThat(Programs.eventually(() -> out().contains("read 512/512 bytes at offset 0"))).isTrue();
        try (MiniNbd c = MiniNbd.open(socket)) {
            assertThat(c.read(0, 1)).containsExactly(0x41);
        }
        session.terminate("test");
        assertThat(status.get(20, TimeUnit.SECONDS)).isZero();
        assertThat(out()).doesNotContain("qemu-io>");
    }

    /** nbdkit's captive mode: the session's status is the command's; it gets nbdkit's variables. */
    @Test
    void runExitsWithItsCommandsStatusAndGetsTheVariables() throws Exception {
        String check = "test \"$unixsocket\" = '" + socket + "' && test \"$uri\" = 'nbd+unix:///?socket=" + socket
                + "' && test \"$nbd\" = \"$uri\" && test -z \"$port\" && test -z \"$exportname\" && exit 7";
        CompletableFuture<Integer> status = start("-k", socket.toString(), "--run", check, "-f", "raw",
                "blkdebug::" + image);
        assertThat(status.get(20, TimeUnit.SECONDS)).as(err()).isEqualTo(7);
        assertThat(socket).doesNotExist();
    }

    /**
     * --run's command starts before the first wait_break: the breakpoint set by the commands
     * before it is in place for the client's first request, which the next commands step (the
     * client's read, sent after its write was answered, sees the write).
     */
    @Test
    void runStartsOnceTheCommandsBeforeTheFirstWaitHaveRun() throws Exception {
        Programs.require("qemu-io");
        Path log = dir.resolve("client.log");
        CompletableFuture<Integer> status = start("-k", socket.toString(), "--run",
                "qemu-io -f raw \"$uri\" -c 'write -P 1 0 4k' -c 'read -P 1 0 4k' >" + log + " 2>&1",
                "-c", "break write_aio A", "-c", "wait_break A", "-c", "requests", "-c", "resume A", "-f", "raw",
                "blkdebug::" + image);
        assertThat(status.get(30, TimeUnit.SECONDS)).as("%s\n%s", err(), Files.exists(log) ? Files.readString(log)
                : "").isZero();
        assertThat(out()).startsWith("blkdebug: Suspended request 'A'\n").contains("suspended  A          nbd#1")
                .endsWith("blkdebug: Resuming request 'A'\n");
        assertThat(Files.readString(log)).doesNotContain("Pattern verification failed");
        assertThat(Files.readAllBytes(image)[0]).isEqualTo((byte) 1);
    }

    /** qemu-nbd's default cache is writeback: a plain write does not flush (qemu-io's writethrough would). */
    @Test
    void cacheIsWritebackByDefault() throws Exception {
        Path rules = dir.resolve("r.ini");
        Files.writeString(rules, "[inject-error]\nevent = \"flush_to_disk\"\nerrno = \"28\"\n");
        CompletableFuture<Integer> status = start("-t", "-k", socket.toString(), "-f", "raw",
                "blkdebug:" + rules + ":" + image);
        server(status);
        try (MiniNbd c = MiniNbd.open(socket)) {
            assertThat(c.write(0, new byte[512])).isZero();
            assertThat(c.write(0, new byte[512])).as("no flush has armed the rule").isZero();
            assertThat(c.flush()).isEqualTo(28);
        }
        session.terminate("test");
        assertThat(status.get(20, TimeUnit.SECONDS)).isZero();
    }

    @Test
    void writethroughWhenAskedFlushesEveryWrite() throws Exception {
        Path rules = dir.resolve("r.ini");
        Files.writeString(rules, "[inject-error]\nevent = \"flush_to_disk\"\nerrno = \"28\"\n");
        CompletableFuture<Integer> status = start("-t", "--cache=writethrough", "-k", socket.toString(), "-f", "raw",
                "blkdebug:" + rules + ":" + image);
        server(status);
        try (MiniNbd c = MiniNbd.open(socket)) {
            assertThat(c.write(0, new byte[512])).as("its flush arms the rule (qemu-nbd: the same)").isZero();
            assertThat(c.write(0, new byte[512])).isEqualTo(28);
        }
        session.terminate("test");
        status.get(20, TimeUnit.SECONDS);
    }

    /** qemu-nbd ignores TRIM by default (--discard=ignore): discard rules never fire; with unmap they do. */
    @Test
    void discardsAreIgnoredUnlessUnmapIsAsked() throws Exception {
        Path rules = dir.resolve("r.ini");
        Files.writeString(rules, "[inject-error]\nevent = \"read_aio\"\niotype = \"discard\"\nerrno = \"28\"\n");
        for (String mode : new String[] {"ignore", "unmap"}) {
            ServeSession s = new ServeSession(new Console(out, err, StandardCharsets.UTF_8));
            CompletableFuture<Integer> status = new CompletableFuture<>();
            String[] args = {"-t", "--discard=" + mode, "-k", socket.toString(), "-f", "raw",
                "blkdebug:" + rules + ":" + image};
            Thread.ofPlatform().daemon().start(() -> status.complete(s.run(args, InputStream.nullInputStream(), false,
                    () -> { })));
            s.server().get(20, TimeUnit.SECONDS);
            try (MiniNbd c = MiniNbd.open(socket)) {
                assertThat(c.read(0, 512)).hasSize(512); // arms the rule
                assertThat(c.trim(0, 65536)).as(mode).isEqualTo(mode.equals("ignore") ? 0 : 28);
            }
            s.terminate("test");
            assertThat(status.get(20, TimeUnit.SECONDS)).isZero();
        }
    }

    @Test
    void anImageThatCannotBeOpenedIsQemuNbdsError() {
        int status = session.run(new String[] {"-k", socket.toString(), "-f", "raw", "blkdebug::" + dir.resolve("no")},
                InputStream.nullInputStream(), false, () -> { });
        assertThat(status).isEqualTo(1);
        assertThat(err()).isEqualTo("qemu-nbd: Failed to blk_new_open 'blkdebug::" + dir.resolve("no")
                + "': Could not open '" + dir.resolve("no") + "': No such file or directory\n");
        assertThat(socket).doesNotExist();
    }

    /** qemu-nbd replaces what is left at the socket's path (a server killed with -9 leaves its socket). */
    @Test
    void aStaleSocketIsReplaced() throws Exception {
        Files.writeString(socket, "stale");
        CompletableFuture<Integer> status = start("-k", socket.toString(), "-f", "raw", "blkdebug::" + image);
        server(status);
        try (MiniNbd c = MiniNbd.open(socket)) {
            assertThat(c.size).isEqualTo(1 << 20);
        }
        assertThat(status.get(20, TimeUnit.SECONDS)).isZero();
    }

    @Test
    void pidFileNamesThisProcessAndGoesAtTheEnd() throws Exception {
        Path pid = dir.resolve("pid");
        CompletableFuture<Integer> status = start("-t", "--pid-file", pid.toString(), "-k", socket.toString(), "-f",
                "raw", "blkdebug::" + image);
        server(status);
        assertThat(Files.readString(pid)).isEqualTo(ProcessHandle.current().pid() + "\n");
        session.terminate("test");
        assertThat(status.get(20, TimeUnit.SECONDS)).isZero();
        assertThat(pid).doesNotExist();
    }
}
