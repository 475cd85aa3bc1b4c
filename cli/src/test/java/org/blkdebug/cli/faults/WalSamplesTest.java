package org.blkdebug.cli.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.blkdebug.cli.Main;
import org.blkdebug.cli.report.Console;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shell's worked example of a crash-consistency bug, run as shipped in config-samples/: a
 * write-ahead log that forces a record's header before writing its payload and acknowledges the
 * record without forcing again loses it in one crash state, which crash-states finds and names;
 * the log that forces the payload before the header survives every state at every step.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WalSamplesTest {
    /** config-samples/, from the cli module's directory (where the tests run). */
    private static final Path SAMPLES = Path.of("..", "config-samples").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    /** Runs {@code sample}.io on a fresh 1 MiB image as its README line does; returns the status and output. */
    private Result runSample(String sample) throws IOException {
        Path image = dir.resolve("t.raw");
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            f.setLength(1 << 20);
        }
        // the script names its checker relative to the repository's root, where the README runs it
        String script = Files.readString(SAMPLES.resolve(sample + ".io"))
                .replace("config-samples/", SAMPLES + "/");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Console console = new Console(out, err, StandardCharsets.UTF_8);
        int rc = Main.run(new String[] {"-f", "raw", "-t", "writeback", image.toString()}, console,
                new ByteArrayInputStream(script.getBytes(StandardCharsets.UTF_8)), false);
        return new Result(rc, out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8));
    }

    record Result(int rc, String output) {
    }

    @Test
    void crashStatesFindTheRecordTheHeaderFirstLogLosesAndPrintItsReplayLine() throws IOException {
        Result r = runSample("wal-header-first");
        assertThat(r.rc()).isEqualTo(1);
        assertThat(r.output()).contains("""
                crash-states: state 1 rejected: crash --keep none --of 1
                  exit 1: record 1 was acknowledged and is lost: its header is there, its payload is not
                crash-states: 1 volatile write, 2 states checked (all), 1 rejected""");
        assertThat(r.output()).contains("record 2 was acknowledged and is lost");
    }

    @Test
    void theReplayLineMakesTheLosingStateAgain() throws IOException {
        Path image = dir.resolve("r.raw");
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            f.setLength(1 << 20);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Console console = new Console(out, new ByteArrayOutputStream(), StandardCharsets.UTF_8);
        int rc = Main.run(new String[] {"-f", "raw", "-t", "writeback", "-c", "write -P 72 0 512", "-c", "flush",
                "-c", "write -P 97 512 512", "-c", "crash --keep none --of 1", image.toString()}, console,
                java.io.InputStream.nullInputStream(), false);
        assertThat(rc).isZero();
        byte[] disk = Files.readAllBytes(image);
        assertThat(disk[0]).as("the forced header").isEqualTo((byte) 72);
        assertThat(disk[512]).as("the acknowledged record's payload").isZero();
    }

    @Test
    void theLogThatForcesThePayloadBeforeTheHeaderSurvivesEveryStateAtEveryStep() throws IOException {
        Result r = runSample("wal-ordered");
        assertThat(r.rc()).as(r.output()).isZero();
        assertThat(r.output()).doesNotContain("rejected:");
        assertThat(r.output().lines().filter(l -> l.contains("crash-states: ") && l.contains(" 0 rejected")))
                .hasSize(5);
    }
}
