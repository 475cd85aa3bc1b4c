package org.blkdebug.engine.nbd;

import static org.blkdebug.engine.nbd.Protocol.*;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.Device;
import org.blkdebug.engine.Device.WriteFlag;
import org.blkdebug.engine.Errno;
import org.blkdebug.engine.IoType;
import org.blkdebug.engine.Rule;

/**
 * Checks a request the way qemu-nbd's {@code nbd_co_receive_request} does (and nbdkit's
 * {@code validate_request} where they differ, see {@link #validate}), and hands a valid one to the
 * device's async API, so it runs on its own virtual thread and may park at a breakpoint. The
 * mapping follows qemu-nbd's {@code nbd_handle_request}.
 */
final class Commands {
    /** Largest number of extents in one block status chunk (qemu-nbd's: 1 MiB of them). */
    private static final int MAX_EXTENTS = (1 << 20) / 8;

    /** Runs the few commands that are several device calls in a row, each on a virtual thread of its own. */
    private static final Executor CHAINED = r -> Thread.ofVirtual().name("nbd-chained").start(r);

    private Commands() {
    }

    /**
     * The errno to refuse {@code h} with before it reaches the device, or 0 when it may run.
     * Flags as qemu-nbd accepts them (FUA on every command, DF on structured reads, NO_HOLE and
     * FAST_ZERO on WRITE_ZEROES, REQ_ONE on BLOCK_STATUS); the errnos as the spec asks: EPERM for
     * a write to a read-only export, ENOSPC for a write past the end (qemu-nbd 7.2 answers both
     * with EINVAL: differences-from-qemu D16), EINVAL for everything else.
     *
     * @param baseAllocation the client selected base:allocation, so BLOCK_STATUS is allowed
     */
    static int validate(RequestHeader h, Export export, boolean structured, boolean baseAllocation) {
        int type = h.type();
        int valid = CMD_FLAG_FUA;
        switch (type) {
            case CMD_READ -> valid |= structured ? CMD_FLAG_DF : 0;
            case CMD_WRITE_ZEROES -> valid |= CMD_FLAG_NO_HOLE | CMD_FLAG_FAST_ZERO;
            case CMD_BLOCK_STATUS -> valid |= CMD_FLAG_REQ_ONE;
            case CMD_WRITE, CMD_FLUSH, CMD_TRIM, CMD_CACHE -> { }
            default -> {
                return Errno.EINVAL; // RESIZE and unknown commands
            }
        }
        if ((h.flags() & ~valid) != 0) {
            return Errno.EINVAL;
        }
        if (export.readOnly() && (type == CMD_WRITE || type == CMD_TRIM || type == CMD_WRITE_ZEROES)) {
            return Errno.EPERM;
        }
        if (type == CMD_FLUSH) {
            return 0; // the spec asks the client for offset and length 0; qemu-nbd ignores them, as here
        }
        if ((type == CMD_READ || type == CMD_WRITE || type == CMD_CACHE) && h.length() > MAX_PAYLOAD) {
            return Errno.EINVAL;
        }
        if (h.offset() < 0 || h.offset() > export.size() || export.size() - h.offset() < h.length()) {
            return type == CMD_WRITE || type == CMD_WRITE_ZEROES ? Errno.ENOSPC : Errno.EINVAL;
        }
        if (type == CMD_BLOCK_STATUS && (!baseAllocation || h.length() == 0)) {
            return Errno.EINVAL; // qemu-nbd: "CMD_BLOCK_STATUS not negotiated", "need non-zero length"
        }
        return 0;
    }

