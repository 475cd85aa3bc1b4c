package org.blkdebug.engine.filter;

/**
 * The draws of probabilistic rules: a pure function of the device's seed, the rule, the request's
 * id and the request's own draw count, so a run is replayed from its seed however threads
 * interleave. No wall clock, no shared {@code Random}.
 */
final class Draws {
    private Draws() {
    }

    /** True with probability {@code p}. */
    static boolean draw(long seed, int rule, long request, int n, double p) {
        if (p >= 1) {
            return true;
        }
        if (p <= 0) {
            return false;
        }
        long h = mix(seed + 0x9E3779B97F4A7C15L * (rule + 1L));
        h = mix(h ^ request);
        h = mix(h + 0x632BE59BD9B4E019L * (n + 1L));
        return (h >>> 11) * 0x1.0p-53 < p;
    }

    /** SplitMix64's finaliser: every input bit affects every output bit. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
