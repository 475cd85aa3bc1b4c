package org.blkdebug.cli.report;

/** qemu-io's {@code timestr} and {@code tdiv} over an elapsed time in nanoseconds. */
public final class Times {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private Times() {
    }

    /**
     * {@code 00.12 sec} below one second, else {@code H:MM:SS.ss}; {@code verbose} (qemu-io's
     * {@code -C}) always uses the long form.
     */
    public static String timestr(long elapsedNanos, boolean verbose) {
        long sec = Math.floorDiv(elapsedNanos, NANOS_PER_SECOND);
        double frac = Math.floorMod(elapsedNanos, NANOS_PER_SECOND) / 1e9;
        if (verbose || sec != 0) {
            long hours = sec / 3600;
            long minutes = (sec % 3600) / 60;
            return hours + ":" + String.format(java.util.Locale.ROOT, "%02d", minutes) + ":" + CFormat.zeroPadded52(sec % 60 + frac);
        }
        return CFormat.zeroPadded52(frac) + " sec";
    }

    /** {@code value} per second of {@code elapsedNanos}. */
    public static double perSecond(double value, long elapsedNanos) {
        long sec = Math.floorDiv(elapsedNanos, NANOS_PER_SECOND);
        double seconds = sec + Math.floorMod(elapsedNanos, NANOS_PER_SECOND) / 1e9;
        return value / seconds;
    }
}
