package org.blkdebug.engine.format.qcow2;

import org.blkdebug.engine.Errno;
import org.blkdebug.engine.Event;
import org.blkdebug.engine.request.Request;

/**
 * Reference counts (QEMU's qcow2-refcount.c): the refcount table and blocks, refcount lookups and
 * changes (a change allocates a missing refcount block through {@link RefcountGrowth}), the
 * batched discards of freed clusters, the caches' write-back, the table's shrink. Allocating and
 * freeing clusters is {@link ClusterAllocation}.
 *
 * <p>The order of writes is QEMU's: a crash or an injected error leaves at worst leaked clusters
 * (refcount above references), never references without refcounts. Results are 0 or -errno;
 * -EAGAIN from a refcount change means new refcount metadata was placed and the caller must
 * search for free clusters again. Called with the metadata lock held.
 */
final class Refcounts {
    private Refcounts() {
    }

    static long get(Qcow2State s, byte[] block, long index) {
        return RefcountWidth.get(s.layout.refcountOrder, block, index);
    }

    static void set(Qcow2State s, byte[] block, long index, long value) {
        RefcountWidth.set(s.layout.refcountOrder, block, index, value);
    }

    static void updateMaxTableIndex(Qcow2State s) {
        int i = s.refcountTableSize - 1;
        while (i > 0 && (s.refcountTable[i] & Entries.REFT_OFFSET_MASK) == 0) {
            i--;
        }
        s.maxRefcountTableIndex = i;
    }

    /** qcow2_refcount_init: {@code reftable_load}, then the table (open, lock held). */
    static int init(Qcow2State s, Request r) {
        if (s.refcountTableSize > 0) {
            s.file.event(r, Event.REFTABLE_LOAD);
            byte[] buf = new byte[s.refcountTableSize * Entries.REFTABLE_ENTRY_SIZE];
            int ret = ChildIo.pread(r, s.file, s.refcountTableOffset, buf, 0, buf.length);
            if (ret < 0) {
                return ret;
            }
            s.refcountTable = new long[s.refcountTableSize];
            for (int i = 0; i < s.refcountTableSize; i++) {
                s.refcountTable[i] = Entries.getLong(buf, i * 8);
            }
            updateMaxTableIndex(s);
        }
        return 0;
    }

    /** qcow2_get_refcount: 0 and {@code out[0]} = the refcount, or -errno. No event. */
    static int getRefcount(Qcow2State s, Request r, long clusterIndex, long[] out) {
        long tableIndex = clusterIndex >>> s.layout.refcountBlockBits;
        if (tableIndex >= s.refcountTableSize) {
            out[0] = 0;
            return 0;
        }
        long blockOffset = s.refcountTable[(int) tableIndex] & Entries.REFT_OFFSET_MASK;
        if (blockOffset == 0) {
            out[0] = 0;
            return 0;
        }
        if (s.layout.offsetIntoCluster(blockOffset) != 0) {
            Corruption.signal(s, r, true, -1, -1, Hex.f(
                    "Refblock offset %#x unaligned (reftable index: %#x)", blockOffset, tableIndex));
            return -Errno.EIO;
        }
        int slot = s.refcountCache.get(r, blockOffset);
        if (slot < 0) {
            return slot;
        }
        long blockIndex = clusterIndex & (s.layout.refcountBlockSize - 1);
        out[0] = get(s, s.refcountCache.table(slot), blockIndex);
        s.refcountCache.put(slot);
        return 0;
    }

    /** load_refcount_block: {@code refblock_load} fires whether the block is cached or not. */
    static int loadBlock(Qcow2State s, Request r, long blockOffset, int[] slot) {
        s.file.event(r, Event.REFBLOCK_LOAD);
        int ret = s.refcountCache.get(r, blockOffset);
        if (ret < 0) {
            return ret;
        }
        slot[0] = ret;
        return 0;
    }

