package org.blkdebug.cli.shell;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.blkdebug.cli.commands.AioReport;
import org.blkdebug.cli.report.Console;
import org.blkdebug.engine.Completion;
import org.blkdebug.engine.Device;

/**
 * Prints the reports of finished aio requests, and blkdebug's "Suspended" lines of requests that
 * blocked on their way to the breakpoint, where qemu-io 7.2's main loop would. Our requests run
 * concurrently on their own threads; QEMU runs them as coroutines on one thread, so this replays
 * what each request did (as the engine reports it) through a model of QEMU's loop. In a script
 * the requests also move in those rounds (the engine's lockstep, driven by {@link Shell}), so what
 * they meet is what QEMU's meet; this class only decides where their lines are printed. See
 * docs/qemu-7.2-observed-events.md §4.
 *
 * <p>The model. A request is set running by a command (submission, {@code resume}) or by the end
 * of a request it waited for; from there it runs inside that command (or that request's step)
 * until its first backend call. Each backend call is one trip through QEMU's thread pool: it
 * finishes in a later <em>round</em> of the loop, whose completion bottom half continues the
 * requests newest-submitted first, each until its next backend call (which belongs to the next
 * round). So what a request does after {@code n} backend calls since its release (see
 * {@link Completion#ioRounds()}) happens {@code n} rounds after it.
 * <ul>
 *   <li>Every poll first runs the bottom halves already scheduled: reports of requests that
 *       finished without any backend call, each its own bottom half (newest first), and those
 *       rescheduled by an {@code immediately=off} error, which share one bottom half that runs
 *       them in order, placed where its first one was scheduled.</li>
 *   <li>A poll that waits then runs rounds: until everything is printed ({@code aio_flush}, exit,
 *       {@code sleep N}), until its own synchronous request is done, or until {@code wait_break}'s
 *       tag is suspended. A quick poll ({@code sleep 0}, stdin between commands) runs no round.</li>
 *   <li>A synchronous request that finished without blocking does not poll at all (QEMU's
 *       {@code BDRV_POLL_WHILE} sees it done).</li>
 * </ul>
 *
 * <p>Used by the shell's command thread only; {@link #defer} is called by request threads.
 */
final class CompletionPrinter {
    /** How long a poll lasts, which decides how far it runs the loop. */
    enum Poll {
        /** One quick loop turn: only the bottom halves scheduled already. */
        FAST,
        /** Until every known request is done or suspended. */
        ALL,
        /** Until the last synchronous request (attachment {@code sync}) is done. */
        SYNC,
        /**
         * As {@link #SYNC}, but for a request qemu-io waits for with {@code main_loop_wait}
         * ({@code readv}, {@code writev}): one that finished without blocking still runs one
         * quick turn ({@link #FAST}), as its completion is a bottom half of that turn.
         */
        LOOP,
        /** Until the "Suspended" line of {@link #target} is printed. */
        TAG,
        /** One round: a synchronous operation with one backend call of its own ({@code truncate}). */
        ROUND
    }

    /** What one request did, as seen by the model: a report, or a "Suspended" line. */
    private record Item(long id, long sequence, long releasedBy, int rounds, boolean blocked, Completion completion,
                        String line, String tag) {
        boolean isCompletion() {
            return completion != null;
        }
    }

    /** One stretch of a request between two releases, and where the model has it. */
    // The orders below are written out, not built with Comparator.comparing...: the JDK's
    // factories make serializable lambdas, which the AOT cache does not keep, so every start of a
    // script spun four classes for them (docs/performance.md, target 6).
    private static final Comparator<Run> BY_SEQUENCE = (a, b) -> Long.compare(a.sequence, b.sequence);

