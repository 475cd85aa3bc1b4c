package org.blkdebug.engine;

/** The kind of an in-flight request, as {@link RequestInfo} and {@link Completion} report it. */
public enum Operation {
    READ("read"),
    WRITE("write"),
    WRITE_ZEROES("write-zeroes"),
    DISCARD("discard"),
    FLUSH("flush"),
    TRUNCATE("truncate");

    private final String label;

    Operation(String label) {
        this.label = label;
    }

    @Override
    public String toString() {
        return label;
    }
}
