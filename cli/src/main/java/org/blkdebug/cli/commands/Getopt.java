package org.blkdebug.cli.commands;

import java.util.ArrayList;
import java.util.List;

/**
 * The part of glibc's {@code getopt} that decides which invalid option or missing argument a
 * qemu-io command reports first. picocli parses the options; this scan only finds the first
 * error getopt would hit, in getopt's order (options anywhere, {@code --} ends them, clusters
 * like {@code -qv}, {@code -P5} or {@code -P 5}).
 */
final class Getopt {
    private Getopt() {
    }

    /**
     * The first structural error, with the arguments before it (options only, and the valid
     * prefix of the cluster that holds it), so their values can be checked first as getopt would.
     */
    record Failure(String message, List<String> before) {
    }

    /** Returns null when getopt would accept every option. */
    static Failure scan(String command, String optstring, List<String> args) {
        List<String> before = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--")) {
                return null;
            }
            if (a.length() < 2 || a.charAt(0) != '-') {
                continue; // a positional; glibc permutes it to the end
            }
            for (int k = 1; k < a.length(); k++) {
                char c = a.charAt(k);
                int at = c == ':' ? -1 : optstring.indexOf(c);
                if (at < 0) {
                    if (k > 1) {
                        before.add(a.substring(0, k));
                    }
                    return new Failure(command + ": invalid option -- '" + c + "'", before);
                }
                boolean takesArg = at + 1 < optstring.length() && optstring.charAt(at + 1) == ':';
                if (takesArg) {
                    if (k + 1 == a.length()) {
                        if (i + 1 == args.size()) {
                            if (k > 1) {
                                before.add(a.substring(0, k));
                            }
                            return new Failure(command + ": option requires an argument -- '" + c + "'", before);
                        }
                        before.add(a);
                        before.add(args.get(++i));
                    } else {
                        before.add(a);
                    }
                    break;
                }
                if (k + 1 == a.length()) {
                    before.add(a);
                }
            }
        }
        return null;
    }
}
