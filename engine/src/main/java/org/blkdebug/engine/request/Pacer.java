package org.blkdebug.engine.request;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.blkdebug.engine.Lockstep;

/**
 * The gate behind {@link Lockstep}: a request parks here after each backend call (QEMU: its
 * thread-pool work is done, its coroutine waits for the main loop) until the next
 * {@link #round()}.
 *
 * <p>Why its own handshake and not a {@link Waiter}: a waiter's release starts a new stretch of
 * the request ({@link Request#released}: new sequence, backend calls counted from 0), which the
 * shell's printer reads to know where QEMU prints; a round is not a release, the request goes on
 * with the same stretch. Quiescence stays exact the same way: the request stops counting as busy
 * only once it has really parked, and counts as busy again before {@link #round()} returns.
 *
 * <p>Each park has its own {@link Gate}, registered before the park: a round that comes between
 * the registration and the park is not lost (the request then does not park), and it cannot leak
 * into the request's next park (that one has a new gate). {@link #lock} guards the list only and
 * is <b>never held across a park or an unpark</b>.
 */
public final class Pacer implements Lockstep {
    private final RequestTracker tracker;
    private final ReentrantLock lock = new ReentrantLock();
    /** Guarded by lock: the gates registered since the last round. */
    private List<Gate> gates = new ArrayList<>();
    /** Once stopped (close, crash), no request waits any more. Guarded by lock for writes. */
    private volatile boolean stopped;

    public Pacer(RequestTracker tracker) {
        this.tracker = tracker;
    }

    /**
     * Request thread, right after a backend call returned: waits for the next round. The only
     * lock a request may hold here is qcow2's metadata lock, which QEMU's coroutine holds across
     * its I/O too (others wait for it quiescently).
     */
    void pace() {
        if (stopped) {
            return;
        }
        Gate g = new Gate(Thread.currentThread());
        lock.lock();
        try {
            if (stopped) {
                return;
            }
            gates.add(g);
        } finally {
            lock.unlock();
        }
        g.park(tracker);
    }

    @Override
    public int round() {
        List<Gate> due;
        lock.lock();
        try {
            due = gates;
            if (due.isEmpty()) {
                return 0;
            }
            gates = new ArrayList<>();
        } finally {
            lock.unlock();
        }
        for (Gate g : due) {
            g.release(tracker);
        }
        return due.size();
    }

    @Override
    public boolean waiting() {
        lock.lock();
        try {
            return !gates.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    /** From now on requests run free; those waiting go on at once (close, crash). */
    public void stop() {
        lock.lock();
        try {
            stopped = true;
        } finally {
            lock.unlock();
        }
        round();
    }

    /** One park of one request: REGISTERED, then PARKED by the request or RELEASED by a round. */
    private static final class Gate {
        private static final int REGISTERED = 0;
        private static final int PARKED = 1;
        private static final int RELEASED = 2;

        private final AtomicInteger state = new AtomicInteger(REGISTERED);
        private final Thread thread;

        Gate(Thread thread) {
            this.thread = thread;
        }

        void park(RequestTracker tracker) {
            if (!state.compareAndSet(REGISTERED, PARKED)) {
                return; // the round came first: the request never stopped being busy
            }
            tracker.quiet();
            do {
                LockSupport.park(this);
            } while (state.get() != RELEASED);
        }

        void release(RequestTracker tracker) {
            if (state.getAndSet(RELEASED) == PARKED) {
                tracker.busy(); // busy before it runs: quiescence is never seen in between
                LockSupport.unpark(thread);
            }
        }
    }
}