    private static final class Run {
        final List<Item> items = new ArrayList<>();
        /** The round it was released in; -1 while its releaser has not finished in the model. */
        long base = -1;
        /** Its report waits for a bottom half (see {@link #printReady(Run, boolean)}). */
        boolean rescheduled;
        /** The bottom halves run for it so far: its report needs one per reschedule. */
        int passes;
        /** Submission order of its backend call in flight (see {@link #roundOrder}). */
        long stamp;
        final long sequence;
        final long releasedBy;
        /** Set running by another's hand-off of qcow2's lock mid-stretch, or null. */
        Completion.Handoff handoff;
        /** Its key in {@link #runs}. */
        final String key;

        Run(String key, long sequence, long releasedBy) {
            this.key = key;
            this.sequence = sequence;
            this.releasedBy = releasedBy;
        }

        /** True while it has a backend call in flight in the model. */
        boolean inFlight(long round) {
            for (Item i : items) {
                if (i.rounds() > round - base) {
                    return true;
                }
            }
            return false;
        }
    }

    private final Console console;
    /** Requests whose bottom half the loop ran at the start of this poll (see {@link #rescheduledDue}). */
    private final java.util.Set<Long> dueNow = new java.util.HashSet<>();
    /** "Suspended" lines of requests that blocked first; written by request threads. */
    private final ConcurrentLinkedQueue<Item> deferred = new ConcurrentLinkedQueue<>();
    /** Not yet printed, by request and release. */
    private final Map<String, Run> runs = new HashMap<>();
    /**
     * Where the model started each stretch ("id:sequence") so far, for the stretches that
     * another's lock hand-off set running (see {@link #startHandedOff}). The recent ones only: a
     * hand-off names a stretch still running or just printed.
     */
    private final Map<String, Long> bases = new java.util.LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > 256;
        }
    };
    /** The model's round: how many times the thread pool's completions ran. */
    private long round;
    /** The model's submission clock for backend calls (see {@link Run#stamp}). */
    private long clock;
    /**
     * The round each request of {@link #device} finished in (a request it released starts there).
     * Keyed by request id, which each device counts from 1 again (its own tracker).
     */
    private final Map<Long, Long> finishedIn = new HashMap<>();
    /** The device whose requests {@link #finishedIn} and {@link #dueNow} name. */
    private Device device;
    /** For {@link Poll#TAG}. */
    private String target;
    private boolean targetSeen;
    private boolean syncSeen;

    /** Whether the open device does O_DIRECT I/O (cache.direct), where every call is slow. */
    private final java.util.function.BooleanSupplier direct;

    CompletionPrinter(Console console, java.util.function.BooleanSupplier direct) {
        this.console = console;
        this.direct = direct;
    }

    /**
     * A "Suspended" line of a request that blocked on its way there (any thread); {@code releasedBy}
     * is the request whose end set it running, if any: QEMU runs the woken coroutine only after
     * its waker's report, so the line cannot come before that report.
     */
    void defer(String tag, long requestId, long sequence, long releasedBy, int rounds) {
        deferred.add(new Item(requestId, sequence, releasedBy, rounds, true, null,
                "blkdebug: Suspended request '" + tag + "'", tag));
    }

    boolean hasDeferred() {
        return !deferred.isEmpty() || runs.values().stream().anyMatch(r -> r.items.stream().anyMatch(i -> i.line() != null));
    }

    /** True when the "Suspended" line of {@code tag} waits for the loop to get there. */
    boolean suspensionPending(String tag) {
        for (Item i : deferred) {
            if (tag.equals(i.tag())) {
                return true;
            }
        }
        for (Run r : runs.values()) {
            for (Item i : r.items) {
                if (tag.equals(i.tag())) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Prints the deferred lines at once (no device: nothing else can come first). */
    void printDeferred() {
        for (Item i; (i = deferred.poll()) != null; ) {
            console.println(i.line());
        }
    }

    void poll(Device device, Poll kind) {
        poll(device, kind, null);
    }

    /** Runs the loop as a poll of {@code kind} would; {@code tag} for {@link Poll#TAG}. */
    void poll(Device device, Poll kind, String tag) {
        collect(device);
        if ((kind == Poll.SYNC || kind == Poll.LOOP) && syncDoneWithoutBlocking()) {
            if (kind == Poll.SYNC) {
                return; // BDRV_POLL_WHILE finds it done and does not poll
            }
            kind = Poll.FAST; // main_loop_wait runs the turn whose bottom halves complete it
        }
        target = tag;
        targetSeen = false;
        syncSeen = false;
        bottomHalves();
        if (kind == Poll.FAST) {
            return;
        }
        int rounds = 0;
        while (!done(kind) && !(kind == Poll.ROUND && rounds++ == 1)) {
            if (rescheduledPending()) {
                bottomHalves(); // the next turn of the loop runs what the last one rescheduled
                if (done(kind)) {
                    break;
                }
            }
            List<Run> active = new ArrayList<>();
            for (Run r : runs.values()) {
                if (r.base >= 0 && r.inFlight(round)) {
                    active.add(r);
                }
            }
            if (active.isEmpty()) {
                if (rescheduledPending()) {
                    continue; // a bottom half scheduled by the last one runs first (its next turn)
                }
                if (!resolveOrphans()) {
                    break;
                }
                continue;
            }
            round++;
            active.sort(roundOrder());
            for (Run r : active) {
                if (done(kind) && speed(r) != QUICK) {
                    break; // the poll ends on the quick calls; an fdatasync is still running then
                }
                runRound(r);
            }
        }
        if (kind == Poll.ALL) {
            bottomHalves();
        }
    }

    /**
     * The order in which one round continues the requests. QEMU's thread pool lists its work
     * newest first and its completion bottom half runs every call finished by then: the quick
     * calls submitted since the last round are all finished when it runs, so the newest goes
     * first, whatever qemu-io printed between their submissions (a line, a stdin prompt: a system
     * call each, no longer than the pwrite; scenario 516). Every call under O_DIRECT
     * takes long enough to finish in the order they began, after the quick ones, and a flush
     * ({@code fdatasync}) longer still: it finishes after them all (the engine's Pacer, which
     * moves the requests, keeps the same order).
     */
    private Comparator<Run> roundOrder() {
        return (a, b) -> {
            int speedA = speed(a);
            int c = Integer.compare(speedA, speed(b));
            return c != 0 ? c : speedA == QUICK ? Long.compare(b.stamp, a.stamp) : Long.compare(a.stamp, b.stamp);
        };
    }

    /** How long a backend call takes in the model: quick, O_DIRECT, or a flush (slowest). */
    private static final int QUICK = 0;
    private static final int DIRECT = 1;
    private static final int FLUSH = 2;

    /**
     * The speed of the backend call {@code r} waits for in this round. A flush is known only where
     * it is the request's last call (its report says so); an earlier one counts as the others.
     */
    private int speed(Run r) {
        Item next = r.items.getFirst();
        if (next.isCompletion() && next.rounds() == round - r.base && next.completion().afterFlush()) {
            return FLUSH;
        }
        return direct.getAsBoolean() ? DIRECT : QUICK;
    }

    private boolean done(Poll kind) {
        return switch (kind) {
            case SYNC, LOOP -> syncSeen;
            case TAG -> targetSeen;
            default -> false;
        };
    }

    /** The last synchronous request finished with no backend call and no wait since its submission. */
    private boolean syncDoneWithoutBlocking() {
        for (Run r : runs.values()) {
            Item i = unblockedSync(r);
            if (i != null) {
                r.items.remove(i);
                drop(r, i);
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the last synchronous request finished without blocking (as
     * {@link #syncDoneWithoutBlocking}, which a poll then consumes): the shell lets the engine's
     * bottom halves run for a {@link Poll#LOOP} then.
     */
    boolean syncUnblocked(Device device) {
        collect(device);
        for (Run r : runs.values()) {
            if (unblockedSync(r) != null) {
                return true;
            }
        }
        return false;
    }

    /**
     * The synchronous request's report if it never blocked at all. One that waited (qcow2's lock,
     * handed on by another request's yield) was polled for by BDRV_POLL_WHILE even though nothing
     * but a caller's hand-off released it: what the hand-off let run first prints before its line
     * (scenario 411).
     */
    private static Item unblockedSync(Run r) {
        for (Item i : r.items) {
            if (i.isCompletion() && isSync(i.completion()) && r.releasedBy == 0 && i.rounds() == 0 && !i.blocked()
                    && !i.completion().yielded()) {
                return i;
            }
        }
        return null;
    }

    /** The bottom halves scheduled so far: never-blocked reports newest first, rescheduled ones in order. */
    private void bottomHalves() {
        List<Run> ready = new ArrayList<>();
        for (Run r : runs.values()) {
            if (r.base >= 0 && !r.items.isEmpty() && r.items.getFirst().rounds() <= round - r.base) {
                ready.add(r);
            }
        }
        if (ready.isEmpty()) {
            return;
        }
        long rescheduledAt = Long.MAX_VALUE;
        for (Run r : ready) {
            if (r.items.getFirst().blocked()) {
                rescheduledAt = Math.min(rescheduledAt, r.sequence);
            }
        }
        long at = rescheduledAt;
        // one bottom half per never-blocked request, and the one of all rescheduled coroutines
        // where its first was scheduled; QEMU runs bottom halves newest first
        ready.sort((a, b) -> {
            int c = Long.compare(b.items.getFirst().blocked() ? at : b.sequence,
                    a.items.getFirst().blocked() ? at : a.sequence);
            return c != 0 ? c : BY_SEQUENCE.compare(a, b);
        });
        for (Run r : ready) {
            r.rescheduled = false;
            printReady(r, true);
        }
    }

    /** A report waits for the bottom half its request was rescheduled to (see {@link #printReady}). */
    private boolean rescheduledPending() {
        for (Run r : runs.values()) {
            if (r.rescheduled) {
                return true;
            }
        }
        return false;
    }

    /** One round for {@code r}: its backend call finishes and it runs to its next one. */
    private void runRound(Run r) {
        printReady(r);
        if (r.inFlight(round)) {
            r.stamp = ++clock;
        }
    }

    /** Prints what {@code r} has reached by now, in the order it did it. */
    private void printReady(Run r) {
        printReady(r, false);
    }

    /**
     * As {@link #printReady(Run)}; outside a bottom half, a report whose request an
     * {@code immediately=off} error rescheduled (after a backend call, or after the request it
     * waited for woke it) stops there: QEMU's coroutine goes on from a bottom half, which only
     * the next turn of the loop runs.
     */
    private void printReady(Run r, boolean bottomHalf) {
        while (!r.items.isEmpty() && r.items.getFirst().rounds() <= round - r.base) {
            Item first = r.items.getFirst();
            if (first.isCompletion() && first.completion().rescheduled()
                    && (!bottomHalf || ++r.passes < first.completion().reschedules())) {
                // QEMU's co_schedule_bh enters only the coroutines scheduled before it ran: one
                // rescheduled again (a writethrough write failed at its write, then at its flush)
                // waits for the next turn
                r.rescheduled = true;
                return;
            }
            Item i = r.items.removeFirst();
            drop(r, i);
            print(i);
        }
    }

    private void print(Item i) {
        if (i.line() != null) {
            console.println(i.line());
            if (i.tag().equals(target)) {
                targetSeen = true;
            }
            return;
        }
        Completion c = i.completion();
        if (c.attachment() instanceof AioReport report) {
            report.print(c, console);
        }
        if (isSync(c)) {
            syncSeen = true;
        }
        finishedIn.put(c.id(), round);
        // requests that waited for this one run next, inside this step
        List<Run> released = new ArrayList<>();
        for (Run r : runs.values()) {
            if (r.base < 0 && r.releasedBy == c.id()) {
                released.add(r);
            }
        }
        released.sort(BY_SEQUENCE);
        for (Run r : released) {
            start(r, round);
            printReady(r);
        }
    }

    private void start(Run r, long at) {
        r.base = at;
        r.stamp = ++clock;
        bases.put(r.key, at);
        for (Run o : runs.values()) { // start changes runs' fields, never the map
            if (o.base < 0 && o.handoff != null && r.key.equals(stretch(o.handoff.by(), o.handoff.sequence()))) {
                start(o, at + o.handoff.rounds());
            }
        }
    }

    /**
     * A stretch that another request's hand-off of qcow2's lock set running starts where the
     * model has that request begin its next backend call: {@code rounds} rounds after its own
     * stretch started (QEMU runs the woken coroutine as the unlocker yields there), not where
     * this poll found its report: a write that waited for the lock while a resumed allocation
     * made four calls then finishes after the allocating write, as in QEMU (scenario 620).
     * Where the unlocker's stretch printed nothing (it ended waiting in turn, for the lock or a
     * queue), the model has no start for it; it takes the unlocker's stretch as begun at this
     * poll, as one a command (a resume) set running since the last poll: a read handed the lock
     * by a resumed allocation after twenty calls reports after a failure the loop's first turn
     * prints (difftest seed 180000000 session 8458, scenario 622).
     */
    /** A stretch's key in {@link #runs} and {@link #bases}: the request and the release that set it running. */
    private static String stretch(long id, long sequence) {
        return id + ":" + sequence;
    }

    private void startHandedOff(Run r) {
        String by = stretch(r.handoff.by(), r.handoff.sequence());
        Long at = bases.get(by);
        if (at != null) {
            start(r, at + r.handoff.rounds());
        } else if (!runs.containsKey(by)) { // else not started yet: starts with it (see start)
            start(r, round + r.handoff.rounds());
        }
    }

    /**
     * Requests whose releaser the model will never see finish start now. When nothing else can
     * move, the waiting one that finished first in real time starts anyway: requests that waited
     * for each other in turn (each released by the other) form a cycle the model cannot follow,
     * and a report must never be lost.
     */
    private boolean resolveOrphans() {
        boolean any = false;
        Run oldest = null;
        for (Run r : new ArrayList<>(runs.values())) {
            if (r.base >= 0) {
                continue;
            }
            if (!waitingForKnown(r)) {
                start(r, round);
                printReady(r);
                any = true;
            } else if (oldest == null || endOf(r) < endOf(oldest)
                    || endOf(r) == endOf(oldest) && r.sequence < oldest.sequence) {
                oldest = r;
            }
        }
        if (!any && oldest != null) {
            start(oldest, round);
            printReady(oldest);
            any = true;
        }
        return any;
    }

    /** When the request of {@code r} finished on the wall clock, or never (a suspension). */
    private static long endOf(Run r) {
        Item last = r.items.getLast();
        return last.isCompletion() ? last.completion().endNanos() : Long.MAX_VALUE;
    }

    private boolean waitingForKnown(Run r) {
        for (Run o : runs.values()) {
            for (Item i : o.items) {
                if (i.isCompletion() && i.id() == r.releasedBy) {
                    return true;
                }
            }
        }
        return false;
    }

    private void drop(Run r, Item i) {
        if (r.items.isEmpty()) {
            runs.values().remove(r);
        }
    }

    private void collect(Device device) {
        if (device != this.device) {
            // after close and open the new device's requests reuse the old one's ids: an old
            // entry would start a request waiting for its new namesake at once, in a round long
            // past, so it went on before the request it waits for had finished (difftest seed
            // 90000000 session 19670, scenario 540)
            finishedIn.clear();
            dueNow.clear();
            bases.clear();
            this.device = device;
        }
        List<Item> fresh = new ArrayList<>();
        for (Completion c; (c = device.pollCompletion()) != null; ) {
            fresh.add(new Item(c.id(), c.sequence(), c.releasedBy(), c.ioRounds(), c.yieldedSinceRelease(), c, null, null));
        }
        for (Item i; (i = deferred.poll()) != null; ) {
            fresh.add(i);
        }
        // lines come before the report of the same stretch (a suspension ends it); both in the
        // order they were made
        fresh.sort((a, b) -> {
            int c = Long.compare(a.sequence(), b.sequence());
            return c != 0 ? c : Boolean.compare(a.isCompletion(), b.isCompletion());
        });
        List<Run> created = new ArrayList<>();
        for (Item i : fresh) {
            String key = stretch(i.id(), i.sequence());
            Run r = runs.get(key);
            if (r == null) {
                r = new Run(key, i.sequence(), i.releasedBy());
                runs.put(key, r);
                created.add(r);
            }
            r.items.add(i);
            if (i.isCompletion() && i.completion().handoff() != null) {
                r.handoff = i.completion().handoff();
            }
            r.items.sort((a, b) -> {
                int c = Integer.compare(a.rounds(), b.rounds());
                return c != 0 ? c : Boolean.compare(a.isCompletion(), b.isCompletion());
            });
        }
        created.sort(BY_SEQUENCE);
        for (Run r : created) {
            Item head = r.items.getFirst();
            if (head.isCompletion() && head.completion().rescheduled() && dueNow.contains(head.id())) {
                // held for a bottom half since an earlier poll: what came before it is done, and
                // the engine's turn at the start of this poll was its last
                r.base = Math.max(0, round - head.rounds());
                r.passes = head.completion().reschedules() - 1;
                r.stamp = ++clock;
                continue;
            }
            if (r.handoff != null) {
                startHandedOff(r);
                continue;
            }
            if (r.releasedBy == 0) {
                start(r, round);
            } else {
                Long at = finishedIn.get(r.releasedBy);
                if (at != null) {
                    start(r, at);
                }
            }
        }
        dueNow.clear();
        retireOldSyncs();
    }

    /**
     * Under lockstep, the requests whose rescheduling ({@code immediately=off}) the loop just let go
     * at the start of a poll: their reports arrive only now, but belong to the bottom halves of an
     * earlier poll's rounds, which this poll runs first.
     */
    void rescheduledDue(List<Long> ids) {
        dueNow.addAll(ids);
    }

    /**
     * Only the newest synchronous request is the one a poll waits for; the others (a
     * {@code flush}, which runs no poll) are done in the model where it is now.
     */
    private void retireOldSyncs() {
        long newest = -1;
        for (Run r : runs.values()) {
            for (Item i : r.items) {
                if (i.isCompletion() && isSync(i.completion())) {
                    newest = Math.max(newest, i.id());
                }
            }
        }
        for (Run r : new ArrayList<>(runs.values())) {
            Item last = r.items.getLast();
            if (last.isCompletion() && isSync(last.completion()) && last.id() < newest) {
                r.items.clear();
                runs.values().remove(r);
                if (r.base < 0) {
                    continue; // not started: it is forgotten with its wait
                }
                finishedIn.put(last.id(), round);
                for (Run o : new ArrayList<>(runs.values())) {
                    if (o.base < 0 && o.releasedBy == last.id()) {
                        start(o, round);
                    }
                }
            }
        }
    }

    private static boolean isSync(Completion c) {
        return c.attachment() != null && !(c.attachment() instanceof AioReport) && "sync".equals(c.attachment().toString());
    }

    /**
     * Not a poll: the reports of requests that a resume set running and that finished without
     * blocking again. QEMU's resume enters the suspended coroutine, which then completes and
     * calls the aio callback inside the {@code resume} command (its aio call has long returned,
     * so no bottom half defers it). Everything else stays for the next poll.
     */
    void printResumed(Device device) {
        collect(device);
        List<Run> batch = new ArrayList<>();
        for (Run r : runs.values()) {
            Item first = r.items.isEmpty() ? null : r.items.getFirst();
            if (first != null && first.isCompletion() && r.releasedBy == 0 && first.rounds() == 0 && !first.blocked()
                    && first.completion().yielded()) {
                batch.add(r);
            }
        }
        batch.sort(BY_SEQUENCE);
        for (Run r : batch) {
            printReady(r);
        }
    }

    /** True when reports are waiting for a longer poll. */
    boolean hasPending() {
        return !runs.isEmpty();
    }
}
