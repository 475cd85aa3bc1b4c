package org.blkdebug.junit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Duration;
import org.blkdebug.engine.BlkDebug;
import org.blkdebug.engine.Device;
import org.blkdebug.engine.Event;
import org.junit.jupiter.api.Test;

/** The end-of-test check: what counts as a scenario left half-stepped. */
class LeftoversTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void cleanDeviceHasNoLeftovers() throws Exception {
        try (Device dev = BlkDebug.builder().memory(4096).open()) {
            dev.write(0, ByteBuffer.allocate(512));
            assertThat(Leftovers.find(dev, WAIT)).isEmpty();
        }
    }

    @Test
    void breakpointNeverHitIsALeftover() throws Exception {
        try (Device dev = BlkDebug.builder().memory(4096).open()) {
            dev.breakpoint(Event.FLUSH_TO_DISK, "F");
            assertThat(Leftovers.find(dev, WAIT)).containsExactly("breakpoint 'F' on flush_to_disk never hit");
        }
    }

    @Test
    void requestStillSuspendedIsALeftover() throws Exception {
        try (Device dev = BlkDebug.builder().memory(4096).open()) {
            dev.breakpoint(Event.WRITE_AIO, "A");
            dev.writeAsync(512, new ByteBuffer[] {ByteBuffer.allocate(512)}, null);
            assertThat(dev.awaitSuspended("A", WAIT)).isTrue();
            assertThat(Leftovers.find(dev, WAIT))
                    .containsExactly("a write request (offset 512, 512 bytes) suspended at breakpoint 'A'");
        } // close resumes it
    }
}
