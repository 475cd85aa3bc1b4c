package org.blkdebug.engine.request;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.blkdebug.engine.Operation;
import org.blkdebug.engine.RequestInfo;

/**
 * Every in-flight request of one device, and the count of those that are busy (running or in
 * backend I/O). Quiescence is "busy == 0"; idle is "no request in flight".
 *
 * <p>The busy count changes without a lock on the request path; {@link #lock} is only taken to
 * wake a thread that waits, and only when one does ({@link #waiters} &gt; 0).
 */
public final class RequestTracker {
    /** Hands out request ids and release sequence numbers: one order for both. */
    private final AtomicLong sequences = new AtomicLong();
    private final InFlight inFlight = new InFlight();
    private final AtomicInteger busy = new AtomicInteger();
    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when busy drops to 0 or a request ends. Guarded by {@link #lock}. */
    private final Condition changed = lock.newCondition();
    private final AtomicInteger waiters = new AtomicInteger();

    /** Registers a new busy request. Call on the submitting thread, before starting the request's thread. */
    public Request begin(Operation op, long offset, long length, String origin) {
        return begin(op, offset, length, origin, 0);
    }

    /** As {@link #begin(Operation, long, long, String)}, with the time it was submitted. */
    public Request begin(Operation op, long offset, long length, String origin, long startNanos) {
        long seq = nextSequence();
        Request r = new Request(this, seq, op, offset, length, origin, seq, startNanos);
        busy.incrementAndGet();
        inFlight.add(r);
        return r;
    }

    /** The request has finished: it leaves the in-flight set and stops being busy. */
    public void end(Request r) {
        leave(r);
        finished();
    }

    /**
     * The first half of {@link #end}: the request is done and leaves the in-flight set, but
     * counts as busy until {@link #finished()}. A device tells the request's caller its outcome
     * in between, so that quiescence also means "every caller of an ended request has been told":
     * a thread that sees quiescence and an unfinished future knows that request cannot end by
     * itself (explore decides to release a held request on exactly that).
     */
    public void leave(Request r) {
        r.done();
        inFlight.remove(r);
        signalIfWaited(); // idle waiters care about every end, not only the last busy one
    }

    /** The second half of {@link #end}: the request left with {@link #leave} stops being busy. */
    public void finished() {
        busy.decrementAndGet();
        signalIfWaited();
    }

    long nextSequence() {
        return sequences.incrementAndGet();
    }

    /**
     * The calling request stops counting as busy. <b>It may park</b> (the lock, to wake a thread
     * waiting for quiescence), using up a permit an unpark left meanwhile: a caller that parks
     * next must test what it waits for before parking, not only after (Waiter#park, Pacer's gate).
     */
    void quiet() {
        if (busy.decrementAndGet() == 0) {
            signalIfWaited();
        }
    }

    void busy() {
        busy.incrementAndGet();
    }

    private void signalIfWaited() {
        if (waiters.get() > 0) {
            lock.lock();
            try {
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /** True when no request is running or in backend I/O. */
    public boolean quiescent() {
        return busy.get() == 0;
    }

    public boolean idle() {
        return inFlight.isEmpty();
    }

    public boolean awaitQuiescence(Duration timeout) throws InterruptedException {
        return await(timeout, false);
    }

    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        return await(timeout, true);
    }

    private boolean await(Duration timeout, boolean idle) throws InterruptedException {
        long nanos = timeout.toNanos();
        lock.lock();
        waiters.incrementAndGet();
        try {
            // waiters is raised before the check, so a decrement to 0 after the check signals us
            while (idle ? !inFlight.isEmpty() : busy.get() != 0) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = changed.awaitNanos(nanos);
            }
            return true;
        } finally {
            waiters.decrementAndGet();
            lock.unlock();
        }
    }

    void forEachInFlight(java.util.function.Consumer<Request> visitor) {
        inFlight.forEach(visitor);
    }

    /** Snapshot of the in-flight requests, oldest first. */
    public List<RequestInfo> snapshot() {
        List<RequestInfo> list = new ArrayList<>();
        inFlight.forEach(r -> list.add(r.info()));
        // not Comparator.comparingLong: its serializable lambda is spun anew at every start, the
        // AOT cache keeps none (docs/performance.md, target 6); the shell asks here at every exit
        list.sort((a, b) -> Long.compare(a.id(), b.id()));
        return list;
    }
}
