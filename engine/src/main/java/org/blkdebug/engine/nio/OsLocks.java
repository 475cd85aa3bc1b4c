package org.blkdebug.engine.nio;

import java.io.IOException;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.Channel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The locks of a real file of the blkdebug file system, taken on the file itself, so that another
 * process is excluded exactly as by a lock through the JDK's own channel (an index's
 * {@code write.lock}). Each lock is the JDK's {@link FileLock} on one real channel per file,
 * opened at the first lock; the JDK's per-file table therefore also applies its
 * {@link java.nio.channels.OverlappingFileLockException} rule against every other channel of this
 * JVM on the same file, blkdebug's or not.
 *
 * <p><b>POSIX drops every lock a process holds on a file when any descriptor of that file is
 * closed.</b> The real channel therefore stays open as long as the file's device (both close
 * together, in {@link FileTable}), and the file system opens no other descriptor of a file whose
 * device is open. A channel of the default file system on the same file, closed by the code
 * under test, still drops them: the JDK's own channels share that limit.
 */
final class OsLocks implements FileLocks {
    private final Path file;
    private final boolean writable;
    /** Guards {@link #channel} and {@link #held}. Only open, close and non-blocking tryLock/release run under it. */
    private final ReentrantLock lock = new ReentrantLock();
    private FileChannel channel;
    private final List<Lock> held = new ArrayList<>();

    /** {@code writable}: whether the file may be opened for writing, which an exclusive lock needs. */
    OsLocks(Path file, boolean writable) {
        this.file = file;
        this.writable = writable;
    }

    @Override
    public FileLock tryAcquire(Channel owner, long position, long size, boolean shared) throws IOException {
        lock.lock();
        try {
            if (channel == null || !channel.isOpen()) { // an interrupt inside tryLock closes it
                channel = writable
                        ? FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)
                        : FileChannel.open(file, StandardOpenOption.READ);
            }
            FileLock real = channel.tryLock(position, size, shared);
            if (real == null) {
                return null; // another process holds it
            }
            Lock l = owner instanceof FileChannel fc
                    ? new Lock(fc, real)
                    : new Lock((AsynchronousFileChannel) owner, real);
            held.add(l);
            return l;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void releaseAll(Channel owner) throws IOException {
        lock.lock();
        try {
            for (var it = held.iterator(); it.hasNext(); ) {
                Lock l = it.next();
                if (l.acquiredBy() == owner) {
                    it.remove();
                    l.real.release();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() throws IOException {
        lock.lock();
        try {
            held.clear();
            if (channel != null) {
                channel.close(); // releases whatever is left
            }
        } finally {
            lock.unlock();
        }
    }

    private void release(Lock l) throws IOException {
        lock.lock();
        try {
            if (held.remove(l)) {
                l.real.release();
            }
        } finally {
            lock.unlock();
        }
    }

    private final class Lock extends OwnedLock {
        final FileLock real;

        Lock(FileChannel owner, FileLock real) {
            super(owner, real.position(), real.size(), real.isShared());
            this.real = real;
        }

        Lock(AsynchronousFileChannel owner, FileLock real) {
            super(owner, real.position(), real.size(), real.isShared());
            this.real = real;
        }

        @Override
        public boolean isValid() {
            return real.isValid() && acquiredBy().isOpen();
        }

        @Override
        public void release() throws IOException {
            if (!acquiredBy().isOpen()) {
                throw new ClosedChannelException();
            }
            OsLocks.this.release(this);
        }
    }
}
