package org.blkdebug.cli.report;

import java.util.Locale;

/** printf-style number formatting that prints what glibc prints, not what Java prints. */
final class CFormat {
    private CFormat() {
    }

    /** {@code printf("%.<decimals>f", v)}: Java spells infinity and NaN differently from glibc. */
    static String fixed(double v, int decimals) {
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        if (Double.isNaN(v)) {
            // x86 produces the negative quiet NaN for 0.0/0.0, which glibc prints as "-nan".
            return "-nan";
        }
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    /** {@code printf("%05.2f", v)}. */
    static String zeroPadded52(double v) {
        String s = fixed(v, 2);
        return s.length() >= 5 || !Character.isDigit(s.charAt(0)) ? s : "0".repeat(5 - s.length()) + s;
    }
}
