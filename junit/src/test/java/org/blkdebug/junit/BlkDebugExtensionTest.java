package org.blkdebug.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.Device;
import org.blkdebug.engine.Errno;
import org.blkdebug.engine.Event;
import org.blkdebug.engine.nio.BlkDebugFileChannel;
import org.junit.jupiter.api.Test;

/** The extension as a test sees it: parameters built from the annotations. */
@InjectError(event = "l2_load", errno = Errno.EPERM) // never fires here: only its presence is checked
class BlkDebugExtensionTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    @InjectError(event = "write_aio", errno = Errno.ENOSPC, once = true)
    void deviceParameterCarriesTheMethodsRules(Device dev) throws Exception {
        assertThatThrownBy(() -> dev.write(0, ByteBuffer.allocate(512)))
                .isInstanceOfSatisfying(BlockException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOSPC));
        dev.write(0, ByteBuffer.allocate(512));
    }

    @Test
    @Image(customEvents = "wal_commit")
    @InjectError(event = "wal_commit", iotype = "write", errno = Errno.ENOSPC, once = true)
    void customEventNamedInAnnotationsArmsItsRuleWhenTheCodeFiresIt(Device dev) throws Exception {
        // the code under test marks its own commit point; the next write after it fails, once
        dev.write(0, ByteBuffer.allocate(512));
        dev.event("wal_commit");
        assertThatThrownBy(() -> dev.write(0, ByteBuffer.allocate(512)))
                .isInstanceOfSatisfying(BlockException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOSPC));
        dev.write(0, ByteBuffer.allocate(512));
    }

    @Test
    void classRulesApplyToEveryTest(Device dev) {
        assertThat(dev.rules()).containsKey(Event.L2_LOAD);
    }

    @Test
    void fileChannelParameterIsOverTheSameDevice(Device dev, FileChannel ch) {
        assertThat(ch).isInstanceOfSatisfying(BlkDebugFileChannel.class, c -> assertThat(c.device()).isSameAs(dev));
    }

    @Test
    @Image(size = 4096, backing = Image.Backing.TEMP_FILE)
    void tempFileImageHasTheGivenSize(Device dev, FileChannel ch) throws Exception {
        assertThat(dev.length()).isEqualTo(4096);
        ch.write(ByteBuffer.allocate(10), 4096);
        assertThat(ch.size()).isEqualTo(4106);
    }

    @Test
    @SetState(event = "write_aio", state = 1, newState = 2)
    void setStateRulesRun(Device dev) throws Exception {
        dev.write(0, ByteBuffer.allocate(1));
        assertThat(dev.state()).isEqualTo(2);
    }

    @Test
    @Config("fail-flush.ini")
    void configResourceRulesApply(FileChannel ch) throws Exception {
        ch.write(ByteBuffer.allocate(1));
        assertThatThrownBy(() -> ch.force(false)).isInstanceOf(BlockException.class)
                .hasMessage("Input/output error");
    }

    @Test
    @Breakpoint(event = "write_aio", tag = "A")
    void annotatedBreakpointSuspendsTheFirstWrite(Device dev) throws Exception {
        CompletableFuture<Void> w = dev.writeAsync(0, new ByteBuffer[] {ByteBuffer.allocate(512)}, null);
        assertThat(dev.awaitSuspended("A", WAIT)).isTrue();
        dev.resume("A");
        w.get(10, TimeUnit.SECONDS);
    }

    @Test
    @Image(verifyBreakpoints = false)
    @Breakpoint(event = "write_aio", tag = "never")
    void breakpointNeverHitIsAllowedWhenNotVerified(Device dev) {
        // opting out: this test sets up a breakpoint it does not use, and still passes
        assertThat(dev.rules()).containsKey(Event.WRITE_AIO);
    }

    @Test
    void randomParametersOfOneTestShareTheSeed(Random a, Random b) {
        assertThat(a.nextLong()).isEqualTo(b.nextLong());
    }
}
