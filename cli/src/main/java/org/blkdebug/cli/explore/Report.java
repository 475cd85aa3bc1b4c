package org.blkdebug.cli.explore;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.blkdebug.cli.report.Console;

/**
 * The sweep's report, as text that people read and {@code explore --merge} reads back:
 *
 * <pre>
 * explore: sweep 5d1c09a3, shard 1/1
 * explore: fail-each: event none, errno 5 (Input/output error), once; scenario: -f raw -c 'write 0 4k' disk.img
 * FAIL fail:1 (write 0+4096): exit 1: write failed: Input/output error
 *   replay: ./blkdebug -s -f raw -c 'write 0 4k' blkdebug:explore-out/fail-1.ini:disk.img
 * outcomes:
 *        1  ok
 *        1  exit 1: write failed: Input/output error
 * explore: 2 runs, 0 pruned, 1 failing, seed 0, 0.01 s
 * </pre>
 */
final class Report {
    static final Pattern SWEEP = Pattern.compile("^explore: sweep (\\S+), shard (\\d+)/(\\d+)$");
    static final Pattern OUTCOME = Pattern.compile("^ +(\\d+)  (.*)$");
    static final Pattern LAST = Pattern.compile(
            "^explore: (\\d+) runs, (\\d+) pruned, (\\d+) failing, seed (-?\\d+), ([0-9.]+) s$");

    /** One shard's report, read back. */
    record Parsed(String sweep, int shard, int shards, String description, List<String> failures,
                  Map<String, Long> outcomes, List<String> notes, long runs, long pruned, long failing, long seed,
                  double seconds) {
    }

    private Report() {
    }

    static String header(String sweep, int shard, int shards) {
        return "explore: sweep " + sweep + ", shard " + (shard + 1) + "/" + shards;
    }

    static String fail(String choice, List<String> injected, String outcome) {
        return "FAIL " + choice + (injected.isEmpty() ? "" : " (" + String.join(", ", injected) + ")") + ": " + outcome;
    }

    static String replay(String line) {
        return "  replay: " + line;
    }

    static List<String> outcomes(Map<String, Long> outcomes) {
        List<String> lines = new ArrayList<>();
        lines.add("outcomes:");
        outcomes.forEach((label, n) -> lines.add(String.format(Locale.ROOT, "%8d  %s", n, label)));
        return lines;
    }

    static String last(long runs, long pruned, long failing, long seed, double seconds) {
        return String.format(Locale.ROOT, "explore: %d runs, %d pruned, %d failing, seed %d, %.2f s",
                runs, pruned, failing, seed, seconds);
    }

    static Parsed parse(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.size() < 3) {
            throw new IOException(file + ": not an explore report");
        }
        Matcher h = SWEEP.matcher(lines.getFirst());
        Matcher l = LAST.matcher(lines.getLast());
        if (!h.matches() || !l.matches()) {
            throw new IOException(file + ": not an explore report (its first line names the sweep, its last one"
                    + " counts the runs)");
        }
        List<String> failures = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        Map<String, Long> outcomes = new LinkedHashMap<>();
        boolean inOutcomes = false;
        for (String line : lines.subList(2, lines.size() - 1)) {
            Matcher o = OUTCOME.matcher(line);
            if (line.equals("outcomes:")) {
                inOutcomes = true;
            } else if (inOutcomes && o.matches()) {
                outcomes.merge(o.group(2), Long.parseLong(o.group(1)), Long::sum);
            } else if (line.startsWith("FAIL ") || line.startsWith("  replay: ")) {
                failures.add(line);
            } else {
                notes.add(line);
            }
        }
        return new Parsed(h.group(1), Integer.parseInt(h.group(2)), Integer.parseInt(h.group(3)), lines.get(1),
                failures, outcomes, notes, Long.parseLong(l.group(1)), Long.parseLong(l.group(2)),
                Long.parseLong(l.group(3)), Long.parseLong(l.group(4)), Double.parseDouble(l.group(5)));
    }

    /**
     * {@code explore --merge}: one report for the whole sweep. The reports must come from one sweep
     * (same id); every shard should be there once, else it says which are missing or repeated.
     * The time is the longest shard's (the sweep's wall time when the shards ran side by side).
     */
    static int merge(List<String> files, Console console) {
        List<Parsed> parts = new ArrayList<>();
        for (String f : files) {
            try {
                parts.add(parse(Path.of(f)));
            } catch (IOException | RuntimeException e) {
                console.error("blkdebug explore --merge: " + e.getMessage());
                return 1;
            }
        }
        Parsed first = parts.getFirst();
        for (Parsed p : parts) {
            if (!p.sweep().equals(first.sweep()) || p.shards() != first.shards()) {
                console.error("blkdebug explore --merge: the reports are from different sweeps (" + first.sweep()
                        + " of " + first.shards() + " shards, " + p.sweep() + " of " + p.shards() + ")");
                return 1;
            }
        }
        long runs = 0;
        long pruned = 0;
        long failing = 0;
        double seconds = 0;
        int[] seen = new int[first.shards()];
        Map<String, Long> outcomes = new LinkedHashMap<>();
        console.println("explore: sweep " + first.sweep() + ", merged " + parts.size() + " of " + first.shards()
                + " shards");
        console.println(first.description());
        for (Parsed p : parts) {
            seen[p.shard() - 1]++;
            runs += p.runs();
            pruned += p.pruned();
            failing += p.failing();
            seconds = Math.max(seconds, p.seconds());
            p.outcomes().forEach((k, v) -> outcomes.merge(k, v, Long::sum));
            p.failures().forEach(console::println);
            p.notes().forEach(console::println);
        }
        for (int i = 0; i < seen.length; i++) {
            if (seen[i] != 1) {
                console.println("explore: warning: shard " + (i + 1) + "/" + seen.length
                        + (seen[i] == 0 ? " is missing" : " was given " + seen[i] + " times"));
            }
        }
        outcomes(outcomes).forEach(console::println);
        console.println(last(runs, pruned, failing, first.seed(), seconds));
        return failing > 0 ? 1 : 0;
    }
}
