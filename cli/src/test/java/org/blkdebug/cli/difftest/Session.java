package org.blkdebug.cli.difftest;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One generated qemu-io session: the image it starts from, an optional rule file, the program's
 * arguments and its commands, given with {@code -c} or on stdin. Paths are written with the
 * placeholder {@link #DIR}, replaced by the session's temp dir when it runs and by
 * {@code $TEST_DIR} when it becomes a conformance scenario.
 *
 * @param format    "raw" or "qcow2": the image file made before the session
 * @param size      the image's length in bytes (any length for raw; qcow2's virtual size)
 * @param qcow2Opts qemu-img create's {@code -o} for a qcow2 image, or ""
 * @param rules     the rule file {@code DIR/rules.conf}, or null for none
 * @param args      options before the file name
 * @param file      the file name argument, or null (the commands then start with {@code open})
 * @param commands  the commands
 * @param stdin     true: commands on stdin (prompts); false: one {@code -c} each
 * @param hangs     the documented difference this session is expected to hit because QEMU hangs
 *                  ("D3", "D11", ...), or null when both programs should agree
 */
record Session(String format, long size, String qcow2Opts, String rules, List<String> args, String file,
               List<String> commands, boolean stdin, String hangs) {
    static final String DIR = "@DIR@";

    Session {
        args = List.copyOf(args);
        commands = List.copyOf(commands);
    }

    String imageName() {
        return format.equals("qcow2") ? "t.qcow2" : "t.raw";
    }

    Session withCommands(List<String> c) {
        return new Session(format, size, qcow2Opts, rules, args, file, c, stdin, hangs);
    }

    Session withRules(String r) {
        return new Session(format, size, qcow2Opts, r, args, file, commands, stdin, hangs);
    }

    Session withArgs(List<String> a) {
        return new Session(format, size, qcow2Opts, rules, a, file, commands, stdin, hangs);
    }

    Session withStdin(boolean s) {
        return new Session(format, size, qcow2Opts, rules, args, file, commands, s, hangs);
    }

    /** The full argument vector (after the program name) with {@link #DIR} replaced by {@code dir}. */
    List<String> argv(String dir) {
        List<String> out = new ArrayList<>();
        for (String a : args) {
            out.add(a.replace(DIR, dir));
        }
        if (!stdin) {
            for (String c : commands) {
                out.add("-c");
                out.add(c.replace(DIR, dir));
            }
        }
        if (file != null) {
            out.add(file.replace(DIR, dir));
        }
        return out;
    }

    /** What stdin mode feeds the program (each command and its newline). */
    String stdinText(String dir) {
        return commands.stream().map(c -> c.replace(DIR, dir) + "\n").collect(Collectors.joining());
    }

    /** The session as a conformance scenario (conformance/README.md): header, rule file, the call, md5sum. */
    String scenario(String header) {
        StringBuilder sb = new StringBuilder();
        for (String line : header.split("\n")) {
            sb.append("# ").append(line).append('\n');
        }
        if (format.equals("qcow2")) {
            sb.append("# image-format: qcow2\n");
            if (!qcow2Opts.isEmpty()) {
                sb.append("# image-options: ").append(qcow2Opts).append('\n');
            }
        }
        if (size != (1L << 20)) {
            sb.append("# image-size: ").append(size).append('\n');
        }
        if (rules != null) {
            sb.append("cat > \"$TEST_DIR/rules.conf\" <<'RULES'\n").append(rules);
            if (!rules.endsWith("\n")) {
                sb.append('\n');
            }
            sb.append("RULES\n");
        }
        String call = argv(DIR).stream().map(Session::shellWord).collect(Collectors.joining(" "));
        if (stdin) {
            sb.append("$QEMU_IO ").append(call).append(" <<CMDS\n");
            for (String c : commands) {
                sb.append(c.replace(DIR, "$TEST_DIR").replace("\\", "\\\\").replace("`", "\\`")).append('\n');
            }
            sb.append("CMDS\n");
        } else {
            sb.append("$QEMU_IO ").append(call).append('\n');
        }
        sb.append("md5sum < \"$IMG\"\n");
        return sb.toString();
    }

    /** A word for bash: double-quoted when needed, with {@link #DIR} as {@code $TEST_DIR}. */
    static String shellWord(String w) {
        if (w.matches("[A-Za-z0-9_./:=,+@-]+") && !w.contains(DIR)) {
            return w;
        }
        String q = w.replace("\\", "\\\\").replace("\"", "\\\"").replace("$", "\\$").replace("`", "\\`");
        return "\"" + q.replace(DIR, "$TEST_DIR") + "\"";
    }

    /** A short human form for reports. */
    String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append("image ").append(format).append(' ').append(size);
        if (!qcow2Opts.isEmpty()) {
            sb.append(" (").append(qcow2Opts).append(')');
        }
        sb.append('\n');
        if (rules != null) {
            sb.append("rules.conf:\n").append(rules.indent(2));
        }
        sb.append(stdin ? "stdin: " : "").append(argv(DIR).stream().map(Session::shellWord)
                .collect(Collectors.joining(" ")));
        if (stdin) {
            sb.append("\n").append(String.join("\n", commands).indent(2));
        }
        return sb.toString();
    }
}
