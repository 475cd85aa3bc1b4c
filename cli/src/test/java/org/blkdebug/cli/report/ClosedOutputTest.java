package org.blkdebug.cli.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.blkdebug.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Output into a closed pipe ({@code | head -1}): qemu-io loses it and carries on. */
class ClosedOutputTest {
    @TempDir
    Path dir;

    /** A pipe whose reader has gone after the first write. */
    private static final class ClosedAfterOne extends OutputStream {
        int writes;

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (writes++ > 0) {
                throw new IOException("Broken pipe");
            }
        }
    }

    @Test
    void aSessionWhoseStdoutClosesGoesOnAndKeepsItsExitStatus() throws Exception {
        Path img = dir.resolve("t.img");
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
            f.setLength(1 << 20);
        }
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Console console = new Console(new ClosedAfterOne(), err, StandardCharsets.UTF_8);
        int rc = Main.run(new String[] {"-f", "raw", "-c", "read -v 0 4k", "-c", "write -P 7 0 512",
                "-c", "read -P 8 0 512", img.toString()}, console, InputStream.nullInputStream(), false);
        assertThat(rc).as("the failed pattern check still decides the status").isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(Files.readAllBytes(img)[0]).as("the write after the pipe closed was done").isEqualTo((byte) 7);
    }
}
