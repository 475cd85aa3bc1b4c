package org.blkdebug.cli.commands;

import java.util.List;

import org.blkdebug.cli.report.Console;
import org.blkdebug.cli.report.Sizes;
import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.Device;
import org.blkdebug.engine.DeviceSpec;
import org.blkdebug.engine.Errno;

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
        int errno = Requests.await(ctx, ctx.device().flushAsync(Requests.SYNC));
        ctx.afterFlush(); // where it polls (scenario 245)
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
        Device.FormatInfo fi = ctx.snapshot() ? snapshotOverlayInfo(ctx.device()) : ctx.device().formatInfo();
        boolean blkdebugOnTop = ctx.format() == DeviceSpec.Format.NONE && ctx.device().hasBlkDebug();
        if (ctx.snapshot()) {
            out.println("format name: " + fi.formatName());
        } else if (blkdebugOnTop) {
            // blkdebug is both the format and the protocol name of the top node
            out.println("format name: blkdebug");
            out.println("format name: blkdebug");
        } else if (ctx.format() == DeviceSpec.Format.NONE) {
            out.println("format name: file");
        } else if (fi.formatName() != null) {
            out.println("format name: " + fi.formatName());
        }
        if (fi.errno() != 0) {
            return ShellCommand.FAILED; // info_f returns bdrv_get_info's error without a word
        }
        out.println("cluster size: " + Sizes.cvtstr(fi.clusterSize()));
        out.println("vm state offset: " + Sizes.cvtstr(fi.vmStateOffset()));
        if (!fi.specific().isEmpty()) {
            out.println("Format specific information:");
            for (String line : fi.specific()) {
                out.println("    " + line);
            }
        }
        return ShellCommand.OK;
    }

    /**
     * Under {@code -s} QEMU's top node is the temporary qcow2 overlay it created with qcow2's
     * defaults (bdrv_append_temp_snapshot), the image's length, so {@code info} describes that:
     * 64 KiB clusters, the VM state after the last L1 entry's reach (512 MiB each), version 3.
     */
    private static Device.FormatInfo snapshotOverlayInfo(Device d) {
        long l1Reach = 1L << 29; // a 64 KiB cluster of 8-byte L2 entries, each a 64 KiB cluster
        long length;
        try {
            length = d.length();
        } catch (BlockException e) {
            length = 0;
        }
        return new Device.FormatInfo("qcow2", 0, 64 * 1024, (length + l1Reach - 1) / l1Reach * l1Reach,
                List.of("compat: 1.1", "compression type: zlib", "lazy refcounts: false", "refcount bits: 16",
                        "corrupt: false", "extended l2: false"));
    }

    /** {@code map}: runs of allocated and unallocated bytes (qemu-io's map_is_allocated loop). */
    static int map(Context ctx, List<String> argv) throws InterruptedException {
        long bytes;
        try {
            bytes = ctx.device().length();
        } catch (BlockException e) {
            ctx.console().report("Failed to query image length: " + e.getMessage());
            return ShellCommand.FAILED;
        }
        long offset = 0;
        try {
            while (bytes > 0) {
                long at = offset;
                long left = bytes;
                Device.Allocation first = Requests.call(ctx, () -> ctx.device().isAllocated(at, left));
                long num = first.bytes();
                long o = offset;
                long b = bytes;
                Device.Allocation next = first;
                while (b > 0 && next.allocated() == first.allocated()) {
                    o += next.bytes();
                    b -= next.bytes();
                    if (b <= 0) {
                        break;
                    }
                    long at2 = o;
                    long left2 = b;
                    next = Requests.call(ctx, () -> ctx.device().isAllocated(at2, left2));
                    if (next.allocated() == first.allocated() && next.bytes() != 0) {
                        num += next.bytes();
                    } else {
                        break;
                    }
                }
                if (num == 0) {
                    ctx.console().report("Unexpected end of image");
                    return ShellCommand.FAILED;
                }
                ctx.console().println(Sizes.cvtstr(num) + " (0x" + Long.toHexString(num) + ") bytes "
                        + (first.allocated() ? "    allocated" : "not allocated") + " at offset "
                        + Sizes.cvtstr(offset) + " (0x" + Long.toHexString(offset) + ")");
                offset += num;
                bytes -= num;
            }
            return ShellCommand.OK;
        } catch (BlockException e) {
            ctx.console().report("Failed to get allocation status: " + e.getMessage());
            return ShellCommand.FAILED;
        }
    }

    static int alloc(Context ctx, List<String> argv) throws InterruptedException {
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
        long start = offset;
        long remaining = count;
        long sumAlloc = 0;
        try {
            while (remaining != 0) {
                long at = offset;
                long left = remaining;
                Device.Allocation a = Requests.call(ctx, () -> ctx.device().isAllocated(at, left));
                offset += a.bytes();
                remaining -= a.bytes();
                if (a.allocated()) {
                    sumAlloc += a.bytes();
                }
                if (a.bytes() == 0) {
                    count -= remaining;
                    remaining = 0;
                }
            }
        } catch (BlockException e) {
            out.println("is_allocated failed: " + e.getMessage());
            return ShellCommand.FAILED;
        }
        out.println(sumAlloc + "/" + count + " bytes allocated at offset " + Sizes.cvtstr(start));
        return ShellCommand.OK;
    }

    /** {@code truncate [-m prealloc_mode] off}. */
    static final class Truncate extends GetoptCommand {
        private static final List<String> MODES = List.of("off", "metadata", "falloc", "full");
        String mode;

        @Override
        void option(char c, String arg) {
            mode = arg; // -m, the only one
        }

        @Override
        CommandInfo info() {
            return TRUNCATE;
        }

        @Override
        String optstring() {
            return "m:";
        }

        @Override
        int execute(Context ctx) throws InterruptedException {
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
                String m = mode == null ? "off" : mode;
                Requests.call(ctx, () -> {
                    ctx.device().truncate(v[0], m);
                    return null;
                });
                if (ctx.format() != org.blkdebug.engine.DeviceSpec.Format.QCOW2) {
                    ctx.afterSyncRound(); // file-posix's ftruncate runs in the thread pool; qemu-io polls for it
                }
                return OK;
            } catch (BlockException e) {
                if (e.hasDetail()) {
                    out.report(e.getMessage()); // the format's own message (error_report_err)
                } else {
                    out.report(e.errno() == Errno.ENOTSUP ? "Cannot resize: " + e.getMessage() : e.getMessage());
                }
                return FAILED;
            }
        }
    }
}