    /** qcow2_process_discards: sends the batched discards (only if {@code ret} says success). */
    static void processDiscards(Qcow2State s, Request r, int ret) {
        while (!s.discards.isEmpty()) {
            long[] d = s.discards.remove(0);
            if (ret >= 0) {
                ChildIo.pdiscard(r, s.file, d[0], d[1]); // discard is optional: its result is ignored
            }
        }
    }

    /** update_refcount_discard: queues {@code [offset, offset + length)}, merging neighbours. */
    private static void queueDiscard(Qcow2State s, long offset, long length) {
        long[] d = null;
        for (long[] e : s.discards) {
            long newStart = Math.min(offset, e[0]);
            long newEnd = Math.max(offset + length, e[0] + e[1]);
            if (newEnd - newStart <= length + e[1]) {
                e[0] = newStart;
                e[1] = newEnd - newStart;
                d = e;
                break;
            }
        }
        if (d == null) {
            d = new long[] {offset, length};
            s.discards.add(d);
        }
        for (java.util.Iterator<long[]> it = s.discards.iterator(); it.hasNext(); ) {
            long[] p = it.next();
            if (p == d || p[0] > d[0] + d[1] || d[0] > p[0] + p[1]) {
                continue;
            }
            it.remove();
            d[0] = Math.min(d[0], p[0]);
            d[1] += p[1];
        }
    }

    /**
     * update_refcount: adds (or, with {@code decrease}, subtracts) {@code addend} to the refcount
     * of every cluster in the range; on failure the clusters done so far are changed back.
     */
    static int update(Qcow2State s, Request r, long offset, long length, long addend, boolean decrease,
                      DiscardType type) {
        Layout l = s.layout;
        if (length < 0) {
            return -Errno.EINVAL;
        } else if (length == 0) {
            return 0;
        }
        if (decrease) {
            s.refcountCache.setDependency(r, s.l2Cache);
        }
        long start = l.startOfCluster(offset);
        long last = l.startOfCluster(offset + length - 1);
        int[] slot = {-1};
        long oldTableIndex = -1;
        int ret = 0;
        long clusterOffset;
        for (clusterOffset = start; clusterOffset <= last; clusterOffset += l.clusterSize) {
            long clusterIndex = clusterOffset >>> l.clusterBits;
            long tableIndex = clusterIndex >>> l.refcountBlockBits;
            if (tableIndex != oldTableIndex) {
                if (slot[0] >= 0) {
                    s.refcountCache.put(slot[0]);
                    slot[0] = -1;
                }
                ret = RefcountGrowth.allocBlock(s, r, clusterIndex, slot);
                if (ret == -Errno.EAGAIN && s.freeClusterIndex > (start >>> l.clusterBits)) {
                    s.freeClusterIndex = start >>> l.clusterBits; // try the same clusters again first
                }
                if (ret < 0) {
                    break;
                }
            }
            oldTableIndex = tableIndex;
            s.refcountCache.markDirty(slot[0]);
            byte[] block = s.refcountCache.table(slot[0]);
            long blockIndex = clusterIndex & (l.refcountBlockSize - 1);
            long refcount = get(s, block, blockIndex);
            boolean bad = decrease ? Long.compareUnsigned(addend, refcount) > 0
                    : (Long.compareUnsigned(refcount + addend, refcount) < 0
                    || Long.compareUnsigned(refcount + addend, l.refcountMax) > 0);
            if (bad) {
                ret = -Errno.EINVAL;
                break;
            }
            refcount = decrease ? refcount - addend : refcount + addend;
            if (refcount == 0 && clusterIndex < s.freeClusterIndex) {
                s.freeClusterIndex = clusterIndex;
            }
            set(s, block, blockIndex, refcount);
            if (refcount == 0) {
                int t = s.refcountCache.slotOf(offset);
                if (t >= 0) {
                    s.refcountCache.put(slot[0]);
                    slot[0] = -1;
                    oldTableIndex = -1;
                    s.refcountCache.discard(t);
                }
                t = s.l2Cache.slotOf(offset);
                if (t >= 0) {
                    s.l2Cache.discard(t);
                }
                if (s.discardPassthrough[type.ordinal()]) {
                    queueDiscard(s, clusterOffset, l.clusterSize);
                }
                if (s.freeByteOffset != 0 && l.startOfCluster(s.freeByteOffset) == clusterOffset) {
                    // Ours (differences-from-qemu.md Q1): QEMU keeps pointing into the freed cluster
                    // and, once it is reused for data, appends compressed clusters into that data
                    s.freeByteOffset = 0;
                }
            }
        }
        if (ret >= 0) {
            ret = 0;
        }
        if (!s.cacheDiscards) {
            processDiscards(s, r, ret);
        }
        if (slot[0] >= 0) {
            s.refcountCache.put(slot[0]);
        }
        if (ret < 0) {
            // undo what was done (this may succeed, e.g. after ENOSPC allocating a block)
            update(s, r, offset, clusterOffset - offset, addend, !decrease, DiscardType.NEVER);
        }
        return ret;
    }

