package org.blkdebug.engine.request;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.blkdebug.engine.Operation;
import org.blkdebug.engine.Phase;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class WaiterTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void resumeBeforeParkIsNotLost() throws Exception {
        RequestTracker tracker = new RequestTracker();
        Request r = tracker.begin(Operation.WRITE, 0, 512, null);
        Waiter[] w = new Waiter[1];
        Thread t = Thread.ofVirtual().unstarted(() -> {
            w[0] = new Waiter(r, Phase.SUSPENDED, "A");
            w[0].release(); // the release wins the race: park must return at once
            w[0].park();
            tracker.end(r);
        });
        t.start();
        t.join(WAIT);
        assertThat(t.isAlive()).isFalse();
        assertThat(tracker.awaitIdle(WAIT)).isTrue();
    }

    @RepeatedTest(50)
    void quiescenceIsNeverSeenBetweenReleaseAndWakeUp() throws Exception {
        // the releaser counts the request busy again before the parked thread runs
        RequestTracker tracker = new RequestTracker();
        Request r = tracker.begin(Operation.WRITE, 0, 512, null);
        var registered = new java.util.concurrent.CompletableFuture<Waiter>();
        Thread t = Thread.ofVirtual().start(() -> {
            Waiter w = new Waiter(r, Phase.SUSPENDED, "A");
            registered.complete(w);
            w.park();
            tracker.end(r);
        });
        Waiter w = registered.get();
        assertThat(tracker.awaitQuiescence(WAIT)).isTrue(); // parked
        w.release();
        // busy until the request ends: quiescence now means it has ended
        assertThat(tracker.awaitQuiescence(WAIT)).isTrue();
        assertThat(r.phase()).isEqualTo(Phase.DONE);
        t.join(WAIT);
    }

    @Test
    void aReleaseWhileTheRequestWakesAQuiescenceWaiterIsNotLost() throws Exception {
        // as PacerTest's round: the park inside quiet() (the tracker's lock) must not use up the
        // release's unpark for good
        RequestTracker tracker = new RequestTracker();
        Request r = tracker.begin(Operation.WRITE, 0, 512, null);
        var registered = new java.util.concurrent.CompletableFuture<Waiter>();
        Thread t;
        try (ContendedTrackerLock held = new ContendedTrackerLock(tracker)) {
            t = Thread.ofVirtual().start(() -> {
                Waiter w = new Waiter(r, Phase.SUSPENDED, "A");
                registered.complete(w);
                w.park();
                tracker.end(r);
            });
            held.awaitQueued(t); // PARKED and quiescent: a resume may come
            registered.get().release();
        }
        try {
            assertThat(t.join(WAIT)).as("released, it went on").isTrue();
            assertThat(tracker.awaitIdle(WAIT)).isTrue();
        } finally {
            java.util.concurrent.locks.LockSupport.unpark(t);
        }
    }
}
