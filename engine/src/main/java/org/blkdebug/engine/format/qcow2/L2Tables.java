package org.blkdebug.engine.format.qcow2;

import org.blkdebug.engine.Errno;
import org.blkdebug.engine.Event;
import org.blkdebug.engine.request.Request;

/**
 * L2 tables: loading slices through the cache, allocating tables (with the copy of a table
 * shared with a snapshot), and mapping guest offsets to host offsets (qcow2-cluster.c). Called
 * with the metadata lock held.
 */
final class L2Tables {
    private L2Tables() {
    }

    /** l2_load: the cache slot of the slice holding {@code offset}'s entry, or -errno. */
    static int load(Qcow2State s, Request r, long offset, long l2Offset) {
        Layout l = s.layout;
        long startOfSlice = (long) l.l2EntrySize * (l.l2Index(offset) - l.l2SliceIndex(offset));
        return s.l2Cache.get(r, l2Offset + startOfSlice);
    }

    /**
     * l2_allocate: a new L2 table for {@code l1Index} (a copy of the old one if it was shared),
     * written through the L2 cache flush and linked by an L1 entry write. On failure the new
     * table is freed and the L1 entry restored.
     */
    static int allocate(Qcow2State s, Request r, int l1Index) {
        Layout l = s.layout;
        long oldL2Offset = s.l1Table[l1Index];
        long l2Offset = ClusterAllocation.allocClusters(s, r, (long) l.l2Size * l.l2EntrySize);
        int ret;
        int slot = -1;
        if (l2Offset < 0) {
            ret = (int) l2Offset;
        } else if (l2Offset == 0) {
            Corruption.signal(s, r, true, -1, -1, "Preventing invalid allocation of L2 table at offset 0");
            ret = -Errno.EIO;
        } else {
            ret = s.refcountCache.flush(r);
            int sliceSize2 = l.sliceBytes();
            int nSlices = l.clusterSize / sliceSize2;
            for (int slice = 0; ret >= 0 && slice < nSlices; slice++) {
                ret = s.l2Cache.getEmpty(r, l2Offset + (long) slice * sliceSize2);
                if (ret < 0) {
                    break;
                }
                slot = ret;
                byte[] table = s.l2Cache.table(slot);
                if ((oldL2Offset & Entries.L1E_OFFSET_MASK) == 0) {
                    java.util.Arrays.fill(table, (byte) 0);
                } else {
                    long oldSliceOffset = (oldL2Offset & Entries.L1E_OFFSET_MASK) + (long) slice * sliceSize2;
                    s.file.event(r, Event.L2_ALLOC_COW_READ);
                    ret = s.l2Cache.get(r, oldSliceOffset);
                    if (ret < 0) {
                        break;
                    }
                    System.arraycopy(s.l2Cache.table(ret), 0, table, 0, sliceSize2);
                    s.l2Cache.put(ret);
                }
                s.file.event(r, Event.L2_ALLOC_WRITE);
                s.l2Cache.markDirty(slot);
                s.l2Cache.put(slot);
                slot = -1;
                ret = 0;
            }
            if (ret >= 0) {
                ret = s.l2Cache.flush(r);
            }
            if (ret >= 0) {
                s.l1Table[l1Index] = l2Offset | Entries.OFLAG_COPIED;
                ret = L1Table.writeEntry(s, r, l1Index);
            }
        }
        if (ret < 0) {
            if (slot >= 0) {
                s.l2Cache.put(slot);
            }
            s.l1Table[l1Index] = oldL2Offset;
            if (l2Offset > 0) {
                ClusterAllocation.free(s, r, l2Offset, (long) l.l2Size * l.l2EntrySize, DiscardType.ALWAYS);
            }
            return ret;
        }
        return 0;
    }

