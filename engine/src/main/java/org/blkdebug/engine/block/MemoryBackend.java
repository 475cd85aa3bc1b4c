package org.blkdebug.engine.block;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.blkdebug.engine.BlockException;

/**
 * An image in memory, for tests and benchmarks: sparse 64 KiB pages (untouched pages read as
 * zeroes). I/O takes the read side of {@link #resize} and copies bytes; only truncate, and a
 * write past the end (which first grows the image, as a file grows), take the write side.
 * Concurrent writes to the same bytes race as they would on a disk.
 */
public final class MemoryBackend implements Backend {
    private static final int PAGE_SHIFT = 16;
    private static final int PAGE = 1 << PAGE_SHIFT;

    private final ReentrantReadWriteLock resize = new ReentrantReadWriteLock();
    /** Guarded by resize (the reference; the pages inside are filled lazily with CAS). */
    private AtomicReferenceArray<byte[]> pages;
    private volatile long length;

    public MemoryBackend(long length) {
        this.length = length;
        this.pages = new AtomicReferenceArray<>(pageCount(length));
    }

    private static int pageCount(long length) {
        return (int) ((length + PAGE - 1) >>> PAGE_SHIFT);
    }

    private byte[] page(int i, boolean create) {
        byte[] p = pages.get(i);
        if (p == null && create) {
            pages.compareAndSet(i, null, new byte[PAGE]);
            p = pages.get(i);
        }
        return p;
    }

    @Override
    public void read(long offset, IoVec dst) throws BlockException {
        resize.readLock().lock();
        try {
            long pos = offset;
            for (ByteBuffer b : dst.segments()) {
                while (b.hasRemaining()) {
                    int n = (int) Math.min(b.remaining(), PAGE - (pos & (PAGE - 1)));
                    byte[] p = pos < length ? page((int) (pos >>> PAGE_SHIFT), false) : null;
                    if (p == null) {
                        for (int i = 0; i < n; i++) {
                            b.put((byte) 0);
                        }
                    } else {
                        b.put(p, (int) (pos & (PAGE - 1)), n);
                    }
                    pos += n;
                }
            }
        } finally {
            resize.readLock().unlock();
        }
    }

    @Override
    public void write(long offset, IoVec src) throws BlockException {
        resize.readLock().lock();
        try {
            growLocked(offset + src.size());
            long pos = offset;
            for (ByteBuffer b : src.segments()) {
                while (b.hasRemaining()) {
                    int n = (int) Math.min(b.remaining(), PAGE - (pos & (PAGE - 1)));
                    byte[] p = page((int) (pos >>> PAGE_SHIFT), true);
                    b.get(p, (int) (pos & (PAGE - 1)), n);
                    pos += n;
                }
            }
        } finally {
            resize.readLock().unlock();
        }
    }

    @Override
    public void writeZeroes(long offset, long len) throws BlockException {
        resize.readLock().lock();
        try {
            growLocked(offset + len);
            zeroLocked(offset, len);
        } finally {
            resize.readLock().unlock();
        }
    }

    /** Read lock held, and held again on return. Without it the write indexed past the page table. */
    private void growLocked(long end) {
        Growth.growLocked(resize, end, () -> length, this::truncate);
    }

    /** Read lock held; {@code [offset, offset + len)} lies inside the image. */
    private void zeroLocked(long offset, long len) {
        long pos = offset;
        long end = offset + len;
        while (pos < end) {
            int n = (int) Math.min(end - pos, PAGE - (pos & (PAGE - 1)));
            byte[] p = page((int) (pos >>> PAGE_SHIFT), false);
            if (p != null) {
                java.util.Arrays.fill(p, (int) (pos & (PAGE - 1)), (int) (pos & (PAGE - 1)) + n, (byte) 0);
            }
            pos += n;
        }
    }

    @Override
    public void discard(long offset, long len) throws BlockException {
        resize.readLock().lock();
        try {
            // clamped under the lock: a discard never grows the image
            zeroLocked(offset, Math.max(0, Math.min(len, length - offset)));
        } finally {
            resize.readLock().unlock();
        }
    }

    @Override
    public void flush() {
    }

    @Override
    public long length() {
        return length;
    }

    @Override
    public void truncate(long newLength) {
        resize.writeLock().lock();
        try {
            AtomicReferenceArray<byte[]> next = new AtomicReferenceArray<>(pageCount(newLength));
            for (int i = 0; i < next.length() && i < pages.length(); i++) {
                next.set(i, pages.get(i));
            }
            // bytes past a shrink must read as zeroes if the image grows again
            if (newLength < length && (newLength & (PAGE - 1)) != 0 && next.length() > 0) {
                byte[] last = next.get(next.length() - 1);
                if (last != null) {
                    java.util.Arrays.fill(last, (int) (newLength & (PAGE - 1)), PAGE, (byte) 0);
                }
            }
            pages = next;
            length = newLength;
        } finally {
            resize.writeLock().unlock();
        }
    }

    @Override
    public void close() {
    }
}
