package org.blkdebug.engine.format.qcow2;

import org.blkdebug.engine.Errno;
import org.blkdebug.engine.Event;
import org.blkdebug.engine.request.Request;

/**
 * Host cluster allocation and release (QEMU's qcow2_alloc_clusters, qcow2_alloc_clusters_at,
 * qcow2_alloc_bytes, qcow2_free_clusters, qcow2_free_any_cluster): first fit from the lowest
 * known free cluster, then the refcount increments; a refcount change that had to place new
 * refcount metadata (-EAGAIN) restarts the search. Called with the metadata lock held.
 */
final class ClusterAllocation {
    private ClusterAllocation() {
    }

    /**
     * alloc_clusters_noref: the first run of free clusters from the lowest known free index (a
     * silent scan: refcount block reads on cache misses fire nothing), or -errno.
     */
    static long allocNoref(Qcow2State s, Request r, long size, long max) {
        if (s.cacheDiscards) {
            Refcounts.processDiscards(s, r, 0); // clusters queued for discard cannot be handed out
        }
        long nbClusters = s.layout.sizeToClusters(size);
        long[] refcount = new long[1];
        retry:
        while (true) {
            for (long i = 0; i < nbClusters; i++) {
                long next = s.freeClusterIndex++;
                int ret = Refcounts.getRefcount(s, r, next, refcount);
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
            ret = Refcounts.update(s, r, offset, size, 1, false, DiscardType.NEVER);
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
                ret = Refcounts.getRefcount(s, r, clusterIndex++, refcount);
                if (ret < 0) {
                    return ret;
                } else if (refcount[0] != 0) {
                    break;
                }
            }
            ret = Refcounts.update(s, r, offset, i << s.layout.clusterBits, 1, false, DiscardType.NEVER);
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
            ret = Refcounts.getRefcount(s, r, offset >>> l.clusterBits, refcount);
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
            ret = Refcounts.update(s, r, offset, size, 1, false, DiscardType.NEVER);
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
        int ret = Refcounts.update(s, r, offset, size, 1, true, type);
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
}
