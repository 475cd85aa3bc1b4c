package org.blkdebug.junit;

import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Random seeds as Lucene handles them: printed, and accepted back with {@code -Dtests.seed=}. */
final class Seeds {
    static final String PROPERTY = "tests.seed";

    private Seeds() {
    }

    /** The seed from {@code -Dtests.seed=} (decimal or 0x-hex), else a fresh one; published either way. */
    static long choose(ExtensionContext ec) {
        String given = System.getProperty(PROPERTY);
        long seed = given == null || given.isBlank() ? ThreadLocalRandom.current().nextLong() : parse(given);
        ec.publishReportEntry(PROPERTY, hex(seed));
        return seed;
    }

    /**
     * A seed as {@link #hex} prints it ({@code 0x} and up to 16 hex digits, read unsigned, so the
     * top bit may be set), or a decimal {@code long}.
     *
     * @throws ExtensionConfigurationException for anything else, naming the property
     */
    static long parse(String text) {
        String t = text.trim();
        try {
            if (t.startsWith("0x") || t.startsWith("0X")) {
                return Long.parseUnsignedLong(t.substring(2), 16);
            }
            return Long.parseLong(t);
        } catch (NumberFormatException e) {
            throw new ExtensionConfigurationException("blkdebug: -D" + PROPERTY + "=" + text
                    + " is not a seed: give 0x and up to 16 hex digits, as a failure prints it, or a decimal long");
        }
    }

    static String hex(long seed) {
        return "0x" + Long.toHexString(seed);
    }

    /** Attached to a failure as a suppressed exception, so the seed shows next to the stack trace. */
    static final class Report extends Exception {
        Report(long seed) {
            super("reproduce with -D" + PROPERTY + "=" + hex(seed), null, false, false);
        }
    }
}
