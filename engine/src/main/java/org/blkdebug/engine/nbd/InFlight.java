package org.blkdebug.engine.nbd;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
    /** Signalled when {@link #pending} becomes empty. Guarded by {@link #lock}. */
    private final Condition idle = lock.newCondition();

    Pending add(RequestHeader h) {
        Pending p = new Pending(seqs.incrementAndGet(), h);
        pending.put(p.seq, p);
        return p;
    }

    /** The request has been answered (or its answer dropped); call after the reply is written. */
    void remove(Pending p) {
        pending.remove(p.seq);
        if (pending.isEmpty()) {
            lock.lock();
            try {
                idle.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    int size() {
        return pending.size();
    }

    boolean isEmpty() {
        return pending.isEmpty();
    }

    /** Waits until every request is answered; false when {@code deadlineNanos} (System.nanoTime) passes first. */
    boolean awaitIdle(long deadlineNanos) throws InterruptedException {
        lock.lock();
        try {
            while (!pending.isEmpty()) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                idle.await(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)), TimeUnit.NANOSECONDS);
            }
            return true;
        } finally {
            lock.unlock();
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
