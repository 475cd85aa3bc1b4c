package org.blkdebug.cli.commands;

import picocli.CommandLine.Option;

/**
 * The options qemu-io's I/O commands share, as picocli mixins: a command declares the group its
 * getopt string has ({@code @Mixin Options.Read opts;}) and keeps only its own options. Values
 * are checked in the setters, so they fail in the order getopt sees them.
 */
final class Options {
    private Options() {
    }

    /** {@code -C} (machine-readable statistics) and {@code -q} (no statistics on success): discard. */
    static class Report {
        @Option(names = "-C")
        boolean machine;
        @Option(names = "-q")
        boolean quiet;
    }

    /** {@code -P pattern} too: the byte to verify a read against, or to fill a write with. */
    static class Patterned extends Report {
        private Integer pattern;

        @Option(names = "-P")
        void pattern(String s) {
            pattern = GetoptCommand.patternByte(s);
        }

        /** The byte given, or null. */
        Integer pattern() {
            return pattern;
        }

        /** The byte given, or {@code fill} (qemu-io's 0xcd for writes). */
        int patternOr(int fill) {
            return pattern == null ? fill : pattern;
        }
    }

    /** read, readv, aio_read: {@code -C -q -P pattern -v} (dump the data read). */
    static final class Read extends Patterned {
        @Option(names = "-v")
        boolean dump;
    }

    /** write, writev, aio_write: {@code -C -q -P pattern -f} (Force Unit Access). */
    static final class Write extends Patterned {
        @Option(names = "-f")
        boolean fua;
    }
}
