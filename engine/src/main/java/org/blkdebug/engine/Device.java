package org.blkdebug.engine;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntConsumer;

/**
 * An open block device: the raw format over the blkdebug filter over an image, as QEMU stacks
 * them. Obtain one from {@link BlkDebug}.
 *
 * <p><b>Every request runs on its own virtual thread</b>, sync or async; the events it fires,
 * the rules they run and a suspension at a breakpoint all happen on that thread. Sync methods
 * submit and wait; async methods return at once.
 *
 * <p>Errors are {@link BlockException}s carrying QEMU's errno. All methods are thread-safe.
 */
public interface Device extends AutoCloseable {

    /** Write flags, QEMU's {@code BDRV_REQ_*} that qemu-io exposes. */
    enum WriteFlag {
        /** Force unit access ({@code write -f}). */
        FUA,
        /** With write-zeroes: the range may be unmapped ({@code write -z -u}). */
        MAY_UNMAP,
        /** With write-zeroes: fail with ENOTSUP instead of writing explicit zeroes ({@code -n}). */
        NO_FALLBACK
    }

    // ---- I/O -------------------------------------------------------------------------------

    /** Reads {@code dst.remaining()} bytes at {@code offset} into {@code dst}. */
    void read(long offset, ByteBuffer dst) throws BlockException;

    /** One request that scatters into several buffers (qemu-io {@code readv}). */
    void read(long offset, ByteBuffer[] dsts) throws BlockException;

    void write(long offset, ByteBuffer src, WriteFlag... flags) throws BlockException;

    /** One request that gathers from several buffers (qemu-io {@code writev}). */
    void write(long offset, ByteBuffer[] srcs, WriteFlag... flags) throws BlockException;

    void writeZeroes(long offset, long length, WriteFlag... flags) throws BlockException;

    void discard(long offset, long length) throws BlockException;

    void flush() throws BlockException;

    long length() throws BlockException;

    /**
     * QEMU's block status: how many bytes from {@code offset} (at most {@code length}) share one
     * allocation status. A raw image is allocated everywhere; the query is checked against the
     * armed rules as iotype {@code block-status}, so it can fail like any request.
     */
    long blockStatus(long offset, long length) throws BlockException;

    /** What {@link #dataStatus} found for the first {@code bytes} bytes. */
    record DataStatus(long bytes, boolean data, boolean zero) {
    }

    /**
     * {@code bdrv_block_status_above} with {@code want_zero}, through the backing chain, as
     * qemu-nbd answers base:allocation: whether the first {@code bytes} bytes from {@code offset}
     * (at most {@code length}; 0 at the end) hold data or are a hole (a sparse image file's hole,
     * a qcow2 cluster not allocated or zeroed), and whether they are known to read as zeroes.
     * Checked against the rules as iotype {@code block-status}, like {@link #blockStatus}.
     */
    default DataStatus dataStatus(long offset, long length) throws BlockException {
        return new DataStatus(blockStatus(offset, length), true, false);
    }

    void truncate(long length) throws BlockException;

    /**
     * {@code truncate -m MODE}: resize with QEMU's preallocation mode ({@code off}, {@code metadata},
     * {@code falloc}, {@code full}); formats without preallocation ignore the mode. A failure
     * carries QEMU's message ({@link BlockException#hasDetail()}).
     */
    default void truncate(long length, String prealloc) throws BlockException {
        truncate(length);
    }

    /** What {@link #isAllocated} found: the first {@code bytes} bytes are allocated or not. */
    record Allocation(boolean allocated, long bytes) {
    }

    /**
     * {@code bdrv_is_allocated}: whether the image itself (not its backing chain) holds the data
     * at {@code offset}, and for how many bytes that holds; 0 bytes at the end of the image.
     * Checked as iotype block-status where blkdebug is asked.
     */
    default Allocation isAllocated(long offset, long length) throws BlockException {
        return new Allocation(true, blockStatus(offset, length));
    }

