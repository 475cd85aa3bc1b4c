package org.blkdebug.engine.block;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.Errno;

/**
 * A copy-on-write image over a base it never writes: what the device changes lives in 4 KiB
 * pages in memory, everything else reads through to the base. Many overlays can share one base
 * (explore runs each scenario on a fresh overlay of the same starting image; {@code -s}), so a
 * run costs the pages it writes, not a copy of the image.
 *
 * <p>I/O takes the read side of {@link #resize}; only truncate (and a write past the end, which
 * grows the image first, as a file grows) takes the write side. Pages are made with
 * {@code putIfAbsent}: two writers of one page share the copy that won, and their bytes race as
 * on a disk. The base stays open when the overlay closes, unless the overlay owns it.
 */
public final class OverlayBackend implements Backend {
    private static final int PAGE_SHIFT = 12;
    private static final int PAGE = 1 << PAGE_SHIFT;
    /** A page known to read as zeroes (discarded, zeroed, or past a shrink); never written. */
    private static final byte[] ZERO = new byte[PAGE];

    private final Backend base;
    /** Close the base with the overlay ({@code -s}: the overlay is its only user). */
    private final boolean ownsBase;
    /** {@code -s}: QEMU's overlay is a qcow2 image, whose length is whole 512-byte sectors. */
    private final boolean sectorLengths;
    private final ReentrantReadWriteLock resize = new ReentrantReadWriteLock();
    private final ConcurrentHashMap<Long, byte[]> pages = new ConcurrentHashMap<>();
    private volatile long length;
    /** Base bytes from here on read as zeroes: a truncate cut them off. Guarded by resize. */
    private long baseEnd;

    /** A fresh overlay: reads as {@code base} until written. The base stays open at close. */
    public OverlayBackend(Backend base) throws BlockException {
        this(base, false);
    }

    /** @param ownsBase close {@code base} when the overlay closes */
    public OverlayBackend(Backend base, boolean ownsBase) throws BlockException {
        this(base, ownsBase, false);
    }

    private OverlayBackend(Backend base, boolean ownsBase, boolean sectorLengths) throws BlockException {
        this.base = base;
        this.ownsBase = ownsBase;
        this.sectorLengths = sectorLengths;
        this.length = base.length();
        this.baseEnd = length;
    }

    /**
     * qemu-io's {@code -s}: an overlay that owns {@code base} and, like the temporary qcow2 image
     * QEMU puts on top, refuses a truncate to a length that is not whole sectors
     * ({@code qcow2_co_truncate}).
     */
    public static OverlayBackend snapshotOf(Backend base) throws BlockException {
        return new OverlayBackend(base, true, true);
    }

    /** Bytes of the base this overlay still shows, for a page that was never written. */
    private void readBase(long pos, byte[] into, int at, int n) throws BlockException {
        int fromBase = (int) Math.max(0, Math.min(n, baseEnd - pos));
        if (fromBase > 0) {
            base.read(pos, IoVec.of(new ByteBuffer[] {ByteBuffer.wrap(into, at, fromBase)}));
        }
        Arrays.fill(into, at + fromBase, at + n, (byte) 0);
    }

    /** The page to write into: the overlay's own, made from the base (or zeroes) on first write. */
    private byte[] writable(long index) throws BlockException {
        while (true) {
            byte[] p = pages.get(index);
            if (p != null && p != ZERO) {
                return p;
            }
            byte[] fresh = new byte[PAGE];
            if (p == null) {
                readBase(index << PAGE_SHIFT, fresh, 0, PAGE);
                if (pages.putIfAbsent(index, fresh) == null) {
                    return fresh;
                }
            } else if (pages.replace(index, ZERO, fresh)) {
                return fresh;
            }
            // another writer made the page first: use theirs
        }
    }

