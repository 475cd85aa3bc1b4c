package org.blkdebug.cli.commands;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.Errno;

/**
 * blkdebug's breakpoint commands: break, remove_break, resume, wait_break, and our is_suspended
 * and event.
 */
final class BreakpointCommands {
    private BreakpointCommands() {
    }

    static final CommandInfo BREAK = CommandInfo.of("break", "event tag",
            "sets a breakpoint on event and tags the stopped request as tag", 2, 2).withDesignName("breakpoint");
    static final CommandInfo REMOVE_BREAK = CommandInfo.of("remove_break", "tag", "remove a breakpoint by tag", 1, 1)
            .withDesignName("remove-breakpoint");
    static final CommandInfo RESUME = CommandInfo.of("resume", "tag", "resumes the request tagged as tag", 1, 1);
    /** qemu-io takes only the tag; the optional timeout is ours, so the help line stays qemu's. */
    static final CommandInfo WAIT_BREAK = CommandInfo.of("wait_break", "tag",
            "waits for the suspension of a request", 1, 1);
    static final CommandInfo IS_SUSPENDED = CommandInfo.of("is_suspended", "tag",
            "tells whether a request is suspended at tag (blkdebug extension)", 1, 1).withDesignName("is-suspended");

    static final CommandInfo EVENT = CommandInfo.of("event", "event",
            "fires event (a QEMU or declared custom event) as code above the device would (blkdebug extension)",
            1, 1).withHelp("""

             fires a debug event as the code above the device would

             Example:
             'event wal_commit' - runs the rules of the custom event wal_commit

             The event is one of QEMU's (l2_update, write_aio, ...) or a custom event declared
             at open ([custom-event] in the config file, custom-event.N=NAME). Its rules run as
             when a request fires it: inject-error rules arm, set-state rules change the state,
             and a breakpoint on it holds this command until the request is resumed.

            """);

    static int breakpoint(Context ctx, List<String> argv) {
        try {
            ctx.device().breakpoint(argv.get(1), argv.get(2));
            return ShellCommand.OK;
        } catch (BlockException e) {
            ctx.console().println("Could not set breakpoint: " + e.getMessage());
            return ShellCommand.FAILED;
        }
    }

    /**
     * {@code event NAME}: fires the event on a request thread and waits for it like a synchronous
     * command, so a breakpoint on it holds the shell as one on a {@code write} does (use Ctrl-C, or
     * in a script expect the same "nothing can resume it" failure).
     */
    static int event(Context ctx, List<String> argv) throws InterruptedException {
        String name = argv.get(1);
        CompletableFuture<Void> f = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                ctx.device().event(name);
                f.complete(null);
            } catch (BlockException | RuntimeException e) {
                f.completeExceptionally(e);
            }
        });
        int errno = Requests.await(ctx, f);
        if (errno != 0) {
            ctx.console().println("Could not fire event: " + Errno.message(errno));
            return ShellCommand.FAILED;
        }
        return ShellCommand.OK;
    }

    static int removeBreak(Context ctx, List<String> argv) throws InterruptedException {
        try {
            ctx.device().removeBreakpoint(argv.get(1));
            ctx.afterResume();
            return ShellCommand.OK;
        } catch (BlockException e) {
            ctx.console().println("Could not remove breakpoint " + argv.get(1) + ": " + e.getMessage());
            return ShellCommand.FAILED;
        }
    }

    static int resume(Context ctx, List<String> argv) throws InterruptedException {
        try {
            ctx.device().resume(argv.get(1));
            ctx.afterResume();
            return ShellCommand.OK;
        } catch (BlockException e) {
            ctx.console().println("Could not resume request: " + e.getMessage());
            return ShellCommand.FAILED;
        }
    }

    /**
     * {@code wait_break TAG [TIMEOUT]}: runs the main loop until a request is suspended at TAG.
     * Without a timeout it waits as long as QEMU does (forever; Ctrl-C interrupts it), except in a
     * script where nothing can move any more ({@link Requests#nothingCanMove}): then it fails.
     */
    static int waitBreak(Context ctx, List<String> argv) throws InterruptedException {
        String tag = argv.get(1);
        Duration timeout = null;
        if (argv.size() == 3) {
            timeout = parseTimeout(argv.get(2));
            if (timeout == null) {
                ctx.console().println("wait_break: invalid timeout '" + argv.get(2)
                        + "' (use e.g. 5s, 500ms, 2m or seconds)");
                return ShellCommand.FAILED;
            }
        }
        if (!ctx.device().hasBlkDebug()) {
            ctx.console().println("wait_break: no blkdebug filter in this device; nothing can suspend at '" + tag + "'");
            return ShellCommand.FAILED;
        }
        if (ctx.device().isSuspended(tag) && !ctx.suspensionPending(tag)) {
            // QEMU returns at once, without polling; but a request that blocked on its way to the
            // breakpoint got there only in a poll, which wait_break's loop below runs
            return ShellCommand.OK;
        }
        long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
        while (true) {
            ctx.releaseHeldWhile(() -> !ctx.device().isSuspended(tag)); // explore --orders
            ctx.mainLoopUntilSuspended(tag);
            boolean stuck = timeout == null && Requests.nothingCanMove(ctx); // looked at before isSuspended
            if (ctx.device().isSuspended(tag)) {
                return ShellCommand.OK;
            }
            if (stuck) {
                // a script cannot bring a request to the tag any more; QEMU waits forever (D11)
                ctx.console().println("wait_break: no request in flight can reach '" + tag + "'");
                return ShellCommand.FAILED;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                ctx.console().println("wait_break: no request suspended at '" + tag + "' after " + argv.get(2));
                return ShellCommand.FAILED;
            }
            ctx.device().awaitSuspended(tag, Duration.ofNanos(Math.min(left, Duration.ofMillis(200).toNanos())));
        }
    }

    static int isSuspended(Context ctx, List<String> argv) {
        boolean yes = ctx.device().isSuspended(argv.get(1));
        ctx.console().println(yes ? "yes" : "no");
        return ShellCommand.OK;
    }

    /** {@code 5s}, {@code 500ms}, {@code 2m}, {@code 1.5} (seconds); null when unreadable. */
    static Duration parseTimeout(String s) {
        String t = s.toLowerCase(Locale.ROOT);
        double factorMillis = 1000;
        if (t.endsWith("ms")) {
            factorMillis = 1;
            t = t.substring(0, t.length() - 2);
        } else if (t.endsWith("s")) {
            t = t.substring(0, t.length() - 1);
        } else if (t.endsWith("m")) {
            factorMillis = 60_000;
            t = t.substring(0, t.length() - 1);
        }
        if (!t.matches("[0-9]+(\\.[0-9]*)?")) {
            return null;
        }
        return Duration.ofNanos((long) (Double.parseDouble(t) * factorMillis * 1_000_000));
    }
}
