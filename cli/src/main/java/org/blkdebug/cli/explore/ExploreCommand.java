package org.blkdebug.cli.explore;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import org.blkdebug.cli.report.Console;
import org.blkdebug.engine.explore.Choice;
import org.blkdebug.engine.explore.Explorer;
import org.blkdebug.engine.explore.Orders;
import org.blkdebug.engine.explore.Run;
import org.blkdebug.engine.explore.Summary;

/**
 * {@code blkdebug explore AXES... [qemu-io arguments]}: runs one scenario many times in this
 * process, one choice changed per run, and reports the outcomes (see {@link ExploreArgs#USAGE},
 * docs/explore.md).
 */
public final class ExploreCommand {
    private ExploreCommand() {
    }

    /** Runs {@code blkdebug explore ARGS}; returns the exit status (1 when a run failed). */
    public static int run(String[] args, Console console, InputStream stdin, Scenario.Parser parser) {
        ExploreArgs a;
        try {
            a = ExploreArgs.parse(args);
        } catch (ExploreArgs.Usage e) {
            console.error("blkdebug explore: " + e.getMessage());
            console.print(ExploreArgs.USAGE);
            return 1;
        }
        if (a.merge != null) {
            return Report.merge(a.merge, console);
        }
        if (a.help) {
            console.print(ExploreArgs.USAGE);
            return 0;
        }
        Scenario sc = parser.parse(a.rest);
        if (sc == null) {
            return 1;
        }
        if (a.run != null) {
            if (!sc.commands().isEmpty() || sc.filename() == null) {
                console.error("blkdebug explore: --run takes the client command and the image, no -c commands");
                return 1;
            }
        } else if (sc.commands().isEmpty()) {
            try {
                String script = new String(stdin.readAllBytes(), Charset.defaultCharset());
                sc = new Scenario(sc.args(), sc.commands(), script, sc.filename(), sc.format(), sc.cache(),
                        sc.readOnly(), sc.imageOpts());
            } catch (IOException e) {
                console.error("blkdebug explore: cannot read the script on stdin: " + e.getMessage());
                return 1;
            }
        }
        long seed = a.seed != null ? a.seed
                : a.shards > 1 ? sweepHash(a, sc, 0) : new java.util.SplittableRandom().nextLong() >>> 1;
        try {
            if (a.bench > 0) {
                return bench(a, sc, seed, console);
            }
            return sweep(a, sc, seed, console, false, true).failing() > 0 ? 1 : 0;
        } catch (IOException e) {
            console.error("blkdebug explore: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            console.error("blkdebug explore: interrupted; the sweep is incomplete");
            return 1;
        }
    }

    private static Explorer explorer(ExploreArgs a, long seed) {
        Explorer.Builder b = Explorer.builder().failEach(a.failEach).crashEach(a.crashEach).orders(a.orders).seed(seed)
                .shard(a.shard, a.shards);
        if (a.choice != null) {
            b.only(a.choice);
        }
        return b.build();
    }

    /** The sweep's identity: what it runs and how; equal for every shard of one sweep. */
    private static long sweepHash(ExploreArgs a, Scenario sc, long seed) {
        List<String> parts = new ArrayList<>(a.given);
        int i = parts.indexOf("--shard");
        if (i >= 0) {
            parts.subList(i, i + 2).clear();
        }
        parts.add("|");
        parts.addAll(sc.args());
        parts.add("|" + seed + "|" + (sc.script() == null ? "" : sc.script()));
        long h = 1125899906842597L;
        for (char c : String.join("\u0000", parts).toCharArray()) {
            h = 31 * h + c;
        }
        return h >>> 1;
    }

    /**
     * @param quiet    print nothing but what {@code showBase} asks for (a benchmark's sweeps)
     * @param showBase print the output of a base run that fails
     */
    private static Summary sweep(ExploreArgs a, Scenario sc, long seed, Console console, boolean quiet,
                                 boolean showBase) throws IOException, InterruptedException {
        Explorer ex = explorer(a, seed);
        Replays replays = new Replays(sc, a, System.getProperty("blkdebug.command", "blkdebug"));
        if (!quiet && a.choice == null) {
            long h = sweepHash(a, sc, seed);
            console.println(Report.header(String.format(Locale.ROOT, "%08x", (int) (h ^ (h >>> 32))), a.shard, a.shards));
            console.println("explore: " + describe(a) + "; scenario: " + String.join(" ",
                    sc.args().stream().map(Replays::quote).toList()));
        }
        Outcomes outcomes = null;
        boolean fired = false;
        try (Door door = a.run == null ? new ShellDoor(sc)
                : new NbdDoor(sc, a.run, a.orders == null ? Orders.at(org.blkdebug.engine.Event.NONE) : a.orders);
             Check check = a.check == null ? null : new Check(a.check)) {
            if (a.choice != null) { // a replay: its outcome reads as in the sweep, against the base run
                Explorer base = Explorer.builder().failEach(a.failEach).crashEach(a.crashEach).orders(a.orders)
                        .only(Choice.BASE).build();
                Run run = base.next();
                outcomes = new Outcomes(door.run(run).output());
                base.done(run, false, "base");
            }
            for (Run run; (run = ex.next()) != null; ) {
                Door.Result r = door.run(run);
                if (door.interrupted()) {
                    throw new InterruptedException("explore: interrupted in run " + run.planned());
                }
                if (outcomes == null) {
                    outcomes = new Outcomes(r.output()); // the first run is the base run
                }
                boolean failing;
                String label;
                if (check != null) {
                    Check.Result cr = check.run(r.image());
                    failing = !cr.ok();
                    // a crashed run's own output after the crash is only its requests failing
                    label = cr.label() + (r.status() == 0 || run.crashed() ? "" : " (" + outcomes.label(r.status(), r.output()) + ")");
                } else {
                    failing = r.status() != 0;
                    label = outcomes.label(r.status(), r.output());
                }
                ex.done(run, failing, label);
                fired |= run.fired();
                if (failing && run.planned().isBase() && a.choice == null && showBase) {
                    // the scenario fails with no choice made: every other outcome is measured against it
                    console.println("explore: the base run (no choice) fails; it printed:");
                    r.output().lines().limit(20).forEach(l -> console.println("  | " + l));
                }
                if (a.choice != null) {
                    console.print(r.output());
                    console.println("explore: " + run.choice() + (run.injected().isEmpty() ? ""
                            : " (" + String.join(", ", run.injected()) + ")") + ": " + (failing ? "FAIL " : "") + label);
                } else if (failing && run.counted() && !quiet) {
                    console.println(Report.fail(run.choice().toString(), run.injected(), label));
                    console.println(Report.replay(replays.line(run.choice())));
                }
            }
        }
        Summary s = ex.summary();
        if (!quiet) {
            if (a.failEach != null && a.choice == null && !fired) {
                console.println("explore: warning: the fail-each rule matched no request: nothing to fail");
            }
            if (s.diverged() > 0) {
                console.println("explore: warning: " + s.diverged() + " runs did not meet the requests their order"
                        + " names: the scenario is not deterministic under these choices");
            }
            if (!s.exhausted()) {
                console.println("explore: more orders than --max " + a.orders.max()
                        + ": explored that many depth-first, then sampled as many from the seed");
            }
            if (a.choice == null) {
                Report.outcomes(s.outcomes()).forEach(console::println);
            }
            console.println(s.line());
        }
        return s;
    }

    private static String describe(ExploreArgs a) {
        List<String> parts = new ArrayList<>();
        if (a.failEach != null) {
            parts.add(ExploreArgs.describe(a.failEach));
        }
        if (a.crashEach != null) {
            parts.add(ExploreArgs.describe(a.crashEach));
        }
        if (a.orders != null) {
            parts.add(ExploreArgs.describe(a.orders));
        }
        if (a.check != null) {
            parts.add("check: " + a.check);
        }
        if (a.run != null) {
            parts.add("client: " + a.run);
        }
        return String.join("; ", parts);
    }

    /** {@code --bench N}: the sweep N times after one warm-up; the median runs per second. */
    private static int bench(ExploreArgs a, Scenario sc, long seed, Console console)
            throws IOException, InterruptedException {
        Summary warm = sweep(a, sc, seed, console, true, true);
        Report.outcomes(warm.outcomes()).forEach(console::println); // what a sweep does, so its rate means something
        double[] rates = new double[a.bench];
        for (int i = 0; i < a.bench; i++) {
            Summary s = sweep(a, sc, seed, console, true, false);
            rates[i] = s.runs() / (s.time().toNanos() / 1e9);
        }
        Arrays.sort(rates);
        console.println(String.format(Locale.ROOT,
                "explore: bench: %d runs a sweep, median %.0f runs/s over %d sweeps (min %.0f, max %.0f)",
                warm.runs(), rates[rates.length / 2], rates.length, rates[0], rates[rates.length - 1]));
        return 0;
    }
}