    /** {@code bdrv_is_allocated_above}: as {@link #isAllocated}, anywhere in the backing chain. */
    default Allocation isAllocatedAbove(long offset, long length) throws BlockException {
        return isAllocated(offset, length);
    }

    /**
     * What qemu-io's {@code info} reports: the top node's driver and its geometry.
     *
     * @param formatName null where the top node has lost its driver (a fatal qcow2 corruption):
     *                   qemu-io prints no format name then
     * @param errno      0, or bdrv_get_info's errno (ENOMEDIUM for such a node, or one a filter
     *                   on top passes the question to), after which qemu-io prints nothing more
     */
    record FormatInfo(String formatName, int errno, long clusterSize, long vmStateOffset, List<String> specific) {
        public FormatInfo {
            specific = List.copyOf(specific);
        }
    }

    default FormatInfo formatInfo() {
        return new FormatInfo("raw", 0, 0, 0, List.of());
    }

    /** {@code write -c}: whole clusters, compressed (ENOTSUP where the format cannot). */
    default CompletableFuture<Void> writeCompressedAsync(long offset, ByteBuffer[] srcs, Object attachment) {
        return CompletableFuture.failedFuture(new BlockException(Errno.ENOTSUP));
    }

    /** {@code read -b}: from the VM state area (ENOTSUP where the format keeps none). */
    default CompletableFuture<Void> readVmStateAsync(long pos, ByteBuffer[] dsts, Object attachment) {
        return CompletableFuture.failedFuture(new BlockException(Errno.ENOTSUP));
    }

    /** {@code write -b}: to the VM state area (ENOTSUP where the format keeps none). */
    default CompletableFuture<Void> writeVmStateAsync(long pos, ByteBuffer[] srcs, Object attachment) {
        return CompletableFuture.failedFuture(new BlockException(Errno.ENOTSUP));
    }

    CompletableFuture<Void> readAsync(long offset, ByteBuffer[] dsts, Object attachment);

    CompletableFuture<Void> writeAsync(long offset, ByteBuffer[] srcs, Object attachment, WriteFlag... flags);

    /**
     * As {@link #readAsync(long, ByteBuffer[], Object)} without a future, like QEMU's
     * {@code blk_aio_preadv} with its callback: {@code done} gets 0 or the request's errno when the
     * request ends, on the request's own thread (on the caller's, with {@code ENOMEDIUM}, if the
     * device is closed). The leanest way to keep many requests in flight: {@code done} may submit
     * the next one. It should not block; what it throws goes to that thread's uncaught-exception
     * handler.
     */
    default void readAsync(long offset, ByteBuffer[] dsts, Object attachment, IntConsumer done) {
        readAsync(offset, dsts, attachment).whenComplete((v, e) -> done.accept(Errno.ofCompletion(e)));
    }

    /** As {@link #readAsync(long, ByteBuffer[], Object, IntConsumer)}, for a write. */
    default void writeAsync(long offset, ByteBuffer[] srcs, Object attachment, IntConsumer done,
                            WriteFlag... flags) {
        writeAsync(offset, srcs, attachment, flags).whenComplete((v, e) -> done.accept(Errno.ofCompletion(e)));
    }

    CompletableFuture<Void> writeZeroesAsync(long offset, long length, Object attachment, WriteFlag... flags);

    CompletableFuture<Void> discardAsync(long offset, long length, Object attachment);

    CompletableFuture<Void> flushAsync(Object attachment);

    /**
     * The next finished asynchronous request, in completion order, or null. An async request is
     * reported if {@link #reportCompletions(boolean)} was on when it was submitted and still is
     * when it ends (off by default, so an API user who ignores reports leaks nothing).
     */
    Completion pollCompletion();

