package org.blkdebug.cli.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scripts that end where a careless shell would lose a command or hang: stdin ending without a
 * final newline, right after a request was suspended, at a {@code wait_break}; {@code -c} lists
 * with a failing command in the middle. Every session runs bounded ({@link BoundedMain}).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ScriptEofTest {
    private static final Duration BOUND = Duration.ofSeconds(15);

    @TempDir
    Path dir;
    Path image;

    @BeforeEach
    void createImage() throws IOException {
        image = dir.resolve("t.img");
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            f.setLength(1 << 20);
        }
    }

    private BoundedMain.Result stdin(String script) {
        InputStream in = new ByteArrayInputStream(script.getBytes(StandardCharsets.UTF_8));
        BoundedMain.Result r = BoundedMain.run(BOUND, in, "-f", "raw", "blkdebug::" + image);
        assertThat(r.thrown()).as("exception escaping Main.run").isNull();
        return r;
    }

    private static String masked(String out) {
        return out.replaceAll("\\d+(\\.\\d+)? [KMGTPE]?i?B(ytes)?/sec and [\\d.]+ ops/sec\\)", "...)")
                .replaceAll("(?m)(, 1 ops; )[^\\n]*", "$1STATS");
    }

    // a script file whose editor left no newline at the end must not lose its last command
    @Test
    void lastLineWithoutNewlineStillRuns() {
        BoundedMain.Result r = stdin("write -q -P 0x5a 0 512\nread -P 0x5a 0 512");
        assertThat(r.status()).isZero();
        assertThat(masked(r.out())).isEqualTo("qemu-io> qemu-io> read 512/512 bytes at offset 0\n"
                + "512 bytes, 1 ops; STATS\nqemu-io> ");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void emptyStdinEndsAtOnceWithSuccess() {
        BoundedMain.Result r = stdin("");
        assertThat(r.status()).isZero();
        assertThat(r.out()).isEqualTo("qemu-io> ");
        assertThat(r.err()).isEmpty();
    }

    // QEMU hangs in its exit drain here (D5); we warn, resume, and the write still lands
    @Test
    void eofRightAfterSuspendedAioWriteResumesItAndTheWriteLands() throws IOException {
        BoundedMain.Result r = stdin("break write_aio A\naio_write -P 0x5a 0 512\n");
        assertThat(r.status()).isZero();
        assertThat(masked(r.out())).isEqualTo("qemu-io> qemu-io> blkdebug: Suspended request 'A'\nqemu-io> "
                + "blkdebug: Resuming request 'A'\nwrote 512/512 bytes at offset 0\n512 bytes, 1 ops; STATS\n");
        assertThat(r.err()).isEqualTo("blkdebug: warning: resuming requests still suspended at exit: A\n");
        assertThat(Files.readAllBytes(image)[0]).isEqualTo((byte) 0x5a);
    }

    @Test
    void eofWithoutNewlineRightAfterSuspendedAioWriteStillSubmitsAndResumesIt() throws IOException {
        BoundedMain.Result r = stdin("break write_aio A\naio_write -P 0x5a 0 512");
        assertThat(r.status()).isZero();
        assertThat(r.out()).contains("blkdebug: Suspended request 'A'", "wrote 512/512 bytes at offset 0");
        assertThat(r.err()).isEqualTo("blkdebug: warning: resuming requests still suspended at exit: A\n");
        assertThat(Files.readAllBytes(image)[0]).isEqualTo((byte) 0x5a);
    }

    @Test
    void eofAtWaitBreakOfASuspendedRequestReturnsAndExitResumesIt() {
        BoundedMain.Result r = stdin("break write_aio A\naio_write 0 512\nwait_break A");
        assertThat(r.status()).isZero();
        assertThat(r.out()).contains("blkdebug: Suspended request 'A'", "wrote 512/512 bytes at offset 0");
        assertThat(r.err()).isEqualTo("blkdebug: warning: resuming requests still suspended at exit: A\n");
    }

    // Nothing in a script can ever bring a request to A: waiting would never end (QEMU hangs)
    @Test
    void eofAtWaitBreakThatNothingCanReachFailsInsteadOfHanging() {
        BoundedMain.Result r = stdin("break write_aio A\nwait_break A");
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.out()).isEqualTo("qemu-io> qemu-io> wait_break: no request in flight can reach 'A'\nqemu-io> ");
        assertThat(r.err()).isEmpty();
    }

    // a request suspended at another tag cannot move on either, so A stays out of reach
    @Test
    void waitBreakWhileAnotherTagHoldsTheOnlyRequestFailsInsteadOfHanging() {
        BoundedMain.Result r = BoundedMain.run(BOUND, InputStream.nullInputStream(), "-f", "raw",
                "-c", "break write_aio B", "-c", "aio_write 0 512", "-c", "break read_aio A", "-c", "wait_break A",
                "-c", "resume B", "blkdebug::" + image);
        assertThat(r.thrown()).isNull();
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.out()).contains("wait_break: no request in flight can reach 'A'",
                "blkdebug: Resuming request 'B'", "wrote 512/512 bytes at offset 0");
    }

    @Test
    void eofInsideACommandWordIsAnUnknownCommandNotAHang() {
        BoundedMain.Result r = stdin("break write_aio A\nwait_br");
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("command \"wait_br\" not found\n");
    }

    // qemu-io runs every -c command; a failure only changes the exit status
    @Test
    void dashCCommandsAfterAFailingOneStillRun() {
        BoundedMain.Result r = BoundedMain.run(BOUND, InputStream.nullInputStream(), "-f", "raw",
                "-c", "frobnicate", "-c", "write -q -P 0x33 0 512", "-c", "read -q 1M 512", "-c", "read -P 0x33 0 512",
                "blkdebug::" + image);
        assertThat(r.thrown()).isNull();
        assertThat(r.status()).isEqualTo(1);
        assertThat(masked(r.out())).isEqualTo("read failed: Input/output error\n"
                + "read 512/512 bytes at offset 0\n512 bytes, 1 ops; STATS\n");
        assertThat(r.err()).isEqualTo("command \"frobnicate\" not found\n");
    }

    @Test
    void dashCListEndingWithSuspendedAioWriteExitsCleanly() throws IOException {
        BoundedMain.Result r = BoundedMain.run(BOUND, InputStream.nullInputStream(), "-f", "raw",
                "-c", "break write_aio A", "-c", "aio_write -P 0x77 4096 512", "blkdebug::" + image);
        assertThat(r.thrown()).isNull();
        assertThat(r.status()).isZero();
        assertThat(r.err()).isEqualTo("blkdebug: warning: resuming requests still suspended at exit: A\n");
        assertThat(Files.readAllBytes(image)[4096]).isEqualTo((byte) 0x77);
    }

    // QEMU hangs in a synchronous read held at a breakpoint; a script has nobody to resume it, so
    // the read gives up, the script goes on, and a later resume still releases the request
    @Test
    void synchronousReadHeldAtABreakpointInAScriptFailsAndALaterResumeReleasesIt() {
        BoundedMain.Result r = BoundedMain.run(BOUND, InputStream.nullInputStream(), "-f", "raw",
                "-c", "break read_aio R", "-c", "read 0 512", "-c", "resume R", "-c", "read -P 0 0 512",
                "blkdebug::" + image);
        assertThat(r.thrown()).isNull();
        assertThat(r.status()).isEqualTo(1);
        assertThat(masked(r.out())).isEqualTo("blkdebug: Suspended request 'R'\n"
                + "read: request suspended at 'R'; nothing in a script can resume it\n"
                + "blkdebug: Resuming request 'R'\nread 512/512 bytes at offset 0\n512 bytes, 1 ops; STATS\n");
        assertThat(r.err()).isEmpty();
    }
}
