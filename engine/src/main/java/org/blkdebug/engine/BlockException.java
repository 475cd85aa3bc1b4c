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

    /** The positive errno, e.g. {@link Errno#EIO}. */
    public int errno() {
        return errno;
    }
}
