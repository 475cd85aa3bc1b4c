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

    default void resuming(String tag) {
    }
}
