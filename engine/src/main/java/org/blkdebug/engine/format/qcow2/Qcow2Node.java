package org.blkdebug.engine.format.qcow2;

import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.Errno;
import org.blkdebug.engine.Event;
import org.blkdebug.engine.OpenException;
import org.blkdebug.engine.Operation;
import org.blkdebug.engine.block.BlockIo;
import org.blkdebug.engine.block.BlockStatus;
import org.blkdebug.engine.block.ImageInfo;
import org.blkdebug.engine.block.IoVec;
import org.blkdebug.engine.block.Limits;
import org.blkdebug.engine.block.Node;
import org.blkdebug.engine.request.Request;
import org.blkdebug.engine.request.RequestTracker;

/**
 * The qcow2 format driver (QEMU 7.2's block/qcow2*.c): a node above its image file (usually
 * blkdebug), firing qcow2's debug events on that child at QEMU's points and in QEMU's order, with
 * QEMU's metadata lock held where QEMU holds it. The work is done by the classes of this
 * package; this class is the driver's table of entry points.
 */
public final class Qcow2Node extends Node {
    /** How the driver reaches the files an image names in its header. */
    public interface Children {
        /** The data file given as an option ({@code data-file}), or null. */
        Node dataFile();

        /** Opens the external data file the image names (a file name relative to the image). */
        Node openDataFile(String name) throws OpenException;
    }

    private final Qcow2State s;
    private final RequestTracker tracker;
    private Node[] flushChildren;

    private Qcow2Node(Node file, Qcow2State s, RequestTracker tracker) {
        super(file);
        this.s = s;
        this.tracker = tracker;
        s.node = this;
    }

    /**
     * Opens the qcow2 image on {@code file} (QEMU's qcow2_open): reads and checks the header,
     * repairs it if it was left dirty. The backing node is attached afterwards with
     * {@link #attachBacking}, as QEMU opens it after the driver.
     *
     * @param unmap discards may pass down (qemu-io's default; {@code -d ignore} turns it off)
     */
    public static Qcow2Node open(Node file, Children children, Qcow2Options options, boolean readOnly,
                                 boolean unmap, RequestTracker tracker, Diagnostics out) throws OpenException {
        Request r = tracker.begin(Operation.READ, 0, 0, null);
        Qcow2State s;
        try {
            // QEMU opens with the lock held; nobody else can want it yet, so it is not taken here
            s = Qcow2Open.open(file, r, children, options, readOnly, unmap, out);
        } finally {
            tracker.end(r);
        }
        Qcow2Node n = new Qcow2Node(file, s, tracker);
        n.configure(false, readOnly);
        n.refreshLimits();
        return n;
    }

    Qcow2State state() {
        return s;
    }

    /** The image's backing file name as stored in the header, or null. */
    public String backingFileName() {
        return s.imageBackingFile;
    }

    /** The backing file format as stored in the header, or null. */
    public String backingFormat() {
        return s.imageBackingFormat;
    }

    /** Attaches the opened backing node (null: none, as {@code backing: null} asks). */
    public void attachBacking(Node backing) {
        s.backing = backing;
        refreshLimits();
    }

    /** qcow2_refresh_limits, with the transfer limits of the data-carrying children merged. */
    private void refreshLimits() {
        long maxTransfer = 0;
        // the children holding data: the image file (unless a data file does), the data file, backing
        for (Node c : new Node[] {s.dataFile, s.backing}) {
            if (c != null && c.limits().maxTransfer() != 0) {
                maxTransfer = maxTransfer == 0 ? c.limits().maxTransfer() : Math.min(maxTransfer, c.limits().maxTransfer());
            }
        }
        setLimits(new Limits(1, maxTransfer, s.layout.subclusterSize, 0, s.layout.clusterSize, 0));
        setSupportedFlags(0, s.qcowVersion >= 3 ? REQ_MAY_UNMAP | REQ_NO_FALLBACK : 0);
        flushChildren = s.hasDataFile() ? new Node[] {s.dataFile, s.file} : new Node[] {s.file};
    }

    private void checkInserted() throws BlockException {
        if (s.unusable) {
            throw new BlockException(Errno.ENOMEDIUM);
        }
    }

    @Override
    protected boolean inserted() {
        return !s.unusable;
    }

    @Override
    public long length() throws BlockException {
        return s.totalBytes;
    }

    @Override
    public Node backing() {
        return s.backing;
    }

    @Override
    protected boolean isProtocol() {
        return false;
    }

    @Override
    protected Node[] flushChildren() {
        return flushChildren;
    }

    @Override
    public String formatName() {
        return "qcow2";
    }

    /** QEMU's default for a format: the sum over the image file and the data file (not backing). */
    @Override
    public long allocatedFileSize() {
        long sum = 0;
        for (Node c : flushChildren) {
            long n = c.allocatedFileSize();
            if (n < 0) {
                return n;
            }
            sum += n;
        }
        return sum;
    }

