package org.blkdebug.engine.request;

import java.lang.reflect.Field;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Makes the next {@link RequestTracker#quiet()} park: a thread waits for quiescence (so quiet()
 * goes for the tracker's lock to wake it) while the test thread holds that lock. Closing lets the
 * lock go and the waiting thread end.
 *
 * <p>That park is where a release's unpark can be used up before the request parks at its gate
 * or waiter; tests drive a release into exactly that window ({@link #awaitQueued}).
 */
final class ContendedTrackerLock implements AutoCloseable {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final ReentrantLock lock;
    private final Thread awaiting;

    ContendedTrackerLock(RequestTracker tracker) throws Exception {
        lock = (ReentrantLock) field("lock").get(tracker);
        AtomicInteger waiters = (AtomicInteger) field("waiters").get(tracker);
        awaiting = Thread.ofPlatform().daemon().start(() -> {
            try {
                tracker.awaitQuiescence(WAIT);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (waiters.get() == 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("nobody came to wait for quiescence");
            }
            Thread.onSpinWait();
        }
        lock.lock(); // once the waiter is in awaitNanos, which lets the lock go
    }

    /** Waits (bounded) until {@code t} has quiesced and queued for the tracker's lock to say so. */
    void awaitQueued(Thread t) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!lock.hasQueuedThread(t)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(t + " never queued for the tracker's lock");
            }
            Thread.onSpinWait();
        }
    }

    @Override
    public void close() throws InterruptedException {
        lock.unlock();
        awaiting.interrupt();
        awaiting.join(WAIT);
    }

    private static Field field(String name) throws NoSuchFieldException {
        Field f = RequestTracker.class.getDeclaredField(name);
        f.setAccessible(true);
        return f;
    }
}
