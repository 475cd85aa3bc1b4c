package org.blkdebug.cli.commands;


import org.blkdebug.cli.report.Console;
import org.blkdebug.cli.report.HexDump;
import org.blkdebug.cli.report.Stats;
import org.blkdebug.engine.Errno;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code readv}: one read request into several buffers; waits like a synchronous read. */
@Command(name = "readv")
final class ReadvCommand extends GetoptCommand {
    static final CommandInfo INFO = CommandInfo.of("readv", "[-Cqv] [-P pattern] off len [len..]",
            "reads a number of bytes at a specified offset", 2, -1).withHelp(HelpText.of("readv"));

    @Option(names = "-C")
    boolean machine;
    @Option(names = "-q")
    boolean quiet;
    @Option(names = "-v")
    boolean dump;
    private Integer pattern;

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
        return "CP:qv";
    }

    @Override
    int execute(Context ctx) throws InterruptedException {
        Console out = ctx.console();
        if (operands.size() < 2) {
            return usage();
        }
        Vector v = offsetAndBuffers(out, 0xab);
        if (v == null) {
            return FAILED;
        }
        long size = v.size();
        long t1 = System.nanoTime();
        int errno = Requests.await(ctx, ctx.device().readAsync(v.offset(), v.buffers(), Requests.SYNC));
        long t2 = System.nanoTime();
        ctx.mainLoop();
        if (errno != 0) {
            out.println("readv failed: " + Errno.message(errno));
            return FAILED;
        }
        int status = OK;
        if (pattern != null && !Buffers.matches(v.buffers(), 0, size, pattern)) {
            out.println("Pattern verification failed at offset " + v.offset() + ", " + size + " bytes");
            status = FAILED;
        }
        if (quiet) {
            return status;
        }
        if (dump) {
            out.print(HexDump.render(Buffers.joined(v.buffers()), v.offset()));
        }
        out.print(new Stats("read", v.offset(), size, size, 1, t2 - t1).render(machine));
        return status;
    }
}
