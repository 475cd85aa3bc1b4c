package org.blkdebug.engine.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.blkdebug.engine.reliability.Reliability.WAIT;
import static org.blkdebug.engine.reliability.Reliability.filled;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.blkdebug.engine.BlkDebug;
import org.blkdebug.engine.BlkDebugListener;
import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.Device;
import org.blkdebug.engine.Errno;
import org.blkdebug.engine.Event;
import org.blkdebug.engine.OpenException;
import org.junit.jupiter.api.Test;

/**
 * Every way a resume can race a suspension. A lost wake-up leaves a request parked forever: its
 * caller hangs, quiescence is never reached and close waits for its drain timeout. Each test
 * repeats its race many times and ends with no request in flight.
 */
class LostWakeupTest {
    private static final int ITERATIONS = 500;

    private static Device memory() throws OpenException {
        return BlkDebug.builder().memory(1 << 20).open();
    }

    private static CompletableFuture<Void> write(Device dev, long off) {
        return dev.writeAsync(off, new ByteBuffer[] {filled(512, 0x5a)}, null);
    }

    private static void assertNothingInFlight(Device dev) throws InterruptedException {
        Reliability.awaitQuiescence(dev, "end of iteration");
        assertThat(dev.requests()).as("requests left in flight").isEmpty();
    }

    @Test
    void resumeBeforeParkIsNotLost() throws Exception {
        // Why: the resume can come between "registered as suspended" and "parked" (here it comes
        // from the Suspended message itself, on the request's own thread, before it parks). If
        // that release were lost the request would park for good.
        AtomicInteger resumed = new AtomicInteger();
        try (Device dev = memory()) {
            dev.setListener(new BlkDebugListener() {
                @Override
                public void suspended(String tag) {
                    try {
                        dev.resume(tag);
                        resumed.incrementAndGet();
                    } catch (BlockException e) {
                        throw new AssertionError("resume from the Suspended message: " + e, e);
                    }
                }
            });
            for (int i = 0; i < ITERATIONS; i++) {
                dev.breakpoint(Event.WRITE_AIO, "A");
                Reliability.outcome(write(dev, 0), "write " + i);
            }
            assertThat(resumed).hasValue(ITERATIONS);
            assertNothingInFlight(dev);
        }
    }

    @Test
    void resumeRacingWithTheParkIsNotLost() throws Exception {
        // Why: the same race left to the scheduler: a thread resumes the moment the tag shows up,
        // which lands before, during or after the request's park.
        try (Device dev = memory()) {
            for (int i = 0; i < ITERATIONS; i++) {
                dev.breakpoint(Event.WRITE_AIO, "A");
                CompletableFuture<Void> f = write(dev, 0);
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (true) {
                    try {
                        dev.resume("A");
                        break;
                    } catch (BlockException e) {
                        assertThat(e.errno()).isEqualTo(Errno.ENOENT);
                        if (System.nanoTime() > deadline) {
                            throw Reliability.hung("iteration " + i + ": never suspended");
                        }
                        Thread.onSpinWait();
                    }
                }
                assertThat(Reliability.outcome(f, "write " + i)).isZero();
            }
            assertNothingInFlight(dev);
        }
    }

    @Test
    void resumeRacingWithRemoveBreakpointReleasesTheRequestOnce() throws Exception {
        // Why: both take the suspended request off the tag's list; exactly one must release it,
        // and the loser must answer ENOENT (or nothing at all for remove), never hang or throw.
        // Each release says "Resuming request": exactly one such message per request.
        AtomicInteger resumings = new AtomicInteger();
        try (Device dev = memory()) {
            dev.setListener(new BlkDebugListener() {
                @Override
                public void resuming(String tag) {
                    resumings.incrementAndGet();
                }
            });
            for (int i = 0; i < ITERATIONS; i++) {
                int before = resumings.get();
                dev.breakpoint(Event.WRITE_AIO, "A");
                CompletableFuture<Void> f = write(dev, 0);
                assertThat(dev.awaitSuspended("A", WAIT)).isTrue();
                if (i % 2 == 0) {
                    dev.breakpoint(Event.READ_AIO, "A"); // remove then also has a breakpoint to delete
                }
                CyclicBarrier go = new CyclicBarrier(2);
                CompletableFuture<Integer> resume = race(go, () -> dev.resume("A"));
                CompletableFuture<Integer> remove = race(go, () -> dev.removeBreakpoint("A"));
                int rs = Reliability.await(resume, "resume");
                int rm = Reliability.await(remove, "remove_break");
                assertThat(rs).isIn(0, Errno.ENOENT);
                assertThat(rm).isIn(0, Errno.ENOENT);
                assertThat(rs == 0 || rm == 0).as("one of them released the request").isTrue();
                assertThat(Reliability.outcome(f, "write " + i)).isZero();
                assertThat(resumings.get() - before).as("releases of the one request, iteration %d", i).isEqualTo(1);
                try {
                    dev.removeBreakpoint("A"); // whatever the race left behind
                } catch (BlockException e) {
                    assertThat(e.errno()).isEqualTo(Errno.ENOENT);
                }
                assertThat(dev.isSuspended("A")).isFalse();
            }
            assertNothingInFlight(dev);
        }
    }

