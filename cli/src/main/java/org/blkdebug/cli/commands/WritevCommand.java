package org.blkdebug.cli.commands;


import org.blkdebug.cli.report.Console;
import org.blkdebug.cli.report.Stats;
import org.blkdebug.engine.Device.WriteFlag;
import org.blkdebug.engine.Errno;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code writev}: one write request gathered from several buffers; waits for it. */
@Command(name = "writev")
final class WritevCommand extends GetoptCommand {
    static final CommandInfo INFO = CommandInfo.of("writev", "[-Cfq] [-P pattern] off len [len..]",
            "writes a number of bytes at a specified offset", 2, -1).withHelp(HelpText.of("writev")).asWriting();

    @Option(names = "-C")
    boolean machine;
    @Option(names = "-f")
    boolean fua;
    @Option(names = "-q")
    boolean quiet;
    private int pattern = 0xcd;

    @Option(names = "-P")
    void pattern(String s) {
        pattern = patternByte(s);
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
        Vector v = offsetAndBuffers(out, pattern);
        if (v == null) {
            return FAILED;
        }
        long size = v.size();
        WriteFlag[] flags = fua ? new WriteFlag[] {WriteFlag.FUA} : new WriteFlag[0];
        long t1 = System.nanoTime();
        int errno = Requests.await(ctx, ctx.device().writeAsync(v.offset(), v.buffers(), Requests.SYNC, flags));
        long t2 = System.nanoTime();
        ctx.mainLoopWaiting();
        if (errno != 0) {
            out.println("writev failed: " + Errno.message(errno));
            return FAILED;
        }
        if (!quiet) {
            out.print(new Stats("wrote", v.offset(), size, size, 1, t2 - t1).render(machine));
        }
        return OK;
    }
}
