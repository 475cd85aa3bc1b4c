package org.blkdebug.cli.commands;

/**
 * A rejected argument, with the text qemu-io prints for it on stdout
 * ({@code 0x1ff is not a valid pattern byte}). Thrown from option handlers so that
 * values are checked in the order getopt sees them.
 */
final class ArgumentError extends RuntimeException {
    ArgumentError(String message) {
        super(message, null, false, false);
    }
}
