package org.blkdebug.engine.format.qcow2;

import org.blkdebug.engine.Errno;
import org.blkdebug.engine.Event;
import org.blkdebug.engine.request.Request;

/**
 * One metadata cache (QEMU's Qcow2Cache): L2 slices or refcount blocks, each slot holding one
 * table of {@link #tableSize} bytes. Lookup, eviction and write-back follow QEMU exactly, because
 * they decide which I/O an injected error meets: lookup starts at slot
 * {@code offset / tableSize * 4 % size}, the victim is the unreferenced slot with the smallest
 * LRU counter, write-back walks slots in order, and a cache may have to flush the other one (its
 * dependency) first.
 *
 * <p>Guarded by the metadata lock.
 */
final class MetadataCache {
    enum Kind {
        L2("L2 table"), REFCOUNT("refcount block");

        final String label;

        Kind(String label) {
            this.label = label;
        }
    }

    private final Qcow2State s;
    final Kind kind;
    final int size;
    final int tableSize;
    private final byte[][] tables;
    private final long[] offsets;
    private final long[] lru;
    private final int[] refs;
    private final boolean[] dirty;
    private MetadataCache depends;
    private boolean dependsOnFlush;
    private long lruCounter;
    private long cleanLruCounter;

    MetadataCache(Qcow2State s, Kind kind, int numTables, int tableSize) {
        this.s = s;
        this.kind = kind;
        this.size = numTables;
        this.tableSize = tableSize;
        this.tables = new byte[numTables][];
        this.offsets = new long[numTables];
        this.lru = new long[numTables];
        this.refs = new int[numTables];
        this.dirty = new boolean[numTables];
    }

    byte[] table(int slot) {
        byte[] t = tables[slot];
        if (t == null) {
            t = new byte[tableSize];
            tables[slot] = t;
        }
        return t;
    }

    /** qcow2_cache_get: the slot holding the table at {@code offset}, read on a miss; or -errno. */
    int get(Request r, long offset) {
        return doGet(r, offset, true);
    }

    /** qcow2_cache_get_empty: a slot for a new table at {@code offset}, not read. */
    int getEmpty(Request r, long offset) {
        return doGet(r, offset, false);
    }

    private int doGet(Request r, long offset, boolean readFromDisk) {
        if (offset % tableSize != 0) {
            Corruption.signal(s, r, true, -1, -1, "Cannot get entry from " + kind.label
                    + " cache: Offset " + Hex.c(offset) + " is unaligned");
            return -Errno.EIO;
        }
        int lookup = (int) Long.remainderUnsigned(offset / tableSize * 4, size);
        int i = lookup;
        long minLru = Long.MAX_VALUE;
        int minIndex = -1;
        do {
            if (offsets[i] == offset) {
                refs[i]++;
                return i;
            }
            if (refs[i] == 0 && Long.compareUnsigned(lru[i], minLru) < 0) {
                minLru = lru[i];
                minIndex = i;
            }
            if (++i == size) {
                i = 0;
            }
        } while (i != lookup);
        if (minIndex == -1) {
            throw new IllegalStateException("qcow2 metadata cache has no free slot"); // QEMU aborts
        }
        i = minIndex;
        int ret = entryFlush(r, i);
        if (ret < 0) {
            return ret;
        }
        offsets[i] = 0;
        if (readFromDisk) {
            if (kind == Kind.L2) {
                s.file.event(r, Event.L2_LOAD);
            }
            ret = ChildIo.pread(r, s.file, offset, table(i), 0, tableSize);
            if (ret < 0) {
                return ret;
            }
        }
        offsets[i] = offset;
        refs[i]++;
        return i;
    }

    /** qcow2_cache_put. */
    void put(int slot) {
        refs[slot]--;
        if (refs[slot] == 0) {
            lru[slot] = ++lruCounter;
        }
        assert refs[slot] >= 0;
    }

    void markDirty(int slot) {
        assert offsets[slot] != 0;
        dirty[slot] = true;
    }

