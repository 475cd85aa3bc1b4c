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

    default void resuming(String tag) {
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
