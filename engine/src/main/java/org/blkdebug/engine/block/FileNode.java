package org.blkdebug.engine.block;

import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.request.Request;

/**
 * The protocol node over a {@link Backend} (QEMU's file-posix): the only node that does real I/O.
 * The request is in {@link org.blkdebug.engine.Phase#BACKEND_IO} for the duration of each call.
 * Its backend is the disk's volatile cache over the image when the power-loss model is on
 * ({@link org.blkdebug.engine.crash.VolatileCache}).
 */
public final class FileNode extends Node {
    private static final long SECTOR = 512;
    private final Backend backend;
    /** The length is the file's, to the byte: a file of the blkdebug file system, not a disk. */
    private final boolean byteLength;

    public FileNode(Backend backend, boolean readOnly) {
        this(backend, readOnly, false);
    }

    /**
     * @param byteLength report the file's own length; otherwise it is rounded up to whole sectors
     *                   as QEMU's {@code bdrv_getlength} does for every node
     */
    public FileNode(Backend backend, boolean readOnly, boolean byteLength) {
        super(null);
        this.backend = backend;
        this.readOnly = readOnly;
        this.byteLength = byteLength;
        this.totalSectors = new TotalSectors(backend::length);
        supportedWriteFlags = 0; // QEMU 7.2's file-posix has no FUA: the layers above emulate it
        supportedZeroFlags = REQ_MAY_UNMAP | REQ_NO_FALLBACK;
    }

    public Backend backend() {
        return backend;
    }

    /**
     * {@code cache.direct=on}: requests to the file are aligned (padded, read-modify-write) to what
     * O_DIRECT needs there, probed now, as file-posix's {@code raw_refresh_limits} does at open.
     * Nothing of it is seen by blkdebug's rules: the padding happens below blkdebug.
     *
     * @param nativeAio {@code aio=native} (the node's option or qemu-io's {@code -k}), which QEMU
     *                  allows only with O_DIRECT: see {@link #answeredAtSubmission}
     */
    public void openDirect(boolean nativeAio) throws org.blkdebug.engine.OpenException {
        limits = limits.withRequestAlignment(backend.probeDirectIoAlignment());
        this.nativeAio = nativeAio;
    }

    /** Set at open, before any request. */
    private boolean nativeAio;

    /**
     * Under {@code aio=native}, file-posix's {@code raw_co_prw} hands a request whose vector is
     * aligned ({@code bdrv_qiov_is_aligned}: starts and lengths, to the O_DIRECT alignment) to Linux
     * AIO instead of the thread pool (the others, and flushes, discards and write-zeroes, still go
     * to the pool). {@code ioq_submit} looks for completions right after {@code io_submit}, and
     * {@code laio_co_submit} yields only when its request is still in flight. A direct read that
     * meets only holes of the file, or its end, needs no disk: the kernel answers it inside
     * {@code io_submit} (zeroes), so QEMU's coroutine goes on without yielding, as if the call were
     * synchronous, and meets the rules armed then. Reads of data and writes reach the disk and
     * complete later, as a pool call does (seed 80000000 session 14344: an unaligned aio_write's
     * padding read of a hole lets its write pass blkdebug before an earlier aio_write's flush arms
     * a rule; with the blocks written first QEMU yields there, 20 runs of 20 each way). The buffer
     * alignment is taken as the request alignment: file-posix's {@code buf_align} probe falls back
     * to it where it meets a hole and finds the device's logical block otherwise, as this one does.
     */
    private boolean answeredAtSubmission(long offset, long bytes, IoVec qiov) throws BlockException {
        if (!nativeAio || !qiov.aligned(limits.requestAlignment())) {
            return false;
        }
        long end = Math.min(offset + bytes, backend.length());
        for (long pos = offset; pos < end; ) {
            Backend.Extent e = backend.extentAt(pos);
            if (e == null || e.data()) {
                return false;
            }
            pos = e.end(); // TRAILING_HOLE ends the loop
        }
        return true;
    }

    @Override
    protected void preadv(Request r, long offset, long bytes, IoVec qiov) throws BlockException {
        if (answeredAtSubmission(offset, bytes, qiov)) {
            backend.read(offset, qiov); // no yield: the request goes on in this turn
            return;
        }
        r.backendIo(true);
        try {
            backend.read(offset, qiov);
        } finally {
            r.backendIo(false);
        }
    }

    @Override
    protected boolean pwritev(Request r, long offset, long bytes, IoVec qiov, int flags) throws BlockException {
        r.backendIo(true);
        try {
            backend.write(offset, qiov, r.fua());
        } finally {
            r.backendIo(false);
        }
        return false;
    }

    /** A write-zeroes past the end of the file becomes serialising ({@link #beforeWriteZeroes}). */
    @Override
    boolean tracksOnDemand() {
        return true;
    }

