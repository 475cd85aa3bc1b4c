package org.blkdebug.engine;

import java.util.Objects;

/**
 * How to open a device: the cache mode (qemu-io {@code -t}, default writethrough as qemu-io's),
 * read-only ({@code -r}), where blkdebug's messages go, the power-loss model (ours, see
 * docs/faults.md), snapshot mode and qemu-io's {@code -d} and {@code -C}.
 *
 * @param volatileCache  the disk below blkdebug has a volatile write cache, so that
 *                       {@link Device#crash} can lose what was not flushed (on by default)
 * @param volatileLimit  bytes of volatile data kept in memory; the rest spills to a file next
 *                       to the image
 * @param writeLog       the {@code --log-writes} file, or null
 * @param snapshot       {@code -s}: the image file is only read; writes go to a copy-on-write
 *                       overlay in memory that is dropped at close, as QEMU's {@code snapshot=on}
 *                       drops its temporary overlay
 * @param pageCacheOrder when set, the cache is the page-cache model of a file of the file system
 *                       (writes go through at once; a crash undoes them), its writes numbered by
 *                       this (shared by the file system's files); null for the disk model
 * @param unmap          {@code -d}: discards act and write-zeroes may unmap (qemu-io's default;
 *                       {@code -d ignore} turns it off on every node)
 * @param copyOnRead     qemu-io {@code -C}: reads copy what comes from a backing file into the
 *                       top node of the device
 * @param byteLength     the device's length is its image file's, to the byte, as a file's (the Java
 *                       doors: {@link BlkDebug.Builder}, channels, the file system); otherwise
 *                       whole 512-byte sectors, rounded up, as QEMU's block layer keeps it (the
 *                       shell, NBD): the tail of the last sector reads as zeroes
 * @param nativeAio      qemu-io {@code -k} / {@code -i native}: every file node is opened with
 *                       {@code aio=native}, which QEMU refuses without O_DIRECT once the file is
 *                       open; no native AIO is done here
 */
