package org.blkdebug.engine.nio;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.blkdebug.engine.Device;

/**
 * The devices of one blkdebug file system, one per real file while any channel on it is open:
 * every channel on a file shares its device, so rule state, breakpoints and locks are per file,
 * like a disk under QEMU. The last channel to close closes the device.
 */
final class OpenDevices {
    @FunctionalInterface
    interface Opener {
        Device open() throws IOException;
    }

    private static final class Entry {
        final DeviceFile file;
        int users;

        Entry(DeviceFile file) {
            this.file = file;
        }
    }

    /** Guards {@link #byPath}. Never held while a device opens or closes (both do I/O). */
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Map<Path, Entry> byPath = new HashMap<>();

    /** The shared device of {@code realPath}, opened with {@code opener} if nobody has it open. */
    DeviceFile acquire(Path realPath, Opener opener) throws IOException {
        DeviceFile existing = take(realPath);
        if (existing != null) {
            return existing;
        }
        Device fresh = opener.open();
        lock.lock();
        try {
            Entry e = byPath.get(realPath);
            if (e == null) {
                e = new Entry(new DeviceFile(fresh));
                byPath.put(realPath, e);
                changed.signalAll();
                fresh = null;
            }
            e.users++;
            return e.file;
        } finally {
            lock.unlock();
            if (fresh != null) {
                fresh.close(); // another opener won the race; its device is the file's
            }
        }
    }

    private DeviceFile take(Path realPath) {
        lock.lock();
        try {
            Entry e = byPath.get(realPath);
            if (e == null) {
                return null;
            }
            e.users++;
            return e.file;
        } finally {
            lock.unlock();
        }
    }

    /** One user less; the last one closes the device. */
    void release(Path realPath, DeviceFile file) throws IOException {
        boolean last = false;
        lock.lock();
        try {
            Entry e = byPath.get(realPath);
            if (e != null && e.file == file && --e.users == 0) {
                byPath.remove(realPath);
                last = true;
            }
        } finally {
            lock.unlock();
        }
        if (last) {
            file.device().close();
        }
    }

    Optional<Device> get(Path realPath) {
        lock.lock();
        try {
            Entry e = byPath.get(realPath);
            return Optional.ofNullable(e == null ? null : e.file.device());
        } finally {
            lock.unlock();
        }
    }

    Optional<Device> await(Path realPath, Duration timeout) throws InterruptedException {
        long left = timeout.toNanos();
        lock.lock();
        try {
            while (!byPath.containsKey(realPath)) {
                if (left <= 0) {
                    return Optional.empty();
                }
                left = changed.awaitNanos(left);
            }
            return Optional.of(byPath.get(realPath).file.device());
        } finally {
            lock.unlock();
        }
    }
}