    /**
     * Turns lockstep on for the requests submitted through this device from now on (not through
     * its {@link #session}s): each waits after every backend call until the caller runs a round.
     * For the shell, which replays qemu-io's main loop; a device's other users never call it and
     * their requests run free. Synchronous calls ({@link #truncate}, {@link #isAllocated}, …) run
     * rounds themselves until their request is done. Idempotent; null when not supported.
     */
    default Lockstep lockstep() {
        return null;
    }

    void reportCompletions(boolean on);

    // ---- breakpoints -------------------------------------------------------------------------

    /** True when opened read-only: writes fail with EPERM. */
    boolean readOnly();

    /** The smallest request the stack handles without padding: blkdebug's {@code align}, else 1. */
    long requestAlignment();

    /**
     * The request alignment of the top of the stack, QEMU's {@code bl.request_alignment} of the
     * node a client talks to (what qemu-nbd advertises as the minimum block size): 1 for raw, 512
     * for a probed raw, blkdebug's {@code align} when blkdebug is the top.
     */
    default long topRequestAlignment() {
        return 1;
    }

    /** The largest request the stack takes without splitting it (blkdebug's {@code max-transfer}), or 0 for no limit. */
    default long maxTransfer() {
        return 0;
    }

    /** True when a blkdebug filter is in the stack; otherwise breakpoints answer ENOTSUP. */
    boolean hasBlkDebug();

    /**
     * {@code break EVENT TAG}: a one-shot breakpoint, valid in any state. The event is one of
     * QEMU's or a custom event declared at open.
     *
     * @throws BlockException ENOENT for an unknown event name, ENOTSUP without blkdebug
     */
    void breakpoint(String eventName, String tag) throws BlockException;

    /** @throws BlockException ENOENT for an undeclared custom event, ENOTSUP without blkdebug */
    void breakpoint(EventName event, String tag) throws BlockException;

    /**
     * Ours: a breakpoint that stays. Every request that fires {@code event} is suspended, each
     * under its own tag {@code TAG#ID} (the id {@link #requests()} shows), until {@link #resume}
     * of that tag; {@link #removeBreakpoint}{@code (TAG)} ends the hold and resumes them all.
     * Explore's {@code --orders} holds requests this way and releases them in every order.
     *
     * @throws BlockException ENOENT for an undeclared custom event, ENOTSUP without blkdebug
     */
    default void holdEvery(EventName event, String tag) throws BlockException {
        throw new BlockException(Errno.ENOTSUP);
    }

    /**
     * Resumes the newest request suspended under {@code tag} (QEMU's order).
     *
     * @throws BlockException ENOENT when no request is suspended with that tag
     */
    void resume(String tag) throws BlockException;

    /**
     * Removes every breakpoint with {@code tag} and resumes every request suspended with it.
     *
     * @throws BlockException ENOENT when there was neither (QEMU 7.2 also fails after resuming
     *                        requests: see docs/differences-from-qemu.md)
     */
    void removeBreakpoint(String tag) throws BlockException;

    boolean isSuspended(String tag);

    /** Waits until a request is suspended under {@code tag}; false on timeout. */
    boolean awaitSuspended(String tag, Duration timeout) throws InterruptedException;

    /**
     * Fires {@code event} on the calling thread, as a format driver above the device would: its
     * rules run, and a breakpoint on it <b>suspends the calling thread</b> until resumed. Without
     * blkdebug it does nothing.
     *
     * @throws IllegalArgumentException for a custom event that was not declared at open
     */
    void event(EventName event);

    /**
     * {@link #event(EventName)} by name: a QEMU event or a custom event declared at open.
     *
     * @throws BlockException ENOENT for any other name
     */
    void event(String eventName) throws BlockException;

    /** The custom events declared at open, in declaration order (none without blkdebug). */
    List<CustomEvent> customEvents();

    // ---- introspection -----------------------------------------------------------------------

    /** The current state (1 after open). */
    int state();

    /**
     * Rules per event in QEMU's evaluation order (breakpoints, set-state, inject-error), for the
     * events that have rules: QEMU's in enum order, then custom ones in declaration order.
     */
    Map<EventName, List<Rule>> rules();

