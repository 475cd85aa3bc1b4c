package org.blkdebug.engine.nbd;

import static org.blkdebug.engine.nbd.Protocol.*;

/**
 * What one connection sees of the device, fixed at the end of negotiation as qemu-nbd fixes
 * {@code exp->size}: later requests are range-checked against this size.
 *
 * @param flags    the transmission flags sent to the client
 * @param minBlock NBD_INFO_BLOCK_SIZE minimum: the request alignment of the top node, as
 *                 qemu-nbd's {@code blk_get_request_alignment} (raw: 1, so a client sends
 *                 unaligned writes and blkdebug's read-modify-write events fire below)
 * @param maxBlock the top node's max transfer, at most 32 MiB, a multiple of {@code minBlock}
 * @param unmap    TRIM and WRITE_ZEROES may free space ({@code --discard=unmap}); qemu-nbd's
 *                 default ({@code ignore}) answers TRIM without touching the device
 * @param detectZeroes a WRITE of zeroes becomes a WRITE_ZEROES ({@code --detect-zeroes})
 */
record Export(String name, String description, long size, int flags, int minBlock, int preferredBlock,
              int maxBlock, boolean unmap, boolean detectZeroes) {

    /**
     * The flags qemu-nbd 7.2 sends: FLUSH, FUA and CACHE always; TRIM, WRITE_ZEROES and FAST_ZERO
     * when writable; DF once structured replies are on; MULTI_CONN unless at most one client may
     * connect.
     */
    static Export of(NbdServer.Options o, long size, boolean readOnly, long alignment, long maxTransfer,
                     boolean structured) {
        int flags = TFLAG_HAS_FLAGS | TFLAG_SEND_FLUSH | TFLAG_SEND_FUA | TFLAG_SEND_CACHE;
        if (o.maxConnections() != 1) {
            flags |= TFLAG_CAN_MULTI_CONN;
        }
        if (readOnly) {
            flags |= TFLAG_READ_ONLY;
        } else {
            flags |= TFLAG_SEND_TRIM | TFLAG_SEND_WRITE_ZEROES | TFLAG_SEND_FAST_ZERO;
        }
        if (structured) {
            flags |= TFLAG_SEND_DF;
        }
        int min = (int) Math.max(1, Math.min(alignment, MAX_PAYLOAD));
        int preferred = Math.max(min, PREFERRED_BLOCK);
        long max = maxTransfer <= 0 ? MAX_PAYLOAD : Math.min(maxTransfer, MAX_PAYLOAD);
        max = Math.max(min, max / min * min);
        return new Export(o.exportName(), o.description(), size, flags, min, preferred, (int) max, o.unmap(),
                o.detectZeroes());
    }

    boolean readOnly() {
        return (flags & TFLAG_READ_ONLY) != 0;
    }
}
