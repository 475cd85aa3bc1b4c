package org.blkdebug.engine.block;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * QEMU's QEMUIOVector: an ordered list of buffer segments seen as one byte range. Segments are
 * read and written by absolute index (never by their position), so one IoVec can be sliced,
 * padded and handed down the stack without copying.
 */
public final class IoVec {
    private final ByteBuffer[] segs;
    private final long size;

    private IoVec(ByteBuffer[] segs) {
        this.segs = segs;
        long s = 0;
        for (ByteBuffer b : segs) {
            s += b.remaining();
        }
        this.size = s;
    }

    /** Views the remaining bytes of each buffer (positions are not changed). */
    public static IoVec of(ByteBuffer... buffers) {
        ByteBuffer[] s = new ByteBuffer[buffers.length];
        for (int i = 0; i < buffers.length; i++) {
            s[i] = buffers[i].slice();
        }
        return new IoVec(s);
    }

    public static IoVec zeroes(int length) {
        return new IoVec(new ByteBuffer[] {ByteBuffer.allocate(length)});
    }

    public long size() {
        return size;
    }

    /** The segments, each a slice of exactly its bytes (position 0, limit = length). */
    public ByteBuffer[] segments() {
        ByteBuffer[] out = new ByteBuffer[segs.length];
        for (int i = 0; i < segs.length; i++) {
            out[i] = segs[i].duplicate();
        }
        return out;
    }

    /** A view of {@code [offset, offset + length)}. */
    public IoVec slice(long offset, long length) {
        if (offset == 0 && length == size) {
            return this;
        }
        List<ByteBuffer> out = new ArrayList<>();
        long skip = offset;
        long left = length;
        for (ByteBuffer b : segs) {
            int n = b.remaining();
            if (skip >= n) {
                skip -= n;
                continue;
            }
            int take = (int) Math.min(n - skip, left);
            out.add(b.slice((int) skip, take));
            left -= take;
            skip = 0;
            if (left == 0) {
                break;
            }
        }
        return new IoVec(out.toArray(new ByteBuffer[0]));
    }

    /** {@code head}, then this, then {@code tail}; null parts are left out. */
    public IoVec padded(ByteBuffer head, ByteBuffer tail) {
        List<ByteBuffer> out = new ArrayList<>(segs.length + 2);
        if (head != null) {
            out.add(head);
        }
        out.addAll(List.of(segs));
        if (tail != null) {
            out.add(tail);
        }
        return new IoVec(out.toArray(new ByteBuffer[0]));
    }

    /** Sets {@code [offset, offset + length)} to zero. */
    public void zero(long offset, long length) {
        long skip = offset;
        long left = length;
        for (ByteBuffer b : segs) {
            int n = b.remaining();
            if (skip >= n) {
                skip -= n;
                continue;
            }
            int from = (int) skip;
            int take = (int) Math.min(n - skip, left);
            for (int i = 0; i < take; i++) {
                b.put(from + i, (byte) 0);
            }
            left -= take;
            skip = 0;
            if (left == 0) {
                return;
            }
        }
    }

    /** Copies all bytes into a new array (tests and small requests). */
    public byte[] toArray() {
        byte[] out = new byte[(int) size];
        int at = 0;
        for (ByteBuffer b : segs) {
            b.get(b.position(), out, at, b.remaining());
            at += b.remaining();
        }
        return out;
    }
}