    /** The armed inject-error rules in match order. */
    List<Rule.InjectError> armedRules();

    /** Every in-flight request, oldest first. */
    List<RequestInfo> requests();

    /**
     * Waits until every in-flight request is done, suspended or waiting for another request.
     *
     * @return false on timeout
     */
    boolean awaitQuiescence(Duration timeout) throws InterruptedException;

    /**
     * A view of this device whose requests carry {@code origin} (shown in {@link RequestInfo#origin()},
     * e.g. an NBD connection). It shares everything else; closing it closes nothing.
     */
    Device session(String origin);

    /** Where blkdebug's "Suspended"/"Resuming" messages go. */
    void setListener(BlkDebugListener listener);

    // ---- power loss, time, chance (ours; docs/faults.md) -----------------------------------------

    /**
     * Power loss: in-flight requests never complete (they end with ENOMEDIUM and report nothing),
     * the device closes without a flush, and the image becomes the state {@code choice} picks: the
     * durable writes plus the kept volatile ones. Returns the choice made explicit, which makes the
     * same state again ({@code crash} prints it).
     *
     * @throws BlockException ENOTSUP without the volatile cache, ENOMEDIUM once closed
     * @throws IllegalArgumentException when an explicit choice does not fit the volatile writes
     *                                  (nothing is lost then)
     */
    default org.blkdebug.engine.crash.CrashChoice.Explicit crash(org.blkdebug.engine.crash.CrashChoice choice)
            throws BlockException {
        throw new BlockException(Errno.ENOTSUP);
    }

    /**
     * Every distinct state a crash now could leave, each handed to {@code checker} on an overlay
     * (no copy of the image); the device goes on meanwhile and is left as it was.
     * <b>The checker must not wait for this device</b> to do anything: it runs while the states
     * are taken from it.
     */
    default org.blkdebug.engine.crash.CrashStates.Report crashStates(
            org.blkdebug.engine.crash.CrashStates.Options options,
            org.blkdebug.engine.crash.CrashStates.Checker checker) throws BlockException {
        throw new BlockException(Errno.ENOTSUP);
    }

    /** Resolves {@code choice} against the writes volatile now, without crashing. */
    default org.blkdebug.engine.crash.CrashChoice.Explicit resolveCrash(
            org.blkdebug.engine.crash.CrashChoice choice) throws BlockException {
        throw new BlockException(Errno.ENOTSUP);
    }

    /**
     * The states a crash now could leave, frozen, for a caller that combines several devices' (the
     * {@code blkdebug:} file system crashes its files together). <b>Close it.</b>
     */
    default org.blkdebug.engine.crash.FileStates volatileStates(boolean torn) throws BlockException {
        throw new BlockException(Errno.ENOTSUP);
    }

    /** How many completed writes a crash now could lose. */
    default int volatileWrites() {
        return 0;
    }

    /**
     * Appends a mark to the write log ({@code --log-writes}), for {@code replay --to NAME}.
     *
     * @throws BlockException ENOTSUP when no write log is kept
     */
    default void mark(String name) throws BlockException {
        throw new BlockException(Errno.ENOTSUP);
    }

    /** True when the device keeps a write log. */
    default boolean logsWrites() {
        return false;
    }

    /** The device's clock: what delays sleep on; virtual with {@code clock = virtual}. */
    default DeviceClock clock() {
        return org.blkdebug.engine.time.RequestClock.wall(null); // no delays: a plain wall clock
    }

    /** The seed of the probabilistic rules' draws, when a rule has a probability. */
    default java.util.OptionalLong seed() {
        return java.util.OptionalLong.empty();
    }

    /**
     * Resumes every suspended request, waits for every request to finish, flushes as QEMU does at
     * close, and releases the image. Idempotent.
     */
    @Override
    void close() throws BlockException;
}
