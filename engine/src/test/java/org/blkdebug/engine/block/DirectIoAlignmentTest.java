package org.blkdebug.engine.block;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * O_DIRECT's request alignment as we probe it is the one qemu-io 7.2 finds on the same file: a
 * fresh sparse file and one whose first block is written, in the JVM's temp directory and in
 * /dev/shm (whatever file systems those are here). QEMU's alignment is read from what it
 * accepts: blkdebug's max-transfer must be a multiple of it, so the smallest one qemu-io opens
 * with is it.
 */
class DirectIoAlignmentTest {
    private static final Path QEMU_IO = Path.of(System.getProperty("difftest.qemu-io", "/usr/bin/qemu-io"));

    @Test
    void probedAlignmentIsQemusOnSparseAndWrittenFiles() throws Exception {
        assumeTrue(Files.isExecutable(QEMU_IO), "qemu-io 7.2 is not installed");
        assumeTrue(Libc.get() != null, "no native access here (the build's tests give it)");
        List<Path> dirs = new ArrayList<>(List.of(Path.of(System.getProperty("java.io.tmpdir"))));
        if (Files.isDirectory(Path.of("/dev/shm")) && Files.isWritable(Path.of("/dev/shm"))) {
            dirs.add(Path.of("/dev/shm"));
        }
        for (Path dir : dirs) {
            Path f = Files.createTempFile(dir, "bd-dio-", ".raw");
            try {
                try (RandomAccessFile r = new RandomAccessFile(f.toFile(), "rw")) {
                    r.setLength(1 << 20); // sparse
                }
                assertThat(DirectIoAlignment.probe(f.toString())).as("sparse file in %s", dir).isEqualTo(qemuAlignment(f));
                try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
                    ch.write(ByteBuffer.wrap(new byte[512]).put(0, (byte) 1), 0);
                    ch.force(false);
                }
                assertThat(DirectIoAlignment.probe(f.toString())).as("written file in %s", dir).isEqualTo(qemuAlignment(f));
            } finally {
                Files.deleteIfExists(f);
            }
        }
    }

    /** The smallest max-transfer qemu-io accepts under O_DIRECT, or 1 when it takes any. */
    private static long qemuAlignment(Path image) throws IOException, InterruptedException {
        for (long n = 1; n <= 4096; n *= 2) {
            String json = "json:{\"driver\":\"raw\",\"file\":{\"driver\":\"blkdebug\",\"max-transfer\":\"" + n
                    + "\",\"image\":{\"driver\":\"file\",\"filename\":\"" + image + "\"}}}";
            Process p = new ProcessBuilder(QEMU_IO.toString(), "-r", "-n", "-c", "length", json)
                    .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            boolean ended = p.waitFor(30, TimeUnit.SECONDS); // one line of output: the pipe never fills
            if (!ended) {
                p.destroyForcibly();
            }
            assertThat(ended).as("qemu-io ends").isTrue();
            String out = new String(p.getInputStream().readAllBytes());
            if (p.exitValue() == 0) {
                return n;
            }
            assertThat(out).contains("Cannot meet constraints with max-transfer " + n);
        }
        throw new AssertionError("qemu-io accepted no max-transfer up to 4096 on " + image);
    }
}