    @Test
    void twoResumesOfOneTagReleaseBothSuspendedRequests() throws Exception {
        // Why: two requests suspended under one tag and two concurrent resumes: each resume must
        // take a different request (newest first), none may be released twice or skipped.
        try (Device dev = memory()) {
            for (int i = 0; i < ITERATIONS / 2; i++) {
                dev.breakpoint(Event.WRITE_AIO, "A");
                CompletableFuture<Void> first = write(dev, 0);
                Reliability.awaitQuiescence(dev, "first suspended");
                dev.breakpoint(Event.WRITE_AIO, "A");
                CompletableFuture<Void> second = write(dev, 4096);
                Reliability.awaitQuiescence(dev, "second suspended");
                assertThat(dev.requests()).hasSize(2);
                CyclicBarrier go = new CyclicBarrier(2);
                CompletableFuture<Integer> r1 = race(go, () -> dev.resume("A"));
                CompletableFuture<Integer> r2 = race(go, () -> dev.resume("A"));
                assertThat(Reliability.await(r1, "resume 1")).isZero();
                assertThat(Reliability.await(r2, "resume 2")).isZero();
                assertThat(Reliability.outcome(first, "first")).isZero();
                assertThat(Reliability.outcome(second, "second")).isZero();
                assertThat(dev.isSuspended("A")).isFalse();
            }
            assertNothingInFlight(dev);
        }
    }

    @Test
    void removeBreakpointWhileRequestsAreBeingSuspendedLeavesNoneParked() throws Exception {
        // Why: remove_break takes the list of suspended requests at one instant; a request that
        // registers its suspension just after must stay resumable, and one that registers just
        // before must be released, wherever the park itself happens.
        long seed = Reliability.seed("removeBreakpointWhileRequestsAreBeingSuspendedLeavesNoneParked");
        Reliability.withSeed(seed, () -> {
            Random rnd = new Random(seed);
            try (Device dev = BlkDebug.builder().memory(1 << 20).align(4096).open()) {
                AtomicBoolean stop = new AtomicBoolean();
                ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
                Event[] events = {Event.WRITE_AIO, Event.PWRITEV, Event.PWRITEV_RMW_HEAD, Event.PWRITEV_RMW_AFTER_TAIL,
                    Event.PWRITEV_DONE, Event.READ_AIO};
                long armSeed = rnd.nextLong();
                Thread arming = Thread.ofVirtual().start(() -> {
                    Random r = new Random(armSeed);
                    while (!stop.get()) {
                        try {
                            dev.breakpoint(events[r.nextInt(events.length)], "X");
                        } catch (BlockException e) {
                            errors.add(e);
                        }
                        Thread.yield();
                    }
                });
                Thread removing = Thread.ofVirtual().start(() -> {
                    while (!stop.get()) {
                        try {
                            dev.removeBreakpoint("X");
                        } catch (BlockException e) {
                            if (e.errno() != Errno.ENOENT) {
                                errors.add(e);
                            }
                        }
                        Thread.yield();
                    }
                });
                List<CompletableFuture<Void>> all = new ArrayList<>();
                for (int i = 0; i < 4000; i++) {
                    long off = rnd.nextInt(2048) * 512L;
                    all.add(rnd.nextInt(4) == 0 ? dev.readAsync(off, new ByteBuffer[] {ByteBuffer.allocate(512)}, null)
                            : write(dev, off));
                    if (i % 64 == 0) {
                        Thread.sleep(1);
                    }
                }
                stop.set(true);
                Reliability.join(arming, "arming");
                Reliability.join(removing, "removing");
                try {
                    dev.removeBreakpoint("X"); // the last word: nothing may stay parked after it
                } catch (BlockException e) {
                    assertThat(e.errno()).isEqualTo(Errno.ENOENT);
                }
                Reliability.awaitAll(all, WAIT, "requests after the last remove_break");
                for (CompletableFuture<Void> f : all) {
                    assertThat(Reliability.outcome(f, "request")).isZero();
                }
                assertThat(errors).isEmpty();
                assertNothingInFlight(dev);
            }
        });
    }

