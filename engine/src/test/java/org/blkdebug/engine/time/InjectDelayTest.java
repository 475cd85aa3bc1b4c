package org.blkdebug.engine.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.blkdebug.engine.BlkDebug;
import org.blkdebug.engine.Device;
import org.blkdebug.engine.Event;
import org.blkdebug.engine.IoType;
import org.blkdebug.engine.Phase;
import org.blkdebug.engine.RequestInfo;
import org.blkdebug.engine.Rule;
import org.junit.jupiter.api.Test;

/** {@code [inject-delay]} on the wall clock and on virtual time. */
class InjectDelayTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private static Rule.InjectDelay delay(Event e, Duration d) {
        return Rule.InjectDelay.of(e, d);
    }

    private static Phase phaseOf(Device dev) {
        List<RequestInfo> rs = dev.requests();
        return rs.isEmpty() ? null : rs.getFirst().phase();
    }

    @Test
    void aDelayedRequestSleepsAtLeastItsDelayAndIsQuiescentMeanwhile() throws Exception {
        try (Device dev = BlkDebug.builder().memory(1 << 20)
                .injectDelay(delay(Event.WRITE_AIO, Duration.ofMillis(200))).open()) {
            long t0 = System.nanoTime();
            CompletableFuture<Void> w = dev.writeAsync(0, new ByteBuffer[] {ByteBuffer.allocate(512)}, null);
            assertThat(dev.awaitQuiescence(WAIT)).isTrue();
            if (!w.isDone()) { // on a slow machine the delay may be over already
                assertThat(phaseOf(dev)).isEqualTo(Phase.DELAYED);
            }
            w.get(10, TimeUnit.SECONDS);
            assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(Duration.ofMillis(200).toNanos());
        }
    }

    @Test
    void aDelaySelectsRequestsByIotypeSectorStateAndOnce() throws Exception {
        Duration d = Duration.ofHours(1); // on virtual time: never reached unless time is moved
        try (Device dev = BlkDebug.builder().memory(1 << 20).virtualClock(true)
                .setState(new Rule.SetState(Event.FLUSH_TO_OS, 1, 2))
                .injectDelay(delay(Event.READ_AIO, d).withIoType(IoType.READ).withSector(8).withState(2).withOnce(true))
                .open()) {
            dev.read(0, ByteBuffer.allocate(512)); // state 1: not delayed
            dev.flush();
            dev.read(0, ByteBuffer.allocate(512)); // sector 0: not delayed
            assertThat(dev.clock().nanos()).isZero();
            CompletableFuture<Void> r = dev.readAsync(4096, new ByteBuffer[] {ByteBuffer.allocate(512)}, null);
            assertThat(dev.awaitQuiescence(WAIT)).isTrue();
            assertThat(phaseOf(dev)).isEqualTo(Phase.DELAYED);
            assertThat(r).isNotDone();
            dev.clock().await(r, Duration.ofHours(2));
            assertThat(dev.clock().nanos()).isEqualTo(d.toNanos());
            dev.read(4096, ByteBuffer.allocate(512)); // once: gone
            assertThat(dev.clock().nanos()).isEqualTo(d.toNanos());
            assertThat(dev.rules().get(Event.READ_AIO)).isNull();
        }
    }

    @Test
    void aBreakpointBesideADelayForAnotherSectorStillSuspends() throws Exception {
        // Why: an event whose rules are all delays for other requests skips the lock; a
        // breakpoint added later on that event must end that shortcut
        try (Device dev = BlkDebug.builder().memory(1 << 20).virtualClock(true)
                .injectDelay(delay(Event.READ_AIO, Duration.ofHours(1)).withSector(8)).open()) {
            dev.read(0, ByteBuffer.allocate(512)); // another sector: not delayed, no lock
            assertThat(dev.clock().nanos()).isZero();
            dev.breakpoint("read_aio", "R");
            CompletableFuture<Void> r = dev.readAsync(0, new ByteBuffer[] {ByteBuffer.allocate(512)}, null);
            assertThat(dev.awaitSuspended("R", WAIT)).isTrue();
            dev.resume("R");
            r.get(10, TimeUnit.SECONDS);
            assertThat(dev.clock().nanos()).isZero();
        }
    }

    @Test
    void onVirtualTimeASynchronousRequestMovesTheClockAndTakesNoWallTime() throws Exception {
        // Why: a test of a client's timeouts must not wait for real
        try (Device dev = BlkDebug.builder().memory(1 << 20).virtualClock(true)
                .injectDelay(delay(Event.WRITE_AIO, Duration.ofMinutes(10))).open()) {
            long t0 = System.nanoTime();
            dev.write(0, ByteBuffer.allocate(512));
            assertThat(dev.clock().nanos()).isEqualTo(Duration.ofMinutes(10).toNanos());
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void delayedRequestsWakeInTheOrderOfTheirTimeOnVirtualTime() throws Exception {
        // completion reports are queued before a request leaves the device, so their order is
        // the order of the wake-ups (callbacks on futures run after, concurrently with the clock)
        try (Device dev = BlkDebug.builder().memory(1 << 20).virtualClock(true)
                .injectDelay(delay(Event.WRITE_AIO, Duration.ofMillis(30)).withSector(0))
                .injectDelay(delay(Event.WRITE_AIO, Duration.ofMillis(10)).withSector(8))
                .injectDelay(delay(Event.WRITE_AIO, Duration.ofMillis(20)).withSector(16)).open()) {
            dev.reportCompletions(true);
            for (int s : new int[] {0, 8, 16}) {
                dev.writeAsync(s * 512L, new ByteBuffer[] {ByteBuffer.allocate(512)}, s);
            }
            assertThat(dev.awaitQuiescence(WAIT)).isTrue();
            dev.clock().sleep(Duration.ofMillis(25));
            assertThat(drain(dev)).containsExactly(8, 16);
            assertThat(dev.clock().nanos()).isEqualTo(Duration.ofMillis(25).toNanos());
            dev.clock().sleep(Duration.ofMillis(25));
            assertThat(drain(dev)).containsExactly(0);
            assertThat(dev.clock().nanos()).isEqualTo(Duration.ofMillis(50).toNanos());
        }
    }

    private static List<Object> drain(Device dev) {
        List<Object> out = new ArrayList<>();
        for (org.blkdebug.engine.Completion c; (c = dev.pollCompletion()) != null; ) {
            out.add(c.attachment());
        }
        return out;
    }

    @Test
    void aClientTimeoutFiresInVirtualTimeWhenNothingWakesEarlier() throws Exception {
        try (Device dev = BlkDebug.builder().memory(1 << 20).virtualClock(true)
                .injectDelay(delay(Event.READ_AIO, Duration.ofSeconds(30))).open()) {
            CompletableFuture<Void> r = dev.readAsync(0, new ByteBuffer[] {ByteBuffer.allocate(512)}, null);
            assertThatThrownBy(() -> dev.clock().await(r, Duration.ofSeconds(5))).isInstanceOf(TimeoutException.class);
            assertThat(dev.clock().nanos()).isEqualTo(Duration.ofSeconds(5).toNanos());
            dev.clock().await(r, Duration.ofSeconds(60)); // the request's own time comes at 30 s
            assertThat(dev.clock().nanos()).isEqualTo(Duration.ofSeconds(30).toNanos());
        }
    }

    @Test
    void closeWakesDelayedRequests() throws Exception {
        Device dev = BlkDebug.builder().memory(1 << 20)
                .injectDelay(delay(Event.WRITE_AIO, Duration.ofHours(1))).open();
        CompletableFuture<Void> w = dev.writeAsync(0, new ByteBuffer[] {ByteBuffer.allocate(512)}, null);
        assertThat(dev.awaitQuiescence(WAIT)).isTrue();
        long t0 = System.nanoTime();
        dev.close();
        w.get(10, TimeUnit.SECONDS);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(WAIT);
    }

    @Test
    void anEventFiredFromAboveIsDelayedOnlyByARuleWithoutIotype() throws Exception {
        try (Device dev = BlkDebug.builder().memory(1 << 20).virtualClock(true).customEvent("commit")
                .injectDelay(Rule.InjectDelay.of(new org.blkdebug.engine.CustomEvent("commit"), Duration.ofSeconds(3)))
                .open()) {
            CompletableFuture<Void> f = CompletableFuture.runAsync(
                    () -> dev.event(new org.blkdebug.engine.CustomEvent("commit")), r -> Thread.ofVirtual().start(r));
            // virtual time may jump as soon as nothing is in flight: wait until the event is delayed
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (phaseOf(dev) != Phase.DELAYED && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertThat(phaseOf(dev)).isEqualTo(Phase.DELAYED);
            dev.clock().await(f, Duration.ofSeconds(10));
            assertThat(dev.clock().nanos()).isEqualTo(Duration.ofSeconds(3).toNanos());
        }
    }
}
