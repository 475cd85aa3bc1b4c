package org.blkdebug.engine.format.qcow2;

import org.blkdebug.engine.Errno;
import org.blkdebug.engine.Event;
import org.blkdebug.engine.request.Request;

/**
 * Finding host space for a guest write (QEMU's qcow2_alloc_host_offset and its helpers): waiting
 * for overlapping in-flight allocations, reusing clusters that may be written in place, and
 * allocating new ones right behind the previous ones where possible. Called with the metadata
 * lock held; a wait for another allocation releases it meanwhile.
 */
final class Allocation {
    private Allocation() {
    }

    /** The result of {@link #hostOffset}: where the first {@code bytes} go, and the new allocations. */
    static final class Result {
        long hostOffset;
        long bytes;
        L2Meta meta;
    }

    /**
     * calculate_l2_meta: records an allocation (or a change of zero/subcluster bits of kept
     * clusters) with its COW areas in {@link Qcow2State#clusterAllocs}; nothing when the write
     * needs neither. 0 or -EIO for a corrupt entry.
     */
    private static int calculateL2Meta(Qcow2State s, Request r, long hostClusterOffset, long guestOffset,
                                       long bytes, byte[] slice, int l2IndexStart, Result res, boolean keepOld) {
        Layout l = s.layout;
        int l2Index = l2IndexStart;
        int cowStartTo = (int) l.offsetIntoCluster(guestOffset);
        int cowEndFrom = (int) (cowStartTo + bytes);
        int nbClusters = (int) l.sizeToClusters(cowEndFrom);
        boolean skipCow = keepOld;
        SubclusterType[] type = new SubclusterType[1];
        for (int i = 0; i < nbClusters; i++) {
            long entry = s.l2Entry(slice, l2Index + i);
            long bitmap = s.l2Bitmap(slice, l2Index + i);
            if (skipCow) {
                long writeFrom = Math.max(cowStartTo, (long) i << l.clusterBits);
                long writeTo = Math.min(cowEndFrom, (long) (i + 1) << l.clusterBits);
                int firstSc = l.scIndex(writeFrom);
                int lastSc = l.scIndex(writeTo - 1);
                int cnt = s.subclusterRangeType(entry, bitmap, firstSc, type);
                if (type[0] != SubclusterType.NORMAL || firstSc + cnt <= lastSc) {
                    skipCow = false;
                }
            } else {
                type[0] = s.subclusterType(entry, bitmap, 0);
            }
            if (type[0] == SubclusterType.INVALID) {
                int l1Index = l.l1Index(guestOffset);
                long l2Offset = s.l1Table[l1Index] & Entries.L1E_OFFSET_MASK;
                Corruption.signal(s, r, true, -1, -1, "Invalid cluster entry found (L2 offset: "
                        + Hex.c(l2Offset) + ", L2 index: " + Hex.c(l2Index + i) + ")");
                return -Errno.EIO;
            }
        }
        if (skipCow) {
            return 0;
        }
        long entry = s.l2Entry(slice, l2Index);
        long bitmap = s.l2Bitmap(slice, l2Index);
        int scIndex = l.scIndex(guestOffset);
        SubclusterType t = s.subclusterType(entry, bitmap, scIndex);
        int cowStartFrom;
        if (!keepOld) {
            cowStartFrom = switch (t) {
                case COMPRESSED -> 0;
                case NORMAL, ZERO_ALLOC, UNALLOCATED_ALLOC -> s.hasSubclusters()
                        ? Math.min(scIndex, Entries.ctz32(bitmap & Entries.L2_BITMAP_ALL_ALLOC)) << l.subclusterBits
                        : 0;
                case ZERO_PLAIN, UNALLOCATED_PLAIN -> scIndex << l.subclusterBits;
                default -> throw new AssertionError(t);
            };
        } else {
            cowStartFrom = switch (t) {
                case NORMAL -> cowStartTo;
                case ZERO_ALLOC, UNALLOCATED_ALLOC -> scIndex << l.subclusterBits;
                default -> throw new AssertionError(t);
            };
        }
        l2Index += nbClusters - 1;
        entry = s.l2Entry(slice, l2Index);
        bitmap = s.l2Bitmap(slice, l2Index);
        scIndex = l.scIndex(guestOffset + bytes - 1);
        t = s.subclusterType(entry, bitmap, scIndex);
        int cowEndTo;
        if (!keepOld) {
            cowEndTo = switch (t) {
                case COMPRESSED -> (int) Entries.roundUp(cowEndFrom, l.clusterSize);
                case NORMAL, ZERO_ALLOC, UNALLOCATED_ALLOC -> {
                    int end = (int) Entries.roundUp(cowEndFrom, l.clusterSize);
                    if (s.hasSubclusters()) {
                        end -= Math.min(l.subclustersPerCluster - scIndex - 1,
                                Entries.clz32(bitmap & Entries.L2_BITMAP_ALL_ALLOC)) << l.subclusterBits;
                    }
                    yield end;
                }
                case ZERO_PLAIN, UNALLOCATED_PLAIN -> (int) Entries.roundUp(cowEndFrom, l.subclusterSize);
                default -> throw new AssertionError(t);
            };
        } else {
            cowEndTo = switch (t) {
                case NORMAL -> cowEndFrom;
                case ZERO_ALLOC, UNALLOCATED_ALLOC -> (int) Entries.roundUp(cowEndFrom, l.subclusterSize);
                default -> throw new AssertionError(t);
            };
        }
        L2Meta m = new L2Meta(l.startOfCluster(guestOffset), hostClusterOffset, nbClusters, keepOld,
                cowStartFrom, cowStartTo - cowStartFrom, cowEndFrom, cowEndTo - cowEndFrom);
        m.next = res.meta;
        res.meta = m;
        s.clusterAllocs.add(0, m);
        return 0;
    }