    @Override
    public void read(long offset, IoVec dst) throws BlockException {
        resize.readLock().lock();
        try {
            long pos = offset;
            for (ByteBuffer b : dst.segments()) {
                while (b.hasRemaining()) {
                    int in = (int) (pos & (PAGE - 1));
                    int n = Math.min(b.remaining(), PAGE - in);
                    byte[] p = pos < length ? pages.get(pos >>> PAGE_SHIFT) : ZERO;
                    if (p != null) {
                        b.put(p, in, n);
                    } else if (b.hasArray()) {
                        readBase(pos, b.array(), b.arrayOffset() + b.position(), n);
                        b.position(b.position() + n);
                    } else {
                        byte[] tmp = new byte[n];
                        readBase(pos, tmp, 0, n);
                        b.put(tmp);
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
                    int in = (int) (pos & (PAGE - 1));
                    int n = Math.min(b.remaining(), PAGE - in);
                    b.get(writable(pos >>> PAGE_SHIFT), in, n);
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

    @Override
    public void discard(long offset, long len) throws BlockException {
        resize.readLock().lock();
        try {
            zeroLocked(offset, Math.max(0, Math.min(len, length - offset))); // never grows the image
        } finally {
            resize.readLock().unlock();
        }
    }

    /** Read lock held: whole pages become {@link #ZERO}, partial ones are zeroed in a copy. */
    private void zeroLocked(long offset, long len) throws BlockException {
        long pos = offset;
        long end = offset + len;
        while (pos < end) {
            int in = (int) (pos & (PAGE - 1));
            int n = (int) Math.min(end - pos, PAGE - in);
            long index = pos >>> PAGE_SHIFT;
            if (n == PAGE) {
                pages.put(index, ZERO);
            } else if (pages.get(index) != ZERO) {
                Arrays.fill(writable(index), in, in + n, (byte) 0);
            }
            pos += n;
        }
    }

    /** Read lock held, and held again on return: a write past the end grows the image first. */
    private void growLocked(long end) {
        Growth.growLocked(resize, end, () -> length, this::truncateLocked);
    }

    @Override
    public void flush() {
        // memory: nothing is volatile here (the power-loss layer, if any, sits above)
    }

    @Override
    public long length() {
        return length;
    }

    @Override
    public void truncate(long newLength) throws BlockException {
        if (newLength < 0) {
            throw new BlockException(Errno.EINVAL);
        }
        if (sectorLengths && newLength % 512 != 0) {
            throw new BlockException(Errno.EINVAL, "The new size must be a multiple of 512");
        }
        resize.writeLock().lock();
        try {
            truncateLocked(newLength);
        } finally {
            resize.writeLock().unlock();
        }
    }

    /**
     * {@code -s}: QEMU's temporary qcow2 overlay takes every mode when growing and none when
     * shrinking (qcow2_co_truncate, after the sector check {@link #truncate(long)} makes);
     * otherwise a file's rules.
     */
    @Override
    public void checkPreallocation(long current, long newLength, String prealloc) throws BlockException {
        if (!sectorLengths) {
            Backend.super.checkPreallocation(current, newLength, prealloc);
        } else if (newLength % 512 == 0 && newLength < current && !prealloc.equals("off")) {
            throw new BlockException(Errno.EINVAL, "Preallocation can't be used for shrinking an image");
        }
    }

    /** Write lock held. Bytes past a shrink read as zeroes if the image grows again. */
    private void truncateLocked(long newLength) {
        if (newLength < length) {
            long firstGone = (newLength + PAGE - 1) >>> PAGE_SHIFT;
            pages.keySet().removeIf(i -> i >= firstGone);
            int in = (int) (newLength & (PAGE - 1));
            if (in != 0) {
                long last = newLength >>> PAGE_SHIFT;
                byte[] p = pages.get(last);
                if (p == null && newLength < baseEnd) { // the base's tail of this page stays
                    p = new byte[PAGE];
                    try {
                        readBase(last << PAGE_SHIFT, p, 0, in);
                    } catch (BlockException e) {
                        p = ZERO.clone(); // a base that cannot be read reads as zeroes here too
                    }
                    pages.put(last, p);
                } else if (p != null && p != ZERO) {
                    Arrays.fill(p, in, PAGE, (byte) 0);
                }
            }
            baseEnd = Math.min(baseEnd, newLength);
        }
        length = newLength;
    }

    /** How many pages the overlay holds (its cost over the base). */
    public int pageCount() {
        return pages.size();
    }

    /**
     * Writes the whole image as this overlay shows it to {@code out} from offset 0, and sets its
     * size: how a state leaves the process (explore's {@code --check 'CMD {}'}).
     */
    public void copyTo(FileChannel out) throws IOException {
        resize.readLock().lock();
        try {
            ByteBuffer buf = ByteBuffer.allocate(1 << 20);
            long len = length;
            out.truncate(0);
            for (long pos = 0; pos < len; pos += buf.capacity()) {
                int n = (int) Math.min(buf.capacity(), len - pos);
                buf.clear().limit(n);
                read(pos, IoVec.of(new ByteBuffer[] {buf}));
                buf.position(0).limit(n); // the IoVec filled a view of buf
                while (buf.hasRemaining()) {
                    out.write(buf, pos + buf.position());
                }
            }
        } catch (BlockException e) {
            throw new IOException(e.getMessage(), e);
        } finally {
            resize.readLock().unlock();
        }
    }

    /**
     * Closes the base if the overlay owns it. The pages stay readable while the base is open: a
     * closed device's overlay is still the state its run left ({@link #copyTo}).
     */
    @Override
    public void close() throws BlockException {
        if (ownsBase) {
            base.close();
        }
    }
}