    /** qcow2_cache_entry_flush: writes one dirty slot back, its dependency first. */
    private int entryFlush(Request r, int i) {
        if (!dirty[i] || offsets[i] == 0) {
            return 0;
        }
        int ret = 0;
        if (depends != null) {
            ret = flushDependency(r);
        } else if (dependsOnFlush) {
            ret = ChildIo.flush(r, s.file);
            if (ret >= 0) {
                dependsOnFlush = false;
            }
        }
        if (ret < 0) {
            return ret;
        }
        int ign = kind == Kind.REFCOUNT ? Overlap.REFCOUNT_BLOCK : Overlap.ACTIVE_L2;
        ret = Overlap.preWriteCheck(s, r, ign, offsets[i], tableSize, false);
        if (ret < 0) {
            return ret;
        }
        s.file.event(r, kind == Kind.REFCOUNT ? Event.REFBLOCK_UPDATE_PART : Event.L2_UPDATE);
        ret = ChildIo.pwrite(r, s.file, offsets[i], table(i), 0, tableSize);
        if (ret < 0) {
            return ret;
        }
        dirty[i] = false;
        return 0;
    }

    private int flushDependency(Request r) {
        int ret = depends.flush(r);
        if (ret < 0) {
            return ret;
        }
        depends = null;
        dependsOnFlush = false;
        return 0;
    }

    /** qcow2_cache_write: every dirty slot in slot order; the last error (an ENOSPC sticks). */
    int write(Request r) {
        int result = 0;
        for (int i = 0; i < size; i++) {
            int ret = entryFlush(r, i);
            if (ret < 0 && result != -Errno.ENOSPC) {
                result = ret;
            }
        }
        return result;
    }

    /** qcow2_cache_flush: {@link #write}, then a flush of the image file. */
    int flush(Request r) {
        int result = write(r);
        if (result == 0) {
            int ret = ChildIo.flush(r, s.file);
            if (ret < 0) {
                result = ret;
            }
        }
        return result;
    }

    /** qcow2_cache_set_dependency: this cache's tables go to disk only after {@code dependency}'s. */
    int setDependency(Request r, MetadataCache dependency) {
        int ret;
        if (dependency.depends != null) {
            ret = dependency.flushDependency(r);
            if (ret < 0) {
                return ret;
            }
        }
        if (depends != null && depends != dependency) {
            ret = flushDependency(r);
            if (ret < 0) {
                return ret;
            }
        }
        depends = dependency;
        return 0;
    }

    void dependsOnFlush() {
        dependsOnFlush = true;
    }

    /** qcow2_cache_empty: flush, then forget every table. */
    int empty(Request r) {
        int ret = flush(r);
        if (ret < 0) {
            return ret;
        }
        for (int i = 0; i < size; i++) {
            assert refs[i] == 0;
            offsets[i] = 0;
            lru[i] = 0;
            tables[i] = null;
        }
        lruCounter = 0;
        return 0;
    }

    /** qcow2_cache_is_table_offset: the slot caching {@code offset}, or -1. */
    int slotOf(long offset) {
        for (int i = 0; i < size; i++) {
            if (offsets[i] == offset) {
                return i;
            }
        }
        return -1;
    }

    /** qcow2_cache_discard: drops a table that is no longer used. */
    void discard(int slot) {
        assert refs[slot] == 0;
        offsets[slot] = 0;
        lru[slot] = 0;
        dirty[slot] = false;
        tables[slot] = null;
    }

    /** qcow2_cache_clean_unused: drops clean tables unused since the last call. */
    void cleanUnused() {
        for (int i = 0; i < size; i++) {
            if (refs[i] == 0 && !dirty[i] && offsets[i] != 0
                    && Long.compareUnsigned(lru[i], cleanLruCounter) <= 0) {
                offsets[i] = 0;
                lru[i] = 0;
                tables[i] = null;
            }
        }
        cleanLruCounter = lruCounter;
    }

    boolean anyDirty() {
        for (int i = 0; i < size; i++) {
            if (dirty[i] && offsets[i] != 0) {
                return true;
            }
        }
        return false;
    }
}
