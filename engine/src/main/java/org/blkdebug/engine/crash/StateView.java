package org.blkdebug.engine.crash;

import java.util.Arrays;
import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.block.IoVec;

/**
 * The bytes of one crash state, read-only: D from the snapshot, overlaid by the kept writes in
 * sorted, non-overlapping pieces ({@code [start[i], end[i])} holds {@code by[i]}'s bytes).
 */
final class StateView {
    final Snapshot snapshot;
    private final long[] start;
    private final long[] end;
    private final Entry[] by;

    private final long length;

    StateView(Snapshot snapshot, long[] start, long[] end, Entry[] by, long length) {
        this.snapshot = snapshot;
        this.length = length;
        this.start = start;
        this.end = end;
        this.by = by;
    }

    public long length() {
        return length;
    }

    public void read(long offset, IoVec dst) throws BlockException {
        long stop = offset + dst.size();
        int i = Arrays.binarySearch(start, offset);
        if (i < 0) {
            i = Math.max(-i - 2, 0); // the piece starting before offset, which may reach into it
        }
        long pos = offset;
        for (; i < start.length && start[i] < stop; i++) {
            long s = Math.max(start[i], offset);
            long e = Math.min(end[i], stop);
            if (e <= s) {
                continue;
            }
            if (s > pos) {
                snapshot.readBase(pos, dst.slice(pos - offset, s - pos));
            }
            VolatileCache.copy(by[i], s, e, dst.slice(s - offset, e - s));
            pos = e;
        }
        if (pos < stop) {
            snapshot.readBase(pos, dst.slice(pos - offset, stop - pos));
        }
    }

    /** This state as the read-only base of an overlay (which never writes its base). */
    org.blkdebug.engine.block.Backend asBackend() {
        StateView v = this;
        return new org.blkdebug.engine.block.Backend() {
            @Override
            public void read(long offset, IoVec dst) throws BlockException {
                long inside = Math.max(0, Math.min(dst.size(), v.length - offset));
                if (inside > 0) {
                    v.read(offset, dst.slice(0, inside));
                }
                if (inside < dst.size()) {
                    dst.zero(inside, dst.size() - inside);
                }
            }

            @Override
            public void write(long offset, IoVec src) throws BlockException {
                throw new BlockException(org.blkdebug.engine.Errno.EROFS);
            }

            @Override
            public void writeZeroes(long offset, long length) throws BlockException {
                throw new BlockException(org.blkdebug.engine.Errno.EROFS);
            }

            @Override
            public void discard(long offset, long length) throws BlockException {
                throw new BlockException(org.blkdebug.engine.Errno.EROFS);
            }

            @Override
            public void flush() {
            }

            @Override
            public long length() {
                return v.length;
            }

            @Override
            public void truncate(long length) throws BlockException {
                throw new BlockException(org.blkdebug.engine.Errno.EROFS);
            }

            @Override
            public void close() {
            }
        };
    }

    /** Calls {@code visit} for every piece a kept write decides, in order. */
    void forEachPiece(PieceVisitor visit) throws BlockException {
        for (int i = 0; i < start.length; i++) {
            visit.piece(start[i], end[i]);
        }
    }

    interface PieceVisitor {
        void piece(long start, long end) throws BlockException;
    }
}
