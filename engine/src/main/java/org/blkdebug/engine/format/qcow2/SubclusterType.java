package org.blkdebug.engine.format.qcow2;

/**
 * QEMU's QCow2SubclusterType. Without extended L2 entries every cluster is one subcluster and
 * the two type sets map onto each other ({@link #UNALLOCATED_ALLOC} cannot happen there).
 */
enum SubclusterType {
    UNALLOCATED_PLAIN,
    UNALLOCATED_ALLOC,
    ZERO_PLAIN,
    ZERO_ALLOC,
    NORMAL,
    COMPRESSED,
    /** The entry is corrupt; the image is marked so. */
    INVALID;

    boolean zero() {
        return this == ZERO_PLAIN || this == ZERO_ALLOC;
    }

    boolean unallocated() {
        return this == UNALLOCATED_PLAIN || this == UNALLOCATED_ALLOC;
    }
}
