package org.blkdebug.engine.request;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.blkdebug.engine.Completion;
import org.blkdebug.engine.Phase;

/**
 * One park of one request (a suspension at a breakpoint, a wait for an overlapping request): a
 * single permit with a handshake that keeps {@link RequestTracker#awaitQuiescence} exact.
 *
 * <p>The waiter is registered (under whatever lock guards the list it is put on), then the
 * request thread calls {@link #park()} <b>with no lock held</b>, and exactly one other thread
 * calls {@link #release()}. A release that comes before the park is not lost: the request then
 * does not park at all. The request counts as busy until it has really parked, and counts as
 * busy again before the releaser returns, so quiescence is never seen in between.
 */
public final class Waiter {
    private static final int REGISTERED = 0;
    private static final int PARKED = 1;
    private static final int RELEASED = 2;

    private final Request request;
    private final Phase phase;
    private final String tag;
    private final AtomicInteger state = new AtomicInteger(REGISTERED);
    private final Thread thread;
    /** Who released it (see Completion#releasedBy); written before the state changes. */
    private volatile long releasedBy;
    /** Where a lock's hand-off released it, or null; written before the state changes. */
    private volatile Completion.Handoff handoff;

    /** Must be created on the request's own thread. */
    public Waiter(Request request, Phase phase, String tag) {
        this.request = request;
        this.phase = phase;
        this.tag = tag;
        this.thread = Thread.currentThread();
    }

    public Request request() {
        return request;
    }

    public String tag() {
        return tag;
    }

    /** Request thread: blocks until {@link #release()}; returns at once if already released. */
    public void park() {
        request.parkedAs(phase, tag);
        if (!state.compareAndSet(REGISTERED, PARKED)) {
            request.released(releasedBy, handoff); // released before we parked: we never stopped being busy
            return;
        }
        request.tracker().quiet();
        // <b>Test once before parking.</b> quiet() can park by itself: waking a thread that waits
        // for quiescence takes the tracker's lock, and a contended ReentrantLock parks. A
        // release that comes meanwhile (it sees PARKED, so it unparks) then has its permit used
        // up by that park, and a park here would wait for good with the state RELEASED.
        // The loop keeps its own test after the park: it runs only on wake-ups, so until one has
        // happened it has no branch profile and C2 compiles both ways. A test shared with the way
        // in would be profiled "never released" while requests pile up at a breakpoint, and
        // every one of them parked in that code would pay a deoptimization when resumed (~5 us
        // each); the test before it is a branch of its own, taken only when a release raced.
        if (state.get() != RELEASED) {
            do {
                LockSupport.park(this);
            } while (state.get() != RELEASED);
        }
    }

    /**
     * Request thread: as {@link #park()}, but the request also wakes by itself once
     * {@link System#nanoTime()} reaches {@code deadline} (a delay on the wall clock). It is
     * quiescent while parked either way.
     *
     * @return true when {@link #release()} woke it, false when its time came
     */
    public boolean parkUntil(long deadline) {
        request.parkedAs(phase, tag);
        if (!state.compareAndSet(REGISTERED, PARKED)) {
            request.released(releasedBy, handoff);
            return true;
        }
        request.tracker().quiet();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0 && state.compareAndSet(PARKED, RELEASED)) {
                // its own time came first: it sets itself running, as a releaser would
                request.released(0);
                request.tracker().busy();
                return false;
            }
            if (state.get() == RELEASED) {
                return true; // a releaser won the race and made it busy again
            }
            LockSupport.parkNanos(this, Math.max(left, 1));
        }
    }

    /**
     * Any thread, at most once per waiter: lets the request continue. Call it after removing the
     * waiter from its list, so no second releaser can find it.
     */
    public void release() {
        release(null);
    }

    /**
     * As {@link #release()}, by the end of {@code by} (the request this one waited for), which
     * {@link org.blkdebug.engine.Completion#releasedBy()} reports.
     */
    public void release(Request by) {
        release(by == null ? 0 : by.id());
    }

    /**
     * As {@link #release()}, but the request keeps the releaser it last had: a hand-off of a
     * lock it waited for says nothing about whose end let it run (qcow2's metadata lock).
     */
    public void releaseKeepingReleaser() {
        release(request.releasedBy());
    }

    /**
     * As {@link #releaseKeepingReleaser()}, by {@code unlocker}'s hand-off of the lock as it
     * yields in the middle of its stretch (its own thread): the request's backend calls then
     * count from that yield (see {@link Completion.Handoff}).
     */
    public void releaseHandedOff(Request unlocker) {
        handoff = new Completion.Handoff(unlocker.id(), unlocker.sequence(), unlocker.ioRounds());
        release(request.releasedBy());
    }

    private void release(long byId) {
        releasedBy = byId;
        int prev = state.getAndSet(RELEASED);
        if (prev == PARKED) {
            request.released(releasedBy, handoff);
            request.tracker().busy();
            LockSupport.unpark(thread);
        }
    }
}
