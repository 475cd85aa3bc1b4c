package org.blkdebug.engine.block;

import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.Event;
import org.blkdebug.engine.request.Request;

/**
 * The raw format driver (QEMU block/raw-format.c): passes everything to its child, firing
 * {@code read_aio} before a read and {@code write_aio} before a normal write on the child.
 * Write-zeroes, discard and flush fire nothing here.
 */
public final class RawNode extends Node {
    /**
     * @param probed the format was probed, not named: QEMU then makes the raw node do
     *               read-modify-write below 512 bytes, to protect the first sector
     */
    public RawNode(Node child, boolean probed) {
        super(child);
        Limits c = child.limits();
        // QEMU merges only the transfer limits from the child, never its request alignment
        limits = Limits.DEFAULT.withRequestAlignment(probed ? 512 : 1).withMaxTransfer(c.maxTransfer());
        supportedWriteFlags = REQ_WRITE_UNCHANGED | (REQ_FUA & child.supportedWriteFlags);
        supportedZeroFlags = REQ_WRITE_UNCHANGED | REQ_ZERO_WRITE
                | ((REQ_FUA | REQ_MAY_UNMAP | REQ_NO_FALLBACK) & child.supportedZeroFlags);
    }

    @Override
    protected void preadv(Request r, long offset, long bytes, IoVec qiov) throws BlockException {
        child.debugEvent(r, Event.READ_AIO);
        BlockIo.preadv(child, r, offset, bytes, qiov);
    }

    @Override
    protected boolean pwritev(Request r, long offset, long bytes, IoVec qiov, int flags) throws BlockException {
        child.debugEvent(r, Event.WRITE_AIO);
        BlockIo.pwritev(child, r, offset, bytes, qiov, flags);
        return false; // bdrv_co_pwritev of the child answers 0 for a positive return
    }

    @Override
    protected boolean pwriteZeroes(Request r, long offset, long bytes, int flags) throws BlockException {
        BlockIo.pwriteZeroes(child, r, offset, bytes, flags);
        return false;
    }

    /** raw_co_block_status: whatever the child says at the same offset. */
    @Override
    protected BlockStatus driverBlockStatus(Request r, boolean wantZero, long offset, long bytes) {
        return new BlockStatus(BlockStatus.RAW | BlockStatus.OFFSET_VALID, bytes, offset, child);
    }

    @Override
    public String formatName() {
        return "raw";
    }

    @Override
    public ImageInfo info() {
        return new ImageInfo(0, 0);
    }

    @Override
    protected boolean hasDiscard() {
        return true;
    }

    @Override
    protected boolean pdiscard(Request r, long offset, long bytes) throws BlockException {
        return BlockIo.pdiscard(child, r, offset, bytes); // bdrv_co_pdiscard passes a positive return up
    }
}
