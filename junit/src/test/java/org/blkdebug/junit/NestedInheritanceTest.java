package org.blkdebug.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.Device;
import org.blkdebug.engine.Errno;
import org.blkdebug.engine.Event;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * {@code @Nested} classes inherit what their enclosing classes (and superclasses) declare, as
 * JUnit users expect of class-level annotations: a fault-injection test in a nested class must
 * not silently run on a default device with nothing injected.
 */
@Image(size = 8192)
@SetState(event = "write_aio", state = 1, newState = 2)
@InjectError(event = "read_aio", iotype = "read", errno = Errno.EPERM, once = true)
class NestedInheritanceTest extends WithFailingFlush {

    @Nested
    @SetState(event = "write_aio", state = 1, newState = 3)
    class Inner {
        @Test
        void enclosingImageAndRulesApply(Device dev) throws Exception {
            assertThat(dev.length()).isEqualTo(8192);
            assertThatThrownBy(() -> dev.read(0, ByteBuffer.allocate(512)))
                    .isInstanceOfSatisfying(BlockException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EPERM));
        }

        @Test
        void enclosingRulesComeBeforeTheNestedOnes(Device dev) throws Exception {
            // QEMU: of two set-state rules on one event, the one defined first decides
            dev.write(0, ByteBuffer.allocate(512));
            assertThat(dev.state()).isEqualTo(2);
        }

        @Test
        void superclassConfigApplies(FileChannel ch) throws Exception {
            ch.write(ByteBuffer.allocate(1), 0);
            assertThatThrownBy(() -> ch.force(false)).isInstanceOf(BlockException.class)
                    .hasMessage("Input/output error");
        }

        @Nested
        @Image(size = 4096, verifyBreakpoints = false)
        @Breakpoint(event = "flush_to_disk", tag = "F")
        class Deeper {
            @Test
            void nearestImageWinsAndRulesAccumulate(Device dev) throws Exception {
                assertThat(dev.length()).isEqualTo(4096);
                assertThat(dev.rules()).containsKeys(Event.WRITE_AIO, Event.READ_AIO, Event.FLUSH_TO_DISK);
            }

            @Test
            @Image(size = 512, verifyBreakpoints = false) // replaces the class's whole @Image
            void methodImageWinsOverEveryClass(Device dev) throws Exception {
                assertThat(dev.length()).isEqualTo(512);
            }
        }
    }
}
