package org.blkdebug.cli.explore;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Names a run's outcome in one line: its verdict and the first line of its output that the base
 * run (no choice) did not print, e.g. {@code exit 1: write failed: Input/output error}. Timing
 * lines and explore's own hold messages are left out first, so equal outcomes read equal.
 */
final class Outcomes {
    /** qemu-io's statistics line ({@code 4 KiB, 1 ops; 00.00 sec (...)}): timing, not outcome. */
    private static final Pattern STATS = Pattern.compile("^\\S+ (bytes|[KMGTPE]iB), \\d+ ops; .*");
    private static final Pattern HOLD = Pattern.compile("^blkdebug: (Suspended|Resuming) request 'explore#[0-9]+'$");
    private static final String PROMPT = "qemu-io> ";

    private final Map<String, Integer> base = new HashMap<>();

    /** @param baseOutput what the base run printed */
    Outcomes(String baseOutput) {
        for (String l : lines(baseOutput)) {
            base.merge(l, 1, Integer::sum);
        }
    }

    /** The output's lines that say something about the outcome. */
    static List<String> lines(String output) {
        List<String> out = new ArrayList<>();
        for (String raw : output.split("\n", -1)) {
            String l = raw;
            while (l.startsWith(PROMPT)) {
                l = l.substring(PROMPT.length());
            }
            l = l.strip();
            if (!l.isEmpty() && !STATS.matcher(l).matches() && !HOLD.matcher(l).matches()) {
                out.add(l);
            }
        }
        return out;
    }

    /** The first line of {@code output} beyond what the base run printed, or null. */
    String firstNew(String output) {
        Map<String, Integer> left = new HashMap<>(base);
        for (String l : lines(output)) {
            Integer n = left.get(l);
            if (n == null || n == 0) {
                return l;
            }
            left.put(l, n - 1);
        }
        return null;
    }

    /** {@code ok} or {@code exit N}, and what the run printed that the base run did not. */
    String label(int status, String output) {
        String verdict = status == 0 ? "ok" : "exit " + status;
        String line = firstNew(output);
        return line == null ? verdict : verdict + ": " + line;
    }
}