    /**
     * True when some rule can fail a block-status query: then a structured read asks for the block
     * status of its range first, as qemu-nbd's sparse read does ({@code nbd_co_send_sparse_read}),
     * so {@code iotype=block-status} rules fail NBD reads as they do under qemu-nbd. Without such a
     * rule the query cannot fail, and a hole it finds would only change how the zeroes travel
     * (qemu-nbd sends an OFFSET_HOLE chunk, ours the bytes: differences D16), so it is skipped.
     */
    static boolean blockStatusCanFail(Device device) {
        for (List<Rule> rules : device.rules().values()) {
            for (Rule r : rules) {
                if (r instanceof Rule.InjectError e && e.matchesType(IoType.BLOCK_STATUS)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Submits a validated request other than BLOCK_STATUS. {@code data} is the read buffer or the
     * write payload. Returns at once; the future completes on a request thread.
     *
     * @param statusFirst a structured read asks for block status first ({@link #blockStatusCanFail})
     */
    static CompletableFuture<Void> submit(Device device, RequestHeader h, ByteBuffer data, Export export,
                                          boolean statusFirst) {
        boolean fua = h.has(CMD_FLAG_FUA);
        return switch (h.type()) {
            case CMD_READ -> fua || statusFirst && !h.has(CMD_FLAG_DF) && h.length() > 0
                    ? chained(() -> {
                        if (fua) {
                            device.flush(); // qemu-nbd: FUA on a read flushes first
                        }
                        if (statusFirst) {
                            status(device, h.offset(), h.length());
                        }
                        device.read(h.offset(), data);
                    })
                    : device.readAsync(h.offset(), new ByteBuffer[] {data}, null);
            case CMD_WRITE -> export.detectZeroes() && isZero(data)
                    // qemu's detect-zeroes, at the top node: the write becomes a write of zeroes
                    ? device.writeZeroesAsync(h.offset(), h.length(), null, flags(fua, export.unmap(), false))
                    : device.writeAsync(h.offset(), new ByteBuffer[] {data}, null, flags(fua, false, false));
            case CMD_FLUSH -> device.flushAsync(null);
            case CMD_TRIM -> trim(device, h, export.unmap(), fua);
            case CMD_WRITE_ZEROES -> device.writeZeroesAsync(h.offset(), h.length(), null,
                    flags(fua, export.unmap() && !h.has(CMD_FLAG_NO_HOLE), h.has(CMD_FLAG_FAST_ZERO)));
            case CMD_CACHE -> chained(() -> status(device, h.offset(), h.length()));
            default -> throw new IllegalArgumentException(h.describe()); // validate() let it through
        };
    }

    /**
     * NBD_CMD_TRIM is advisory. qemu-nbd with its default {@code --discard=ignore} answers it
     * without touching the device; with {@code unmap} it discards. FUA flushes afterwards.
     */
    private static CompletableFuture<Void> trim(Device device, RequestHeader h, boolean unmap, boolean fua) {
        if (!fua) {
            return unmap ? device.discardAsync(h.offset(), h.length(), null) : CompletableFuture.completedFuture(null);
        }
        return chained(() -> {
            if (unmap) {
                device.discard(h.offset(), h.length());
            }
            device.flush();
        });
    }

    /**
     * NBD_CMD_BLOCK_STATUS for base:allocation: the extents of the range as (length, flags) pairs,
     * adjacent extents with the same flags merged; one extent with REQ_ONE.
     */
    static CompletableFuture<int[]> blockStatus(Device device, RequestHeader h) {
        CompletableFuture<int[]> f = new CompletableFuture<>();
        CHAINED.execute(() -> {
            try {
                f.complete(extents(device, h.offset(), h.length(), h.has(CMD_FLAG_REQ_ONE) ? 1 : MAX_EXTENTS));
            } catch (BlockException | RuntimeException e) {
                f.completeExceptionally(e);
            }
        });
        return f;
    }

    private static int[] extents(Device device, long offset, long length, int max) throws BlockException {
        int[] out = new int[2];
        int n = 0;
        long at = offset;
        long end = offset + length;
        while (at < end) {
            Device.DataStatus st = device.dataStatus(at, end - at);
            long run = st.bytes();
            if (run <= 0) {
                break;
            }
            // qemu-nbd's blockstatus_to_extents
            int flags = (st.data() ? 0 : STATE_HOLE) | (st.zero() ? STATE_ZERO : 0);
            if (n > 0 && out[2 * n - 1] == flags) {
                out[2 * n - 2] += (int) run; // the sum stays within the request's 32-bit length
            } else if (n == max) {
                break;
            } else {
                if (2 * n + 2 > out.length) {
                    out = Arrays.copyOf(out, out.length * 2);
                }
                out[2 * n] = (int) run;
                out[2 * n + 1] = flags;
                n++;
            }
            at += run;
        }
        return Arrays.copyOf(out, 2 * n);
    }

    /** Block status over the whole range, for its rule checks only (CACHE, and reads under rules). */
    private static void status(Device device, long offset, long length) throws BlockException {
        long at = offset;
        long end = offset + length;
        while (at < end) {
            long run = device.blockStatus(at, end - at);
            if (run <= 0) {
                return;
            }
            at += run;
        }
    }

    /** A body of several sync device calls. */
    @FunctionalInterface
    private interface Chain {
        void run() throws BlockException;
    }

    private static CompletableFuture<Void> chained(Chain body) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        CHAINED.execute(() -> {
            try {
                body.run();
                f.complete(null);
            } catch (BlockException | RuntimeException e) {
                f.completeExceptionally(e);
            }
        });
        return f;
    }

    private static boolean isZero(ByteBuffer b) {
        for (int i = b.position(); i < b.limit(); i++) {
            if (b.get(i) != 0) {
                return false;
            }
        }
        return true;
    }

    private static WriteFlag[] flags(boolean fua, boolean mayUnmap, boolean noFallback) {
        WriteFlag[] f = new WriteFlag[3];
        int n = 0;
        if (fua) {
            f[n++] = WriteFlag.FUA;
        }
        if (mayUnmap) {
            f[n++] = WriteFlag.MAY_UNMAP;
        }
        if (noFallback) {
            f[n++] = WriteFlag.NO_FALLBACK;
        }
        return n == 0 ? NO_FLAGS : Arrays.copyOf(f, n);
    }

    private static final WriteFlag[] NO_FLAGS = new WriteFlag[0];
}
