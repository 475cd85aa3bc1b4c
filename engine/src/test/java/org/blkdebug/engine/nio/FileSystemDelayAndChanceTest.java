package org.blkdebug.engine.nio;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.blkdebug.engine.Device;
import org.blkdebug.engine.Errno;
import org.blkdebug.engine.Event;
import org.blkdebug.engine.Phase;
import org.blkdebug.engine.Rule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The file-system door of latency and chance: rules given in code delay a file's requests and draw from a seed. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FileSystemDelayAndChanceTest {
    @TempDir
    Path tmp;

    @Test
    void aDelayRuleGivenInCodeHoldsTheFilesWriteWithoutHoldingTheFileSystem() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("d"));
        BlkDebugFileSystem fs = BlkDebugFileSystems.newFileSystem(dir,
                FileRules.of("a", Rule.InjectDelay.of(Event.WRITE_AIO, Duration.ofHours(1))));
        Path a = fs.getPath(dir.resolve("a").toString());
        Path b = fs.getPath(dir.resolve("b").toString());
        try (FileChannel ch = FileChannel.open(a, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    ch.write(ByteBuffer.wrap(new byte[512]), 0);
                } catch (IOException e) {
                    // the file system closes under it below
                }
            });
            Device dev = fs.device(a).orElseThrow();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while ((dev.requests().isEmpty() || dev.requests().getFirst().phase() != Phase.DELAYED)
                    && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertThat(dev.requests()).as("the write sleeps at write_aio").isNotEmpty();
            assertThat(dev.requests().getFirst().phase()).isEqualTo(Phase.DELAYED);
            Files.writeString(b, "other files go on"); // b has no rules: the file system is not held
            assertThat(Files.readString(b)).isEqualTo("other files go on");
            fs.close(); // wakes the delayed write
            writer.join(Duration.ofSeconds(20));
            assertThat(writer.isAlive()).isFalse();
        } catch (java.nio.channels.ClosedChannelException e) {
            // closing the channel after the file system closed
        }
    }

    /** Which of 40 writes of a file fail with a 50 % rule drawing from {@code seed}. */
    private List<Integer> failedWrites(String name, long seed) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(name));
        List<Integer> failed = new ArrayList<>();
        try (BlkDebugFileSystem fs = BlkDebugFileSystems.newFileSystem(dir, FileRules.of("**",
                Rule.InjectError.of(Event.WRITE_AIO).withErrno(Errno.EIO).withProbability(0.5)).withSeed(seed));
             FileChannel ch = FileChannel.open(fs.getPath(dir.resolve("f").toString()), StandardOpenOption.CREATE,
                     StandardOpenOption.WRITE)) {
            for (int i = 0; i < 40; i++) {
                try {
                    ch.write(ByteBuffer.wrap(new byte[512]), i * 512L);
                } catch (IOException e) {
                    failed.add(i);
                }
            }
            assertThat(fs.device(fs.getPath(dir.resolve("f").toString())).orElseThrow().seed()).hasValue(seed);
        }
        return failed;
    }

    @Test
    void aFilesWritesFailByChanceTheSameWayForTheSameSeed() throws Exception {
        List<Integer> first = failedWrites("one", 77);
        assertThat(first).as("some fail, some do not").isNotEmpty().hasSizeLessThan(40);
        assertThat(failedWrites("two", 77)).isEqualTo(first);
        assertThat(failedWrites("three", 78)).as("another seed draws otherwise").isNotEqualTo(first);
    }
}
