package org.blkdebug.cli.explore;

import java.util.List;

/**
 * The scenario a sweep runs: a qemu-io command line, parsed.
 *
 * @param args      the qemu-io arguments as given (for replay lines)
 * @param commands  the {@code -c} commands, or empty when the script comes on stdin
 * @param script    the stdin script (read once), or null with {@code -c}
 * @param filename  the image named on the command line, or null (the script opens its own)
 * @param cache     the {@code -t} mode, or null for qemu-io's default
 */
public record Scenario(List<String> args, List<String> commands, String script, String filename, String format,
                       String cache, boolean readOnly, boolean imageOpts) {
    public Scenario {
        args = List.copyOf(args);
        commands = List.copyOf(commands);
    }

    /** Parses the qemu-io part of an explore command line. */
    public interface Parser {
        /**
         * @return the scenario, or null when the arguments were bad (the parser printed why)
         *         or asked for something that is not a scenario (help)
         */
        Scenario parse(List<String> args);
    }
}
