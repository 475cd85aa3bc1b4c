package org.blkdebug.engine.format.qcow2;

import java.nio.ByteBuffer;
import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.Errno;
import org.blkdebug.engine.OpenException;
import org.blkdebug.engine.block.IoVec;
import org.blkdebug.engine.block.Node;
import org.blkdebug.engine.request.Request;

/**
 * Resizing an image (QEMU's qcow2_co_truncate), with the metadata lock held throughout. Shrinking
 * discards the cropped clusters for good, shortens L1 ({@code l1_shrink_*}), drops refcount
 * blocks that only count themselves and trims the file; growing grows L1 to the exact size and
 * preallocates as asked. Errors carry QEMU's messages.
 */
final class Truncate {
    private Truncate() {
    }

    private static BlockException fail(int ret, String message) {
        return new BlockException(-ret, message + ": " + Errno.message(-ret));
    }

    static void truncate(Qcow2State s, Request r, long offset, String prealloc, int flags) throws BlockException {
        Layout l = s.layout;
        if (!prealloc.equals("off") && !prealloc.equals("metadata") && !prealloc.equals("falloc")
                && !prealloc.equals("full")) {
            throw new BlockException(Errno.ENOTSUP, "Unsupported preallocation mode '" + prealloc + "'");
        }
        if (offset % 512 != 0) {
            throw new BlockException(Errno.EINVAL, "The new size must be a multiple of 512");
        }
        s.lock.lock(r);
        try {
            if (s.snapshots.count() != 0 && s.qcowVersion < 3) {
                throw new BlockException(Errno.ENOTSUP, "Can't resize a v2 image which has snapshots");
            }
            long oldLength = s.totalBytes;
            long newL1Size = l.sizeToL1(offset);
            int ret;
            if (offset < oldLength) {
                if (!prealloc.equals("off")) {
                    throw new BlockException(Errno.EINVAL, "Preallocation can't be used for shrinking an image");
                }
                long start = Entries.roundUp(offset, l.clusterSize);
                ret = ZeroDiscard.discard(s, r, start, oldLength - start, DiscardType.ALWAYS, true);
                if (ret < 0) {
                    throw fail(ret, "Failed to discard cropped clusters");
                }
                ret = L1Table.shrink(s, r, newL1Size);
                if (ret < 0) {
                    throw fail(ret, "Failed to reduce the number of L2 tables");
                }
                ret = Refcounts.shrinkReftable(s, r);
                if (ret < 0) {
                    throw fail(ret, "Failed to discard unused refblocks");
                }
                long oldFileSize = ChildIo.length(s.file);
                if (oldFileSize < 0) {
                    throw fail((int) oldFileSize, "Failed to inquire current file length");
                }
                long lastCluster = Refcounts.lastCluster(s, r, oldFileSize);
                if (lastCluster < 0) {
                    throw fail((int) lastCluster, "Failed to find the last cluster");
                }
                if ((lastCluster + 1) * l.clusterSize < oldFileSize) {
                    ret = ChildIo.truncate(r, s.file, (lastCluster + 1) * l.clusterSize);
                    if (ret < 0) {
                        s.out.report("warning: Failed to truncate the tail of the image: " + Errno.message(-ret));
                    }
                }
            } else {
                ret = L1Table.grow(s, r, newL1Size, true);
                if (ret < 0) {
                    throw fail(ret, "Failed to grow the L1 table");
                }
                if (s.dataFileIsRaw() && prealloc.equals("off")) {
                    prealloc = "metadata";
                }
            }
            switch (prealloc) {
                case "off" -> {
                    if (s.hasDataFile()) {
                        ret = ChildIo.truncate(r, s.dataFile, offset);
                        if (ret < 0) {
                            throw new BlockException(-ret);
                        }
                    }
                }
                case "metadata" -> preallocate(s, r, oldLength, offset, prealloc);
                default -> flags = preallocateData(s, r, oldLength, offset, prealloc, flags);
            }
            if ((flags & Node.REQ_ZERO_WRITE) != 0 && offset > oldLength) {
                zeroNewArea(s, r, oldLength, offset);
            }
            if (!prealloc.equals("off")) {
                ret = Refcounts.writeCaches(s, r);
                if (ret < 0) {
                    throw fail(ret, "Failed to flush the preallocated area to disk");
                }
            }
            s.totalBytes = offset / 512 * 512;
            byte[] size = new byte[8];
            Entries.putLong(size, 0, offset);
            ret = ChildIo.pwriteSync(r, s.file, HeaderWriter.OFFSET_SIZE, size, 0, 8);
            if (ret < 0) {
                throw fail(ret, "Failed to update the image size");
            }
            s.l1VmStateIndex = (int) newL1Size;
            try {
                Qcow2Open.applyOptions(s, r, s.options, s.unmap);
            } catch (OpenException e) {
                throw new BlockException(Errno.EIO, e.getMessage());
            }
        } finally {
            s.lock.unlock();
        }
    }

    /** The new area reads as zeroes: zero clusters where aligned, explicit zeroes for the head. */
    private static void zeroNewArea(Qcow2State s, Request r, long oldLength, long offset) throws BlockException {
        Layout l = s.layout;
        long zeroStart = Entries.roundUp(oldLength, l.subclusterSize);
        if (offset > zeroStart) {
            int ret = ZeroDiscard.zeroize(s, r, zeroStart, offset - zeroStart, 0);
            if (ret < 0) {
                throw fail(ret, "Failed to zero out new clusters");
            }
        }
        if (zeroStart > oldLength) {
            long len = Math.min(zeroStart, offset) - oldLength;
            s.lock.unlock();
            try {
                WritePath.pwritev(s, r, oldLength, len, IoVec.of(ByteBuffer.allocate((int) len)));
            } catch (BlockException e) {
                throw new BlockException(e.errno(), "Failed to zero out the new area: " + e.getMessage());
            } finally {
                s.lock.lock(r);
            }
        }
    }

