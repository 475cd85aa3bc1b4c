package org.blkdebug.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.blkdebug.engine.Event.FLUSH_TO_DISK;
import static org.blkdebug.engine.Event.FLUSH_TO_OS;
import static org.blkdebug.engine.Event.PWRITEV;
import static org.blkdebug.engine.Event.PWRITEV_DONE;
import static org.blkdebug.engine.Event.PWRITEV_RMW_AFTER_HEAD;
import static org.blkdebug.engine.Event.PWRITEV_RMW_AFTER_TAIL;
import static org.blkdebug.engine.Event.PWRITEV_RMW_HEAD;
import static org.blkdebug.engine.Event.PWRITEV_RMW_TAIL;
import static org.blkdebug.engine.Event.PWRITEV_ZERO;
import static org.blkdebug.engine.Event.READ_AIO;
import static org.blkdebug.engine.Event.WRITE_AIO;
import static org.blkdebug.engine.RuleSemanticsTest.bytes;
import static org.blkdebug.engine.RuleSemanticsTest.read;
import static org.blkdebug.engine.RuleSemanticsTest.write;

import java.nio.ByteBuffer;
import org.blkdebug.engine.filter.EventTrace;
import org.junit.jupiter.api.Test;

/**
 * The block layer's event order for raw → blkdebug → image, as qemu-io 7.2 was observed to fire
 * them (docs/qemu-7.2-observed-events.md, sections 1–3).
 */
class BlockLayerEventsTest {

    @Test
    void alignedWriteFiresWriteAioPwritevPwritevDone() throws Exception {
        try (BlockDevice dev = TestDevices.stack().open()) {
            EventTrace t = TestDevices.trace(dev);
            write(dev, 0, 512);
            assertThat(t.drainEvents()).containsExactly(WRITE_AIO, PWRITEV, PWRITEV_DONE);
        }
    }

    @Test
    void writethroughFlushesAfterEachWriteButFlushToDiskOnlyFromTheSecond() throws Exception {
        try (BlockDevice dev = TestDevices.stack().cache(CacheMode.WRITETHROUGH).open()) {
            EventTrace t = TestDevices.trace(dev);
            write(dev, 0, 512);
            assertThat(t.drainEvents()).containsExactly(WRITE_AIO, PWRITEV, PWRITEV_DONE, FLUSH_TO_OS);
            write(dev, 512, 512);
            assertThat(t.drainEvents())
                    .containsExactly(WRITE_AIO, PWRITEV, PWRITEV_DONE, FLUSH_TO_OS, FLUSH_TO_DISK);
        }
    }

    @Test
    void writethroughChecksFlushRulesOnTheFirstWriteAlready() throws Exception {
        // observed: the blkdebug node's own generation is dirty although raw's is not
        try (BlockDevice dev = TestDevices.stack().cache(CacheMode.WRITETHROUGH)
                .inject(Rule.InjectError.of(Event.NONE).withIoType(IoType.FLUSH).withErrno(Errno.ENOSPC))
                .open()) {
            assertThat(write(dev, 0, 512, 0x11)).isEqualTo(Errno.ENOSPC);
            assertThat(bytes(dev, 0, 1)[0]).isEqualTo((byte) 0x11); // the data landed all the same
        }
    }

    @Test
    void unsafeCacheNeverFlushesToDisk() throws Exception {
        try (BlockDevice dev = TestDevices.stack().cache(CacheMode.UNSAFE)
                .inject(Rule.InjectError.of(Event.NONE).withIoType(IoType.FLUSH)).open()) {
            EventTrace t = TestDevices.trace(dev);
            write(dev, 0, 512);
            dev.flush();
            assertThat(t.drainEvents()).containsExactly(WRITE_AIO, PWRITEV, PWRITEV_DONE, FLUSH_TO_OS);
        }
    }

