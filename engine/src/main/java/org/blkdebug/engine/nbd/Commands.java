package org.blkdebug.engine.nbd;

import static org.blkdebug.engine.nbd.Protocol.*;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import org.blkdebug.engine.Device;
import org.blkdebug.engine.Device.WriteFlag;
import org.blkdebug.engine.Errno;

/**
 * Checks a request the way nbdkit's {@code validate_request} does, and hands a valid one to the
 * device's async API (so it runs on its own virtual thread and may park at a breakpoint).
 */
final class Commands {
    private static final int KNOWN_FLAGS =
            CMD_FLAG_FUA | CMD_FLAG_NO_HOLE | CMD_FLAG_DF | CMD_FLAG_REQ_ONE | CMD_FLAG_FAST_ZERO;

    private Commands() {
    }

    /**
     * The errno to refuse {@code h} with before it reaches the device, or 0 when it may run.
     * Out-of-range writes get ENOSPC and other out-of-range requests EINVAL, as both qemu-nbd and
     * nbdkit answer; oversize reads and writes get EINVAL.
     */
    static int validate(RequestHeader h, Export export, boolean structured) {
        int type = h.type();
        if (type != CMD_READ && type != CMD_WRITE && type != CMD_FLUSH && type != CMD_TRIM
                && type != CMD_WRITE_ZEROES) {
            return Errno.EINVAL; // CACHE, BLOCK_STATUS, RESIZE were never advertised
        }
        if ((h.flags() & ~KNOWN_FLAGS) != 0
                || h.has(CMD_FLAG_NO_HOLE) && type != CMD_WRITE_ZEROES
                || h.has(CMD_FLAG_FAST_ZERO) // SEND_FAST_ZERO is not advertised
                || h.has(CMD_FLAG_REQ_ONE) // only meaningful for BLOCK_STATUS
                || h.has(CMD_FLAG_DF) && (type != CMD_READ || !structured)
                || h.has(CMD_FLAG_FUA) && export.readOnly()) {
            return Errno.EINVAL;
        }
        if (export.readOnly() && (type == CMD_WRITE || type == CMD_TRIM || type == CMD_WRITE_ZEROES)) {
            return Errno.EPERM; // the spec's answer for a write to a read-only export
        }
        if (type == CMD_FLUSH) {
            return h.offset() != 0 || h.length() != 0 ? Errno.EINVAL : 0;
        }
        if ((type == CMD_READ || type == CMD_WRITE) && h.length() > MAX_PAYLOAD) {
            return Errno.EINVAL;
        }
        if (h.offset() < 0 || h.offset() > export.size() || export.size() - h.offset() < h.length()) {
            return type == CMD_WRITE || type == CMD_WRITE_ZEROES ? Errno.ENOSPC : Errno.EINVAL;
        }
        return 0;
    }

    /**
     * Submits a validated request. {@code data} is the read buffer or the write payload.
     * Returns at once; the future completes on the request's virtual thread.
     */
    static CompletableFuture<Void> submit(Device device, RequestHeader h, ByteBuffer data, Object attachment) {
        return switch (h.type()) {
            case CMD_READ -> device.readAsync(h.offset(), new ByteBuffer[] {data}, attachment);
            case CMD_WRITE -> device.writeAsync(h.offset(), new ByteBuffer[] {data}, attachment, fua(h));
            case CMD_FLUSH -> device.flushAsync(attachment);
            // NBD_CMD_TRIM is advisory, like QEMU's discard: the device decides what it frees
            case CMD_TRIM -> device.discardAsync(h.offset(), h.length(), attachment);
            case CMD_WRITE_ZEROES -> device.writeZeroesAsync(h.offset(), h.length(), attachment, zeroFlags(h));
            default -> throw new IllegalArgumentException(h.describe()); // validate() let it through
        };
    }

    private static WriteFlag[] fua(RequestHeader h) {
        return h.has(CMD_FLAG_FUA) ? new WriteFlag[] {WriteFlag.FUA} : new WriteFlag[0];
    }

    /** qemu-nbd: NO_HOLE means the zeroes must stay allocated, otherwise the range may be unmapped. */
    private static WriteFlag[] zeroFlags(RequestHeader h) {
        boolean fua = h.has(CMD_FLAG_FUA);
        boolean unmap = !h.has(CMD_FLAG_NO_HOLE);
        if (fua && unmap) {
            return new WriteFlag[] {WriteFlag.FUA, WriteFlag.MAY_UNMAP};
        }
        if (fua) {
            return new WriteFlag[] {WriteFlag.FUA};
        }
        return unmap ? new WriteFlag[] {WriteFlag.MAY_UNMAP} : new WriteFlag[0];
    }
}
