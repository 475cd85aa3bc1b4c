package org.blkdebug.cli.commands;

import java.util.List;

/** One qemu-io command. A fresh instance runs each invocation. */
public interface ShellCommand {
    /** Status a command returns on success; anything else marks the session as failed. */
    int OK = 0;
    int FAILED = 1;

    /**
     * Runs the command after the shell checked the argument count and that a file is open.
     *
     * @param argv argv[0] is the name as typed ({@code r} for {@code read})
     * @return {@link #OK} or {@link #FAILED} (qemu-io's negative return, which sets exit status 1)
     */
    int run(Context ctx, List<String> argv) throws InterruptedException;
}
