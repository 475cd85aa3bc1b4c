package org.blkdebug.engine.config;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * GLib 2.74's {@code GHashTable} of strings ({@code g_str_hash}), as QEMU's QAPI input visitor
 * keeps the members of an object it has not visited yet. Only its iteration order matters here:
 * when several parameters are unexpected, QEMU names the first one this table yields, and that
 * depends on GLib's open addressing (index {@code hash * 11 % prime}, quadratic probing,
 * tombstones) and on its in-place rehash when it grows or, after removals, shrinks.
 */
final class GStringSet {
    private static final int MIN_SHIFT = 3;
    private static final int UNUSED = 0;
    private static final int TOMBSTONE = 1;
    private static final int[] PRIME_MOD = {1, 2, 3, 7, 13, 31, 61, 127, 251, 509, 1021, 2039, 4093, 8191,
        16381, 32749, 65521, 131071, 262139, 524287, 1048573, 2097143, 4194301, 8388593, 16777213, 33554393,
        67108859, 134217689, 268435399, 536870909, 1073741789, 2147483647};

    private int size;
    private int mod;
    private int mask;
    private int nnodes;
    private int noccupied;
    private int[] hashes;
    private String[] keys;

    GStringSet() {
        setShift(MIN_SHIFT);
        hashes = new int[size];
        keys = new String[size];
    }

    /** g_str_hash: djb2 over the bytes as signed chars. */
    static int strHash(String key) {
        int h = 5381;
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            h = (h << 5) + h + b;
        }
        return h;
    }

    private static boolean isReal(int hash) {
        return Integer.compareUnsigned(hash, 2) >= 0;
    }

    private void setShift(int shift) {
        size = 1 << shift;
        mod = PRIME_MOD[shift];
        mask = size - 1;
    }

    private int toIndex(int hash) {
        return (int) Long.remainderUnsigned((hash * 11L) & 0xffffffffL, mod);
    }

    private int lookup(String key, int hash) {
        int index = toIndex(hash);
        int firstTombstone = -1;
        int step = 0;
        while (hashes[index] != UNUSED) {
            if (hashes[index] == hash && key.equals(keys[index])) {
                return index;
            }
            if (hashes[index] == TOMBSTONE && firstTombstone < 0) {
                firstTombstone = index;
            }
            step++;
            index = (index + step) & mask;
        }
        return firstTombstone >= 0 ? firstTombstone : index;
    }

    private static int hashOf(String key) {
        int h = strHash(key);
        return isReal(h) ? h : 2;
    }

    /** g_hash_table_insert. */
    void add(String key) {
        int hash = hashOf(key);
        int index = lookup(key, hash);
        int old = hashes[index];
        hashes[index] = hash;
        keys[index] = key;
        if (!isReal(old)) {
            nnodes++;
            if (old == UNUSED) {
                noccupied++;
                maybeResize();
            }
        }
    }

    /** g_hash_table_remove. */
    boolean remove(String key) {
        int index = lookup(key, hashOf(key));
        if (!isReal(hashes[index])) {
            return false;
        }
        hashes[index] = TOMBSTONE;
        keys[index] = null;
        nnodes--;
        maybeResize();
        return true;
    }

    /** The first key g_hash_table_iter_next yields, null when empty. */
    String first() {
        for (int i = 0; i < size; i++) {
            if (isReal(hashes[i])) {
                return keys[i];
            }
        }
        return null;
    }

    private void maybeResize() {
        if ((size > nnodes * 4 && size > 1 << MIN_SHIFT) || size <= noccupied + noccupied / 16) {
            resize();
        }
    }

    /** g_hash_table_resize: the in-place rehash of resize_map, tombstones dropped. */
    private void resize() {
        int oldSize = size;
        int n = (int) (nnodes * 1.333);
        int shift = 0;
        while (n != 0) {
            n >>= 1;
            shift++;
        }
        setShift(Math.max(shift, MIN_SHIFT));
        if (size > oldSize) {
            hashes = Arrays.copyOf(hashes, size);
            keys = Arrays.copyOf(keys, size);
        }
        boolean[] placed = new boolean[Math.max(size, oldSize)];
        for (int i = 0; i < oldSize; i++) {
            int nodeHash = hashes[i];
            if (!isReal(nodeHash)) {
                hashes[i] = UNUSED;
                continue;
            }
            if (placed[i]) {
                continue;
            }
            hashes[i] = UNUSED;
            String key = keys[i];
            keys[i] = null;
            while (true) {
                int at = toIndex(nodeHash);
                int step = 0;
                while (placed[at]) {
                    step++;
                    at = (at + step) & mask;
                }
                placed[at] = true;
                int replaced = hashes[at];
                hashes[at] = nodeHash;
                if (!isReal(replaced)) {
                    keys[at] = key;
                    break;
                }
                nodeHash = replaced;
                String evicted = keys[at];
                keys[at] = key;
                key = evicted;
            }
        }
        if (size < oldSize) {
            hashes = Arrays.copyOf(hashes, size);
            keys = Arrays.copyOf(keys, size);
        }
        noccupied = nnodes;
    }
}
