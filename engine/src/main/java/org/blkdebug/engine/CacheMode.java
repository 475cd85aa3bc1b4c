package org.blkdebug.engine;

import java.util.Optional;

/**
 * qemu-io's {@code -t} cache modes. {@code writeCache == false} (writethrough, directsync) makes
 * every write followed by a flush, as QEMU's block backend emulates it; {@code noFlush}
 * (unsafe) makes flushes stop before {@code flush_to_disk}; {@code direct} is O_DIRECT.
 */
public enum CacheMode {
    WRITEBACK("writeback", true, false, false),
    WRITETHROUGH("writethrough", false, false, false),
    UNSAFE("unsafe", true, true, false),
    NONE("none", true, false, true),
    DIRECTSYNC("directsync", false, false, true);

    private final String qemuName;
    private final boolean writeCache;
    private final boolean noFlush;
    private final boolean direct;

    CacheMode(String qemuName, boolean writeCache, boolean noFlush, boolean direct) {
        this.qemuName = qemuName;
        this.writeCache = writeCache;
        this.noFlush = noFlush;
        this.direct = direct;
    }

    public String qemuName() {
        return qemuName;
    }

    /** False when every write must be followed by a flush (writethrough, directsync). */
    public boolean writeCache() {
        return writeCache;
    }

    /** True when flushes never reach the disk (unsafe). */
    public boolean noFlush() {
        return noFlush;
    }

    public boolean direct() {
        return direct;
    }

    public static Optional<CacheMode> byName(String name) {
        for (CacheMode m : values()) {
            if (m.qemuName.equals(name)) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }
}
