package org.blkdebug.engine;

/**
 * A device's requests moved in rounds by their caller, as qemu-io's main loop moves QEMU's
 * coroutines (see {@link Device#lockstep()}). In QEMU a request's backend call finishes in a
 * thread-pool worker, but its coroutine only continues when qemu-io polls its main loop; here
 * each request would continue on its own thread at once. Under lockstep, a request waits after
 * each backend call until the caller runs the next {@link #round()}, so a rule or breakpoint
 * armed by a later command meets it where QEMU's would.
 *
 * <p>A request waiting for its round counts as quiescent ({@link Device#awaitQuiescence}), as
 * one parked at a breakpoint does: "run a round, then await quiescence" is one turn of the loop.
 */
public interface Lockstep {
    /**
     * Lets every request now waiting after a backend call continue (each to its next backend
     * call, breakpoint, wait or end), one at a time in the order QEMU's thread pool continues
     * them (each until every request is quiescent again). A request that has finished its
     * backend call but not yet begun to wait is let go too: its release is never lost.
     *
     * @return how many requests it let go; 0 when none was waiting
     */
    int round();

    /**
     * Lets only the requests go that an {@code immediately=off} error rescheduled (QEMU's bottom
     * halves, which every poll runs first, even one that does not wait), in the order they were
     * rescheduled.
     *
     * @return the ids of the requests it let go
     */
    java.util.List<Long> bottomHalves();

    /** True when some request waits for the next round. */
    boolean waiting();
}