    /** cluster_needs_new_alloc: unallocated, compressed, zero or shared clusters cannot be written in place. */
    private static boolean needsNewAlloc(Qcow2State s, long l2Entry) {
        return switch (s.clusterType(l2Entry)) {
            case NORMAL, ZERO_ALLOC -> (l2Entry & Entries.OFLAG_COPIED) == 0;
            case UNALLOCATED, COMPRESSED, ZERO_PLAIN -> true;
        };
    }

    /** count_single_write_clusters. */
    private static int countSingleWriteClusters(Qcow2State s, int nbClusters, byte[] slice, int l2Index,
                                                boolean newAlloc) {
        long expected = s.l2Entry(slice, l2Index) & Entries.L2E_OFFSET_MASK;
        int i;
        for (i = 0; i < nbClusters; i++) {
            long entry = s.l2Entry(slice, l2Index + i);
            if (needsNewAlloc(s, entry) != newAlloc) {
                break;
            }
            if (!newAlloc) {
                if (expected != (entry & Entries.L2E_OFFSET_MASK)) {
                    break;
                }
                expected += s.layout.clusterSize;
            }
        }
        return i;
    }

    /**
     * handle_dependencies: shortens {@code curBytes[0]} to stop before the first conflicting
     * in-flight allocation, or waits for it (releasing the lock) and returns -EAGAIN so the
     * caller starts over.
     */
    private static int handleDependencies(Qcow2State s, Request r, long guestOffset, long[] curBytes, Result res) {
        Layout l = s.layout;
        long bytes = curBytes[0];
        for (L2Meta old : s.clusterAllocs) {
            long start = guestOffset;
            long end = start + bytes;
            long oldStart = l.startOfCluster(old.cowStart());
            long oldEnd = Entries.roundUp(old.cowEnd(), l.clusterSize);
            if (end <= oldStart || start >= oldEnd) {
                continue;
            }
            if (old.keepOldClusters && (end <= old.cowStart() || start >= old.cowEnd())) {
                continue; // the clusters are allocated already and the COW areas do not meet
            }
            bytes = start < oldStart ? oldStart - start : 0;
            if (bytes == 0 && res.meta != null) {
                curBytes[0] = 0;
                return 0;
            }
            if (bytes == 0) {
                s.lock.await(r, old.dependentRequests);
                return -Errno.EAGAIN;
            }
        }
        curBytes[0] = bytes;
        return 0;
    }

    /** How many clusters handle_copied and handle_alloc look at: up to the slice end and the request limit. */
    private static long clustersToLookAt(Layout l, long guestOffset, long bytes) {
        long nbClusters = l.sizeToClusters(l.offsetIntoCluster(guestOffset) + bytes);
        nbClusters = Math.min(nbClusters, l.l2SliceSize - l.l2SliceIndex(guestOffset));
        return Math.min(nbClusters, Entries.REQUEST_MAX_BYTES >>> l.clusterBits);
    }

