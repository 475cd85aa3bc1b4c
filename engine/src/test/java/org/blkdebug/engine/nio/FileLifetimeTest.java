package org.blkdebug.engine.nio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.blkdebug.engine.nio.BlkDebugFileChannelTest.async;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.Device;
import org.blkdebug.engine.Errno;
import org.blkdebug.engine.Event;
import org.blkdebug.engine.IoType;
import org.blkdebug.engine.Rule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file system as an operating system keeps files: a file's device outlives its channels, so
 * an fsync through a later channel still finds the writes of an earlier, closed one (the pattern
 * of Lucene's commit and of most databases).
 */
class FileLifetimeTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Rule.InjectError EIO_ON_FLUSH_ONCE =
            Rule.InjectError.of(Event.FLUSH_TO_DISK).withIoType(IoType.FLUSH).withOnce(true);
    /** Counts flushes that reach the disk: state 1 + their number, up to 3. */
    private static final Rule[] COUNT_FLUSH_TO_DISK = {
        new Rule.SetState(Event.FLUSH_TO_DISK, 1, 2), new Rule.SetState(Event.FLUSH_TO_DISK, 2, 3)};

    @TempDir
    Path dir;

    private Path on(BlkDebugFileSystem fs, String name) {
        return fs.getPath(dir.resolve(name).toString());
    }

    private static void fsync(Path p) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    @Test
    void closingAChannelNeitherFlushesNorClosesTheDevice() throws IOException {
        try (BlkDebugFileSystem fs = BlkDebugFileSystems.newFileSystem(dir, FileRules.of("*.wal", COUNT_FLUSH_TO_DISK))) {
            Path wal = on(fs, "a.wal");
            Files.writeString(wal, "unflushed");
            Device dev = fs.device(wal).orElseThrow();
            assertThat(dev.state()).as("no flush_to_disk at close").isEqualTo(1);
            fsync(wal);
            assertThat(fs.device(wal)).containsSame(dev);
            assertThat(dev.state()).isEqualTo(2);
        }
    }

    @Test
    void fsyncThroughANewChannelFailsOnTheWritesOfAClosedOne() throws IOException {
        // Lucene's commit: write and close a file, later fsync it by name
        try (BlkDebugFileSystem fs = BlkDebugFileSystems.newFileSystem(dir, FileRules.of("*.wal", EIO_ON_FLUSH_ONCE))) {
            Path wal = on(fs, "a.wal");
            Files.writeString(wal, "data");
            assertThatThrownBy(() -> fsync(wal))
                    .isInstanceOfSatisfying(BlockException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EIO));
            fsync(wal); // once: the retry reaches the disk
        }
    }

    @Test
    void fsyncOfACleanFileDoesNotReachTheDisk() throws IOException {
        try (BlkDebugFileSystem fs = BlkDebugFileSystems.newFileSystem(dir, FileRules.of("*.wal", COUNT_FLUSH_TO_DISK))) {
            Path wal = on(fs, "a.wal");
            Files.writeString(wal, "data");
            fsync(wal);
            fsync(wal);
            assertThat(fs.device(wal).orElseThrow().state()).isEqualTo(2);
        }
    }

    @Test
    void breakpointOnFlushToDiskParksAnFsyncThroughALaterChannel() throws Exception {
        Rule.Suspend brk = new Rule.Suspend(Event.FLUSH_TO_DISK, "F");
        try (BlkDebugFileSystem fs = BlkDebugFileSystems.newFileSystem(dir, FileRules.of("*.wal", brk))) {
            Path wal = on(fs, "a.wal");
            Files.writeString(wal, "data");
            CompletableFuture<Void> sync = async(() -> {
                fsync(wal);
                return null;
            });
            Device dev = fs.device(wal).orElseThrow();
            assertThat(dev.awaitSuspended("F", WAIT)).isTrue();
            assertThat(sync).isNotDone();
            dev.resume("F");
            sync.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void onceRuleFiresOnceForTheFileWhateverChannelsComeAndGo() throws IOException {
        Rule.InjectError enospcOnce = Rule.InjectError.of(Event.WRITE_AIO).withErrno(Errno.ENOSPC).withOnce(true);
        try (BlkDebugFileSystem fs = BlkDebugFileSystems.newFileSystem(dir, FileRules.of("*.wal", enospcOnce))) {
            Path wal = on(fs, "a.wal");
            assertThatThrownBy(() -> Files.writeString(wal, "x")).isInstanceOf(BlockException.class);
            Files.writeString(wal, "y");
            assertThat(Files.readString(wal)).isEqualTo("y");
        }
    }

    @Test
    void deletedFileRecreatedByTheSameNameGetsAFreshDevice() throws IOException {
        Rule.InjectError enospcOnce = Rule.InjectError.of(Event.WRITE_AIO).withErrno(Errno.ENOSPC).withOnce(true);
        try (BlkDebugFileSystem fs = BlkDebugFileSystems.newFileSystem(dir, FileRules.of("*.wal", enospcOnce))) {
            Path wal = on(fs, "a.wal");
            assertThatThrownBy(() -> Files.writeString(wal, "x")).isInstanceOf(BlockException.class);
            Files.delete(wal);
            assertThat(fs.device(wal)).isEmpty();
            assertThatThrownBy(() -> Files.writeString(wal, "x")).as("a new file, a new device: its once rule again")
                    .isInstanceOf(BlockException.class);
        }
    }

    @Test
    void deletedFileKeepsItsDeviceWhileAChannelIsOpen() throws IOException {
        try (BlkDebugFileSystem fs = BlkDebugFileSystems.newFileSystem(dir, FileRules.of("*.wal"))) {
            Path wal = on(fs, "a.wal");
            try (FileChannel ch = FileChannel.open(wal, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE)) {
                ch.write(FileChannelContract.ascii("still here"));
                Files.delete(wal);
                assertThat(Files.exists(dir.resolve("a.wal"))).isFalse();
                assertThat(FileChannelContract.read(ch, 0, 10)).isEqualTo("still here");
                ch.force(true);
            }
        }
    }

    @Test
    void renameTakesTheUnflushedWritesAlong() throws IOException {
        // write a temporary file, rename it into place, fsync it by its new name
        try (BlkDebugFileSystem fs = BlkDebugFileSystems.newFileSystem(dir, FileRules.of("*", EIO_ON_FLUSH_ONCE))) {
            Path tmp = on(fs, "a.tmp");
            Path wal = on(fs, "a.wal");
            Files.writeString(tmp, "data");
            Device dev = fs.device(tmp).orElseThrow();
            Files.move(tmp, wal, StandardCopyOption.ATOMIC_MOVE);
            assertThat(fs.device(tmp)).isEmpty();
            assertThat(fs.device(wal)).containsSame(dev);
            assertThatThrownBy(() -> fsync(wal)).isInstanceOf(BlockException.class).hasMessage("Input/output error");
        }
    }

    @Test
    void renameOverAFileReplacesItsDevice() throws IOException {
        try (BlkDebugFileSystem fs = BlkDebugFileSystems.newFileSystem(dir, FileRules.of("*"))) {
            Path tmp = on(fs, "a.tmp");
            Path wal = on(fs, "a.wal");
            Files.writeString(wal, "old");
            Files.writeString(tmp, "new");
            Device replacing = fs.device(tmp).orElseThrow();
            Files.move(tmp, wal, StandardCopyOption.REPLACE_EXISTING);
            assertThat(fs.device(wal)).containsSame(replacing);
            assertThat(Files.readString(wal)).isEqualTo("new");
        }
    }

    @Test
    void fileReplacedBehindTheFileSystemsBackGetsAFreshDevice() throws IOException {
        try (BlkDebugFileSystem fs = BlkDebugFileSystems.newFileSystem(dir, FileRules.of("*.wal"))) {
            Path wal = on(fs, "a.wal");
            Files.writeString(wal, "old");
            Device old = fs.device(wal).orElseThrow();
            Files.delete(dir.resolve("a.wal")); // the default file system: no blkdebug hook sees it
            Files.writeString(dir.resolve("a.wal"), "replaced");
            assertThat(Files.readString(wal)).isEqualTo("replaced");
            assertThat(fs.device(wal).orElseThrow()).isNotSameAs(old);
        }
    }

    @Test
    void closingTheFileSystemFlushesWhatIsLeft() throws IOException {
        Device dev;
        try (BlkDebugFileSystem fs = BlkDebugFileSystems.newFileSystem(dir, FileRules.of("*.wal", COUNT_FLUSH_TO_DISK))) {
            Path wal = on(fs, "a.wal");
            Files.writeString(wal, "data");
            dev = fs.device(wal).orElseThrow();
            assertThat(dev.state()).isEqualTo(1);
        }
        assertThat(dev.state()).as("flushed at close, as an unmount does").isEqualTo(2);
        assertThat(Files.readString(dir.resolve("a.wal"))).isEqualTo("data");
    }

    @Test
    void directoryMatchedByAGlobIsNeverADevice() throws IOException {
        // a directory fsync, as Lucene and most databases do after a rename
        Files.createDirectory(dir.resolve("sub"));
        try (BlkDebugFileSystem fs = BlkDebugFileSystems.newFileSystem(dir, FileRules.of("**"), FileRules.of("*"))) {
            for (Path d : new Path[] {fs.root(), on(fs, "sub")}) {
                try (FileChannel ch = FileChannel.open(d, StandardOpenOption.READ)) {
                    assertThat(ch).isNotInstanceOf(BlkDebugFileChannel.class);
                    ch.force(true);
                }
                assertThat(fs.device(d)).isEmpty();
            }
        }
    }
}
