package org.blkdebug.engine.time;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.blkdebug.engine.DeviceClock;
import org.blkdebug.engine.Phase;
import org.blkdebug.engine.request.Request;
import org.blkdebug.engine.request.RequestTracker;
import org.blkdebug.engine.request.Waiter;

/**
 * A device's clock as the engine uses it: {@link #delay} puts a request to sleep at an
 * {@code [inject-delay]} rule, {@link #releaseAll} wakes every sleeper when the device closes.
 *
 * <p>A delayed request parks its own virtual thread on a {@link Waiter} in phase
 * {@link Phase#DELAYED}, <b>holding no lock</b>; it counts as quiescent while it sleeps.
 */
public abstract sealed class RequestClock implements DeviceClock permits WallClock, VirtualClock {
    /** How long one wait for quiescence lasts before a waiting loop looks again. */
    static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    final RequestTracker tracker;
    /** Every delayed request's waiter, so that close can wake them all. */
    final Set<Waiter> sleeping = ConcurrentHashMap.newKeySet();
    /** Once set, delays return at once (the device is closing). */
    volatile boolean closing;
    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when a delayed request wakes. Guarded by lock. */
    private final Condition woke = lock.newCondition();

    RequestClock(RequestTracker tracker) {
        this.tracker = tracker;
    }

    public static RequestClock wall(RequestTracker tracker) {
        return new WallClock(tracker);
    }

    public static RequestClock virtual(RequestTracker tracker) {
        return new VirtualClock(tracker);
    }

    /** Request thread: sleeps {@code nanos} of this clock's time, holding nothing. */
    public final void delay(Request r, long nanos) {
        if (nanos <= 0 || closing) {
            return;
        }
        Waiter w = new Waiter(r, Phase.DELAYED, null);
        sleeping.add(w);
        if (closing) { // close may have looked at the set before the add
            sleeping.remove(w);
            return;
        }
        try {
            sleep(w, nanos);
        } finally {
            sleeping.remove(w);
            lock.lock();
            try {
                woke.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /** Parks {@code w} (registered in {@link #sleeping}) until its time or a release. */
    abstract void sleep(Waiter w, long nanos);

    /** For close and crash: wakes every delayed request now; later delays return at once. */
    public void releaseAll() {
        closing = true;
        for (Waiter w : sleeping) {
            w.release(); // idempotent: a waiter that woke by itself ignores it
        }
    }

    /** True while some request is delayed. */
    public boolean hasDelayed() {
        return !sleeping.isEmpty();
    }

    /**
     * Waits until no request is delayed, moving virtual time as needed ({@code aio_flush} waits
     * for delayed requests too). False after {@code wallTimeout}.
     */
    @Override
    public boolean runDelayed(Duration wallTimeout) throws InterruptedException {
        long deadline = System.nanoTime() + wallTimeout.toNanos();
        while (hasDelayed()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            if (isVirtual()) {
                if (tracker.awaitQuiescence(Duration.ofNanos(Math.min(left, POLL_NANOS))) && !advance()) {
                    Thread.onSpinWait(); // released a moment ago, not yet out of the set
                }
                continue;
            }
            lock.lock();
            try {
                if (hasDelayed()) {
                    woke.awaitNanos(Math.min(left, POLL_NANOS));
                }
            } finally {
                lock.unlock();
            }
        }
        return true;
    }

    /**
     * What a synchronous request's caller does while it waits: on the wall clock, just wait;
     * on a virtual clock, move time whenever the device is quiescent (the caller is blocked on
     * the device, so it is the device's turn).
     */
    public abstract void awaitRequest(CompletableFuture<?> f) throws InterruptedException, ExecutionException;

    @Override
    public final InstantSource instantSource() {
        return () -> Instant.EPOCH.plusNanos(nanos());
    }

    static <T> T get(java.util.concurrent.Future<T> f, long nanos)
            throws InterruptedException, ExecutionException, TimeoutException {
        return f.get(Math.max(nanos, 0), TimeUnit.NANOSECONDS);
    }
}