    /**
     * get_cluster_table: the slice for {@code offset}, growing L1 and allocating (or copying) the
     * L2 table as needed; the slot, with the entry index in {@code index[0]}, or -errno.
     */
    static int clusterTable(Qcow2State s, Request r, long offset, int[] index) {
        Layout l = s.layout;
        int l1Index = l.l1Index(offset);
        if (l1Index >= s.l1Size) {
            int ret = L1Table.grow(s, r, l1Index + 1L, false);
            if (ret < 0) {
                return ret;
            }
        }
        long l2Offset = s.l1Table[l1Index] & Entries.L1E_OFFSET_MASK;
        if (l.offsetIntoCluster(l2Offset) != 0) {
            Corruption.signal(s, r, true, -1, -1, Hex.f("L2 table offset %#x unaligned (L1 index: %#x)",
                    l2Offset, l1Index));
            return -Errno.EIO;
        }
        if ((s.l1Table[l1Index] & Entries.OFLAG_COPIED) == 0) {
            int ret = allocate(s, r, l1Index);
            if (ret < 0) {
                return ret;
            }
            if (l2Offset != 0) {
                ClusterAllocation.free(s, r, l2Offset, (long) l.l2Size * l.l2EntrySize, DiscardType.OTHER);
            }
            l2Offset = s.l1Table[l1Index] & Entries.L1E_OFFSET_MASK;
        }
        int slot = load(s, r, offset, l2Offset);
        if (slot < 0) {
            return slot;
        }
        index[0] = l.l2SliceIndex(offset);
        return slot;
    }

    /**
     * count_contiguous_subclusters: how many subclusters from {@code (l2Index, scIndex)} have the
     * same type and, if allocated, follow each other on the host; -EIO with {@code l2Index[0]}
     * on the invalid entry.
     */
    static int countContiguousSubclusters(Qcow2State s, int nbClusters, int scIndex, byte[] slice, int[] l2Index) {
        Layout l = s.layout;
        int count = 0;
        boolean checkOffset = false;
        long expectedOffset = 0;
        SubclusterType expectedType = SubclusterType.NORMAL;
        SubclusterType[] type = new SubclusterType[1];
        for (int i = 0; i < nbClusters; i++) {
            int firstSc = i == 0 ? scIndex : 0;
            long entry = s.l2Entry(slice, l2Index[0] + i);
            long bitmap = s.l2Bitmap(slice, l2Index[0] + i);
            int ret = s.subclusterRangeType(entry, bitmap, firstSc, type);
            if (ret < 0) {
                l2Index[0] += i;
                return -Errno.EIO;
            }
            if (i == 0) {
                if (type[0] == SubclusterType.COMPRESSED) {
                    return ret; // compressed clusters are handled one by one
                }
                expectedType = type[0];
                expectedOffset = entry & Entries.L2E_OFFSET_MASK;
                checkOffset = type[0] == SubclusterType.NORMAL || type[0] == SubclusterType.ZERO_ALLOC
                        || type[0] == SubclusterType.UNALLOCATED_ALLOC;
            } else if (type[0] != expectedType) {
                break;
            } else if (checkOffset) {
                expectedOffset += l.clusterSize;
                if (expectedOffset != (entry & Entries.L2E_OFFSET_MASK)) {
                    break;
                }
            }
            count += ret;
            if (firstSc + ret < l.subclustersPerCluster) {
                break; // the type changes before the end of this cluster
            }
        }
        return count;
    }

    /** What {@link #hostOffset} found: the type, the host offset (the L2 entry for compressed), the length. */
    record Mapping(SubclusterType type, long hostOffset, long bytes) {
    }

