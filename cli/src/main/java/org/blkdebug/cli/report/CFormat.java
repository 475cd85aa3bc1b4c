package org.blkdebug.cli.report;

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
        // glibc rounds the exact binary value, ties to even (1.0625 -> "1.062"); Java's %f
        // rounds half up ("1.063"), so the exact decimal expansion is rounded here instead
        return new java.math.BigDecimal(v).setScale(decimals, java.math.RoundingMode.HALF_EVEN).toPlainString();
    }

    /** {@code printf("%05.2f", v)}. */
    static String zeroPadded52(double v) {
        String s = fixed(v, 2);
        return s.length() >= 5 || !Character.isDigit(s.charAt(0)) ? s : "0".repeat(5 - s.length()) + s;
    }
}
