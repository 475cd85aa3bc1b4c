package org.blkdebug.engine.time;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import org.blkdebug.engine.request.RequestTracker;
import org.blkdebug.engine.request.Waiter;

/**
 * Virtual time: it stands still while anything in the device runs; a thread that waits on it
 * (sleep, await, a synchronous request) moves it to the next wake-up once the device is
 * quiescent. Delayed requests due at the same instant wake in the order they went to sleep.
 */
final class VirtualClock extends RequestClock {
    /** One delayed request: wakes at {@code at}; {@code order} breaks ties, first come first. */
    private record Timer(long at, long order, Waiter waiter) implements Comparable<Timer> {
        @Override
        public int compareTo(Timer o) {
            int c = Long.compare(at, o.at);
            return c != 0 ? c : Long.compare(order, o.order);
        }
    }

    private final ReentrantLock lock = new ReentrantLock();
    /** Guarded by lock. */
    private final PriorityQueue<Timer> timers = new PriorityQueue<>();
    /** Guarded by lock. */
    private long order;
    /** Written under lock; read without. */
    private volatile long now;

    VirtualClock(RequestTracker tracker) {
        super(tracker);
    }

    @Override
    public boolean isVirtual() {
        return true;
    }

    @Override
    public long nanos() {
        return now;
    }

    @Override
    void sleep(Waiter w, long nanos) {
        lock.lock();
        try {
            timers.add(new Timer(now + nanos, order++, w));
        } finally {
            lock.unlock();
        }
        w.park(); // released by an advance, or by releaseAll
    }

    @Override
    public void releaseAll() {
        super.releaseAll();
        lock.lock();
        try {
            timers.clear();
        } finally {
            lock.unlock();
        }
    }

    /** The earliest wake-up, or Long.MAX_VALUE. */
    private long next() {
        lock.lock();
        try {
            Timer t = timers.peek();
            return t == null ? Long.MAX_VALUE : t.at;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean advance() {
        return advanceTo(Long.MAX_VALUE);
    }

    /**
     * If the device is quiescent and a wake-up is due at or before {@code limit}, moves time to
     * it and releases every request due then.
     */
    private boolean advanceTo(long limit) {
        if (!tracker.quiescent()) {
            return false;
        }
        List<Waiter> due = new ArrayList<>();
        lock.lock();
        try {
            Timer t = timers.peek();
            if (t == null || t.at > limit) {
                return false;
            }
            now = Math.max(now, t.at);
            while ((t = timers.peek()) != null && t.at <= now) {
                due.add(timers.poll().waiter);
            }
        } finally {
            lock.unlock();
        }
        for (Waiter w : due) {
            w.release();
        }
        return true;
    }

    /** Moves time forward to {@code target} (never back). */
    private void moveTo(long target) {
        lock.lock();
        try {
            now = Math.max(now, target);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void sleep(Duration d) throws InterruptedException {
        long target = now + d.toNanos();
        while (true) {
            awaitQuiescence();
            if (next() > target) {
                moveTo(target);
                return;
            }
            advanceTo(target);
        }
    }

    private void awaitQuiescence() throws InterruptedException {
        while (!tracker.awaitQuiescence(Duration.ofNanos(POLL_NANOS))) {
            // a request is running or in backend I/O: time waits for it
        }
    }

    @Override
    public <T> T await(Future<T> f, Duration timeout)
            throws InterruptedException, ExecutionException, TimeoutException {
        long deadline = now + timeout.toNanos();
        while (true) {
            if (f.isDone()) {
                return f.get();
            }
            if (!tracker.awaitQuiescence(Duration.ofNanos(POLL_NANOS)) || f.isDone()) {
                continue;
            }
            if (next() <= deadline) {
                advanceTo(deadline);
                continue;
            }
            // nothing wakes before the deadline: the wait itself is the next event
            try {
                return get(f, POLL_NANOS); // the last request may be completing its future
            } catch (TimeoutException e) {
                if (tracker.quiescent() && next() > deadline) {
                    moveTo(deadline);
                    throw e;
                }
            }
        }
    }

    @Override
    public void awaitRequest(CompletableFuture<?> f) throws InterruptedException, ExecutionException {
        while (!f.isDone()) {
            if (tracker.awaitQuiescence(Duration.ofNanos(POLL_NANOS)) && !f.isDone() && !advance()) {
                try {
                    get(f, POLL_NANOS); // suspended at a breakpoint: somebody else must act
                } catch (TimeoutException e) {
                    // look again
                }
            }
        }
        f.get();
    }
}
