package org.blkdebug.cli.commands;

import java.util.List;

import org.blkdebug.cli.report.Console;
import org.blkdebug.cli.report.Sizes;
import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.DeviceSpec;
import org.blkdebug.engine.Errno;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The device-wide commands: flush, aio_flush, truncate, length, info, map, alloc. */
final class DeviceCommands {
    private DeviceCommands() {
    }

    static final CommandInfo FLUSH = CommandInfo.of("flush", null, "flush all in-core file state to disk", 0, 0).withAlias("f");
    static final CommandInfo AIO_FLUSH = CommandInfo.of("aio_flush", null, "completes all outstanding aio requests", 0, 0);
    static final CommandInfo TRUNCATE = CommandInfo.of("truncate", "[-m prealloc_mode] off",
            "truncates the current file at the given offset", 1, 3).withAlias("t").asWriting();
    static final CommandInfo LENGTH = CommandInfo.of("length", null, "gets the length of the current file", 0, 0).withAlias("l");
    static final CommandInfo INFO = CommandInfo.of("info", null, "prints information about the current file", 0, 0).withAlias("i");
    static final CommandInfo MAP = CommandInfo.of("map", "", "prints the allocated areas of a file", 0, 0);
    static final CommandInfo ALLOC = CommandInfo.of("alloc", "offset [count]",
            "checks if offset is allocated in the file", 1, 2).withAlias("a");

    /** {@code flush}: prints nothing, even when it fails; only the exit status tells. */
    static int flush(Context ctx, List<String> argv) throws InterruptedException {
        // qemu-io prints no aio reports during a flush (observed-events §4)
        int errno = Requests.await(ctx, ctx.device().flushAsync(Requests.SYNC));
        return errno == 0 ? ShellCommand.OK : ShellCommand.FAILED;
    }

    /**
     * {@code aio_flush}: waits for every aio request (QEMU drains; it issues no flush). QEMU hangs
     * forever while a request is suspended; this shell fails instead (see differences-from-qemu).
     */
    static int aioFlush(Context ctx, List<String> argv) throws InterruptedException {
        String stuck = ctx.drain();
        if (stuck != null) {
            ctx.console().println("aio_flush: request suspended at '" + stuck + "'; resume it first");
            return ShellCommand.FAILED;
        }
        return ShellCommand.OK;
    }

    static int length(Context ctx, List<String> argv) {
        try {
            ctx.console().println(Sizes.cvtstr(ctx.device().length()));
            return ShellCommand.OK;
        } catch (BlockException e) {
            ctx.console().println("getlength: " + e.getMessage());
            return ShellCommand.FAILED;
        }
    }

    static int info(Context ctx, List<String> argv) {
        Console out = ctx.console();
        boolean blkdebugOnTop = ctx.format() == DeviceSpec.Format.NONE && ctx.device().hasBlkDebug();
        if (blkdebugOnTop) {
            // blkdebug is both the format and the protocol name of the top node
            out.println("format name: blkdebug");
            out.println("format name: blkdebug");
        } else if (ctx.format() == DeviceSpec.Format.NONE) {
            out.println("format name: file");
        } else {
            out.println("format name: raw");
        }
        out.println("cluster size: 0 bytes");
        out.println("vm state offset: 0 bytes");
        return ShellCommand.OK;
    }

    /** {@code map}: a raw image reports everything allocated, as QEMU's raw driver does. */
    static int map(Context ctx, List<String> argv) {
        long len;
        try {
            len = ctx.device().length();
        } catch (BlockException e) {
            ctx.console().report("Failed to query image length: " + e.getMessage());
            return ShellCommand.FAILED;
        }
        try {
            // one extent: everything is allocated; the query itself can fail by rule
            long n = len > 0 ? ctx.device().blockStatus(0, len) : 0;
            if (n > 0) {
                ctx.console().println(Sizes.cvtstr(n) + " (0x" + Long.toHexString(n)
                        + ") bytes     allocated at offset 0 bytes (0x0)");
            }
            return ShellCommand.OK;
        } catch (BlockException e) {
            ctx.console().report("Failed to get allocation status: " + e.getMessage());
            return ShellCommand.FAILED;
        }
    }

    static int alloc(Context ctx, List<String> argv) {
        Console out = ctx.console();
        long offset;
        long count = 512;
        try {
            offset = Numbers.cvtnum(argv.get(1), out::warn);
            if (argv.size() == 3) {
                count = Numbers.cvtnum(argv.get(2), out::warn);
            }
        } catch (Numbers.NumberFormatError e) {
            out.println(e.getMessage());
            return ShellCommand.FAILED;
        }
        try {
            long counted = ctx.device().blockStatus(offset, count);
            out.println(counted + "/" + counted + " bytes allocated at offset " + Sizes.cvtstr(offset));
            return ShellCommand.OK;
        } catch (BlockException e) {
            out.println("is_allocated failed: " + e.getMessage());
            return ShellCommand.FAILED;
        }
    }

    /** {@code truncate [-m prealloc_mode] off}. */
    @Command(name = "truncate")
    static final class Truncate extends GetoptCommand {
        private static final List<String> MODES = List.of("off", "metadata", "falloc", "full");
        @Option(names = "-m")
        String mode;

        @Override
        CommandInfo info() {
            return TRUNCATE;
        }

        @Override
        String optstring() {
            return "m:";
        }

        @Override
        int execute(Context ctx) {
            Console out = ctx.console();
            if (mode != null && !MODES.contains(mode)) {
                out.report("Invalid preallocation mode '" + mode + "'");
                return FAILED;
            }
            if (operands.isEmpty()) {
                return usage(); // QEMU 7.2 crashes here; extra operands it ignores
            }
            long[] v = new long[1];
            if (fails(out, () -> v[0] = number(operands.get(0)))) {
                return FAILED;
            }
            try {
                ctx.device().truncate(v[0]);
                return OK;
            } catch (BlockException e) {
                out.report(e.errno() == Errno.ENOTSUP ? "Cannot resize: " + e.getMessage() : e.getMessage());
                return FAILED;
            }
        }
    }
}