    @Test
    void flushFiresFlushToDiskOnlyWhenWrittenSinceTheLastFlush() throws Exception {
        try (BlockDevice dev = TestDevices.stack().open()) {
            EventTrace t = TestDevices.trace(dev);
            dev.flush();
            write(dev, 0, 512);
            dev.flush();
            dev.flush();
            assertThat(t.drainEvents()).containsExactly(FLUSH_TO_OS, WRITE_AIO, PWRITEV, PWRITEV_DONE,
                    FLUSH_TO_OS, FLUSH_TO_DISK, FLUSH_TO_OS);
        }
    }

    @Test
    void unalignedWriteInsideOneBlockMergesTheHeadAndTailRead() throws Exception {
        try (BlockDevice dev = TestDevices.stack().align(4096).open()) {
            EventTrace t = TestDevices.trace(dev);
            write(dev, 512, 512);
            assertThat(t.drainEvents()).containsExactly(WRITE_AIO, PWRITEV_RMW_HEAD, PWRITEV_RMW_TAIL,
                    PWRITEV_RMW_AFTER_HEAD, PWRITEV_RMW_AFTER_TAIL, PWRITEV, PWRITEV_DONE);
            write(dev, 512, 4096); // two blocks: still one merged read
            assertThat(t.drainEvents()).containsExactly(WRITE_AIO, PWRITEV_RMW_HEAD, PWRITEV_RMW_TAIL,
                    PWRITEV_RMW_AFTER_HEAD, PWRITEV_RMW_AFTER_TAIL, PWRITEV, PWRITEV_DONE);
        }
    }

    @Test
    void unalignedWriteAcrossThreeBlocksReadsHeadThenTail() throws Exception {
        try (BlockDevice dev = TestDevices.stack().align(4096).open()) {
            EventTrace t = TestDevices.trace(dev);
            write(dev, 512, 8192);
            assertThat(t.drainEvents()).containsExactly(WRITE_AIO, PWRITEV_RMW_HEAD, PWRITEV_RMW_AFTER_HEAD,
                    PWRITEV_RMW_TAIL, PWRITEV_RMW_AFTER_TAIL, PWRITEV, PWRITEV_DONE);
        }
    }

    @Test
    void headOnlyAndTailOnlyWritesFireOnlyTheirSide() throws Exception {
        try (BlockDevice dev = TestDevices.stack().align(4096).open()) {
            EventTrace t = TestDevices.trace(dev);
            write(dev, 512, 3584);
            assertThat(t.drainEvents()).containsExactly(WRITE_AIO, PWRITEV_RMW_HEAD, PWRITEV_RMW_AFTER_HEAD,
                    PWRITEV, PWRITEV_DONE);
            write(dev, 0, 512);
            assertThat(t.drainEvents()).containsExactly(WRITE_AIO, PWRITEV_RMW_TAIL, PWRITEV_RMW_AFTER_TAIL,
                    PWRITEV, PWRITEV_DONE);
        }
    }

    @Test
    void readModifyWriteKeepsTheNeighbouringBytes() throws Exception {
        try (BlockDevice dev = TestDevices.stack().align(4096).open()) {
            write(dev, 0, 4096, 0x55);
            write(dev, 512, 512, 0x11);
            byte[] b = bytes(dev, 0, 4096);
            for (int i = 0; i < 4096; i++) {
                assertThat(b[i]).as("byte %d", i).isEqualTo((byte) (i >= 512 && i < 1024 ? 0x11 : 0x55));
            }
        }
    }

    @Test
    void paddingReadErrorFailsTheWriteAndLeavesTheBlockUnchanged() throws Exception {
        // difference D2: QEMU 7.2 ignores the error and writes zeroes into the padding
        TestDevices s = TestDevices.stack().align(4096)
                .inject(Rule.InjectError.of(Event.PWRITEV_RMW_HEAD).withIoType(IoType.READ).withErrno(Errno.ENOSPC));
        try (BlockDevice dev = s.open()) {
            write(dev, 0, 4096, 0x55);
            assertThat(write(dev, 512, 512, 0x11)).isEqualTo(Errno.ENOSPC);
            dev.flush(); // out of the disk's volatile cache, into the image
            assertThat(s.image(0, 4096)).containsOnly(0x55);
        }
    }

