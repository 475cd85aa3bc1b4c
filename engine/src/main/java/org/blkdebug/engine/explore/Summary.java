package org.blkdebug.engine.explore;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What a sweep found.
 *
 * @param runs      runs whose outcome counts (a shard's own; repeats and discovery runs excluded)
 * @param pruned    choices not run because they are equivalent to one that was: release orders
 *                  that only swap commuting requests, runs that repeated an explored order
 * @param failing   counted runs the scenario judged failing
 * @param outcomes  distinct outcomes in the order first seen, with how many runs had each
 * @param failures  every failing run, in run order
 * @param diverged  runs whose forced releases did not come back (the scenario is not
 *                  deterministic under these choices)
 * @param exhausted false when the orders axis stopped at its bound and sampled the rest
 */
public record Summary(long runs, long pruned, long failing, long seed, Duration time,
                      Map<String, Long> outcomes, List<Failure> failures, long diverged, boolean exhausted) {
    public Summary {
        outcomes = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(outcomes));
        failures = List.copyOf(failures);
    }

    /** A failing run: the choice that replays it alone, its outcome, what its rule failed. */
    public record Failure(Choice choice, String outcome, List<String> injected) {
        public Failure {
            injected = List.copyOf(injected);
        }
    }

    /** The closing line: {@code explore: N runs, P pruned, F failing, seed S, T s}. */
    public String line() {
        return String.format(java.util.Locale.ROOT, "explore: %d runs, %d pruned, %d failing, seed %d, %.2f s",
                runs, pruned, failing, seed, time.toNanos() / 1e9);
    }
}
