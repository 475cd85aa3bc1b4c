package org.blkdebug.cli.commands;


import org.blkdebug.cli.report.Console;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code aio_read}: submits a read; its result prints when the shell next runs the main loop. */
@Command(name = "aio_read")
final class AioReadCommand extends GetoptCommand {
    static final CommandInfo INFO = CommandInfo.of("aio_read", "[-Ciqv] [-P pattern] off len [len..]",
            "asynchronously reads a number of bytes", 2, -1).withHelp(HelpText.of("aio_read"));

    @Mixin
    Options.Read opts;


    @Option(names = "-i")
    void invalid(boolean on) {
        // qemu-io only accounts an invalid request and returns, while still parsing options
        throw new EarlyReturn("injecting invalid read request");
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
