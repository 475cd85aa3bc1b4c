package org.blkdebug.engine.nio;

import java.io.IOException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.Channel;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;

/**
 * The byte-range locks of one file, shared by every channel on it (the JDK shares its lock table
 * per file the same way): {@link InProcessLocks} for a bare device, which no other process can
 * see, and {@link OsLocks} for a real file of the blkdebug file system, which takes the
 * operating system's lock too.
 */
sealed interface FileLocks permits InProcessLocks, OsLocks {

    /**
     * {@code tryLock} for {@code owner} (a {@link FileChannel} or an {@link AsynchronousFileChannel}):
     * the lock, or null when another process holds an overlapping one.
     *
     * @throws java.nio.channels.OverlappingFileLockException when this JVM holds an overlapping lock
     */
    FileLock tryAcquire(Channel owner, long position, long size, boolean shared) throws IOException;

    /**
     * {@code lock}: waits while another process holds an overlapping lock. It polls
     * {@link #tryAcquire} (1 ms doubling to 50 ms) rather than blocking in {@code fcntl}, so an
     * interrupt reaches the caller's channel as the JDK's rules say, and a close of
     * {@code owner} ends the wait.
     */
    default FileLock acquire(Channel owner, long position, long size, boolean shared)
            throws IOException, InterruptedException {
        long pause = 1;
        while (true) {
            FileLock l = tryAcquire(owner, position, size, shared);
            if (l != null) {
                return l;
            }
            if (!owner.isOpen()) {
                throw new AsynchronousCloseException();
            }
            Thread.sleep(pause);
            pause = Math.min(pause * 2, 50);
        }
    }

    /** At a channel's close: the locks it acquired go, as the JDK's channel releases them. */
    void releaseAll(Channel owner) throws IOException;

    /** When the file's device closes. */
    default void close() throws IOException {
    }

    /**
     * The lock handed to {@code owner}: a {@link FileLock} needs its channel's own type at
     * construction, so each kind of lock has a constructor for both.
     */
    abstract class OwnedLock extends FileLock {
        OwnedLock(FileChannel owner, long position, long size, boolean shared) {
            super(owner, position, size, shared);
        }

        OwnedLock(AsynchronousFileChannel owner, long position, long size, boolean shared) {
            super(owner, position, size, shared);
        }
    }
}
