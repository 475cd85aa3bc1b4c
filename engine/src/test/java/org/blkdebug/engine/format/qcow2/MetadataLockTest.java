package org.blkdebug.engine.format.qcow2;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.blkdebug.engine.Operation;
import org.blkdebug.engine.Phase;
import org.blkdebug.engine.request.Request;
import org.blkdebug.engine.request.RequestTracker;
import org.blkdebug.engine.request.Waiter;
import org.junit.jupiter.api.Test;

/** qcow2's metadata lock: QEMU's CoMutex semantics on parking virtual threads. */
class MetadataLockTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final RequestTracker tracker = new RequestTracker();
    private final MetadataLock lock = new MetadataLock();
    private final List<String> order = Collections.synchronizedList(new ArrayList<>());

    /** A request on its own virtual thread that takes the lock, logs its name and unlocks. */
    private Thread contender(String name, Request r) {
        return Thread.ofVirtual().start(() -> {
            lock.lock(r);
            order.add(name);
            lock.unlock();
            tracker.end(r);
        });
    }

    /** The test, acting for {@code r}, makes a backend call: {@code r} yields. */
    private static void yieldOf(Request r) {
        r.backendIo(true);
        r.backendIo(false);
    }

    private static void awaitPhase(Request r, Phase p) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (r.phase() != p) {
            assertThat(System.nanoTime()).isLessThan(deadline);
            Thread.sleep(1);
        }
    }

    @Test
    void waitersGetTheLockInTheOrderTheyCameAndAreQuiescentMeanwhile() throws Exception {
        Request holder = tracker.begin(Operation.WRITE, 0, 0, null);
        lock.lock(holder);
        Request b = tracker.begin(Operation.WRITE, 0, 0, null);
        Thread tb = contender("B", b);
        awaitPhase(b, Phase.WAITING);
        Request c = tracker.begin(Operation.WRITE, 0, 0, null);
        Thread tc = contender("C", c);
        awaitPhase(c, Phase.WAITING);
        assertThat(order).isEmpty();
        lock.unlock();
        yieldOf(holder);
        tb.join(WAIT);
        tc.join(WAIT);
        assertThat(order).containsExactly("B", "C");
        tracker.end(holder);
        assertThat(tracker.awaitIdle(WAIT)).isTrue();
    }

    @Test
    void theWaiterHandedTheLockRunsOnlyOnceTheUnlockerYields() throws Exception {
        // qemu_co_mutex_unlock hands the lock on with aio_co_wake, which from a coroutine queues
        // the waiter until the unlocker yields: the unlocker's next event comes first (difftest
        // seed 31000000 session 7331)
        Request holder = tracker.begin(Operation.WRITE, 0, 0, null);
        lock.lock(holder);
        Request b = tracker.begin(Operation.WRITE, 0, 0, null);
        Thread tb = contender("B", b);
        awaitPhase(b, Phase.WAITING);
        lock.unlock();
        Thread.sleep(50); // were B woken now, it would have run by the time we look
        order.add("H");
        assertThat(b.phase()).as("woken before its unlocker yielded").isEqualTo(Phase.WAITING);
        lock.lock(holder); // the lock is B's now: the unlocker queues behind it
        assertThat(order).containsExactly("H", "B");
        lock.unlock();
        tb.join(WAIT);
        tracker.end(holder);
        assertThat(tracker.awaitIdle(WAIT)).isTrue();
    }

    @Test
    void aHolderParkedWhileHoldingItPinsNoCarrierAndLeavesTheOthersWaiting() throws Exception {
        // Why: a breakpoint fired under the lock suspends the holder, as in QEMU; many requests
        // queued behind it must all park (virtual threads unmounted), and the device is quiescent
        Request holder = tracker.begin(Operation.WRITE, 0, 0, null);
        CountDownLatch held = new CountDownLatch(1);
        Waiter[] breakpoint = new Waiter[1];
        Thread th = Thread.ofVirtual().start(() -> {
            lock.lock(holder);
            breakpoint[0] = new Waiter(holder, Phase.SUSPENDED, "A");
            held.countDown();
            breakpoint[0].park();
            order.add("A");
            lock.unlock();
            tracker.end(holder);
        });
        assertThat(held.await(10, TimeUnit.SECONDS)).isTrue();
        int n = 200; // far more than carrier threads
        List<Thread> others = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            others.add(contender("w" + i, tracker.begin(Operation.READ, 0, 0, null)));
        }
        assertThat(tracker.awaitQuiescence(WAIT)).isTrue();
        assertThat(order).isEmpty();
        breakpoint[0].release();
        th.join(WAIT);
        for (Thread t : others) {
            t.join(WAIT);
        }
        assertThat(order).hasSize(n + 1).startsWith("A");
        assertThat(tracker.awaitIdle(WAIT)).isTrue();
    }

    @Test
    void restartedWaitersQueueBehindThoseAlreadyWaitingAndNameTheirRestarter() throws Exception {
        // qemu_co_queue_restart_all under the lock: the dependent requests of an allocation get
        // the lock after the holder unlocks, in their order, and report the holder as releaser
        Request holder = tracker.begin(Operation.WRITE, 0, 0, null);
        lock.lock(holder);
        List<Waiter> dependents = Collections.synchronizedList(new ArrayList<>());
        Request d = tracker.begin(Operation.WRITE, 0, 0, null);
        Thread td = dependent(holder, d, dependents);
        lock.lock(holder);
        Request w = tracker.begin(Operation.WRITE, 0, 0, null);
        Thread tw = contender("W", w);
        awaitPhase(w, Phase.WAITING);
        lock.enqueue(List.copyOf(dependents), holder);
        dependents.clear();
        lock.unlock();
        tracker.end(holder); // the holder yields (here: ends), so the restarted request queues now
        td.join(WAIT);
        tw.join(WAIT);
        assertThat(order).containsExactly("W", "D");
        assertThat(d.releasedBy()).isEqualTo(holder.id());
    }

    @Test
    void aRestartedWaiterQueuesOnlyOnceItsRestarterYields() throws Exception {
        // QEMU enters the coroutines qemu_co_queue_restart_all woke only when the waker yields:
        // until then the waker may unlock and take the lock again (its next piece's mapping)
        // ahead of them (difftest seed 20261203 session 835)
        Request holder = tracker.begin(Operation.WRITE, 0, 0, null);
        lock.lock(holder);
        List<Waiter> dependents = Collections.synchronizedList(new ArrayList<>());
        Request d = tracker.begin(Operation.WRITE, 0, 0, null);
        Thread td = dependent(holder, d, dependents);
        lock.lock(holder);
        lock.enqueue(List.copyOf(dependents), holder);
        dependents.clear();
        lock.unlock();
        lock.lock(holder); // free: the restarted request has not queued yet
        order.add("H");
        lock.unlock();
        assertThat(d.phase()).as("restarted before its restarter yielded").isEqualTo(Phase.WAITING);
        tracker.end(holder);
        td.join(WAIT);
        assertThat(order).containsExactly("H", "D");
        assertThat(d.releasedBy()).isEqualTo(holder.id());
    }

    /**
     * With the lock held by the test: starts {@code d}, which takes the lock once the test
     * unlocks and then waits on {@code dependents} for an allocation, as handle_dependencies does
     * (it adds "D" to the order when it gets the lock back).
     */
    private Thread dependent(Request holderOfTheTest, Request d, List<Waiter> dependents) throws InterruptedException {
        Thread td = Thread.ofVirtual().start(() -> {
            lock.lock(d);
            lock.await(d, dependents);
            order.add("D");
            lock.unlock();
            tracker.end(d);
        });
        awaitPhase(d, Phase.WAITING);
        lock.unlock(); // d gets it once the test's request yields, registers as dependent and parks
        yieldOf(holderOfTheTest);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (dependents.isEmpty()) {
            assertThat(System.nanoTime()).isLessThan(deadline);
            Thread.sleep(1);
        }
        awaitPhase(d, Phase.WAITING);
        return td;
    }
}