    /**
     * file-posix's raw_do_pwrite_zeroes: a write-zeroes that reaches past the end of the file (as
     * the node knows it: {@link TotalSectors}) stretches its tracked range to the end of all
     * offsets and becomes serialising, waiting for the overlapping requests in flight; every
     * later request from its offset on waits for it (a workaround for an XFS bug QEMU applies on
     * every file system). qcow2 meets it zeroing a fresh cluster at the end of the file
     * (cluster_alloc_space): a second allocating write's zero-write waits for the first's, and
     * its events and rules at blkdebug, above this node, fire before the wait (scenarios 263,
     * 361, 371).
     */
    @Override
    void beforeWriteZeroes(Request r, Tracked t, long offset, long bytes) throws BlockException {
        if (t != UNTRACKED && offset + bytes > totalSectors.get()) {
            makeSerialisingToEnd(r, t);
        }
    }

    @Override
    protected boolean pwriteZeroes(Request r, long offset, long bytes, int flags) throws BlockException {
        r.backendIo(true);
        try {
            if ((flags & REQ_MAY_UNMAP) != 0) {
                // file-posix punches a hole with FALLOC_FL_KEEP_SIZE: what lies past the end of
                // the file (the partial last sector of an odd-length image) stays unwritten and
                // the file keeps its length; it reads as zeroes all the same (scenario 250)
                long inFile = Math.min(bytes, backend.length() - offset);
                if (inFile > 0) {
                    backend.writeZeroes(offset, inFile, r.fua(), true);
                }
            } else {
                backend.writeZeroes(offset, bytes, r.fua(), false);
            }
        } finally {
            r.backendIo(false);
        }
        return false;
    }

    @Override
    protected boolean hasDiscard() {
        return true;
    }

    @Override
    protected boolean pdiscard(Request r, long offset, long bytes) throws BlockException {
        r.backendIo(true);
        try {
            backend.discard(offset, bytes);
        } finally {
            r.backendIo(false);
        }
        return false;
    }

    @Override
    protected void flushToDisk(Request r) throws BlockException {
        r.backendIo(true);
        r.flushIo();
        try {
            backend.flush();
        } finally {
            r.backendIo(false);
        }
    }

    /**
     * file-posix's {@code raw_co_block_status}: with {@code want_zero}, a sparse file's holes are
     * zeroes and the rest data, as SEEK_DATA/SEEK_HOLE find them (the end of a data extent rounded
     * up to the request alignment; no answer from the file system means data). Without it, data
     * everywhere, as the block layer reports when a driver has no answer.
     */
    @Override
    protected BlockStatus driverBlockStatus(Request r, boolean wantZero, long offset, long bytes) {
        if (!wantZero) {
            return null;
        }
        Backend.Extent e = backend.extentAt(offset);
        int flags;
        long pnum;
        if (e == null || e == Backend.Extent.TRAILING_HOLE) {
            flags = e == null ? BlockStatus.DATA : BlockStatus.ZERO;
            pnum = bytes;
        } else if (e.data()) {
            flags = BlockStatus.DATA;
            pnum = roundUp(e.end() - offset, limits.requestAlignment());
        } else {
            flags = BlockStatus.ZERO;
            pnum = e.end() - offset;
        }
        return new BlockStatus(flags | BlockStatus.OFFSET_VALID, pnum, offset, this);
    }

    @Override
    public long length() throws BlockException {
        // QEMU keeps a node's length in 512-byte sectors (refresh_total_sectors rounds the file's
        // size up): the tail of the last sector reads as zeroes and a write there grows the file
        long n = backend.length();
        return byteLength ? n : Node.roundUp(n, SECTOR);
    }

    @Override
    protected long lengthGranularity() {
        return byteLength ? 1 : SECTOR;
    }

    /**
     * file-posix answers {@code st_blocks * 512}; Java cannot ask for that, so the file is taken
     * as fully allocated (its length), which is what a qcow2 image QEMU wrote mostly is.
     */
    @Override
    public long allocatedFileSize() {
        try {
            return length();
        } catch (BlockException e) {
            return -e.errno();
        }
    }

    /** file-posix's raw_co_truncate on a regular file: the backend takes the mode (Backend#truncate). */
    @Override
    protected void truncateDriver(Request r, long length, String prealloc, int flags) throws BlockException {
        r.backendIo(true);
        r.metadataIo(); // ftruncate outlasts a quick call begun just before it (seed 20261205 session 6031)
        try {
            backend.truncate(length, prealloc);
        } finally {
            r.backendIo(false);
        }
    }

    /** QEMU's total_sectors of the file node: what "past the end" means to a write-zeroes. */
    private final TotalSectors totalSectors;

    @Override
    protected void writeFinished(long end) throws BlockException {
        totalSectors.written(end);
    }

    @Override
    protected void truncated(long length) {
        totalSectors.truncated(length);
    }

    @Override
    public void close() throws BlockException {
        backend.close();
    }
}
