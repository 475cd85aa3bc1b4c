package org.blkdebug.engine;

import java.util.Objects;

/**
 * How to open a device: the cache mode (qemu-io {@code -t}, default writethrough as qemu-io's),
 * read-only ({@code -r}) and where blkdebug's messages go.
 */
public record OpenOptions(CacheMode cache, boolean readOnly, BlkDebugListener listener) {
    public OpenOptions {
        Objects.requireNonNull(cache, "cache");
        listener = listener == null ? BlkDebugListener.SILENT : listener;
    }

    public static OpenOptions defaults() {
        return new OpenOptions(CacheMode.WRITETHROUGH, false, BlkDebugListener.SILENT);
    }

    public OpenOptions withCache(CacheMode c) {
        return new OpenOptions(c, readOnly, listener);
    }

    public OpenOptions withReadOnly(boolean r) {
        return new OpenOptions(cache, r, listener);
    }

    public OpenOptions withListener(BlkDebugListener l) {
        return new OpenOptions(cache, readOnly, l);
    }
}