    @Test
    void writeZeroesSmallerThanAlignmentIsAPaddedNormalWrite() throws Exception {
        try (BlockDevice dev = TestDevices.stack().align(4096).open()) {
            EventTrace t = TestDevices.trace(dev);
            dev.writeZeroes(512, 512);
            assertThat(t.drainEvents()).containsExactly(PWRITEV_RMW_HEAD, PWRITEV_RMW_TAIL,
                    PWRITEV_RMW_AFTER_HEAD, PWRITEV_RMW_AFTER_TAIL, PWRITEV, PWRITEV_DONE);
        }
    }

    @Test
    void unalignedWriteZeroesWritesHeadZeroesMiddleWritesTail() throws Exception {
        try (BlockDevice dev = TestDevices.stack().align(4096).open()) {
            write(dev, 0, 3 * 4096, 0x55);
            EventTrace t = TestDevices.trace(dev);
            dev.writeZeroes(512, 8192);
            assertThat(t.drainEvents()).containsExactly(PWRITEV_RMW_HEAD, PWRITEV_RMW_AFTER_HEAD,
                    PWRITEV_RMW_TAIL, PWRITEV_RMW_AFTER_TAIL, PWRITEV, PWRITEV_DONE, PWRITEV_ZERO,
                    PWRITEV_DONE, PWRITEV, PWRITEV_DONE);
            byte[] b = bytes(dev, 0, 3 * 4096);
            for (int i = 0; i < b.length; i++) {
                assertThat(b[i]).as("byte %d", i).isEqualTo((byte) (i >= 512 && i < 8704 ? 0 : 0x55));
            }
        }
    }

    @Test
    void maxTransferSplitsAboveBlkdebugIntoWholeRequests() throws Exception {
        try (BlockDevice dev = TestDevices.stack().maxTransfer(4096).open()) {
            EventTrace t = TestDevices.trace(dev);
            write(dev, 0, 12288);
            assertThat(t.drainEvents()).containsExactly(WRITE_AIO, PWRITEV, PWRITEV_DONE, WRITE_AIO, PWRITEV,
                    PWRITEV_DONE, WRITE_AIO, PWRITEV, PWRITEV_DONE);
            read(dev, 0, 12288);
            assertThat(t.drainEvents()).containsExactly(READ_AIO, READ_AIO, READ_AIO);
        }
    }

    @Test
    void failedFragmentFailsTheRequestAndEarlierFragmentsStayWritten() throws Exception {
        try (BlockDevice dev = TestDevices.stack().maxTransfer(4096)
                .inject(Rule.InjectError.of(Event.NONE).withSector(8).withIoType(IoType.WRITE).withErrno(Errno.ENOSPC))
                .open()) {
            assertThat(write(dev, 0, 12288, 0x11)).isEqualTo(Errno.ENOSPC);
            assertThat(bytes(dev, 0, 4096)).containsOnly(0x11);
            assertThat(bytes(dev, 4096, 8192)).containsOnly(0);
        }
    }

    @Test
    void readPastTheEndFailsWithEio() throws Exception {
        try (BlockDevice dev = TestDevices.stack().size(1 << 20).open()) {
            assertThat(read(dev, 1 << 20, 512)).isEqualTo(Errno.EIO);
            assertThat(write(dev, (1 << 20) - 4096, 8192)).isEqualTo(Errno.EIO);
        }
    }

    @Test
    void noFormatMeansNoReadAioOrWriteAio() throws Exception {
        try (BlockDevice dev = TestDevices.stack().format(DeviceSpec.Format.NONE).open()) {
            EventTrace t = TestDevices.trace(dev);
            write(dev, 0, 512);
            read(dev, 0, 512);
            dev.flush();
            assertThat(t.drainEvents()).containsExactly(PWRITEV, PWRITEV_DONE);
        }
    }

    @Test
    void truncateAndLengthFireNothing() throws Exception {
        try (BlockDevice dev = TestDevices.stack().inject(Rule.InjectError.of(Event.NONE)).open()) {
            EventTrace t = TestDevices.trace(dev);
            dev.truncate(2 << 20);
            assertThat(dev.length()).isEqualTo(2 << 20);
            assertThat(t.drainEvents()).isEmpty();
        }
    }
}
