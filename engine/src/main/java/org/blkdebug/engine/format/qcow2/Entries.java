package org.blkdebug.engine.format.qcow2;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The bits of qcow2's table entries (docs/interop/qcow2.txt) and big-endian access to tables
 * held as byte arrays, as they are on disk.
 */
final class Entries {
    /** L1/L2: the cluster's refcount is exactly one, so it may be written in place. */
    static final long OFLAG_COPIED = 1L << 63;
    /** L2: a compressed cluster (never COPIED). */
    static final long OFLAG_COMPRESSED = 1L << 62;
    /** L2 (standard entries): the cluster reads as zeroes. */
    static final long OFLAG_ZERO = 1L;

    static final long L1E_OFFSET_MASK = 0x00fffffffffffe00L;
    static final long L1E_RESERVED_MASK = 0x7f000000000001ffL;
    static final long L2E_OFFSET_MASK = 0x00fffffffffffe00L;
    static final long L2E_STD_RESERVED_MASK = 0x3f000000000001feL;
    static final long REFT_OFFSET_MASK = 0xfffffffffffffe00L;
    static final long REFT_RESERVED_MASK = 0x1ffL;

    /** Extended L2 bitmaps: subclusters 0..31 allocated (low half) or reading as zeroes (high). */
    static final long L2_BITMAP_ALL_ALLOC = 0xffffffffL;
    static final long L2_BITMAP_ALL_ZEROES = 0xffffffffL << 32;

    static final int L1E_SIZE = 8;
    static final int REFTABLE_ENTRY_SIZE = 8;
    static final int COMPRESSED_SECTOR_SIZE = 512;
    static final long INV_OFFSET = -1L;
    /** QEMU's BDRV_REQUEST_MAX_BYTES. */
    static final long REQUEST_MAX_BYTES = 0x7fffffffL & ~511L;

    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);

    private Entries() {
    }

    static long getLong(byte[] b, int at) {
        return (long) LONG.get(b, at);
    }

    static void putLong(byte[] b, int at, long v) {
        LONG.set(b, at, v);
    }

    static int getInt(byte[] b, int at) {
        return (int) INT.get(b, at);
    }

    static void putInt(byte[] b, int at, int v) {
        INT.set(b, at, v);
    }

    static int getShort(byte[] b, int at) {
        return ((short) SHORT.get(b, at)) & 0xffff;
    }

    static void putShort(byte[] b, int at, int v) {
        SHORT.set(b, at, (short) v);
    }

    /** Subclusters {@code [from, to)} allocated (0 &lt;= from &lt;= to &lt;= 32). */
    static long subAllocRange(int from, int to) {
        return (1L << to) - (1L << from);
    }

    static long subZeroRange(int from, int to) {
        return subAllocRange(from, to) << 32;
    }

    static long subAlloc(int sc) {
        return 1L << sc;
    }

    static long subZero(int sc) {
        return 1L << (sc + 32);
    }

    /** cto32: count of trailing one bits. */
    static int cto32(long v) {
        return Integer.numberOfTrailingZeros(~(int) v);
    }

    static int ctz32(long v) {
        return Integer.numberOfTrailingZeros((int) v);
    }

    static int clz32(long v) {
        return Integer.numberOfLeadingZeros((int) v);
    }

    static long roundUp(long n, long align) {
        return (n + align - 1) / align * align;
    }

    static long divRoundUp(long n, long d) {
        return (n + d - 1) / d;
    }

    static boolean allZero(byte[] b, int off, int len) {
        for (int i = off; i < off + len; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }
}
