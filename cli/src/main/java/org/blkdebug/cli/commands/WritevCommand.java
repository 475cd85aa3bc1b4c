package org.blkdebug.cli.commands;


import org.blkdebug.cli.report.Console;
import org.blkdebug.engine.Device.WriteFlag;
import org.blkdebug.engine.Errno;

/** {@code writev}: one write request gathered from several buffers; waits for it. */
final class WritevCommand extends GetoptCommand {
    static final CommandInfo INFO = CommandInfo.of("writev", "[-Cfq] [-P pattern] off len [len..]",
            "writes a number of bytes at a specified offset", 2, -1).withHelpOf("writev").asWriting();

    final Options.Write opts = new Options.Write();

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
        return "CfqP:";
    }

    @Override
    int execute(Context ctx) throws InterruptedException {
        Console out = ctx.console();
        if (operands.size() < 2) {
            return usage();
        }
        Vector v = offsetAndBuffers(out, opts.patternOr(0xcd));
        if (v == null) {
            return FAILED;
        }
        long size = v.size();
        WriteFlag[] flags = opts.fua ? new WriteFlag[] {WriteFlag.FUA} : new WriteFlag[0];
        long t1 = System.nanoTime();
        int errno = Requests.await(ctx, ctx.device().writeAsync(v.offset(), v.buffers(), Requests.SYNC, flags));
        long t2 = System.nanoTime();
        ctx.afterLoopRequest(); // qemu-io runs its main loop until its own request is done
        if (errno != 0) {
            out.println("writev failed: " + Errno.message(errno));
            return FAILED;
        }
        printStats(out, opts, "wrote", v.offset(), size, t2 - t1);
        return OK;
    }
}
