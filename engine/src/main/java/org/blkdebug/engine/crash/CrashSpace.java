package org.blkdebug.engine.crash;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.block.IoVec;

/**
 * The crash states of one {@link Snapshot}: which bytes each choice of kept writes (or, torn,
 * kept sectors of writes) leaves, computed once so that each state costs little.
 *
 * <p>The touched bytes are cut into intervals at every write's edges (and, torn, at sector
 * edges inside writes). In a state, an interval holds the bytes of the last kept write covering
 * it, or D's. A state is a set of kept <i>units</i> (a write, or one sector of a write when torn).
 * Two states with the same bytes in every interval are the same state: {@link #hash} compares
 * them by per-interval content hashes made once, so a write overwritten later, or one that wrote
 * what D already held, does not make a new state.
 */
final class CrashSpace implements CrashStates.Units {
    /** Intervals longer than this are told apart by who wrote them, not by content. */
    private static final long HASH_LIMIT = 1 << 20;

    final Snapshot snapshot;
    final List<Entry> writes;
    final int unit;
    final boolean torn;
    /** Per write: its first unit and how many it has. */
    final int[] unitBase;
    final int[] unitCount;
    final int units;

    // intervals [start[j], end[j]); their covering writes in completion order are
    // cover*[coverFrom[j] .. coverFrom[j + 1])
    final long[] start;
    final long[] end;
    final int[] coverFrom;
    final int[] coverWrite;
    final int[] coverUnit;
    final long[] coverHash;
    final long[] baseHash;

    CrashSpace(Snapshot snapshot, int unit, boolean torn) throws BlockException {
        this.snapshot = snapshot;
        this.writes = snapshot.entries;
        this.unit = unit;
        this.torn = torn;
        int k = writes.size();
        unitBase = new int[k];
        unitCount = new int[k];
        int u = 0;
        for (int i = 0; i < k; i++) {
            unitBase[i] = u;
            unitCount[i] = torn ? VolatileCache.sectors(writes.get(i), unit) : 1;
            u += unitCount[i];
        }
        units = u;

        long[] edges = edges();
        // which intervals each write covers
        int n = Math.max(edges.length - 1, 0);
        int[] coverCount = new int[n];
        int[][] spans = new int[k][];
        for (int i = 0; i < k; i++) {
            Entry e = writes.get(i);
            int a = Arrays.binarySearch(edges, e.offset());
            int b = Arrays.binarySearch(edges, e.end());
            spans[i] = new int[] {a, b};
            for (int j = a; j < b; j++) {
                coverCount[j]++;
            }
        }
        // keep only covered intervals
        int m = 0;
        int[] index = new int[n];
        for (int j = 0; j < n; j++) {
            index[j] = coverCount[j] > 0 ? m++ : -1;
        }
        start = new long[m];
        end = new long[m];
        coverFrom = new int[m + 1];
        for (int j = 0; j < n; j++) {
            if (index[j] >= 0) {
                start[index[j]] = edges[j];
                end[index[j]] = edges[j + 1];
                coverFrom[index[j] + 1] = coverCount[j];
            }
        }
        for (int j = 0; j < m; j++) {
            coverFrom[j + 1] += coverFrom[j];
        }
        int total = coverFrom[m];
        coverWrite = new int[total];
        coverUnit = new int[total];
        coverHash = new long[total];
        int[] fill = Arrays.copyOf(coverFrom, m);
        for (int i = 0; i < k; i++) { // in completion order, so each interval's list is too
            Entry e = writes.get(i);
            for (int j = spans[i][0]; j < spans[i][1]; j++) {
                int iv = index[j];
                int c = fill[iv]++;
                coverWrite[c] = i;
                int part = torn ? (int) (Math.floorDiv(start[iv], unit) - Math.floorDiv(e.offset(), unit)) : 0;
                coverUnit[c] = unitBase[i] + part;
                coverHash[c] = contentHash(e, start[iv], end[iv]);
            }
        }
        baseHash = new long[m];
        for (int j = 0; j < m; j++) {
            baseHash[j] = baseHash(start[j], end[j]);
        }
    }

