package org.blkdebug.engine.explore;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * A sweep: hands out {@link Run}s one at a time and learns from each outcome which run comes
 * next, until the space of choices is covered. The door runs them:
 *
 * <pre>{@code
 * Explorer ex = Explorer.builder().failEach(FailEach.everyRequest()).build();
 * for (Run run; (run = ex.next()) != null; ) {
 *     boolean failing = runScenario(run);          // opens its device through run.spec/attach
 *     ex.done(run, failing, failing ? "lost a record" : "ok");
 * }
 * Summary s = ex.summary();
 * }</pre>
 *
 * <p>Order of the sweep: the base run (no choice), then fail-each k = 1, 2, ... until a run in
 * which the rule never fired (that probe is not counted); with the orders axis, each of those is
 * a tree of release orders explored depth-first ({@link OrderTree}). With {@code --shard I/N} the
 * fail counts and the first-level release choices are dealt round-robin; every shard still runs
 * what it needs to learn the shape (not counted), so the shards' counts add up to the whole.
 *
 * <p>Not thread-safe: one run at a time.
 */
public final class Explorer {
    /** Safety bound on fail-each runs: a scenario that never stops issuing requests. */
    private static final long MAX_FAIL = 10_000_000;

    private final FailEach failEach;
    private final CrashEach crashEach;
    private final Orders orders;
    private final long seed;
    private final int shard;
    private final int shards;
    private final Choice only;
    private final long startNanos = System.nanoTime();

    /** The fail count and the crash point of the runs being made now. */
    private long k;
    private long j;
    private OrderTree tree;
    private boolean firstOfPoint = true;
    private int treeRuns;
    private boolean sampling;
    private int samplesDone;
    private final Set<String> signatures = new HashSet<>();
    private boolean exhausted = true;
    private boolean over;
    private Run current;
    private int index;

    private long runs;
    private long pruned;
    private long failing;
    private long diverged;
    private final Map<String, Long> outcomes = new LinkedHashMap<>();
    private final List<Summary.Failure> failures = new ArrayList<>();

