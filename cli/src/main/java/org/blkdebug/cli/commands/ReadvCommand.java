package org.blkdebug.cli.commands;


import org.blkdebug.cli.report.Console;
import org.blkdebug.cli.report.HexDump;
import org.blkdebug.engine.Errno;

/** {@code readv}: one read request into several buffers; waits like a synchronous read. */
final class ReadvCommand extends GetoptCommand {
    static final CommandInfo INFO = CommandInfo.of("readv", "[-Cqv] [-P pattern] off len [len..]",
            "reads a number of bytes at a specified offset", 2, -1).withHelpOf("readv");

    final Options.Read opts = new Options.Read();

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
        ctx.afterLoopRequest(); // qemu-io runs its main loop until its own request is done
        if (errno != 0) {
            out.println("readv failed: " + Errno.message(errno));
            return FAILED;
        }
        int status = OK;
        if (opts.pattern() != null && !Buffers.matches(v.buffers(), 0, size, opts.pattern())) {
            out.println("Pattern verification failed at offset " + v.offset() + ", " + size + " bytes");
            status = FAILED;
        }
        if (!opts.quiet && opts.dump) {
            out.print(HexDump.render(Buffers.joined(v.buffers()), v.offset()));
        }
        printStats(out, opts, "read", v.offset(), size, t2 - t1);
        return status;
    }
}
