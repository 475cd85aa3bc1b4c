package org.blkdebug.engine.crash;

import java.nio.ByteBuffer;
import org.blkdebug.engine.BlockException;

/**
 * One volatile write in the disk's cache: a write (its bytes in memory or in the spill file), a
 * write-zeroes or a discard, in the order the disk completed them. Immutable.
 *
 * @param seq    its number among every write the device completed since it opened, from 1
 * @param fua    the request was a FUA write (for the write log; FUA itself is emulated above)
 * @param mem    the bytes, when kept in memory (off-heap in a {@link CacheMemory} chunk, or on the heap)
 * @param spill  the spill file and where the bytes start in it, when spilled
 * @param before in the page-cache model, the bytes the image held there just before this write
 *               went through to it (what a crash must put back), else null
 */
record Entry(long seq, Kind kind, long offset, long length, boolean fua, CacheMemory.Block mem, Spill spill,
             long spillAt, byte[] before) {
    Entry(long seq, Kind kind, long offset, long length, boolean fua, CacheMemory.Block mem, Spill spill,
          long spillAt) {
        this(seq, kind, offset, length, fua, mem, spill, spillAt, null);
    }

    /** The bytes {@code [from, from + len)} of this write, when they are in memory (a view: do not change them). */
    ByteBuffer memSlice(long from, long len) {
        return mem.buffer().slice((int) from, (int) len);
    }

    /** ZEROES_UNMAP: a write-zeroes that may unmap (the image punches a hole where it can). */
    enum Kind { WRITE, ZEROES, ZEROES_UNMAP, DISCARD }

    long end() {
        return offset + length;
    }

    boolean hasData() {
        return kind == Kind.WRITE;
    }

    /**
     * Copies {@code len} bytes of this entry starting {@code from} bytes into it to {@code dst}
     * (zeroes for write-zeroes and discard).
     */
    void copy(long from, int len, ByteBuffer dst) throws BlockException {
        if (!hasData()) {
            for (int i = 0; i < len; i++) {
                dst.put((byte) 0);
            }
        } else if (mem != null) {
            dst.put(dst.position(), mem.buffer(), (int) from, len);
            dst.position(dst.position() + len);
        } else {
            spill.read(spillAt + from, dst.slice(dst.position(), len));
            dst.position(dst.position() + len);
        }
    }

    /** The same entry cut to end at {@code newEnd} (a shrinking resize); null if nothing is left. */
    Entry clip(long newEnd) {
        if (newEnd >= end()) {
            return this;
        }
        if (newEnd <= offset) {
            return null;
        }
        long len = newEnd - offset;
        // the memory is shared, not copied (only its first len bytes are read from now on): the
        // cache releases it once, when it drops the clipped entry
        byte[] b = before == null ? null : java.util.Arrays.copyOf(before, (int) len);
        return new Entry(seq, kind, offset, len, fua, mem, spill, spillAt, b);
    }
}
