package org.blkdebug.cli.commands;

/** A rejected option value that qemu-io reports with {@code error_report} (stderr, {@code qemu-io: }). */
final class ReportedError extends RuntimeException {
    ReportedError(String message) {
        super(message, null, false, false);
    }
}
