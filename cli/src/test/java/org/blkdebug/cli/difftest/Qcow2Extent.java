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
        ByteBuffer h = ByteBuffer.wrap(b);
        if (b.length < 72 || h.getInt(0) != MAGIC) {
            return -1;
        }
        int version = h.getInt(4);
        int clusterBits = h.getInt(20);
        long tableOffset = h.getLong(48);
        long tableClusters = Integer.toUnsignedLong(h.getInt(56));
        int order = version >= 3 && b.length >= 100 ? h.getInt(96) : 4;
        if (clusterBits < 9 || clusterBits > 21 || order < 0 || order > 6) {
            return -1;
        }
        long cluster = 1L << clusterBits;
        int bits = 1 << order;
        long perBlock = cluster * 8 / bits;
        long last = -1;
        for (long i = 0; i < tableClusters * cluster / 8; i++) {
            long at = tableOffset + i * 8;
            if (at + 8 > b.length) {
                return -1;
            }
            long block = h.getLong((int) at) & 0x00fffffffffffe00L;
            if (block == 0) {
                continue;
            }
            if (block + cluster > b.length) {
                return -1;
            }
            for (long j = 0; j < perBlock; j++) {
                if (counted(b, block, j, bits)) {
                    last = i * perBlock + j;
                }
            }
        }
        return Math.min(b.length, (last + 1) * cluster);
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
