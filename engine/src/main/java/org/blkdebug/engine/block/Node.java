package org.blkdebug.engine.block;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.Errno;
import org.blkdebug.engine.Event;
import org.blkdebug.engine.Phase;
import org.blkdebug.engine.request.Request;
import org.blkdebug.engine.request.Waiter;

/**
 * One node of the block graph (QEMU's BlockDriverState): a driver plus the per-node state the
 * generic block layer keeps (tracked requests, write/flush generations). {@link BlockIo} runs the
 * generic layer in front of every node; subclasses are the drivers.
 *
 * <p>{@link #reqsLock} guards {@link #tracked}, the wait queues in it and the flush queue. It is
 * held only to inspect and change them, never across a park or a driver call.
 */
public abstract class Node {
    // QEMU's BDRV_REQ_* flags that matter here
    public static final int REQ_WRITE_UNCHANGED = 1;
    public static final int REQ_FUA = 1 << 1;
    public static final int REQ_MAY_UNMAP = 1 << 2;
    public static final int REQ_ZERO_WRITE = 1 << 3;
    public static final int REQ_NO_FALLBACK = 1 << 4;

    final Node child;
    Limits limits = Limits.DEFAULT;
    int supportedWriteFlags;
    int supportedZeroFlags;
    /** cache=unsafe: flushes stop before flush_to_disk (BDRV_O_NO_FLUSH). */
    boolean noFlush;
    boolean readOnly;

    /** Bumped at the end of every write, discard or truncate (QEMU's write_gen). */
    final AtomicLong writeGen = new AtomicLong();
    /** The write_gen the last successful flush covered. Written by the active flush only. */
    volatile long flushedGen;

    final ReentrantLock reqsLock = new ReentrantLock();
    /** Guarded by reqsLock. Newest first, as QEMU inserts at the head. */
    final List<Tracked> tracked = new ArrayList<>();
    final AtomicInteger serialisingInFlight = new AtomicInteger();
    /** Guarded by reqsLock. */
    boolean activeFlush;
    /** Guarded by reqsLock. */
    final ArrayDeque<Waiter> flushQueue = new ArrayDeque<>();

    protected Node(Node child) {
        this.child = child;
    }

    /** Open flags that apply to every node: cache=unsafe and read-only. */
    public void configure(boolean noFlush, boolean readOnly) {
        this.noFlush = noFlush;
        this.readOnly = readOnly;
    }

    public Limits limits() {
        return limits;
    }

    public Node child() {
        return child;
    }

    // ---- driver callbacks (QEMU's BlockDriver) ---------------------------------------------------

    /** Called aligned to the node's request alignment and within max-transfer. */
    protected abstract void preadv(Request r, long offset, long bytes, IoVec qiov) throws BlockException;

    protected abstract void pwritev(Request r, long offset, long bytes, IoVec qiov, int flags)
            throws BlockException;

    /** Throws ENOTSUP to make the block layer fall back to writing zero buffers. */
    protected void pwriteZeroes(Request r, long offset, long bytes, int flags) throws BlockException {
        throw new BlockException(Errno.ENOTSUP);
    }

    /** False when the driver has no discard (the block layer then does nothing). */
    protected boolean hasDiscard() {
        return false;
    }

    protected void pdiscard(Request r, long offset, long bytes) throws BlockException {
        throw new BlockException(Errno.ENOTSUP);
    }

    /** {@code bdrv_co_flush_to_disk}; the default has none (QEMU then treats the flush as done). */
    protected void flushToDisk(Request r) throws BlockException {
    }

    /** QEMU's {@code bdrv_co_debug_event}: only blkdebug reacts. */
    protected void debugEvent(Request r, Event event) {
    }

    public long length() throws BlockException {
        return child.length();
    }

    protected void truncateDriver(Request r, long length) throws BlockException {
        BlockIo.truncate(child, r, length);
    }

    public void close() throws BlockException {
        if (child != null) {
            child.close();
        }
    }

    // ---- tracked requests (QEMU's BdrvTrackedRequest) --------------------------------------------

