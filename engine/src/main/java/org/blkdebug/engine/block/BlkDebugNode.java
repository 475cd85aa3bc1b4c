package org.blkdebug.engine.block;

import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.Errno;
import org.blkdebug.engine.Event;
import org.blkdebug.engine.IoType;
import org.blkdebug.engine.filter.BlkDebugRules;
import org.blkdebug.engine.request.Request;

/**
 * The blkdebug driver (QEMU block/blkdebug.c): every request is checked against the armed rules
 * before it passes to the image; debug events go to the rule engine. Its limits come from the
 * {@code align}, {@code max-transfer}, {@code *-write-zero} and {@code *-discard} options.
 */
public final class BlkDebugNode extends Node {
    private final BlkDebugRules rules;

    public BlkDebugNode(Node image, BlkDebugRules rules, Limits limits) {
        super(image);
        this.rules = rules;
        this.limits = limits;
        supportedWriteFlags = REQ_WRITE_UNCHANGED | (REQ_FUA & image.supportedWriteFlags);
        supportedZeroFlags = REQ_WRITE_UNCHANGED
                | ((REQ_FUA | REQ_MAY_UNMAP | REQ_NO_FALLBACK) & image.supportedZeroFlags);
    }

    public BlkDebugRules rules() {
        return rules;
    }

    @Override
    protected void debugEvent(Request r, Event event) {
        rules.event(event, r);
    }

    /** rule_check: true when the request must do no I/O ("success" from a negative errno). */
    private boolean check(Request r, long offset, long bytes, IoType type) throws BlockException {
        int err = rules.check(r, offset, bytes, type);
        if (err > 0) {
            throw new BlockException(err);
        }
        return err < 0;
    }

    @Override
    protected void preadv(Request r, long offset, long bytes, IoVec qiov) throws BlockException {
        if (!check(r, offset, bytes, IoType.READ)) {
            BlockIo.preadv(child, r, offset, bytes, qiov);
        }
    }

    @Override
    protected boolean pwritev(Request r, long offset, long bytes, IoVec qiov, int flags) throws BlockException {
        if (check(r, offset, bytes, IoType.WRITE)) {
            return true;
        }
        BlockIo.pwritev(child, r, offset, bytes, qiov, flags);
        return false;
    }

    @Override
    protected boolean pwriteZeroes(Request r, long offset, long bytes, int flags) throws BlockException {
        long align = Math.max(limits.requestAlignment(), limits.pwriteZeroesAlignment());
        if (bytes < align) {
            // QEMU: no rule check; the block layer falls back to writes, checked as writes
            throw new BlockException(Errno.ENOTSUP);
        }
        if (check(r, offset, bytes, IoType.WRITE_ZEROES)) {
            return true;
        }
        BlockIo.pwriteZeroes(child, r, offset, bytes, flags);
        return false;
    }

    @Override
    protected boolean hasDiscard() {
        return true;
    }

    @Override
    protected boolean pdiscard(Request r, long offset, long bytes) throws BlockException {
        if (bytes < limits.requestAlignment()) {
            throw new BlockException(Errno.ENOTSUP); // no rule check; discard ignores ENOTSUP
        }
        return check(r, offset, bytes, IoType.DISCARD) || BlockIo.pdiscard(child, r, offset, bytes);
    }

    /** blkdebug_co_block_status: the rule check, then the child's status at the same offset. */
    @Override
    protected BlockStatus driverBlockStatus(Request r, boolean wantZero, long offset, long bytes)
            throws BlockException {
        check(r, offset, bytes, IoType.BLOCK_STATUS);
        return new BlockStatus(BlockStatus.RAW | BlockStatus.OFFSET_VALID, bytes, offset, child);
    }

    /**
     * QEMU's total_sectors of this node: blkdebug has no variable length, so bdrv_getlength never
     * asks its file again; truncates and writes through it change it, not the padding an O_DIRECT
     * file node below adds (difftest seed 20261203 session 7880).
     */
    private final TotalSectors totalSectors = new TotalSectors(() -> child.length());

    @Override
    public long length() throws BlockException {
        if (lengthGranularity() == 1) {
            return child.length(); // a Java door's file (D18): its length as it is, whoever grew it
        }
        return totalSectors.get();
    }

    @Override
    protected void writeFinished(long end) throws BlockException {
        if (lengthGranularity() != 1) { // else length() asks the file each time: nothing kept
            totalSectors.written(end);
        }
    }

    @Override
    protected void truncated(long length) {
        totalSectors.truncated(length);
    }

    @Override
    protected boolean isFilter() {
        return true;
    }

    /**
     * QEMU: blkdebug is a protocol driver (it opens by file name), and a protocol without its own
     * answer cannot say how much it takes (-ENOTSUP), filter or not. So qcow2's check for
     * preallocated metadata gives up at once over blkdebug, reading no refcount block.
     */
    @Override
    public long allocatedFileSize() {
        return -Errno.ENOTSUP;
    }

    @Override
    public String formatName() {
        return "blkdebug";
    }

    @Override
    public ImageInfo info() {
        return child.info(); // bdrv_get_info of a filter asks the filtered node
    }

    @Override
    protected void flushToDisk(Request r) throws BlockException {
        if (!check(r, 0, 0, IoType.FLUSH)) {
            BlockIo.flush(child, r);
        }
    }
}
