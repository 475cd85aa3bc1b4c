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

    /** Linux's EDQUOT; not among {@link Errno}'s constants. */
    static final int EDQUOT = 122;

    /**
     * The NBD error for {@code errno}, mapped as qemu-nbd 7.2 maps it ({@code
     * system_errno_to_nbd_errno} in nbd/server.c): the eight the protocol defines pass through,
     * EROFS is EPERM, EFBIG and EDQUOT are ENOSPC (as the spec asks), anything else is EINVAL.
     */
    static int toNbd(int errno) {
        return switch (errno) {
            case 0, Errno.EPERM, Errno.EIO, Errno.ENOMEM, Errno.EINVAL, Errno.ENOSPC, Errno.ENOTSUP,
                 Errno.ESHUTDOWN, Errno.EOVERFLOW -> errno;
            case Errno.EROFS -> Errno.EPERM;
            case Errno.EFBIG, EDQUOT -> Errno.ENOSPC;
            default -> Errno.EINVAL;
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
}
