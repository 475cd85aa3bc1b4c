package org.blkdebug.engine.request;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
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
                pacer.pace();
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
    void aRequestWaitingForItsRoundIsQuiescentAndBusyAgainOnceReleased() throws Exception {
        RequestTracker tracker = new RequestTracker();
        Pacer pacer = new Pacer(tracker);
        Request r = tracker.begin(Operation.WRITE, 0, 512, null);
        var resumed = new java.util.concurrent.CountDownLatch(1);
        var finish = new java.util.concurrent.CountDownLatch(1);
        Thread t = Thread.ofVirtual().start(() -> {
            pacer.pace();
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
            pacer.pace();
            pacer.pace(); // after stop: does not wait
            tracker.end(r);
        });
        assertThat(tracker.awaitQuiescence(WAIT)).isTrue();
        pacer.stop();
        t.join(WAIT);
        assertThat(t.isAlive()).isFalse();
        assertThat(tracker.awaitIdle(WAIT)).isTrue();
    }
}
