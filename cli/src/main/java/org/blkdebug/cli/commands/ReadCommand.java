package org.blkdebug.cli.commands;

import java.nio.ByteBuffer;

import org.blkdebug.cli.report.Console;
import org.blkdebug.cli.report.HexDump;
import org.blkdebug.engine.Errno;

/** {@code read}: a synchronous read, optionally verified against a pattern or dumped. */
final class ReadCommand extends GetoptCommand {
    static final CommandInfo INFO = CommandInfo.of("read", "[-abCqv] [-P pattern [-s off] [-l len]] off len",
            "reads a number of bytes at a specified offset", 2, -1).withAlias("r").withHelpOf("read");

    final Options.Read opts = new Options.Read();
    boolean vmstate;
    private Long patternOffset;
    private Long patternCount;

    @Override
    void option(char c, String arg) {
        if (!opts.option(c, arg)) {
            switch (c) {
                case 'b' -> vmstate = true;
                case 's' -> patternOffset = number(arg);
                case 'l' -> patternCount = number(arg);
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
        return "bCl:pP:qs:v";
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
        long offset = v[0];
        long count = v[1];
        if (opts.pattern() == null && (patternCount != null || patternOffset != null)) {
            return usage();
        }
        long pOffset = patternOffset == null ? 0 : patternOffset;
        long pCount = patternCount == null ? count - pOffset : patternCount;
        if (pCount < 0 || pCount + pOffset > count) {
            out.println("pattern verification range exceeds end of read data");
            return FAILED;
        }
        if (vmstate) {
            if (offset % 512 != 0) {
                out.println(offset + " is not a sector-aligned value for 'offset'");
                return FAILED;
            }
            if (count % 512 != 0) {
                out.println(count + " is not a sector-aligned value for 'count'");
                return FAILED;
            }
        }
        ByteBuffer buf = Buffers.filled(count, 0xab);
        long t1 = System.nanoTime();
        int errno = Requests.await(ctx, vmstate
                ? ctx.device().readVmStateAsync(offset, new ByteBuffer[] {buf}, Requests.SYNC)
                : ctx.device().readAsync(offset, new ByteBuffer[] {buf}, Requests.SYNC));
        long t2 = System.nanoTime();
        ctx.afterSyncRequest(); // qemu-io polls until its own request is done
        if (errno != 0) {
            out.println("read failed: " + Errno.message(errno));
            return FAILED;
        }
        int status = OK;
        if (opts.pattern() != null && !Buffers.matches(new ByteBuffer[] {buf}, pOffset, pCount, opts.pattern())) {
            out.println("Pattern verification failed at offset " + (offset + pOffset) + ", " + pCount + " bytes");
            status = FAILED;
        }
        if (!opts.quiet && opts.dump) {
            out.print(HexDump.render(buf, offset));
        }
        printStats(out, opts, "read", offset, count, t2 - t1);
        return status;
    }
}
