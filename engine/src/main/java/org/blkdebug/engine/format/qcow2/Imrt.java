package org.blkdebug.engine.format.qcow2;

/**
 * The in-memory refcount table of a check (QEMU's IMRT): one big refcount block, in the image's
 * refcount width, counting the references the check finds, grown on demand to whole clusters.
 */
final class Imrt {
    byte[] table = new byte[0];
    long nbClusters;

    long get(Qcow2State s, long i) {
        return Refcounts.get(s, table, i);
    }

    /** realloc_refcount_array: grows to whole clusters, zero-filled. */
    void realloc(Qcow2State s, long newSize) {
        long oldBytes = s.layout.sizeToClusters(byteSize(s, nbClusters)) * s.layout.clusterSize;
        long newBytes = s.layout.sizeToClusters(byteSize(s, newSize)) * s.layout.clusterSize;
        if (newBytes != oldBytes || table.length != newBytes) {
            table = java.util.Arrays.copyOf(table, (int) newBytes);
        }
        nbClusters = newSize;
    }

    private static long byteSize(Qcow2State s, long entries) {
        return Entries.divRoundUp(entries << s.layout.refcountOrder, 8);
    }

    /** alloc_clusters_imrt: {@code count} free clusters in the in-memory table, marked used. */
    long alloc(Qcow2State s, int count, long[] firstFree) {
        long cluster = firstFree[0];
        boolean firstGap = true;
        int contiguous = 0;
        for (; cluster < nbClusters && contiguous < count; cluster++) {
            if (get(s, cluster) == 0) {
                contiguous++;
                if (firstGap) {
                    firstFree[0] = cluster;
                    firstGap = false;
                }
            } else if (contiguous != 0) {
                contiguous = 0;
            }
        }
        if (contiguous < count) {
            realloc(s, cluster + count - contiguous);
        }
        cluster -= contiguous;
        for (int i = 0; i < count; i++) {
            Refcounts.set(s, table, cluster + i, 1);
        }
        return cluster << s.layout.clusterBits;
    }
}
