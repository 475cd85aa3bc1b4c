package org.blkdebug.cli.commands;


import org.blkdebug.cli.report.Console;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code aio_read}: submits a read; its result prints when the shell next runs the main loop. */
@Command(name = "aio_read")
final class AioReadCommand extends GetoptCommand {
    static final CommandInfo INFO = CommandInfo.of("aio_read", "[-Ciqv] [-P pattern] off len [len..]",
            "asynchronously reads a number of bytes", 2, -1).withHelp(HelpText.of("aio_read"));

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
        AioReport report = new AioReport(true, v.offset(), v.size(), v.buffers(), pattern,
                quiet, dump, machine, System.nanoTime());
        ctx.device().readAsync(v.offset(), v.buffers(), report);
        return OK; // qemu-io: an aio command succeeds once submitted
    }
}
