package org.blkdebug.engine.block;

/**
 * One answer of a block-status query (QEMU's {@code bdrv_co_block_status}): the status flags of the
 * first {@code bytes} bytes, and where they live when {@link #OFFSET_VALID} is set.
 *
 * @param flags QEMU's {@code BDRV_BLOCK_*} bits
 * @param bytes how many bytes from the queried offset share the status (QEMU's pnum)
 * @param map   the offset in {@code file} when {@link #OFFSET_VALID} is set
 * @param file  the node the data lives in when {@link #OFFSET_VALID} is set, else null
 */
public record BlockStatus(int flags, long bytes, long map, Node file) {
    public static final int DATA = 0x01;
    public static final int ZERO = 0x02;
    public static final int OFFSET_VALID = 0x04;
    /** A filter's answer: ask {@code file} at {@code map}. */
    public static final int RAW = 0x08;
    public static final int ALLOCATED = 0x10;
    public static final int EOF = 0x20;
    /** Data whose zeroness the protocol layer below may know better (metadata preallocation). */
    public static final int RECURSE = 0x40;

    public boolean has(int flag) {
        return (flags & flag) != 0;
    }
}
