package org.blkdebug.engine;

import java.util.Objects;

/**
 * How to open a device: the cache mode (qemu-io {@code -t}, default writethrough as qemu-io's),
 * read-only ({@code -r}), where blkdebug's messages go, and snapshot mode ({@code -s}: the image
 * file is only read; writes go to a copy-on-write overlay in memory that is dropped at close, as
 * QEMU's {@code snapshot=on} drops its temporary overlay).
 */
public record OpenOptions(CacheMode cache, boolean readOnly, BlkDebugListener listener, boolean snapshot) {
    public OpenOptions {
        Objects.requireNonNull(cache, "cache");
        listener = listener == null ? BlkDebugListener.SILENT : listener;
    }

    public OpenOptions(CacheMode cache, boolean readOnly, BlkDebugListener listener) {
        this(cache, readOnly, listener, false);
    }

    public static OpenOptions defaults() {
        return new OpenOptions(CacheMode.WRITETHROUGH, false, BlkDebugListener.SILENT);
    }

    public OpenOptions withCache(CacheMode c) {
        return new OpenOptions(c, readOnly, listener, snapshot);
    }

    public OpenOptions withReadOnly(boolean r) {
        return new OpenOptions(cache, r, listener, snapshot);
    }

    public OpenOptions withListener(BlkDebugListener l) {
        return new OpenOptions(cache, readOnly, l, snapshot);
    }

    public OpenOptions withSnapshot(boolean s) {
        return new OpenOptions(cache, readOnly, listener, s);
    }
}