    @Test
    void closeRacingWithSuspensionsLeavesNoRequestParked() throws Exception {
        // Why: close resumes the suspended requests and stops breakpoints from suspending; a
        // request registering its suspension while close runs must not be missed by either, and
        // a request submitted while close runs must either finish before the image is released
        // or be refused with ENOMEDIUM -- never reach the closed image.
        long seed = Reliability.seed("closeRacingWithSuspensionsLeavesNoRequestParked");
        Reliability.withSeed(seed, () -> {
            Random rnd = new Random(seed);
            for (int i = 0; i < 200; i++) {
                FaultyBackend backend = new FaultyBackend(1 << 20);
                Device dev = BlkDebug.builder().backend(backend, "faulty").align(4096).open();
                for (int b = 0; b < 20; b++) {
                    dev.breakpoint(b % 2 == 0 ? Event.WRITE_AIO : Event.PWRITEV_RMW_AFTER_HEAD, "t" + (b % 3));
                }
                ConcurrentLinkedQueue<CompletableFuture<Void>> all = new ConcurrentLinkedQueue<>();
                int submitters = 4;
                CyclicBarrier go = new CyclicBarrier(submitters + 1);
                List<Thread> threads = new ArrayList<>();
                for (int t = 0; t < submitters; t++) {
                    long s = rnd.nextLong();
                    threads.add(Thread.ofVirtual().start(() -> {
                        Random r = new Random(s);
                        try {
                            go.await(10, TimeUnit.SECONDS);
                            for (int k = 0; k < 10; k++) {
                                all.add(write(dev, r.nextInt(2048) * 512L));
                                Thread.yield();
                            }
                        } catch (Exception e) {
                            throw new AssertionError(e);
                        }
                    }));
                }
                go.await(10, TimeUnit.SECONDS);
                for (int spin = rnd.nextInt(2000); spin > 0; spin--) {
                    Thread.onSpinWait();
                }
                CompletableFuture<Void> closed = CompletableFuture.runAsync(() -> {
                    try {
                        dev.close();
                    } catch (BlockException e) {
                        throw new AssertionError(e);
                    }
                }, r -> Thread.ofVirtual().start(r));
                Reliability.await(closed, "close " + i);
                for (Thread t : threads) {
                    Reliability.join(t, "submitter");
                }
                Reliability.awaitAll(all, WAIT, "requests of iteration " + i);
                for (CompletableFuture<Void> f : all) {
                    // finished before close, or refused because the device was closed
                    assertThat(Reliability.outcome(f, "request")).as("iteration %d", i).isIn(0, Errno.ENOMEDIUM);
                }
                assertThat(backend.callsAfterClose()).as("backend calls after close, iteration %d", i).isZero();
                assertThat(dev.requests()).isEmpty();
            }
        });
    }

    @Test
    void closeWhileRequestsAreSuspendedResumesAndFinishesThem() throws Exception {
        // Why: close is the last resort of a stuck session: it must finish every suspended request
        // (with its real outcome), including ones stacked under one tag and ones parked twice.
        for (int i = 0; i < 50; i++) {
            Device dev = BlkDebug.builder().memory(1 << 20).align(4096).open();
            dev.breakpoint(Event.WRITE_AIO, "A");
            dev.breakpoint(Event.WRITE_AIO, "B");       // the first write parks twice
            CompletableFuture<Void> twice = write(dev, 0);
            Reliability.awaitQuiescence(dev, "parked twice");
            dev.breakpoint(Event.PWRITEV_RMW_AFTER_HEAD, "A");
            CompletableFuture<Void> rmw = write(dev, 8192 + 512);
            Reliability.awaitQuiescence(dev, "rmw parked");
            CompletableFuture<Void> waiting = write(dev, 8192 + 1024); // waits for the RMW
            Reliability.awaitQuiescence(dev, "overlapping write waiting");
            assertThat(dev.requests()).hasSize(3);
            CountDownLatch closing = new CountDownLatch(1);
            Thread closer = Thread.ofVirtual().start(() -> {
                closing.countDown();
                try {
                    dev.close();
                } catch (BlockException e) {
                    throw new AssertionError(e);
                }
            });
            assertThat(closing.await(10, TimeUnit.SECONDS)).isTrue();
            Reliability.join(closer, "close");
            assertThat(Reliability.outcome(twice, "parked twice")).isZero();
            assertThat(Reliability.outcome(rmw, "rmw")).isZero();
            assertThat(Reliability.outcome(waiting, "waiting")).isZero();
            assertThat(dev.requests()).isEmpty();
        }
    }

    @FunctionalInterface
    interface Call {
        void run() throws BlockException;
    }

    /** Runs {@code c} on its own thread once both racers are at the barrier; its errno or 0. */
    private static CompletableFuture<Integer> race(CyclicBarrier go, Call c) {
        CompletableFuture<Integer> f = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                go.await(10, TimeUnit.SECONDS);
                c.run();
                f.complete(0);
            } catch (BlockException e) {
                f.complete(e.errno());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f;
    }
}
