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
 * @param customEvents custom events declared as options ({@code custom-event.N}, ours: D13),
 *                     after those of the config file; rules may use them
 * @param injectDelays {@code inject-delay} rules given as options (ours), after the config file's
 * @param seed         the seed every draw of a probabilistic rule derives from ({@code seed},
 *                     ours), or null to choose one at open
 * @param virtualClock {@code clock = virtual} (ours): see {@link DeviceClock}
 */
public record BlkDebugOptions(String config, String image, long align, long maxTransfer,
                              long optWriteZero, long maxWriteZero, long optDiscard, long maxDiscard,
                              List<Rule.InjectError> injectErrors, List<Rule.SetState> setStates,
                              List<String> customEvents, List<Rule.InjectDelay> injectDelays,
                              Long seed, boolean virtualClock) {
    public BlkDebugOptions {
        injectErrors = List.copyOf(injectErrors);
        setStates = List.copyOf(setStates);
        customEvents = List.copyOf(customEvents);
        injectDelays = List.copyOf(injectDelays);
    }

    /** Without delays, seed or virtual clock. */
    public BlkDebugOptions(String config, String image, long align, long maxTransfer,
                           long optWriteZero, long maxWriteZero, long optDiscard, long maxDiscard,
                           List<Rule.InjectError> injectErrors, List<Rule.SetState> setStates,
                           List<String> customEvents) {
        this(config, image, align, maxTransfer, optWriteZero, maxWriteZero, optDiscard, maxDiscard,
                injectErrors, setStates, customEvents, List.of(), null, false);
    }

    /** Without custom events. */
    public BlkDebugOptions(String config, String image, long align, long maxTransfer,
                           long optWriteZero, long maxWriteZero, long optDiscard, long maxDiscard,
                           List<Rule.InjectError> injectErrors, List<Rule.SetState> setStates) {
        this(config, image, align, maxTransfer, optWriteZero, maxWriteZero, optDiscard, maxDiscard,
                injectErrors, setStates, List.of());
    }

    /**
     * QEMU's checks of the limit options (blkdebug_open), with its messages, over an image whose
     * own request alignment is 1 (a file without O_DIRECT).
     */
    public void validate() throws OpenException {
        validate(1);
    }

    /**
     * blkdebug_open's checks against the alignment of its opened child: the limits must be
     * multiples of {@code MAX(align, child's request alignment)} (the child's is more than 1 for a
     * file under O_DIRECT).
     */
    public void validate(long childAlignment) throws OpenException {
        if (align != 0 && (Long.compareUnsigned(align, Integer.MAX_VALUE) >= 0 || Long.bitCount(align) != 1)) {
            throw constraint("align", align);
        }
        long a = Math.max(align, childAlignment);
        checkMultiple("max-transfer", maxTransfer, a);
        checkMultiple("opt-write-zero", optWriteZero, a);
        checkMultiple("max-write-zero", maxWriteZero, Math.max(optWriteZero, a));
        checkMultiple("opt-discard", optDiscard, a);
        checkMultiple("max-discard", maxDiscard, Math.max(optDiscard, a));
        for (String name : customEvents) {
            if (!CustomEvent.isValidName(name)) {
                throw new OpenException("invalid parameter value: " + name);
            }
        }
    }

    private static void checkMultiple(String name, long value, long of) throws OpenException {
        if (value != 0 && (Long.compareUnsigned(value, Integer.MAX_VALUE) >= 0
                || Long.remainderUnsigned(value, of) != 0)) {
            throw constraint(name, value);
        }
    }

    private static OpenException constraint(String name, long value) {
        return new OpenException("Cannot meet constraints with " + name + " " + Long.toUnsignedString(value));
    }

    /** blkdebug with no config and no rules over {@code image}. */
    public static BlkDebugOptions of(String image) {
        return new BlkDebugOptions(null, image, 0, 0, 0, 0, 0, 0, List.of(), List.of());
    }
}
