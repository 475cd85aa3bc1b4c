package org.blkdebug.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * glibc's {@code getopt_long} as qemu-io's {@code main} calls it: short options as {@code getopt}
 * takes them (clusters, {@code -c CMD} or {@code -cCMD}), long ones as {@code --name VALUE} or
 * {@code --name=VALUE}, operands permuted to the end, {@code --} ends the options. Errors in its
 * words ({@code invalid option -- 'x'}, {@code unrecognized option '--foo'},
 * {@code option requires an argument -- 'c'}).
 */
final class GetoptLong {
    private GetoptLong() {
    }

    /** A long option: {@code --name}, whether it takes a value, and the key its handler gets. */
    record LongOption(String name, boolean hasArg, int key) {
    }

    /** Takes one option by its key (the short letter, or the long option's own code). */
    @FunctionalInterface
    interface Handler {
        void option(int key, String arg);
    }

    /** The operands in order, or the message for the first error. */
    record Result(List<String> operands, String error) {
    }

    static Result parse(String[] args, String optstring, List<LongOption> longs, Handler handler) {
        List<String> operands = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--")) {
                operands.addAll(List.of(args).subList(i + 1, args.length));
                break;
            }
            if (a.startsWith("--")) {
                int eq = a.indexOf('=');
                String name = eq < 0 ? a.substring(2) : a.substring(2, eq);
                LongOption o = longs.stream().filter(l -> l.name().equals(name)).findFirst().orElse(null);
                if (o == null) {
                    return new Result(operands, "unrecognized option '" + a + "'");
                }
                String arg = null;
                if (!o.hasArg()) {
                    if (eq >= 0) {
                        return new Result(operands, "option '--" + name + "' doesn't allow an argument");
                    }
                } else if (eq >= 0) {
                    arg = a.substring(eq + 1);
                } else if (i + 1 < args.length) {
                    arg = args[++i];
                } else {
                    return new Result(operands, "option '" + a + "' requires an argument");
                }
                handler.option(o.key(), arg);
                continue;
            }
            if (a.length() < 2 || a.charAt(0) != '-') {
                operands.add(a);
                continue;
            }
            for (int k = 1; k < a.length(); k++) {
                char c = a.charAt(k);
                int at = c == ':' ? -1 : optstring.indexOf(c);
                if (at < 0) {
                    return new Result(operands, "invalid option -- '" + c + "'");
                }
                if (at + 1 < optstring.length() && optstring.charAt(at + 1) == ':') {
                    String arg;
                    if (k + 1 < a.length()) {
                        arg = a.substring(k + 1);
                    } else if (i + 1 < args.length) {
                        arg = args[++i];
                    } else {
                        return new Result(operands, "option requires an argument -- '" + c + "'");
                    }
                    handler.option(c, arg);
                    break;
                }
                handler.option(c, null);
            }
        }
        return new Result(operands, null);
    }
}
