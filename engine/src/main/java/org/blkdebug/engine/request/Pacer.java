package org.blkdebug.engine.request;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
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
 *
 * <p>A round lets its requests go <b>one at a time, in QEMU's order</b>, each until all are
 * quiescent again: QEMU's thread-pool completion bottom half continues its coroutines one after
 * another, and which of two requests reaches a breakpoint, a flush queue or qcow2's lock first
 * decides what both do next. That order: the quick calls submitted since the last poll are all
 * finished when the bottom half runs and go newest first (the pool lists its work newest first),
 * whatever qemu-io printed between their submissions (a line is a system call of microseconds; a
 * pwrite, with its worker's wake-up, is no quicker: of two aio_writes with a line between them
 * qemu-io continued the newer first in 59 of 60 runs, with stdin prompts between them 20 of 20,
 * difftest seed 90000000 session 10830, scenario 516); every call under O_DIRECT takes long
 * enough to finish in the order they began, after the quick ones; and a
 * flush ({@code fdatasync}) takes longer still, so it finishes last, after an O_DIRECT call
 * begun after it too (it commits the file system's journal and flushes the disk's cache: a write
 * of the same turn under {@code directsync} goes on before an earlier write's flush, difftest
 * seed 20261203 sessions 6809 and 13476, scenarios 303 and 304). It is the order the shell's
 * printer assumes for their lines (CompletionPrinter#roundOrder).
 */
public final class Pacer implements Lockstep {
    private final RequestTracker tracker;
    private final ReentrantLock lock = new ReentrantLock();
    /** Guarded by lock: the gates registered since the last round. */
    private List<Gate> gates = new ArrayList<>();
    /** Once stopped (close, crash), no request waits any more. Guarded by lock for writes. */
    private volatile boolean stopped;
    /** Submission order of backend calls. */
    private final AtomicLong clock = new AtomicLong();
    /** Every backend call is slow (O_DIRECT). */
    private final boolean direct;

    /** How long a backend call takes, in the model's three speeds (see the class comment). */
    private static final int QUICK = 0;
    private static final int DIRECT = 1;
    private static final int FLUSH = 2;

    public Pacer(RequestTracker tracker) {
        this(tracker, false);
    }

    /** @param direct the device does O_DIRECT I/O, where every call finishes in the order it began */
    public Pacer(RequestTracker tracker, boolean direct) {
        this.tracker = tracker;
        this.direct = direct;
    }

    /** Request thread, entering a backend call: its place in a round ({@link #pace(long, long, boolean, boolean)}). */
    long stamp() {
        return clock.incrementAndGet();
    }

    /**
     * Request thread, rescheduled by an {@code immediately=off} error (QEMU: {@code aio_co_schedule}
     * and yield): waits for the next turn of the loop, whose bottom halves run before the thread
     * pool's completions; several go on in the order they were rescheduled.
     */
    void reschedule(long requestId) {
        park(new Gate(Thread.currentThread(), stamp(), QUICK, true, requestId));
    }

    /**
     * Request thread, right after a backend call returned: waits for the next round. The only
     * lock a request may hold here is qcow2's metadata lock, which QEMU's coroutine holds across
     * its I/O too (others wait for it quiescently).
     */
    void pace(long stamp, boolean flush, boolean metadata) {
        if (stopped) {
            return;
        }
        park(new Gate(Thread.currentThread(), stamp, flush ? FLUSH : direct || metadata ? DIRECT : QUICK, false, 0));
    }

    private void park(Gate g) {
        if (stopped) {
            return;
        }
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
        return release(false).size();
    }

    @Override
    public List<Long> bottomHalves() {
        List<Long> ids = new ArrayList<>();
        for (Gate g : release(true)) {
            ids.add(g.requestId);
        }
        return ids;
    }

    /** Lets the waiting requests go (only the rescheduled ones with {@code bottomHalvesOnly}). */
    private List<Gate> release(boolean bottomHalvesOnly) {
        List<Gate> due;
        lock.lock();
        try {
            if (gates.isEmpty()) {
                return List.of();
            }
            if (bottomHalvesOnly) {
                due = new ArrayList<>();
                List<Gate> rest = new ArrayList<>();
                for (Gate g : gates) {
                    (g.bottomHalf ? due : rest).add(g);
                }
                gates = rest;
            } else {
                due = gates;
                gates = new ArrayList<>();
            }
        } finally {
            lock.unlock();
        }
        due.sort(Pacer::qemuOrder);
        boolean interrupted = false;
        for (int i = 0; i < due.size(); i++) {
            due.get(i).release(tracker);
            if (i + 1 < due.size() && !interrupted) {
                try {
                    // bounded: a request that runs on (a long I/O, a delay) only loses the order
                    tracker.awaitQuiescence(STEP);
                } catch (InterruptedException e) {
                    interrupted = true; // the rest go at once; the caller sees the interrupt
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return due;
    }

    private static final Duration STEP = Duration.ofSeconds(5);

    /** The order in which one round continues its requests (see the class comment). */
    private static int qemuOrder(Gate a, Gate b) {
        if (a.bottomHalf || b.bottomHalf) { // rescheduled ones first, in the order they were
            return a.bottomHalf && b.bottomHalf ? Long.compare(a.stamp, b.stamp) : a.bottomHalf ? -1 : 1;
        }
        int c = Integer.compare(a.speed, b.speed);
        if (c != 0) {
            return c;
        }
        return a.speed != QUICK ? Long.compare(a.stamp, b.stamp) : Long.compare(b.stamp, a.stamp);
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
        final long stamp;
        /** QUICK, DIRECT or FLUSH. */
        final int speed;
        /** Rescheduled (a bottom half), not waiting for a thread-pool call. */
        final boolean bottomHalf;
        /** For a bottom half: whose. */
        final long requestId;

        Gate(Thread thread, long stamp, int speed, boolean bottomHalf, long requestId) {
            this.thread = thread;
            this.stamp = stamp;
            this.speed = speed;
            this.bottomHalf = bottomHalf;
            this.requestId = requestId;
        }

        void park(RequestTracker tracker) {
            if (!state.compareAndSet(REGISTERED, PARKED)) {
                return; // the round came first: the request never stopped being busy
            }
            tracker.quiet();
            // Test before the first park: quiet() may itself park (the tracker's lock, to wake
            // a thread waiting for quiescence) and so use up the permit of a round's unpark that
            // came meanwhile; parking first would then wait for good (see Waiter#park).
            if (state.get() != RELEASED) {
                do {
                    LockSupport.park(this);
                } while (state.get() != RELEASED);
            }
        }

        void release(RequestTracker tracker) {
            if (state.getAndSet(RELEASED) == PARKED) {
                tracker.busy(); // busy before it runs: quiescence is never seen in between
                LockSupport.unpark(thread);
            }
        }
    }
}
