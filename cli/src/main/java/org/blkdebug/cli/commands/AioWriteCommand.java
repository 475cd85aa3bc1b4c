package org.blkdebug.cli.commands;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import org.blkdebug.cli.report.Console;
import org.blkdebug.engine.Device.WriteFlag;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code aio_write}: submits a write (or write-zeroes); its result prints later. */
@Command(name = "aio_write")
final class AioWriteCommand extends GetoptCommand {
    static final CommandInfo INFO = CommandInfo.of("aio_write", "[-Cfiquz] [-P pattern] off len [len..]",
            "asynchronously writes a number of bytes", 2, -1).withHelp(HelpText.of("aio_write")).asWriting();

    @Option(names = "-C")
    boolean machine;
    @Option(names = "-f")
    boolean fua;
    @Option(names = "-q")
    boolean quiet;
    @Option(names = "-u")
    boolean unmap;
    @Option(names = "-z")
    boolean zeroes;
    private int pattern = 0xcd;

    @Option(names = "-P")
    void pattern(String s) {
        // QEMU 7.2 never records -P as given here, so "-z -P" is not rejected
        pattern = patternByte(s);
    }

    @Option(names = "-i")
    void invalid(boolean on) {
        throw new EarlyReturn("injecting invalid write request");
    }

    @Override
    CommandInfo info() {
        return INFO;
    }

    @Override
    String optstring() {
        return "CfiqP:uz";
    }

    @Override
    int execute(Context ctx) {
        Console out = ctx.console();
        if (operands.size() < 2) {
            return usage();
        }
        if (zeroes && operands.size() != 2) {
            out.println("-z supports only a single length parameter");
            return FAILED;
        }
        if (unmap && !zeroes) {
            out.println("-u requires -z to be specified");
            return FAILED;
        }
        List<WriteFlag> flags = new ArrayList<>();
        if (fua) {
            flags.add(WriteFlag.FUA);
        }
        if (unmap) {
            flags.add(WriteFlag.MAY_UNMAP);
        }
        WriteFlag[] f = flags.toArray(WriteFlag[]::new);
        long[] v = new long[2];
        ByteBuffer[][] bufs = new ByteBuffer[1][];
        if (fails(out, () -> {
            v[0] = number(operands.get(0));
            if (zeroes) {
                v[1] = number(operands.get(1));
            } else {
                bufs[0] = Buffers.vector(this, operands.subList(1, operands.size()), pattern);
                v[1] = Buffers.size(bufs[0]);
            }
        })) {
            return FAILED;
        }
        if (zeroes) {
            AioReport report = new AioReport(false, v[0], v[1], null, null, quiet, false, machine, 0L);
            ctx.device().writeZeroesAsync(v[0], v[1], report, f);
        } else {
            AioReport report = new AioReport(false, v[0], v[1], null, null, quiet, false, machine, System.nanoTime());
            ctx.device().writeAsync(v[0], bufs[0], report, f);
        }
        return OK;
    }
}
