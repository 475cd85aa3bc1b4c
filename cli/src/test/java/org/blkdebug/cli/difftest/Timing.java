package org.blkdebug.cli.difftest;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Where a run's wall time goes, per phase (image preparation, each qemu-io run, ours, md5s):
 * summed over all workers and printed with the report, so a change to the tester's speed is
 * measured rather than guessed.
 */
final class Timing {
    private record Sum(LongAdder nanos, LongAdder count) {
    }

    private final Map<String, Sum> phases = new ConcurrentHashMap<>();

    /** Adds the time since {@code startNanos} to {@code phase}; returns now, the next phase's start. */
    long add(String phase, long startNanos) {
        long now = System.nanoTime();
        Sum s = phases.computeIfAbsent(phase, k -> new Sum(new LongAdder(), new LongAdder()));
        s.nanos().add(now - startNanos);
        s.count().increment();
        return now;
    }

    /** One line a phase: its count, total and mean, largest total first. */
    String table() {
        Map<String, Sum> sorted = new TreeMap<>(phases);
        StringBuilder sb = new StringBuilder();
        sorted.entrySet().stream()
                .sorted((a, b) -> Long.compare(b.getValue().nanos().sum(), a.getValue().nanos().sum()))
                .forEach(e -> {
                    long n = e.getValue().count().sum();
                    long ms = TimeUnit.NANOSECONDS.toMillis(e.getValue().nanos().sum());
                    sb.append(String.format("  %-34s %6d x %8d ms total %8.1f ms mean%n", e.getKey(), n, ms,
                            n == 0 ? 0.0 : (double) ms / n));
                });
        return sb.toString();
    }
}
