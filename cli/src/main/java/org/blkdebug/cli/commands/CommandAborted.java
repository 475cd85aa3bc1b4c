package org.blkdebug.cli.commands;

/**
 * A command that cannot finish and gives up, e.g. a synchronous request held at a breakpoint in a
 * script where nothing can resume it. The shell prints {@code NAME: MESSAGE} on stdout and counts
 * the command as failed; the request stays in flight (exit resumes it).
 */
public final class CommandAborted extends RuntimeException {
    CommandAborted(String message) {
        super(message, null, false, false);
    }
}
