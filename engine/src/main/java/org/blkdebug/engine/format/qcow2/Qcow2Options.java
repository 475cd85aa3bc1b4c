package org.blkdebug.engine.format.qcow2;

import java.util.Map;

/**
 * The qcow2 driver's runtime options (QEMU's qcow2_runtime_opts), as parsed from
 * {@code --image-opts}, {@code -o} or {@code json:}; null means "not given" (QEMU's default).
 *
 * @param overlapCheck   {@code overlap-check} / {@code overlap-check.template}: none, constant, cached, all
 * @param overlapBits    {@code overlap-check.<kind>=on|off} overrides, by QEMU's bit number
 * @param cacheCleanInterval seconds; accepted, but entries are never dropped by time here
 */
public record Qcow2Options(Boolean lazyRefcounts, Boolean passDiscardRequest, Boolean passDiscardSnapshot,
                           Boolean passDiscardOther, String overlapCheck, Map<Integer, Boolean> overlapBits,
                           Long cacheSize, Long l2CacheSize, Long l2CacheEntrySize, Long refcountCacheSize,
                           Long cacheCleanInterval) {
    public static final Qcow2Options DEFAULTS =
            new Qcow2Options(null, null, null, null, null, Map.of(), null, null, null, null, null);

    public Qcow2Options {
        overlapBits = Map.copyOf(overlapBits);
    }

    /** QEMU's names of the overlap-check kinds, in bit order. */
    public static final String[] OVERLAP_KINDS = {"main-header", "active-l1", "active-l2", "refcount-table",
        "refcount-block", "snapshot-table", "inactive-l1", "inactive-l2", "bitmap-directory"};
}