    /** preallocate_co: L2 entries for the new range, marked as preallocated. */
    private static void preallocate(Qcow2State s, Request r, long offset, long newLength, String mode)
            throws BlockException {
        long bytes = newLength - offset;
        long hostOffset = 0;
        long curBytes = 0;
        L2Meta[] meta = {null};
        try {
            while (bytes != 0) {
                curBytes = Math.min(bytes, Integer.MAX_VALUE / s.layout.clusterSize * s.layout.clusterSize);
                Allocation.Result res = new Allocation.Result();
                int ret = Allocation.hostOffset(s, r, offset, curBytes, res);
                meta[0] = res.meta;
                if (ret < 0) {
                    throw fail(ret, "Allocating clusters failed");
                }
                curBytes = res.bytes;
                hostOffset = res.hostOffset;
                for (L2Meta m = meta[0]; m != null; m = m.next) {
                    m.prealloc = true;
                }
                ret = Linking.handle(s, r, meta, true);
                if (ret < 0) {
                    throw fail(ret, "Mapping clusters failed");
                }
                bytes -= curBytes;
                offset += curBytes;
            }
            long fileLength = ChildIo.length(s.dataFile);
            if (fileLength < 0) {
                throw fail((int) fileLength, "Could not get file size");
            }
            if (hostOffset + curBytes > fileLength) {
                int ret = ChildIo.truncate(r, s.dataFile, hostOffset + curBytes);
                if (ret < 0) {
                    throw new BlockException(-ret);
                }
            }
        } finally {
            Linking.handle(s, r, meta, false);
        }
    }

    /**
     * Preallocation "falloc" / "full": a refcount area, data clusters at the end of the file, L2
     * entries. Returns {@code flags} without {@link Node#REQ_ZERO_WRITE} when growing the file
     * zeroed the new area already.
     */
    private static int preallocateData(Qcow2State s, Request r, long oldLength, long offset, String mode, int flags)
            throws BlockException {
        Layout l = s.layout;
        if (s.hasDataFile()) {
            preallocate(s, r, oldLength, offset, mode);
            return flags;
        }
        long oldFileSize = ChildIo.length(s.file);
        if (oldFileSize < 0) {
            throw fail((int) oldFileSize, "Failed to inquire current file length");
        }
        long lastCluster = Refcounts.lastCluster(s, r, oldFileSize);
        oldFileSize = lastCluster >= 0 ? (lastCluster + 1) * l.clusterSize : Entries.roundUp(oldFileSize, l.clusterSize);
        long nbNewData = (Entries.roundUp(offset, l.clusterSize) - l.startOfCluster(oldLength)) >>> l.clusterBits;
        long nbNewL2 = Entries.divRoundUp(nbNewData, l.clusterSize / l.l2EntrySize) + 1;
        long allocationStart = RefcountGrowth.area(s, r, oldFileSize, nbNewData + nbNewL2, true, 0, 0);
        if (allocationStart < 0) {
            throw fail((int) allocationStart, "Failed to resize refcount structures");
        }
        long allocated = ClusterAllocation.allocClustersAt(s, r, allocationStart, nbNewData);
        if (allocated < 0) {
            throw fail((int) allocated, "Failed to allocate data clusters");
        }
        long newFileSize = allocationStart + nbNewData * l.clusterSize;
        boolean subclustersNeedAllocation = false;
        int ret = ChildIo.truncate(r, s.file, newFileSize);
        if (ret >= 0 && (flags & Node.REQ_ZERO_WRITE) != 0) {
            // the file grew with zeroes: nothing more to zero, but the L2 entries must say "allocated"
            flags &= ~Node.REQ_ZERO_WRITE;
            subclustersNeedAllocation = true;
        }
        if (ret < 0) {
            ClusterAllocation.free(s, r, allocationStart, nbNewData * l.clusterSize, DiscardType.OTHER);
            throw new BlockException(-ret, "Failed to resize underlying file: " + Errno.message(-ret));
        }
        long hostOffset = allocationStart;
        long guestOffset = oldLength;
        while (nbNewData != 0) {
            long nbClusters = Math.min(nbNewData, l.l2SliceSize - l.l2SliceIndex(guestOffset));
            int cowStartLength = (int) l.offsetIntoCluster(guestOffset);
            guestOffset = l.startOfCluster(guestOffset);
            L2Meta m = new L2Meta(guestOffset, hostOffset, (int) nbClusters, false, 0, cowStartLength,
                    (int) (nbClusters << l.clusterBits), 0);
            m.prealloc = !subclustersNeedAllocation;
            ret = Linking.link(s, r, m);
            if (ret < 0) {
                ClusterAllocation.free(s, r, hostOffset, nbNewData * l.clusterSize, DiscardType.OTHER);
                throw fail(ret, "Failed to update L2 tables");
            }
            guestOffset += nbClusters * l.clusterSize;
            hostOffset += nbClusters * l.clusterSize;
            nbNewData -= nbClusters;
        }
        return flags;
    }
}
