package org.blkdebug.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.blkdebug.cli.report.Console;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whole sessions through {@link Main#run} and the real engine on a temp image. Expected outputs
 * were taken from qemu-io 7.2 on the same commands (statistics lines masked).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EndToEndTest {
    @TempDir
    Path dir;
    Path image;
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void createImage() throws IOException {
        image = dir.resolve("t.img");
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            f.setLength(1 << 20);
        }
    }

    private int run(InputStream stdin, String... args) {
        Console console = new Console(out, err, StandardCharsets.UTF_8);
        return Main.run(args, console, stdin, false);
    }

    private int run(String... args) {
        return run(InputStream.nullInputStream(), args);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8).replaceAll("(?m)^.*, 1 ops; .*$", "STATS");
    }

    @Test
    void writeReadRoundTripOnImage() throws IOException {
        int rc = run("-f", "raw", "-c", "write -P 0x31 0 4k", "-c", "read -P 0x31 0 4k", "-c", "read -P 0 4k 4k",
                "blkdebug::" + image);
        assertThat(rc).isZero();
        assertThat(out()).isEqualTo("""
                wrote 4096/4096 bytes at offset 0
                STATS
                read 4096/4096 bytes at offset 0
                STATS
                read 4096/4096 bytes at offset 4096
                STATS
                """);
        assertThat(Files.readAllBytes(image)[0]).isEqualTo((byte) 0x31);
    }

    // qemu-io 7.2 prints exactly this (thread pool: newest-released first at aio_flush)
    @Test
    void twoRacingAioWritesBreakAndResume() {
        int rc = run("-f", "raw", "-c", "break write_aio A", "-c", "aio_write 0 512", "-c", "break write_aio B",
                "-c", "aio_write 512 512", "-c", "wait_break B", "-c", "resume A", "-c", "resume B", "-c", "aio_flush",
                "blkdebug::" + image);
        assertThat(rc).isZero();
        // the two writes complete in QEMU's thread pool during aio_flush, in either order: qemu-io
        // 7.2 printed offset 512 first in 4 of 5 runs and offset 0 first in the other
        String head = """
                blkdebug: Suspended request 'A'
                blkdebug: Suspended request 'B'
                blkdebug: Resuming request 'A'
                blkdebug: Resuming request 'B'
                """;
        String at0 = "wrote 512/512 bytes at offset 0\nSTATS\n";
        String at512 = "wrote 512/512 bytes at offset 512\nSTATS\n";
        assertThat(out()).isIn(head + at512 + at0, head + at0 + at512);
    }

    @Test
    void stdinReplayPrintsPrompts() {
        byte[] script = "write -q 0 512\nlength\nfrobnicate\n".getBytes(StandardCharsets.UTF_8);
        int rc = run(new ByteArrayInputStream(script), "-f", "raw", "blkdebug::" + image);
        assertThat(rc).isEqualTo(1);
        assertThat(out()).isEqualTo("qemu-io> qemu-io> 1 MiB\nqemu-io> qemu-io> ");
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("command \"frobnicate\" not found\n");
    }

    // QEMU hangs in aio_flush while a request is suspended; we fail clearly instead
    @Test
    void aioFlushWithSuspendedRequestFails() {
        int rc = run("-f", "raw", "-c", "break write_aio A", "-c", "aio_write 0 512", "-c", "aio_flush",
                "-c", "resume A", "-c", "aio_flush", "blkdebug::" + image);
        assertThat(rc).isEqualTo(1);
        assertThat(out()).isEqualTo("""
                blkdebug: Suspended request 'A'
                aio_flush: request suspended at 'A'; resume it first
                blkdebug: Resuming request 'A'
                wrote 512/512 bytes at offset 0
                STATS
                """);
    }

    @Test
    void waitBreakTimesOutClearly() {
        int rc = run("-f", "raw", "-c", "break write_aio A", "-c", "wait_break A 200ms", "blkdebug::" + image);
        assertThat(rc).isEqualTo(1);
        assertThat(out()).isEqualTo("wait_break: no request suspended at 'A' after 200ms\n");
    }

    @Test
    void openErrorNamesTheDevice() {
        int rc = run("-f", "raw", "-c", "length", dir.resolve("nosuch").toString());
        assertThat(rc).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("qemu-io: can't open device "
                + dir.resolve("nosuch") + ": Could not open '" + dir.resolve("nosuch") + "': No such file or directory\n");
    }

    @Test
    void probingPrintsTheWarning() {
        int rc = run("-c", "length", "blkdebug::" + image);
        assertThat(rc).isZero();
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith(
                "WARNING: Image format was not specified for 'blkdebug::" + image + "' and probing guessed raw.\n");
        assertThat(out()).isEqualTo("1 MiB\n");
    }

    @Test
    void withoutFileScriptedCommandsFindNoFileOpenAsInQemuIo() {
        // only the interactive shell gets the scratch image; scripts may "open" one themselves
        assertThat(run("-c", "length", "-c", "open -o driver=raw blkdebug::" + image, "-c", "length")).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("no file open, try 'help open'\n");
        assertThat(out()).isEqualTo("1 MiB\n");
    }

    @Test
    void recordWritesAReplayableScript() throws IOException {
        Path script = dir.resolve("session.txt");
        run("--record", script.toString(), "-f", "raw", "-c", "write -q 0 512", "-c", "length", "blkdebug::" + image);
        assertThat(Files.readString(script)).isEqualTo("write -q 0 512\nlength\n");
    }

    @Test
    void badCommandLineOptionPrintsUsage() {
        assertThat(run("-x")).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("qemu-io: invalid option -- 'x'\n");
        assertThat(out()).startsWith("Usage: blkdebug");
    }

    // ---- custom events (ours, D13) --------------------------------------------------------------

    private Path customEventConfig() throws IOException {
        return Files.writeString(dir.resolve("rules.ini"), """
                [custom-event]
                name = "wal_commit"
                [set-state]
                event = "wal_commit"
                new_state = "2"
                [inject-error]
                event = "wal_commit"
                iotype = "write"
                errno = "28"
                once = "on"
                """);
    }

    @Test
    void eventCommandFiresADeclaredCustomEvent() throws IOException {
        int rc = run("-f", "raw", "-c", "event wal_commit", "-c", "state", "-c", "write 0 512",
                "blkdebug:" + customEventConfig() + ":" + image);
        assertThat(rc).isEqualTo(1); // the write fails, as the rule says
        assertThat(out()).isEqualTo("""
                state 2
                write failed: No space left on device
                """);
    }

    @Test
    void breakOnACustomEventIsListedWithItsRules() throws IOException {
        int rc = run("-f", "raw", "-c", "break wal_commit A", "-c", "rules", "-c", "remove_break A",
                "blkdebug:" + customEventConfig() + ":" + image);
        assertThat(rc).isZero();
        assertThat(out()).contains("""
                wal_commit:
                  break tag=A
                  set-state state=0 new_state=2
                  inject-error event=wal_commit state=0 iotype=write errno=28 sector=-1 once=on immediately=off
                """);
    }

    @Test
    void undeclaredCustomEventIsEnoentForBreakAndEvent() throws IOException {
        int rc = run("-f", "raw", "-c", "break wal_comit A", "-c", "event wal_comit", "-c", "state",
                "blkdebug:" + customEventConfig() + ":" + image);
        assertThat(rc).isEqualTo(1);
        assertThat(out()).isEqualTo("""
                Could not set breakpoint: No such file or directory
                Could not fire event: No such file or directory
                state 1
                """);
    }

    @Test
    void undeclaredCustomEventInTheConfigFailsTheOpen() throws IOException {
        Path cfg = Files.writeString(dir.resolve("typo.ini"), "[set-state]\nevent = \"wal_commit\"\nnew_state = \"2\"\n");
        assertThat(run("-f", "raw", "-c", "state", "blkdebug:" + cfg + ":" + image)).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).endsWith(": invalid parameter value: wal_commit\n");
    }

    @Test
    void helpExplainsTheEventCommand() {
        assertThat(run("-c", "help event")).isZero();
        assertThat(out()).startsWith("event event -- fires event (a QEMU or declared custom event)")
                .contains("'event wal_commit' - runs the rules of the custom event wal_commit");
    }

    // the design's names run the same commands: same output and exit status as break/remove_break/is_suspended
    @Test
    void designNamesAreAliasesOfTheBreakpointCommands() {
        int rc = run("-f", "raw", "-c", "breakpoint write_aio A", "-c", "aio_write 0 512", "-c", "is-suspended A",
                "-c", "remove-breakpoint A", "-c", "is-suspended A", "-c", "aio_flush", "-c", "breakpoint bogus B",
                "blkdebug::" + image);
        assertThat(rc).isEqualTo(1); // the bogus event
        assertThat(out()).isEqualTo("""
                blkdebug: Suspended request 'A'
                yes
                blkdebug: Resuming request 'A'
                no
                wrote 512/512 bytes at offset 0
                STATS
                Could not set breakpoint: No such file or directory
                """);
    }

    @Test
    void designNamesAreNamedAsTypedInCountErrors() {
        assertThat(run("-f", "raw", "-c", "breakpoint write_aio", "blkdebug::" + image)).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .isEqualTo("bad argument count 1 to breakpoint, expected 2 arguments\n");
    }
}
