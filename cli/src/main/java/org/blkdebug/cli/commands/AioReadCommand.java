package org.blkdebug.cli.commands;


import org.blkdebug.cli.report.Console;

/** {@code aio_read}: submits a read; its result prints when the shell next runs the main loop. */
final class AioReadCommand extends GetoptCommand {
    static final CommandInfo INFO = CommandInfo.of("aio_read", "[-Ciqv] [-P pattern] off len [len..]",
            "asynchronously reads a number of bytes", 2, -1).withHelpOf("aio_read");

    final Options.Read opts = new Options.Read();

    @Override
    void option(char c, String arg) {
        if (c == 'i') {
            // qemu-io only accounts an invalid request and returns, while still parsing options
            throw new EarlyReturn("injecting invalid read request");
        }
        opts.option(c, arg);
    }

    @Override
    CommandInfo info() {
        return INFO;
    }

    @Override
    String optstring() {
        return "CP:iqv";
    }

    @Override
    int execute(Context ctx) {
        Console out = ctx.console();
        if (operands.size() < 2) {
            return usage();
        }
        Vector v = offsetAndBuffers(out, 0xab);
        if (v == null) {
            return FAILED;
        }
        AioReport done = new AioReport(true, v.offset(), v.size(), v.buffers(), opts.pattern(),
                opts.quiet, opts.dump, opts.machine, System.nanoTime());
        ctx.device().readAsync(v.offset(), v.buffers(), done);
        return OK; // qemu-io: an aio command succeeds once submitted
    }
}
