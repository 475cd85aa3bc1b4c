package org.blkdebug.cli.commands;

import java.nio.ByteBuffer;

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
        long[] offset = new long[1];
        ByteBuffer[][] bufs = new ByteBuffer[1][];
        if (fails(out, () -> {
            offset[0] = number(operands.get(0));
            bufs[0] = Buffers.vector(this, operands.subList(1, operands.size()), 0xab);
        })) {
            return FAILED;
        }
        AioReport report = new AioReport(true, offset[0], Buffers.size(bufs[0]), bufs[0], pattern,
                quiet, dump, machine, System.nanoTime());
        ctx.device().readAsync(offset[0], bufs[0], report);
        return OK; // qemu-io: an aio command succeeds once submitted
    }
}
