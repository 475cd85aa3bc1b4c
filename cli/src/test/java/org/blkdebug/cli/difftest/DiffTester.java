package org.blkdebug.cli.difftest;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The differential tester: generated qemu-io sessions run through the real qemu-io 7.2 and our
 * shell, compared (output as one stream, exit status, image bytes), differences shrunk to small
 * sessions and written out as conformance scenarios (docs/difftest.md).
 *
 * <pre>
 *   scripts/difftest.sh -n 20000 [--seed S] [--jobs 2] [--out DIR] [--no-shrink]
 * </pre>
 *
 * Session {@code i} of seed {@code S} is generated from {@code S + i}, so any one can be
 * replayed alone ({@code --seed S --first i -n 1}).
 */
public final class DiffTester {
    /** What a run found. */
    record Report(long seed, int sessions, long agreed, Map<String, Long> skipped, Map<String, Long> known,
                  List<Finding> findings, Coverage coverage, long millis) {
        boolean clean() {
            return findings.isEmpty();
        }
    }

    /**
     * A difference no known class explains: the session, its shrunk form, and the first differing
     * line; both sessions are null where the generator itself failed on the seed.
     */
    record Finding(int index, Session session, Session shrunk, String what) {
    }

    /**
     * How long our shell may take over one session before it counts as hung. Ours runs a
     * session in ~15 ms; a script that cannot end fails by D11 within a second.
     */
    static final long OURS_TIMEOUT_MILLIS = 15_000;
    private static final boolean VERBOSE = Boolean.getBoolean("difftest.verbose");
    private static final Pattern SUSPENDED = Pattern.compile("blkdebug: Suspended request '([^']*)'");

    private final Runner runner;
    private final PrintStream log;
    private final boolean shrink;
    private final Path work;
    /** {@code --shrink-order}: shrink the order class's sessions too (to find each one's cause). */
    private boolean shrinkOrder;

    DiffTester(Runner runner, PrintStream log, boolean shrink, Path work) {
        this.runner = runner;
        this.log = log;
        this.shrink = shrink;
        this.work = work;
    }

    Report run(long seed, int first, int n, int jobs) throws InterruptedException {
        return run(seed, first, n, jobs, 0);
    }

