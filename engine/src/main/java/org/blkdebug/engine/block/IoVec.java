package org.blkdebug.engine.block;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * QEMU's QEMUIOVector: an ordered list of buffer segments seen as one byte range. It keeps the
 * caller's buffers with absolute bounds and never moves their positions, so one IoVec can be
 * sliced, padded and handed down the stack without copying, and the only buffer object made per
 * request is the view the backend reads or writes through ({@link #segments()}).
 */
public final class IoVec {
    private final ByteBuffer[] bufs;
    private final int[] offs;
    private final int[] lens;
    private final long size;

    private IoVec(ByteBuffer[] bufs, int[] offs, int[] lens) {
        this.bufs = bufs;
        this.offs = offs;
        this.lens = lens;
        long s = 0;
        for (int l : lens) {
            s += l;
        }
        this.size = s;
    }

    /** Views the remaining bytes of each buffer (positions are not changed, now or later). */
    public static IoVec of(ByteBuffer... buffers) {
        int n = buffers.length;
        ByteBuffer[] b = buffers.clone();
        int[] o = new int[n];
        int[] l = new int[n];
        for (int i = 0; i < n; i++) {
            o[i] = b[i].position();
            l[i] = b[i].remaining();
        }
        return new IoVec(b, o, l);
    }

    public static IoVec zeroes(int length) {
        return new IoVec(new ByteBuffer[] {ByteBuffer.allocate(length)}, new int[] {0}, new int[] {length});
    }

    public long size() {
        return size;
    }

    /** The segments as fresh views (position 0, limit = length), free for the caller to move. */
    public ByteBuffer[] segments() {
        ByteBuffer[] out = new ByteBuffer[bufs.length];
        for (int i = 0; i < bufs.length; i++) {
            out[i] = bufs[i].slice(offs[i], lens[i]);
        }
        return out;
    }

    /** A view of {@code [offset, offset + length)}. */
    public IoVec slice(long offset, long length) {
        if (offset == 0 && length == size) {
            return this;
        }
        int n = bufs.length;
        ByteBuffer[] b = new ByteBuffer[n];
        int[] o = new int[n];
        int[] l = new int[n];
        int k = 0;
        long skip = offset;
        long left = length;
        for (int i = 0; i < n && left > 0; i++) {
            int len = lens[i];
            if (skip >= len) {
                skip -= len;
                continue;
            }
            int take = (int) Math.min(len - skip, left);
            b[k] = bufs[i];
            o[k] = offs[i] + (int) skip;
            l[k] = take;
            k++;
            left -= take;
            skip = 0;
        }
        return new IoVec(Arrays.copyOf(b, k), Arrays.copyOf(o, k), Arrays.copyOf(l, k));
    }

    /** {@code head}, then this, then {@code tail}; null parts are left out. */
    public IoVec padded(ByteBuffer head, ByteBuffer tail) {
        int n = bufs.length + (head != null ? 1 : 0) + (tail != null ? 1 : 0);
        ByteBuffer[] b = new ByteBuffer[n];
        int[] o = new int[n];
        int[] l = new int[n];
        int k = 0;
        if (head != null) {
            b[k] = head;
            o[k] = head.position();
            l[k++] = head.remaining();
        }
        for (int i = 0; i < bufs.length; i++, k++) {
            b[k] = bufs[i];
            o[k] = offs[i];
            l[k] = lens[i];
        }
        if (tail != null) {
            b[k] = tail;
            o[k] = tail.position();
            l[k] = tail.remaining();
        }
        return new IoVec(b, o, l);
    }

    /**
     * file-posix's {@code bdrv_qiov_is_aligned}: every segment starts at a multiple of {@code align}
     * and is a multiple of it long. A segment's start is its place in the buffer it views (a padding
     * buffer's tail is a slice at its end), each buffer taken as aligned where it begins, as QEMU's
     * {@code qemu_blockalign}ed ones are.
     */
    boolean aligned(long align) {
        for (int i = 0; i < bufs.length; i++) {
            long start = (bufs[i].hasArray() ? bufs[i].arrayOffset() : 0) + offs[i];
            if (start % align != 0 || lens[i] % align != 0) {
                return false;
            }
        }
        return true;
    }

    /** Sets {@code [offset, offset + length)} to zero. */
    public void zero(long offset, long length) {
        long skip = offset;
        long left = length;
        for (int i = 0; i < bufs.length && left > 0; i++) {
            int len = lens[i];
            if (skip >= len) {
                skip -= len;
                continue;
            }
            int from = offs[i] + (int) skip;
            int take = (int) Math.min(len - skip, left);
            for (int j = 0; j < take; j++) {
                bufs[i].put(from + j, (byte) 0);
            }
            left -= take;
            skip = 0;
        }
    }

    /** Fills this view with {@code size()} bytes of {@code src} starting at {@code from}. */
    public void copyFrom(byte[] src, int from) {
        int at = from;
        for (int i = 0; i < bufs.length; i++) {
            bufs[i].put(offs[i], src, at, lens[i]);
            at += lens[i];
        }
    }

    /** Copies all bytes to {@code dst} from its index 0 (it holds at least {@code size()}); its position stays. */
    public void copyTo(ByteBuffer dst) {
        int at = 0;
        for (int i = 0; i < bufs.length; i++) {
            dst.put(at, bufs[i], offs[i], lens[i]);
            at += lens[i];
        }
    }

    /** Copies all bytes into a new array (tests and small requests). */
    public byte[] toArray() {
        byte[] out = new byte[(int) size];
        int at = 0;
        for (int i = 0; i < bufs.length; i++) {
            bufs[i].get(offs[i], out, at, lens[i]);
            at += lens[i];
        }
        return out;
    }
}
