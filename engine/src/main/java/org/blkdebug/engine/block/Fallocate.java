package org.blkdebug.engine.block;

import java.lang.invoke.MethodHandle;
import org.blkdebug.engine.Errno;

/**
 * {@code fallocate(2)} on an image file: how file-posix zeroes and discards a regular file
 * ({@code do_fallocate}), so the file's extents come out as QEMU's do (a punched hole or an
 * unwritten extent is read by O_DIRECT without reaching the disk: {@link DirectIoAlignment}
 * then probes 4096 where written zeroes give 512). Java has no API for it; libc's is called
 * ({@link Libc}) on a descriptor of its own, opened read-write on first use. Where that is not
 * available {@link #open} returns null and the caller writes zeroes, which read the same.
 */
final class Fallocate extends Libc.Fd {
    static final int KEEP_SIZE = 0x01; // Linux's FALLOC_FL_* values
    static final int PUNCH_HOLE = 0x02;
    static final int ZERO_RANGE = 0x10;
    private static final int O_RDWR_CLOEXEC = 02 | 02000000;

    private static final class Holder {
        /** libc's fallocate, taking the errno capture segment first; null when unavailable. */
        static final MethodHandle FALLOCATE = Libc.handle(
                l -> l.function("fallocate", true, -1, l.i32, l.i32, l.i32, l.i64, l.i64));
    }

    /**
     * file-posix's {@code has_write_zeroes}, {@code has_discard} and {@code has_fallocate}:
     * cleared once the file system said ENOTSUP, so the call is not tried again (racy by design,
     * as QEMU's: a stale true only costs one more refused call).
     */
    volatile boolean zeroRange = true;
    volatile boolean punchHole = true;
    volatile boolean allocate = true;

    private Fallocate(int fd) {
        super(fd);
    }

    /** A read-write descriptor of {@code path} for the calls, or null when they are not available. */
    static Fallocate open(String path) {
        return Holder.FALLOCATE == null ? null : Libc.get().open(path, O_RDWR_CLOEXEC, Fallocate::new);
    }

    /**
     * file-posix's {@code do_fallocate}: 0, or the errno, ENOTSUP for every "not here" (its
     * {@code translate_err}: ENODEV, ENOSYS, EOPNOTSUPP, ENOTTY), retried on EINTR.
     */
    int call(int mode, long offset, long length) {
        Libc libc = Libc.get();
        try (AutoCloseable arena = libc.arena()) {
            Object state = libc.allocate(arena, libc.captureSize, 8);
            while (true) {
                if ((int) Holder.FALLOCATE.invoke(state, fd, mode, offset, length) == 0) {
                    return 0;
                }
                int errno = libc.getInt(state, libc.errnoOffset);
                if (errno != Errno.EINTR) {
                    return switch (errno) {
                        case 19, 38, 25 -> Errno.ENOTSUP; // ENODEV, ENOSYS, ENOTTY (EOPNOTSUPP is ENOTSUP)
                        default -> errno;
                    };
                }
            }
        } catch (Throwable e) {
            return Errno.ENOTSUP; // the API is not as expected: as a file system without fallocate
        }
    }
}
