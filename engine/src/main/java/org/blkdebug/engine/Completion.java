package org.blkdebug.engine;

/**
 * The report of one finished asynchronous request, delivered through {@link Device#pollCompletion()}
 * in completion order.
 *
 * @param id         the request's id (see {@link RequestInfo#id()})
 * @param errno      0 on success, else the positive errno it failed with
 * @param yielded    false when the request finished without ever blocking (no backend I/O, no
 *                   wait, no suspension, an {@code immediately} error): QEMU completes such a
 *                   request from a bottom half, which a caller may want to mimic
 * @param yieldedSinceRelease false when the request finished without blocking since it was last
 *                   set running (submitted, resumed, or woken by the request it waited for): a
 *                   request resumed from a breakpoint after its I/O then completes inside the
 *                   {@code resume} that released it, and QEMU prints its report there
 * @param sequence   when the request was last set running (submitted, resumed or woken by the
 *                   request it waited for), in one global order. Requests released together race
 *                   on their own threads; QEMU runs them one after another in release order, so a
 *                   caller that wants QEMU's output order sorts a batch of reports by this key
 * @param releasedBy the id of the request whose end last released this one (it waited for that
 *                   request, e.g. an overlapping read-modify-write), or 0 when it was last set
 *                   running by a caller (submission, resume). QEMU runs such a request only after
 *                   the releasing one has completed, so its report comes in a later batch
 * @param ioRounds   backend calls since the request was last set running (see
 *                   {@link org.blkdebug.engine.request.Request#ioRounds()}): in QEMU each is one
 *                   trip through the thread pool, so the report comes that many main-loop turns
 *                   after the release
 * @param afterFlush whether the last of those backend calls was a flush (see
 *                   {@link org.blkdebug.engine.request.Request#lastIoWasFlush()})
 * @param reschedules how many times an {@code immediately=off} error rescheduled the request after
 *                   those backend calls (see {@link org.blkdebug.engine.request.Request#reschedulesSinceIo()}):
 *                   QEMU then finishes it from a bottom half, in the poll after the one that
 *                   ran it there, one turn of the loop per reschedule
 * @param handoff    where the request was last set running by another's hand-off of a lock it
 *                   waited for (see {@link Handoff}), or null
 * @param startNanos {@link System#nanoTime()} at submission
 * @param endNanos   {@link System#nanoTime()} at completion
 * @param attachment whatever the submitter attached (e.g. the shell's command), or null
 */
public record Completion(long id, Operation op, long offset, long length, int errno, boolean yielded,
                         boolean yieldedSinceRelease, long sequence, long releasedBy, int ioRounds, boolean afterFlush,
                         int reschedules, Handoff handoff, long startNanos, long endNanos, Object attachment) {
    /**
     * The request was last set running by request {@code by} handing it qcow2's metadata lock in
     * the middle of a stretch ({@code by}'s {@link #sequence()}), as that request began its next
     * backend call after {@code rounds} of them: QEMU's {@code qemu_co_mutex_unlock} wakes the
     * waiter with {@code aio_co_wake}, which runs it as soon as the unlocker yields, so its own
     * backend calls count from there, not from its submission (difftest seed 180000000 session
     * 14897, scenario 620).
     */
    public record Handoff(long by, long sequence, int rounds) {}

    /** A report without a count of backend calls: one when it blocked since its last release. */
    public Completion(long id, Operation op, long offset, long length, int errno, boolean yielded,
                      boolean yieldedSinceRelease, long sequence, long releasedBy, long startNanos, long endNanos,
                      Object attachment) {
        this(id, op, offset, length, errno, yielded, yieldedSinceRelease, sequence, releasedBy,
                yieldedSinceRelease ? 1 : 0, false, 0, null, startNanos, endNanos, attachment);
    }

    /** A report whose request blocked since its last release exactly when it ever blocked. */
    public Completion(long id, Operation op, long offset, long length, int errno, boolean yielded, long sequence,
                      long releasedBy, long startNanos, long endNanos, Object attachment) {
        this(id, op, offset, length, errno, yielded, yielded, sequence, releasedBy, startNanos, endNanos, attachment);
    }

    /** Whether an {@code immediately=off} error rescheduled it after its last backend call (see {@code reschedules}). */
    public boolean rescheduled() {
        return reschedules > 0;
    }

    public boolean failed() {
        return errno != 0;
    }
}