    /**
     * handle_copied: 1 when clusters at {@code guestOffset} can be written in place (bytes and
     * host offset updated), 0 when not, -errno.
     */
    private static int handleCopied(Qcow2State s, Request r, long guestOffset, long[] hostOffset, long[] bytes,
                                    Result res) {
        Layout l = s.layout;
        long nbClusters = clustersToLookAt(l, guestOffset, bytes[0]);
        int[] idx = new int[1];
        int slot = L2Tables.clusterTable(s, r, guestOffset, idx);
        if (slot < 0) {
            return slot;
        }
        int l2Index = idx[0];
        byte[] slice = s.l2Cache.table(slot);
        long entry = s.l2Entry(slice, l2Index);
        long clusterOffset = entry & Entries.L2E_OFFSET_MASK;
        int ret;
        if (!needsNewAlloc(s, entry)) {
            if (l.offsetIntoCluster(clusterOffset) != 0) {
                Corruption.signal(s, r, true, -1, -1, ((entry & Entries.OFLAG_ZERO) != 0 ? "Preallocated zero" : "Data")
                        + " cluster offset " + Hex.c(clusterOffset) + " unaligned (guest offset: " + Hex.c(guestOffset) + ")");
                ret = -Errno.EIO;
            } else if (hostOffset[0] != Entries.INV_OFFSET && clusterOffset != hostOffset[0]) {
                bytes[0] = 0;
                ret = 0;
            } else {
                int keep = countSingleWriteClusters(s, (int) nbClusters, slice, l2Index, false);
                bytes[0] = Math.min(bytes[0], (long) keep * l.clusterSize - l.offsetIntoCluster(guestOffset));
                ret = calculateL2Meta(s, r, clusterOffset, guestOffset, bytes[0], slice, l2Index, res, true);
                if (ret >= 0) {
                    ret = 1;
                }
            }
        } else {
            ret = 0;
        }
        s.l2Cache.put(slot);
        if (ret > 0) {
            hostOffset[0] = clusterOffset + l.offsetIntoCluster(guestOffset);
        }
        return ret;
    }

    /** do_alloc_cluster_offset: new clusters anywhere, or only at {@code hostOffset[0]}. */
    private static int doAllocClusterOffset(Qcow2State s, Request r, long guestOffset, long[] hostOffset,
                                            long[] nbClusters) {
        if (s.hasDataFile()) {
            hostOffset[0] = s.layout.startOfCluster(guestOffset);
            return 0;
        }
        if (hostOffset[0] == Entries.INV_OFFSET) {
            long off = ClusterAllocation.allocClusters(s, r, nbClusters[0] * s.layout.clusterSize);
            if (off < 0) {
                return (int) off;
            }
            hostOffset[0] = off;
            return 0;
        }
        long n = ClusterAllocation.allocClustersAt(s, r, hostOffset[0], nbClusters[0]);
        if (n < 0) {
            return (int) n;
        }
        nbClusters[0] = n;
        return 0;
    }

    /** handle_alloc: 1 when new clusters were allocated, 0 when none could be (at that host offset), -errno. */
    private static int handleAlloc(Qcow2State s, Request r, long guestOffset, long[] hostOffset, long[] bytes,
                                   Result res) {
        Layout l = s.layout;
        long nbClusters = clustersToLookAt(l, guestOffset, bytes[0]);
        int[] idx = new int[1];
        int slot = L2Tables.clusterTable(s, r, guestOffset, idx);
        if (slot < 0) {
            return slot;
        }
        int l2Index = idx[0];
        byte[] slice = s.l2Cache.table(slot);
        long[] n = {countSingleWriteClusters(s, (int) nbClusters, slice, l2Index, true)};
        long[] allocOffset = {hostOffset[0] == Entries.INV_OFFSET ? Entries.INV_OFFSET : l.startOfCluster(hostOffset[0])};
        int ret = doAllocClusterOffset(s, r, guestOffset, allocOffset, n);
        if (ret >= 0) {
            if (n[0] == 0) {
                bytes[0] = 0;
                ret = 0;
            } else {
                long requested = bytes[0] + l.offsetIntoCluster(guestOffset);
                long avail = n[0] << l.clusterBits;
                long nbBytes = Math.min(requested, avail);
                hostOffset[0] = allocOffset[0] + l.offsetIntoCluster(guestOffset);
                bytes[0] = Math.min(bytes[0], nbBytes - l.offsetIntoCluster(guestOffset));
                ret = calculateL2Meta(s, r, allocOffset[0], guestOffset, bytes[0], slice, l2Index, res, false);
                if (ret >= 0) {
                    ret = 1;
                }
            }
        }
        s.l2Cache.put(slot);
        return ret;
    }

