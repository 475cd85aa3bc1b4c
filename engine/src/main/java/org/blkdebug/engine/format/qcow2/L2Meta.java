package org.blkdebug.engine.format.qcow2;

import java.util.ArrayList;
import java.util.List;
import org.blkdebug.engine.block.IoVec;
import org.blkdebug.engine.request.Waiter;

/**
 * An in-flight write that allocates clusters or changes their L2 entries (QEMU's QCowL2Meta): it
 * stays in {@link Qcow2State#clusterAllocs} from allocation until link or abort, and overlapping
 * writes wait on {@link #dependentRequests} meanwhile (iotest 046).
 */
final class L2Meta {
    /** Guest offset of the first cluster. */
    final long offset;
    /** Host offset of the first cluster. */
    final long allocOffset;
    final int nbClusters;
    /** The clusters were allocated before (subcluster or zero-flag updates): never freed on abort. */
    final boolean keepOldClusters;
    /** COW before the written area: offset from {@link #offset} and length. */
    final int cowStartOffset;
    final int cowStartBytes;
    /** COW after the written area (its offset is the end of the written area, even when empty). */
    final int cowEndOffset;
    final int cowEndBytes;
    boolean skipCow;
    /** A preallocation: no subcluster is marked allocated. */
    boolean prealloc;
    /** Guest data merged into the COW write, when the write exactly fills the gap. */
    IoVec dataQiov;
    /** Waiters, guarded by the metadata lock. */
    final List<Waiter> dependentRequests = new ArrayList<>(0);
    /** The next allocation of the same request (QEMU's next). */
    L2Meta next;

    L2Meta(long offset, long allocOffset, int nbClusters, boolean keepOldClusters, int cowStartOffset,
           int cowStartBytes, int cowEndOffset, int cowEndBytes) {
        this.offset = offset;
        this.allocOffset = allocOffset;
        this.nbClusters = nbClusters;
        this.keepOldClusters = keepOldClusters;
        this.cowStartOffset = cowStartOffset;
        this.cowStartBytes = cowStartBytes;
        this.cowEndOffset = cowEndOffset;
        this.cowEndBytes = cowEndBytes;
    }

    long cowStart() {
        return offset + cowStartOffset;
    }

    long cowEnd() {
        return offset + cowEndOffset + cowEndBytes;
    }
}
