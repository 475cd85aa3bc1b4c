package org.blkdebug.engine.format.qcow2;

import org.blkdebug.engine.OpenException;

/**
 * How big the two metadata caches are (QEMU's read_cache_sizes and qcow2_update_options_prepare):
 * the L2 cache covers the whole disk up to 32 MiB, in whole-table entries unless it is smaller
 * than the disk (then 4 KiB slices); the refcount cache holds at least 4 blocks.
 *
 * @param l2Entries       L2 cache slots
 * @param l2EntrySize     bytes per L2 slot (a slice)
 * @param refcountEntries refcount cache slots (one block each)
 */
record CacheSizes(int l2Entries, int l2EntrySize, int refcountEntries) {
    private static final long DEFAULT_L2_CACHE_MAX = 32L * 1024 * 1024;

    static CacheSizes of(Layout l, long diskSize, Qcow2Options o) throws OpenException {
        long minRefcountCache = 4L * l.clusterSize;
        long maxL2Entries = Entries.divRoundUp(diskSize, l.clusterSize);
        long maxL2Cache = Entries.roundUp(maxL2Entries * l.l2EntrySize, l.clusterSize);
        boolean combinedSet = o.cacheSize() != null;
        boolean l2Set = o.l2CacheSize() != null;
        boolean refcountSet = o.refcountCacheSize() != null;
        boolean entrySizeSet = o.l2CacheEntrySize() != null;
        long combined = combinedSet ? o.cacheSize() : 0;
        long l2Max = l2Set ? o.l2CacheSize() : DEFAULT_L2_CACHE_MAX;
        long refcountCache = refcountSet ? o.refcountCacheSize() : 0;
        long l2EntrySize = entrySizeSet ? o.l2CacheEntrySize() : l.clusterSize;
        long l2Cache = Math.min(maxL2Cache, l2Max);
        if (combinedSet) {
            if (l2Set && refcountSet) {
                throw new OpenException("cache-size, l2-cache-size and refcount-cache-size may not be set at the same time");
            } else if (l2Set && l2Max > combined) {
                throw new OpenException("l2-cache-size may not exceed cache-size");
            } else if (refcountCache > combined) {
                throw new OpenException("refcount-cache-size may not exceed cache-size");
            }
            if (l2Set) {
                refcountCache = combined - l2Cache;
            } else if (refcountSet) {
                l2Cache = combined - refcountCache;
            } else if (combined >= maxL2Cache + minRefcountCache) {
                l2Cache = maxL2Cache;
                refcountCache = combined - l2Cache;
            } else {
                refcountCache = Math.min(combined, minRefcountCache);
                l2Cache = combined - refcountCache;
            }
        }
        if (l2Cache < maxL2Cache && !entrySizeSet) {
            l2EntrySize = Math.min(l.clusterSize, 4096);
        }
        if (l2EntrySize < 512 || l2EntrySize > l.clusterSize || Long.bitCount(l2EntrySize) != 1) {
            throw new OpenException("L2 cache entry size must be a power of two between 512 and the cluster size ("
                    + l.clusterSize + ")");
        }
        long l2Entries = Math.max(l2Cache / l2EntrySize, 2);
        if (l2Entries > Integer.MAX_VALUE) {
            throw new OpenException("L2 cache size too big");
        }
        long refEntries = Math.max(refcountCache / l.clusterSize, 4);
        if (refEntries > Integer.MAX_VALUE) {
            throw new OpenException("Refcount cache size too big");
        }
        return new CacheSizes((int) l2Entries, (int) l2EntrySize, (int) refEntries);
    }
}
