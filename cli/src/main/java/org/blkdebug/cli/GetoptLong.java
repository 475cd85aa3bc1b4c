package org.blkdebug.cli;

import java.util.Set;

/**
 * The first command-line error glibc's {@code getopt_long} would report for qemu-io's options,
 * in its words ({@code invalid option -- 'x'}, {@code unrecognized option '--foo'},
 * {@code option requires an argument -- 'c'}); picocli then binds the valid ones.
 */
final class GetoptLong {
    private static final Set<String> LONG_FLAGS = Set.of("--help", "--version", "--read-only", "--snapshot",
            "--nocache", "--copy-on-read", "--misalign", "--native-aio", "--force-share", "--image-opts");
    private static final Set<String> LONG_WITH_ARG = Set.of("--cmd", "--format", "--cache", "--aio", "--discard",
            "--trace", "--object", "--record", "--log-writes");

    private GetoptLong() {
    }

    static String firstError(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--")) {
                return null;
            }
            if (a.startsWith("--")) {
                String name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
                if (LONG_FLAGS.contains(name)) {
                    continue;
                }
                if (!LONG_WITH_ARG.contains(name)) {
                    return "unrecognized option '" + a + "'";
                }
                if (!a.contains("=")) {
                    if (i + 1 == args.length) {
                        return "option '" + a + "' requires an argument";
                    }
                    i++;
                }
                continue;
            }
            if (a.length() < 2 || a.charAt(0) != '-') {
                continue;
            }
            for (int k = 1; k < a.length(); k++) {
                char c = a.charAt(k);
                int at = c == ':' ? -1 : Invocation.OPTSTRING.indexOf(c);
                if (at < 0) {
                    return "invalid option -- '" + c + "'";
                }
                if (at + 1 < Invocation.OPTSTRING.length() && Invocation.OPTSTRING.charAt(at + 1) == ':') {
                    if (k + 1 == a.length()) {
                        if (i + 1 == args.length) {
                            return "option requires an argument -- '" + c + "'";
                        }
                        i++;
                    }
                    break;
                }
            }
        }
        return null;
    }
}
