package org.blkdebug.engine.explore;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.blkdebug.engine.EventName;

/**
 * The orders axis: every request that reaches one of {@link #events} is held there, and the held requests
 * are released one at a time in every distinct order (partial-order reduction: see
 * {@link Held#conflictsWith}). Beyond {@link #max} runs of one tree the depth-first search stops
 * and as many orders again are sampled at random, from the sweep's seed.
 *
 * @param settle how long the automatic scheduler waits for the scenario to go quiet before it
 *               decides (JUnit, NBD; the shell tells it exactly and never waits)
 */
public record Orders(List<EventName> events, int max, Duration settle) {
    public static final int DEFAULT_MAX = 1000;
    public static final Duration DEFAULT_SETTLE = Duration.ofMillis(5);

    public Orders {
        events = List.copyOf(events);
        if (events.isEmpty()) {
            throw new IllegalArgumentException("no event to hold requests at");
        }
        Objects.requireNonNull(settle, "settle");
        if (max < 1) {
            throw new IllegalArgumentException("max must be at least 1: " + max);
        }
    }

    public static Orders at(EventName... events) {
        return new Orders(List.of(events), DEFAULT_MAX, DEFAULT_SETTLE);
    }

    public Orders withMax(int m) {
        return new Orders(events, m, settle);
    }

    public Orders withSettle(Duration s) {
        return new Orders(events, max, s);
    }
}
