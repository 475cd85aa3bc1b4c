package org.blkdebug.cli.explore;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import org.blkdebug.engine.IoType;
import org.blkdebug.engine.explore.Choice;
import org.blkdebug.engine.explore.FailEach;

/**
 * The line that reproduces one failing run alone. A fail-each run of a scenario that opens the
 * image named on its command line becomes a plain rule file ({@code skip = "N"}) and the same
 * command line with {@code -s}, which any blkdebug replays without explore and without changing
 * the image. Any other run (an order, a script that opens images itself, a {@code json:} or
 * {@code --image-opts} image) replays with {@code explore --choice}.
 */
final class Replays {
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_./:=,+@%^-]+");

    private final Scenario scenario;
    private final ExploreArgs args;
    private final Path out;
    private final String program;
    private Path script;

    Replays(Scenario scenario, ExploreArgs args, String program) {
        this.scenario = scenario;
        this.args = args;
        this.out = Path.of(args.out);
        this.program = program;
    }

    /** The replay line of the run {@code c} names; writes its files (rule file, script) under --out. */
    String line(Choice c) throws IOException {
        List<String> words = new ArrayList<>();
        words.add(program);
        String filename = scenario.filename();
        boolean ruleFile = args.run == null && c.order().isEmpty() && c.fail() > 0 && filename != null && !scenario.imageOpts()
                && !filename.startsWith("json:") && !opensImages() && scenario.args().contains(filename);
        if (c.isBase() && args.orders == null && args.run == null) { // the scenario itself fails
            if (!scenario.args().contains("-s") && !scenario.args().contains("--snapshot")) {
                words.add("-s");
            }
            words.addAll(scenario.args());
        } else if (ruleFile) {
            Path ini = writeRuleFile(c.fail(), filename);
            String image = filename.startsWith("blkdebug:") ? filename.substring(filename.indexOf(':', 9) + 1) : filename;
            if (!scenario.args().contains("-s") && !scenario.args().contains("--snapshot")) {
                words.add("-s");
            }
            int at = scenario.args().lastIndexOf(filename);
            for (int i = 0; i < scenario.args().size(); i++) {
                words.add(i == at ? "blkdebug:" + ini + ":" + image : scenario.args().get(i));
            }
        } else {
            words.add("explore");
            words.addAll(args.given);
            removeOption(words, "--choice");
            removeOption(words, "--shard");
            words.add("--choice");
            words.add(c.toString());
            words.addAll(scenario.args());
        }
        StringBuilder sb = new StringBuilder();
        for (String w : words) {
            sb.append(sb.isEmpty() ? "" : " ").append(quote(w));
        }
        if (scenario.script() != null) {
            sb.append(" < ").append(quote(scriptFile().toString()));
        }
        return sb.toString();
    }

    private static void removeOption(List<String> words, String name) {
        int i = words.indexOf(name);
        if (i >= 0 && i + 1 < words.size()) {
            words.remove(i + 1);
            words.remove(i);
        }
    }

    /** Whether the script opens images itself (then a rule file on the command line would not reach them). */
    private boolean opensImages() {
        List<String> lines = scenario.script() == null ? scenario.commands() : scenario.script().lines().toList();
        for (String l : lines) {
            String first = l.strip().split(" ", 2)[0];
            if (first.equals("open") || first.equals("o")) {
                return true;
            }
        }
        return false;
    }

    private Path writeRuleFile(long k, String filename) throws IOException {
        Files.createDirectories(out);
        StringBuilder ini = new StringBuilder();
        if (filename.startsWith("blkdebug:")) {
            String config = filename.substring(9, filename.indexOf(':', 9));
            if (!config.isEmpty()) {
                ini.append("# the scenario's own rules, from ").append(config).append('\n');
                ini.append(Files.readString(Path.of(config), StandardCharsets.ISO_8859_1));
                ini.append("\n\n");
            }
        }
        FailEach f = args.failEach;
        ini.append("# explore: fail the request this rule matches after letting ").append(k - 1)
                .append(" pass (choice fail:").append(k).append(")\n");
        ini.append("[inject-error]\n");
        ini.append("event = \"").append(f.event().eventName()).append("\"\n");
        for (IoType t : IoType.values()) {
            if (f.iotypeMask() != IoType.DEFAULT_MASK && (f.iotypeMask() & t.bit()) != 0) {
                ini.append("iotype = \"").append(t.qemuName()).append("\"\n");
            }
        }
        ini.append("errno = \"").append(f.errno()).append("\"\n");
        ini.append("once = \"").append(f.persistent() ? "off" : "on").append("\"\n");
        ini.append("skip = \"").append(k - 1).append("\"\n");
        Path p = out.resolve("fail-" + k + ".ini");
        Files.writeString(p, ini, StandardCharsets.ISO_8859_1);
        return p;
    }

    private Path scriptFile() throws IOException {
        if (script == null) {
            Files.createDirectories(out);
            script = out.resolve("script");
            Files.writeString(script, scenario.script(), StandardCharsets.UTF_8);
        }
        return script;
    }

    /** A word as a POSIX shell reads it back. */
    static String quote(String w) {
        if (!w.isEmpty() && SAFE.matcher(w).matches()) {
            return w;
        }
        return "'" + w.replace("'", "'\\''") + "'";
    }
}
