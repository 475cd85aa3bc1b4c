package org.blkdebug.cli.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.blkdebug.cli.Main;
import org.blkdebug.cli.report.Console;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The shell door of the fault model: crash, crash-states, mark, clock, virtual sleep, seeds. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ShellFaultsTest {
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

    private int run(String... args) {
        Console console = new Console(out, err, StandardCharsets.UTF_8);
        return Main.run(args, console, InputStream.nullInputStream(), false);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8).replaceAll("(?m)^.*, 1 ops; .*$", "STATS");
    }

    private byte at(long offset) throws IOException {
        return Files.readAllBytes(image)[(int) offset];
    }

    @Test
    void crashLosesTheUnflushedWriteAndPrintsItsLine() throws IOException {
        int rc = run("-t", "writeback", "-f", "raw", "-c", "write -P 1 0 4k", "-c", "flush", "-c", "write -P 2 4k 4k",
                "-c", "crash", "blkdebug::" + image);
        assertThat(rc).isZero();
        assertThat(out()).endsWith("crash --keep none --of 1\n");
        assertThat(at(0)).isEqualTo((byte) 1);
        assertThat(at(4096)).isZero();
    }

    @Test
    void thePrintedLineMakesTheSameStateAgain() throws IOException {
        run("-t", "writeback", "-f", "raw", "-c", "write -P 1 0 512", "-c", "write -P 2 512 512",
                "-c", "write -P 3 1024 512", "-c", "crash --keep random --seed 11", "blkdebug::" + image);
        String line = out().lines().filter(l -> l.startsWith("crash ")).findFirst().orElseThrow();
        byte[] first = Files.readAllBytes(image);
        Files.write(image, new byte[1 << 20]);
        out.reset();
        run("-t", "writeback", "-f", "raw", "-c", "write -P 1 0 512", "-c", "write -P 2 512 512",
                "-c", "write -P 3 1024 512", "-c", line, "blkdebug::" + image);
        assertThat(out()).endsWith(line + "\n");
        assertThat(Files.readAllBytes(image)).isEqualTo(first);
    }

    @Test
    void underWritethroughTheDefaultNothingIsLost() throws IOException {
        run("-f", "raw", "-c", "write -P 7 0 4k", "-c", "crash", "blkdebug::" + image);
        assertThat(out()).endsWith("crash --keep none --of 0\n");
        assertThat(at(0)).isEqualTo((byte) 7);
    }

    @Test
    void afterACrashNoFileIsOpenAndOpenSeesTheState() throws IOException {
        int rc = run("-t", "writeback", "-f", "raw", "-c", "write -P 9 0 512", "-c", "crash --keep all",
                "-c", "read -P 9 0 512", "-c", "open -o driver=raw blkdebug::" + image, "-c", "read -P 9 0 512",
                "blkdebug::" + image);
        assertThat(rc).isEqualTo(1);
        assertThat(out()).isEqualTo("""
                wrote 512/512 bytes at offset 0
                STATS
                crash --keep 1 --of 1
                read 512/512 bytes at offset 0
                STATS
                """);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("no file open, try 'help open'");
    }

    @Test
    void aBadChoiceLosesNothing() throws IOException {
        int rc = run("-t", "writeback", "-f", "raw", "-c", "write -P 4 0 512", "-c", "crash --keep 1,2 --of 2",
                "-c", "crash --keep lots", "-c", "read -P 4 0 512", "blkdebug::" + image);
        assertThat(rc).isEqualTo(1);
        assertThat(out()).contains("crash: the choice was made for 2 volatile writes; this crash has 1\n",
                "crash: --keep LIST needs --of N, the number of volatile writes it was made for\n",
                "read 512/512 bytes at offset 0\n");
    }

    @Test
    void crashStatesRunsTheCommandOnEveryStateAndPrintsRejectedOnesWithTheirLines() {
        int rc = run("-t", "writeback", "-f", "raw", "-c", "write -P 1 0 512", "-c", "write -P 2 512 512",
                "-c", "crash-states --check test \"$(od -An -tx1 -j512 -N1 {})\" != \" 02\"",
                "-c", "read -P 2 512 512", "blkdebug::" + image);
        assertThat(rc).isEqualTo(1);
        assertThat(out()).contains("""
                crash-states: state 3 rejected: crash --keep 2 --of 2
                  exit 1
                crash-states: state 4 rejected: crash --keep 1,2 --of 2
                  exit 1
                crash-states: 2 volatile writes, 4 states checked (all), 2 rejected""")
                .contains("read 512/512 bytes at offset 512"); // the device went on, as it was
    }

    @Test
    void crashStatesOverAnNbdExportOfEachState() {
        org.junit.jupiter.api.Assumptions.assumeTrue(onPath("nbdinfo"), "nbdinfo is not installed");
        int rc = run("-t", "writeback", "-f", "raw", "-c", "write -P 1 0 512",
                "-c", "crash-states --check nbdinfo --size {uri}", "blkdebug::" + image);
        assertThat(rc).isZero();
        assertThat(out()).contains("crash-states: 1 volatile write, 2 states checked (all), 0 rejected");
    }

    static boolean onPath(String program) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(d, program))) {
                return true;
            }
        }
        return false;
    }

    @Test
    void markNeedsAWriteLogAndReplayRebuildsToIt() throws IOException {
        Path log = dir.resolve("w.log");
        Path copy = dir.resolve("copy.img");
        Files.copy(image, copy);
        int rc = run("--log-writes", log.toString(), "-f", "raw", "-c", "write -P 1 0 512", "-c", "mark one",
                "-c", "write -P 2 0 512", "blkdebug::" + image);
        assertThat(rc).isZero();
        ByteArrayOutputStream rout = new ByteArrayOutputStream();
        java.io.PrintStream ps = new java.io.PrintStream(rout, true, StandardCharsets.UTF_8);
        int r = org.blkdebug.cli.replay.ReplayTool.run(new String[] {log.toString(), "--to", "one", copy.toString()},
                ps, ps);
        assertThat(r).isZero();
        assertThat(rout.toString(StandardCharsets.UTF_8)).startsWith("replay: applied 3 of ");
        assertThat(Files.readAllBytes(copy)[0]).isEqualTo((byte) 1);
        out.reset();
        assertThat(run("-f", "raw", "-c", "mark x", "blkdebug::" + image)).isEqualTo(1);
        assertThat(out()).isEqualTo("mark: no write log; start with --log-writes FILE\n");
    }

    @Test
    void replayChecksEveryFlushAndPrintsTheLineOfEachRejectedOne() throws IOException {
        Path log = dir.resolve("w.log");
        Path copy = dir.resolve("copy.img");
        Files.copy(image, copy);
        run("--log-writes", log.toString(), "-t", "writeback", "-f", "raw", "-c", "write -P 1 0 512", "-c", "flush",
                "-c", "write -P 2 0 512", "-c", "flush", "blkdebug::" + image);
        ByteArrayOutputStream rout = new ByteArrayOutputStream();
        java.io.PrintStream ps = new java.io.PrintStream(rout, true, StandardCharsets.UTF_8);
        int r = org.blkdebug.cli.replay.ReplayTool.run(new String[] {log.toString(), "--check-at", "flush",
                "test \"$(od -An -tx1 -N1 {})\" != \" 02\"", copy.toString()}, ps, ps);
        assertThat(r).isEqualTo(1);
        assertThat(rout.toString(StandardCharsets.UTF_8)).contains(
                "replay: entry 4 (4 flush) rejected: blkdebug replay " + log + " --to 4 IMAGE\n",
                "replay: 2 flush points checked, 1 rejected\n");
    }

    @Test
    void onVirtualTimeSleepMovesTheClockAndADelayedWriteLandsOnTime() throws IOException {
        Path ini = dir.resolve("delay.ini");
        Files.writeString(ini, "[inject-delay]\nevent = \"write_aio\"\ndelay = \"10ms\"\n");
        int rc = run("-c", "open -o driver=raw,file.clock=virtual blkdebug:" + ini + ":" + image,
                "-c", "aio_write -P 5 0 512", "-c", "requests", "-c", "sleep 5", "-c", "clock", "-c", "sleep 5",
                "-c", "clock", "-c", "write -P 6 512 512", "-c", "clock");
        assertThat(rc).isZero();
        assertThat(out()).isEqualTo("""
                id     op                 offset     length phase      tag        origin
                2      write                   0        512 delayed    -          -
                clock: 5.000 ms (virtual)
                wrote 512/512 bytes at offset 0
                STATS
                clock: 10.000 ms (virtual)
                wrote 512/512 bytes at offset 512
                STATS
                clock: 20.000 ms (virtual)
                """);
    }

    @Test
    void theSeedIsPrintedAtOpenAndGivingItBackReplaysTheDraws() throws IOException {
        Path ini = dir.resolve("chance.ini");
        Files.writeString(ini, "[inject-error]\nevent = \"read_aio\"\nprobability = \"0.5\"\n");
        String[] reads = new String[40];
        for (int i = 0; i < reads.length; i++) {
            reads[i] = "read 0 512";
        }
        String first = session("-c", "open -o driver=raw blkdebug:" + ini + ":" + image, reads);
        String seed = first.lines().findFirst().orElseThrow();
        assertThat(seed).matches("blkdebug: seed [0-9]+");
        String again = session("-c", "open -o driver=raw,file.seed=" + seed.substring("blkdebug: seed ".length())
                + " blkdebug:" + ini + ":" + image, reads);
        assertThat(again).isEqualTo(first).contains("read failed: Input/output error");
    }

    private String session(String opt, String open, String[] commands) {
        out.reset();
        String[] args = new String[2 + 2 * commands.length];
        args[0] = opt;
        args[1] = open;
        for (int i = 0; i < commands.length; i++) {
            args[2 + 2 * i] = "-c";
            args[3 + 2 * i] = commands[i];
        }
        run(args);
        return out();
    }
}
