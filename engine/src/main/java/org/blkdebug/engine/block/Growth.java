package org.blkdebug.engine.block;

import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * For in-memory backends whose I/O holds the read side of a resize lock: a write that ends past
 * the image (a truncate shrank it while the write was in flight) grows it first, as a file grows
 * when written past its end.
 */
final class Growth {
    private Growth() {
    }

    /**
     * Read lock held, and held again on return: swaps to the write lock, grows the image to
     * {@code end} if it is still shorter, and downgrades (the read lock is taken before the write
     * lock is released).
     */
    static void growLocked(ReentrantReadWriteLock resize, long end, LongSupplier length, LongConsumer truncate) {
        while (end > length.getAsLong()) {
            resize.readLock().unlock();
            resize.writeLock().lock();
            try {
                if (end > length.getAsLong()) {
                    truncate.accept(end);
                }
            } finally {
                resize.readLock().lock();
                resize.writeLock().unlock();
            }
        }
    }
}