    @Override
    public ImageInfo info() {
        return new ImageInfo(s.layout.clusterSize, s.vmStateOffset());
    }

    /** What qemu-io's {@code info} prints under "Format specific information". */
    public java.util.List<String> specificInfo() {
        java.util.List<String> lines = new java.util.ArrayList<>();
        if (s.qcowVersion == 2) {
            lines.add("compat: 0.10");
            lines.add("compression type: zlib");
            lines.add("refcount bits: " + s.layout.refcountBits);
        } else {
            lines.add("compat: 1.1");
            lines.add("compression type: zlib");
            lines.add("lazy refcounts: " + ((s.compatibleFeatures & Qcow2State.COMPAT_LAZY_REFCOUNTS) != 0));
            lines.add("refcount bits: " + s.layout.refcountBits);
            lines.add("corrupt: " + ((s.incompatibleFeatures & Qcow2State.INCOMPAT_CORRUPT) != 0));
            lines.add("extended l2: " + s.hasSubclusters());
        }
        if (s.imageDataFile != null) {
            lines.add("data file: " + s.imageDataFile);
            lines.add("data file raw: " + s.dataFileIsRaw());
        }
        return lines;
    }

    @Override
    protected void preadv(Request r, long offset, long bytes, IoVec qiov) throws BlockException {
        checkInserted();
        ReadPath.preadv(s, r, offset, bytes, qiov);
    }

    @Override
    protected boolean pwritev(Request r, long offset, long bytes, IoVec qiov, int flags) throws BlockException {
        checkInserted();
        WritePath.pwritev(s, r, offset, bytes, qiov);
        return false;
    }

    @Override
    protected void pwritevCompressed(Request r, long offset, long bytes, IoVec qiov) throws BlockException {
        checkInserted();
        WritePath.pwritevCompressed(s, r, offset, bytes, qiov);
    }

    /** qcow2_co_pwrite_zeroes: unaligned ends only where the rest of their subcluster reads as zero. */
    @Override
    protected boolean pwriteZeroes(Request r, long offset, long bytes, int flags) throws BlockException {
        checkInserted();
        Layout l = s.layout;
        long head = l.offsetIntoSubcluster(offset);
        long tail = Entries.roundUp(offset + bytes, l.subclusterSize) - (offset + bytes);
        if (offset + bytes == s.totalBytes) {
            tail = 0;
        }
        if (head != 0 || tail != 0) {
            if (!(isZero(r, offset - head, head) && isZero(r, offset + bytes, tail))) {
                throw new BlockException(Errno.ENOTSUP);
            }
            s.lock.lock(r);
            offset -= head;
            bytes = l.subclusterSize;
            L2Tables.Mapping m;
            try {
                m = L2Tables.hostOffset(s, r, offset, l.subclusterSize);
            } catch (L2Tables.Errno2 e) {
                s.lock.unlock();
                throw new BlockException(-e.ret);
            }
            if (!m.type().unallocated() && !m.type().zero()) {
                s.lock.unlock();
                throw new BlockException(Errno.ENOTSUP);
            }
        } else {
            s.lock.lock(r);
        }
        int ret;
        try {
            ret = ZeroDiscard.zeroize(s, r, offset, bytes, flags);
        } finally {
            s.lock.unlock();
        }
        if (ret < 0) {
            throw new BlockException(-ret);
        }
        return false;
    }

    /**
     * is_zero: the range reads as zeroes through the backing chain (block status, want_zero). A
     * block status that fails answers "not zero", as QEMU's {@code res >= 0 && ...}: the write
     * then falls back to writing zeroes (difftest seed 190000000 session 3746: an L2 table read
     * failed by a rule, scenario 630).
     */
    private boolean isZero(Request r, long offset, long bytes) {
        if (offset + bytes > s.totalBytes) {
            bytes = s.totalBytes - offset;
        }
        if (bytes == 0) {
            return true;
        }
        BlockStatus st;
        do {
            try {
                st = BlockIo.blockStatusAbove(this, null, false, true, r, offset, bytes, new int[1]);
            } catch (BlockException e) {
                return false;
            }
            offset += st.bytes();
            bytes -= st.bytes();
        } while (st.has(BlockStatus.ZERO) && st.bytes() != 0 && bytes != 0);
        return st.has(BlockStatus.ZERO) && bytes == 0;
    }

    @Override
    protected boolean hasDiscard() {
        return true;
    }

