package org.blkdebug.engine.crash;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.block.Backend;
import org.blkdebug.engine.block.IoVec;

/**
 * An image a checker can open without harming it: reads come from {@link Lower} (a crash state,
 * an image file); writes (a checker's recovery) go to private copy-on-write pages and vanish with
 * this backend. No byte of the lower image is copied until written.
 */
public final class CowBackend implements Backend {
    private static final int PAGE = 4096;

    /** What lies below: read-only bytes of a fixed length. */
    public interface Lower {
        void read(long offset, IoVec dst) throws BlockException;

        long length();
    }

    private final Lower state;
    /** Pages written by the checker, by page number. */
    private final ConcurrentSkipListMap<Long, byte[]> pages = new ConcurrentSkipListMap<>();
    /** Write side: a write or truncate; read side: a read. Keeps page copy-up whole. */
    private final ReentrantReadWriteLock rw = new ReentrantReadWriteLock();
    private volatile long length;
    /** The shortest the image has been: the lower bytes past it are gone (they read as zeroes). */
    private volatile long floor;

    public CowBackend(Lower state) {
        this.state = state;
        this.length = state.length();
        this.floor = length;
    }

    @Override
    public void read(long offset, IoVec dst) throws BlockException {
        rw.readLock().lock();
        try {
            readLocked(offset, dst);
        } finally {
            rw.readLock().unlock();
        }
    }

    private void readLocked(long offset, IoVec dst) throws BlockException {
        long size = dst.size();
        long fromState = Math.max(0, Math.min(size, floor - offset));
        if (fromState > 0) {
            state.read(offset, dst.slice(0, fromState));
        }
        if (fromState < size) {
            dst.zero(fromState, size - fromState);
        }
        long end = offset + Math.max(0, Math.min(size, length - offset));
        if (pages.isEmpty() || end <= offset) {
            return;
        }
        for (Map.Entry<Long, byte[]> p : pages.subMap(offset / PAGE, true, (end - 1) / PAGE, true).entrySet()) {
            long ps = p.getKey() * PAGE;
            long s = Math.max(ps, offset);
            long e = Math.min(ps + PAGE, end);
            if (e > s) {
                dst.slice(s - offset, e - s).copyFrom(p.getValue(), (int) (s - ps));
            }
        }
    }

    private byte[] page(long n) throws BlockException {
        byte[] p = pages.get(n);
        if (p == null) {
            p = new byte[PAGE];
            readLocked(n * PAGE, IoVec.of(ByteBuffer.wrap(p)));
            pages.put(n, p);
        }
        return p;
    }

    @Override
    public void write(long offset, IoVec src) throws BlockException {
        rw.writeLock().lock();
        try {
            length = Math.max(length, offset + src.size());
            long pos = offset;
            for (ByteBuffer b : src.segments()) {
                while (b.hasRemaining()) {
                    byte[] p = page(pos / PAGE);
                    int at = (int) (pos % PAGE);
                    int n = Math.min(b.remaining(), PAGE - at);
                    b.get(p, at, n);
                    pos += n;
                }
            }
        } finally {
            rw.writeLock().unlock();
        }
    }

    @Override
    public void writeZeroes(long offset, long len) throws BlockException {
        rw.writeLock().lock();
        try {
            length = Math.max(length, offset + len);
            for (long pos = offset; pos < offset + len; ) {
                byte[] p = page(pos / PAGE);
                int at = (int) (pos % PAGE);
                int n = (int) Math.min(offset + len - pos, PAGE - at);
                java.util.Arrays.fill(p, at, at + n, (byte) 0);
                pos += n;
            }
        } finally {
            rw.writeLock().unlock();
        }
    }

    @Override
    public void discard(long offset, long len) throws BlockException {
        writeZeroes(offset, Math.max(0, Math.min(len, length - offset)));
    }

    @Override
    public void flush() {
    }

    @Override
    public long length() {
        return length;
    }

    @Override
    public void truncate(long newLength) throws BlockException {
        rw.writeLock().lock();
        try {
            if (newLength < length) {
                // bytes past the end read as zeroes if it grows again
                byte[] p = pages.get(newLength / PAGE);
                if (p != null) {
                    java.util.Arrays.fill(p, (int) (newLength % PAGE), PAGE, (byte) 0);
                }
                pages.tailMap(newLength / PAGE + 1).clear();
                floor = Math.min(floor, newLength);
            }
            length = newLength;
        } finally {
            rw.writeLock().unlock();
        }
    }

    /** A read-only backend as the lower image (an image file for {@code replay}). */
    public static Lower over(Backend image) {
        return new Lower() {
            @Override
            public void read(long offset, IoVec dst) throws BlockException {
                image.read(offset, dst);
            }

            @Override
            public long length() {
                try {
                    return image.length();
                } catch (BlockException e) {
                    return 0;
                }
            }
        };
    }

    @Override
    public void close() {
        pages.clear();
    }
}
