package org.blkdebug.engine;

import java.util.Optional;

/**
 * The request types an {@code inject-error} rule can be limited to (QEMU's {@code BlkdebugIOType}).
 * A rule without {@code iotype} matches every type except {@link #BLOCK_STATUS}.
 */
public enum IoType {
    READ("read"),
    WRITE("write"),
    WRITE_ZEROES("write-zeroes"),
    DISCARD("discard"),
    FLUSH("flush"),
    BLOCK_STATUS("block-status");

    /** QEMU's default mask: everything but block-status. */
    public static final int DEFAULT_MASK =
            READ.bit() | WRITE.bit() | WRITE_ZEROES.bit() | DISCARD.bit() | FLUSH.bit();

    private final String qemuName;

    IoType(String qemuName) {
        this.qemuName = qemuName;
    }

    public String qemuName() {
        return qemuName;
    }

    /** This type's bit in an iotype mask. */
    public int bit() {
        return 1 << ordinal();
    }

    public static Optional<IoType> byName(String name) {
        for (IoType t : values()) {
            if (t.qemuName.equals(name)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return qemuName;
    }
}