    /** qcow2_update_cluster_refcount. */
    static int updateCluster(Qcow2State s, Request r, long clusterIndex, long addend, boolean decrease,
                             DiscardType type) {
        return update(s, r, clusterIndex << s.layout.clusterBits, 1, addend, decrease, type);
    }

    /** qcow2_write_caches: L2 cache, then (with accurate refcounts) the refcount cache. */
    static int writeCaches(Qcow2State s, Request r) {
        int ret = s.l2Cache.write(r);
        if (ret < 0) {
            return ret;
        }
        if (s.needAccurateRefcounts()) {
            ret = s.refcountCache.write(r);
            if (ret < 0) {
                return ret;
            }
        }
        return 0;
    }

    /** qcow2_flush_caches: {@link #writeCaches}, then a flush of the image file. */
    static int flushCaches(Qcow2State s, Request r) {
        int ret = writeCaches(s, r);
        if (ret < 0) {
            return ret;
        }
        return ChildIo.flush(r, s.file);
    }

    /** qcow2_get_last_cluster: the highest cluster with a refcount, or -errno. */
    static long lastCluster(Qcow2State s, Request r, long size) {
        long[] refcount = new long[1];
        for (long i = s.layout.sizeToClusters(size) - 1; i >= 0; i--) {
            int ret = getRefcount(s, r, i, refcount);
            if (ret < 0) {
                s.out.print("Can't get refcount for cluster " + i + ": " + Errno.message(-ret));
                return ret;
            }
            if (refcount[0] > 0) {
                return i;
            }
        }
        Corruption.signal(s, r, true, -1, -1, "There are no references in the refcount table.");
        return -Errno.EIO;
    }

    /**
     * qcow2_shrink_reftable: refcount blocks that only count themselves are dropped from the
     * table (one silent write of the whole table and a flush), then freed and discarded.
     */
    static int shrinkReftable(Qcow2State s, Request r) {
        Layout l = s.layout;
        long[] tmp = new long[s.refcountTableSize];
        for (int i = 0; i < s.refcountTableSize; i++) {
            long refblockOffs = s.refcountTable[i] & Entries.REFT_OFFSET_MASK;
            if (refblockOffs == 0) {
                continue;
            }
            int slot = s.refcountCache.get(r, refblockOffs);
            if (slot < 0) {
                return slot;
            }
            byte[] block = s.refcountCache.table(slot);
            boolean unused;
            if (i == l.reftableIndex(refblockOffs)) {
                long blockIndex = (refblockOffs >>> l.clusterBits) & (l.refcountBlockSize - 1);
                long refcount = get(s, block, blockIndex);
                set(s, block, blockIndex, 0);
                unused = Entries.allZero(block, 0, l.clusterSize);
                set(s, block, blockIndex, refcount);
            } else {
                unused = Entries.allZero(block, 0, l.clusterSize);
            }
            s.refcountCache.put(slot);
            tmp[i] = unused ? 0 : s.refcountTable[i];
        }
        byte[] disk = new byte[s.refcountTableSize * Entries.REFTABLE_ENTRY_SIZE];
        for (int i = 0; i < s.refcountTableSize; i++) {
            Entries.putLong(disk, i * 8, tmp[i]);
        }
        int ret = ChildIo.pwriteSync(r, s.file, s.refcountTableOffset, disk, 0, disk.length);
        for (int i = 0; i < s.refcountTableSize; i++) {
            if (s.refcountTable[i] != 0 && tmp[i] == 0) {
                if (ret == 0) {
                    ret = discardRefcountBlock(s, r, s.refcountTable[i] & Entries.REFT_OFFSET_MASK);
                }
                s.refcountTable[i] = 0;
            }
        }
        if (!s.cacheDiscards) {
            processDiscards(s, r, ret);
        }
        return ret;
    }

