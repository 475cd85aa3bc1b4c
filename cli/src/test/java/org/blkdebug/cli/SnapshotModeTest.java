package org.blkdebug.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.blkdebug.cli.report.Console;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code -s} / {@code open -s}, qemu-io's snapshot mode: the session reads its own writes, and the
 * image file is as it was afterwards (explore's replay lines rely on it).
 */
class SnapshotModeTest {
    @TempDir
    Path dir;

    private int run(ByteArrayOutputStream buf, String... args) {
        return Main.run(args, new Console(buf, buf, StandardCharsets.UTF_8), InputStream.nullInputStream(), false);
    }

    @Test
    void writesAreReadBackAndNeverReachTheImage() throws IOException {
        Path img = dir.resolve("t.img");
        Files.write(img, new byte[8192]);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int rc = run(buf, "-s", "-f", "raw", "-c", "write -P 7 0 4k", "-c", "flush", "-c", "read -P 7 0 4k",
                "-c", "truncate 4k", "-c", "length", "blkdebug::" + img);
        assertThat(rc).as(buf.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(buf.toString(StandardCharsets.UTF_8)).contains("read 4096/4096 bytes at offset 0", "4 KiB\n");
        assertThat(Files.readAllBytes(img)).isEqualTo(new byte[8192]);
    }

    @Test
    void openDashSDoesTheSame() throws IOException {
        Path img = dir.resolve("t.img");
        Files.write(img, new byte[4096]);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int rc = run(buf, "-c", "open -s -o driver=raw blkdebug::" + img, "-c", "write -P 9 0 512", "-c",
                "read -P 9 0 512");
        assertThat(rc).as(buf.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(Files.readAllBytes(img)).isEqualTo(new byte[4096]);
    }

    @Test
    void aMissingImageIsQemusOpenError() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        assertThat(run(buf, "-s", "-f", "raw", "-c", "read 0 512", dir.resolve("none.img").toString())).isEqualTo(1);
        assertThat(buf.toString(StandardCharsets.UTF_8)).startsWith("qemu-io: can't open device "
                + dir.resolve("none.img") + ": Could not open '" + dir.resolve("none.img") + "': No such file or directory");
    }
}
