package org.blkdebug.engine.format.qcow2;

/**
 * Reading and writing one refcount in a refcount block of 1, 2, 4, 8, 16, 32 or 64 bits per entry
 * (refcount_order 0..6). Narrow entries are packed little end first within a byte, wide ones are
 * big-endian, as QEMU's get_refcount_ro* and set_refcount_ro* do.
 */
final class RefcountWidth {
    private RefcountWidth() {
    }

    static long get(int order, byte[] block, long index) {
        int i = (int) index;
        switch (order) {
            case 0:
                return (block[i >>> 3] >>> (i & 7)) & 0x1;
            case 1:
                return (block[i >>> 2] >>> (2 * (i & 3))) & 0x3;
            case 2:
                return (block[i >>> 1] >>> (4 * (i & 1))) & 0xf;
            case 3:
                return block[i] & 0xffL;
            case 4:
                return Entries.getShort(block, i * 2);
            case 5:
                return Integer.toUnsignedLong(Entries.getInt(block, i * 4));
            case 6:
                return Entries.getLong(block, i * 8);
            default:
                throw new IllegalArgumentException("refcount order " + order);
        }
    }

    static void set(int order, byte[] block, long index, long value) {
        int i = (int) index;
        switch (order) {
            case 0:
                block[i >>> 3] = (byte) ((block[i >>> 3] & ~(0x1 << (i & 7))) | (value << (i & 7)));
                break;
            case 1:
                block[i >>> 2] = (byte) ((block[i >>> 2] & ~(0x3 << (2 * (i & 3)))) | (value << (2 * (i & 3))));
                break;
            case 2:
                block[i >>> 1] = (byte) ((block[i >>> 1] & ~(0xf << (4 * (i & 1)))) | (value << (4 * (i & 1))));
                break;
            case 3:
                block[i] = (byte) value;
                break;
            case 4:
                Entries.putShort(block, i * 2, (int) value);
                break;
            case 5:
                Entries.putInt(block, i * 4, (int) value);
                break;
            case 6:
                Entries.putLong(block, i * 8, value);
                break;
            default:
                throw new IllegalArgumentException("refcount order " + order);
        }
    }
}
