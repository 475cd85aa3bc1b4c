package org.blkdebug.engine.crash;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which cached entry holds the newest bytes of each byte of the image: non-overlapping extents
 * keyed by their start, each pointing into the entry that wrote it last. What reads consult.
 *
 * <p>Not thread-safe: the cache's lock guards it.
 */
final class Extents {
    /** Bytes {@code [start, end)} are {@code entry}'s bytes at {@code start - entry.offset()}. */
    record Extent(long start, long end, Entry entry) {
    }

    private final TreeMap<Long, Extent> map = new TreeMap<>();

    boolean isEmpty() {
        return map.isEmpty();
    }

    int size() {
        return map.size();
    }

    /** {@code e} is now the newest writer of its whole range. */
    void put(Entry e) {
        long s = e.offset();
        long end = e.end();
        if (s == end) {
            return;
        }
        Map.Entry<Long, Extent> lo = map.lowerEntry(s);
        if (lo != null && lo.getValue().end > s) {
            Extent x = lo.getValue();
            map.put(x.start, new Extent(x.start, s, x.entry));
            if (x.end > end) {
                map.put(end, new Extent(end, x.end, x.entry));
            }
        }
        Extent last = null;
        Map.Entry<Long, Extent> first = map.ceilingEntry(s);
        if (first != null && first.getKey() < end) { // most writes cover no extent: no view made
            Iterator<Extent> it = map.subMap(s, true, end, false).values().iterator();
            while (it.hasNext()) {
                last = it.next();
                it.remove();
            }
        }
        if (last != null && last.end > end) {
            map.put(end, new Extent(end, last.end, last.entry));
        }
        map.put(s, new Extent(s, end, e));
    }

    /** Drops the extents that still point into {@code e} (it reached the image). */
    void remove(Entry e) {
        Map.Entry<Long, Extent> lo = map.floorEntry(e.offset());
        long from = lo != null && lo.getValue().end > e.offset() ? lo.getKey() : e.offset();
        Iterator<Extent> it = map.subMap(from, true, e.end(), false).values().iterator();
        while (it.hasNext()) {
            if (it.next().entry == e) {
                it.remove();
            }
        }
    }

    /** The extent that holds {@code offset}, else the first one after it; null when none. */
    Extent atOrAfter(long offset) {
        Map.Entry<Long, Extent> lo = map.floorEntry(offset);
        if (lo != null && lo.getValue().end > offset) {
            return lo.getValue();
        }
        Map.Entry<Long, Extent> hi = map.higherEntry(offset);
        return hi == null ? null : hi.getValue();
    }

    /** The extents overlapping {@code [offset, offset + bytes)}, in order (uncut). */
    List<Extent> overlapping(long offset, long bytes) {
        List<Extent> out = new ArrayList<>(2);
        long end = offset + bytes;
        Map.Entry<Long, Extent> lo = map.lowerEntry(offset);
        if (lo != null && lo.getValue().end > offset) {
            out.add(lo.getValue());
        }
        out.addAll(map.subMap(offset, true, end, false).values());
        return out;
    }

    void clear() {
        map.clear();
    }
}
