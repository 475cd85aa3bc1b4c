package org.blkdebug.cli.difftest;

import java.nio.ByteBuffer;

/**
 * Where a qcow2 image's counted clusters end: past the last cluster whose refcount is not zero
 * (what {@code qemu-img check} calls the image end offset). Bytes after it belong to nothing
 * the image maps or counts, so two images that agree before it differ only in space neither
 * uses (Q5: a zero-write that QEMU serialises and ours does not lets data reach a cluster a
 * failed write leaves behind past the end).
 */
final class Qcow2Extent {
    private static final int MAGIC = 0x514649fb;

    private Qcow2Extent() {
    }

    /** The end of the last cluster with a refcount, or -1 when {@code b} is not a qcow2 image whose refcounts parse. */
    static long end(byte[] b) {
        long[] r = scan(b);
        return r == null ? -1 : r[0];
    }

    /** The number of clusters with a refcount, or -1 as for {@link #end}. */
    static long counted(byte[] b) {
        long[] r = scan(b);
        return r == null ? -1 : r[1];
    }

    /** {end, number of counted clusters} from the refcount table, or null where it does not parse. */
    private static long[] scan(byte[] b) {
        ByteBuffer h = ByteBuffer.wrap(b);
        if (b.length < 72 || h.getInt(0) != MAGIC) {
            return null;
        }
        int version = h.getInt(4);
        int clusterBits = h.getInt(20);
        long tableOffset = h.getLong(48);
        long tableClusters = Integer.toUnsignedLong(h.getInt(56));
        int order = version >= 3 && b.length >= 100 ? h.getInt(96) : 4;
        if (clusterBits < 9 || clusterBits > 21 || order < 0 || order > 6) {
            return null;
        }
        long cluster = 1L << clusterBits;
        int bits = 1 << order;
        long perBlock = cluster * 8 / bits;
        long last = -1;
        long count = 0;
        for (long i = 0; i < tableClusters * cluster / 8; i++) {
            long at = tableOffset + i * 8;
            if (at + 8 > b.length) {
                return null;
            }
            long block = h.getLong((int) at) & 0x00fffffffffffe00L;
            if (block == 0) {
                continue;
            }
            if (block + cluster > b.length) {
                return null;
            }
            for (long j = 0; j < perBlock; j++) {
                if (counted(b, block, j, bits)) {
                    last = i * perBlock + j;
                    count++;
                }
            }
        }
        return new long[] {Math.min(b.length, (last + 1) * cluster), count};
    }

    /**
     * What the guest sees and how much the image counts, as one digest: the md5 of every guest
     * byte (through the L1 and L2 tables; unmapped and zero-flagged clusters read as zeroes) and
     * the number of clusters with a refcount. Two images with the same digest hold the same data
     * in as many clusters and differ only in where the clusters are (Q2: the order in which
     * requests allocated them). Null when {@code b} is not a qcow2 image this reads (compressed
     * clusters, extended L2 entries, tables past the end of the file).
     */
    static String guest(byte[] b) {
        ByteBuffer h = ByteBuffer.wrap(b);
        if (b.length < 72 || h.getInt(0) != MAGIC) {
            return null;
        }
        int clusterBits = h.getInt(20);
        long size = h.getLong(24);
        long l1Size = Integer.toUnsignedLong(h.getInt(36));
        long l1Offset = h.getLong(40);
        boolean extendedL2 = h.getInt(4) >= 3 && b.length >= 80 && (h.getLong(72) & 0x10) != 0;
        if (clusterBits < 9 || clusterBits > 21 || extendedL2 || size < 0 || size > (1L << 30)) {
            return null;
        }
        int cluster = 1 << clusterBits;
        long perL2 = cluster / 8;
        try {
            java.security.MessageDigest md = java.security.MessageDigest.getInstance("MD5");
            byte[] zeroes = new byte[cluster];
            for (long g = 0; g * cluster < size; g++) {
                int n = (int) Math.min(cluster, size - g * cluster);
                long l1At = l1Offset + g / perL2 * 8;
                if (g / perL2 >= l1Size || l1At + 8 > b.length) {
                    return null;
                }
                long l2 = h.getLong((int) l1At) & 0x00fffffffffffe00L;
                long entry = 0;
                if (l2 != 0) {
                    long at = l2 + g % perL2 * 8;
                    if (at + 8 > b.length) {
                        return null;
                    }
                    entry = h.getLong((int) at);
                }
                long host = entry & 0x00fffffffffffe00L;
                if ((entry & (1L << 62)) != 0) {
                    return null; // compressed
                }
                if (host == 0 || (entry & 1) != 0) {
                    md.update(zeroes, 0, n);
                } else {
                    // a cluster reaching past the end of the file reads zeroes there
                    int have = (int) Math.max(0, Math.min(n, b.length - host));
                    if (have > 0) { // a cluster wholly past the end has no bytes to give
                        md.update(b, (int) host, have);
                    }
                    md.update(zeroes, 0, n - have);
                }
            }
            return java.util.HexFormat.of().formatHex(md.digest()) + "/" + counted(b);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether entry {@code j} of the refcount block at {@code block} is not zero. */
    private static boolean counted(byte[] b, long block, long j, int bits) {
        if (bits < 8) {
            int v = b[(int) (block + j * bits / 8)] >> (int) (j * bits % 8);
            return (v & ((1 << bits) - 1)) != 0;
        }
        int width = bits / 8;
        for (int k = 0; k < width; k++) {
            if (b[(int) (block + j * width + k)] != 0) {
                return true;
            }
        }
        return false;
    }
}