    /** As {@link #run(long, int, int, int)}; with {@code budgetMillis > 0} no session starts after that long. */
    Report run(long seed, int first, int n, int jobs, long budgetMillis) throws InterruptedException {
        long start = System.nanoTime();
        long stopAt = budgetMillis > 0 ? start + TimeUnit.MILLISECONDS.toNanos(budgetMillis) : Long.MAX_VALUE;
        Coverage cov = new Coverage();
        LongAdder agreed = new LongAdder();
        Map<String, LongAdder> skipped = new ConcurrentHashMap<>();
        Map<String, LongAdder> known = new ConcurrentHashMap<>();
        List<Finding> findings = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger done = new AtomicInteger();
        // sessions are handed out one at a time: one that makes QEMU hang costs seconds, and a
        // fixed share per worker would leave the others idle at the end
        AtomicInteger next = new AtomicInteger(first);
        ExecutorService pool = Executors.newFixedThreadPool(jobs);
        List<Future<?>> futures = new ArrayList<>();
        for (int w = 0; w < jobs; w++) {
            int worker = w;
            futures.add(pool.submit(() -> {
                Path dir = work.resolve("w" + worker);
                for (int i; (i = next.getAndIncrement()) < first + n && System.nanoTime() < stopAt; ) {
                    try {
                        Generator g = new Generator(seed + i, cov);
                        Session s = g.session();
                        long t = System.nanoTime();
                        Verdict v = judge(s, dir);
                        runner.timing.add("session, " + v.kind.name().toLowerCase(java.util.Locale.ROOT)
                                + (v.qemu != null && v.qemu.hung() ? " (QEMU hung)" : ""), t);
                        switch (v.kind) {
                            case AGREE -> agreed.increment();
                            case SKIP -> {
                                skipped.computeIfAbsent(v.label, k -> new LongAdder()).increment();
                                if (VERBOSE) {
                                    log.printf("session %d: skipped: %s%n", i, v.label);
                                }
                            }
                            case KNOWN -> {
                                known.computeIfAbsent(v.label, k -> new LongAdder()).increment();
                                if (v.label.equals(Known.ORDER.name())) {
                                    // the open order class is listed one by one, so each can be replayed
                                    log.printf("session %d (seed %d): output order only%n", i, seed + i);
                                    if (shrinkOrder) {
                                        log.println(shrink(s, dir).describe().indent(4));
                                    }
                                }
                            }
                            case DIFFER -> {
                                log.printf("session %d (seed %d): DIFFERENCE %s%n", i, seed + i, v.label);
                                Session small = shrink ? shrink(s, dir) : s;
                                findings.add(new Finding(i, s, small, v.label));
                                log.println(small.describe().indent(4));
                            }
                        }
                        if (v.qemu != null && !v.qemu.hung()) {
                            Matcher m = SUSPENDED.matcher(v.qemu.output());
                            while (m.find()) {
                                String ev = g.tagEvents.get(m.group(1));
                                if (ev != null) {
                                    cov.hit("event reached", ev);
                                }
                            }
                        }
                    } catch (IOException e) {
                        log.printf("session %d: could not run: %s%n", i, e);
                        skipped.computeIfAbsent("could not run (I/O error)", k -> new LongAdder()).increment();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    } catch (RuntimeException e) {
                        // a fault of the tester's own is a finding of its session (never a skip),
                        // and the run goes on so its summary and coverage still come out
                        log.printf("session %d (seed %d): DIFFERENCE the tester failed: %s%n", i, seed + i, e);
                        e.printStackTrace(log);
                        Session s = null;
                        try {
                            s = new Generator(seed + i, new Coverage()).session();
                        } catch (RuntimeException generatorFailed) {
                            // the generator's own fault: the finding names the session by its seed
                        }
                        findings.add(new Finding(i, s, s, "the tester failed: " + e));
                    }
                    int d = done.incrementAndGet();
                    if (d % 1000 == 0) {
                        log.printf("... %d sessions, %d agreed, %d differences, %d s%n", d, agreed.sum(),
                                findings.size(), TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start));
                    }
                }
            }));
        }
        pool.shutdown();
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException("difftest worker failed", e.getCause());
            }
        }
        findings.sort((a, b) -> Integer.compare(a.index(), b.index()));
        return new Report(seed, done.get(), agreed.sum(), sums(skipped), sums(known), List.copyOf(findings), cov,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }

    private static Map<String, Long> sums(Map<String, LongAdder> m) {
        Map<String, Long> out = new TreeMap<>();
        m.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    enum Kind { AGREE, SKIP, KNOWN, DIFFER }

    record Verdict(Kind kind, String label, Runner.Outcome qemu) {
    }

    /** Runs one session on both programs and says how they compare. */
    Verdict judge(Session s, Path dir) throws IOException, InterruptedException {
        Runner.Outcome q1 = runner.qemu(s, dir);
        if (q1.hung()) {
            Runner.Outcome o = runner.ours(s, dir);
            String before = o.hung() || Known.hangReason(o.output()) == null ? null
                    : o.output().substring(0, Known.hangReasonAt(o.output()));
            // ours ended as a QEMU run that did not hang would: QEMU hangs only sometimes where a
            // stdin prompt's poll decides which request writes a table back (seed 20261203
            // session 17462: 2 hangs in 20 runs, 16 runs equal to ours), or which flush arms a
            // rule first (seed 50000000 session 12039: 45 hangs in 60 runs, 15 ending in three orders)
            boolean ended = !o.hung() && before == null && qemuEverPrints(s, dir, q -> endedAsOurs(s, q, o));
            // QEMU's own races go on until it hangs: see whether it ever prints what ours did, or
            // other lines than its first run did (neither output a prefix of the other: seed
            // 200000000 session 12861, a report three lines earlier in one of two runs), as two
            // runs that differ make a session QEMU ends nondeterministic
            boolean raced = before != null && !q1.output().startsWith(before)
                    && qemuEverPrints(s, dir, q -> q.hung() && (q.output().startsWith(before)
                            || !q.output().startsWith(q1.output()) && !q1.output().startsWith(q.output())));
            if (ended || raced) {
                return new Verdict(Kind.SKIP, "QEMU nondeterministic (found on a rerun)", q1);
            }
            Verdict v = judgeHung(s, q1, o);
            // as below for a session QEMU ends: with zero-filled memory (D22) qemu-io may do what
            // ours does, hanging there too (seed 150000000 session 5209)
            if (v.kind == Kind.DIFFER && Known.negativeErrnoRule(new Known.Case(s, q1, o))) {
                Runner.Outcome z = runner.qemuZeroedMemory(s, dir);
                if (z.hung() ? judgeHung(s, z, o).kind == Kind.KNOWN : z.sameAs(o)) {
                    return new Verdict(Kind.KNOWN, UNFILLED_BUFFER, q1);
                }
            }
            // as below: ours with QEMU's padding-read bug kept ends where QEMU hangs, as documented
            if (v.kind == Kind.DIFFER && Known.injectRule(new Known.Case(s, q1, o))) {
                Runner.Outcome b = runner.oursWithQemuPaddingRead(s, dir);
                if (!b.sameAs(o) && judgeHung(s, q1, b).kind == Kind.KNOWN) {
                    return new Verdict(Kind.KNOWN, PADDING_READ_SHOWN, q1);
                }
            }
            return v;
        }
        Runner.Outcome q2 = runner.qemu(s, dir);
        if (!q1.sameAs(q2)) {
            return new Verdict(Kind.SKIP, "QEMU nondeterministic (two runs differ)", q1);
        }
        Runner.Outcome o = runner.ours(s, dir);
        if (o.sameAs(q1)) {
            return new Verdict(Kind.AGREE, null, q1);
        }
        // One race of QEMU's thread pool can go the same way twice: before calling it a
        // difference, see whether QEMU ever prints what ours printed. A difference in the order
        // of lines alone gets more tries: such races are often lopsided (one order in 10 or 20).
        // So do image bytes alone: overlapping requests QEMU does not serialise race in its pool,
        // and the order of their reports with them
        boolean imageOnly = q1.output().equals(o.output()) && q1.exit() == o.exit();
        Known.Case c = new Known.Case(s, q1, o);
        int reruns = imageOnly || Known.ORDER.matches().test(c) || Known.ORDER_AND_IMAGE.matches().test(c)
                ? ORDER_RERUNS : RERUNS;
        if (qemuVaries(s, dir, q1, o, 0, reruns)) {
            return new Verdict(Kind.SKIP, "QEMU nondeterministic (found on a rerun)", q1);
        }
        String known = Known.classify(new Known.Case(s, q1, o));
        // a D2 kind only recognises; it counts where ours with QEMU's padding-read bug kept does
        // what qemu-io did (see below). Where not, the kind took what another explains (seed
        // 160000000 sessions 533 and 624: qemu-io's SIGFPE, D7) or what none does.
        Boolean d2Shown = null;
        if (known != null && known.startsWith("D2 ")) {
            d2Shown = paddingReadShown(s, dir, q1, o);
            if (!d2Shown) {
                known = Known.classify(new Known.Case(s, q1, o), name -> !name.startsWith("D2 "));
            }
        }
        if (known != null) {
            return new Verdict(Kind.KNOWN, known, q1);
        }
        // before a difference counts as new, the twenty tries an order gets: which of two rules
        // a pool race arms first changes lines, not only their order, as lopsidedly (seed
        // 90000000 sessions 1021 and 12350: ours' lines in 24 of 110 and 2 of 50 runs by hand,
        // in none of six). Only would-be findings pay for it, not the known ones.
        if (qemuVaries(s, dir, q1, o, reruns, ORDER_RERUNS)) {
            return new Verdict(Kind.SKIP, "QEMU nondeterministic (found on a rerun)", q1);
        }
        // a negative errno answers a read without filling its buffer, and QEMU goes on with the
        // buffer's uninitialised bytes (a refcount table read at open: seed 100000000 session
        // 10559); with glibc's memory zero-filled qemu-io does what ours does with its zeroed one
        if (Known.negativeErrnoRule(new Known.Case(s, q1, o)) && runner.qemuZeroedMemory(s, dir).sameAs(o)) {
            return new Verdict(Kind.KNOWN, UNFILLED_BUFFER, q1);
        }
        // D2 shown rather than recognised: ours again with QEMU 7.2's bug kept (a write goes on
        // past its failed padding read, with the buffer's zero bytes) prints what qemu-io printed,
        // exit status and image too (the image as qemu-io's with zero-filled memory, whose
        // padding buffer is then zeroes as ours'). Then that bug is the whole difference (seed
        // 160000000 session 12586, where the rules its pwritev_done armed met later requests)
        if (d2Shown == null && Known.injectRule(new Known.Case(s, q1, o)) && paddingReadShown(s, dir, q1, o)) {
            return new Verdict(Kind.KNOWN, PADDING_READ_SHOWN, q1);
        }
        return new Verdict(Kind.DIFFER, what(q1, o), q1);
    }

    /**
     * Whether ours with QEMU's padding-read bug kept does what qemu-io did (see {@link #judge}):
     * its output and exit status with qemu-io's image, or with that of qemu-io under zero-filled
     * memory, or all of what qemu-io does under zero-filled memory. QEMU writes its padding
     * buffer's uninitialised bytes, which may even be the block's own from a freed buffer of the
     * same size (seed 200000000 session 6390: a qcow2 refcount block padded to align=65536 keeps
     * the header in QEMU; with zeroes, in both, the header is gone and the reopen fails).
     */
    private boolean paddingReadShown(Session s, Path dir, Runner.Outcome q1, Runner.Outcome o)
            throws IOException, InterruptedException {
        Runner.Outcome b = runner.oursWithQemuPaddingRead(s, dir);
        if (b.sameAs(o)) {
            return false;
        }
        if (b.sameAs(q1)) {
            return true;
        }
        Runner.Outcome z = runner.qemuZeroedMemory(s, dir);
        return b.sameAs(z) || b.output().equals(q1.output()) && b.exit() == q1.exit() && b.md5().equals(z.md5());
    }

    static final String PADDING_READ_SHOWN =
            "D2 (shown: ours with QEMU 7.2's padding-read bug kept does what qemu-io does)";

    /** Reruns {@code from + 1 .. to} of qemu-io: whether one printed ours' outcome or another than its first. */
    private boolean qemuVaries(Session s, Path dir, Runner.Outcome q1, Runner.Outcome ours, int from, int to)
            throws IOException, InterruptedException {
        for (int i = from; i < to; i++) {
            long t = System.nanoTime();
            Runner.Outcome q = runner.qemu(s, dir);
            runner.timing.add("judge: qemu rerun " + (i + 1), t);
            if (q.sameAs(ours) || !q.sameAs(q1)) {
                return true;
            }
        }
        return false;
    }

    /**
     * A qemu-io rerun of a session its first run hung on that did not hang and printed ours' lines,
     * exit status and image, in any order: QEMU hangs there only sometimes, and where it ends, the
     * order of its lines varies with the same timing (its stdin prompts poll, D20; seed 50000000
     * session 12039: 3 orders in 15 runs that ended, none of them ours'). Another line, exit status
     * or image is no such run.
     */
    static boolean endedAsOurs(Session s, Runner.Outcome rerun, Runner.Outcome ours) {
        return !rerun.hung() && !ours.hung()
                && (rerun.sameAs(ours) || Known.ORDER.matches().test(new Known.Case(s, rerun, ours)));
    }

    /** Reruns qemu-io on a session it hung on, up to {@link #ORDER_RERUNS} times, until a run matches. */
    private boolean qemuEverPrints(Session s, Path dir, java.util.function.Predicate<Runner.Outcome> match)
            throws IOException, InterruptedException {
        for (int i = 0; i < ORDER_RERUNS; i++) {
            long t = System.nanoTime();
            Runner.Outcome q = runner.qemu(s, dir);
            runner.timing.add("judge: qemu rerun (hung) " + (i + 1), t);
            if (match.test(q)) {
                return true;
            }
        }
        return false;
    }

    static final String UNFILLED_BUFFER =
            "D22 (a negative errno leaves a read's buffer unfilled: QEMU used uninitialised bytes, zero-filled it does as ours)";

    /** How often qemu-io runs again before a difference counts (see {@link #judge}). */
    static final int RERUNS = Integer.getInteger("difftest.reruns", 4);
    static final int ORDER_RERUNS = Integer.getInteger("difftest.order.reruns", 20);

    /**
     * QEMU hung (D3-D5, D11): ours must print what QEMU printed up to the hang, then the
     * documented reason, and end. What ours printed before that reason may differ from QEMU's
     * first lines only in their order, or by a documented difference {@link Known} recognises
     * (D2: QEMU wrote a block whose RMW read a rule failed), as in a session QEMU ends.
     */
    static Verdict judgeHung(Session s, Runner.Outcome q1, Runner.Outcome o) {
        if (o.hung()) {
            return new Verdict(Kind.DIFFER, "both hang", q1);
        }
        // QEMU keeps polling while it hangs (it may print more completions); ours reports
        // the documented reason and goes on: what ours printed before that reason must be
        // what QEMU printed first
        String why = Known.hangReason(o.output());
        if (why == null) {
            if (Known.q2MappingPassedBeforeBreak(new Known.Case(s, q1, o))) {
                return new Verdict(Kind.KNOWN, Known.Q2_MAPPING, q1);
            }
            if (Known.paddingReadBreakMissedInQemu(new Known.Case(s, q1, o))) {
                return new Verdict(Kind.KNOWN, Known.D2_PADDING_READ_BREAK, q1);
            }
            return new Verdict(Kind.DIFFER, "QEMU hangs, ours ends without a documented reason", q1);
        }
        String before = o.output().substring(0, Known.hangReasonAt(o.output()));
        if (!q1.output().startsWith(before)) {
            if (Known.sameLinesWithin(before, q1.output())) {
                return new Verdict(Kind.KNOWN, Known.ORDER.name(), q1);
            }
            // judged on ours' output up to the reason: what follows a documented difference
            // (a write that failed here and not in QEMU) is its consequence, in either program
            String known = Known.classify(new Known.Case(s, q1, new Runner.Outcome(before, o.exit(), o.md5(), false)));
            if (known != null) {
                return new Verdict(Kind.KNOWN, known, q1);
            }
            return new Verdict(Kind.DIFFER, "before QEMU hung: " + Runner.firstDifference(q1.output(), o.output()), q1);
        }
        return new Verdict(Kind.KNOWN, why, q1);
    }

    static String what(Runner.Outcome q, Runner.Outcome o) {
        if (o.hung()) {
            return "ours hangs";
        }
        if (!q.output().equals(o.output())) {
            return "output, " + Runner.firstDifference(q.output(), o.output());
        }
        if (q.exit() != o.exit()) {
            return "exit status: qemu-io " + q.exit() + ", ours " + o.exit();
        }
        return "image bytes: qemu-io md5 " + q.md5() + ", ours " + o.md5();
    }

    // ---- shrinking ---------------------------------------------------------------------------

    /** True when the session still shows an unexplained difference (QEMU deterministic, no hang). */
    private boolean differs(Session s, Path dir) throws IOException, InterruptedException {
        Verdict v = judge(s, dir);
        boolean target = v.kind() == Kind.DIFFER
                || shrinkOrder && v.kind() == Kind.KNOWN && v.label().equals(Known.ORDER.name());
        return target && !v.qemu().hung(); // a session QEMU hangs on cannot be a golden
    }

    /** Removes commands (chunks, then one at a time), rule sections, stdin mode, while the difference stays. */
    Session shrink(Session s, Path dir) throws IOException, InterruptedException {
        int budget = 80;
        Session best = s;
        for (int chunk = Math.max(1, best.commands().size() / 2); chunk >= 1; chunk /= 2) {
            boolean progress = true;
            while (progress && budget > 0) {
                progress = false;
                for (int at = best.commands().size() - chunk; at >= 0 && budget > 0; at--) {
                    List<String> c = new ArrayList<>(best.commands());
                    c.subList(at, Math.min(c.size(), at + chunk)).clear();
                    Session t = best.withCommands(c);
                    budget--;
                    if (differs(t, dir)) {
                        best = t;
                        progress = true;
                        at = Math.min(at, best.commands().size() - chunk + 1);
                    }
                }
            }
        }
        if (best.stdin() && budget > 0 && differs(best.withStdin(false), dir)) {
            best = best.withStdin(false);
        }
        if (best.rules() != null) {
            String[] sections = best.rules().split("(?=\\[)");
            for (int i = sections.length - 1; i >= 0 && budget > 0; i--) {
                StringBuilder r = new StringBuilder();
                for (int j = 0; j < sections.length; j++) {
                    if (j != i) {
                        r.append(sections[j]);
                    }
                }
                Session t = best.withRules(r.toString());
                budget--;
                if (differs(t, dir)) {
                    best = t;
                    sections = best.rules().split("(?=\\[)");
                }
            }
        }
        for (int i = best.args().size() - 1; i >= 0 && budget > 0; i--) {
            List<String> a = new ArrayList<>(best.args());
            String gone = a.remove(i);
            if (gone.equals("-t") || gone.equals("-f")) {
                continue; // their values go with them below
            }
            if (i > 0 && (a.get(i - 1).equals("-t") || a.get(i - 1).equals("-f"))) {
                a.remove(i - 1);
            }
            Session t = best.withArgs(a);
            budget--;
            if (differs(t, dir)) {
                best = t;
                i = Math.min(i, best.args().size());
            }
        }
        return best;
    }

    // ---- the report --------------------------------------------------------------------------

    static void print(Report r, PrintStream out) {
        long skipped = r.skipped().values().stream().mapToLong(Long::longValue).sum();
        long known = r.known().values().stream().mapToLong(Long::longValue).sum();
        out.printf("difftest: seed %d, %d sessions in %d s: %d agreed, %d known differences, %d skipped, %d new differences%n",
                r.seed(), r.sessions(), r.millis() / 1000, r.agreed(), known, skipped, r.findings().size());
        r.skipped().forEach((k, v) -> out.printf("  skipped  %6d  %s%n", v, k));
        r.known().forEach((k, v) -> out.printf("  known    %6d  %s%n", v, k));
        for (Finding f : r.findings()) {
            out.printf("  NEW      session %d (seed %d): %s%n", f.index(), r.seed() + f.index(), f.what());
            if (f.shrunk() != null) {
                out.println(f.shrunk().describe().indent(6));
            }
        }
        out.println("coverage:");
        out.print(r.coverage().table());
    }

    /** Where the run's time went, per phase, summed over the workers. */
    void printTiming(PrintStream out) {
        out.println("time per phase (summed over workers):");
        out.print(runner.timing.table());
    }

    /** Writes each finding's shrunk session as a conformance scenario into {@code dir}. */
    static List<Path> writeScenarios(Report r, Path dir, int firstNumber) throws IOException {
        Files.createDirectories(dir);
        List<Path> written = new ArrayList<>();
        int n = firstNumber;
        for (Finding f : r.findings()) {
            if (f.shrunk() == null) {
                continue; // the generator failed on it: no session to write
            }
            String header = "Found by the differential tester (scripts/difftest.sh --seed " + r.seed() + " --first "
                    + f.index() + " -n 1), shrunk.\nWhat differed: " + f.what().replace("\n", " ");
            Path p = dir.resolve(String.format("%03d-difftest-%d.sh", n++, f.index()));
            Files.writeString(p, f.shrunk().scenario(header));
            written.add(p);
        }
        return written;
    }

    /** Prints session {@code i}, both programs' outcomes and their diff (and its shrunk form when it differs). */
    void show(long seed, int i, Path dir) throws IOException, InterruptedException {
        Session s = new Generator(seed + i, new Coverage()).session();
        showOne("session " + i, s, dir);
        if (shrink && differs(s, dir)) {
            showOne("session " + i + " shrunk", shrink(s, dir), dir);
        }
    }

    private void showOne(String title, Session s, Path dir) throws IOException, InterruptedException {
        Runner.Outcome q = runner.qemu(s, dir);
        Runner.Outcome q2 = runner.qemu(s, dir);
        Runner.Outcome o = runner.ours(s, dir);
        log.println("==== " + title);
        log.println(s.describe());
        if (!q.sameAs(q2)) {
            log.println("---- qemu-io's second run differs (exit " + q2.exit() + ", md5 " + q2.md5() + "):");
            log.println(q2.output());
        }
        log.println("---- qemu-io (exit " + q.exit() + (q.hung() ? ", HUNG" : "") + ", md5 " + q.md5() + ")");
        log.println(q.output());
        log.println("---- ours (exit " + o.exit() + (o.hung() ? ", HUNG" : "") + ", md5 " + o.md5() + ")");
        log.println(o.output());
        log.println("---- verdict: " + judge(s, dir));
        log.println(s.scenario("scenario"));
    }

    // ---- command line ------------------------------------------------------------------------

    public static void main(String[] args) throws Exception {
        long seed = System.nanoTime();
        int n = 300;
        int first = 0;
        // one more worker than cores: a worker waits on qemu-io's start and on idle probes
        int jobs = Runtime.getRuntime().availableProcessors() + 1;
        boolean shrink = true;
        boolean show = false;
        boolean shrinkOrder = false;
        Path out = Path.of("target/difftest");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "-n" -> n = Integer.parseInt(args[++i]);
                case "--seed" -> seed = parseSeed(args[++i]);
                case "--first" -> first = Integer.parseInt(args[++i]);
                case "--jobs" -> jobs = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--no-shrink" -> shrink = false;
                case "--show" -> show = true;
                case "--shrink-order" -> shrinkOrder = true;
                default -> {
                    System.err.println("usage: difftest [-n N] [--seed S] [--first I] [--jobs J] [--out DIR] [--no-shrink] [--shrink-order] [--show]");
                    System.exit(2);
                }
            }
        }
        if (!Runner.qemuInstalled()) {
            System.err.println("difftest: " + Runner.QEMU_IO + " not found; install qemu-utils (7.2)");
            System.exit(2);
        }
        Path work = Files.createTempDirectory(Path.of(tempRoot()), "difftest");
        System.out.printf("difftest: seed %d, sessions %d..%d, %d jobs, work dir %s%n", seed, first, first + n - 1, jobs, work);
        DiffTester t = new DiffTester(new Runner(3_000, OURS_TIMEOUT_MILLIS), System.out, shrink, work);
        t.shrinkOrder = shrinkOrder;
        if (show) {
            for (int i = first; i < first + n; i++) {
                t.show(seed, i, work.resolve("show"));
            }
            deleteTree(work);
            System.exit(0);
        }
        Report r = t.run(seed, first, n, jobs);
        print(r, System.out);
        t.printTiming(System.out);
        if (!r.findings().isEmpty()) {
            for (Path p : writeScenarios(r, out.resolve("scenarios"), 900)) {
                System.out.println("scenario written: " + p + " (move it to conformance/scenarios, name it, and run"
                        + " conformance/regen-goldens.sh on it)");
            }
        }
        deleteTree(work);
        System.exit(r.clean() ? 0 : 1);
    }

    static long parseSeed(String s) {
        return s.startsWith("0x") ? Long.parseUnsignedLong(s.substring(2), 16) : Long.parseLong(s);
    }

    /** Where the sessions' directories go. */
    static String tempRoot() {
        // not tmpfs: there O_DIRECT (-t none/directsync) makes QEMU probe a 4 KiB request
        // alignment, where the disks conformance/ runs on give 512
        return System.getProperty("java.io.tmpdir");
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (var walk = Files.walk(p)) {
            for (Path f : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }
}
