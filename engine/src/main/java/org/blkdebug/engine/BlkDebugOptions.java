package org.blkdebug.engine;

import java.util.List;

/**
 * The runtime options of one blkdebug node (QEMU's {@code BlockdevOptionsBlkdebug}), as given on
 * the command line, in JSON or through the builder. Sizes are bytes; 0 means "no override".
 *
 * @param config       path of the INI rule file, or null; read when the device opens, its rules
 *                     go before {@link #injectErrors} / {@link #setStates} (QEMU's order)
 * @param image        the image the node filters (a file name)
 * @param injectErrors {@code inject-error} rules given as options, in definition order
 * @param setStates    {@code set-state} rules given as options, in definition order
 */
public record BlkDebugOptions(String config, String image, long align, long maxTransfer,
                              long optWriteZero, long maxWriteZero, long optDiscard, long maxDiscard,
                              List<Rule.InjectError> injectErrors, List<Rule.SetState> setStates) {
    public BlkDebugOptions {
        injectErrors = List.copyOf(injectErrors);
        setStates = List.copyOf(setStates);
    }

    /** blkdebug with no config and no rules over {@code image}. */
    public static BlkDebugOptions of(String image) {
        return new BlkDebugOptions(null, image, 0, 0, 0, 0, 0, 0, List.of(), List.of());
    }
}
