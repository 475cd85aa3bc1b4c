package org.blkdebug.engine.explore;

import java.util.List;

/** Picks which held request a run releases at each decision point. */
interface Decider {
    /**
     * @param depth   0 for the run's first decision
     * @param enabled the held requests, lowest key first; never empty
     * @return one of their keys, or null when the pick this run must make is not held (yet): a
     *         replay that diverged, or a request that has not arrived
     */
    Held.Key decide(int depth, List<Held> enabled);

    /** The forced picks of a replayed choice, then lowest key first. */
    static Decider replay(List<Held.Key> picks) {
        return (depth, enabled) -> depth < picks.size() ? pick(enabled, picks.get(depth)) : enabled.getFirst().key();
    }

    /** {@code want} if it is enabled, else null. */
    static Held.Key pick(List<Held> enabled, Held.Key want) {
        for (Held h : enabled) {
            if (h.key().equals(want)) {
                return want;
            }
        }
        return null;
    }
}
