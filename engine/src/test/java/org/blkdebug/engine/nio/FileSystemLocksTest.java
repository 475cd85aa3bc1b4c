package org.blkdebug.engine.nio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.blkdebug.engine.nio.BlkDebugFileChannelTest.async;

import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A lock taken through a blkdebug channel is the operating system's lock on the real file, so
 * another process is excluded (an index's {@code write.lock}). The other process is a second JVM.
 */
class FileSystemLocksTest {
    @TempDir
    Path dir;

    private Path on(BlkDebugFileSystem fs, String name) {
        return fs.getPath(dir.resolve(name).toString());
    }

    @Test
    void lockExcludesAnotherProcessAndCloseReleasesIt() throws Exception {
        try (BlkDebugFileSystem fs = BlkDebugFileSystems.newFileSystem(dir, FileRules.of("*.lock"))) {
            Path lock = on(fs, "write.lock");
            try (FileChannel ch = FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                assertThat(ch).isInstanceOf(BlkDebugFileChannel.class);
                FileLock l = ch.tryLock();
                assertThat(l).isNotNull();
                assertThat(OtherProcessLock.probe(dir.resolve("write.lock"))).isEqualTo("held");
                // opening the file again (a descriptor closed in this process drops POSIX locks) keeps it
                try (FileChannel again = FileChannel.open(lock, StandardOpenOption.READ)) {
                    assertThat(again.size()).isZero();
                }
                assertThat(OtherProcessLock.probe(dir.resolve("write.lock"))).isEqualTo("held");
            }
            assertThat(OtherProcessLock.probe(dir.resolve("write.lock"))).isEqualTo("free");
        }
    }

    @Test
    void lockHeldByAnotherProcessFailsTryLockAndIsWaitedForByLock() throws Exception {
        Files.createFile(dir.resolve("write.lock"));
        try (BlkDebugFileSystem fs = BlkDebugFileSystems.newFileSystem(dir, FileRules.of("*.lock"));
             FileChannel ch = FileChannel.open(on(fs, "write.lock"), StandardOpenOption.WRITE)) {
            CompletableFuture<FileLock> waiting;
            try (OtherProcessLock other = OtherProcessLock.hold(dir.resolve("write.lock"))) {
                assertThat(ch.tryLock()).isNull();
                waiting = async(ch::lock);
                Thread.sleep(100);
                assertThat(waiting).as("lock() waits while the other process holds it").isNotDone();
            }
            assertThat(waiting.get(10, TimeUnit.SECONDS).isValid()).isTrue();
        }
    }

    @Test
    void lockConflictsWithTheJdksOwnChannelInThisJvm() throws Exception {
        try (BlkDebugFileSystem fs = BlkDebugFileSystems.newFileSystem(dir, FileRules.of("*.lock"));
             FileChannel ch = FileChannel.open(on(fs, "write.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileChannel plain = FileChannel.open(dir.resolve("write.lock"), StandardOpenOption.WRITE)) {
            ch.lock(0, 10, false);
            assertThatThrownBy(() -> plain.tryLock(5, 10, false)).isInstanceOf(OverlappingFileLockException.class);
        }
    }

    @Test
    void asynchronousChannelLockExcludesAnotherProcess() throws Exception {
        try (BlkDebugFileSystem fs = BlkDebugFileSystems.newFileSystem(dir, FileRules.of("*.lock"));
             AsynchronousFileChannel ch = AsynchronousFileChannel.open(on(fs, "write.lock"),
                     StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            assertThat(ch).isInstanceOf(BlkDebugAsynchronousFileChannel.class);
            Future<FileLock> l = ch.lock();
            assertThat(l.get(10, TimeUnit.SECONDS).isValid()).isTrue();
            assertThat(OtherProcessLock.probe(dir.resolve("write.lock"))).isEqualTo("held");
            l.get().release();
            assertThat(OtherProcessLock.probe(dir.resolve("write.lock"))).isEqualTo("free");
        }
    }
}
