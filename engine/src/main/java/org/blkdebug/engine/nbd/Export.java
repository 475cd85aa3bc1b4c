package org.blkdebug.engine.nbd;

/**
 * What one connection sees of the device, fixed at the end of negotiation as qemu-nbd fixes
 * {@code exp->size}: later requests are range-checked against this size.
 *
 * @param flags      the transmission flags sent to the client
 * @param minBlock   NBD_INFO_BLOCK_SIZE minimum: blkdebug's {@code align}, or 1
 */
record Export(String name, long size, int flags, int minBlock, int preferredBlock, int maxBlock) {

    static Export of(String name, long size, boolean readOnly, long align) {
        int flags = Protocol.TFLAG_HAS_FLAGS | Protocol.TFLAG_SEND_FLUSH | Protocol.TFLAG_CAN_MULTI_CONN;
        if (readOnly) {
            flags |= Protocol.TFLAG_READ_ONLY;
        } else {
            flags |= Protocol.TFLAG_SEND_FUA | Protocol.TFLAG_SEND_TRIM | Protocol.TFLAG_SEND_WRITE_ZEROES;
        }
        int min = (int) Math.max(1, Math.min(align, Protocol.MAX_PAYLOAD));
        int preferred = Math.max(min, Protocol.PREFERRED_BLOCK);
        return new Export(name, size, flags, min, preferred, Protocol.MAX_PAYLOAD);
    }

    boolean readOnly() {
        return (flags & Protocol.TFLAG_READ_ONLY) != 0;
    }
}
