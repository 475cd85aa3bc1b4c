package org.blkdebug.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code blkdebug bench} completes and reports as qemu-img bench does. Timings are never
 * asserted: this machine is shared and noisy; the numbers live in docs/performance.md.
 */
class BenchSmokeTest {
    @TempDir
    Path dir;
    Path image;
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void createImage() throws IOException {
        image = dir.resolve("b.img");
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            f.setLength(1 << 20);
        }
    }

    private int bench(String... args) {
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        return Bench.run(args, o, e);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void readBenchReportsLikeQemuImgBench() {
        assertThat(bench("-c", "500", "-d", "8", "blkdebug::" + image)).isZero();
        assertThat(out()).matches("Sending 500 read requests, 4096 bytes each, 8 in parallel "
                + "\\(starting at offset 0, step size 4096\\)\nRun completed in \\d+\\.\\d{3} seconds\\.\n");
    }

    @Test
    void writeBenchWithFlushIntervalWritesThePattern() throws IOException {
        assertThat(bench("-w", "--pattern", "65", "-c", "64", "-d", "4", "--flush-interval", "16",
                "-s", "512", "-S", "1024", "-o", "4096", "blkdebug::" + image)).isZero();
        assertThat(out()).startsWith("Sending 64 write requests, 512 bytes each, 4 in parallel "
                + "(starting at offset 4096, step size 1024)\nSending flush every 16 requests\nRun completed in ");
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "r")) {
            f.seek(4096);
            assertThat(f.read()).isEqualTo(65);
        }
    }

    @Test
    void compareReportsMediansAndRatio() {
        assertThat(bench("--compare", "3", "-c", "200", "-d", "2", "blkdebug::" + image)).isZero();
        assertThat(out()).contains("round 3: blkdebug ").containsPattern("blkdebug/plain throughput \\d+\\.\\d{3}");
    }

    @Test
    void aFailingRequestIsReportedAndFails() throws IOException {
        Path cfg = dir.resolve("fail.ini");
        java.nio.file.Files.writeString(cfg, "[inject-error]\nevent = \"read_aio\"\nerrno = \"28\"\n");
        assertThat(bench("-c", "10", "blkdebug:" + cfg + ":" + image)).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("qemu-img: Failed request: No space left on device\n");
    }

    @Test
    void badArgumentsGetQemuImgsMessages() {
        // texts as qemu-img 7.2 prints them
        assertThat(bench("-c", "-1", "blkdebug::" + image)).isEqualTo(1);
        assertThat(bench("--flush-interval", "50", "-c", "100", "blkdebug::" + image)).isEqualTo(1);
        assertThat(bench("-t", "bogus", "blkdebug::" + image)).isEqualTo(1);
        assertThat(bench("-o", "abc", "blkdebug::" + image)).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("qemu-img: Invalid request count specified\n"
                + "qemu-img: --flush-interval is only available in write tests\nqemu-img: Invalid cache mode\n"
                + "qemu-img: Invalid offset specified. You may use k, M, G, T, P or E suffixes for\n"
                + "qemu-img: kilobytes, megabytes, gigabytes, terabytes, petabytes and exabytes.\n");
    }

    @Test
    void sizesTakeSuffixesAndZeroRequestsSucceed() {
        assertThat(bench("-c", "0", "-s", "1.5k", "-S", "8k", "-o", "1k", "blkdebug::" + image)).isZero();
        assertThat(out()).isEqualTo("Sending 0 read requests, 1536 bytes each, 64 in parallel "
                + "(starting at offset 1024, step size 8192)\nRun completed in 0.000 seconds.\n");
    }
}
