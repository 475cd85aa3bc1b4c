package org.blkdebug.engine.block;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.blkdebug.engine.BlkDebug;
import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.Device;
import org.blkdebug.engine.Device.DataStatus;
import org.blkdebug.engine.OpenOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Device#dataStatus} as qemu-nbd's base:allocation sees a raw image: file-posix finds a
 * sparse file's holes with SEEK_DATA/SEEK_HOLE (zeroes, no data), its data extents by the file
 * system's blocks, a trailing hole to the end; writes still in the disk's volatile cache are data.
 */
class SparseFileStatusTest {
    private static final int MIB = 1 << 20;

    @TempDir
    Path dir;

    /** 4 MiB, data only at [1 MiB, 1 MiB + 5000): holes before and after. */
    private Path sparse() throws Exception {
        Path img = dir.resolve("sparse.img");
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
            f.setLength(4 * MIB);
            f.seek(MIB);
            f.write(new byte[5000]);
        }
        return img;
    }

    @Test
    void holesAreZeroesWithoutDataAndDataExtentsEndAtTheFileSystemsBlock() throws Exception {
        Path img = sparse();
        try (Device dev = BlkDebug.open("blkdebug::" + img, OpenOptions.defaults())) {
            assertThat(dev.dataStatus(0, 4 * MIB)).isEqualTo(new DataStatus(MIB, false, true));
            DataStatus data = dev.dataStatus(MIB, 3 * MIB);
            assertThat(data.data()).isTrue();
            assertThat(data.zero()).isFalse();
            assertThat(data.bytes()).as("whole blocks of the file system").isBetween(5000L, (long) MIB)
                    .matches(b -> b % 512 == 0);
            long after = MIB + data.bytes();
            assertThat(dev.dataStatus(after, 4 * MIB - after)).as("the trailing hole")
                    .isEqualTo(new DataStatus(4 * MIB - after, false, true));
            assertThat(dev.dataStatus(100, 28)).as("clipped to the query").isEqualTo(new DataStatus(28, false, true));
            assertThat(dev.dataStatus(4 * MIB, 512).bytes()).as("at the end").isZero();
        }
    }

    @Test
    void aWriteStillInTheVolatileCacheIsDataAndEndsTheHoleBeforeIt() throws Exception {
        Path img = sparse();
        try (Device dev = BlkDebug.open("blkdebug::" + img, OpenOptions.defaults())) {
            dev.write(2 * MIB, java.nio.ByteBuffer.allocate(4096));
            assertThat(dev.dataStatus(2 * MIB, 8192)).isEqualTo(new DataStatus(4096, true, false));
            DataStatus before = dev.dataStatus(1536 * 1024, MIB);
            assertThat(before).isEqualTo(new DataStatus(512 * 1024, false, true));
            dev.flush();
            assertThat(dev.dataStatus(2 * MIB, 4096)).as("on the image now").isEqualTo(new DataStatus(4096, true, false));
        }
        assertThat(Files.size(img)).isEqualTo(4 * MIB);
    }

    /** As in QEMU, the read_aio event arms the rule; the read itself is not a block-status query. */
    @Test
    void aBlockStatusRuleFailsTheQuery() throws Exception {
        Path img = sparse();
        Path rules = dir.resolve("rules.ini");
        Files.writeString(rules, "[inject-error]\nevent = \"read_aio\"\niotype = \"block-status\"\nerrno = \"28\"\n");
        try (Device dev = BlkDebug.open("blkdebug:" + rules + ":" + img, OpenOptions.defaults())) {
            assertThat(dev.dataStatus(0, MIB)).isEqualTo(new DataStatus(MIB, false, true));
            dev.read(0, java.nio.ByteBuffer.allocate(512));
            assertThatThrownBy(() -> dev.dataStatus(0, MIB)).isInstanceOf(BlockException.class)
                    .hasMessageContaining("No space left on device");
        }
    }

    @Test
    void withoutWantZeroEverythingIsAllocatedAsQemuIoMapSays() throws Exception {
        Path img = sparse();
        try (Device dev = BlkDebug.open("blkdebug::" + img, OpenOptions.defaults())) {
            assertThat(dev.isAllocated(0, 4 * MIB)).isEqualTo(new Device.Allocation(true, 4 * MIB));
        }
    }
}
