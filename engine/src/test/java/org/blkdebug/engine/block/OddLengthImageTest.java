package org.blkdebug.engine.block;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.blkdebug.engine.BlkDebug;
import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.Device;
import org.blkdebug.engine.Errno;
import org.blkdebug.engine.Event;
import org.blkdebug.engine.OpenOptions;
import org.blkdebug.engine.Rule;
import org.blkdebug.engine.nio.BlkDebugFileChannel;
import org.blkdebug.engine.nio.BlkDebugFileSystems;
import org.blkdebug.engine.nio.FileRules;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An image file whose length is not a multiple of 512. Opened as qemu-io opens it (the shell and
 * NBD doors), its length is whole sectors as QEMU 7.2's block layer keeps it (refresh_total_sectors
 * rounds the size up; conformance scenario 070 pins the shell against qemu-io): 1000448 bytes, the
 * tail of the last sector reads as zeroes, and a write there grows the file. The Java doors (a
 * device built in code, its channels, the blkdebug file system) keep the file's length to the byte.
 */
class OddLengthImageTest {
    @TempDir
    Path dir;

    @Test
    void aDeviceOverAnOddLengthFileHasWholeSectorsAndAWriteInTheLastOneGrowsTheFile() throws Exception {
        Path img = dir.resolve("odd.raw");
        byte[] ones = new byte[1_000_000];
        Arrays.fill(ones, (byte) 1);
        Files.write(img, ones);
        try (Device d = BlkDebug.open(img.toString(), OpenOptions.defaults())) {
            assertThat(d.length()).isEqualTo(1_000_448);
            ByteBuffer tail = ByteBuffer.allocate(512);
            d.read(999_936, tail);
            byte[] expected = new byte[512];
            Arrays.fill(expected, 0, 64, (byte) 1); // the file's last 64 bytes, then zeroes
            assertThat(tail.array()).isEqualTo(expected);
            assertThatThrownBy(() -> d.read(1_000_448, ByteBuffer.allocate(1)))
                    .isInstanceOfSatisfying(BlockException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EIO));
            assertThat(Files.size(img)).as("a read changes nothing").isEqualTo(1_000_000);

            byte[] twos = new byte[512];
            Arrays.fill(twos, (byte) 2);
            d.write(999_936, ByteBuffer.wrap(twos));
            d.flush();
            assertThat(Files.size(img)).isEqualTo(1_000_448);

            d.truncate(999_999);
            assertThat(d.length()).isEqualTo(1_000_448);
        }
        assertThat(Files.size(img)).isEqualTo(999_999);
    }

    @Test
    void aDeviceBuiltInCodeKeepsTheFileLengthToTheByte() throws Exception {
        Path img = dir.resolve("odd.raw");
        Files.write(img, new byte[1000]);
        try (Device d = BlkDebug.builder().image(img.toString()).open()) {
            assertThat(d.length()).isEqualTo(1000);
        }
    }

    @Test
    void aFileOfTheBlkDebugFileSystemKeepsItsLengthToTheByte() throws Exception {
        Path real = dir.resolve("f.dat");
        Files.write(real, new byte[1000]);
        // a rule on an event raw never fires, so the file goes through a device and nothing fails
        Rule never = Rule.InjectError.of(Event.L1_UPDATE).withErrno(Errno.EIO);
        try (var fs = BlkDebugFileSystems.newFileSystem(dir, FileRules.of("*.dat", never))) {
            Path p = fs.getPath(real.toString());
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
                assertThat(ch).isInstanceOf(BlkDebugFileChannel.class);
                assertThat(ch.size()).isEqualTo(1000);
            }
            Files.write(p, new byte[10], StandardOpenOption.APPEND);
            assertThat(Files.size(p)).isEqualTo(1010);
            assertThat(Files.readAllBytes(p)).hasSize(1010);
        }
        assertThat(Files.size(real)).isEqualTo(1010);
    }
}
