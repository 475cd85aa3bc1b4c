package org.blkdebug.engine.block;

/**
 * A node's request limits (QEMU's BlockLimits, the part blkdebug can override). Sizes in bytes;
 * 0 means "no limit" except {@link #requestAlignment}, which is at least 1.
 */
public record Limits(long requestAlignment, long maxTransfer, long pwriteZeroesAlignment,
                     long maxPwriteZeroes, long pdiscardAlignment, long maxPdiscard) {
    public static final Limits DEFAULT = new Limits(1, 0, 0, 0, 0, 0);

    public Limits withRequestAlignment(long a) {
        return new Limits(a, maxTransfer, pwriteZeroesAlignment, maxPwriteZeroes, pdiscardAlignment, maxPdiscard);
    }

    public Limits withMaxTransfer(long m) {
        return new Limits(requestAlignment, m, pwriteZeroesAlignment, maxPwriteZeroes, pdiscardAlignment, maxPdiscard);
    }
}
