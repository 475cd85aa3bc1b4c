package org.blkdebug.engine.block;

import java.lang.invoke.MethodHandle;

/**
 * {@code lseek(2)} with {@code SEEK_DATA} and {@code SEEK_HOLE} on an image file: how file-posix's
 * {@code find_allocation} tells a sparse file's holes from its data. Java has no API for them;
 * libc's are called ({@link Libc}), linked once, on first use (only block status with
 * {@code want_zero} asks: NBD's base:allocation). Where that is not available {@link #open}
 * returns null, and the file reports data everywhere, which is always correct (only less precise).
 */
final class SeekData extends Libc.Fd {
    private static final int SEEK_DATA = 3; // Linux's values
    private static final int SEEK_HOLE = 4;
    private static final int O_RDONLY_CLOEXEC = 02000000;

    private static final class Holder {
        /** libc's lseek; null when unavailable. */
        static final MethodHandle LSEEK = Libc.handle(
                l -> l.function("lseek", false, -1, l.i64, l.i32, l.i64, l.i32));
    }

    private SeekData(int fd) {
        super(fd);
    }

    /** A descriptor of {@code path} for the queries, or null when they are not available. */
    static SeekData open(String path) {
        return Holder.LSEEK == null ? null : Libc.get().open(path, O_RDONLY_CLOEXEC, SeekData::new);
    }

    /**
     * file-posix's {@code find_allocation}: the data or hole extent that {@code start} is in, or
     * {@link Backend.Extent#TRAILING_HOLE}; null when the file system cannot tell (QEMU then reports data).
     */
    Backend.Extent find(long start) {
        try {
            long data = (long) Holder.LSEEK.invokeExact(fd, start, SEEK_DATA);
            if (data < 0) {
                // ENXIO, or no support: tell them apart by SEEK_HOLE, which then still answers
                long hole = (long) Holder.LSEEK.invokeExact(fd, start, SEEK_HOLE);
                return hole >= start ? Backend.Extent.TRAILING_HOLE : null;
            }
            if (data > start) {
                return new Backend.Extent(false, data);
            }
            if (data < start) {
                return null; // file-posix: EIO, reported as data
            }
            long hole = (long) Holder.LSEEK.invokeExact(fd, start, SEEK_HOLE);
            return hole > start ? new Backend.Extent(true, hole) : null; // a race with a writer: data
        } catch (Throwable e) {
            return null;
        }
    }
}
