package org.blkdebug.cli.reliability;

import static org.assertj.core.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import org.blkdebug.cli.Main;
import org.blkdebug.cli.report.Console;

/**
 * Runs one whole session through {@link Main#run} in-process, on its own thread, with stdout and
 * stderr captured, and never waits longer than a bound: a session that does not end in time is
 * reported as a hang, with the stack it hangs in.
 */
final class BoundedMain {
    /** What one session left behind. {@code thrown} is an exception that escaped {@code Main.run}. */
    record Result(int status, String out, String err, Throwable thrown) {
        String both() {
            return out + err;
        }
    }

    private BoundedMain() {
    }

    static Result run(Duration bound, InputStream stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Console console = new Console(out, err, StandardCharsets.UTF_8);
        int[] status = {-1};
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread session = Thread.ofPlatform().daemon().name("bounded-main").start(() -> {
            try {
                status[0] = Main.run(args, console, stdin, false);
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        try {
            if (!session.join(bound)) {
                String stack = Arrays.stream(session.getStackTrace()).map(e -> "    at " + e)
                        .collect(Collectors.joining("\n"));
                session.interrupt();
                fail("session did not end within " + bound + " (args " + describe(args) + "); it hangs in\n" + stack
                        + "\nstdout so far: " + out.toString(StandardCharsets.UTF_8));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted while waiting for the session");
        }
        return new Result(status[0], out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8),
                thrown.get());
    }

    /** The arguments for a failure message, long ones cut. */
    static String describe(String... args) {
        return Arrays.stream(args).map(BoundedMain::shorten).collect(Collectors.joining("' '", "'", "'"));
    }

    static String shorten(String s) {
        String t = s.length() > 400 ? s.substring(0, 400) + "…(" + s.length() + " chars)" : s;
        StringBuilder sb = new StringBuilder();
        t.chars().forEach(c -> {
            if (c < 0x20 || c >= 0x7f) {
                sb.append(c < 0x100 ? String.format("\\x%02x", c) : String.format("\\u%04x", c));
            } else {
                sb.append((char) c);
            }
        });
        return sb.toString();
    }
}
