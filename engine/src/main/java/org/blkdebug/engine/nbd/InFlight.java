package org.blkdebug.engine.nbd;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The requests of one connection that have not been answered yet. Each is answered exactly once:
 * by its completion, or by an ESHUTDOWN reply when the server gives up waiting for it; whoever
 * {@link Pending#claim claims} it first sends the reply.
 */
final class InFlight {
    /** One request the client is waiting for. Its cookie need not be unique, so the key is {@code seq}. */
    static final class Pending {
        final long seq;
        final RequestHeader header;
        private final AtomicBoolean claimed = new AtomicBoolean();

        Pending(long seq, RequestHeader header) {
            this.seq = seq;
            this.header = header;
        }

        /** True for the one caller that gets to answer this request. */
        boolean claim() {
            return claimed.compareAndSet(false, true);
        }
    }

    private final AtomicLong seqs = new AtomicLong();
    private final ConcurrentHashMap<Long, Pending> pending = new ConcurrentHashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when a request leaves {@link #pending}, and at {@link #release}. Guarded by {@link #lock}. */
    private final Condition left = lock.newCondition();
    /**
     * Threads in {@link #awaitRoom} or {@link #awaitIdle}. A waiter registers here before it looks
     * at {@link #pending}, a remover looks here after it changed {@link #pending} (both volatile),
     * so a remover that sees no waiter left nobody behind: replies signal only when someone waits.
     */
    private final AtomicInteger waiters = new AtomicInteger();
    /** Set once the connection ends: nobody waits for room any more. */
    private volatile boolean released;

    Pending add(RequestHeader h) {
        Pending p = new Pending(seqs.incrementAndGet(), h);
        pending.put(p.seq, p);
        return p;
    }

    /** The request has been answered (or its answer dropped); call after the reply is written. */
    void remove(Pending p) {
        pending.remove(p.seq);
        if (waiters.get() > 0) {
            signal();
        }
    }

    private void signal() {
        lock.lock();
        try {
            left.signalAll();
        } finally {
            lock.unlock();
        }
    }

    int size() {
        return pending.size();
    }

    boolean isEmpty() {
        return pending.isEmpty();
    }

    /**
     * Waits until fewer than {@code limit} requests are unanswered (the reader's bound, so a client
     * that does not read its replies cannot make the server hold more), or the connection ends.
     *
     * @return false when the connection ended
     */
    boolean awaitRoom(int limit) throws InterruptedException {
        if (pending.size() < limit) {
            return !released;
        }
        waiters.incrementAndGet();
        lock.lock();
        try {
            while (pending.size() >= limit && !released) {
                left.await(50, TimeUnit.MILLISECONDS);
            }
            return !released;
        } finally {
            lock.unlock();
            waiters.decrementAndGet();
        }
    }

    /** The connection has ended: wakes a reader waiting for room. */
    void release() {
        released = true;
        signal();
    }

    /** Waits until every request is answered; false when {@code deadlineNanos} (System.nanoTime) passes first. */
    boolean awaitIdle(long deadlineNanos) throws InterruptedException {
        waiters.incrementAndGet();
        lock.lock();
        try {
            while (!pending.isEmpty()) {
                long remaining = deadlineNanos - System.nanoTime();
                if (remaining <= 0) {
                    return false;
                }
                left.await(Math.min(remaining, TimeUnit.MILLISECONDS.toNanos(50)), TimeUnit.NANOSECONDS);
            }
            return true;
        } finally {
            lock.unlock();
            waiters.decrementAndGet();
        }
    }

    /** Claims every request nobody has answered yet (they are answered by the caller). */
    List<Pending> claimAll() {
        List<Pending> out = new ArrayList<>();
        for (Pending p : pending.values()) {
            if (p.claim()) {
                out.add(p);
            }
        }
        return out;
    }
}
