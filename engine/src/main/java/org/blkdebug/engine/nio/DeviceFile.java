package org.blkdebug.engine.nio;

import java.io.IOException;
import java.util.concurrent.locks.ReentrantLock;
import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.Device;

/**
 * A device seen as a file: what every channel on the same device must share, so that growth and
 * locks agree between them (the JDK shares its lock table per file the same way). Who closes it
 * is the opener's business: {@link FileTable} for a file of the blkdebug file system.
 *
 * <p>A device rejects requests past its end (QEMU's {@code blk_check_byte_request}), so a write
 * past the end first grows the device with {@link Device#truncate}, as {@code pwrite} grows a file.
 */
final class DeviceFile {
    private final Device device;
    /**
     * Makes check-then-truncate atomic, so two growing writes never shrink each other's extent.
     * Held across {@link Device#length()} and {@link Device#truncate} only, which fire no event
     * and so can never be suspended at a breakpoint.
     */
    private final ReentrantLock resize = new ReentrantLock();
    private final FileLocks locks;

    DeviceFile(Device device, FileLocks locks) {
        this.device = device;
        this.locks = locks;
    }

    Device device() {
        return device;
    }

    FileLocks locks() {
        return locks;
    }

    /** Closes the device (which flushes, as QEMU does at close) and drops whatever locks are left. */
    void close() throws IOException {
        try {
            device.close();
        } finally {
            locks.close();
        }
    }

    /** Grows the device to at least {@code end} bytes; never shrinks it. */
    void ensureLength(long end) throws BlockException {
        if (end <= device.length()) {
            return; // the common case takes no lock
        }
        resize.lock();
        try {
            if (end > device.length()) {
                device.truncate(end);
            }
        } finally {
            resize.unlock();
        }
    }

    /**
     * Reserves {@code bytes} at the current end and returns where they start: O_APPEND's
     * "seek to end and write" made atomic against other appenders on this device.
     */
    long reserveAtEnd(long bytes) throws BlockException {
        resize.lock();
        try {
            long at = device.length();
            device.truncate(Math.addExact(at, bytes));
            return at;
        } finally {
            resize.unlock();
        }
    }

    /** Shrinks the device to {@code size}; a larger size leaves it alone (FileChannel.truncate). */
    void shrink(long size) throws BlockException {
        resize.lock();
        try {
            if (size < device.length()) {
                device.truncate(size);
            }
        } finally {
            resize.unlock();
        }
    }
}
