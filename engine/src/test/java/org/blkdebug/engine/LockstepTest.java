package org.blkdebug.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.blkdebug.engine.BreakpointTest.buf;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Lockstep (the shell's pacing of requests, {@link Device#lockstep()}): a request waits after
 * each backend call until its caller runs a round; without it (the API, NBD sessions) requests
 * run free.
 */
class LockstepTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void requestsThroughTheApiCompleteWithoutAnyRound() throws Exception {
        // the API never turns lockstep on: nothing may wait for a poll nobody runs
        try (BlockDevice dev = TestDevices.stack().cache(CacheMode.WRITETHROUGH).open()) {
            dev.writeAsync(0, buf(512, 1), null).get(10, TimeUnit.SECONDS);
            dev.write(512, ByteBuffer.wrap(new byte[512]));
            dev.flushAsync(null).get(10, TimeUnit.SECONDS);
            dev.readAsync(0, buf(512, 0), null).get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void underLockstepARequestWaitsAfterEachBackendCallForARound() throws Exception {
        // writethrough: the write's pwrite, then the flush that makes it durable: two rounds
        try (BlockDevice dev = TestDevices.stack().cache(CacheMode.WRITETHROUGH).open()) {
            Lockstep l = dev.lockstep();
            CompletableFuture<Void> f = dev.writeAsync(0, buf(512, 1), null);
            assertThat(dev.awaitQuiescence(WAIT)).isTrue();
            assertThat(f).isNotDone();
            assertThat(l.waiting()).isTrue();
            assertThat(l.round()).isEqualTo(1);
            assertThat(dev.awaitQuiescence(WAIT)).isTrue();
            assertThat(f).as("its flush waits for the next round").isNotDone();
            assertThat(l.round()).isEqualTo(1);
            f.get(10, TimeUnit.SECONDS);
            assertThat(l.waiting()).isFalse();
            assertThat(l.round()).isZero();
        }
    }

    @Test
    void aBreakpointSetAfterSubmissionCatchesTheWriteWaitingForItsRound() throws Exception {
        // QEMU: `aio_write`, then `break pwritev_done A`, then `wait_break A` suspends the write
        TestDevices s = TestDevices.stack();
        try (BlockDevice dev = s.open()) {
            Lockstep l = dev.lockstep();
            CompletableFuture<Void> f = dev.writeAsync(0, buf(512, 1), null);
            assertThat(dev.awaitQuiescence(WAIT)).isTrue();
            dev.breakpoint(Event.PWRITEV_DONE, "A");
            assertThat(l.round()).isEqualTo(1);
            assertThat(dev.awaitSuspended("A", WAIT)).isTrue();
            assertThat(dev.awaitQuiescence(WAIT)).isTrue(); // its "Suspended" line is out
            dev.resume("A");
            f.get(10, TimeUnit.SECONDS);
            assertThat(s.messages.lines).containsExactly(
                    "blkdebug: Suspended request 'A'", "blkdebug: Resuming request 'A'");
        }
    }

    @Test
    void aSynchronousCallRunsTheRoundsItNeedsAndMovesOthersWithIt() throws Exception {
        // the shell's `truncate` or `map` on its own thread: BDRV_POLL_WHILE polls the loop
        try (BlockDevice dev = TestDevices.stack().open()) {
            dev.lockstep();
            CompletableFuture<Void> f = dev.writeAsync(0, buf(512, 1), null);
            assertThat(dev.awaitQuiescence(WAIT)).isTrue();
            CompletableFuture.runAsync(() -> {
                try {
                    dev.truncate(2 << 20);
                } catch (BlockException e) {
                    throw new IllegalStateException(e);
                }
            }).get(10, TimeUnit.SECONDS);
            assertThat(dev.length()).isEqualTo(2 << 20);
            f.get(10, TimeUnit.SECONDS); // its round came with the truncate's
        }
    }

    @Test
    void aRequestARuleReschedulesAndLetsSucceedGoesOnOnlyInARound() throws Exception {
        // QEMU: an immediately=off rule reschedules the coroutine to a bottom half; with a negative
        // errno it then "succeeds" without I/O and goes on, but only when the loop runs. Without the
        // wait, a qcow2 write went on to link its clusters before a `map` that does not poll
        // (difftest seed 50001 session 288). Here write_aio arms the rule and the pwritev meets it.
        try (BlockDevice dev = TestDevices.stack()
                .inject(Rule.InjectError.of(Event.WRITE_AIO).withErrno(-5).withImmediately(false)).open()) {
            Lockstep l = dev.lockstep();
            CompletableFuture<Void> f = dev.writeAsync(0, buf(512, 1), null);
            assertThat(dev.awaitQuiescence(WAIT)).isTrue();
            assertThat(f).as("rescheduled: it waits for the loop").isNotDone();
            assertThat(l.bottomHalves()).hasSize(1);
            f.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aSessionOfALockstepDeviceRunsFree() throws Exception {
        // NBD clients go through sessions: they are served as qemu-nbd serves them, at once
        try (BlockDevice dev = TestDevices.stack().open()) {
            dev.lockstep();
            Device nbd = dev.session("nbd#1");
            nbd.writeAsync(0, buf(512, 1), null).get(10, TimeUnit.SECONDS);
            assertThat(nbd.lockstep()).isNull();
        }
    }

    @Test
    void closeLetsRequestsWaitingForARoundFinish() throws Exception {
        BlockDevice dev = TestDevices.stack().open();
        dev.lockstep();
        CompletableFuture<Void> f = dev.writeAsync(0, buf(512, 1), null);
        assertThat(dev.awaitQuiescence(WAIT)).isTrue();
        CompletableFuture.runAsync(() -> {
            try {
                dev.close();
            } catch (BlockException e) {
                throw new IllegalStateException(e);
            }
        }).get(10, TimeUnit.SECONDS);
        f.get(10, TimeUnit.SECONDS);
    }
}
