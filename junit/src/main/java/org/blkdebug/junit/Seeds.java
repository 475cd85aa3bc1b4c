package org.blkdebug.junit;

import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Random seeds as Lucene handles them: printed, and accepted back with {@code -Dtests.seed=}. */
final class Seeds {
    static final String PROPERTY = "tests.seed";

    private Seeds() {
    }

    /** The seed from {@code -Dtests.seed=} (decimal or 0x-hex), else a fresh one; published either way. */
    static long choose(ExtensionContext ec) {
        String given = System.getProperty(PROPERTY);
        long seed = given == null || given.isBlank() ? ThreadLocalRandom.current().nextLong() : Long.decode(given.trim());
        ec.publishReportEntry(PROPERTY, hex(seed));
        return seed;
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
