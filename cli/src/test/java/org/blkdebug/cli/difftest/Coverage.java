package org.blkdebug.cli.difftest;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the generated sessions exercised, by category: commands, command flags, cache modes, open
 * forms, node options, rule keys, breakpoint events, and the events reached (a breakpoint on them
 * suspended a request in qemu-io, seen in its output). Thread-safe.
 */
final class Coverage {
    private final Map<String, Map<String, LongAdder>> hits = new ConcurrentHashMap<>();

    void hit(String category, String key) {
        hits.computeIfAbsent(category, c -> new ConcurrentHashMap<>())
                .computeIfAbsent(key, k -> new LongAdder()).increment();
    }

    long count(String category, String key) {
        Map<String, LongAdder> m = hits.get(category);
        LongAdder a = m == null ? null : m.get(key);
        return a == null ? 0 : a.sum();
    }

    /** One line per category: {@code category (N): key count, key count, ...}; missing events listed. */
    String table() {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Map<String, LongAdder>> c : new TreeMap<>(hits).entrySet()) {
            TreeMap<String, Long> keys = new TreeMap<>();
            c.getValue().forEach((k, v) -> keys.put(k, v.sum()));
            sb.append(String.format("  %-20s (%d):", c.getKey(), keys.size()));
            keys.forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
            sb.append('\n');
        }
        Map<String, LongAdder> reached = hits.getOrDefault("event reached", Map.of());
        TreeMap<String, Boolean> missing = new TreeMap<>();
        for (String e : Generator.RAW_EVENTS) {
            if (!reached.containsKey(e)) {
                missing.put(e, true);
            }
        }
        sb.append(String.format("  %-20s : %s%n", "raw events not reached",
                missing.isEmpty() ? "none" : String.join(" ", missing.keySet())));
        return sb.toString();
    }
}
