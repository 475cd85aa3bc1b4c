package org.blkdebug.engine;

import java.util.Objects;

/**
 * How to open a device: the cache mode (qemu-io {@code -t}, default writethrough as qemu-io's),
 * read-only ({@code -r}) and where blkdebug's messages go.
 */
public record OpenOptions(CacheMode cache, boolean readOnly, BlkDebugListener listener, boolean unmap) {
    public OpenOptions {
        Objects.requireNonNull(cache, "cache");
        listener = listener == null ? BlkDebugListener.SILENT : listener;
    }

    /** With discards passed down ({@code -d unmap}, qemu-io's default). */
    public OpenOptions(CacheMode cache, boolean readOnly, BlkDebugListener listener) {
        this(cache, readOnly, listener, true);
    }

    public static OpenOptions defaults() {
        return new OpenOptions(CacheMode.WRITETHROUGH, false, BlkDebugListener.SILENT);
    }

    public OpenOptions withCache(CacheMode c) {
        return new OpenOptions(c, readOnly, listener, unmap);
    }

    public OpenOptions withReadOnly(boolean r) {
        return new OpenOptions(cache, r, listener, unmap);
    }

    public OpenOptions withListener(BlkDebugListener l) {
        return new OpenOptions(cache, readOnly, l, unmap);
    }

    /** {@code -d ignore|off} turns discards off above the format; {@code unmap|on} (default) passes them. */
    public OpenOptions withUnmap(boolean u) {
        return new OpenOptions(cache, readOnly, listener, u);
    }
}
