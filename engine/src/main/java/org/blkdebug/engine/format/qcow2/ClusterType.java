package org.blkdebug.engine.format.qcow2;

/** QEMU's QCow2ClusterType: what one L2 entry says about its whole cluster. */
enum ClusterType {
    UNALLOCATED,
    ZERO_PLAIN,
    ZERO_ALLOC,
    NORMAL,
    COMPRESSED;

    /** qcow2_cluster_is_allocated: the entry holds a host offset. */
    boolean allocated() {
        return this == COMPRESSED || this == NORMAL || this == ZERO_ALLOC;
    }
}
