package org.blkdebug.engine.request;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.blkdebug.engine.Operation;
import org.blkdebug.engine.RequestInfo;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** The in-flight set under concurrent begin/end: what a snapshot and awaitIdle see. */
class RequestTrackerTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @RepeatedTest(10) // a broken stripe lock shows in about half the runs
    void concurrentBeginsAndEndsLeaveExactlyTheUnendedRequestsInTheSnapshot() throws Exception {
        RequestTracker tracker = new RequestTracker();
        int threads = 4;
        int perThread = 50_000;
        List<List<Request>> kept = new ArrayList<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            List<Request> mine = new ArrayList<>();
            kept.add(mine);
            // platform threads: really concurrent, so stripes are contended
            ts.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    Request r = tracker.begin(Operation.READ, i, 512, null);
                    if (i % 100 == 0) {
                        mine.add(r); // left in flight
                    } else {
                        tracker.end(r);
                    }
                }
            }));
        }
        start.countDown();
        for (Thread t : ts) {
            t.join(WAIT.toMillis());
            assertThat(t.isAlive()).isFalse();
        }

        List<Long> expected = kept.stream().flatMap(List::stream).map(Request::id).sorted().toList();
        assertThat(expected).hasSize(threads * perThread / 100);
        assertThat(tracker.snapshot()).extracting(RequestInfo::id).containsExactlyElementsOf(expected);
        assertThat(tracker.idle()).isFalse();
        assertThat(tracker.awaitIdle(Duration.ofMillis(10))).isFalse();

        for (List<Request> mine : kept) {
            for (Request r : mine) {
                tracker.end(r);
            }
        }
        assertThat(tracker.snapshot()).isEmpty();
        assertThat(tracker.idle()).isTrue();
        assertThat(tracker.awaitIdle(WAIT)).isTrue();
    }

    @Test
    void endingARequestTwiceDoesNotUnlinkAnother() throws Exception {
        RequestTracker tracker = new RequestTracker();
        List<Request> rs = new ArrayList<>();
        for (int i = 0; i < 200; i++) { // enough to share stripes
            rs.add(tracker.begin(Operation.WRITE, i, 512, null));
        }
        Request gone = rs.remove(7);
        tracker.end(gone);
        tracker.end(gone);
        assertThat(tracker.snapshot()).extracting(RequestInfo::id)
                .containsExactlyElementsOf(rs.stream().map(Request::id).toList());
    }

    @Test
    void anIdleWaiterWakesWhenTheLastRequestEndsOnAnotherThread() throws Exception {
        RequestTracker tracker = new RequestTracker();
        Request r = tracker.begin(Operation.WRITE, 0, 512, null);
        Thread ender = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                return;
            }
            tracker.end(r);
        });
        assertThat(tracker.awaitIdle(WAIT)).isTrue();
        ender.join(WAIT.toMillis());
    }
}
