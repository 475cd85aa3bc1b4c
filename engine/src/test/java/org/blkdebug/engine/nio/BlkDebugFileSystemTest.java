package org.blkdebug.engine.nio;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.blkdebug.engine.nio.BlkDebugFileChannelTest.async;

import java.io.IOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.Device;
import org.blkdebug.engine.Errno;
import org.blkdebug.engine.Event;
import org.blkdebug.engine.IoType;
import org.blkdebug.engine.Rule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The blkdebug file system: chosen files through a device, everything else the default's. */
class BlkDebugFileSystemTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private static final Rule.InjectError ENOSPC_ONCE =
            Rule.InjectError.of(Event.WRITE_AIO).withErrno(Errno.ENOSPC).withOnce(true);

    private Path on(FileSystem fs, String name) {
        return fs.getPath(dir.resolve(name).toString());
    }

    @Test
    void matchingFileIsWrittenThroughADeviceWithItsRules() throws IOException {
        try (BlkDebugFileSystem fs = BlkDebugFileSystems.newFileSystem(dir, FileRules.of("*.wal", ENOSPC_ONCE))) {
            Path wal = on(fs, "a.wal");
            assertThatThrownBy(() -> Files.write(wal, "x".getBytes(US_ASCII)))
                    .isInstanceOfSatisfying(BlockException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOSPC))
                    .hasMessage("No space left on device");
        }
    }

    @Test
    void otherFilesAreTheDefaultFileSystems() throws IOException {
        try (BlkDebugFileSystem fs = BlkDebugFileSystems.newFileSystem(dir, FileRules.of("*.wal", ENOSPC_ONCE))) {
            Path txt = on(fs, "a.txt");
            Files.writeString(txt, "plain");
            assertThat(Files.readString(txt)).isEqualTo("plain");
            try (FileChannel ch = FileChannel.open(txt)) {
                assertThat(ch).isNotInstanceOf(BlkDebugFileChannel.class);
            }
        }
    }

    @Test
    void filesOutsideTheRootAreNeverFiltered() throws IOException {
        Path sub = Files.createDirectory(dir.resolve("sub"));
        try (BlkDebugFileSystem fs = BlkDebugFileSystems.newFileSystem(sub, FileRules.of("**.wal", ENOSPC_ONCE))) {
            Path outside = on(fs, "outside.wal");
            Files.writeString(outside, "ok");
            assertThat(Files.readString(dir.resolve("outside.wal"))).isEqualTo("ok");
        }
    }

    @Test
    void pathsMapOneToOneToTheDefaultFileSystem() throws IOException {
        Files.writeString(dir.resolve("a.txt"), "abc");
        try (BlkDebugFileSystem fs = BlkDebugFileSystems.newFileSystem(dir)) {
            Path p = on(fs, "a.txt");
            assertThat(p.toString()).isEqualTo(dir.resolve("a.txt").toString());
            assertThat(p.getFileSystem()).isSameAs(fs);
            assertThat(Files.size(p)).isEqualTo(3);
            assertThat(p.getParent().resolve("a.txt")).isEqualTo(p);
            try (Stream<Path> list = Files.list(p.getParent())) {
                assertThat(list.toList()).containsExactly(p);
            }
        }
    }

    @Test
    void uriSchemeIsInstalledAndPathUrisRoundTrip() throws IOException {
        URI root = URI.create("blkdebug://" + dir.toUri().getRawPath());
        try (FileSystem fs = FileSystems.newFileSystem(root, Map.of("rules", List.of(FileRules.of("*.wal"))))) {
            assertThat(fs).isInstanceOf(BlkDebugFileSystem.class);
            Path p = on(fs, "x.wal");
            assertThat(p.toUri().getScheme()).isEqualTo("blkdebug");
            assertThat(Path.of(p.toUri())).isEqualTo(p);
        }
    }

    @Test
    void iniConfigAttachesRulesToAGlob() throws IOException {
        Path ini = Files.writeString(dir.resolve("fail-flush.ini"), """
                [inject-error]
                event = "flush_to_disk"
                iotype = "flush"
                errno = "5"
                """);
        URI root = URI.create("blkdebug://" + dir.toUri().getRawPath());
        try (FileSystem fs = FileSystems.newFileSystem(root, Map.of("glob:*.log", ini.toString()));
             FileChannel ch = FileChannel.open(on(fs, "a.log"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ch.write(FileChannelContract.ascii("x"));
            assertThatThrownBy(() -> ch.force(false)).isInstanceOf(BlockException.class)
                    .hasMessage("Input/output error");
        }
    }

    @Test
    void channelsOnOneFileShareItsDevice() throws IOException {
        try (BlkDebugFileSystem fs = BlkDebugFileSystems.newFileSystem(dir, FileRules.of("*.wal"))) {
            Path wal = on(fs, "a.wal");
            try (FileChannel a = FileChannel.open(wal, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileChannel b = FileChannel.open(wal, StandardOpenOption.READ)) {
                assertThat(((BlkDebugFileChannel) a).device()).isSameAs(((BlkDebugFileChannel) b).device());
                assertThat(fs.device(wal)).containsSame(((BlkDebugFileChannel) a).device());
            }
        }
    }

    @Test
    void breakpointFromTheRulesSuspendsTheCodeUnderTest() throws Exception {
        // the test never sees the channel: it finds the device by path and steps the request
        Rule.Suspend brk = new Rule.Suspend(Event.WRITE_AIO, "A");
        try (BlkDebugFileSystem fs = BlkDebugFileSystems.newFileSystem(dir, FileRules.of("*.wal", brk))) {
            Path wal = on(fs, "a.wal");
            CompletableFuture<Path> writer = async(() -> Files.writeString(wal, "data"));
            Device dev = fs.awaitDevice(wal, WAIT).orElseThrow();
            assertThat(dev.awaitSuspended("A", WAIT)).isTrue();
            assertThat(writer).isNotDone();
            dev.resume("A");
            writer.get(10, TimeUnit.SECONDS);
            assertThat(Files.readString(dir.resolve("a.wal"))).isEqualTo("data");
        }
    }

    @Test
    void inputStreamsReadThroughTheDevice() throws IOException {
        Files.writeString(dir.resolve("a.wal"), "abc");
        Rule.InjectError failReads = Rule.InjectError.of(Event.READ_AIO).withIoType(IoType.READ);
        try (BlkDebugFileSystem fs = BlkDebugFileSystems.newFileSystem(dir, FileRules.of("*.wal", failReads))) {
            assertThatThrownBy(() -> Files.readAllBytes(on(fs, "a.wal"))).isInstanceOf(BlockException.class)
                    .hasMessage("Input/output error");
        }
    }

    @Test
    void createNewFailsOnAnExistingFileAsTheJdkDoes() throws IOException {
        Files.writeString(dir.resolve("a.wal"), "abc");
        try (BlkDebugFileSystem fs = BlkDebugFileSystems.newFileSystem(dir, FileRules.of("*.wal"))) {
            assertThatThrownBy(() -> FileChannel.open(on(fs, "a.wal"), StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE)).isInstanceOf(FileAlreadyExistsException.class);
        }
    }

    @Test
    void truncateExistingEmptiesTheFileThroughTheDevice() throws IOException {
        Files.writeString(dir.resolve("a.wal"), "abcdef");
        try (BlkDebugFileSystem fs = BlkDebugFileSystems.newFileSystem(dir, FileRules.of("*.wal"))) {
            Files.writeString(on(fs, "a.wal"), "xy");
        }
        assertThat(Files.readString(dir.resolve("a.wal"))).isEqualTo("xy");
    }

    @Test
    void closingTheFileSystemClosesItsChannels() throws IOException {
        FileChannel ch;
        try (BlkDebugFileSystem fs = BlkDebugFileSystems.newFileSystem(dir, FileRules.of("*.wal"))) {
            ch = FileChannel.open(on(fs, "a.wal"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        }
        assertThat(ch.isOpen()).isFalse();
    }
}