    /**
     * qcow2_alloc_host_offset: where {@code bytes} of guest data at {@code offset} go; the host
     * range is contiguous and may be shorter than asked. New allocations are in
     * {@code res.meta} even on failure (the caller aborts them). 0 or -errno.
     */
    static int hostOffset(Qcow2State s, Request r, long offset, long bytes, Result res) {
        again:
        while (true) {
            long start = offset;
            long remaining = bytes;
            long[] clusterOffset = {Entries.INV_OFFSET};
            res.hostOffset = Entries.INV_OFFSET;
            long[] curBytes = {0};
            res.meta = null;
            while (true) {
                if (res.hostOffset == Entries.INV_OFFSET && clusterOffset[0] != Entries.INV_OFFSET) {
                    res.hostOffset = clusterOffset[0];
                }
                start += curBytes[0];
                remaining -= curBytes[0];
                if (clusterOffset[0] != Entries.INV_OFFSET) {
                    clusterOffset[0] += curBytes[0];
                }
                if (remaining == 0) {
                    break;
                }
                curBytes[0] = remaining;
                int ret = handleDependencies(s, r, start, curBytes, res);
                if (ret == -Errno.EAGAIN) {
                    continue again;
                } else if (ret < 0) {
                    return ret;
                } else if (curBytes[0] == 0) {
                    break;
                }
                ret = handleCopied(s, r, start, clusterOffset, curBytes, res);
                if (ret < 0) {
                    return ret;
                } else if (ret > 0) {
                    continue;
                } else if (curBytes[0] == 0) {
                    break;
                }
                ret = handleAlloc(s, r, start, clusterOffset, curBytes, res);
                if (ret < 0) {
                    return ret;
                } else if (ret > 0) {
                    continue;
                }
                break;
            }
            res.bytes = bytes - remaining;
            return 0;
        }
    }

    /**
     * qcow2_alloc_compressed_cluster_offset: bytes for a compressed cluster and its L2 entry
     * ({@code l2_update_compressed}); the host offset, 0 with a data file, or -errno (EIO if the
     * cluster is allocated already).
     */
    static long compressedClusterOffset(Qcow2State s, Request r, long offset, int compressedSize) {
        Layout l = s.layout;
        if (s.hasDataFile()) {
            return 0;
        }
        int[] idx = new int[1];
        int slot = L2Tables.clusterTable(s, r, offset, idx);
        if (slot < 0) {
            return slot;
        }
        byte[] slice = s.l2Cache.table(slot);
        long clusterOffset = s.l2Entry(slice, idx[0]);
        if ((clusterOffset & Entries.L2E_OFFSET_MASK) != 0) {
            s.l2Cache.put(slot);
            return -Errno.EIO; // compression cannot overwrite anything
        }
        clusterOffset = ClusterAllocation.allocBytes(s, r, compressedSize);
        if (clusterOffset < 0) {
            s.l2Cache.put(slot);
            return clusterOffset;
        }
        long nbCsectors = (clusterOffset + compressedSize - 1) / Entries.COMPRESSED_SECTOR_SIZE
                - clusterOffset / Entries.COMPRESSED_SECTOR_SIZE;
        long entry = clusterOffset | Entries.OFLAG_COMPRESSED | (nbCsectors << l.csizeShift);
        s.file.event(r, Event.L2_UPDATE_COMPRESSED);
        s.l2Cache.markDirty(slot);
        s.setL2Entry(slice, idx[0], entry);
        if (s.hasSubclusters()) {
            s.setL2Bitmap(slice, idx[0], 0);
        }
        s.l2Cache.put(slot);
        return clusterOffset;
    }
}