    /** A request in flight on this node, for serialisation of overlapping requests. */
    static final class Tracked {
        final Request request;
        final long offset;
        final long bytes;
        long overlapOffset;
        long overlapBytes;
        boolean serialising;
        Tracked waitingFor;
        /** Guarded by reqsLock; null once the request has ended. */
        List<Waiter> waitQueue = new ArrayList<>(0);

        Tracked(Request request, long offset, long bytes) {
            this.request = request;
            this.offset = offset;
            this.bytes = bytes;
            this.overlapOffset = offset;
            this.overlapBytes = bytes;
        }

        boolean overlaps(long off, long len) {
            return off < overlapOffset + overlapBytes && overlapOffset < off + len;
        }
    }

    Tracked trackedBegin(Request r, long offset, long bytes) {
        Tracked t = new Tracked(r, offset, bytes);
        reqsLock.lock();
        try {
            tracked.addFirst(t);
        } finally {
            reqsLock.unlock();
        }
        return t;
    }

    void trackedEnd(Tracked t) {
        List<Waiter> wake;
        reqsLock.lock();
        try {
            if (t.serialising) {
                serialisingInFlight.decrementAndGet();
            }
            tracked.remove(t);
            wake = t.waitQueue;
            t.waitQueue = null;
        } finally {
            reqsLock.unlock();
        }
        for (Waiter w : wake) { // FIFO, as qemu_co_queue_restart_all
            w.release();
        }
    }

    /** Guarded by reqsLock. QEMU's bdrv_find_conflicting_request. */
    private Tracked findConflict(Tracked self) {
        for (Tracked t : tracked) {
            if (t == self || (!t.serialising && !self.serialising)) {
                continue;
            }
            if (t.overlaps(self.overlapOffset, self.overlapBytes) && t.waitingFor == null) {
                // a request that is itself waiting will wait for us: go on (no deadlock)
                return t;
            }
        }
        return null;
    }

    /** Called with reqsLock held; returns with it held. Parks with it released. */
    private void waitSerialisingLocked(Tracked self) {
        Tracked c;
        while ((c = findConflict(self)) != null) {
            self.waitingFor = c;
            Waiter w = new Waiter(self.request, Phase.WAITING, null);
            c.waitQueue.add(w);
            reqsLock.unlock();
            try {
                w.park();
            } finally {
                reqsLock.lock();
                self.waitingFor = null;
            }
        }
    }

    void waitSerialising(Tracked self) {
        if (serialisingInFlight.get() == 0) {
            return;
        }
        reqsLock.lock();
        try {
            waitSerialisingLocked(self);
        } finally {
            reqsLock.unlock();
        }
    }

    void makeSerialising(Tracked self, long align) {
        reqsLock.lock();
        try {
            long off = self.offset & ~(align - 1);
            long bytes = roundUp(self.offset + self.bytes, align) - off;
            if (!self.serialising) {
                serialisingInFlight.incrementAndGet();
                self.serialising = true;
            }
            self.overlapOffset = Math.min(self.overlapOffset, off);
            self.overlapBytes = Math.max(self.overlapBytes, bytes);
            waitSerialisingLocked(self);
        } finally {
            reqsLock.unlock();
        }
    }

    // ---- flush queue ---------------------------------------------------------------------------

    /** Waits until no other flush is active on this node, then becomes the active one. */
    void flushBegin(Request r) {
        reqsLock.lock();
        try {
            while (activeFlush) {
                Waiter w = new Waiter(r, Phase.WAITING, null);
                flushQueue.addLast(w);
                reqsLock.unlock();
                try {
                    w.park();
                } finally {
                    reqsLock.lock();
                }
            }
            activeFlush = true;
        } finally {
            reqsLock.unlock();
        }
    }

    void flushEnd() {
        Waiter next;
        reqsLock.lock();
        try {
            activeFlush = false;
            next = flushQueue.pollFirst();
        } finally {
            reqsLock.unlock();
        }
        if (next != null) {
            next.release();
        }
    }

    static long roundUp(long n, long align) {
        return (n + align - 1) & ~(align - 1);
    }
}