    /**
     * qcow2_get_host_offset: the type of {@code offset}'s subcluster, its host offset, and how many
     * of {@code bytes} from there share both (stopping at the L2 slice end); or -errno. Fires
     * {@code l2_load} on a cache miss, nothing else.
     */
    static Mapping hostOffset(Qcow2State s, Request r, long offset, long bytes) throws Errno2 {
        Layout l = s.layout;
        long offsetInCluster = l.offsetIntoCluster(offset);
        long bytesNeeded = bytes + offsetInCluster;
        long bytesAvailable = ((long) (l.l2SliceSize - l.l2SliceIndex(offset))) << l.clusterBits;
        if (bytesNeeded > bytesAvailable) {
            bytesNeeded = bytesAvailable;
        }
        long hostOffset = 0;
        SubclusterType type;
        int l1Index = l.l1Index(offset);
        long l2Offset = l1Index < s.l1Size ? s.l1Table[l1Index] & Entries.L1E_OFFSET_MASK : 0;
        if (l1Index >= s.l1Size || l2Offset == 0) {
            type = SubclusterType.UNALLOCATED_PLAIN;
        } else {
            if (l.offsetIntoCluster(l2Offset) != 0) {
                Corruption.signal(s, r, true, -1, -1, Hex.f("L2 table offset %#x unaligned (L1 index: %#x)",
                        l2Offset, l1Index));
                throw new Errno2(-Errno.EIO);
            }
            int slot = load(s, r, offset, l2Offset);
            if (slot < 0) {
                throw new Errno2(slot);
            }
            byte[] slice = s.l2Cache.table(slot);
            int l2Index = l.l2SliceIndex(offset);
            int scIndex = l.scIndex(offset);
            long entry = s.l2Entry(slice, l2Index);
            long bitmap = s.l2Bitmap(slice, l2Index);
            long nbClusters = l.sizeToClusters(bytesNeeded);
            type = s.subclusterType(entry, bitmap, scIndex);
            try {
                if (s.qcowVersion < 3 && type.zero()) {
                    Corruption.signal(s, r, true, -1, -1, Hex.f(
                            "Zero cluster entry found in pre-v3 image (L2 offset: %#x, L2 index: %#x)",
                            l2Offset, l2Index));
                    throw new Errno2(-Errno.EIO);
                }
                switch (type) {
                    case COMPRESSED -> {
                        if (s.hasDataFile()) {
                            Corruption.signal(s, r, true, -1, -1, Hex.f("Compressed cluster entry found in "
                                    + "image with external data file (L2 offset: %#x, L2 index: %#x)", l2Offset, l2Index));
                            throw new Errno2(-Errno.EIO);
                        }
                        hostOffset = entry;
                    }
                    case ZERO_ALLOC, NORMAL, UNALLOCATED_ALLOC -> {
                        long hostCluster = entry & Entries.L2E_OFFSET_MASK;
                        hostOffset = hostCluster + offsetInCluster;
                        if (l.offsetIntoCluster(hostCluster) != 0) {
                            Corruption.signal(s, r, true, -1, -1, Hex.f("Cluster allocation offset %#x "
                                    + "unaligned (L2 offset: %#x, L2 index: %#x)", hostCluster, l2Offset, l2Index));
                            throw new Errno2(-Errno.EIO);
                        }
                        if (s.hasDataFile() && hostOffset != offset) {
                            Corruption.signal(s, r, true, -1, -1, Hex.f("External data file host cluster "
                                    + "offset %#x does not match guest cluster offset: %#x, L2 index: %#x)",
                                    hostCluster, offset - offsetInCluster, l2Index));
                            throw new Errno2(-Errno.EIO);
                        }
                    }
                    default -> {
                    }
                }
                int[] idx = {l2Index};
                int sc = countContiguousSubclusters(s, (int) nbClusters, scIndex, slice, idx);
                if (sc < 0) {
                    // (QEMU's message has two spaces before the parenthesis)
                    Corruption.signal(s, r, true, -1, -1, Hex.f(
                            "Invalid cluster entry found  (L2 offset: %#x, L2 index: %#x)", l2Offset, idx[0]));
                    throw new Errno2(-Errno.EIO);
                }
                bytesAvailable = ((long) sc + scIndex) << l.subclusterBits;
            } finally {
                s.l2Cache.put(slot);
            }
        }
        if (bytesAvailable > bytesNeeded) {
            bytesAvailable = bytesNeeded;
        }
        return new Mapping(type, hostOffset, bytesAvailable - offsetInCluster);
    }

    /** A negative errno thrown through the mapping code; caught where QEMU checks ret. */
    static final class Errno2 extends Exception {
        final int ret;

        Errno2(int ret) {
            super(null, null, false, false);
            this.ret = ret;
        }
    }
}
