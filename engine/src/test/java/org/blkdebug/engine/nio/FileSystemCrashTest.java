package org.blkdebug.engine.nio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.blkdebug.engine.crash.CrashChoice;
import org.blkdebug.engine.crash.CrashStates;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file-system door of the power-loss model: per-file page caches (what no fsync of the file
 * made durable is undone), directory entries volatile until their directory is fsynced, pages
 * torn, and every crash state built as a directory.
 */
class FileSystemCrashTest {
    @TempDir
    Path tmp;

    private Path dir;

    private BlkDebugFileSystem fs() throws IOException {
        dir = Files.createDirectories(tmp.resolve("data"));
        return BlkDebugFileSystems.newFileSystem(dir, FileRules.of("**"));
    }

    private Path on(BlkDebugFileSystem fs, String name) {
        return fs.getPath(dir.resolve(name).toString());
    }

    private static void fsync(Path p) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
            ch.force(false);
        }
    }

    private static void fsyncDir(Path p) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    private String real(String name) throws IOException {
        Path p = dir.resolve(name);
        return Files.exists(p) ? Files.readString(p) : null;
    }

    @Test
    void anUnsyncedWriteIsVisibleAtOnceAndUndoneByACrash() throws Exception {
        BlkDebugFileSystem fs = fs();
        Path a = on(fs, "a.txt");
        Files.writeString(a, "durable");
        fsync(a);
        fsyncDir(fs.getPath(dir.toString()));
        Files.writeString(a, "volatile", StandardOpenOption.WRITE);
        assertThat(real("a.txt")).as("another reader sees the page cache").isEqualTo("volatile");
        assertThat(fs.volatileChanges()).containsExactly("1 write a.txt (1 page)");
        fs.crash(new CrashChoice.Durable());
        assertThat(real("a.txt")).isEqualTo("durable");
        assertThat(fs.isOpen()).isFalse();
    }

    @Test
    void aFileFsyncedInADirectoryNeverFsyncedIsGoneAfterACrash() throws Exception {
        // Why: fsync of a file does not persist the entry that names it (fsync(2))
        BlkDebugFileSystem fs = fs();
        Path a = on(fs, "new.log");
        Files.writeString(a, "data");
        fsync(a);
        assertThat(fs.volatileChanges()).containsExactly("1 create new.log");
        fs.crash(new CrashChoice.Durable());
        assertThat(real("new.log")).isNull();
    }

    @Test
    void aDirectoryFsyncMakesItsEntriesDurable() throws Exception {
        BlkDebugFileSystem fs = fs();
        Path a = on(fs, "new.log");
        Files.writeString(a, "data");
        fsync(a);
        fsyncDir(fs.getPath(dir.toString()));
        assertThat(fs.volatileChanges()).isEmpty();
        fs.crash(new CrashChoice.Durable());
        assertThat(real("new.log")).isEqualTo("data");
    }

    @Test
    void aRenameWhoseDirectoryWasNotFsyncedIsUndoneAndTheReplacedFileComesBack() throws Exception {
        BlkDebugFileSystem fs = fs();
        Path log = on(fs, "wal");
        Files.writeString(log, "old");
        fsync(log);
        fsyncDir(fs.getPath(dir.toString()));
        Path tmpFile = on(fs, "wal.tmp");
        Files.writeString(tmpFile, "new");
        fsync(tmpFile);
        Files.move(tmpFile, log, StandardCopyOption.REPLACE_EXISTING);
        assertThat(real("wal")).isEqualTo("new");
        assertThat(fs.volatileChanges()).containsExactly("1 create wal.tmp", "2 rename wal.tmp -> wal");
        fs.crash(new CrashChoice.Durable());
        assertThat(real("wal")).isEqualTo("old");
        assertThat(real("wal.tmp")).isNull();
    }

    @Test
    void volatileChangesNameAFilesWritesByItsCurrentName() throws Exception {
        BlkDebugFileSystem fs = fs();
        Path t = on(fs, "wal.tmp");
        Files.writeString(t, "x");
        Files.writeString(on(fs, "wal"), "old");
        Files.move(t, on(fs, "wal"), StandardCopyOption.REPLACE_EXISTING); // keeps the old one for a crash
        assertThat(fs.volatileChanges()).containsExactly("1 create wal.tmp", "2 write wal (1 page)",
                "3 create wal", "4 rename wal.tmp -> wal");
        fs.close();
        assertThat(real("wal")).as("a normal close loses nothing").isEqualTo("x");
        try (var beside = Files.list(tmp)) {
            assertThat(beside).as("the undo directory beside the root is gone").containsExactly(dir);
        }
    }

    @Test
    void aDeleteWhoseDirectoryWasNotFsyncedIsUndone() throws Exception {
        BlkDebugFileSystem fs = fs();
        Path a = on(fs, "keep.me");
        Files.writeString(a, "still here");
        fsync(a);
        fsyncDir(fs.getPath(dir.toString()));
        Files.delete(a);
        assertThat(real("keep.me")).isNull();
        fs.crash(new CrashChoice.Durable());
        assertThat(real("keep.me")).isEqualTo("still here");
    }

    @Test
    void keptChangesAreNumberedAcrossFilesAndDirectories() throws Exception {
        BlkDebugFileSystem fs = fs();
        Path a = on(fs, "a");
        Files.writeString(a, "A");
        Path b = on(fs, "b");
        Files.writeString(b, "B");
        assertThat(fs.volatileChanges()).containsExactly("1 create a", "2 write a (1 page)", "3 create b",
                "4 write b (1 page)");
        assertThat(fs.crash(CrashChoice.parse(List.of("--keep", "3,4", "--of", "4"), 0)).toString())
                .isEqualTo("--keep 3,4 --of 4");
        assertThat(real("a")).isNull();
        assertThat(real("b")).isEqualTo("B");
    }

    @Test
    void aTornWriteKeepsWholePages() throws Exception {
        BlkDebugFileSystem fs = fs();
        Path a = on(fs, "pages");
        Files.write(a, new byte[3 * 4096]);
        fsync(a);
        fsyncDir(fs.getPath(dir.toString()));
        byte[] ones = new byte[3 * 4096];
        java.util.Arrays.fill(ones, (byte) 1);
        try (FileChannel ch = FileChannel.open(a, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(ones), 0); // one write of three pages
        }
        fs.crash(CrashChoice.parse(List.of("--keep", "1:1", "--of", "1"), 0));
        byte[] b = Files.readAllBytes(dir.resolve("pages"));
        assertThat(b[0]).isZero();
        assertThat(b[4096]).isEqualTo((byte) 1);
        assertThat(b[8191]).isEqualTo((byte) 1);
        assertThat(b[8192]).isZero();
    }

    @Test
    void crashStatesBuildEachStateAsADirectoryAndLeaveTheFileSystemAsItWas() throws Exception {
        try (BlkDebugFileSystem fs = fs()) {
            Path a = on(fs, "a");
            Files.writeString(a, "1");
            fsync(a);
            fsyncDir(fs.getPath(dir.toString()));
            Files.writeString(a, "2", StandardOpenOption.WRITE);
            Files.writeString(on(fs, "b"), "B");
            List<String> seen = new ArrayList<>();
            CrashStates.Report r = fs.crashStates(CrashStates.Options.defaults(), (state, choice) -> {
                Path sa = state.resolve("a");
                Path sb = state.resolve("b");
                seen.add(Files.readString(sa) + (Files.exists(sb) ? Files.readString(sb) : "-"));
            });
            assertThat(r.exhaustive()).isTrue();
            // a's write, b's create, b's write: b's write without its create leaves no b, and
            // without its write an empty b (its length since its last fsync: none)
            assertThat(seen).containsExactlyInAnyOrder("1-", "2-", "1", "2", "1B", "2B");
            assertThat(real("a")).isEqualTo("2");
            assertThat(real("b")).isEqualTo("B");
        }
    }

    @Test
    void afterACrashTheFileSystemsChannelsFail() throws Exception {
        BlkDebugFileSystem fs = fs();
        FileChannel ch = FileChannel.open(on(fs, "x"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        ch.write(ByteBuffer.wrap("x".getBytes(StandardCharsets.US_ASCII)), 0);
        fs.crash(new CrashChoice.Durable());
        assertThatThrownBy(() -> ch.write(ByteBuffer.allocate(1), 0)).isInstanceOf(IOException.class);
        assertThat(real("x")).isNull();
    }
}
