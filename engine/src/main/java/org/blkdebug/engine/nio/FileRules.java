package org.blkdebug.engine.nio;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.blkdebug.engine.CacheMode;
import org.blkdebug.engine.CustomEvent;
import org.blkdebug.engine.Rule;

/**
 * The blkdebug rules for the files whose path matches {@link #glob}: a file that matches is
 * opened through its own blkdebug device with these rules.
 *
 * @param glob   a {@link java.nio.file.FileSystem#getPathMatcher glob}, matched against the path
 *               relative to the file system's root ({@code "*.wal"}: top-level only,
 *               {@code "**.wal"}: at any depth); a {@code "regex:"} prefix makes it a regex
 * @param config a blkdebug INI rule file (QEMU's {@code config=}), read when the device opens,
 *               or null; its rules go before {@link #rules}, as QEMU orders them
 * @param rules  inject-error, inject-delay and set-state rules, and {@link Rule.Suspend} breakpoints that are
 *               set as soon as the device opens (one-shot, as {@code break}); a
 *               {@link CustomEvent} they name is declared on the device, so the test can fire it
 *               there ({@code fs.device(path).orElseThrow().event("arm")})
 * @param cache  the device's cache mode; writeback by default, so only {@code force} flushes
 * @param seed   what probabilistic rules draw from on each matching file's device (given back to
 *               replay a run), or null for a fresh one per device ({@code Device.seed()} tells it)
 */
public record FileRules(String glob, String config, List<Rule> rules, CacheMode cache, Long seed) {
    public FileRules(String glob, String config, List<Rule> rules, CacheMode cache) {
        this(glob, config, rules, cache, null);
    }

    public FileRules {
        Objects.requireNonNull(glob, "glob");
        rules = List.copyOf(rules);
        cache = cache == null ? CacheMode.WRITEBACK : cache;
    }

    /** Rules given in code. */
    public static FileRules of(String glob, Rule... rules) {
        return new FileRules(glob, null, List.of(rules), CacheMode.WRITEBACK);
    }

    /** Rules from a blkdebug INI file, then {@code more}. */
    public static FileRules config(String glob, String iniPath, Rule... more) {
        return new FileRules(glob, Objects.requireNonNull(iniPath, "iniPath"), List.of(more), CacheMode.WRITEBACK);
    }

    public FileRules withCache(CacheMode mode) {
        return new FileRules(glob, config, rules, mode, seed);
    }

    /** Probabilistic rules draw from {@code seed} on every matching file's device. */
    public FileRules withSeed(long seed) {
        return new FileRules(glob, config, rules, cache, seed);
    }

    /** The matcher syntax and pattern for {@link java.nio.file.FileSystem#getPathMatcher}. */
    String syntaxAndPattern() {
        return glob.startsWith("glob:") || glob.startsWith("regex:") ? glob : "glob:" + glob;
    }

    /**
     * The custom events the rules name, each once, in order: the device declares them, so a test
     * can fire one on a file's device ({@code device.event("arm")}) to arm a rule at the moment it
     * chooses.
     */
    String[] customEvents() {
        return rules.stream().map(Rule::event).filter(CustomEvent.class::isInstance)
                .map(e -> ((CustomEvent) e).name()).distinct().toArray(String[]::new);
    }

    <T extends Rule> List<T> rulesOf(Class<T> kind) {
        List<T> out = new ArrayList<>();
        for (Rule r : rules) {
            if (kind.isInstance(r)) {
                out.add(kind.cast(r));
            }
        }
        return out;
    }
}
