package org.blkdebug.engine.block;

import java.util.concurrent.atomic.AtomicLong;
import org.blkdebug.engine.BlockException;

/**
 * QEMU's {@code total_sectors} of a node, in bytes: the length below as first asked (at open in
 * QEMU), rounded up to a sector; then grown by each write as it finishes, to its end rounded up
 * to a sector ({@code bdrv_co_write_req_finish}), and set by a truncate. Not the length below
 * now, which a write in flight, or the padding an O_DIRECT node adds, has grown already.
 * Lock-free: most writes end inside the length and only read it.
 */
final class TotalSectors {
    private static final long SECTOR = 512;

    /** The length below, asked once. */
    interface Below {
        long length() throws BlockException;
    }

    private final Below below;
    /** -1 until first asked. */
    private final AtomicLong bytes = new AtomicLong(-1);

    TotalSectors(Below below) {
        this.below = below;
    }

    long get() throws BlockException {
        long n = bytes.get();
        if (n >= 0) {
            return n;
        }
        long first = Node.roundUp(below.length(), SECTOR);
        return bytes.compareAndSet(-1, first) ? first : bytes.get();
    }

    void written(long end) throws BlockException {
        long grown = Node.roundUp(end, SECTOR);
        if (grown > get()) {
            bytes.accumulateAndGet(grown, Math::max);
        }
    }

    void truncated(long length) {
        bytes.set(Node.roundUp(length, SECTOR));
    }
}
