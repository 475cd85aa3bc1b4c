package org.blkdebug.engine.block;

import java.lang.invoke.MethodHandle;

/**
 * Why this exists: a script's background job ({@code blkdebug serve ... &}) starts with SIGINT
 * ignored, and the JVM will not install a handler for a shutdown signal that was ignored at start,
 * so {@code kill -INT} did nothing. qemu-nbd installs its handler with sigaction regardless; this
 * puts an inherited SIG_IGN back to SIG_DFL first, so the handler the caller registers next takes.
 */
public final class Signals {
    public static final int SIGINT = 2;
    public static final int SIGTERM = 15;

    private Signals() {
    }

    /** Sets {@code signo} to its default when it is ignored now; anything else is left alone. */
    public static void unignore(int signo) {
        Libc libc = Libc.get();
        if (libc == null) {
            return; // no native access: as before, the JVM decides
        }
        try {
            // sighandler_t signal(int, sighandler_t): a pointer passed as a long (LP64)
            MethodHandle signal = libc.function("signal", false, -1, libc.i64, libc.i32, libc.i64);
            long previous = (long) signal.invoke(signo, 0L); // SIG_DFL
            if (previous != 1L && previous != 0L) { // a handler, not SIG_IGN: put it back
                long ignored = (long) signal.invoke(signo, previous);
            }
        } catch (Throwable e) {
            // unchanged: the signal stays as it was
        }
    }
}
