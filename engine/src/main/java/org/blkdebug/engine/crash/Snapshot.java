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
    /**
     * The shortest a state can be: the length at the last fsync in the page-cache model (a kept
     * write brings the length it needs), else {@link #length} (a disk's length never changes).
     */
    final long durableLength;
    private final Backend backend;
    private final VolatileCache owner;
    final ReentrantReadWriteLock rw = new ReentrantReadWriteLock();
    /** Guarded by rw: bytes of D that the live device has since overwritten, by start. */
    private final TreeMap<Long, byte[]> preserved = new TreeMap<>();

    /** In the page-cache model: what the volatile writes replaced, oldest on top (D's bytes there). */
    private final Extents befores;

    /**
     * @param writeThrough the image already holds the volatile writes (the page-cache model):
     *                     D is the image with what they replaced put back
     */
    Snapshot(List<Entry> entries, long length, long durableLength, Backend backend, VolatileCache owner,
             boolean writeThrough) {
        this.entries = List.copyOf(entries);
        this.length = length;
        this.durableLength = Math.min(durableLength, length);
        this.backend = backend;
        this.owner = owner;
        this.befores = new Extents();
        if (writeThrough) {
            for (int i = this.entries.size() - 1; i >= 0; i--) { // oldest last: its bytes win
                befores.put(this.entries.get(i));
            }
        }
    }

    /** Reads D: what volatile writes replaced, else the image as it was (preserved bytes first). */
    void readBase(long offset, IoVec dst) throws BlockException {
        if (befores.isEmpty()) {
            readImageAsItWas(offset, dst);
            return;
        }
        long end = offset + dst.size();
        long pos = offset;
        for (Extents.Extent x : befores.overlapping(offset, dst.size())) {
            long s = Math.max(x.start(), offset);
            long e = Math.min(x.end(), end);
            if (s > pos) {
                readImageAsItWas(pos, dst.slice(pos - offset, s - pos));
            }
            dst.slice(s - offset, e - s).copyFrom(x.entry().before(), (int) (s - x.entry().offset()));
            pos = e;
        }
        if (pos < end) {
            readImageAsItWas(pos, dst.slice(pos - offset, end - pos));
        }
    }

    /** The image as it was at the snapshot: preserved bytes first, zeroes past {@link #length}. */
    private void readImageAsItWas(long offset, IoVec dst) throws BlockException {
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
                dst.slice(s - offset, e - s).copyFrom(p.getValue(), (int) (s - p.getKey()));
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
