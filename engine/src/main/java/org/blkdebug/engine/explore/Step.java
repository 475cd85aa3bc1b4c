package org.blkdebug.engine.explore;

import java.util.List;

/**
 * One decision of a run: the requests held at that moment (by key), the one released, and those
 * that arrived since the previous release (so were caused by it, as far as anyone can tell).
 */
record Step(List<Held> enabled, Held.Key chosen, List<Held.Key> arrivals) {
    Held held(Held.Key k) {
        for (Held h : enabled) {
            if (h.key().equals(k)) {
                return h;
            }
        }
        return null;
    }

    Held chosenHeld() {
        return held(chosen);
    }
}
