package org.blkdebug.cli.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * File names Java cannot turn into a {@code Path} — a NUL from a script line, or (under
 * {@code LANG=C}) any non-ASCII name — fail like a missing file, in one line, and the session
 * goes on. Found by {@link CommandLineFuzzTest}: each of these used to escape {@code Main.run} as
 * an {@code InvalidPathException}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UnencodableNameTest {
    private static final Duration BOUND = Duration.ofSeconds(10);

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

    private static BoundedMain.Result run(InputStream stdin, String... args) {
        BoundedMain.Result r = BoundedMain.run(BOUND, stdin, args);
        assertThat(r.thrown()).as("exception escaping Main.run").isNull();
        assertThat(r.both()).doesNotContain("Exception", "\tat ");
        return r;
    }

    @Test
    void imageNameWithNulFailsToOpenInOneLine() {
        // (a blkdebug:: filename ends at the NUL, as QEMU's C strings do, and gives ENOENT instead)
        BoundedMain.Result r = run(InputStream.nullInputStream(), "-f", "raw", "-c", "length", dir + "/a\0b");
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("qemu-io: can't open device " + dir + "/a\0b: Could not open '"
                + dir + "/a\0b': Invalid argument\n");
    }

    @Test
    void openWithNulInAScriptLineFailsAndTheScriptGoesOn() {
        String script = "open -o driver=raw " + dir + "/a\0b\nopen -o driver=raw blkdebug::" + image + "\nlength\n";
        BoundedMain.Result r = run(new ByteArrayInputStream(script.getBytes(StandardCharsets.UTF_8)));
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("qemu-io: can't open device " + dir + "/a\0b: Could not open '" + dir
                + "/a\0b': Invalid argument\n");
        assertThat(r.out()).contains("1 MiB\n");
    }

    @Test
    void writeFromASourceFileNamedWithNulFailsInOneLine() {
        BoundedMain.Result r = run(InputStream.nullInputStream(), "-f", "raw", "-c", "write -s " + dir + "/a\0b 0 512",
                "-c", "read 0 512", "blkdebug::" + image);
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).isEqualTo(dir + "/a\0b: Invalid argument\n");
        assertThat(r.out()).contains("read 512/512 bytes at offset 0\n");
    }

    @Test
    void recordToANameWithNulFailsInOneLine() {
        BoundedMain.Result r = run(InputStream.nullInputStream(), "-f", "raw", "-c", "record " + dir + "/a\0b",
                "-c", "length", "blkdebug::" + image);
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.out()).startsWith("record: cannot write " + dir + "/a\0b: ").endsWith("1 MiB\n");
        assertThat(r.out().lines()).hasSize(2);
    }

    @Test
    void recordOptionWithNulFailsInOneLine() {
        BoundedMain.Result r = run(InputStream.nullInputStream(), "--record", dir + "/a\0b", "-c", "length");
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).startsWith("qemu-io: cannot write " + dir + "/a\0b: ");
        assertThat(r.err().lines()).hasSize(1);
    }
}
