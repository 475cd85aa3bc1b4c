package org.blkdebug.engine.explore;

import java.util.Objects;
import org.blkdebug.engine.Event;
import org.blkdebug.engine.crash.CrashChoice;

/**
 * The crash-each axis (docs/faults.md has the crash model): run j loses power at the j-th
 * {@link Point} and leaves one state the volatile write cache allows, as {@link #keep} picks it;
 * the sweep stops at the first run that never reaches its point. What survived is judged by the
 * door: {@code --check} on the image, or a JUnit test's recovery.
 *
 * @param point where the power goes
 * @param keep  which volatile writes survive: {@code --keep none} (only the durable ones, the
 *              default), or {@code --keep random [--torn]}, which run j draws from the sweep's
 *              seed and j and names exactly in its choice
 */
public record CrashEach(Point point, CrashChoice keep) {
    /** Where a run crashes. */
    public enum Point {
        /**
         * When the j-th flush starts, before it makes anything durable: the writes since the last
         * flush are volatile (each persistence point's epoch, CrashMonkey's and xfstests' unit).
         */
        FLUSH("flush", Event.FLUSH_TO_OS),
        /** Right after the j-th write reached the disk's cache ({@code pwritev_done}). */
        WRITE("write", Event.PWRITEV_DONE);

        private final String name;
        private final Event event;

        Point(String name, Event event) {
            this.name = name;
            this.event = event;
        }

        /** The event the crash waits for. */
        public Event event() {
            return event;
        }

        @Override
        public String toString() {
            return name;
        }

        public static Point byName(String s) {
            for (Point p : values()) {
                if (p.name.equals(s)) {
                    return p;
                }
            }
            throw new IllegalArgumentException("crash-each wants flush or write, not '" + s + "'");
        }
    }

    public CrashEach {
        Objects.requireNonNull(point, "point");
        Objects.requireNonNull(keep, "keep");
        if (!(keep instanceof CrashChoice.Durable || keep instanceof CrashChoice.All
                || keep instanceof CrashChoice.Random)) {
            throw new IllegalArgumentException("crash-each keeps none, all or random, not " + keep);
        }
    }

    /** Only what is durable survives. */
    public static CrashEach at(Point p) {
        return new CrashEach(p, new CrashChoice.Durable());
    }

    /** The state choice of run {@code j}: a random one gets its own seed from the sweep's. */
    CrashChoice keepFor(long sweepSeed, long j) {
        return keep instanceof CrashChoice.Random r
                ? new CrashChoice.Random(sweepSeed * 0x9E3779B97F4A7C15L + j, r.torn()) : keep;
    }

    @Override
    public String toString() {
        return "crash-each " + point + " " + keep;
    }
}