    private long[] edges() {
        long[] all = new long[writes.size() * 2];
        int n = 0;
        List<Long> inner = new ArrayList<>();
        for (Entry e : writes) {
            all[n++] = e.offset();
            all[n++] = e.end();
            if (torn) {
                for (long b = (Math.floorDiv(e.offset(), unit) + 1) * unit; b < e.end(); b += unit) {
                    inner.add(b);
                }
            }
        }
        long[] edges = Arrays.copyOf(all, n + inner.size());
        for (int i = 0; i < inner.size(); i++) {
            edges[n + i] = inner.get(i);
        }
        Arrays.sort(edges);
        int w = 0;
        for (int i = 0; i < edges.length; i++) {
            if (w == 0 || edges[i] != edges[w - 1]) {
                edges[w++] = edges[i];
            }
        }
        return Arrays.copyOf(edges, w);
    }

    private long contentHash(Entry e, long s, long t) throws BlockException {
        if (t - s > HASH_LIMIT) {
            return Hashes.mix(e.seq() * 0x9E3779B97F4A7C15L ^ s);
        }
        ByteBuffer b = ByteBuffer.allocate((int) (t - s));
        e.copy(s - e.offset(), b.remaining(), b);
        return Hashes.of(b.array());
    }

    private long baseHash(long s, long t) throws BlockException {
        if (t - s > HASH_LIMIT) {
            return Hashes.mix(0xD00DL ^ s);
        }
        byte[] b = new byte[(int) (t - s)];
        snapshot.readBase(s, IoVec.of(ByteBuffer.wrap(b)));
        return Hashes.of(b);
    }

    @Override
    public int units() {
        return units;
    }

    @Override
    public int groups() {
        return writes.size();
    }

    @Override
    public int base(int g) {
        return unitBase[g];
    }

    @Override
    public int size(int g) {
        return unitCount[g];
    }

    /** The cover index of the write that decides interval {@code j} in {@code kept}, or -1 for D. */
    int winner(int j, BitSet kept) {
        for (int c = coverFrom[j + 1] - 1; c >= coverFrom[j]; c--) {
            if (kept.get(coverUnit[c])) {
                return c;
            }
        }
        return -1;
    }

    /**
     * The state's length: in the page-cache model, the length at the last fsync, or the end of the
     * furthest kept unit beyond it; a disk's length never changes.
     */
    long length(BitSet kept) {
        long len = snapshot.durableLength;
        if (len == snapshot.length) {
            return len;
        }
        for (int i = kept.nextSetBit(0); i >= 0; i = kept.nextSetBit(i + 1)) {
            int w = writeOf(i);
            Entry e = writes.get(w);
            long end = torn ? VolatileCache.sector(e, i - unitBase[w], unit)[1] : e.end();
            len = Math.max(len, end);
        }
        return Math.min(len, snapshot.length);
    }

    /** The write unit {@code u} belongs to. */
    private int writeOf(int u) {
        int lo = 0;
        int hi = unitBase.length - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (unitBase[mid] <= u) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    /** Equal for states with the same bytes (up to hash collisions, 2^-64 a pair). */
    @Override
    public long hash(BitSet kept) {
        long h = 0x5EEDL + Hashes.mix(length(kept));
        for (int j = 0; j < start.length; j++) {
            int c = winner(j, kept);
            h += Hashes.mix((j + 1) * 0xC2B2AE3D27D4EB4FL ^ (c < 0 ? baseHash[j] : coverHash[c]));
        }
        return h;
    }

    /** The choice that names {@code kept}. */
    @Override
    public CrashChoice.Explicit choice(BitSet kept) {
        List<CrashChoice.Keep> keep = new ArrayList<>();
        for (int i = 0; i < writes.size(); i++) {
            int from = unitBase[i];
            int n = unitCount[i];
            BitSet mine = kept.get(from, from + n);
            if (mine.isEmpty()) {
                continue;
            }
            keep.add(new CrashChoice.Keep(i + 1, mine.cardinality() == n ? null : mine));
        }
        return new CrashChoice.Explicit(writes.size(), keep);
    }

    /** The bytes of the state {@code kept}: per interval, who decides it. */
    StateView view(BitSet kept) {
        int m = start.length;
        long[] s = new long[m];
        long[] t = new long[m];
        Entry[] by = new Entry[m];
        int n = 0;
        for (int j = 0; j < m; j++) {
            int c = winner(j, kept);
            if (c < 0) {
                continue;
            }
            Entry e = writes.get(coverWrite[c]);
            if (n > 0 && by[n - 1] == e && t[n - 1] == start[j]) {
                t[n - 1] = end[j];
            } else {
                s[n] = start[j];
                t[n] = end[j];
                by[n] = e;
                n++;
            }
        }
        return new StateView(snapshot, Arrays.copyOf(s, n), Arrays.copyOf(t, n), Arrays.copyOf(by, n), length(kept));
    }
}
