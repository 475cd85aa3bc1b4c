package org.blkdebug.engine;

/** The kind of an in-flight request, as {@link RequestInfo} and {@link Completion} report it. */
public enum Operation {
    READ("read"),
    WRITE("write"),
    WRITE_ZEROES("write-zeroes"),
    DISCARD("discard"),
    FLUSH("flush"),
    TRUNCATE("truncate"),
    /** An allocation query (qemu-io {@code map}, {@code alloc}); checked as iotype block-status. */
    BLOCK_STATUS("block-status"),
    /** {@link Device#event} called by code above the device; it can be suspended like a request. */
    EVENT("event");

    private final String label;

    Operation(String label) {
        this.label = label;
    }

    @Override
    public String toString() {
        return label;
    }
}
