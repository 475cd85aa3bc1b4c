package org.blkdebug.cli.commands;

import org.blkdebug.cli.report.Console;
import org.blkdebug.cli.report.Stats;
import org.blkdebug.engine.Errno;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code discard}: a synchronous discard. */
@Command(name = "discard")
final class DiscardCommand extends GetoptCommand {
    static final CommandInfo INFO = CommandInfo.of("discard", "[-Cq] off len",
            "discards a number of bytes at a specified offset", 2, -1).withAlias("d").withHelp(HelpText.of("discard")).asWriting();

    @Option(names = "-C")
    boolean machine;
    @Option(names = "-q")
    boolean quiet;

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
        ctx.mainLoop();
        if (errno != 0) {
            out.println("discard failed: " + Errno.message(errno));
            return FAILED;
        }
        if (!quiet) {
            out.print(new Stats("discard", v[0], v[1], v[1], 1, t2 - t1).render(machine));
        }
        return OK;
    }
}
