package org.blkdebug.engine.request;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import org.blkdebug.engine.Operation;
import org.junit.jupiter.api.Test;

/** The gate behind lockstep: one park per backend call, released by a round. */
class PacerTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void aRoundThatComesBeforeTheParkIsNotLost() throws Exception {
        // the shell runs rounds as soon as it sees a gate registered: often before the request
        // has parked; a lost round would leave the request waiting for good
        RequestTracker tracker = new RequestTracker();
        Pacer pacer = new Pacer(tracker);
        for (int i = 0; i < 2000; i++) {
            Request r = tracker.begin(Operation.WRITE, 0, 512, null);
            Thread t = Thread.ofVirtual().start(() -> {
                pacer.pace(pacer.stamp(), false, false);
                tracker.end(r);
            });
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (pacer.round() == 0 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            t.join(WAIT);
            assertThat(t.isAlive()).as("iteration %d", i).isFalse();
        }
        assertThat(tracker.awaitIdle(WAIT)).isTrue();
    }

    @Test
    void aRoundWhileTheRequestWakesAQuiescenceWaiterIsNotLost() throws Exception {
        // Going quiet at its gate, a request wakes whoever waits for quiescence, which takes the
        // tracker's lock and may park on it; a round that comes meanwhile unparks the request
        // there, and the park at the gate must not then wait for an unpark already spent (the
        // shell hung in a script's last read, about once in a few hundred runs under load).
        RequestTracker tracker = new RequestTracker();
        Pacer pacer = new Pacer(tracker);
        Request r = tracker.begin(Operation.READ, 0, 512, null);
        Thread t;
        try (ContendedTrackerLock held = new ContendedTrackerLock(tracker)) {
            t = Thread.ofVirtual().start(() -> {
                pacer.pace(pacer.stamp(), false, false);
                tracker.end(r);
            });
            held.awaitQueued(t); // its gate is PARKED and it is quiescent: the shell may round
            assertThat(pacer.round()).isEqualTo(1);
        }
        try {
            assertThat(t.join(WAIT)).as("released at its gate, it went on").isTrue();
            assertThat(tracker.awaitIdle(WAIT)).isTrue();
        } finally {
            LockSupport.unpark(t); // without the fix, let it go rather than leak it
        }
    }

    @Test
    void aRequestWaitingForItsRoundIsQuiescentAndBusyAgainOnceReleased() throws Exception {
        RequestTracker tracker = new RequestTracker();
        Pacer pacer = new Pacer(tracker);
        Request r = tracker.begin(Operation.WRITE, 0, 512, null);
        var resumed = new java.util.concurrent.CountDownLatch(1);
        var finish = new java.util.concurrent.CountDownLatch(1);
        Thread t = Thread.ofVirtual().start(() -> {
            pacer.pace(pacer.stamp(), false, false);
            resumed.countDown();
            try {
                finish.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            tracker.end(r);
        });
        assertThat(tracker.awaitQuiescence(WAIT)).isTrue();
        assertThat(pacer.waiting()).isTrue();
        assertThat(pacer.round()).isEqualTo(1);
        assertThat(tracker.quiescent()).as("busy again before round() returns").isFalse();
        assertThat(resumed.await(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(pacer.waiting()).isFalse();
        finish.countDown();
        t.join(WAIT);
        assertThat(tracker.awaitIdle(WAIT)).isTrue();
    }

    @Test
    void stoppedPacerLetsEveryRequestGoAndHoldsNoneAfterwards() throws Exception {
        RequestTracker tracker = new RequestTracker();
        Pacer pacer = new Pacer(tracker);
        Request r = tracker.begin(Operation.WRITE, 0, 512, null);
        Thread t = Thread.ofVirtual().start(() -> {
            pacer.pace(pacer.stamp(), false, false);
            pacer.pace(pacer.stamp(), false, false); // after stop: does not wait
            tracker.end(r);
        });
        assertThat(tracker.awaitQuiescence(WAIT)).isTrue();
        pacer.stop();
        t.join(WAIT);
        assertThat(t.isAlive()).isFalse();
        assertThat(tracker.awaitIdle(WAIT)).isTrue();
    }

    @Test
    void aRoundContinuesItsRequestsOneAtATimeNewestCallFirstAndFlushesLast() throws Exception {
        // QEMU's thread-pool bottom half continues coroutines one after another, newest call
        // first; fdatasync finishes after the quick calls, in the order flushes began
        java.util.List<String> order = runOneRound(false, "flush-1", "write-2", "flush-3", "write-4");
        assertThat(order).containsExactly("write-4", "write-2", "flush-1", "flush-3");
    }

    @Test
    void underODirectCallsGoInTheOrderTheyBeganAndAFlushAfterThemAll() throws Exception {
        // O_DIRECT calls finish in the order they began; an fdatasync takes longer still, so a
        // write begun after it goes on first (scenarios 303, 304: a directsync write's FUA flush
        // then reads the write generation before the earlier write's flush is done)
        java.util.List<String> order = runOneRound(true, "flush-1", "write-2", "flush-3", "write-4");
        assertThat(order).containsExactly("write-2", "write-4", "flush-1", "flush-3");
    }

    /**
     * Parks one request per name after a backend call (named "flush-..." for a flush), the calls
     * begun in the names' order and parked in the reverse, runs one round and returns the order
     * in which the round let them go; asserts it let them go one at a time.
     */
    private static java.util.List<String> runOneRound(boolean direct, String... names) throws Exception {
        RequestTracker tracker = new RequestTracker();
        Pacer pacer = new Pacer(tracker, direct);
        java.util.List<String> order = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        java.util.concurrent.atomic.AtomicInteger running = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean overlapped = new java.util.concurrent.atomic.AtomicBoolean();
        long[] stamps = new long[names.length];
        for (int i = 0; i < names.length; i++) {
            stamps[i] = pacer.stamp();
        }
        java.util.List<Thread> threads = new java.util.ArrayList<>();
        for (int i = names.length - 1; i >= 0; i--) { // parked in the reverse of the calls' order
            String name = names[i];
            long stamp = stamps[i];
            Request r = tracker.begin(Operation.WRITE, 0, 512, null);
            threads.add(Thread.ofVirtual().start(() -> {
                pacer.pace(stamp, name.startsWith("flush"), false);
                if (running.incrementAndGet() > 1) {
                    overlapped.set(true);
                }
                order.add(name);
                try {
                    Thread.sleep(20); // long enough for a second request to run if it was let go
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                running.decrementAndGet();
                tracker.end(r);
            }));
            assertThat(tracker.awaitQuiescence(WAIT)).isTrue();
        }
        assertThat(pacer.round()).isEqualTo(names.length);
        for (Thread t : threads) {
            t.join(WAIT);
        }
        assertThat(overlapped).as("two requests of one round ran at once").isFalse();
        return order;
    }
}
