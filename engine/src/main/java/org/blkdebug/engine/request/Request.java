package org.blkdebug.engine.request;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.blkdebug.engine.Completion;
import org.blkdebug.engine.Operation;
import org.blkdebug.engine.Phase;
import org.blkdebug.engine.RequestInfo;

/**
 * One in-flight request. It runs on its own virtual thread; only that thread moves it between
 * {@link Phase#RUNNING} and {@link Phase#BACKEND_IO}. Blocking phases are entered through a
 * {@link Waiter}, whose releaser sets the request running again.
 */
public final class Request {
    /*
     * The request's own thread writes its phase with release stores, not volatile ones (a full
     * fence each on x86, several per request): readers only need to see a recent phase, and
     * every hand-off between threads (start, park, release, end) has its own happens-before.
     */
    private static final VarHandle PHASE;
    private static final VarHandle SEQUENCE;
    private static final VarHandle YIELDED_SINCE_RELEASE;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            PHASE = l.findVarHandle(Request.class, "phase", Phase.class);
            SEQUENCE = l.findVarHandle(Request.class, "sequence", long.class);
            YIELDED_SINCE_RELEASE = l.findVarHandle(Request.class, "yieldedSinceRelease", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final RequestTracker tracker;
    private final long id;
    private final Operation op;
    private final long offset;
    private final long length;
    private final String origin;
    private final long startNanos;
    /** The thread that submitted it (requests are made on the submitting thread). */
    private final long submitter = Thread.currentThread().threadId();

    /** Links in {@link InFlight}'s list; guarded by that list's stripe lock. */
    Request prev;
    Request next;

    private volatile Phase phase;
    /** Tag of the breakpoint it is parked at; written before parking, cleared on release. */
    private volatile String tag;
    /** The order in which requests were last set running; see Completion#sequence. */
    private volatile long sequence;
    /** See Completion#releasedBy. */
    private volatile long releasedBy;
    /** Set with releasedBy, by the same release (see {@link #handoff()}). */
    private volatile Completion.Handoff handoff;
    /**
     * What runs when the request next yields (a backend call, a park, a reschedule, its end):
     * QEMU enters the coroutines a running one woke only once it yields. Set and run by the
     * request's own thread; volatile for an end reported from another thread.
     */
    private volatile Runnable onYield;
    /** Set on its own thread as it ends, before {@link #onYield} runs (see {@link #ending()}). */
    private volatile boolean ending;
    /** Whether the request ever blocked (QEMU: yielded). Written by the request's own thread. */
    private boolean yielded;
    /** Whether it blocked since it was submitted or last released; see {@link #yieldedSinceRelease()}. */
    private volatile boolean yieldedSinceRelease;
    /**
     * Backend calls since the request was submitted or last released (see {@link #ioRounds()}).
     * Own thread, and the releaser's while the request is parked (the release hands it over).
     */
    private int ioRounds;
    /** Whether the last of those backend calls was a flush ({@link #lastIoWasFlush()}). */
    private boolean lastIoFlush;
    /** Whether the last of those backend calls changed the file's metadata ({@link #metadataIo}). Own thread only. */
    private boolean lastIoMetadata;
    /** A write the caller flagged FUA (or writethrough made FUA). Own thread only. */
    private boolean fua;
    /** Draws of probabilistic rules made for this request so far. Own thread only. */
    private int draws;
    /**
     * Where it waits after each backend call under lockstep ({@link Pacer}); null (the API, NBD,
     * explore) runs free. Set before its thread starts.
     */
    private Pacer pacer;
    /** Under lockstep, the backend call in progress: its place in the round that ends it. */
    private long ioStamp;
    /** See {@link #reschedulesSinceIo()}. Own thread, or its releaser before it runs again. */
    private int reschedulesSinceIo;
    /** See {@link #untracked()}. Written by the request's own thread. */
    private volatile Object untracked;
    /** Where on that node: written by the request's own thread before {@link #untracked}. */
    private long untrackedOffset;
    private long untrackedBytes;
    /** See {@link #untrackedRecord()}. Guarded by the lock of the node in {@link #untracked}. */
    private Object untrackedRecord;

    Request(RequestTracker tracker, long id, Operation op, long offset, long length, String origin,
            long sequence, long startNanos) {
        this.tracker = tracker;
        this.id = id;
        this.op = op;
        this.offset = offset;
        this.length = length;
        this.origin = origin;
        // plain stores: the request is published by the in-flight set's lock and Thread.start
        PHASE.set(this, Phase.RUNNING);
        SEQUENCE.set(this, sequence);
        this.startNanos = startNanos;
    }

    public long id() {
        return id;
    }

    public Operation op() {
        return op;
    }

    public long offset() {
        return offset;
    }

    public long length() {
        return length;
    }

    public long startNanos() {
        return startNanos;
    }

    public long sequence() {
        return sequence;
    }

    public long releasedBy() {
        return releasedBy;
    }

    /** Where another request's lock hand-off last set this one running, or null (see {@link Completion.Handoff}). */
    public Completion.Handoff handoff() {
        return handoff;
    }

    /**
     * True for a write that must be durable when it completes (QEMU's {@code BDRV_REQ_FUA}). The
     * flag itself stops at the node that emulates FUA with a flush; the write log below still
     * records the write as FUA, as dm-log-writes does.
     */
    public boolean fua() {
        return fua;
    }

    /** Marks a FUA write; on the request's own thread, before it reaches the disk. */
    public void markFua() {
        fua = true;
    }

    /**
     * Numbers this request's draws of probabilistic rules, 0, 1, 2…: with the seed, the request's
     * id and the rule, it decides a draw, so draws do not depend on how threads interleave.
     * Own thread only.
     */
    public int nextDraw() {
        return draws++;
    }


    /**
     * True once the request is ending: an {@link #onNextYield} action that sees it runs at the
     * request's end (its completion comes next), not at a backend call or a park.
     */
    public boolean ending() {
        return ending;
    }

    public boolean yielded() {
        return yielded;
    }

    /**
     * Own thread: runs {@code action} when this request next yields (QEMU: a coroutine woken by
     * {@code qemu_co_queue_restart_all} runs once its waker yields, so the waker can take the
     * lock again and start its next I/O first; difftest seed 20261203 sessions 835, 3825).
     */
    public void onNextYield(Runnable action) {
        Runnable before = onYield;
        onYield = before == null ? action : () -> {
            before.run();
            action.run();
        };
    }

    private void yielding() {
        Runnable a = onYield;
        if (a != null) {
            onYield = null;
            a.run();
        }
    }

    /** Marks that the request completes asynchronously (QEMU: it yielded at least once). */
    public void markYielded() {
        yielded = true;
        yieldedSinceRelease = true;
        reschedulesSinceIo++;
    }

    /**
     * Own thread, just rescheduled ({@link #markYielded}): under lockstep, waits for the next turn
     * of the shell's loop, as QEMU's coroutine waits for the bottom half {@code aio_co_schedule}
     * queued; whatever it holds (the active flush, a serialising range, qcow2's lock) it holds
     * until then, as QEMU's does. Free-running, goes on at once.
     */
    public void awaitBottomHalf() {
        yielding();
        if (pacer != null) {
            pacer.reschedule(id);
        }
    }

    /**
     * True when the request was rescheduled ({@link #markYielded}) since its last backend call
     * or release: QEMU's coroutine then goes on only from a bottom half, in a later poll.
     */
    public boolean rescheduledSinceIo() {
        return reschedulesSinceIo > 0;
    }

    /**
     * How many times the request was rescheduled ({@link #markYielded}) since its last backend
     * call or release: a writethrough write that an {@code immediately=off} rule fails (or lets
     * "succeed" without I/O) at its write and again at its flush needs two turns of the loop,
     * as QEMU's {@code co_schedule_bh} runs only the coroutines scheduled before it ran.
     */
    public int reschedulesSinceIo() {
        return reschedulesSinceIo;
    }

    /**
     * True when the request blocked (backend I/O, a wait) since it was submitted or last
     * released. In QEMU its coroutine then no longer runs inside the command that started or
     * resumed it: what it does next happens in a later main-loop turn.
     */
    public boolean yieldedSinceRelease() {
        return yieldedSinceRelease;
    }

    public Phase phase() {
        return phase;
    }

    /**
     * How many backend calls the request made since it was submitted or last released. In QEMU
     * each is one trip through the thread pool, finished in a later main-loop turn, so this says
     * in which turn after its release the request reaches what it does next.
     */
    public int ioRounds() {
        return ioRounds;
    }

    /**
     * True when the request's last backend call since its release was a flush: QEMU's
     * {@code fdatasync} takes long enough that concurrent ones finish in the order they began.
     */
    public boolean lastIoWasFlush() {
        return lastIoFlush;
    }

    /** Own thread only: the backend call just begun is a flush. */
    public void flushIo() {
        lastIoFlush = true;
    }

    /**
     * Own thread only: the backend call just begun changes the file's metadata ({@code ftruncate}):
     * under lockstep it finishes after the quick calls of its round, as an O_DIRECT call does.
     */
    public void metadataIo() {
        lastIoMetadata = true;
    }

    /** Submitting thread, before the request's thread starts: it runs under lockstep. */
    public void pacedBy(Pacer p) {
        pacer = p;
    }

    /**
     * Own thread only: entering or leaving a backend call. Both phases count as busy. Under
     * lockstep the request waits on leaving (still in {@link Phase#BACKEND_IO}, but quiescent)
     * until the next round: QEMU's thread pool finished the call, its coroutine waits for a poll.
     */
    public void backendIo(boolean in) {
        if (!in && pacer != null) {
            pacer.pace(ioStamp, lastIoFlush, lastIoMetadata);
        }
        PHASE.setRelease(this, in ? Phase.BACKEND_IO : Phase.RUNNING);
        if (in) {
            if (pacer != null) { // submitted before those it wakes by yielding (they run after)
                ioStamp = pacer.stamp();
            }
            yielding();
            yielded = true;
            ioRounds++;
            lastIoFlush = false;
            lastIoMetadata = false;
            reschedulesSinceIo = 0;
            YIELDED_SINCE_RELEASE.setRelease(this, true);
        }
    }

    RequestTracker tracker() {
        return tracker;
    }

    void parkedAs(Phase p, String t) {
        yielding();
        tag = t;
        phase = p;
        yielded = true;
        yieldedSinceRelease = true;
    }

    /** Called by a releaser before the request becomes busy again. */
    void released(long byId) {
        released(byId, null);
    }

    /** As {@link #released(long)}; {@code h} when a lock's hand-off set it running. */
    void released(long byId, Completion.Handoff h) {
        handoff = h;
        tag = null;
        phase = Phase.RUNNING;
        releasedBy = byId == id ? 0 : byId;
        yieldedSinceRelease = false;
        ioRounds = 0;
        lastIoFlush = false;
        reschedulesSinceIo = 0;
        sequence = tracker.nextSequence();
    }


    void done() {
        ending = true; // before the actions: a lock handed on now is handed on by this end
        yielding();
        PHASE.setRelease(this, Phase.DONE);
    }

    /**
     * Own thread: the node ({@code node}, or null at its end) where this request has a request in
     * flight that the node tracks only when asked (the file node, for a write-zeroes past its end:
     * org.blkdebug.engine.block.Node), and that request's range there. Only its fields, no record
     * object: nearly every such request ends without anyone asking. The node is volatile both
     * ways: the node pairs it with its count of serialising requests so that a request going by
     * untracked and a request becoming serialising always see one another; the range is written
     * before it, so whoever sees the node sees the range.
     */
    public void untracked(Object node, long offset, long bytes) {
        untrackedOffset = offset;
        untrackedBytes = bytes;
        untrackedRecord = null; // a new request: the record of the last one was nobody's (see Node)
        untracked = node;
    }

    /** Own thread: the untracked request has ended (or is tracked from now on). */
    public void clearUntracked() {
        untracked = null;
    }

    public Object untracked() {
        return untracked;
    }

    /** The range on {@link #untracked()}'s node; read it only after seeing that node. */
    public long untrackedOffset() {
        return untrackedOffset;
    }

    public long untrackedBytes() {
        return untrackedBytes;
    }

    /**
     * The node's tracking record of the untracked request, made only once it is needed (a
     * request becoming serialising waits for it, or it waits or becomes serialising itself), or
     * null. Read and written under the lock of that node; reset by the request's own thread as it
     * publishes its next untracked request, before the node (nobody can be asking then).
     */
    public Object untrackedRecord() {
        return untrackedRecord;
    }

    public void untrackedRecord(Object record) {
        untrackedRecord = record;
    }

    /** Visits every request in flight on this request's device (the caller holds no lock that parks). */
    public void forEachInFlight(java.util.function.Consumer<Request> visitor) {
        tracker.forEachInFlight(visitor);
    }

    public RequestInfo info() {
        return new RequestInfo(id, op, offset, length, phase, tag, origin, submitter);
    }
}
