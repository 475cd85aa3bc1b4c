package org.blkdebug.engine.block;

import java.lang.invoke.MethodHandle;

/**
 * {@code lseek(2)} with {@code SEEK_DATA} and {@code SEEK_HOLE} on an image file: how file-posix's
 * {@code find_allocation} tells a sparse file's holes from its data. Java has no API for them;
 * libc's are called ({@link Libc}), linked once, on first use (only block status with
 * {@code want_zero} asks: NBD's base:allocation). Where that is not available {@link #open}
 * returns null, and the file reports data everywhere, which is always correct (only less precise).
 */
final class SeekData implements AutoCloseable {
    private static final int SEEK_DATA = 3; // Linux's values
    private static final int SEEK_HOLE = 4;
    private static final int O_RDONLY_CLOEXEC = 02000000;

    /** libc's open, lseek and close; null when unavailable. */
    private record Calls(Libc libc, MethodHandle open, MethodHandle lseek, MethodHandle close) {
    }

    private static final class Holder {
        static final Calls LIBC = link();
    }

    private final int fd;

    private SeekData(int fd) {
        this.fd = fd;
    }

    /** A descriptor of {@code path} for the queries, or null when they are not available. */
    static SeekData open(String path) {
        Calls libc = Holder.LIBC;
        if (libc == null) {
            return null;
        }
        try (AutoCloseable arena = libc.libc().arena()) {
            Object cPath = libc.libc().string(arena, path);
            int fd = (int) libc.open().invoke(cPath, O_RDONLY_CLOEXEC, 0);
            return fd < 0 ? null : new SeekData(fd);
        } catch (Throwable e) {
            return null;
        }
    }

    /**
     * file-posix's {@code find_allocation}: the data or hole extent that {@code start} is in, or
     * {@link Backend.Extent#TRAILING_HOLE}; null when the file system cannot tell (QEMU then reports data).
     */
    Backend.Extent find(long start) {
        try {
            long data = (long) Holder.LIBC.lseek().invokeExact(fd, start, SEEK_DATA);
            if (data < 0) {
                // ENXIO, or no support: tell them apart by SEEK_HOLE, which then still answers
                long hole = (long) Holder.LIBC.lseek().invokeExact(fd, start, SEEK_HOLE);
                return hole >= start ? Backend.Extent.TRAILING_HOLE : null;
            }
            if (data > start) {
                return new Backend.Extent(false, data);
            }
            if (data < start) {
                return null; // file-posix: EIO, reported as data
            }
            long hole = (long) Holder.LIBC.lseek().invokeExact(fd, start, SEEK_HOLE);
            return hole > start ? new Backend.Extent(true, hole) : null; // a race with a writer: data
        } catch (Throwable e) {
            return null;
        }
    }

    @Override
    public void close() {
        try {
            int ignored = (int) Holder.LIBC.close().invokeExact(fd);
        } catch (Throwable e) {
            // nothing to do: the descriptor is gone either way
        }
    }

    private static Calls link() {
        Libc libc = Libc.get();
        if (libc == null) {
            return null;
        }
        try {
            // open(const char *, int, ...): the mode is its variadic argument
            return new Calls(libc, libc.function("open", false, 2, libc.i32, libc.ptr, libc.i32, libc.i32),
                    libc.function("lseek", false, -1, libc.i64, libc.i32, libc.i64, libc.i32),
                    libc.function("close", false, -1, libc.i32, libc.i32));
        } catch (Throwable e) {
            return null;
        }
    }
}
