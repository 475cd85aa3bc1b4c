package org.blkdebug.engine.format.qcow2;

import org.blkdebug.engine.Errno;
import org.blkdebug.engine.Event;
import org.blkdebug.engine.request.Request;

/**
 * Reference counts (QEMU's qcow2-refcount.c): the refcount table and blocks, cluster allocation
 * (first fit from the lowest known free cluster), refcount changes with their on-demand refcount
 * block allocation and reftable growth, frees with batched discards.
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
    private static int loadBlock(Qcow2State s, Request r, long blockOffset, int[] slot) {
        s.file.event(r, Event.REFBLOCK_LOAD);
        int ret = s.refcountCache.get(r, blockOffset);
        if (ret < 0) {
            return ret;
        }
        slot[0] = ret;
        return 0;
    }

    private static boolean inSameRefcountBlock(Qcow2State s, long a, long b) {
        int shift = s.layout.clusterBits + s.layout.refcountBlockBits;
        return (a >>> shift) == (b >>> shift);
    }

    /**
     * alloc_refcount_block: the refcount block for {@code clusterIndex} into {@code slot[0]},
     * allocating it (and growing the reftable) when missing; -EAGAIN after an allocation.
     */
    private static int allocBlock(Qcow2State s, Request r, long clusterIndex, int[] slot) {
        Layout l = s.layout;
        s.file.event(r, Event.REFBLOCK_ALLOC);
        long tableIndex = clusterIndex >>> l.refcountBlockBits;
        if (tableIndex < s.refcountTableSize) {
            long blockOffset = s.refcountTable[(int) tableIndex] & Entries.REFT_OFFSET_MASK;
            if (blockOffset != 0) {
                if (l.offsetIntoCluster(blockOffset) != 0) {
                    Corruption.signal(s, r, true, -1, -1, Hex.f(
                            "Refblock offset %#x unaligned (reftable index: %#x)", blockOffset, tableIndex));
                    return -Errno.EIO;
                }
                return loadBlock(s, r, blockOffset, slot);
            }
        }
        slot[0] = -1;
        // we write to the refcount table, so we might depend on L2 tables
        int ret = s.l2Cache.flush(r);
        if (ret < 0) {
            return ret;
        }
        long newBlock = allocNoref(s, r, l.clusterSize, Long.MAX_VALUE);
        if (newBlock < 0) {
            return (int) newBlock;
        }
        if (newBlock == 0) {
            Corruption.signal(s, r, true, -1, -1, "Preventing invalid allocation of refcount block at offset 0");
            return -Errno.EIO;
        }
        if (inSameRefcountBlock(s, newBlock, clusterIndex << l.clusterBits)) {
            ret = s.refcountCache.getEmpty(r, newBlock);
            if (ret < 0) {
                return ret;
            }
            slot[0] = ret;
            byte[] t = s.refcountCache.table(ret);
            java.util.Arrays.fill(t, (byte) 0);
            // the block describes itself
            set(s, t, (newBlock >>> l.clusterBits) & (l.refcountBlockSize - 1), 1);
        } else {
            // described somewhere else: this recurses at most twice
            ret = update(s, r, newBlock, l.clusterSize, 1, false, DiscardType.NEVER);
            if (ret < 0) {
                return ret;
            }
            ret = s.refcountCache.flush(r);
            if (ret < 0) {
                return ret;
            }
            ret = s.refcountCache.getEmpty(r, newBlock);
            if (ret < 0) {
                return ret;
            }
            slot[0] = ret;
            java.util.Arrays.fill(s.refcountCache.table(ret), (byte) 0);
        }
        s.file.event(r, Event.REFBLOCK_ALLOC_WRITE);
        s.refcountCache.markDirty(slot[0]);
        ret = s.refcountCache.flush(r);
        if (ret < 0) {
            return failBlock(s, slot, ret);
        }
        if (tableIndex < s.refcountTableSize) {
            byte[] data = new byte[8];
            Entries.putLong(data, 0, newBlock);
            s.file.event(r, Event.REFBLOCK_ALLOC_HOOKUP);
            ret = ChildIo.pwriteSync(r, s.file, s.refcountTableOffset + tableIndex * Entries.REFTABLE_ENTRY_SIZE,
                    data, 0, 8);
            if (ret < 0) {
                return failBlock(s, slot, ret);
            }
            s.refcountTable[(int) tableIndex] = newBlock;
            s.maxRefcountTableIndex = (int) Math.max(s.maxRefcountTableIndex, tableIndex);
            return -Errno.EAGAIN; // the new block may be where the caller meant to put its data
        }
        s.refcountCache.put(slot[0]);
        slot[0] = -1;
        // the reftable must grow: new self-describing blocks and table after what exists
        s.file.event(r, Event.REFTABLE_GROW);
        long blocksUsed = Entries.divRoundUp(Math.max(clusterIndex + 1, (newBlock >>> l.clusterBits) + 1),
                l.refcountBlockSize);
        long metaOffset = blocksUsed * l.refcountBlockSize * l.clusterSize;
        long end = area(s, r, metaOffset, 0, false, (int) tableIndex, newBlock);
        if (end < 0) {
            return (int) end;
        }
        ret = loadBlock(s, r, newBlock, slot);
        if (ret < 0) {
            return ret;
        }
        return -Errno.EAGAIN;
    }

    private static int failBlock(Qcow2State s, int[] slot, int ret) {
        if (slot[0] >= 0) {
            s.refcountCache.put(slot[0]);
            slot[0] = -1;
        }
        return ret;
    }

    /** qcow2_refcount_metadata_size: {@code [bytes, refblockCount]} for that many clusters. */
    static long[] metadataSize(long clusters, long clusterSize, int refcountOrder, boolean generousIncrease) {
        long blocksPerTableCluster = clusterSize / Entries.REFTABLE_ENTRY_SIZE;
        long refcountsPerBlock = clusterSize * 8 / (1L << refcountOrder);
        long table = 0;
        long blocks = 0;
        long last;
        long n = 0;
        do {
            last = n;
            blocks = Entries.divRoundUp(clusters + table + blocks, refcountsPerBlock);
            table = Entries.divRoundUp(blocks, blocksPerTableCluster);
            n = clusters + blocks + table;
            if (n == last && generousIncrease) {
                clusters += Entries.divRoundUp(table, 2);
                n = 0;
                generousIncrease = false;
            }
        } while (n != last);
        return new long[] {(blocks + table) * clusterSize, blocks};
    }

    /**
     * qcow2_refcount_area: new self-covering refcount blocks and table from {@code startOffset}
     * (the end of the image), switched in with {@code refblock_alloc_write_blocks},
     * {@code refblock_alloc_write_table} and {@code refblock_alloc_switch_table}. Returns the
     * offset after them, or -errno.
     */
    static long area(Qcow2State s, Request r, long startOffset, long additionalClusters, boolean exactSize,
                     int newRefblockIndex, long newRefblockOffset) {
        Layout l = s.layout;
        long totalRefblockCount = metadataSize(startOffset / l.clusterSize + additionalClusters,
                l.clusterSize, l.refcountOrder, !exactSize)[1];
        if (totalRefblockCount > 8L * 1024 * 1024) {
            return -Errno.EFBIG;
        }
        int total = (int) totalRefblockCount;
        int areaReftableIndex = (int) ((startOffset / l.clusterSize) / l.refcountBlockSize);
        long tableSize = exactSize ? total : total + Entries.divRoundUp(total, 2);
        tableSize = Entries.roundUp(tableSize, l.clusterSize / Entries.REFTABLE_ENTRY_SIZE);
        int tableClusters = (int) (tableSize * Entries.REFTABLE_ENTRY_SIZE / l.clusterSize);
        if (tableSize > 8L * 1024 * 1024) {
            return -Errno.EFBIG;
        }
        long[] newTable = new long[(int) tableSize];
        if (tableSize > s.maxRefcountTableIndex) {
            System.arraycopy(s.refcountTable, 0, newTable, 0, Math.min(s.refcountTable.length, s.maxRefcountTableIndex + 1));
        } else {
            System.arraycopy(s.refcountTable, 0, newTable, 0, (int) tableSize);
        }
        if (newRefblockOffset != 0) {
            newTable[newRefblockIndex] = newRefblockOffset;
        }
        long additionalRefblocks = 0;
        for (int i = areaReftableIndex; i < total; i++) {
            if (newTable[i] == 0) {
                additionalRefblocks++;
            }
        }
        long tableOffset = startOffset + additionalRefblocks * l.clusterSize;
        long endOffset = tableOffset + (long) tableClusters * l.clusterSize;
        long blockOffset = startOffset;
        for (int i = areaReftableIndex; i < total; i++) {
            int slot;
            if (newTable[i] != 0) {
                slot = s.refcountCache.get(r, newTable[i]);
                if (slot < 0) {
                    return slot;
                }
            } else {
                slot = s.refcountCache.getEmpty(r, blockOffset);
                if (slot < 0) {
                    return slot;
                }
                java.util.Arrays.fill(s.refcountCache.table(slot), (byte) 0);
                s.refcountCache.markDirty(slot);
                newTable[i] = blockOffset;
                blockOffset += l.clusterSize;
            }
            long firstCovered = (long) i * l.refcountBlockSize * l.clusterSize;
            if (firstCovered < endOffset) {
                int j = firstCovered < startOffset ? (int) ((startOffset - firstCovered) / l.clusterSize) : 0;
                long endIndex = Math.min((endOffset - firstCovered) / l.clusterSize, l.refcountBlockSize);
                byte[] t = s.refcountCache.table(slot);
                for (; j < endIndex; j++) {
                    set(s, t, j, 1);
                }
                s.refcountCache.markDirty(slot);
            }
            s.refcountCache.put(slot);
        }
        s.file.event(r, Event.REFBLOCK_ALLOC_WRITE_BLOCKS);
        int ret = s.refcountCache.flush(r);
        if (ret < 0) {
            return ret;
        }
        byte[] disk = new byte[(int) tableSize * Entries.REFTABLE_ENTRY_SIZE];
        for (int i = 0; i < total; i++) {
            Entries.putLong(disk, i * 8, newTable[i]);
        }
        for (int i = total; i < tableSize; i++) { // QEMU converts only the used entries
            Entries.putLong(disk, i * 8, Long.reverseBytes(newTable[i]));
        }
        s.file.event(r, Event.REFBLOCK_ALLOC_WRITE_TABLE);
        ret = ChildIo.pwriteSync(r, s.file, tableOffset, disk, 0, disk.length);
        if (ret < 0) {
            return ret;
        }
        byte[] data = new byte[12];
        Entries.putLong(data, 0, tableOffset);
        Entries.putInt(data, 8, tableClusters);
        s.file.event(r, Event.REFBLOCK_ALLOC_SWITCH_TABLE);
        ret = ChildIo.pwriteSync(r, s.file, HeaderWriter.OFFSET_REFTABLE, data, 0, 12);
        if (ret < 0) {
            return ret;
        }
        long oldTableOffset = s.refcountTableOffset;
        long oldTableSize = s.refcountTableSize;
        s.refcountTable = newTable;
        s.refcountTableSize = (int) tableSize;
        s.refcountTableOffset = tableOffset;
        updateMaxTableIndex(s);
        free(s, r, oldTableOffset, oldTableSize * Entries.REFTABLE_ENTRY_SIZE, DiscardType.OTHER);
        return endOffset;
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
                ret = allocBlock(s, r, clusterIndex, slot);
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

    /**
     * alloc_clusters_noref: the first run of free clusters from the lowest known free index (a
     * silent scan: refcount block reads on cache misses fire nothing), or -errno.
     */
    static long allocNoref(Qcow2State s, Request r, long size, long max) {
        if (s.cacheDiscards) {
            processDiscards(s, r, 0); // clusters queued for discard cannot be handed out
        }
        long nbClusters = s.layout.sizeToClusters(size);
        long[] refcount = new long[1];
        retry:
        while (true) {
            for (long i = 0; i < nbClusters; i++) {
                long next = s.freeClusterIndex++;
                int ret = getRefcount(s, r, next, refcount);
                if (ret < 0) {
                    return ret;
                } else if (refcount[0] != 0) {
                    continue retry;
                }
            }
            break;
        }
        if (s.freeClusterIndex > 0 && s.freeClusterIndex - 1 > (max >>> s.layout.clusterBits)) {
            return -Errno.EFBIG;
        }
        return (s.freeClusterIndex - nbClusters) << s.layout.clusterBits;
    }

    /** qcow2_alloc_clusters: {@code cluster_alloc}, a scan, the refcount increments; or -errno. */
    static long allocClusters(Qcow2State s, Request r, long size) {
        s.file.event(r, Event.CLUSTER_ALLOC);
        long offset;
        int ret;
        do {
            offset = allocNoref(s, r, size, (1L << 56) - 1);
            if (offset < 0) {
                return offset;
            }
            ret = update(s, r, offset, size, 1, false, DiscardType.NEVER);
        } while (ret == -Errno.EAGAIN);
        if (ret < 0) {
            return ret;
        }
        return offset;
    }

    /**
     * qcow2_alloc_clusters_at: as many of {@code nbClusters} clusters from {@code offset} as are
     * free (no {@code cluster_alloc} event); the count allocated, or -errno.
     */
    static long allocClustersAt(Qcow2State s, Request r, long offset, long nbClusters) {
        if (nbClusters == 0) {
            return 0;
        }
        long[] refcount = new long[1];
        long i;
        int ret;
        do {
            long clusterIndex = offset >>> s.layout.clusterBits;
            for (i = 0; i < nbClusters; i++) {
                ret = getRefcount(s, r, clusterIndex++, refcount);
                if (ret < 0) {
                    return ret;
                } else if (refcount[0] != 0) {
                    break;
                }
            }
            ret = update(s, r, offset, i << s.layout.clusterBits, 1, false, DiscardType.NEVER);
        } while (ret == -Errno.EAGAIN);
        if (ret < 0) {
            return ret;
        }
        return i;
    }

    /**
     * qcow2_alloc_bytes: {@code size} bytes for a compressed cluster, packed after the previous
     * ones in the same host cluster while they fit; or -errno.
     */
    static long allocBytes(Qcow2State s, Request r, int size) {
        Layout l = s.layout;
        s.file.event(r, Event.CLUSTER_ALLOC_BYTES);
        long offset = s.freeByteOffset;
        long[] refcount = new long[1];
        int ret;
        if (offset != 0) {
            ret = getRefcount(s, r, offset >>> l.clusterBits, refcount);
            if (ret < 0) {
                return ret;
            }
            if (refcount[0] == l.refcountMax) {
                offset = 0;
            }
        }
        long freeInCluster = l.clusterSize - l.offsetIntoCluster(offset);
        do {
            if (offset == 0 || freeInCluster < size) {
                long newCluster = allocNoref(s, r, l.clusterSize,
                        Math.min(l.clusterOffsetMask, (1L << 56) - 1));
                if (newCluster < 0) {
                    return newCluster;
                }
                if (newCluster == 0) {
                    Corruption.signal(s, r, true, -1, -1,
                            "Preventing invalid allocation of compressed cluster at offset 0");
                    return -Errno.EIO;
                }
                if (offset == 0 || Entries.roundUp(offset, l.clusterSize) != newCluster) {
                    offset = newCluster;
                    freeInCluster = l.clusterSize;
                } else {
                    freeInCluster += l.clusterSize;
                }
            }
            ret = update(s, r, offset, size, 1, false, DiscardType.NEVER);
            if (ret < 0) {
                offset = 0;
            }
        } while (ret == -Errno.EAGAIN);
        if (ret < 0) {
            return ret;
        }
        // the refcount was raised: refcount blocks must reach the disk before the L2 update
        s.l2Cache.setDependency(r, s.refcountCache);
        s.freeByteOffset = offset + size;
        if (l.offsetIntoCluster(s.freeByteOffset) == 0) {
            s.freeByteOffset = 0;
        }
        return offset;
    }

    /** qcow2_free_clusters: {@code cluster_free}, the decrement; a failure is printed and leaks. */
    static void free(Qcow2State s, Request r, long offset, long size, DiscardType type) {
        s.file.event(r, Event.CLUSTER_FREE);
        int ret = update(s, r, offset, size, 1, true, type);
        if (ret < 0) {
            s.out.print("qcow2_free_clusters failed: " + Errno.message(-ret));
        }
    }

    /** qcow2_free_any_cluster: frees what an L2 entry points to, whatever its type. */
    static void freeAny(Qcow2State s, Request r, long l2Entry, DiscardType type) {
        Layout l = s.layout;
        ClusterType ctype = s.clusterType(l2Entry);
        if (s.hasDataFile()) {
            if (s.discardPassthrough[type.ordinal()]
                    && (ctype == ClusterType.NORMAL || ctype == ClusterType.ZERO_ALLOC)) {
                ChildIo.pdiscard(r, s.dataFile, l2Entry & Entries.L2E_OFFSET_MASK, l.clusterSize);
            }
            return;
        }
        switch (ctype) {
            case COMPRESSED -> free(s, r, l.compressedOffset(l2Entry), l.compressedSize(l2Entry), type);
            case NORMAL, ZERO_ALLOC -> {
                long off = l2Entry & Entries.L2E_OFFSET_MASK;
                if (l.offsetIntoCluster(off) != 0) {
                    Corruption.signal(s, r, false, -1, -1, Hex.f("Cannot free unaligned cluster %#x", off));
                } else {
                    free(s, r, off, l.clusterSize, type);
                }
            }
            default -> {
            }
        }
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
     * qcow2_detect_metadata_preallocation, with the file taken as fully allocated (Java cannot
     * ask for st_blocks): the scan reads every refcount block as QEMU's would on such a file,
     * and the answer is "not preallocated".
     */
    static int detectMetadataPreallocation(Qcow2State s, Request r) {
        long fileLength = ChildIo.length(s.file);
        if (fileLength < 0) {
            return (int) fileLength;
        }
        long realClusters = fileLength / s.layout.clusterSize;
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
