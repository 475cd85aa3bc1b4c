package org.blkdebug.engine.nio;

import java.io.IOException;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.Channel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.util.ArrayList;
import java.util.List;

/**
 * The locks this JVM holds on a bare device (one opened with {@link BlkDebugFileChannel#open}):
 * an in-process emulation of {@code fcntl} record locks with the JDK's rules. No other process
 * can reach the device, so an overlapping request fails with
 * {@link OverlappingFileLockException} at once, exactly as the JDK treats a lock held by its own
 * JVM; nothing here ever blocks.
 */
final class InProcessLocks implements FileLocks {
    /** Guarded by {@code this}; every method is short and never blocks. */
    private final List<Lock> locks = new ArrayList<>();

    @Override
    public synchronized FileLock tryAcquire(Channel owner, long position, long size, boolean shared) {
        for (Lock l : locks) {
            if (l.overlaps(position, size)) {
                throw new OverlappingFileLockException();
            }
        }
        Lock l = owner instanceof FileChannel fc
                ? new Lock(fc, position, size, shared)
                : new Lock((AsynchronousFileChannel) owner, position, size, shared);
        locks.add(l);
        return l;
    }

    private synchronized boolean remove(Lock l) {
        return locks.remove(l);
    }

    @Override
    public synchronized void releaseAll(Channel owner) {
        locks.removeIf(l -> l.acquiredBy() == owner);
    }

    private synchronized boolean held(Lock l) {
        return locks.contains(l);
    }

    private final class Lock extends OwnedLock {
        Lock(FileChannel owner, long position, long size, boolean shared) {
            super(owner, position, size, shared);
        }

        Lock(AsynchronousFileChannel owner, long position, long size, boolean shared) {
            super(owner, position, size, shared);
        }

        @Override
        public boolean isValid() {
            return held(this) && acquiredBy().isOpen();
        }

        @Override
        public void release() throws IOException {
            if (!acquiredBy().isOpen()) {
                throw new ClosedChannelException();
            }
            remove(this);
        }
    }
}
