package org.blkdebug.engine.format.qcow2;

import org.blkdebug.engine.request.Request;

/**
 * The end of an allocating write (QEMU's qcow2_alloc_cluster_link_l2, qcow2_alloc_cluster_abort,
 * qcow2_handle_l2meta): after the data (and COW) are written the new clusters are entered in the
 * L2 table; after a failure they are freed. Either way the allocation leaves the in-flight list
 * and the writes waiting for it queue for the metadata lock. Called with the lock held.
 */
final class Linking {
    private Linking() {
    }

    /** qcow2_alloc_cluster_link_l2. */
    static int link(Qcow2State s, Request r, L2Meta m) {
        Layout l = s.layout;
        int ret = Cow.perform(s, r, m);
        if (ret < 0) {
            return ret;
        }
        if (s.useLazyRefcounts) {
            HeaderWriter.markDirty(s, r);
        }
        if (s.needAccurateRefcounts()) {
            s.l2Cache.setDependency(r, s.refcountCache);
        }
        int[] idx = new int[1];
        int slot = L2Tables.clusterTable(s, r, m.offset, idx);
        if (slot < 0) {
            return slot;
        }
        byte[] slice = s.l2Cache.table(slot);
        int l2Index = idx[0];
        s.l2Cache.markDirty(slot);
        long[] oldCluster = new long[m.nbClusters];
        int j = 0;
        for (int i = 0; i < m.nbClusters; i++) {
            long offset = m.allocOffset + ((long) i << l.clusterBits);
            long old = s.l2Entry(slice, l2Index + i);
            if (old != 0) {
                // two writes allocated the same cluster: the later link replaces and frees
                oldCluster[j++] = old;
            }
            s.setL2Entry(slice, l2Index + i, offset | Entries.OFLAG_COPIED);
            if (s.hasSubclusters() && !m.prealloc) {
                long bitmap = s.l2Bitmap(slice, l2Index + i);
                long writtenFrom = Math.max(m.cowStartOffset, (long) i << l.clusterBits);
                long writtenTo = Math.min(m.cowEndOffset + m.cowEndBytes, (long) (i + 1) << l.clusterBits);
                int firstSc = l.scIndex(writtenFrom);
                int lastSc = l.scIndex(writtenTo - 1);
                bitmap |= Entries.subAllocRange(firstSc, lastSc + 1);
                bitmap &= ~Entries.subZeroRange(firstSc, lastSc + 1);
                s.setL2Bitmap(slice, l2Index + i, bitmap);
            }
        }
        s.l2Cache.put(slot);
        if (!m.keepOldClusters && j != 0) {
            for (int i = 0; i < j; i++) {
                // not discarded: the next write reuses them anyway
                ClusterAllocation.freeAny(s, r, oldCluster[i], DiscardType.NEVER);
            }
        }
        return 0;
    }

    /** qcow2_alloc_cluster_abort: frees the new clusters (not kept ones, not in a data file). */
    static void abort(Qcow2State s, Request r, L2Meta m) {
        if (!s.hasDataFile() && !m.keepOldClusters) {
            ClusterAllocation.free(s, r, m.allocOffset, (long) m.nbClusters << s.layout.clusterBits, DiscardType.NEVER);
        }
    }

    /**
     * qcow2_handle_l2meta: links (or aborts) each allocation of the chain, takes it off the
     * in-flight list and queues its waiters for the lock. Returns with {@code chain[0]} at the
     * first allocation not handled (after a failed link).
     */
    static int handle(Qcow2State s, Request r, L2Meta[] chain, boolean link) {
        int ret = 0;
        L2Meta m = chain[0];
        while (m != null) {
            if (link) {
                ret = link(s, r, m);
                if (ret != 0) {
                    break;
                }
            } else {
                abort(s, r, m);
            }
            s.clusterAllocs.remove(m);
            if (!m.dependentRequests.isEmpty()) {
                s.lock.enqueue(m.dependentRequests, r);
                m.dependentRequests.clear();
            }
            m = m.next;
        }
        chain[0] = m;
        return ret;
    }
}
