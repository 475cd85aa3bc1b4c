package org.blkdebug.cli.commands;

import org.blkdebug.cli.report.Console;
import org.blkdebug.engine.Errno;

/** {@code discard}: a synchronous discard. */
final class DiscardCommand extends GetoptCommand {
    static final CommandInfo INFO = CommandInfo.of("discard", "[-Cq] off len",
            "discards a number of bytes at a specified offset", 2, -1).withAlias("d").withHelpOf("discard").asWriting();

    final Options.Report opts = new Options.Report();

    @Override
    void option(char c, String arg) {
        opts.option(c, arg);
    }


    @Override
    CommandInfo info() {
        return INFO;
    }

    @Override
    String optstring() {
        return "Cq";
    }

    @Override
    int execute(Context ctx) throws InterruptedException {
        Console out = ctx.console();
        if (operands.size() != 2) {
            return usage();
        }
        long[] v = offsetAndLength(out);
        if (v == null) {
            return FAILED;
        }
        long t1 = System.nanoTime();
        int errno = Requests.await(ctx, ctx.device().discardAsync(v[0], v[1], Requests.SYNC));
        long t2 = System.nanoTime();
        ctx.afterSyncRequest(); // qemu-io polls until its own request is done
        if (errno != 0) {
            out.println("discard failed: " + Errno.message(errno));
            return FAILED;
        }
        printStats(out, opts, "discard", v[0], v[1], t2 - t1);
        return OK;
    }
}
