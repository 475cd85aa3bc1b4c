package org.blkdebug.engine;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.IntConsumer;
import org.blkdebug.engine.block.BlkDebugNode;
import org.blkdebug.engine.block.BlockIo;
import org.blkdebug.engine.block.IoVec;
import org.blkdebug.engine.block.Node;
import org.blkdebug.engine.crash.CrashChoice;
import org.blkdebug.engine.crash.CrashStates;
import org.blkdebug.engine.crash.VolatileCache;
import org.blkdebug.engine.filter.BlkDebugRules;
import org.blkdebug.engine.request.Request;
import org.blkdebug.engine.request.RequestTracker;
import org.blkdebug.engine.time.RequestClock;
import org.jctools.queues.atomic.MpscUnboundedAtomicArrayQueue;

/**
 * The device: QEMU's BlockBackend over the node stack. It checks each request against the image
 * length, turns writethrough into FUA writes, runs every request on its own virtual thread and
 * reports completions through an MPSC queue.
 */
final class BlockDevice implements Device {
    /** Every request gets its own virtual thread; one factory serves them all. */
    private static final java.util.concurrent.ThreadFactory REQUEST_THREADS = Thread.ofVirtual().factory();

    static {
        endOneVirtualThread();
    }

    /** How long close waits for in-flight requests after resuming the suspended ones. */
    private static final Duration CLOSE_DRAIN = Duration.ofSeconds(60);

    private final Node top;
    private final BlkDebugNode blkdebug;
    /**
     * Opened with {@code -s}: QEMU puts a temporary qcow2 overlay on top of the whole graph, and
     * that overlay ends a zero-length read or write itself (qcow2_co_preadv_part's and
     * qcow2_co_pwritev_part's loops do not run: no I/O, nothing reaches blkdebug), so its report
     * comes with the requests that never blocked. Ours' overlay is below blkdebug (D15): without
     * this, such a request went down to the file and took a round of the thread pool.
     */
    private final boolean overlayAbove;
    private final CacheMode cache;
    private final RequestTracker tracker;
    private final RequestClock clock;
    /** The disk's volatile cache, or null when the power-loss model is off. */
    private final VolatileCache volatileCache;
    private final String origin;
    private final MpscUnboundedAtomicArrayQueue<Completion> completions;
    /** The device that owns the stack; this for the device itself, the owner for a session. */
    private final BlockDevice owner;
    private volatile boolean reportCompletions;
    /** Set once, by the first close; later closes return at once. */
    private final java.util.concurrent.atomic.AtomicBoolean closing = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile boolean closed;
    /**
     * Under lockstep (the shell, {@link #lockstep()}), where this device's requests wait after
     * each backend call; null runs them free. Per instance: a session (NBD) always runs free.
     */
    private volatile org.blkdebug.engine.request.Pacer pacer;

    BlockDevice(Node top, BlkDebugNode blkdebug, CacheMode cache, RequestTracker tracker) {
        this(top, blkdebug, cache, tracker, RequestClock.wall(tracker), null, false);
    }

    /** @param overlayAbove opened with {@code -s} (see {@link #overlayAbove}) */
    BlockDevice(Node top, BlkDebugNode blkdebug, CacheMode cache, RequestTracker tracker, RequestClock clock,
                VolatileCache volatileCache, boolean overlayAbove) {
        this.top = top;
        this.blkdebug = blkdebug;
        this.overlayAbove = overlayAbove;
        this.cache = cache;
        this.tracker = tracker;
        this.clock = clock;
        this.volatileCache = volatileCache;
        this.origin = null;
        this.completions = new MpscUnboundedAtomicArrayQueue<>(256);
        this.owner = this;
    }

    private BlockDevice(BlockDevice owner, String origin) {
        this.top = owner.top;
        this.blkdebug = owner.blkdebug;
        this.overlayAbove = owner.overlayAbove;
        this.cache = owner.cache;
        this.tracker = owner.tracker;
        this.clock = owner.clock;
        this.volatileCache = owner.volatileCache;
        this.origin = origin;
        this.completions = new MpscUnboundedAtomicArrayQueue<>(64);
        this.owner = owner;
    }

