package org.blkdebug.engine.crash;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.block.Backend;
import org.blkdebug.engine.block.IoVec;

/**
 * What a crash at one moment could leave, frozen: the durable image D (the image file as it was
 * then) and the volatile entries in completion order. The device keeps running meanwhile: before
 * a flush writes over D, it hands the bytes it replaces to every open snapshot
 * ({@link #preserve}), so D stays readable here without a copy of the image.
 *
 * <p>{@link #rw} keeps a reader of D and a flush that preserves and overwrites the same bytes
 * from interleaving: readers take its read lock, the flush its write lock.
 */
final class Snapshot implements AutoCloseable {
    final List<Entry> entries;
    /** The image's length at the snapshot; D reads as zeroes beyond it. */
    final long length;
    private final Backend backend;
    private final VolatileCache owner;
    final ReentrantReadWriteLock rw = new ReentrantReadWriteLock();
    /** Guarded by rw: bytes of D that the live device has since overwritten, by start. */
    private final TreeMap<Long, byte[]> preserved = new TreeMap<>();

    Snapshot(List<Entry> entries, long length, Backend backend, VolatileCache owner) {
        this.entries = List.copyOf(entries);
        this.length = length;
        this.backend = backend;
        this.owner = owner;
    }

    /** Reads D: preserved bytes first, the image for the rest, zeroes past {@link #length}. */
    void readBase(long offset, IoVec dst) throws BlockException {
        long bytes = dst.size();
        rw.readLock().lock();
        try {
            long pos = offset;
            long end = offset + bytes;
            for (Map.Entry<Long, byte[]> p : overlapping(offset, end)) {
                long s = Math.max(p.getKey(), offset);
                long e = Math.min(p.getKey() + p.getValue().length, end);
                if (s > pos) {
                    readImage(pos, dst.slice(pos - offset, s - pos));
                }
                byte[] b = p.getValue();
                int from = (int) (s - p.getKey());
                for (ByteBuffer seg : dst.slice(s - offset, e - s).segments()) {
                    int n = seg.remaining();
                    seg.put(b, from, n);
                    from += n;
                }
                pos = e;
            }
            if (pos < end) {
                readImage(pos, dst.slice(pos - offset, end - pos));
            }
        } finally {
            rw.readLock().unlock();
        }
    }

    private void readImage(long offset, IoVec dst) throws BlockException {
        long inside = Math.max(0, Math.min(dst.size(), length - offset));
        if (inside > 0) {
            backend.read(offset, dst.slice(0, inside));
        }
        if (inside < dst.size()) {
            dst.zero(inside, dst.size() - inside);
        }
    }

    /** Guarded by rw. The preserved pieces overlapping [offset, end), in order. */
    private List<Map.Entry<Long, byte[]>> overlapping(long offset, long end) {
        List<Map.Entry<Long, byte[]>> out = new ArrayList<>();
        Map.Entry<Long, byte[]> lo = preserved.lowerEntry(offset);
        if (lo != null && lo.getKey() + lo.getValue().length > offset) {
            out.add(lo);
        }
        out.addAll(preserved.subMap(offset, true, end, false).entrySet());
        return out;
    }

    /**
     * Called by the live device, holding {@link #rw}'s write lock, just before it overwrites
     * {@code [offset, offset + bytes)} of the image: keeps what D had there, where not kept yet.
     */
    void preserve(long offset, long bytes) throws BlockException {
        long end = Math.min(offset + bytes, length);
        long pos = offset;
        List<long[]> gaps = new ArrayList<>();
        for (Map.Entry<Long, byte[]> p : overlapping(offset, end)) {
            if (p.getKey() > pos) {
                gaps.add(new long[] {pos, p.getKey()});
            }
            pos = Math.max(pos, p.getKey() + p.getValue().length);
        }
        if (pos < end) {
            gaps.add(new long[] {pos, end});
        }
        for (long[] g : gaps) {
            byte[] b = new byte[Math.toIntExact(g[1] - g[0])];
            backend.read(g[0], IoVec.of(ByteBuffer.wrap(b)));
            preserved.put(g[0], b);
        }
    }

    /** Bytes preserved so far (for tests and reports). */
    long preservedBytes() {
        rw.readLock().lock();
        try {
            long n = 0;
            for (Iterator<byte[]> it = preserved.values().iterator(); it.hasNext(); ) {
                n += it.next().length;
            }
            return n;
        } finally {
            rw.readLock().unlock();
        }
    }

    @Override
    public void close() {
        owner.release(this);
    }
}
