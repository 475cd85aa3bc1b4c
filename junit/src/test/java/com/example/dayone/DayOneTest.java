package com.example.dayone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Random;
import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.CacheMode;
import org.blkdebug.engine.Device;
import org.blkdebug.engine.Errno;
import org.blkdebug.engine.Event;
import org.blkdebug.junit.BlkDebugExtension;
import org.blkdebug.junit.Config;
import org.blkdebug.junit.Image;
import org.blkdebug.junit.InjectError;
import org.blkdebug.junit.SetState;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A newcomer's first suite, written from README.md and docs/java-api.md alone, outside the
 * project's packages: each test is one claim of those docs. What it found is fixed (nested
 * classes, seeds, @Config's message) or documented (the default cache mode, armed rules).
 */
@ExtendWith(BlkDebugExtension.class) // this class has no blkdebug annotation of its own
class DayOneTest {
    private static ByteBuffer sector() {
        return ByteBuffer.allocate(512);
    }

    @Test
    void withoutImageATestGetsOneMebibyteInMemory(Device dev) throws Exception {
        assertThat(dev.length()).isEqualTo(1 << 20);
        assertThat(dev.state()).isEqualTo(1);
    }

    @Test
    @SetState(event = "flush_to_disk", state = 1, newState = 2)
    void defaultCacheIsWritebackSoAWriteAloneNeverFlushes(Device dev, FileChannel ch) throws Exception {
        ch.write(sector(), 0);
        assertThat(dev.state()).as("no flush_to_disk without force").isEqualTo(1);
        ch.force(false);
        assertThat(dev.state()).isEqualTo(2);
    }

    @Test
    @Image(cache = CacheMode.WRITETHROUGH) // qemu-io's default cache
    @SetState(event = "flush_to_os", state = 1, newState = 2)
    @SetState(event = "flush_to_os", state = 2, newState = 3)
    void writethroughFlushesAfterEveryWriteAsQemuIoDoes(Device dev, FileChannel ch) throws Exception {
        // QEMU 7.2: each write's emulated FUA flush fires flush_to_os (flush_to_disk only from
        // the second write on: the first flush finds nothing older than itself to flush)
        ch.write(sector(), 0);
        assertThat(dev.state()).isEqualTo(2);
        ch.write(sector(), 512);
        assertThat(dev.state()).isEqualTo(3);
    }

    @Test
    @InjectError(event = "flush_to_disk", errno = Errno.EIO) // no iotype
    void ruleArmedByAFlushStaysArmedForReadsToo(Device dev, FileChannel ch) throws Exception {
        ch.write(sector(), 0);
        assertThatThrownBy(() -> ch.force(false)).isInstanceOf(BlockException.class);
        assertThatThrownBy(() -> ch.read(sector(), 0)).as("still armed, for every I/O type")
                .isInstanceOfSatisfying(BlockException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EIO));
        assertThat(dev.armedRules()).hasSize(1);
    }

    @Test
    @InjectError(event = "flush_to_disk", iotype = "flush", errno = Errno.EIO)
    void iotypeKeepsAnArmedRuleToItsKind(FileChannel ch) throws Exception {
        ch.write(sector(), 0);
        assertThatThrownBy(() -> ch.force(false)).isInstanceOf(BlockException.class);
        assertThat(ch.read(sector(), 0)).isEqualTo(512);
    }

    @Test
    @Config("fail-every-write.ini") // src/test/resources/com/example/dayone/, beside this class
    void configBesideTheTestClassIsFoundByItsBareName(FileChannel ch) {
        assertThatThrownBy(() -> ch.write(sector(), 0)).isInstanceOf(BlockException.class)
                .hasMessage("No space left on device");
    }

    @Test
    void breakpointsAndInspectionFromTheTest(Device dev) throws Exception {
        dev.breakpoint(Event.FLUSH_TO_OS, "F");
        assertThat(dev.rules()).containsKey(Event.FLUSH_TO_OS);
        var flush = dev.flushAsync(null);
        assertThat(dev.awaitSuspended("F", java.time.Duration.ofSeconds(10))).isTrue();
        assertThat(dev.isSuspended("F")).isTrue();
        dev.resume("F");
        flush.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(dev.requests()).isEmpty();
    }

    @Test
    void seededRandomIsAParameter(Random a, Random b) {
        assertThat(a.nextLong()).as("one seed per test").isEqualTo(b.nextLong());
    }

    @Nested
    @Config("fail-every-write.ini")
    class WhenEveryWriteFails {
        @Test
        @Image(size = 4096)
        void nestedTestsGetTheirAnnotationsAndTheEnclosingOnes(Device dev) throws Exception {
            assertThat(dev.length()).isEqualTo(4096);
            assertThatThrownBy(() -> dev.write(0, sector())).isInstanceOf(BlockException.class);
        }
    }
}