    /** qcow2_co_pdiscard: whole clusters only (or the last, partial one). */
    @Override
    protected boolean pdiscard(Request r, long offset, long bytes) throws BlockException {
        checkInserted();
        Layout l = s.layout;
        if (s.qcowVersion < 3 && s.backing != null) {
            throw new BlockException(Errno.ENOTSUP); // a v2 discard would expose the backing file
        }
        if (((offset | bytes) & (l.clusterSize - 1)) != 0) {
            if (l.offsetIntoCluster(offset) != 0 || offset + bytes != s.totalBytes) {
                throw new BlockException(Errno.ENOTSUP);
            }
        }
        int ret;
        s.lock.lock(r);
        try {
            ret = ZeroDiscard.discard(s, r, offset, bytes, DiscardType.REQUEST, false);
        } finally {
            s.lock.unlock();
        }
        if (ret < 0) {
            throw new BlockException(-ret);
        }
        return false;
    }

    /** qcow2_co_flush_to_os: the caches written back, under the lock. */
    @Override
    protected void flushToOs(Request r) throws BlockException {
        if (s.unusable) {
            return;
        }
        int ret;
        s.lock.lock(r);
        try {
            ret = Refcounts.writeCaches(s, r);
        } finally {
            s.lock.unlock();
        }
        if (ret < 0) {
            throw new BlockException(-ret);
        }
    }

    /** qcow2_co_block_status. */
    @Override
    protected BlockStatus driverBlockStatus(Request r, boolean wantZero, long offset, long bytes)
            throws BlockException {
        checkInserted();
        L2Tables.Mapping m;
        s.lock.lock(r);
        try {
            if (!s.metadataPreallocationChecked) {
                int ret = Refcounts.detectMetadataPreallocation(s, r);
                s.metadataPreallocation = ret == 1;
                s.metadataPreallocationChecked = true;
            }
            m = L2Tables.hostOffset(s, r, offset, Math.min(Integer.MAX_VALUE, bytes));
        } catch (L2Tables.Errno2 e) {
            throw new BlockException(-e.ret);
        } finally {
            s.lock.unlock();
        }
        SubclusterType type = m.type();
        int status = 0;
        long map = 0;
        Node file = null;
        if (type == SubclusterType.NORMAL || type == SubclusterType.ZERO_ALLOC
                || type == SubclusterType.UNALLOCATED_ALLOC) {
            map = m.hostOffset();
            file = s.dataFile;
            status |= BlockStatus.OFFSET_VALID;
        }
        if (type.zero()) {
            status |= BlockStatus.ZERO;
        } else if (!type.unallocated()) {
            status |= BlockStatus.DATA;
        }
        if (s.metadataPreallocation && (status & BlockStatus.DATA) != 0 && (status & BlockStatus.OFFSET_VALID) != 0) {
            status |= BlockStatus.RECURSE;
        }
        return new BlockStatus(status, m.bytes(), map, file);
    }

    /** qcow2_co_truncate with a preallocation mode; errors carry QEMU's message. */
    @Override
    protected void truncateDriver(Request r, long length, String prealloc, int flags) throws BlockException {
        checkInserted();
        Truncate.truncate(s, r, length, prealloc, flags);
    }

    /** qcow2_check_vmstate_request: the guest offset of VM state position {@code pos}. */
    private long vmStateOffset(long pos) throws BlockException {
        long base = s.vmStateOffset();
        if (Long.MAX_VALUE - pos < base) {
            throw new BlockException(Errno.EIO);
        }
        return pos + base;
    }

    @Override
    protected boolean loadVmState(Request r, long pos, IoVec qiov) throws BlockException {
        long offset = vmStateOffset(pos);
        s.file.event(r, Event.VMSTATE_LOAD);
        ReadPath.preadv(s, r, offset, qiov.size(), qiov);
        return true;
    }

    @Override
    protected boolean saveVmState(Request r, long pos, IoVec qiov) throws BlockException {
        long offset = vmStateOffset(pos);
        s.file.event(r, Event.VMSTATE_SAVE);
        WritePath.pwritev(s, r, offset, qiov.size(), qiov);
        return true;
    }

    /**
     * qcow2_close: qcow2_inactivate writes both caches back ({@code Failed to flush ...} on
     * error) and clears the dirty bit; then the children close.
     */
    @Override
    public void close() throws BlockException {
        if (!s.unusable && !s.readOnly) {
            Request r = tracker.begin(Operation.FLUSH, 0, 0, null);
            try {
                inactivate(r);
            } finally {
                tracker.end(r);
            }
        }
        BlockException first = null;
        for (Node c : new Node[] {s.backing, s.hasDataFile() ? s.dataFile : null, s.file}) {
            if (c != null) {
                try {
                    c.close();
                } catch (BlockException e) {
                    if (first == null) {
                        first = e;
                    }
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private void inactivate(Request r) {
        int result = 0;
        int ret = s.l2Cache.flush(r);
        if (ret != 0) {
            result = ret;
            s.out.report("Failed to flush the L2 table cache: " + Errno.message(-ret));
        }
        ret = s.refcountCache.flush(r);
        if (ret != 0) {
            result = ret;
            s.out.report("Failed to flush the refcount block cache: " + Errno.message(-ret));
        }
        if (result == 0) {
            HeaderWriter.markClean(s, r);
        }
    }
}
