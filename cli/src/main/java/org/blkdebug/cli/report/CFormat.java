package org.blkdebug.cli.report;

import java.math.BigInteger;

/** printf-style number formatting that prints what glibc prints, not what Java prints. */
final class CFormat {
    private static final BigInteger TEN = BigInteger.TEN;

    private CFormat() {
    }

    /**
     * {@code printf("%.<decimals>f", v)}: glibc rounds the exact binary value, ties to even
     * (1.0625 -> "1.062"), where Java's %f rounds the shortest decimal half up ("1.063"); and
     * Java spells infinity and NaN differently.
     *
     * <p>Exact with {@link BigInteger} alone: {@code v = m * 2^e}, so {@code v * 10^decimals} is
     * an integer shifted by {@code e}, rounded here. Not through {@code BigDecimal}: JDK 25's
     * {@code BigDecimal} computes 5^65536 in its static initialiser, 0.1 s of every start of a
     * script that prints a report (docs/performance.md, target 6).
     */
    static String fixed(double v, int decimals) {
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        if (Double.isNaN(v)) {
            // x86 produces the negative quiet NaN for 0.0/0.0, which glibc prints as "-nan".
            return "-nan";
        }
        long bits = Double.doubleToRawLongBits(v);
        boolean negative = bits < 0;
        int biased = (int) ((bits >>> 52) & 0x7ff);
        long mantissa = bits & ((1L << 52) - 1);
        int exponent;
        if (biased == 0) {
            exponent = -1074; // subnormal (or zero)
        } else {
            mantissa |= 1L << 52;
            exponent = biased - 1075;
        }
        BigInteger scaled = BigInteger.valueOf(mantissa).multiply(TEN.pow(decimals));
        BigInteger units;
        if (exponent >= 0) {
            units = scaled.shiftLeft(exponent);
        } else {
            units = scaled.shiftRight(-exponent);
            BigInteger rest = scaled.subtract(units.shiftLeft(-exponent));
            int half = rest.shiftLeft(1).compareTo(BigInteger.ONE.shiftLeft(-exponent));
            if (half > 0 || half == 0 && units.testBit(0)) {
                units = units.add(BigInteger.ONE);
            }
        }
        String digits = units.toString();
        if (digits.length() <= decimals) {
            digits = "0".repeat(decimals + 1 - digits.length()) + digits;
        }
        int point = digits.length() - decimals;
        String text = decimals == 0 ? digits : digits.substring(0, point) + "." + digits.substring(point);
        return negative ? "-" + text : text;
    }

    /** {@code printf("%05.2f", v)}. */
    static String zeroPadded52(double v) {
        String s = fixed(v, 2);
        return s.length() >= 5 || !Character.isDigit(s.charAt(0)) ? s : "0".repeat(5 - s.length()) + s;
    }
}
