package org.blkdebug.engine.block;

import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.Errno;
import org.blkdebug.engine.OpenException;

/**
 * Where the bytes live: an image file or memory. Called from request threads concurrently;
 * implementations must be thread-safe and report failures as {@link BlockException} with the
 * errno the OS gave.
 */
public interface Backend {
    /** Fills {@code dst} from {@code offset}; bytes past the end read as zeroes (as file-posix). */
    void read(long offset, IoVec dst) throws BlockException;

    void write(long offset, IoVec src) throws BlockException;

    /**
     * A write the request flagged FUA. The flag is emulated above (a flush follows), so a backend
     * only needs it to say so, as a write log does; the default ignores it.
     */
    default void write(long offset, IoVec src, boolean fua) throws BlockException {
        write(offset, src);
    }

    void writeZeroes(long offset, long length) throws BlockException;

    /** As {@link #write(long, IoVec, boolean)}, for write-zeroes. */
    default void writeZeroes(long offset, long length, boolean fua) throws BlockException {
        writeZeroes(offset, length);
    }

    /**
     * As {@link #writeZeroes(long, long, boolean)}; {@code unmap}: the request may unmap
     * (BDRV_REQ_MAY_UNMAP), so an image file punches a hole where it can. The default ignores it.
     */
    default void writeZeroes(long offset, long length, boolean fua, boolean unmap) throws BlockException {
        writeZeroes(offset, length, fua);
    }

    /** Discards the range; it reads as zeroes afterwards (QEMU punches a hole). */
    void discard(long offset, long length) throws BlockException;

    void flush() throws BlockException;

    long length() throws BlockException;

    void truncate(long length) throws BlockException;

    /**
     * A truncate with a preallocation mode ("off", "metadata", "falloc", "full"): refused as
     * {@link #checkPreallocation} says, otherwise a plain resize. "falloc" and "full" leave the
     * bytes "off" leaves (zeroes up to the new end).
     */
    default void truncate(long length, String prealloc) throws BlockException {
        checkPreallocation(length(), length, prealloc);
        truncate(length);
    }

    /**
     * Refuses a truncate from {@code current} bytes to {@code length} with {@code prealloc} as
     * file-posix's handle_aiocb_truncate does on a regular file: a mode other than "off" may only
     * grow the file, and "metadata" is not one it knows.
     */
    default void checkPreallocation(long current, long length, String prealloc) throws BlockException {
        if (prealloc.equals("off")) {
            return;
        }
        if (current > length) {
            throw new BlockException(Errno.ENOTSUP, "Cannot use preallocation for shrinking files");
        }
        if (!prealloc.equals("falloc") && !prealloc.equals("full")) {
            throw new BlockException(Errno.ENOTSUP, "Unsupported preallocation mode: " + prealloc);
        }
    }

    void close() throws BlockException;

    /**
     * The request alignment O_DIRECT needs on the file below, probed now as QEMU's file-posix
     * probes it at open ({@code raw_probe_alignment}); 1 where no file is asked (memory, an
     * overlay). Only called when a device is opened with {@code cache.direct=on}.
     */
    default long probeDirectIoAlignment() throws OpenException {
        return 1;
    }

    /**
     * Where file-posix's {@code find_allocation} found an offset: in data, or in a hole, up to
     * {@code end}. {@link #TRAILING_HOLE}: no data at or after it (lseek's ENXIO).
     */
    record Extent(boolean data, long end) {
        public static final Extent TRAILING_HOLE = new Extent(false, Long.MAX_VALUE);
    }

    /**
     * The data or hole extent {@code offset} is in (a sparse file's holes read as zeroes), or null
     * when the backend cannot tell: then everything is data, which is always correct. Only an
     * image file answers; overlays and caches above one keep the default.
     */
    default Extent extentAt(long offset) {
        return null;
    }
}
