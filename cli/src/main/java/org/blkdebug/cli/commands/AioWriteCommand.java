package org.blkdebug.cli.commands;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import org.blkdebug.cli.report.Console;
import org.blkdebug.engine.Device.WriteFlag;

/** {@code aio_write}: submits a write (or write-zeroes); its result prints later. */
final class AioWriteCommand extends GetoptCommand {
    static final CommandInfo INFO = CommandInfo.of("aio_write", "[-Cfiquz] [-P pattern] off len [len..]",
            "asynchronously writes a number of bytes", 2, -1).withHelpOf("aio_write").asWriting();

    /** {@code -P} is never recorded as given by QEMU 7.2 here, so {@code -z -P} is not rejected. */
    final Options.Write opts = new Options.Write();
    boolean unmap;
    boolean zeroes;

    @Override
    void option(char c, String arg) {
        switch (c) {
            case 'u' -> unmap = true;
            case 'z' -> zeroes = true;
            case 'i' -> throw new EarlyReturn("injecting invalid write request");
            default -> opts.option(c, arg);
        }
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
        if (opts.fua) {
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
                bufs[0] = Buffers.vector(this, operands.subList(1, operands.size()), opts.patternOr(0xcd));
                v[1] = Buffers.size(bufs[0]);
            }
        })) {
            return FAILED;
        }
        if (zeroes) {
            AioReport done = new AioReport(false, v[0], v[1], null, null, opts.quiet, false, opts.machine, 0L);
            ctx.device().writeZeroesAsync(v[0], v[1], done, f);
        } else {
            AioReport done = new AioReport(false, v[0], v[1], null, null, opts.quiet, false, opts.machine, System.nanoTime());
            ctx.device().writeAsync(v[0], bufs[0], done, f);
        }
        return OK;
    }
}
