package org.blkdebug.engine.format.qcow2;

import org.blkdebug.engine.Errno;
import org.blkdebug.engine.Event;
import org.blkdebug.engine.request.Request;

/**
 * Growing the refcount structure (QEMU's alloc_refcount_block and qcow2_refcount_area): a
 * missing refcount block is allocated, written and hooked into the table
 * ({@code refblock_alloc_write}, {@code refblock_alloc_hookup}); when the table has no slot for
 * it, a new self-describing area of blocks and a bigger table go after the image's end and are
 * switched in ({@code reftable_grow}, {@code refblock_alloc_write_blocks},
 * {@code refblock_alloc_write_table}, {@code refblock_alloc_switch_table}). The write order is
 * QEMU's, so an error at any step leaves at worst leaked clusters. Called with the metadata
 * lock held, from a refcount change ({@link Refcounts#update}) and from truncate's preallocation.
 */
final class RefcountGrowth {
    private RefcountGrowth() {
    }

    private static boolean inSameRefcountBlock(Qcow2State s, long a, long b) {
        int shift = s.layout.clusterBits + s.layout.refcountBlockBits;
        return (a >>> shift) == (b >>> shift);
    }

    /**
     * alloc_refcount_block: the refcount block for {@code clusterIndex} into {@code slot[0]},
     * allocating it (and growing the reftable) when missing; -EAGAIN after an allocation.
     */
    static int allocBlock(Qcow2State s, Request r, long clusterIndex, int[] slot) {
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
                return Refcounts.loadBlock(s, r, blockOffset, slot);
            }
        }
        slot[0] = -1;
        // we write to the refcount table, so we might depend on L2 tables
        int ret = s.l2Cache.flush(r);
        if (ret < 0) {
            return ret;
        }
        long newBlock = ClusterAllocation.allocNoref(s, r, l.clusterSize, Long.MAX_VALUE);
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
            Refcounts.set(s, t, (newBlock >>> l.clusterBits) & (l.refcountBlockSize - 1), 1);
        } else {
            // described somewhere else: this recurses at most twice
            ret = Refcounts.update(s, r, newBlock, l.clusterSize, 1, false, DiscardType.NEVER);
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
        ret = Refcounts.loadBlock(s, r, newBlock, slot);
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
                    Refcounts.set(s, t, j, 1);
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
        Refcounts.updateMaxTableIndex(s);
        ClusterAllocation.free(s, r, oldTableOffset, oldTableSize * Entries.REFTABLE_ENTRY_SIZE, DiscardType.OTHER);
        return endOffset;
    }
}
