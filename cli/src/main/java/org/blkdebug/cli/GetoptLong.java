package org.blkdebug.cli;

import java.util.Set;

import org.blkdebug.cli.commands.Commands;
import org.blkdebug.cli.commands.Context;

/**
 * The first command-line error glibc's {@code getopt_long} would report for qemu-io's options,
 * in its words ({@code invalid option -- 'x'}, {@code unrecognized option '--foo'},
 * {@code option requires an argument -- 'c'}), or the first bad value qemu-io's option loop
 * rejects as it meets it ({@code Invalid cache option: X}, {@code Invalid aio option: X},
 * {@code Invalid discard option: X}), in argument order; picocli then binds the valid ones.
 */
final class GetoptLong {
    /** An error; {@code usage}: qemu-io prints its usage after it (getopt's errors). */
    record Problem(String message, boolean usage) {
    }

    private static final Set<String> LONG_FLAGS = Set.of("--help", "--version", "--read-only", "--snapshot",
            "--nocache", "--copy-on-read", "--misalign", "--native-aio", "--force-share", "--image-opts");
    private static final Set<String> LONG_WITH_ARG = Set.of("--cmd", "--format", "--cache", "--aio", "--discard",
            "--trace", "--object", "--record", "--log-writes");

    private GetoptLong() {
    }

    static Problem firstError(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--")) {
                return null;
            }
            if (a.startsWith("--")) {
                String name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
                if (LONG_FLAGS.contains(name)) {
                    if (a.contains("=")) {
                        return new Problem("option '" + name + "' doesn't allow an argument", true);
                    }
                    continue;
                }
                if (!LONG_WITH_ARG.contains(name)) {
                    return new Problem("unrecognized option '" + a + "'", true);
                }
                String value;
                if (!a.contains("=")) {
                    if (i + 1 == args.length) {
                        return new Problem("option '" + a + "' requires an argument", true);
                    }
                    value = args[++i];
                } else {
                    value = a.substring(a.indexOf('=') + 1);
                }
                String bad = badValue(switch (name) {
                    case "--cache" -> 't';
                    case "--aio" -> 'i';
                    case "--discard" -> 'd';
                    default -> ' ';
                }, value);
                if (bad != null) {
                    return new Problem(bad, false);
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
                    return new Problem("invalid option -- '" + c + "'", true);
                }
                if (at + 1 < Invocation.OPTSTRING.length() && Invocation.OPTSTRING.charAt(at + 1) == ':') {
                    String value;
                    if (k + 1 == a.length()) {
                        if (i + 1 == args.length) {
                            return new Problem("option requires an argument -- '" + c + "'", true);
                        }
                        value = args[++i];
                    } else {
                        value = a.substring(k + 1);
                    }
                    String bad = badValue(c, value);
                    if (bad != null) {
                        return new Problem(bad, false);
                    }
                    break;
                }
            }
        }
        return null;
    }

    /** qemu-io's checks of -t, -i and -d as its option loop meets them; null when good. */
    private static String badValue(char option, String value) {
        return switch (option) {
            case 't' -> Commands.CACHE_MODES.contains(value) ? null : "Invalid cache option: " + value;
            case 'i' -> Context.OpenRequest.nativeAio(value) == null ? "Invalid aio option: " + value : null;
            case 'd' -> Context.OpenRequest.unmap(value) == null ? "Invalid discard option: " + value : null;
            default -> null;
        };
    }

    /** What picocli is told ends the options, so that a {@code --} can be an option's value. */
    static final String END_OF_OPTIONS = "\u0000end of options";

    /**
     * The arguments for picocli: the {@code --} that ends getopt's options becomes
     * {@link #END_OF_OPTIONS}; a {@code --} that getopt takes as an option's value ({@code -c --},
     * {@code --trace --}) stays a value, as picocli would otherwise end the options there.
     * Call after {@link #firstError} found none.
     */
    static String[] endOfOptions(String[] args) {
        String[] out = args.clone();
        for (int i = 0; i < out.length; i++) {
            String a = out[i];
            if (a.equals("--")) {
                out[i] = END_OF_OPTIONS;
                break;
            }
            boolean longWithValue = a.startsWith("--") && !a.contains("=") && LONG_WITH_ARG.contains(a);
            boolean shortWithValue = a.length() > 1 && a.charAt(0) == '-' && !a.startsWith("--") && takesValueAtEnd(a);
            if (longWithValue || shortWithValue) {
                i++; // its value, whatever it looks like
            }
        }
        return out;
    }

    /** A short-option cluster whose last letter is the first that takes a value. */
    private static boolean takesValueAtEnd(String cluster) {
        for (int k = 1; k < cluster.length(); k++) {
            int at = Invocation.OPTSTRING.indexOf(cluster.charAt(k));
            if (at >= 0 && at + 1 < Invocation.OPTSTRING.length() && Invocation.OPTSTRING.charAt(at + 1) == ':') {
                return k == cluster.length() - 1;
            }
        }
        return false;
    }
}