    @Override
    public Device session(String sessionOrigin) {
        return new BlockDevice(owner, sessionOrigin);
    }

    private boolean isClosed() {
        return owner.closed;
    }

    /** A request body, run on the request's virtual thread. */
    @FunctionalInterface
    private interface Body {
        void run(Request r) throws BlockException;
    }

    // ---- submission ------------------------------------------------------------------------------

    private CompletableFuture<Void> submit(Operation op, long offset, long length, Object attachment,
                                           boolean report, Body body) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        start(op, offset, length, attachment, report, body, f);
        return f;
    }

    /**
     * Registers the request and starts its thread.
     *
     * @param done where the request's end goes: a {@code CompletableFuture<Void>}, or an
     *             {@link IntConsumer} that gets 0 or the errno (no future made, none completed)
     */
    private void start(Operation op, long offset, long length, Object attachment, boolean report, Body body,
                       Object done) {
        // decided at submission, which is when a reported request needs its start time (a clock
        // read per request is measurable: ~20 ns of ~1.2 us)
        boolean reported = report && reportCompletions;
        Request r = tracker.begin(op, offset, length, origin, reported ? System.nanoTime() : 0);
        // Checked only once registered: close sets closed, then waits for every registered
        // request, so a request either is waited for or sees closed here -- none reaches the
        // released image (a check before begin let one slip in while close ran).
        if (isClosed()) {
            tracker.end(r);
            finish(done, Errno.ENOMEDIUM, new BlockException(Errno.ENOMEDIUM));
            return;
        }
        r.pacedBy(pacer);
        REQUEST_THREADS.newThread(() -> run(r, body, done, attachment, reported)).start();
    }

    @SuppressWarnings("unchecked")
    private static void finish(Object done, int errno, Throwable failure) {
        if (done instanceof IntConsumer callback) {
            callback.accept(errno);
        } else if (failure == null) {
            ((CompletableFuture<Void>) done).complete(null);
        } else {
            ((CompletableFuture<Void>) done).completeExceptionally(failure);
        }
    }

    /**
     * Runs one virtual thread to its end before any request starts. The JDK loads the classes of
     * a virtual thread's exit path only when the first one ends; code compiled before then (say,
     * while a million requests pile up at breakpoints) holds an "unloaded class" trap at that
     * exit, and each request parked in it pays a deoptimization when resumed.
     */
    private static void endOneVirtualThread() {
        // not a lambda: its body would be a method of this class, which the thread could not run
        // until this class's initialisation (waiting for the thread) had finished
        Thread t = Thread.ofVirtual().start(new NoOp());
        boolean interrupted = false;
        while (t.isAlive()) {
            try {
                t.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static final class NoOp implements Runnable {
        @Override
        public void run() {
        }
    }

    private void run(Request r, Body body, Object done, Object attachment, boolean reported) {
        int errno = 0;
        Throwable failure = null;
        try {
            body.run(r);
        } catch (BlockException e) {
            errno = e.errno();
            failure = e;
        } catch (Throwable t) { // a bug below must not leave the request in flight forever
            errno = Errno.EIO;
            failure = new BlockException(Errno.EIO, t);
        }
        if (reported && reportCompletions) { // and not turned off since
            // queued before the request stops counting as busy, so a caller that waited for
            // quiescence is sure to find it
            completions.offer(new Completion(r.id(), r.op(), r.offset(), r.length(), errno, r.yielded(), r.yieldedSinceRelease(),
                    r.sequence(), r.releasedBy(), r.ioRounds(), r.lastIoWasFlush(), r.reschedulesSinceIo(), r.handoff(), r.startNanos(), System.nanoTime(), attachment));
        }
        tracker.leave(r);
        try {
            finish(done, errno, failure);
        } finally {
            tracker.finished(); // only now quiescent: whoever waits on done has been told (see leave)
        }
    }

    private void await(CompletableFuture<Void> f) throws BlockException {
        try {
            org.blkdebug.engine.request.Pacer p = pacer;
            if (p == null) {
                clock.awaitRequest(f); // virtual time moves while this caller waits on the device
            } else {
                awaitInRounds(p, f);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the request stays in flight; it can be resumed later
            throw new BlockException(Errno.EINTR);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof BlockException be) {
                throw be;
            }
            throw new BlockException(Errno.EIO, e.getCause());
        }
    }

    /**
     * A synchronous call under lockstep ({@code truncate}, {@code map} on the shell's thread): its
     * request moves only in rounds, so the caller runs them until it is done, as QEMU's
     * {@code BDRV_POLL_WHILE} polls the loop; others' requests move in the same rounds.
     */
    private void awaitInRounds(org.blkdebug.engine.request.Pacer p, CompletableFuture<Void> f)
            throws InterruptedException, ExecutionException {
        while (!f.isDone()) {
            if (!tracker.awaitQuiescence(Duration.ofMillis(10)) || f.isDone() || p.round() > 0) {
                continue;
            }
            if (!clock.advance()) { // virtual time: the next delayed request wakes
                try {
                    f.get(10, java.util.concurrent.TimeUnit.MILLISECONDS); // held at a breakpoint: others must act
                } catch (java.util.concurrent.TimeoutException e) {
                    // look again
                }
            }
        }
        f.get();
    }

    /**
     * blk_check_byte_request (block/block-backend.c), its checks in its order: a negative length,
     * then the medium (a qcow2 node a fatal corruption left without its driver: ENOMEDIUM even for
     * a request past the end), then a negative offset and the image's end.
     */
    private void checkRange(long offset, long bytes) throws BlockException {
        if (bytes < 0) {
            throw new BlockException(Errno.EIO);
        }
        checkAvailable();
        if (offset < 0) {
            throw new BlockException(Errno.EIO);
        }
        long len = top.length();
        if (offset > len || len - offset < bytes) {
            throw new BlockException(Errno.EIO);
        }
    }

    /**
     * A zero-length read or write under {@code -s} that QEMU's overlay on top ends at once, so
     * nothing goes below. A read or a write-zeroes always (qcow2_co_preadv_part's loop, and
     * io.c's zero-write loop, do not run; {@code write} false). A write
     * (a FUA one too: its flush is cache=unsafe's, bdrv_temp_snapshot_options, and finds nothing
     * to write back) unless another request that may hold the overlay's metadata lock is in
     * flight: qcow2_co_pwritev_part takes that lock after its (empty) loop, and an allocating
     * write keeps it across its metadata I/O, so QEMU's zero-length write ends a round later
     * (measured: after a failed read's report, before the allocating write's); ours goes down
     * then and takes its round there.
     */
    private boolean endsInOverlay(Request r, long bytes, boolean write) {
        if (!overlayAbove || bytes != 0) {
            return false;
        }
        return !write || tracker.snapshot().stream().allMatch(i -> i.id() == r.id() || i.op() == Operation.READ);
    }

    /** blk_is_available: every node of the tree still has its driver (bdrv_is_inserted). */
    private void checkAvailable() throws BlockException {
        if (!top.available()) {
            throw new BlockException(Errno.ENOMEDIUM);
        }
    }

    private int writeFlags(WriteFlag... flags) {
        int f = cache.writeCache() ? 0 : Node.REQ_FUA; // writethrough: every write is FUA
        for (WriteFlag w : flags) {
            f |= switch (w) {
                case FUA -> Node.REQ_FUA;
                case MAY_UNMAP -> Node.REQ_MAY_UNMAP;
                case NO_FALLBACK -> Node.REQ_NO_FALLBACK;
            };
        }
        return f;
    }

    /** The write log below records a FUA write as such, although a flush above emulates it. */
    private static void markFua(Request r, int flags) {
        if ((flags & Node.REQ_FUA) != 0) {
            r.markFua();
        }
    }

    private static long total(ByteBuffer[] bufs) {
        long n = 0;
        for (ByteBuffer b : bufs) {
            n += b.remaining();
        }
        return n;
    }

    private CompletableFuture<Void> readRequest(long offset, ByteBuffer[] dsts, Object att, boolean report) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        readRequest(offset, dsts, att, report, f);
        return f;
    }

    /** @param done as in {@link #start} */
    private void readRequest(long offset, ByteBuffer[] dsts, Object att, boolean report, Object done) {
        long bytes = total(dsts);
        IoVec qiov = IoVec.of(dsts);
        start(Operation.READ, offset, bytes, att, report, r -> {
            checkRange(offset, bytes);
            if (endsInOverlay(r, bytes, false)) {
                return;
            }
            BlockIo.preadv(top, r, offset, bytes, qiov);
        }, done);
    }

    private CompletableFuture<Void> writeRequest(long offset, ByteBuffer[] srcs, Object att, boolean report,
                                                 WriteFlag... flags) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        writeRequest(offset, srcs, att, report, f, flags);
        return f;
    }

    /** @param done as in {@link #start} */
    private void writeRequest(long offset, ByteBuffer[] srcs, Object att, boolean report, Object done,
                              WriteFlag... flags) {
        long bytes = total(srcs);
        IoVec qiov = IoVec.of(srcs);
        int f = writeFlags(flags);
        start(Operation.WRITE, offset, bytes, att, report, r -> {
            checkRange(offset, bytes);
            if (endsInOverlay(r, bytes, true)) {
                return;
            }
            markFua(r, f);
            BlockIo.pwritev(top, r, offset, bytes, qiov, f);
        }, done);
    }

    private CompletableFuture<Void> zeroRequest(long offset, long length, Object att, boolean report,
                                                WriteFlag... flags) {
        int f = writeFlags(flags) | Node.REQ_ZERO_WRITE;
        return submit(Operation.WRITE_ZEROES, offset, length, att, report, r -> {
            checkRange(offset, length);
            // not a write for the overlay's lock: bdrv_co_do_pwrite_zeroes's loop never reaches
            // qcow2_co_pwrite_zeroes (and its lock) for zero bytes
            if (endsInOverlay(r, length, false)) {
                return;
            }
            markFua(r, f);
            BlockIo.pwritev(top, r, offset, length, null, f);
        });
    }

    private CompletableFuture<Void> discardRequest(long offset, long length, Object att, boolean report) {
        return submit(Operation.DISCARD, offset, length, att, report, r -> {
            checkRange(offset, length);
            BlockIo.pdiscard(top, r, offset, length);
        });
    }

    private CompletableFuture<Void> flushRequest(Object att, boolean report) {
        return submit(Operation.FLUSH, 0, 0, att, report, r -> {
            checkAvailable(); // blk_co_do_flush; bdrv_co_flush itself would skip such a node and succeed
            BlockIo.flush(top, r);
        });
    }

    // ---- sync I/O --------------------------------------------------------------------------------------

    @Override
    public void read(long offset, ByteBuffer dst) throws BlockException {
        await(readRequest(offset, new ByteBuffer[] {dst}, null, false));
    }

    @Override
    public void read(long offset, ByteBuffer[] dsts) throws BlockException {
        await(readRequest(offset, dsts, null, false));
    }

    @Override
    public void write(long offset, ByteBuffer src, WriteFlag... flags) throws BlockException {
        await(writeRequest(offset, new ByteBuffer[] {src}, null, false, flags));
    }

    @Override
    public void write(long offset, ByteBuffer[] srcs, WriteFlag... flags) throws BlockException {
        await(writeRequest(offset, srcs, null, false, flags));
    }

    @Override
    public void writeZeroes(long offset, long length, WriteFlag... flags) throws BlockException {
        await(zeroRequest(offset, length, null, false, flags));
    }

    @Override
    public void discard(long offset, long length) throws BlockException {
        await(discardRequest(offset, length, null, false));
    }

    @Override
    public void flush() throws BlockException {
        await(flushRequest(null, false));
    }

    @Override
    public long length() throws BlockException {
        if (isClosed()) {
            throw new BlockException(Errno.ENOMEDIUM);
        }
        checkAvailable(); // blk_getlength
        return top.length();
    }

    @Override
    public long blockStatus(long offset, long length) throws BlockException {
        long[] result = new long[1];
        await(submit(Operation.BLOCK_STATUS, offset, length, null, false,
                r -> result[0] = BlockIo.blockStatus(top, r, offset, length)));
        return result[0];
    }

    @Override
    public DataStatus dataStatus(long offset, long length) throws BlockException {
        org.blkdebug.engine.block.BlockStatus[] st = new org.blkdebug.engine.block.BlockStatus[1];
        await(submit(Operation.BLOCK_STATUS, offset, length, null, false,
                r -> st[0] = BlockIo.blockStatusAbove(top, null, false, true, r, offset, length, new int[1])));
        org.blkdebug.engine.block.BlockStatus s = st[0];
        return new DataStatus(s.bytes(), s.has(org.blkdebug.engine.block.BlockStatus.DATA),
                s.has(org.blkdebug.engine.block.BlockStatus.ZERO));
    }

    @Override
    public void truncate(long length) throws BlockException {
        truncate(length, "off");
    }

    @Override
    public void truncate(long length, String prealloc) throws BlockException {
        if (length < 0) {
            throw new BlockException(Errno.EINVAL);
        }
        await(submit(Operation.TRUNCATE, length, 0, null, false, r -> {
            if (!top.available()) { // blk_co_truncate says so in its own words
                throw new BlockException(Errno.ENOMEDIUM, "No medium inserted");
            }
            BlockIo.truncate(top, r, length, prealloc);
        }));
    }

    @Override
    public Allocation isAllocated(long offset, long length) throws BlockException {
        return allocation(offset, length, false);
    }

    @Override
    public Allocation isAllocatedAbove(long offset, long length) throws BlockException {
        return allocation(offset, length, true);
    }

    private Allocation allocation(long offset, long length, boolean above) throws BlockException {
        org.blkdebug.engine.block.BlockStatus[] st = new org.blkdebug.engine.block.BlockStatus[1];
        await(submit(Operation.BLOCK_STATUS, offset, length, null, false, r -> st[0] = above
                ? BlockIo.isAllocatedAbove(top, r, offset, length) : BlockIo.isAllocated(top, r, offset, length)));
        return new Allocation(st[0].has(org.blkdebug.engine.block.BlockStatus.ALLOCATED), st[0].bytes());
    }

    @Override
    public FormatInfo formatInfo() {
        String name = top.hasDriver() ? top.formatName() : null;
        if (!top.infoAvailable()) {
            return new FormatInfo(name, Errno.ENOMEDIUM, 0, 0, List.of());
        }
        org.blkdebug.engine.block.ImageInfo i = top.info();
        List<String> specific = top instanceof org.blkdebug.engine.format.qcow2.Qcow2Node q ? q.specificInfo() : List.of();
        return new FormatInfo(name, 0, i == null ? 0 : i.clusterSize(), i == null ? 0 : i.vmStateOffset(),
                specific);
    }

    @Override
    public CompletableFuture<Void> writeCompressedAsync(long offset, ByteBuffer[] srcs, Object attachment) {
        long bytes = total(srcs);
        IoVec qiov = IoVec.of(srcs);
        return submit(Operation.WRITE, offset, bytes, attachment, false, r -> {
            checkRange(offset, bytes);
            BlockIo.pwritevCompressed(top, r, offset, bytes, qiov);
        });
    }

    @Override
    public CompletableFuture<Void> readVmStateAsync(long pos, ByteBuffer[] dsts, Object attachment) {
        long bytes = total(dsts);
        IoVec qiov = IoVec.of(dsts);
        return submit(Operation.READ, pos, bytes, attachment, false, r -> BlockIo.readVmState(top, r, pos, qiov));
    }

    @Override
    public CompletableFuture<Void> writeVmStateAsync(long pos, ByteBuffer[] srcs, Object attachment) {
        long bytes = total(srcs);
        IoVec qiov = IoVec.of(srcs);
        return submit(Operation.WRITE, pos, bytes, attachment, false, r -> {
            BlockIo.writeVmState(top, r, pos, qiov);
            if (!cache.writeCache()) {
                BlockIo.flush(top, r); // blk_save_vmstate: writethrough flushes after the save
            }
        });
    }

    // ---- async I/O -----------------------------------------------------------------------------------

    @Override
    public CompletableFuture<Void> readAsync(long offset, ByteBuffer[] dsts, Object attachment) {
        return readRequest(offset, dsts, attachment, true);
    }

    @Override
    public CompletableFuture<Void> writeAsync(long offset, ByteBuffer[] srcs, Object attachment, WriteFlag... flags) {
        return writeRequest(offset, srcs, attachment, true, flags);
    }

    @Override
    public void readAsync(long offset, ByteBuffer[] dsts, Object attachment, IntConsumer done) {
        readRequest(offset, dsts, attachment, true, java.util.Objects.requireNonNull(done, "done"));
    }

    @Override
    public void writeAsync(long offset, ByteBuffer[] srcs, Object attachment, IntConsumer done,
                           WriteFlag... flags) {
        writeRequest(offset, srcs, attachment, true, java.util.Objects.requireNonNull(done, "done"), flags);
    }

    @Override
    public CompletableFuture<Void> writeZeroesAsync(long offset, long length, Object attachment, WriteFlag... flags) {
        return zeroRequest(offset, length, attachment, true, flags);
    }

    @Override
    public CompletableFuture<Void> discardAsync(long offset, long length, Object attachment) {
        return discardRequest(offset, length, attachment, true);
    }

    @Override
    public CompletableFuture<Void> flushAsync(Object attachment) {
        return flushRequest(attachment, true);
    }

    @Override
    public Lockstep lockstep() {
        if (owner != this) {
            return null; // a session runs free
        }
        synchronized (this) { // once; nothing in here blocks
            if (pacer == null && !closed) {
                pacer = new org.blkdebug.engine.request.Pacer(tracker, cache.direct());
            }
            return pacer;
        }
    }

    @Override
    public Completion pollCompletion() {
        return completions.poll();
    }

    @Override
    public void reportCompletions(boolean on) {
        reportCompletions = on;
    }

    // ---- breakpoints -----------------------------------------------------------------------------------

    @Override
    public boolean readOnly() {
        return top.readOnly();
    }

    @Override
    public long requestAlignment() {
        return blkdebug == null ? 1 : blkdebug.limits().requestAlignment();
    }

    @Override
    public long topRequestAlignment() {
        return top.limits().requestAlignment();
    }

    @Override
    public long maxTransfer() {
        return top.limits().maxTransfer();
    }

    @Override
    public boolean hasBlkDebug() {
        return debugNode() != null;
    }

    /**
     * bdrv_find_debug_node: the blkdebug node down the primary children, as long as every node
     * above it still has its driver; a qcow2 node a fatal corruption made unusable (QEMU drops
     * its driver) hides it, so {@code break} and {@code remove_break} answer ENOTSUP from then
     * on and nothing is suspended, as in QEMU 7.2 ({@code resume} still finds it).
     */
    private BlkDebugNode debugNode() {
        if (blkdebug == null) {
            return null;
        }
        for (Node n = top; n != blkdebug && n != null; n = n.child()) {
            if (!n.hasDriver()) {
                return null;
            }
        }
        return blkdebug;
    }

    private BlkDebugRules requireBlkDebug() throws BlockException {
        BlkDebugNode b = debugNode();
        if (b == null) {
            throw new BlockException(Errno.ENOTSUP);
        }
        return b.rules();
    }

    @Override
    public void breakpoint(String eventName, String tag) throws BlockException {
        BlkDebugRules rules = requireBlkDebug();
        EventName e = rules.byName(eventName);
        if (e == null) {
            throw new BlockException(Errno.ENOENT);
        }
        rules.breakpoint(e, tag);
    }

    @Override
    public void breakpoint(EventName event, String tag) throws BlockException {
        BlkDebugRules rules = requireBlkDebug();
        if (rules.byName(event.eventName()) == null) {
            throw new BlockException(Errno.ENOENT); // an undeclared custom event
        }
        rules.breakpoint(event, tag);
    }

    @Override
    public void holdEvery(EventName event, String tag) throws BlockException {
        BlkDebugRules rules = requireBlkDebug();
        if (rules.byName(event.eventName()) == null) {
            throw new BlockException(Errno.ENOENT);
        }
        rules.breakpoint(new Rule.Suspend(event, tag, true));
    }

    @Override
    public void resume(String tag) throws BlockException {
        // bdrv_debug_resume walks on past a node without its driver (unlike the others)
        if (blkdebug == null) {
            throw new BlockException(Errno.ENOTSUP);
        }
        blkdebug.rules().resume(tag);
    }

    @Override
    public void removeBreakpoint(String tag) throws BlockException {
        requireBlkDebug().removeBreakpoint(tag);
    }

    @Override
    public boolean isSuspended(String tag) {
        BlkDebugNode b = debugNode();
        return b != null && b.rules().isSuspended(tag);
    }

    @Override
    public boolean awaitSuspended(String tag, Duration timeout) throws InterruptedException {
        BlkDebugNode b = debugNode();
        if (b == null) {
            return false;
        }
        return b.rules().awaitSuspended(tag, timeout);
    }

    @Override
    public void event(EventName event) {
        if (blkdebug == null) {
            return;
        }
        if (event instanceof CustomEvent c && blkdebug.rules().byName(c.name()) == null) {
            throw new IllegalArgumentException("custom event '" + c.name() + "' was not declared at open");
        }
        Request r = tracker.begin(Operation.EVENT, 0, 0, origin);
        try {
            blkdebug.rules().event(event, r);
        } finally {
            tracker.end(r);
        }
    }

    @Override
    public void event(String eventName) throws BlockException {
        if (blkdebug == null) {
            event(Event.byName(eventName).orElseThrow(() -> new BlockException(Errno.ENOENT)));
            return;
        }
        EventName e = blkdebug.rules().byName(eventName);
        if (e == null) {
            throw new BlockException(Errno.ENOENT);
        }
        event(e);
    }

    @Override
    public List<CustomEvent> customEvents() {
        return blkdebug == null ? List.of() : blkdebug.rules().customEvents();
    }

    // ---- introspection ---------------------------------------------------------------------------------

    @Override
    public int state() {
        return blkdebug == null ? 0 : blkdebug.rules().state();
    }

    @Override
    public Map<EventName, List<Rule>> rules() {
        return blkdebug == null ? Map.of() : blkdebug.rules().rules();
    }

    @Override
    public List<Rule.InjectError> armedRules() {
        return blkdebug == null ? List.of() : blkdebug.rules().armedRules();
    }

    @Override
    public List<RequestInfo> requests() {
        return tracker.snapshot();
    }

    @Override
    public boolean awaitQuiescence(Duration timeout) throws InterruptedException {
        return tracker.awaitQuiescence(timeout);
    }

    @Override
    public void setListener(BlkDebugListener listener) {
        if (blkdebug != null) {
            blkdebug.rules().setListener(listener);
        }
    }

    /** The rule engine, or null without blkdebug (tests, tracing). */
    BlkDebugRules blkdebugRules() {
        return blkdebug == null ? null : blkdebug.rules();
    }

    /** Suspended tags, for completion in the shell. */
    List<String> suspendedTags() {
        return blkdebug == null ? List.of() : blkdebug.rules().suspendedTags();
    }

    // ---- power loss, time -------------------------------------------------------------------------------

    private VolatileCache requireVolatileCache() throws BlockException {
        if (volatileCache == null) {
            throw new BlockException(Errno.ENOTSUP);
        }
        return volatileCache;
    }

    @Override
    public CrashChoice.Explicit crash(CrashChoice choice) throws BlockException {
        if (owner != this) {
            return owner.crash(choice);
        }
        // the disk loses power first: from here on nothing reaches the image any more
        CrashChoice.Explicit made = requireVolatileCache().crash(choice);
        if (!closing.compareAndSet(false, true)) {
            return made; // a close was already under way: it finishes, and writes nothing back
        }
        closed = true;
        stopPacing();
        // in-flight requests never complete: nobody hears of them again
        reportCompletions = false;
        while (completions.poll() != null) {
            // dropped
        }
        if (blkdebug != null) {
            blkdebug.rules().setListener(BlkDebugListener.SILENT);
            blkdebug.rules().releaseAll();
        }
        clock.releaseAll();
        try {
            tracker.awaitIdle(CLOSE_DRAIN); // each finds the disk gone (ENOMEDIUM) and touches nothing
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        top.close(); // no flush: the power is out
        return made;
    }

    @Override
    public CrashStates.Report crashStates(CrashStates.Options options, CrashStates.Checker checker)
            throws BlockException {
        if (isClosed()) {
            throw new BlockException(Errno.ENOMEDIUM);
        }
        return requireVolatileCache().crashStates(options, checker);
    }

    @Override
    public CrashChoice.Explicit resolveCrash(CrashChoice choice) throws BlockException {
        return requireVolatileCache().resolve(choice);
    }

    @Override
    public org.blkdebug.engine.crash.FileStates volatileStates(boolean torn) throws BlockException {
        if (isClosed()) {
            throw new BlockException(Errno.ENOMEDIUM);
        }
        return requireVolatileCache().states(torn);
    }

    @Override
    public int volatileWrites() {
        return volatileCache == null ? 0 : volatileCache.volatileWrites();
    }

    @Override
    public void mark(String name) throws BlockException {
        if (isClosed()) {
            throw new BlockException(Errno.ENOMEDIUM);
        }
        requireVolatileCache().mark(name);
    }

    @Override
    public boolean logsWrites() {
        return volatileCache != null && volatileCache.logsWrites();
    }

    @Override
    public DeviceClock clock() {
        return clock;
    }

    @Override
    public java.util.OptionalLong seed() {
        BlkDebugRules r = blkdebugRules();
        return r != null && r.draws() ? java.util.OptionalLong.of(r.seed()) : java.util.OptionalLong.empty();
    }

    // ---- close -----------------------------------------------------------------------------------------

    /** Closing drains every request: none may wait for a round that nobody will run. */
    private void stopPacing() {
        org.blkdebug.engine.request.Pacer p = pacer;
        if (p != null) {
            p.stop();
        }
    }

    @Override
    public void close() throws BlockException {
        if (owner != this || !closing.compareAndSet(false, true)) {
            return; // a session owns nothing; a second close finds the first one's work done
        }
        closed = true;
        stopPacing();
        if (blkdebug != null) {
            blkdebug.rules().releaseAll(); // none is left parked; breakpoints stop suspending
        }
        clock.releaseAll(); // nor delayed
        try {
            tracker.awaitIdle(CLOSE_DRAIN);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // QEMU flushes at close (bdrv_close); its result is not reported
        Request r = tracker.begin(Operation.FLUSH, 0, 0, origin);
        Thread t = Thread.ofVirtual().start(() -> {
            try {
                BlockIo.flush(top, r);
            } catch (BlockException e) {
                // QEMU ignores a failing flush at close too
            } finally {
                tracker.end(r);
            }
        });
        try {
            t.join(CLOSE_DRAIN);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        top.close();
    }
}
