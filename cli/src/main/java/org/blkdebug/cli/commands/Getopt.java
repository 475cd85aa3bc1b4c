package org.blkdebug.cli.commands;

import java.util.ArrayList;
import java.util.List;

/**
 * glibc's {@code getopt} as qemu-io's commands call it: options anywhere (operands are permuted
 * to the end), {@code --} ends them, clusters like {@code -qv}, {@code -P5} or {@code -P 5}. Each
 * option goes to the command's handler in order, as qemu-io's {@code while (getopt(...))} loop
 * takes it, so a bad value is reported before a later invalid option, and a handler that stops
 * the command (by throwing) stops the scan there.
 */
final class Getopt {
    private Getopt() {
    }

    /** Takes one option; {@code arg} is null for an option without an argument. */
    @FunctionalInterface
    interface Handler {
        void option(char c, String arg);
    }

    /** The operands in order, or getopt's message for the first invalid option or missing argument. */
    record Result(List<String> operands, String error) {
    }

    static Result parse(String command, String optstring, List<String> args, Handler handler) {
        List<String> operands = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--")) {
                operands.addAll(args.subList(i + 1, args.size()));
                break;
            }
            if (a.length() < 2 || a.charAt(0) != '-') {
                operands.add(a); // glibc permutes it to the end
                continue;
            }
            for (int k = 1; k < a.length(); k++) {
                char c = a.charAt(k);
                int at = c == ':' ? -1 : optstring.indexOf(c);
                if (at < 0) {
                    return new Result(operands, command + ": invalid option -- '" + c + "'");
                }
                if (at + 1 < optstring.length() && optstring.charAt(at + 1) == ':') {
                    String arg;
                    if (k + 1 < a.length()) {
                        arg = a.substring(k + 1);
                    } else if (i + 1 < args.size()) {
                        arg = args.get(++i);
                    } else {
                        return new Result(operands, command + ": option requires an argument -- '" + c + "'");
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
