package org.blkdebug.cli.shell;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.blkdebug.cli.commands.AioReport;
import org.blkdebug.cli.report.Console;
import org.blkdebug.engine.Completion;
import org.blkdebug.engine.Device;

/**
 * Prints the reports of finished aio requests where qemu-io 7.2 would: at its main-loop points.
 * See docs/qemu-7.2-observed-events.md §4. A deterministic model of QEMU's timing:
 * <ul>
 *   <li>a <em>fast</em> completion (the request never blocked, or failed without I/O) is ready at
 *       the next poll of any kind — QEMU runs it from a bottom half or one loop turn later;</li>
 *   <li>a <em>slow</em> one (real file I/O through QEMU's thread pool) is ready only at polls that
 *       last: {@code aio_flush}, exit, {@code sleep N>0}, a blocking {@code wait_break}, a
 *       synchronous write — not at {@code sleep 0}, a synchronous read or between commands.</li>
 * </ul>
 * Within one poll QEMU runs bottom halves newest first (never-blocked requests print in reverse),
 * then rescheduled failures in order, then the thread pool's completions, newest first (QEMU's
 * thread pool lists finished work newest-submitted first) — "newest" by {@link Completion#sequence()} —
 * except that a request released by another's end comes after it ({@link Completion#releasedBy()}).
 *
 * <p>Used by the shell's command thread only.
 */
final class CompletionPrinter {
    /** How long a poll lasts, which decides what it can see. */
    enum Poll {
        /** One quick loop turn: only fast completions. */
        FAST,
        /** A poll that waits for I/O: everything finished. */
        ALL
    }

    // Written out, not Comparator.comparingLong(...).reversed(): the JDK's factories make
    // serializable lambdas, which the AOT cache does not keep, so every start of a script spun
    // their classes anew (docs/performance.md, target 6).
    private static final Comparator<Completion> EARLIEST_FIRST = (a, b) -> Long.compare(a.sequence(), b.sequence());
    private static final Comparator<Completion> LATEST_FIRST = (a, b) -> Long.compare(b.sequence(), a.sequence());

    private final Console console;
    /**
     * blkdebug's "Suspended" lines of requests that had blocked before reaching the breakpoint:
     * QEMU prints them from a later main-loop turn, so they wait for the next poll. Written by
     * request threads (the listener), drained by the shell's thread.
     */
    private final java.util.concurrent.ConcurrentLinkedQueue<String> deferred =
            new java.util.concurrent.ConcurrentLinkedQueue<>();
    /** Finished but not yet printed, in completion order. */
    private final List<Completion> pending = new ArrayList<>();

    CompletionPrinter(Console console) {
        this.console = console;
    }

    /** Queues a line for the next poll (any thread). */
    void defer(String line) {
        deferred.add(line);
    }

    boolean hasDeferred() {
        return !deferred.isEmpty();
    }

    /** Prints the deferred lines; a poll does this first, as QEMU's loop turn runs them first. */
    void printDeferred() {
        for (String line; (line = deferred.poll()) != null; ) {
            console.println(line);
        }
    }

    void poll(Device device, Poll kind) {
        printDeferred();
        collect(device);
        List<Completion> bottomHalves = new ArrayList<>();
        List<Completion> rescheduled = new ArrayList<>();
        List<Completion> threadPool = new ArrayList<>();
        for (Completion c : pending) {
            if (!c.yielded()) {
                bottomHalves.add(c);
            } else if (c.failed()) {
                rescheduled.add(c);
            } else if (kind == Poll.ALL) {
                threadPool.add(c);
            }
        }
        // requests released together race in the engine; QEMU ran them in release order (sequence)
        bottomHalves.sort(LATEST_FIRST);
        rescheduled.sort(EARLIEST_FIRST);
        threadPool.sort((a, b) -> {
            int byGeneration = Integer.compare(generation(a, threadPool), generation(b, threadPool));
            return byGeneration != 0 ? byGeneration : LATEST_FIRST.compare(a, b);
        });
        List<Completion> batch = new ArrayList<>(bottomHalves);
        batch.addAll(rescheduled);
        batch.addAll(threadPool);
        pending.removeAll(batch);
        for (Completion c : batch) {
            ((AioReport) c.attachment()).print(c, console);
        }
    }

    private void collect(Device device) {
        for (Completion c; (c = device.pollCompletion()) != null; ) {
            if (c.attachment() instanceof AioReport) {
                pending.add(c);
            }
        }
    }

    /**
     * Not a poll: the reports of requests that a resume set running and that finished without
     * blocking again. QEMU's resume enters the suspended coroutine, which then completes and
     * calls the aio callback inside the {@code resume} command (its aio call has long returned,
     * so no bottom half defers it). Everything else stays for the next poll.
     */
    void printResumed(Device device) {
        collect(device);
        List<Completion> batch = new ArrayList<>();
        for (Completion c : pending) {
            if (c.yielded() && !c.yieldedSinceRelease() && c.releasedBy() == 0) {
                batch.add(c);
            }
        }
        batch.sort(EARLIEST_FIRST);
        pending.removeAll(batch);
        for (Completion c : batch) {
            ((AioReport) c.attachment()).print(c, console);
        }
    }

    /**
     * How many requests of the batch ran before this one could: a request released by the end of
     * another (it waited for an overlapping one) did its I/O only after that one completed, so
     * QEMU reports it in a later loop turn.
     */
    private static int generation(Completion c, List<Completion> batch) {
        int gen = 0;
        long by = c.releasedBy();
        while (by != 0 && gen < batch.size()) {
            Completion releaser = null;
            for (Completion o : batch) {
                if (o.id() == by) {
                    releaser = o;
                    break;
                }
            }
            if (releaser == null) {
                break;
            }
            gen++;
            by = releaser.releasedBy();
        }
        return gen;
    }

    /** True when reports are waiting for a longer poll. */
    boolean hasPending() {
        return !pending.isEmpty();
    }
}
