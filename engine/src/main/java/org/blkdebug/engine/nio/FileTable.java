package org.blkdebug.engine.nio;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.blkdebug.engine.Device;

/**
 * The files of one blkdebug file system that have a device, kept the way an operating system
 * keeps inodes in memory: <b>a file's device outlives its channels</b>. This is the one place
 * that decides when a file's device opens and closes; the file system only reports what happens
 * to its files.
 *
 * <ul>
 *   <li>The first channel on a file opens its device; every later channel on the file, while the
 *       device lives, shares it, so rule state, breakpoints and locks are per file.</li>
 *   <li>Closing a channel neither flushes nor closes the device (as {@code close(2)} does not
 *       {@code fsync}): what was written stays unflushed until an fsync ({@code force}) of the file
 *       through any channel, later or not, and that flush fires {@code flush_to_os} and
 *       {@code flush_to_disk} with the file's rules and breakpoints.</li>
 *   <li>Rules live as long as the device: a {@code once} rule fires once for the file, whatever
 *       channels come and go, and the state carries over between them.</li>
 *   <li>A rename through the file system takes the device along ({@link #renamed}); a delete
 *       ({@link #unlinked}) frees the name at once and closes the device with the file's last
 *       channel, as an unlinked inode lives while it is open. A name found to stand for another
 *       file than its device's (replaced behind the file system's back) is treated as unlinked.</li>
 *   <li>Closing the file system closes every device ({@link #closeAll}), which flushes, as QEMU's
 *       {@code bdrv_close} and an unmount do.</li>
 * </ul>
 *
 * <p>For a power-loss model: the writes a file's device has not flushed are exactly the ones an
 * fsync would still have to make durable, and every namespace change of the file system
 * (create through a channel, {@link #renamed}, {@link #unlinked}) passes through here, so a
 * volatile cache under each device and a journal of directory entries kept beside this table
 * see everything a crash would have to undo. Directories themselves are never devices.
 *
 * <p>Concurrency: {@link #lock} guards the table and each entry's counts and flags; it is never
 * held while a device opens or closes, which do I/O.
 */
final class FileTable {
    @FunctionalInterface
    interface Opener {
        DeviceFile open() throws IOException;
    }

    /** A file with a device: what a channel holds on to, and gives back when it closes. */
    static final class OpenFile {
        final DeviceFile file;
        /** The identity of the real file (its inode), to notice a name that now names another file. */
        final Object fileKey;
        /** Guarded by the table's lock. */
        private Path key;
        private int channels;
        private boolean unlinked;

        private OpenFile(DeviceFile file, Object fileKey, Path key) {
            this.file = file;
            this.fileKey = fileKey;
            this.key = key;
        }
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** Files by their real path; an unlinked file is no longer here but lives while it has channels. */
    private final Map<Path, OpenFile> byPath = new HashMap<>();
    /** Guarded by lock: unlinked files still held by a channel (their devices live on). */
    private final java.util.Set<OpenFile> orphans = new java.util.HashSet<>();
    private boolean closed;

    /**
     * A new channel on the file at {@code key} (a real path) whose identity is {@code fileKey}:
     * the file's device, opened with {@code opener} if the file has none yet.
     */
    OpenFile acquire(Path key, Object fileKey, Opener opener) throws IOException {
        OpenFile live = reopen(key, fileKey);
        if (live != null) {
            return live;
        }
        DeviceFile fresh = opener.open();
        List<OpenFile> stale = new ArrayList<>();
        lock.lock();
        try {
            if (closed) {
                stale.add(new OpenFile(fresh, fileKey, key));
                throw new java.nio.file.ClosedFileSystemException();
            }
            OpenFile f = byPath.get(key);
            if (f != null && Objects.equals(f.fileKey, fileKey)) {
                stale.add(new OpenFile(fresh, fileKey, key)); // another opener won the race
            } else {
                if (f != null) {
                    unlinkLocked(f, stale);
                }
                f = new OpenFile(fresh, fileKey, key);
                byPath.put(key, f);
                changed.signalAll();
            }
            f.channels++;
            return f;
        } finally {
            lock.unlock();
            closeAll(stale);
        }
    }

