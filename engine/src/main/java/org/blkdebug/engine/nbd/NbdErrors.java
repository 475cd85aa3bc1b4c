package org.blkdebug.engine.nbd;

import org.blkdebug.engine.Errno;

/**
 * The one place that turns a request's failure into the error an NBD reply carries. The NBD
 * error numbers are Linux's errno numbers, and only eight are defined; see {@link NbdServer} for
 * the table.
 */
final class NbdErrors {
    private NbdErrors() {
    }

    /** The NBD error for {@code errno}: the eight the protocol defines pass through, the rest is EIO. */
    static int toNbd(int errno) {
        return switch (errno) {
            case 0, Errno.EPERM, Errno.EIO, Errno.ENOMEM, Errno.EINVAL, Errno.ENOSPC, Errno.ENOTSUP,
                 Errno.ESHUTDOWN, EOVERFLOW -> errno;
            default -> Errno.EIO;
        };
    }

    /** The NBD error for a failed request's exception. */
    static int of(Throwable failure) {
        return toNbd(Errno.ofCompletion(failure));
    }

    /** Text for a structured error chunk; the same words qemu-io prints for the errno. */
    static String message(int nbdError) {
        return Errno.message(nbdError);
    }

    /** Not among {@link Errno}'s constants; Linux's value. */
    static final int EOVERFLOW = Errno.EOVERFLOW;
}
