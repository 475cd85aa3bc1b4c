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
    /** Reads copy what comes from below the node into it (QEMU's bs->copy_on_read). */
    boolean copyOnRead;
    /** Discards and unmapping write-zeroes may act (QEMU's BDRV_O_UNMAP; off with -d ignore). */
    boolean unmap = true;

    /**
     * Bumped at the end of every write and discard, failed or not, and of every successful
     * truncate (QEMU's write_gen).
     */
    final AtomicLong writeGen = new AtomicLong();
    /** The write_gen the last successful flush covered. Written by the active flush only. */
    volatile long flushedGen;

    final ReentrantLock reqsLock = new ReentrantLock();
    /**
     * Guarded by reqsLock: the tracked requests, newest first as QEMU inserts at the head; an
     * intrusive list, so beginning and ending a request cost O(1) however many are in flight (a
     * million suspended requests on an aligned node made an array list quadratic).
     */
    private Tracked trackedHead;
    /**
     * Guarded by reqsLock: the serialising ones among them, in the same order. A request that is
     * not serialising can only conflict with one that is, so it walks only these.
     */
    private Tracked serialisingHead;
    /** Guarded by reqsLock: numbers requests as they are tracked, to keep both lists in one order. */
    private long trackOrder;
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

    /** qemu-io {@code -d}: off ({@code ignore}) makes discards no-ops and write-zeroes never unmap. */
    public void setUnmap(boolean on) {
        unmap = on;
    }

    /**
     * qemu-io {@code -C} on the node it opened (children do not inherit it): reads copy data
     * that is not allocated in this node into it.
     */
    public void enableCopyOnRead() {
        copyOnRead = true;
    }

    public boolean readOnly() {
        return readOnly;
    }

    public Limits limits() {
        return limits;
    }

    public Node child() {
        return child;
    }

    /** For drivers outside this package (formats): their limits, set once at open. */
    protected final void setLimits(Limits l) {
        limits = l;
    }

    /** For drivers outside this package: QEMU's supported_write_flags and supported_zero_flags. */
    protected final void setSupportedFlags(int write, int zero) {
        supportedWriteFlags = write;
        supportedZeroFlags = zero;
    }

    /** The zero-write flags this node passes on (QEMU's supported_zero_flags). */
    public final int supportedZeroFlags() {
        return supportedZeroFlags;
    }

    /**
     * {@code BLKDBG_EVENT(child, event)}: fires {@code event} on this node, as a format fires it on
     * its child; only blkdebug reacts. Events do not propagate.
     */
    public final void event(Request r, Event event) {
        debugEvent(r, event);
    }

    /**
     * The children a flush of this node goes on to, in QEMU's order (the newest attached child
     * first): those with write permission. Formats with more than one writable child override it.
     */
    protected Node[] flushChildren() {
        return child == null ? NO_NODES : new Node[] {child};
    }

    static final Node[] NO_NODES = new Node[0];

    /** {@code bdrv_cow_bs}: the backing node reads fall through to, or null. */
    public Node backing() {
        return null;
    }

    /** True for protocol nodes (file): a node block status maps onto itself. */
    protected boolean isProtocol() {
        return child == null;
    }

    /** True for filters (blkdebug): block status passes to {@link #child} unchanged. */
    protected boolean isFilter() {
        return false;
    }

    // ---- driver callbacks (QEMU's BlockDriver) ---------------------------------------------------

    /** Called aligned to the node's request alignment and within max-transfer. */
    protected abstract void preadv(Request r, long offset, long bytes, IoVec qiov) throws BlockException;

    /**
     * The driver's write. Returns true where QEMU's driver returns a positive number rather than
     * 0 (a blkdebug rule with a negative errno: "success" without the I/O): io.c counts it as
     * success, but it ends its write-zeroes and discard loops and skips an emulated FUA flush.
     */
    protected abstract boolean pwritev(Request r, long offset, long bytes, IoVec qiov, int flags)
            throws BlockException;

    /**
     * Throws ENOTSUP to make the block layer fall back to writing zero buffers. Returns true for
     * a positive answer, as {@link #pwritev}.
     */
    protected boolean pwriteZeroes(Request r, long offset, long bytes, int flags) throws BlockException {
        throw new BlockException(Errno.ENOTSUP);
    }

    /** False when the driver has no discard (the block layer then does nothing). */
    protected boolean hasDiscard() {
        return false;
    }

    /** Returns true for a positive answer, as {@link #pwritev}. */
    protected boolean pdiscard(Request r, long offset, long bytes) throws BlockException {
        throw new BlockException(Errno.ENOTSUP);
    }

    /** {@code bdrv_co_flush_to_os}: write back what the driver caches (qcow2's metadata). */
    protected void flushToOs(Request r) throws BlockException {
    }

    /**
     * {@code bdrv_co_block_status} of the driver, for a range aligned to the request alignment;
     * null when the driver has none (the block layer then reports everything as data).
     */
    protected BlockStatus driverBlockStatus(Request r, boolean wantZero, long offset, long bytes)
            throws BlockException {
        return null;
    }

    /**
     * {@code bdrv_load_vmstate} ({@code read -b}): false when the driver keeps no VM state, and the
     * block layer then asks the primary child.
     */
    protected boolean loadVmState(Request r, long pos, IoVec qiov) throws BlockException {
        return false;
    }

    /** {@code bdrv_save_vmstate} ({@code write -b}), as {@link #loadVmState}. */
    protected boolean saveVmState(Request r, long pos, IoVec qiov) throws BlockException {
        return false;
    }

    /** {@code bdrv_co_pwritev_compressed}: ENOTSUP unless the format compresses. */
    protected void pwritevCompressed(Request r, long offset, long bytes, IoVec qiov) throws BlockException {
        throw new BlockException(Errno.ENOTSUP);
    }

    /** False once the driver is gone (QEMU's bs->drv == NULL after a fatal corruption). */
    protected boolean inserted() {
        return true;
    }

    /** {@link #inserted()}, for the device's walks down its nodes. */
    public final boolean hasDriver() {
        return inserted();
    }

    /**
     * bdrv_is_inserted (block.c): this node and every node below it (its child and its backing
     * node) still have their drivers; blk_is_available asks it of the top node before anything
     * else of a request. A data file is raw and never loses its driver, so it is not walked.
     */
    public final boolean available() {
        return inserted() && (child == null || child.available()) && (backing() == null || backing().available());
    }

    /**
     * bdrv_get_info's answer is not ENOMEDIUM: this node has its driver and so has the node it
     * filters, whom a filter (blkdebug, which has no bdrv_get_info) asks in its place.
     */
    public final boolean infoAvailable() {
        return inserted() && (!isFilter() || child.infoAvailable());
    }

    /** The driver's name as qemu-io's {@code info} prints it ("format name: ..."). */
    public String formatName() {
        return "file";
    }

    /** {@code bdrv_get_info}: cluster size and VM state offset; null when the driver has none. */
    public ImageInfo info() {
        return null;
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

    /** What lengths are kept in: QEMU's 512-byte sectors, or 1 where a file keeps its byte length (D18). */
    protected long lengthGranularity() {
        return child == null ? 512 : child.lengthGranularity();
    }

    /**
     * bdrv_co_write_req_finish after a successful write (or write-zeroes) that ended at {@code end}:
     * a node that keeps its own length (QEMU's total_sectors without has_variable_length) grows.
     */
    protected void writeFinished(long end) throws BlockException {
    }

    /** After a successful truncate of this node to {@code length}. */
    protected void truncated(long length) {
    }

    /**
     * {@code bdrv_get_allocated_file_size}: the bytes the image takes on the host, or -errno when
     * the node cannot say. The default is QEMU's for a format: the sum of its data-carrying
     * children (here the one child); protocols other than file answer ENOTSUP.
     */
    public long allocatedFileSize() {
        return child == null ? -Errno.ENOTSUP : child.allocatedFileSize();
    }

    /**
     * {@code bdrv_co_truncate} of the driver with a preallocation mode ("off", "metadata",
     * "falloc", "full") and QEMU's truncate flags ({@link #REQ_ZERO_WRITE}: the new area must
     * read as zeroes). A filter or raw format passes the mode on to its child, as QEMU's
     * raw_co_truncate and blkdebug_co_truncate do, so the file node decides what it accepts.
     */
    protected void truncateDriver(Request r, long length, String prealloc, int flags) throws BlockException {
        BlockIo.truncate(child, r, length, prealloc);
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
        /** Guarded by reqsLock, as are the fields below. */
        long overlapOffset;
        long overlapBytes;
        boolean serialising;
        /** The request this one waits for; cleared by that request's end, under reqsLock. */
        Tracked waitingFor;
        /** Where this request is parked while waitingFor is set. */
        Waiter parked;
        /**
         * Set by the restart that lets it go on: the turns of the later waiters, which its own
         * thread hands to its next yield once it runs (Node#restartFrom).
         */
        Runnable afterTurn;
        /** Requests waiting for this one; {@link #NO_WAITERS} until one comes, null once it has ended. */
        List<Tracked> waitQueue = NO_WAITERS;
        /** Where it was tracked: larger is newer. */
        long order;
        /** In the node's tracked list (written by the request's own thread, under reqsLock). */
        boolean linked;
        /** Links in the node's tracked list and, while serialising, its serialising list. */
        Tracked prev;
        Tracked next;
        Tracked serPrev;
        Tracked serNext;

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

    /** The wait queue of a request nobody waits for (most): no list allocated per request. */
    private static final List<Tracked> NO_WAITERS = List.of();

    /**
     * What {@link #trackedBegin} returns on a node that can never have a serialising request: only
     * padding and copy-on-read make a request serialising, and a node of request alignment 1 that
     * does not copy on read never pads (but for
     * the file node's write-zeroes past its end: {@link #tracksOnDemand}). Skipping the
     * bookkeeping there keeps two lock round trips per node off every request.
     */
    static final Tracked UNTRACKED = new Tracked(null, 0, 0);

    /**
     * What {@link #trackedBegin} returns on a node that {@link #tracksOnDemand} while no request
     * is serialising there: the request is only published in its {@link Request} (node, offset,
     * length), and its record is made from that only once someone needs it ({@link #record}).
     * No object per request: nearly every request ends without one.
     */
    static final Tracked PUBLISHED = new Tracked(null, 0, 0);

    /** Guarded by reqsLock: {@code w} waits for {@code c}. */
    private static void queue(Tracked c, Tracked w) {
        if (c.waitQueue == NO_WAITERS) {
            c.waitQueue = new ArrayList<>(1);
        }
        c.waitQueue.add(w);
    }

    Tracked trackedBegin(Request r, long offset, long bytes) {
        // copy-on-read makes reads serialising whatever the alignment: such a node tracks all
        if (limits.requestAlignment() == 1 && !copyOnRead) {
            if (!tracksOnDemand()) {
                return UNTRACKED;
            }
            if (serialisingInFlight.get() == 0) {
                // Published in the request, then the count looked at again: a request that
                // becomes serialising raises the count before it looks for these (findConflict),
                // so of the two at least one sees the other (both are volatile: a Dekker pair)
                r.untracked(this, offset, bytes);
                if (serialisingInFlight.get() == 0) {
                    return PUBLISHED;
                }
                untrackedEnd(r); // one became serialising meanwhile: be tracked after all
            }
        }
        Tracked t = new Tracked(r, offset, bytes);
        reqsLock.lock();
        try {
            link(t);
        } finally {
            reqsLock.unlock();
        }
        return t;
    }

    /**
     * A padded write: tracked and made serialising in one lock hold, then waits for overlapping
     * requests. QEMU does both without yielding in between; with threads, a gap would let another
     * read-modify-write slip past this one unseen.
     */
    Tracked trackedBeginSerialising(Request r, long offset, long bytes, long align) {
        Tracked t = new Tracked(r, offset, bytes);
        reqsLock.lock();
        try {
            link(t);
            setSerialising(t, align);
            waitSerialisingLocked(t);
        } finally {
            reqsLock.unlock();
        }
        return t;
    }

    /**
     * True for a node of request alignment 1 where a request can still become serialising (the
     * file node: a write-zeroes past its end, file-posix's raw_do_pwrite_zeroes). Its requests
     * are then tracked only while a serialising one is in flight; until then each is only
     * published in its {@link Request} ({@link #PUBLISHED}), where a request becoming
     * serialising finds those it must wait for.
     */
    boolean tracksOnDemand() {
        return false;
    }

    /**
     * The end of a request {@link #trackedBegin} left untracked (published in its request only).
     * Its record, if one was made, is ended as a tracked request's: whoever made it or waits for
     * it is serialising, or waits for one that is, so the count is not 0 until it has ended.
     * While one that found it (under reqsLock) is looking, this end waits for the lock, so the
     * request cannot publish its next untracked request meanwhile.
     */
    private void untrackedEnd(Request r) {
        r.clearUntracked();
        if (serialisingInFlight.get() == 0) {
            return; // none became serialising since: none found it
        }
        Tracked t;
        reqsLock.lock();
        try {
            t = (Tracked) r.untrackedRecord();
            r.untrackedRecord(null);
        } finally {
            reqsLock.unlock();
        }
        if (t != null) {
            end(t);
        }
    }

    /**
     * Guarded by reqsLock: the record of {@code r}'s request published here ({@link #PUBLISHED}),
     * made from what it published the first time it is asked for.
     */
    private static Tracked record(Request r) {
        Tracked t = (Tracked) r.untrackedRecord();
        if (t == null) {
            t = new Tracked(r, r.untrackedOffset(), r.untrackedBytes());
            r.untrackedRecord(t);
        }
        return t;
    }

    /** Guarded by reqsLock: {@code t} as a record ({@link #PUBLISHED} resolved). */
    private static Tracked resolve(Request r, Tracked t) {
        return t == PUBLISHED ? record(r) : t;
    }

    void trackedEnd(Request r, Tracked t) {
        if (t == UNTRACKED) {
            return;
        }
        if (t == PUBLISHED) {
            untrackedEnd(r);
        } else {
            end(t);
        }
    }

    /** Out of the lists (if in them), and its waiters restarted once it yields. */
    private void end(Tracked t) {
        List<Tracked> woken;
        reqsLock.lock();
        try {
            if (t.serialising) {
                serialisingInFlight.decrementAndGet();
                unlinkSerialising(t);
            }
            if (t.linked) {
                unlink(t);
            }
            woken = t.waitQueue;
            t.waitQueue = null;
        } finally {
            reqsLock.unlock();
        }
        if (!woken.isEmpty()) {
            // QEMU's qemu_co_queue_restart_all from a coroutine enters the waiters only once this
            // request yields: until then it goes on alone (its next write is tracked before they
            // look again) and they still count as waiting
            t.request.onNextYield(() -> restart(t, woken));
        }
    }

    private void restart(Tracked t, List<Tracked> woken) {
        restartFrom(t, woken, 0);
    }

    /**
     * QEMU's qemu_co_queue_restart_all runs the waiters one after another once this request
     * yields, each to its next yield, and a waiter clears its waiting_for only when it runs: the
     * one whose turn it is looks again while the later ones still count as waiting (it skips
     * them and goes on), and a later one looks only once the earlier one has yielded, so it sees
     * what that one became meanwhile. So the turns are taken here one at a time, in queue order,
     * the next on the previous one's next yield: a write-zeroes past the end of the file that
     * becomes serialising only in file-posix (raw_do_pwrite_zeroes) must be seen by the waiters
     * after it, and must not wait for them (difftest seed 120000000 session 1181, scenario 575).
     * Decided under the lock, so threads waking in another order cannot swap them (seed 20261203
     * session 6115: three overlapping padded writes finished 1, 3, 2 and left other bytes).
     * A waiter whose turn has not come keeps its waiting_for: others skip it, as in QEMU.
     */
    private void restartFrom(Tracked t, List<Tracked> woken, int from) {
        Waiter go = null;
        int next = woken.size();
        reqsLock.lock();
        try {
            for (int i = from; i < woken.size() && go == null; i++) {
                Tracked w = woken.get(i);
                w.waitingFor = null;
                Tracked c = findConflict(w);
                if (c != null) {
                    w.waitingFor = c; // stays parked: it would only look and wait again
                    queue(c, w);
                } else {
                    go = w.parked;
                    w.parked = null;
                    next = i + 1;
                }
            }
        } finally {
            reqsLock.unlock();
        }
        if (go == null) {
            return;
        }
        if (next < woken.size()) {
            int rest = next;
            woken.get(rest - 1).afterTurn = () -> restartFrom(t, woken, rest); // read after the release
        }
        go.release(t.request);
    }

    /** Guarded by reqsLock: at the head of the tracked list. */
    private void link(Tracked t) {
        t.linked = true;
        t.order = ++trackOrder;
        t.next = trackedHead;
        if (trackedHead != null) {
            trackedHead.prev = t;
        }
        trackedHead = t;
    }

    /** Guarded by reqsLock. */
    private void unlink(Tracked t) {
        if (t.prev != null) {
            t.prev.next = t.next;
        } else {
            trackedHead = t.next;
        }
        if (t.next != null) {
            t.next.prev = t.prev;
        }
        t.prev = null;
        t.next = null;
    }

    /** Guarded by reqsLock: into the serialising list, at its place in tracked order. */
    private void linkSerialising(Tracked t) {
        Tracked before = null;
        Tracked at = serialisingHead;
        while (at != null && at.order > t.order) { // newer ones first; there are few
            before = at;
            at = at.serNext;
        }
        t.serPrev = before;
        t.serNext = at;
        if (before != null) {
            before.serNext = t;
        } else {
            serialisingHead = t;
        }
        if (at != null) {
            at.serPrev = t;
        }
    }

    /** Guarded by reqsLock. */
    private void unlinkSerialising(Tracked t) {
        if (t.serPrev != null) {
            t.serPrev.serNext = t.serNext;
        } else {
            serialisingHead = t.serNext;
        }
        if (t.serNext != null) {
            t.serNext.serPrev = t.serPrev;
        }
        t.serPrev = null;
        t.serNext = null;
    }

    /**
     * Guarded by reqsLock. QEMU's bdrv_find_conflicting_request: the first overlapping request,
     * newest first, where one of the two is serialising. A serialising request walks every
     * tracked request; any other only the serialising ones, in the same order, so both find what
     * QEMU's walk of the whole list finds.
     */
    private Tracked findConflict(Tracked self) {
        if (self.serialising) {
            for (Tracked t = trackedHead; t != null; t = t.next) {
                if (t != self && t.overlaps(self.overlapOffset, self.overlapBytes) && t.waitingFor == null) {
                    // a request that is itself waiting will wait for us: go on (no deadlock)
                    return t;
                }
            }
            return tracksOnDemand() ? findUntracked(self) : null;
        }
        for (Tracked t = serialisingHead; t != null; t = t.serNext) {
            if (t.overlaps(self.overlapOffset, self.overlapBytes) && t.waitingFor == null) {
                return t;
            }
        }
        return null;
    }

    /**
     * Guarded by reqsLock: the first request in flight here that went by untracked and overlaps
     * {@code self} (serialising). Rare (a write-zeroes past the end of the file), so a walk of
     * the device's requests; their stripe locks are never held across a park.
     */
    private Tracked findUntracked(Tracked self) {
        Tracked[] found = new Tracked[1];
        self.request.forEachInFlight(q -> {
            if (found[0] != null || q == self.request || q.untracked() != this) {
                return;
            }
            // its record where it has one (its range may have grown: copy-on-read), else what it published
            Tracked u = (Tracked) q.untrackedRecord();
            boolean overlaps = u != null ? u.overlaps(self.overlapOffset, self.overlapBytes)
                    : self.overlaps(q.untrackedOffset(), q.untrackedBytes());
            if (overlaps && (u == null || u.waitingFor == null)) {
                found[0] = record(q);
            }
        });
        return found[0];
    }

    /** Called with reqsLock held; returns with it held. Parks with it released. */
    private void waitSerialisingLocked(Tracked self) {
        Tracked c;
        while ((c = findConflict(self)) != null) {
            Waiter w = new Waiter(self.request, Phase.WAITING, null);
            self.waitingFor = c;
            self.parked = w;
            queue(c, self);
            reqsLock.unlock();
            try {
                w.park();
            } finally {
                reqsLock.lock();
            }
            Runnable turns = self.afterTurn;
            if (turns != null) { // the later waiters' turns come at our next yield (restartFrom)
                self.afterTurn = null;
                self.request.onNextYield(turns);
            }
        }
    }

    void waitSerialising(Request r, Tracked self) {
        if (self == UNTRACKED || serialisingInFlight.get() == 0) {
            return;
        }
        reqsLock.lock();
        try {
            waitSerialisingLocked(resolve(r, self));
        } finally {
            reqsLock.unlock();
        }
    }

    /**
     * file-posix's raw_do_pwrite_zeroes past the end of the file: the request's tracked range
     * reaches to the end of all offsets and it becomes serialising.
     */
    void makeSerialisingToEnd(Request r, Tracked t) {
        reqsLock.lock();
        try {
            Tracked self = resolve(r, t);
            if (!self.linked) { // went by untracked so far: tracked from now on
                r.clearUntracked();
                link(self);
            }
            if (!self.serialising) {
                serialisingInFlight.incrementAndGet();
                self.serialising = true;
                linkSerialising(self);
            }
            self.overlapOffset = Math.min(self.overlapOffset, self.offset);
            self.overlapBytes = Long.MAX_VALUE - self.overlapOffset;
            waitSerialisingLocked(self);
        } finally {
            reqsLock.unlock();
        }
    }

    /**
     * Before the driver's write-zeroes of {@code [offset, offset + bytes)} under {@code t} (its
     * tracked request here, {@link #PUBLISHED} or {@link #UNTRACKED}): where the driver makes it
     * serialising.
     */
    void beforeWriteZeroes(Request r, Tracked t, long offset, long bytes) throws BlockException {
    }

    void makeSerialising(Request r, Tracked t, long align) {
        reqsLock.lock();
        try {
            Tracked self = resolve(r, t);
            setSerialising(self, align);
            waitSerialisingLocked(self);
        } finally {
            reqsLock.unlock();
        }
    }

    /** Guarded by reqsLock. QEMU's tracked_request_set_serialising. */
    private void setSerialising(Tracked self, long align) {
        long off = self.offset & ~(align - 1);
        long bytes = roundUp(self.offset + self.bytes, align) - off;
        if (!self.serialising) {
            serialisingInFlight.incrementAndGet();
            self.serialising = true;
            linkSerialising(self);
        }
        self.overlapOffset = Math.min(self.overlapOffset, off);
        self.overlapBytes = Math.max(self.overlapBytes, bytes);
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

    void flushEnd(Request r) {
        Waiter next;
        reqsLock.lock();
        try {
            activeFlush = false;
            next = flushQueue.pollFirst();
        } finally {
            reqsLock.unlock();
        }
        if (next != null) {
            next.release(r);
        }
    }

    static long roundUp(long n, long align) {
        return (n + align - 1) & ~(align - 1);
    }
}