public record OpenOptions(CacheMode cache, boolean readOnly, BlkDebugListener listener,
                          boolean volatileCache, long volatileLimit, java.nio.file.Path writeLog, boolean snapshot,
                          java.util.function.LongSupplier pageCacheOrder, boolean unmap, boolean copyOnRead,
                          boolean byteLength, boolean nativeAio) {
    /** Volatile data held in memory before it spills to a file: 64 MiB. */
    public static final long DEFAULT_VOLATILE_LIMIT = 64L << 20;

    public OpenOptions {
        Objects.requireNonNull(cache, "cache");
        listener = listener == null ? BlkDebugListener.SILENT : listener;
        if (volatileLimit < 0) {
            throw new IllegalArgumentException("negative volatile limit");
        }
    }

    public OpenOptions(CacheMode cache, boolean readOnly, BlkDebugListener listener) {
        this(cache, readOnly, listener, true, DEFAULT_VOLATILE_LIMIT, null, false, null);
    }

    public OpenOptions(CacheMode cache, boolean readOnly, BlkDebugListener listener,
                       boolean volatileCache, long volatileLimit, java.nio.file.Path writeLog) {
        this(cache, readOnly, listener, volatileCache, volatileLimit, writeLog, false, null);
    }

    public OpenOptions(CacheMode cache, boolean readOnly, BlkDebugListener listener,
                       boolean volatileCache, long volatileLimit, java.nio.file.Path writeLog, boolean snapshot,
                       java.util.function.LongSupplier pageCacheOrder) {
        this(cache, readOnly, listener, volatileCache, volatileLimit, writeLog, snapshot, pageCacheOrder, true, false);
    }

    public OpenOptions(CacheMode cache, boolean readOnly, BlkDebugListener listener,
                       boolean volatileCache, long volatileLimit, java.nio.file.Path writeLog, boolean snapshot,
                       java.util.function.LongSupplier pageCacheOrder, boolean unmap, boolean copyOnRead) {
        this(cache, readOnly, listener, volatileCache, volatileLimit, writeLog, snapshot, pageCacheOrder, unmap,
                copyOnRead, false, false);
    }

    public static OpenOptions defaults() {
        return new OpenOptions(CacheMode.WRITETHROUGH, false, BlkDebugListener.SILENT);
    }

    public OpenOptions withCache(CacheMode c) {
        return new OpenOptions(c, readOnly, listener, volatileCache, volatileLimit, writeLog, snapshot, pageCacheOrder,
                unmap, copyOnRead, byteLength, nativeAio);
    }

    public OpenOptions withReadOnly(boolean r) {
        return new OpenOptions(cache, r, listener, volatileCache, volatileLimit, writeLog, snapshot, pageCacheOrder,
                unmap, copyOnRead, byteLength, nativeAio);
    }

    public OpenOptions withListener(BlkDebugListener l) {
        return new OpenOptions(cache, readOnly, l, volatileCache, volatileLimit, writeLog, snapshot, pageCacheOrder,
                unmap, copyOnRead, byteLength, nativeAio);
    }

    /** Off: writes go straight to the image, as before this model existed; {@code crash} is refused. */
    public OpenOptions withVolatileCache(boolean on) {
        return new OpenOptions(cache, readOnly, listener, on, volatileLimit, writeLog, snapshot, pageCacheOrder,
                unmap, copyOnRead, byteLength, nativeAio);
    }

    public OpenOptions withVolatileLimit(long bytes) {
        return new OpenOptions(cache, readOnly, listener, volatileCache, bytes, writeLog, snapshot, pageCacheOrder,
                unmap, copyOnRead, byteLength, nativeAio);
    }

    /** The page-cache model of a file system's file (see {@link #pageCacheOrder}); implies the cache. */
    public OpenOptions withPageCache(java.util.function.LongSupplier order) {
        return new OpenOptions(cache, readOnly, listener, true, volatileLimit, writeLog, snapshot, order,
                unmap, copyOnRead, byteLength, nativeAio);
    }

    /** Records every completed write, flush and mark in {@code file} ({@code --log-writes}). */
    public OpenOptions withWriteLog(java.nio.file.Path file) {
        return new OpenOptions(cache, readOnly, listener, volatileCache, volatileLimit, file, snapshot, pageCacheOrder,
                unmap, copyOnRead, byteLength, nativeAio);
    }

    public OpenOptions withSnapshot(boolean s) {
        return new OpenOptions(cache, readOnly, listener, volatileCache, volatileLimit, writeLog, s, pageCacheOrder,
                unmap, copyOnRead, byteLength, nativeAio);
    }

    /** {@code -d ignore|off}: discards do nothing; {@code unmap|on} (the default) lets them act. */
    public OpenOptions withUnmap(boolean u) {
        return new OpenOptions(cache, readOnly, listener, volatileCache, volatileLimit, writeLog, snapshot,
                pageCacheOrder, u, copyOnRead, byteLength, nativeAio);
    }

    /** {@code -C}: copy-on-read on the device's top node (refused with read-only at open). */
    public OpenOptions withCopyOnRead(boolean on) {
        return new OpenOptions(cache, readOnly, listener, volatileCache, volatileLimit, writeLog, snapshot,
                pageCacheOrder, unmap, on, byteLength, nativeAio);
    }

    /** The image file's length to the byte, or (false, the default) whole sectors as QEMU. */
    public OpenOptions withByteLength(boolean on) {
        return new OpenOptions(cache, readOnly, listener, volatileCache, volatileLimit, writeLog, snapshot,
                pageCacheOrder, unmap, copyOnRead, on, nativeAio);
    }

    /** qemu-io {@code -k}: {@code aio=native} on every file node (refused at the file's open without O_DIRECT). */
    public OpenOptions withNativeAio(boolean on) {
        return new OpenOptions(cache, readOnly, listener, volatileCache, volatileLimit, writeLog, snapshot,
                pageCacheOrder, unmap, copyOnRead, byteLength, on);
    }
}
