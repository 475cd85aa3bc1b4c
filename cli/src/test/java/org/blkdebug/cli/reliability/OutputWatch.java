package org.blkdebug.cli.reliability;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Catches what would escape the captured {@code Console}: text printed to {@code System.out} or
 * {@code System.err} (a stray {@code printStackTrace}) and exceptions that kill a request's
 * thread (the default uncaught-exception handler). Restores everything on {@link #close}.
 */
final class OutputWatch implements AutoCloseable {
    private final PrintStream oldOut = System.out;
    private final PrintStream oldErr = System.err;
    private final Thread.UncaughtExceptionHandler oldHandler = Thread.getDefaultUncaughtExceptionHandler();
    private final ByteArrayOutputStream stray = new ByteArrayOutputStream();
    private final List<Throwable> uncaught = Collections.synchronizedList(new ArrayList<>());

    OutputWatch() {
        PrintStream p = new PrintStream(stray, true, StandardCharsets.UTF_8);
        System.setOut(p);
        System.setErr(p);
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> uncaught.add(e));
    }

    String stray() {
        return stray.toString(StandardCharsets.UTF_8);
    }

    List<Throwable> uncaught() {
        synchronized (uncaught) {
            return List.copyOf(uncaught);
        }
    }

    @Override
    public void close() {
        System.setOut(oldOut);
        System.setErr(oldErr);
        Thread.setDefaultUncaughtExceptionHandler(oldHandler);
    }
}
