package org.blkdebug.engine.crash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.blkdebug.engine.BlkDebug;
import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.Device;
import org.blkdebug.engine.Errno;
import org.blkdebug.engine.Event;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --log-writes}: what the log records, in which order, and what replay rebuilds from it. */
class WriteLogTest {
    @TempDir
    Path dir;

    private Path image(String name, long size) throws Exception {
        Path p = dir.resolve(name);
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(size);
        }
        return p;
    }

    private static ByteBuffer filled(int len, int v) {
        return VolatileCacheTest.filled(len, v);
    }

    private static List<String> lines(WriteLog log) {
        List<String> out = new ArrayList<>();
        log.records().forEach(r -> out.add(r.toString()));
        return out;
    }

    @Test
    void everyCompletedWriteFlushAndMarkIsRecordedInCompletionOrder() throws Exception {
        Path img = image("disk.img", 1 << 20);
        Path logFile = dir.resolve("w.log");
        try (Device dev = BlkDebug.builder().image(img.toString()).writeLog(logFile).open()) {
            dev.write(0, filled(4096, 1));
            dev.mark("one");
            dev.writeZeroes(8192, 4096);
            dev.discard(16384, 4096);
            dev.flush();
            dev.write(4096, filled(512, 2), Device.WriteFlag.FUA);
            dev.truncate(2 << 20);
        }
        try (WriteLog log = WriteLog.open(logFile)) {
            assertThat(log.initialLength()).isEqualTo(1 << 20);
            // the FUA write is emulated by a flush right after it, which the log shows too; the
            // last flush is close's, as QEMU flushes at close
            assertThat(lines(log)).containsExactly("1 write 0 4096", "2 mark one", "3 write-zeroes 8192 4096",
                    "4 discard 16384 4096", "5 flush", "6 write fua 4096 512", "7 flush", "8 resize 2097152",
                    "9 flush");
        }
    }

    @Test
    void aFlushHeldBeforeTheDiskCoversTheWritesCompletedMeanwhile() throws Exception {
        // Why: a flush is issued when it reaches the disk, not when the caller asks
        Path img = image("disk.img", 1 << 20);
        Path logFile = dir.resolve("w.log");
        try (Device dev = BlkDebug.builder().image(img.toString()).writeLog(logFile).open()) {
            dev.write(0, filled(512, 1));
            dev.breakpoint(Event.FLUSH_TO_DISK, "f");
            CompletableFuture<Void> f = dev.flushAsync(null);
            assertThat(dev.awaitSuspended("f", Duration.ofSeconds(10))).isTrue();
            dev.write(512, filled(512, 2));
            dev.resume("f");
            f.get(10, TimeUnit.SECONDS);
        }
        try (WriteLog log = WriteLog.open(logFile)) {
            assertThat(lines(log)).startsWith("1 write 0 512", "2 write 512 512", "3 flush");
        }
    }

    @Test
    void aWriteCompletingWhileTheFlushWritesTheImageIsLoggedAfterTheFlush() throws Exception {
        // Why: the entries before a flush are exactly the ones it made durable, so replaying to a
        // flush rebuilds the durable image of that moment
        Path logFile = dir.resolve("w.log");
        HookedImage image = new HookedImage(1 << 20);
        try (Device dev = BlkDebug.builder().backend(image, "blocking").writeLog(logFile).open()) {
            dev.write(0, filled(512, 1));
            image.block();
            CompletableFuture<Void> f = dev.flushAsync(null);
            assertThat(image.awaitBlocked()).as("the flush is writing the image").isTrue();
            dev.write(512, filled(512, 2)); // completes in the cache meanwhile
            image.release();
            f.get(10, TimeUnit.SECONDS);
        }
        try (WriteLog log = WriteLog.open(logFile)) {
            // the block layer then flushes blkdebug's child once more (QEMU's bdrv_co_flush does
            // too): as the disk has a new write by then, that second flush covers it
            assertThat(lines(log)).startsWith("1 write 0 512", "2 flush", "3 write 512 512", "4 flush");
        }
    }

    @Test
    void replayToAMarkRebuildsTheImageAsOfThatPoint() throws Exception {
        Path img = image("disk.img", 1 << 20);
        Path copy = dir.resolve("copy.img");
        Files.copy(img, copy);
        Path logFile = dir.resolve("w.log");
        try (Device dev = BlkDebug.builder().image(img.toString()).writeLog(logFile).open()) {
            dev.write(0, filled(4096, 1));
            dev.mark("after-first");
            dev.write(0, filled(4096, 2));
        }
        try (WriteLog log = WriteLog.open(logFile)) {
            Replay.to(log, log.find("after-first"), copy);
            assertThat(Files.readAllBytes(copy)[0]).isEqualTo((byte) 1);
            Replay.to(log, log.find("3"), copy);
            assertThat(Files.readAllBytes(copy)[0]).isEqualTo((byte) 2);
            assertThatThrownBy(() -> log.find("nope")).hasMessage("no mark 'nope' in the log");
            assertThatThrownBy(() -> log.find("9")).hasMessage("the log has 4 entries, not 9");
        }
        assertThat(Files.readAllBytes(copy)).isEqualTo(Files.readAllBytes(img));
    }

    @Test
    void checkAtFlushSeesEveryDurableStateInTurn() throws Exception {
        Path img = image("disk.img", 1 << 20);
        Path copy = dir.resolve("copy.img");
        Files.copy(img, copy);
        Path logFile = dir.resolve("w.log");
        try (Device dev = BlkDebug.builder().image(img.toString()).writeLog(logFile).open()) {
            for (int i = 1; i <= 3; i++) {
                dev.write(0, filled(512, i));
                dev.flush();
            }
        }
        List<Integer> seen = new ArrayList<>();
        try (WriteLog log = WriteLog.open(logFile)) {
            List<Replay.Failure> failures = Replay.checkAt(log, copy, Replay.Point.FLUSH, (r, image) -> {
                int v = Files.readAllBytes(image)[0];
                seen.add(v);
                if (v == 2) {
                    throw new AssertionError("two");
                }
            }, false);
            assertThat(failures).singleElement().satisfies(f -> {
                assertThat(f.at().number()).isEqualTo(4);
                assertThat(f.reason()).isEqualTo("two");
            });
        }
        assertThat(seen).containsExactly(1, 2, 3);
    }

    @Test
    void checkAtFuaStopsAfterEachFuaWrite() throws Exception {
        Path img = image("disk.img", 1 << 20);
        Path copy = dir.resolve("copy.img");
        Files.copy(img, copy);
        Path logFile = dir.resolve("w.log");
        try (Device dev = BlkDebug.builder().image(img.toString()).writeLog(logFile).open()) {
            dev.write(0, filled(512, 1));
            dev.write(512, filled(512, 2), Device.WriteFlag.FUA);
            dev.write(1024, filled(512, 3));
            dev.write(1536, filled(512, 4), Device.WriteFlag.FUA);
        }
        List<String> seen = new ArrayList<>();
        try (WriteLog log = WriteLog.open(logFile)) {
            assertThat(Replay.checkAt(log, copy, Replay.Point.FUA, (r, image) -> {
                byte[] b = Files.readAllBytes(image);
                seen.add(r.number() + ":" + b[0] + b[512] + b[1024] + b[1536]);
            }, false)).isEmpty();
        }
        // each FUA write's point: everything logged before it, and it
        assertThat(seen).containsExactly("2:1200", "5:1234");
    }

    @Test
    void aCrashIsMarkedInTheLogWithItsChoice() throws Exception {
        Path img = image("disk.img", 1 << 20);
        Path logFile = dir.resolve("w.log");
        Device dev = BlkDebug.builder().image(img.toString()).writeLog(logFile).open();
        dev.write(0, filled(512, 1));
        dev.crash(new CrashChoice.Durable());
        try (WriteLog log = WriteLog.open(logFile)) {
            assertThat(lines(log)).containsExactly("1 write 0 512", "2 mark crash --keep none --of 1");
        }
    }

    @Test
    void markWithoutAWriteLogIsRefused() throws Exception {
        try (Device dev = BlkDebug.builder().memory(4096).open()) {
            assertThatThrownBy(() -> dev.mark("x")).isInstanceOfSatisfying(BlockException.class,
                    e -> assertThat(e.errno()).isEqualTo(Errno.ENOTSUP));
        }
    }

    @Test
    void aLogCutShortEndsAtItsLastWholeRecord() throws Exception {
        Path img = image("disk.img", 1 << 20);
        Path logFile = dir.resolve("w.log");
        try (Device dev = BlkDebug.builder().image(img.toString()).writeLog(logFile).open()) {
            dev.write(0, filled(4096, 1));
            dev.write(4096, filled(4096, 2));
        }
        long size = Files.size(logFile);
        try (RandomAccessFile f = new RandomAccessFile(logFile.toFile(), "rw")) {
            f.setLength(size - 100);
        }
        try (WriteLog log = WriteLog.open(logFile)) {
            assertThat(lines(log)).containsExactly("1 write 0 4096");
        }
    }

    @Test
    void aFileThatIsNotALogIsRefusedWithItsName() throws Exception {
        Path bad = dir.resolve("bad");
        Files.write(bad, new byte[64]);
        assertThatThrownBy(() -> WriteLog.open(bad)).hasMessage(bad + " is not a blkdebug write log");
    }
}
