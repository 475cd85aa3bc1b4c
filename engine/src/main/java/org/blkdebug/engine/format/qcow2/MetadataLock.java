package org.blkdebug.engine.format.qcow2;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.blkdebug.engine.Phase;
import org.blkdebug.engine.request.Request;
import org.blkdebug.engine.request.Waiter;

/**
 * qcow2's metadata lock (QEMU's {@code s->lock}, a CoMutex): not reentrant, waiters are served
 * in the order they came, and unlock hands the lock straight to the first of them; that one runs
 * once the unlocking request next yields (its next backend call, park or end), as
 * {@code qemu_co_mutex_unlock} wakes it with {@code aio_co_wake}, which from a coroutine only
 * queues it until that coroutine yields. Until then the unlocker goes on alone: an aio_write that
 * unlocks after its L2 allocation fires its write-zeroes' {@code pwritev_zero} before a
 * zero-length writethrough write it handed the lock to reaches its flush (difftest seed 31000000
 * session 7331, scenario 380).
 *
 * <p><b>It may be held across a park</b> (a breakpoint on an event fired under it suspends the
 * holder, as in QEMU): waiters then park on their own {@link Waiter} in phase
 * {@link Phase#WAITING}, which unmounts their virtual thread (no carrier is pinned) and counts as
 * quiescent. {@link #guard} protects the owner flag and the queue only; it is never held across
 * a park, a release or anything else.
 */
final class MetadataLock {
    private final ReentrantLock guard = new ReentrantLock();
    /** Guarded by guard. */
    private boolean locked;
    /** Guarded by guard: the request holding the lock (null when free, or for a holder of no request). */
    private Request owner;
    /** Guarded by guard: the requests waiting for the lock, first come first. */
    private final ArrayDeque<Queued> waiters = new ArrayDeque<>();

    /**
     * A request waiting for the lock; {@code by} is the request whose end of an allocation
     * restarted it (null for a plain wait), reported as its releaser so the shell prints it after
     * that one, as QEMU runs a restarted coroutine only once the restarting one has yielded.
     */
    private record Queued(Waiter waiter, Request by) {}

    void lock(Request r) {
        Waiter w;
        guard.lock();
        try {
            if (!locked) {
                locked = true;
                owner = r;
                return;
            }
            w = new Waiter(r, Phase.WAITING, null);
            waiters.addLast(new Queued(w, null));
        } finally {
            guard.unlock();
        }
        w.park(); // when it returns, unlock has handed the lock to us
    }

    /** On the holder's thread. */
    void unlock() {
        Queued next;
        Request by;
        guard.lock();
        try {
            by = owner;
            next = waiters.pollFirst();
            locked = next != null;
            owner = next == null ? null : next.waiter().request();
        } finally {
            guard.unlock();
        }
        if (next == null) {
            return;
        }
        if (by == null) {
            wake(next, null, null);
        } else {
            by.onNextYield(() -> wake(next, by.ending() ? by : null, by));
        }
    }

    /**
     * @param endedBy the unlocker, when the yield that lets {@code next} run is its end: QEMU's
     *                coroutine then returns first, its aio callback printing its report (or the
     *                synchronous command's poll seeing it done), and only then enters the woken
     *                one, so {@code next} counts as released by that end (a read that waited
     *                for an allocation that failed reports after the write's failure; difftest
     *                seed 50000000 sessions 527, 764)
     * @param unlocker the request that unlocked, or null for a holder of no request
     */
    private static void wake(Queued next, Request endedBy, Request unlocker) {
        if (next.by() != null) {
            next.waiter().release(next.by());
        } else if (endedBy != null) {
            next.waiter().release(endedBy);
        } else if (unlocker != null) {
            // it runs as the unlocker yields mid-stretch (on the unlocker's thread here): its
            // calls count from there (seed 180000000 session 14897)
            next.waiter().releaseHandedOff(unlocker);
        } else {
            next.waiter().releaseKeepingReleaser(); // a restarted request stays after its restarter
        }
    }

    /**
     * qemu_co_queue_restart_all for waiters that will retake this lock: once the holder,
     * {@code by}, next yields (QEMU runs the restarted coroutines only then), they queue for it
     * in their order, behind those already waiting, and the first gets it at once if it is free.
     * Until then {@code by} may unlock and take the lock again ahead of them (its next piece's
     * mapping, seed 20261203 session 835).
     */
    void enqueue(List<Waiter> restarted, Request by) {
        List<Waiter> queued = List.copyOf(restarted);
        by.onNextYield(() -> queueRestarted(queued, by));
    }

    private void queueRestarted(List<Waiter> restarted, Request by) {
        Queued first = null;
        guard.lock();
        try {
            for (Waiter w : restarted) {
                waiters.addLast(new Queued(w, by));
            }
            if (!locked) {
                first = waiters.pollFirst();
                locked = first != null;
                owner = first == null ? null : first.waiter().request();
            }
        } finally {
            guard.unlock();
        }
        if (first != null) {
            first.waiter().release(first.by());
        }
    }

    /**
     * qemu_co_queue_wait(queue, &lock): registers on {@code queue} (guarded by this lock, which
     * the caller holds), unlocks and parks; returns holding the lock again.
     */
    void await(Request r, List<Waiter> queue) {
        Waiter w = new Waiter(r, Phase.WAITING, null);
        queue.add(w);
        unlock();
        w.park(); // released by unlock once restartAll has queued us for the lock
    }
}
