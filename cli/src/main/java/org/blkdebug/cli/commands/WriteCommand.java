package org.blkdebug.cli.commands;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import org.blkdebug.cli.report.Console;
import org.blkdebug.engine.Device.WriteFlag;
import org.blkdebug.engine.Errno;

/** {@code write}: a synchronous write of a pattern, a file's bytes, or zeroes ({@code -z}). */
final class WriteCommand extends GetoptCommand {
    static final CommandInfo INFO = CommandInfo.of("write", "[-bcCfnquz] [-P pattern | -s source_file] off len",
            "writes a number of bytes at a specified offset", 2, -1).withAlias("w").withHelpOf("write").asWriting();

    final Options.Write opts = new Options.Write();
    boolean vmstate;
    boolean compressed;
    boolean noFallback;
    String sourceFile;
    boolean unmap;
    boolean zeroes;

    @Override
    void option(char c, String arg) {
        if (!opts.option(c, arg)) {
            switch (c) {
                case 'b' -> vmstate = true;
                case 'c' -> compressed = true;
                case 'n' -> noFallback = true;
                case 's' -> sourceFile = arg;
                case 'u' -> unmap = true;
                case 'z' -> zeroes = true;
                default -> { } // -p: accepted, without effect (as in QEMU 7.2)
            }
        }
    }

    @Override
    CommandInfo info() {
        return INFO;
    }

    @Override
    String optstring() {
        return "bcCfnpP:qs:uz";
    }

    @Override
    int execute(Context ctx) throws InterruptedException {
        Console out = ctx.console();
        if (operands.size() != 2) {
            return usage();
        }
        String conflict = conflict();
        if (conflict != null) {
            out.println(conflict);
            return FAILED;
        }
        long[] v = offsetAndLength(out);
        if (v == null) {
            return FAILED;
        }
        long offset = v[0];
        long count = v[1];
        if (vmstate || compressed) {
            if (offset % 512 != 0) {
                out.println(offset + " is not a sector-aligned value for 'offset'");
                return FAILED;
            }
            if (count % 512 != 0) {
                out.println(count + " is not a sector-aligned value for 'count'");
                return FAILED;
            }
        }
        ByteBuffer buf = null;
        if (!zeroes) {
            buf = sourceFile != null ? Buffers.fromFile(out, sourceFile, count)
                    : Buffers.filled(count, opts.patternOr(0xcd));
            if (buf == null) {
                return FAILED;
            }
        }
        long t1 = System.nanoTime();
        int errno;
        if (vmstate) {
            errno = Requests.await(ctx, ctx.device().writeVmStateAsync(offset, new ByteBuffer[] {buf}, Requests.SYNC));
        } else if (zeroes) {
            errno = Requests.await(ctx, ctx.device().writeZeroesAsync(offset, count, Requests.SYNC, flags()));
        } else if (compressed) {
            errno = Requests.await(ctx, ctx.device().writeCompressedAsync(offset, new ByteBuffer[] {buf}, Requests.SYNC));
        } else {
            errno = Requests.await(ctx, ctx.device().writeAsync(offset, new ByteBuffer[] {buf}, Requests.SYNC, flags()));
        }
        long t2 = System.nanoTime();
        ctx.afterSyncRequest(); // qemu-io polls until its own request is done
        if (errno != 0) {
            out.println("write failed: " + Errno.message(errno));
            return FAILED;
        }
        printStats(out, opts, "wrote", offset, count, t2 - t1);
        return OK;
    }

    /** qemu-io's option conflicts, in its order. */
    private String conflict() {
        if (vmstate && zeroes) {
            return "-b and -z cannot be specified at the same time";
        }
        if (opts.fua && (vmstate || compressed)) {
            return "-f and -b or -c cannot be specified at the same time";
        }
        if (noFallback && !zeroes) {
            return "-n requires -z to be specified";
        }
        if (unmap && !zeroes) {
            return "-u requires -z to be specified";
        }
        int sources = (zeroes ? 1 : 0) + (opts.pattern() != null ? 1 : 0) + (sourceFile != null ? 1 : 0);
        if (sources > 1) {
            return "Only one of -z, -P, and -s can be specified at the same time";
        }
        return null;
    }

    private WriteFlag[] flags() {
        List<WriteFlag> f = new ArrayList<>();
        if (opts.fua) {
            f.add(WriteFlag.FUA);
        }
        if (unmap) {
            f.add(WriteFlag.MAY_UNMAP);
        }
        if (noFallback) {
            f.add(WriteFlag.NO_FALLBACK);
        }
        return f.toArray(WriteFlag[]::new);
    }
}
