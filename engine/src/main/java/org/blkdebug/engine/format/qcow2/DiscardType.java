package org.blkdebug.engine.format.qcow2;

/** Why clusters are freed; each kind is passed down as a discard or not (QEMU's qcow2_discard_type). */
enum DiscardType {
    NEVER,
    ALWAYS,
    /** Guest discards and write-zeroes with unmap ({@code pass-discard-request}, on with unmap). */
    REQUEST,
    /** Snapshot-related frees ({@code pass-discard-snapshot}, on by default). */
    SNAPSHOT,
    /** Other frees ({@code pass-discard-other}, off by default). */
    OTHER
}