    private static int discardRefcountBlock(Qcow2State s, Request r, long discardBlockOffs) {
        Layout l = s.layout;
        long clusterIndex = discardBlockOffs >>> l.clusterBits;
        long blockIndex = clusterIndex & (l.refcountBlockSize - 1);
        long index = l.reftableIndex(discardBlockOffs);
        long refblockOffs = index < s.refcountTableSize ? s.refcountTable[(int) index] & Entries.REFT_OFFSET_MASK : 0;
        if (refblockOffs == 0) {
            Corruption.signal(s, r, true, -1, -1, Hex.f(
                    "Refblock at %#x is not covered by the refcount structures", discardBlockOffs));
            return -Errno.EIO;
        }
        int slot = s.refcountCache.get(r, refblockOffs);
        if (slot < 0) {
            return slot;
        }
        byte[] block = s.refcountCache.table(slot);
        long rc = get(s, block, blockIndex);
        if (rc != 1) {
            Corruption.signal(s, r, true, -1, -1, Hex.f(
                    "Invalid refcount: refblock offset %#x, reftable index %d, block offset %#x, refcount %#x",
                    refblockOffs, index, discardBlockOffs, rc));
            s.refcountCache.put(slot);
            return -Errno.EINVAL;
        }
        set(s, block, blockIndex, 0);
        s.refcountCache.markDirty(slot);
        s.refcountCache.put(slot);
        if (clusterIndex < s.freeClusterIndex) {
            s.freeClusterIndex = clusterIndex;
        }
        int t = s.refcountCache.slotOf(discardBlockOffs);
        if (t >= 0) {
            s.refcountCache.discard(t);
        }
        queueDiscard(s, discardBlockOffs, l.clusterSize);
        return 0;
    }

    /**
     * qcow2_detect_metadata_preallocation: whether more clusters have a refcount than the image
     * file takes on the host. Over blkdebug the file's allocation is unknown and the check gives
     * up before reading any refcount block; over a file, see {@link
     * org.blkdebug.engine.block.Node#allocatedFileSize} (taken as fully allocated: the scan
     * reads every refcount block as QEMU's would, and the answer is "not preallocated").
     */
    static int detectMetadataPreallocation(Qcow2State s, Request r) {
        long fileLength = ChildIo.length(s.file);
        if (fileLength < 0) {
            return (int) fileLength;
        }
        long realAllocation = s.file.allocatedFileSize();
        if (realAllocation < 0) {
            return (int) realAllocation;
        }
        long realClusters = realAllocation / s.layout.clusterSize;
        long threshold = Math.max(realClusters * 10 / 9, realClusters + 2);
        long endCluster = s.layout.sizeToClusters(fileLength);
        long count = 0;
        long[] refcount = new long[1];
        for (long i = 0; i < endCluster && count < threshold; i++) {
            int ret = getRefcount(s, r, i, refcount);
            if (ret < 0) {
                return ret;
            }
            count += refcount[0] != 0 ? 1 : 0;
        }
        return count >= threshold ? 1 : 0;
    }
}
