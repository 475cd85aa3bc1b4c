package org.blkdebug.cli.commands;

/**
 * The options qemu-io's I/O commands share: a command keeps the group its getopt string has
 * ({@code final Options.Read opts = new Options.Read();}), hands it each option first, and keeps
 * only its own. Values are checked as they come, so they fail in the order getopt sees them.
 */
final class Options {
    private Options() {
    }

    /** {@code -C} (machine-readable statistics) and {@code -q} (no statistics on success). */
    static class Report {
        boolean machine;
        boolean quiet;

        /** Takes {@code c} if it is one of this group's options; false when it is not. */
        boolean option(char c, String arg) {
            switch (c) {
                case 'C' -> machine = true;
                case 'q' -> quiet = true;
                default -> {
                    return false;
                }
            }
            return true;
        }
    }

    /** {@code -P pattern} too: the byte to verify a read against, or to fill a write with. */
    static class Patterned extends Report {
        private Integer pattern;

        @Override
        boolean option(char c, String arg) {
            if (c == 'P') {
                pattern = GetoptCommand.patternByte(arg);
                return true;
            }
            return super.option(c, arg);
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
        boolean dump;

        @Override
        boolean option(char c, String arg) {
            if (c == 'v') {
                dump = true;
                return true;
            }
            return super.option(c, arg);
        }
    }

    /** write, writev, aio_write: {@code -C -q -P pattern -f} (Force Unit Access). */
    static final class Write extends Patterned {
        boolean fua;

        @Override
        boolean option(char c, String arg) {
            if (c == 'f') {
                fua = true;
                return true;
            }
            return super.option(c, arg);
        }
    }
}
