package org.blkdebug.cli.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code blkdebug serve} started the ways scripts start qemu-nbd and nbdkit: in the background
 * with stdin at EOF, with {@code --fork} and {@code --pid-file}, and captive with {@code --run};
 * ended with SIGTERM or SIGINT. Each test is a real process (this JVM's java and class path).
 */
@Timeout(120)
class ServeScriptTest {
    @TempDir
    Path dir;
    Path image;
    Path socket;

    @BeforeEach
    void image() throws Exception {
        image = Programs.sparseImage(dir.resolve("t.img"));
        socket = dir.resolve("s.sock");
    }

    @AfterEach
    void noServerLeftBehind() {
        Programs.killAll();
    }

    private List<String> serve(String... args) {
        List<String> a = new ArrayList<>(List.of(args));
        a.addAll(List.of("-f", "raw", "blkdebug::" + image));
        return Programs.blkdebugServe(a.toArray(new String[0]));
    }

    /**
     * {@code blkdebug serve -t -k S ... &}: stdin is at EOF at once, yet it serves client after
     * client until SIGTERM, then exits 0 (qemu-nbd's status) and removes its socket and pid file.
     */
    @Test
    void backgroundedWithStdinAtEofServesUntilSigterm() throws Exception {
        Path pid = dir.resolve("pid");
        Programs.Run server = Programs.start(serve("-t", "-k", socket.toString(), "--pid-file", pid.toString()));
        assertThat(Programs.eventually(() -> Files.exists(pid))).as("pid file").isTrue();
        for (int i = 0; i < 2; i++) {
            try (MiniNbd c = MiniNbd.open(socket)) {
                assertThat(c.write(i * 512L, new byte[] {(byte) (i + 1)})).isZero();
            }
        }
        assertThat(Files.readString(pid).trim()).isEqualTo(Long.toString(server.process.pid()));
        assertThat(server.process.isAlive()).isTrue();
        server.signal("TERM");
        Programs.Result r = server.await();
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEmpty();
        assertThat(socket).doesNotExist();
        assertThat(pid).doesNotExist();
        assertThat(Files.readAllBytes(image)[512]).isEqualTo((byte) 2);
    }

    /** SIGINT too, in a script (the interactive shell keeps Ctrl-C for interrupting a command). */
    @Test
    void sigintEndsAScriptedServerCleanly() throws Exception {
        Programs.Run server = Programs.start(serve("-t", "-k", socket.toString()));
        assertThat(Programs.eventually(() -> Files.exists(socket))).isTrue();
        try (MiniNbd c = MiniNbd.open(socket)) {
            assertThat(c.read(0, 512)).hasSize(512);
        }
        server.signal("INT");
        Programs.Result r = server.await();
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(socket).doesNotExist();
    }

    /** qemu-nbd without -t exits once its last client is gone; a script relies on it. */
    @Test
    void withoutPersistentItExitsAfterTheLastClient() throws Exception {
        Programs.Run server = Programs.start(serve("-k", socket.toString()));
        assertThat(Programs.eventually(() -> Files.exists(socket))).isTrue();
        try (MiniNbd c = MiniNbd.open(socket)) {
            assertThat(c.read(0, 512)).hasSize(512);
        }
        Programs.Result r = server.await();
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(socket).doesNotExist();
    }

    /**
     * {@code --fork}: the command returns (status 0) once the socket accepts, the daemon named by
     * the pid file serves, and SIGTERM ends it. A breakpoint from -c is in place for the first client.
     */
    @Test
    void forkReturnsOnceTheServerAcceptsAndTheDaemonServes() throws Exception {
        Path pid = dir.resolve("pid");
        List<String> cmd = serve("--fork", "-t", "-k", socket.toString(), "--pid-file", pid.toString(), "-c",
                "break write_aio A");
        Programs.Result parent = Programs.run(cmd);
        assertThat(parent.exit()).as(parent.err()).isZero();
        assertThat(socket).exists();
        long daemon = Long.parseLong(Files.readString(pid).trim());
        ProcessHandle h = ProcessHandle.of(daemon).orElseThrow();
        try (MiniNbd c = MiniNbd.open(socket)) {
            c.sendWrite(0, new byte[] {5}); // parks at A
            Thread.sleep(300);
            assertThat(Files.readAllBytes(image)[0]).as("held at the breakpoint").isZero();
            h.destroy(); // SIGTERM: the write is resumed and answered before the daemon hangs up
            assertThat(c.reply()).isZero();
            assertThat(h.onExit().get(Programs.WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS).isAlive())
                    .isFalse();
        } finally {
            h.destroyForcibly(); // only if it is still there: the test failed
        }
        assertThat(Programs.eventually(() -> !Files.exists(socket) && !Files.exists(pid))).isTrue();
        assertThat(Files.readAllBytes(image)[0]).isEqualTo((byte) 5);
    }

    /** --fork with an image that cannot be opened: the parent shows the daemon's error and fails. */
    @Test
    void forkReportsWhyTheDaemonCouldNotStart() throws Exception {
        Programs.Result r = Programs.run(Programs.blkdebugServe("--fork", "-k", socket.toString(), "-f", "raw",
                "blkdebug::" + dir.resolve("missing")));
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("qemu-nbd: Failed to blk_new_open", "No such file or directory");
        assertThat(socket).doesNotExist();
    }

    /**
     * {@code blkdebug serve ... &} at a shell prompt: stdin is the terminal, but the job is in the
     * background, so it is not ours to read; qemu-nbd serves on there, and so does ours, reading
     * no commands. Before, the interactive shell's first touch of the terminal stopped the whole
     * process (SIGTTOU): the server served nobody until brought to the foreground.
     */
    @Test
    void backgroundedAtATerminalServesWithoutReadingIt() throws Exception {
        Assumptions.assumeTrue(Programs.which("script") != null && Programs.which("bash") != null,
                "script (util-linux) or bash is not installed: no terminal to run a job in; skipping");
        String server = serve("-k", socket.toString(), "--run", "echo captive ran; exit 7").stream()
                .map(a -> "'" + a.replace("'", "'\\''") + "'").collect(Collectors.joining(" "));
        // job control on (set -m): the job gets a process group of its own, not the terminal's
        Files.writeString(dir.resolve("job.sh"), "set -m\n" + server + " &\nwait $!\necho \"rc=$?\"\n"
                + "kill -KILL %1 2>/dev/null\n");
        Programs.Result r = Programs.sh(dir, "script -qec 'bash --norc --noprofile job.sh' /dev/null");
        assertThat(r.out()).as(r.err()).contains("captive ran").contains("rc=7").doesNotContain("NBD export at");
        assertThat(socket).doesNotExist();
    }

    /** nbdkit's --run: the command gets $uri, and the server's status is the command's. */
    @Test
    void runIsCaptiveAndExitsWithTheCommandsStatus() throws Exception {
        Programs.Result r = Programs.run(serve("-k", socket.toString(), "--run",
                "echo \"$uri\"; test -S \"$unixsocket\" && exit 3"));
        assertThat(r.exit()).as(r.err()).isEqualTo(3);
        assertThat(r.out()).isEqualTo("nbd+unix:///?socket=" + socket + "\n");
        assertThat(socket).doesNotExist();
    }

    /** The command on a TCP port: $port and an nbd:// URI. */
    @Test
    void runOnTcpGetsThePortAndAnNbdUri() throws Exception {
        Programs.Result r = Programs.run(serve("--tcp", "127.0.0.1:0", "--run",
                "case \"$uri\" in nbd://127.0.0.1:$port/) exit 0;; *) echo \"$uri $port\"; exit 1;; esac"));
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
    }
}