    /** A new channel on the file at {@code key} if it has a device; null if not. */
    OpenFile reopen(Path key, Object fileKey) throws IOException {
        List<OpenFile> stale = new ArrayList<>();
        lock.lock();
        try {
            OpenFile f = byPath.get(key);
            if (f == null) {
                return null;
            }
            if (!Objects.equals(f.fileKey, fileKey)) {
                unlinkLocked(f, stale); // the name was given to another file behind our back
                return null;
            }
            f.channels++;
            return f;
        } finally {
            lock.unlock();
            closeAll(stale);
        }
    }

    /** A channel on {@code f} closed. The device stays, unflushed writes and all, unless the file was unlinked. */
    void release(OpenFile f) throws IOException {
        boolean last;
        lock.lock();
        try {
            last = --f.channels == 0 && f.unlinked;
            if (last) {
                orphans.remove(f);
            }
        } finally {
            lock.unlock();
        }
        if (last) {
            f.file.close();
        }
    }

    /**
     * The name {@code key} (a file, or a directory and all under it) is gone: a new file by that
     * name gets a new device.
     */
    void unlinked(Path key) throws IOException {
        List<OpenFile> stale = new ArrayList<>();
        lock.lock();
        try {
            for (OpenFile f : byPath.values().toArray(OpenFile[]::new)) {
                if (f.key.startsWith(key)) {
                    unlinkLocked(f, stale);
                }
            }
        } finally {
            lock.unlock();
            closeAll(stale);
        }
    }

    /**
     * {@code from} was renamed to {@code to}: the device of a file, or of every file under a
     * directory, moves along; a file that {@code to} replaced is unlinked.
     */
    void renamed(Path from, Path to) throws IOException {
        List<OpenFile> stale = new ArrayList<>();
        lock.lock();
        try {
            List<OpenFile> moving = new ArrayList<>();
            for (OpenFile f : byPath.values()) {
                if (f.key.startsWith(from)) {
                    moving.add(f);
                }
            }
            for (OpenFile f : moving) {
                byPath.remove(f.key);
            }
            for (OpenFile f : byPath.values().toArray(OpenFile[]::new)) {
                if (f.key.startsWith(to)) {
                    unlinkLocked(f, stale);
                }
            }
            for (OpenFile f : moving) {
                f.key = to.resolve(from.relativize(f.key));
                byPath.put(f.key, f);
            }
            changed.signalAll();
        } finally {
            lock.unlock();
            closeAll(stale);
        }
    }

    /** Leaves the table; closes the device now if no channel holds it. Lock held. */
    private void unlinkLocked(OpenFile f, List<OpenFile> toClose) {
        byPath.remove(f.key, f);
        f.unlinked = true;
        if (f.channels == 0) {
            toClose.add(f);
        } else {
            orphans.add(f);
        }
    }

    /** Every file with a device now, named or unlinked-but-open: what a crash must cut. */
    List<OpenFile> live() {
        lock.lock();
        try {
            List<OpenFile> all = new ArrayList<>(byPath.values());
            all.addAll(orphans);
            return all;
        } finally {
            lock.unlock();
        }
    }

    /** Where a file is now (its key in the table). */
    Path keyOf(OpenFile f) {
        lock.lock();
        try {
            return f.key;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The file system closes, after its channels: every device left closes, which flushes.
     * Later acquires fail.
     */
    void closeAll() throws IOException {
        List<OpenFile> all;
        lock.lock();
        try {
            closed = true;
            all = new ArrayList<>(byPath.values());
            byPath.clear();
            orphans.clear();
            all.forEach(f -> f.unlinked = true);
            all.removeIf(f -> f.channels > 0); // a channel still closing closes it
        } finally {
            lock.unlock();
        }
        closeAll(all);
    }

    private static void closeAll(List<OpenFile> files) throws IOException {
        IOException first = null;
        for (OpenFile f : files) {
            try {
                f.file.close();
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    Optional<Device> device(Path key) {
        lock.lock();
        try {
            OpenFile f = byPath.get(key);
            return Optional.ofNullable(f == null ? null : f.file.device());
        } finally {
            lock.unlock();
        }
    }

    Optional<Device> await(Path key, Duration timeout) throws InterruptedException {
        long left = timeout.toNanos();
        lock.lock();
        try {
            while (!byPath.containsKey(key)) {
                if (left <= 0) {
                    return Optional.empty();
                }
                left = changed.awaitNanos(left);
            }
            return Optional.of(byPath.get(key).file.device());
        } finally {
            lock.unlock();
        }
    }
}