    private Explorer(Builder b) {
        this.failEach = b.failEach;
        this.crashEach = b.crashEach;
        this.orders = b.orders;
        this.seed = b.seed;
        this.shard = b.shard;
        this.shards = b.shards;
        this.only = b.only;
        if (orders != null) {
            tree = new OrderTree(shards > 1);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public long seed() {
        return seed;
    }

    public FailEach failEach() {
        return failEach;
    }

    public CrashEach crashEach() {
        return crashEach;
    }

    public Orders orders() {
        return orders;
    }

    /** The next run to make, or null when the sweep is over. Call {@link #done} for it first. */
    public Run next() {
        if (current != null) {
            throw new IllegalStateException("run " + current + " is not done");
        }
        if (over) {
            return null;
        }
        if (only != null) {
            over = true;
            Scheduler s = orders == null ? null : new Scheduler(orders.events(), Decider.replay(only.order()), null);
            current = run(only, s, only.kept() != null ? only.kept()
                    : crashEach == null ? null : crashEach.keepFor(seed, only.crash()));
            return current;
        }
        Choice planned = Choice.BASE.withFail(k).withCrash(j, null);
        Scheduler s = null;
        if (orders != null) {
            if (sampling) {
                Random r = new Random(seed * 0x9E3779B97F4A7C15L + k * 1_000_003L + j * 7919L + samplesDone);
                s = new Scheduler(orders.events(), (depth, enabled) -> enabled.get(r.nextInt(enabled.size())).key(), null);
            } else {
                planned = planned.withOrder(tree.prefix());
                s = new Scheduler(orders.events(), tree, tree);
            }
        }
        current = run(planned, s, crashEach == null ? null : crashEach.keepFor(seed, j));
        return current;
    }

    private Run run(Choice c, Scheduler s, org.blkdebug.engine.crash.CrashChoice keep) {
        return new Run(index++, c, c.fail() > 0 ? failEach.rule(c.fail()) : null, s, crashEach, keep, true);
    }

    /**
     * Records how {@code run} ended and moves the sweep on.
     *
     * @param failing whether the scenario judged the run failing
     * @param outcome the run's outcome in a few words; runs with equal outcomes are counted together
     */
    public void done(Run run, boolean failing, String outcome) {
        if (run != current) {
            throw new IllegalStateException("not the current run: " + run);
        }
        current = null;
        if (only != null) {
            record(run, true, failing, outcome);
            return;
        }
        // a probe: the run meant to fail the k-th request or crash at the j-th point found none
        boolean noFail = failEach != null && k > 0 && firstOfPoint && !run.fired() && !run.crashed();
        boolean noCrash = crashEach != null && j > 0 && firstOfPoint && !run.crashed() && run.crashFailure() == null;
        boolean probe = noFail || noCrash;
        firstOfPoint = false;
        if (orders == null) {
            record(run, !probe && owns(k, j, 0), failing, outcome);
            nextPoint(noFail, noCrash);
            return;
        }
        Scheduler s = run.scheduler();
        if (s.diverged()) {
            diverged++;
        }
        if (probe) {
            record(run, false, failing, outcome);
            nextPoint(noFail, noCrash);
            return;
        }
        if (sampling) {
            boolean fresh = signatures.add(signature(s.trace()));
            boolean mine = owns(k, j, samplesDone);
            if (!fresh && mine) {
                pruned++;
            }
            record(run, fresh && mine, failing, outcome);
            if (++samplesDone >= orders.max()) {
                nextPoint(false, false);
            }
            return;
        }
        boolean redundant = tree.redundant();
        boolean mine = owns(k, j, tree.rootIndex());
        if (redundant && mine) {
            pruned++;
        }
        boolean counted = mine && !redundant;
        record(run, counted, failing, outcome);
        signatures.add(signature(s.trace())); // sampling beyond --max repeats none of these
        if (counted) {
            treeRuns++;
        }
        boolean more = tree.endRun(s.trace());
        while (more && !owns(k, j, tree.rootIndex())) {
            more = tree.skipRoot();
        }
        if (!more) {
            pruned += tree.pruned();
            nextPoint(false, false);
        } else if (treeRuns >= orders.max()) {
            pruned += tree.pruned();
            exhausted = false;
            sampling = true;
            samplesDone = 0;
        }
    }

    private void record(Run run, boolean counted, boolean failing, String outcome) {
        run.counted(counted);
        if (!counted) {
            return;
        }
        runs++;
        outcomes.merge(outcome, 1L, Long::sum);
        if (failing) {
            this.failing++;
            failures.add(new Summary.Failure(run.choice(), outcome, run.injected()));
        }
    }

    /** Whether this shard counts the runs of (kk, jj) whose first-level release choice is {@code at}. */
    private boolean owns(long kk, long jj, int at) {
        return shards == 1 || Math.floorMod(kk * 31 + jj * 7 + Math.max(at, 0), shards) == shard;
    }

    /**
     * On to the next (fail count, crash point): the crash points of this fail count, then the next
     * fail count; a probe that found no k-th request (no j-th point) ends that dimension. Without
     * the orders axis, points another shard owns are skipped without a run, except, with crashes,
     * the crash-free first run of a fail count: every shard needs it to learn whether k exists.
     */
    private void nextPoint(boolean noFail, boolean noCrash) {
        do {
            if (noFail || (failEach == null && (crashEach == null || noCrash))) {
                over = true;
                return;
            }
            if (crashEach != null && !noCrash) {
                j++;
            } else {
                if (k >= MAX_FAIL) {
                    over = true;
                    return;
                }
                k++;
                j = 0;
            }
            noCrash = false;
        } while (orders == null && !owns(k, j, 0) && !(j == 0 && k > 0 && failEach != null && crashEach != null));
        if (orders != null) {
            tree = new OrderTree(shards > 1);
            treeRuns = 0;
            sampling = false;
            signatures.clear();
        }
        firstOfPoint = true;
    }

    /**
     * A run's order up to commutation: the requests released, and for every pair of conflicting
     * ones, which went first. Two runs with the same signature are the same order.
     */
    static String signature(List<Step> trace) {
        TreeSet<String> parts = new TreeSet<>();
        for (int j = 0; j < trace.size(); j++) {
            Held cj = trace.get(j).chosenHeld();
            parts.add(cj.key().toString());
            for (int i = 0; i < j; i++) {
                Held ci = trace.get(i).chosenHeld();
                if (ci.conflictsWith(cj)) {
                    parts.add(ci.key() + "<" + cj.key());
                }
            }
        }
        return String.join(" ", parts);
    }

    public Summary summary() {
        return new Summary(runs, pruned, failing, seed, Duration.ofNanos(System.nanoTime() - startNanos),
                outcomes, failures, diverged, exhausted);
    }

    public static final class Builder {
        private FailEach failEach;
        private CrashEach crashEach;
        private Orders orders;
        private long seed;
        private int shard;
        private int shards = 1;
        private Choice only;

        private Builder() {
        }

        public Builder failEach(FailEach f) {
            this.failEach = f;
            return this;
        }

        public Builder crashEach(CrashEach c) {
            this.crashEach = c;
            return this;
        }

        public Builder orders(Orders o) {
            this.orders = o;
            return this;
        }

        /** The seed of sampled orders (and of nothing else). */
        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        /** This sweep is shard {@code index} (from 0) of {@code count}. */
        public Builder shard(int index, int count) {
            if (count < 1 || index < 0 || index >= count) {
                throw new IllegalArgumentException("shard " + index + " of " + count);
            }
            this.shard = index;
            this.shards = count;
            return this;
        }

        /** Makes the one run {@code c} names, nothing else (a replay). */
        public Builder only(Choice c) {
            this.only = c;
            return this;
        }

        public Explorer build() {
            if (only != null && only.fail() > 0 && failEach == null) {
                throw new IllegalArgumentException("choice " + only + " fails a request: give the fail-each axis");
            }
            if (only != null && only.crash() > 0 && crashEach == null) {
                throw new IllegalArgumentException("choice " + only + " crashes: give the crash-each axis");
            }
            if (only != null && !only.order().isEmpty() && orders == null) {
                throw new IllegalArgumentException("choice " + only + " orders requests: give the orders axis");
            }
            return new Explorer(this);
        }
    }
}
