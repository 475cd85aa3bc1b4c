package org.blkdebug.engine.nio;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.util.ArrayList;
import java.util.List;

/**
 * The locks this JVM holds on one device: an in-process emulation of {@code fcntl} record locks
 * with the JDK's rules. There is no other process to wait for, so an overlapping request fails
 * with {@link OverlappingFileLockException} at once, exactly as the JDK treats a lock held by
 * its own JVM; nothing here ever blocks.
 */
final class FileLockTable {
    /** Guarded by {@code this}; every method is short and never blocks. */
    private final List<Lock> locks = new ArrayList<>();

    synchronized FileLock acquire(FileChannel channel, long position, long size, boolean shared) {
        for (Lock l : locks) {
            if (l.overlaps(position, size)) {
                throw new OverlappingFileLockException();
            }
        }
        Lock l = new Lock(channel, position, size, shared);
        locks.add(l);
        return l;
    }

    private synchronized boolean remove(Lock l) {
        return locks.remove(l);
    }

    /** At channel close: the locks this channel acquired go, as FileChannelImpl releases them. */
    synchronized void releaseAll(FileChannel channel) {
        locks.removeIf(l -> l.channel() == channel);
    }

    private synchronized boolean held(Lock l) {
        return locks.contains(l);
    }

    private final class Lock extends FileLock {
        Lock(FileChannel channel, long position, long size, boolean shared) {
            super(channel, position, size, shared);
        }

        @Override
        public boolean isValid() {
            return held(this) && channel().isOpen();
        }

        @Override
        public void release() throws java.io.IOException {
            if (!channel().isOpen()) {
                throw new java.nio.channels.ClosedChannelException();
            }
            remove(this);
        }
    }
}
