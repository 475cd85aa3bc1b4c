package org.blkdebug.engine;

import java.io.IOException;

/**
 * A failed block request: carries the errno QEMU would return, and has {@link Errno#message}
 * of it as its message, so {@code "write failed: " + e.getMessage()} reads as qemu-io prints it.
 */
public class BlockException extends IOException {
    private final int errno;

    public BlockException(int errno) {
        super(Errno.message(errno));
        this.errno = errno;
    }

    public BlockException(int errno, Throwable cause) {
        super(Errno.message(errno), cause);
        this.errno = errno;
    }

    /**
     * A failure QEMU reports with its own text (an Error message, e.g. {@code Failed to grow the
     * L1 table: No space left on device}) rather than just strerror.
     */
    public BlockException(int errno, String message) {
        super(message);
        this.errno = errno;
    }

    /** True when the message is more than {@link Errno#message} of the errno. */
    public boolean hasDetail() {
        return !Errno.message(errno).equals(getMessage());
    }

    /** The positive errno, e.g. {@link Errno#EIO}. */
    public int errno() {
        return errno;
    }
}
