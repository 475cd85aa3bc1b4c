package org.blkdebug.engine.nio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import org.blkdebug.engine.BlkDebug;
import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.Device;
import org.blkdebug.engine.Errno;
import org.blkdebug.engine.Event;
import org.blkdebug.engine.Rule;
import org.blkdebug.engine.block.IoVec;
import org.blkdebug.engine.block.MemoryBackend;
import org.blkdebug.engine.crash.CrashChoice;
import org.junit.jupiter.api.Test;

/** The FileChannel door of the fault model: crash, delays on virtual time, chance from a seed. */
class ChannelFaultsTest {

    private static ByteBuffer text(String s) {
        return ByteBuffer.wrap(s.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    private static String image(MemoryBackend m, int len) throws BlockException {
        ByteBuffer b = ByteBuffer.allocate(len);
        m.read(0, IoVec.of(b));
        return new String(b.array(), java.nio.charset.StandardCharsets.US_ASCII);
    }

    @Test
    void whatTheChannelWroteAfterItsLastForceIsLostInACrash() throws Exception {
        MemoryBackend m = new MemoryBackend(4096);
        Device dev = BlkDebug.builder().backend(m, "mem").open();
        FileChannel ch = BlkDebugFileChannel.open(dev, StandardOpenOption.READ, StandardOpenOption.WRITE);
        ch.write(text("kept"), 0);
        ch.force(false);
        ch.write(text("lost"), 4);
        assertThat(dev.crash(new CrashChoice.Durable()).toString()).isEqualTo("--keep none --of 1");
        assertThat(image(m, 8)).isEqualTo("kept\0\0\0\0");
    }

    @Test
    void afterACrashTheChannelAnswersWithNoMedium() throws Exception {
        Device dev = BlkDebug.builder().memory(4096).open();
        FileChannel ch = BlkDebugFileChannel.open(dev, StandardOpenOption.READ, StandardOpenOption.WRITE);
        dev.crash(new CrashChoice.Durable());
        assertThatThrownBy(() -> ch.read(ByteBuffer.allocate(1), 0)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> ch.force(false)).isInstanceOfSatisfying(BlockException.class,
                e -> assertThat(e.errno()).isEqualTo(Errno.ENOMEDIUM));
    }

    @Test
    void aSlowForceOnVirtualTimeTakesNoWallTime() throws Exception {
        try (Device dev = BlkDebug.builder().memory(4096).virtualClock(true)
                .injectDelay(Rule.InjectDelay.of(Event.FLUSH_TO_DISK, Duration.ofSeconds(30))).open();
             FileChannel ch = BlkDebugFileChannel.open(dev, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long t0 = System.nanoTime();
            ch.write(text("x"), 0);
            ch.force(false);
            assertThat(dev.clock().nanos()).isEqualTo(Duration.ofSeconds(30).toNanos());
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void readErrorsWithAProbabilityFailTheSameChannelReadsForTheSameSeed() throws Exception {
        String first = null;
        for (int round = 0; round < 2; round++) {
            try (Device dev = BlkDebug.builder().memory(4096).seed(99)
                    .injectError(Rule.InjectError.of(Event.READ_AIO).withProbability(0.4)).open();
                 FileChannel ch = BlkDebugFileChannel.open(dev, StandardOpenOption.READ)) {
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < 40; i++) {
                    try {
                        ch.read(ByteBuffer.allocate(16), 0);
                        sb.append('.');
                    } catch (BlockException e) {
                        sb.append('x');
                    }
                }
                if (first == null) {
                    first = sb.toString();
                } else {
                    assertThat(sb.toString()).isEqualTo(first);
                }
            }
        }
        assertThat(first).contains("x", ".");
    }
}
