package org.blkdebug.engine;

/**
 * Receives blkdebug's messages, which QEMU prints to stdout itself. The shell owns the listener
 * and prints {@code blkdebug: Suspended request 'TAG'}; the engine never writes to stdout.
 *
 * <p><b>Called on request threads, with no lock held.</b> {@link #suspended} runs before the
 * request parks; {@link #resuming} runs on the thread that resumes, before the request continues.
 */
public interface BlkDebugListener {
    BlkDebugListener SILENT = new BlkDebugListener() {
    };

    default void suspended(String tag) {
    }

    /**
     * As {@link #suspended(String)}, telling whether the request had blocked (backend I/O, a
     * wait) since it was submitted or last resumed. QEMU prints the message from a later
     * main-loop turn in that case, not inside the command that started the request; a shell
     * that mimics qemu-io's output order defers it. The default ignores the difference.
     */
    default void suspended(String tag, boolean afterYield) {
        suspended(tag);
    }

    /**
     * As {@link #suspended(String, boolean)}, with what a shell needs to place the message where
     * QEMU's main loop prints it: the request, when it was last set running (its
     * {@link Completion#sequence()}), by whose end ({@link Completion#releasedBy()}: a request it
     * waited for, whose report QEMU prints before the woken one runs) and its backend calls since
     * then ({@link Completion#ioRounds()}). The engine calls this one; the default passes on to
     * {@link #suspended(String, boolean)}.
     */
    default void suspended(String tag, long requestId, long sequence, long releasedBy, int ioRounds, boolean afterYield) {
        suspended(tag, afterYield);
    }

    default void resuming(String tag) {
    }

    /**
     * A line a format driver prints to stderr as QEMU's does with {@code fprintf(stderr)}: qcow2's
     * corruption and repair messages. Called on request threads or during open and close.
     */
    default void message(String line) {
    }

    /**
     * A message QEMU prints with {@code error_report} (qemu-io prefixes it with {@code qemu-io: }),
     * e.g. {@code Failed to flush the L2 table cache: Input/output error} at close.
     */
    default void error(String message) {
    }

    /**
     * An inject-error rule decided the outcome of a request: it fails with the rule's errno (or,
     * for a negative errno, "succeeds" without I/O). Called on the request's thread before the
     * request ends. Ours, QEMU prints nothing; explore learns from it which request a run failed.
     */
    default void injected(Rule.InjectError rule, IoType type, long offset, long bytes) {
    }

    /**
     * Ours: at open, when a rule has a {@code probability}, the seed its draws derive from. The
     * shell prints {@code blkdebug: seed N}; giving it back as the {@code seed} option replays
     * the same draws.
     */
    default void seed(long seed) {
    }
}
