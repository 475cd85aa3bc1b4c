package org.blkdebug.cli.commands;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.function.Consumer;

/**
 * qemu-io's number parsing: {@code cvtnum} (QEMU 7.2 {@code qemu_strtosz}: decimal with an optional
 * binary-unit suffix, fractions with a suffix, hex) and C's {@code strtol(s, &end, 0)} used by
 * {@code sleep} and pattern bytes.
 */
public final class Numbers {
    private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);
    private static final BigInteger UINT64_MAX = TWO_64.subtract(BigInteger.ONE);
    private static final BigInteger INT64_MAX = BigInteger.valueOf(Long.MAX_VALUE);

    private Numbers() {
    }

    /** Why {@link #cvtnum} rejected a text; {@link #message} is qemu-io's {@code print_cvtnum_err}. */
    public static final class NumberFormatError extends Exception {
        private final boolean tooLarge;

        NumberFormatError(String arg, boolean tooLarge) {
            super(tooLarge
                    ? "Parsing error: argument too large -- " + arg
                    : "Parsing error: non-numeric argument, or extraneous/unrecognized suffix -- " + arg);
            this.tooLarge = tooLarge;
        }

        public boolean tooLarge() {
            return tooLarge;
        }
    }

    /**
     * {@code cvtnum}: a size in bytes, at most INT64_MAX.
     *
     * @param warn receives QEMU's deprecation warning for a suffix on a hex number (qemu-io prints
     *             it to stderr as {@code qemu-io: warning: ...})
     */
    public static long cvtnum(String s, Consumer<String> warn) throws NumberFormatError {
        BigInteger v = strtosz(s, warn);
        if (v.compareTo(INT64_MAX) > 0) {
            throw new NumberFormatError(s, true);
        }
        return v.longValueExact();
    }

    private static BigInteger strtosz(String s, Consumer<String> warn) throws NumberFormatError {
        Strtoull dec = Strtoull.parse(s, 0, 10);
        if (dec.error != 0) {
            throw new NumberFormatError(s, dec.error == ERANGE);
        }
        if (s.substring(0, dec.end).indexOf('-') >= 0) {
            throw new NumberFormatError(s, false);
        }
        BigInteger val = dec.value;
        int end = dec.end;
        BigInteger valf = BigInteger.ZERO;
        boolean hex = false;
        if (val.signum() == 0 && end < s.length() && (s.charAt(end) == 'x' || s.charAt(end) == 'X')) {
            Strtoull h = Strtoull.parse(s, 0, 16);
            if (h.error != 0) {
                throw new NumberFormatError(s, h.error == ERANGE);
            }
            if (h.end < s.length() && s.charAt(h.end) == '.') {
                throw new NumberFormatError(s, false);
            }
            val = h.value;
            end = h.end;
            hex = true;
        } else if (end < s.length() && s.charAt(end) == '.') {
            int fracEnd = fractionEnd(s, end);
            if (fracEnd == end + 1 && !hasDigitAt(s, end + 1)) {
                end++; // QEMU: "1.k" is accepted, the failed fraction parse just skips the dot
            } else {
                String frac = s.substring(end, fracEnd);
                if (frac.indexOf('e') >= 0 || frac.indexOf('E') >= 0) {
                    throw new NumberFormatError(s, false);
                }
                double fraction = Double.parseDouble("0" + frac);
                // (uint64_t)(fraction * 0x1p64): x86 turns 2^64 into 0
                BigInteger fixed = new BigDecimal(fraction).multiply(new BigDecimal(TWO_64)).toBigInteger();
                valf = fixed.compareTo(UINT64_MAX) > 0 ? BigInteger.ZERO : fixed;
                end = fracEnd;
            }
        }
        long mul = end < s.length() ? suffixMultiplier(s.charAt(end)) : -1;
        if (mul > 0) {
            if (hex) {
                warn.accept("Using a multiplier suffix on hex numbers is deprecated: " + s);
            }
            end++;
        } else {
            mul = 1;
        }
        if (end != s.length()) {
            throw new NumberFormatError(s, false);
        }
        if (mul == 1) {
            if (valf.signum() != 0) {
                throw new NumberFormatError(s, false);
            }
            return val;
        }
        BigInteger m = BigInteger.valueOf(mul);
        BigInteger fracProduct = valf.multiply(m);
        BigInteger result = val.multiply(m).add(fracProduct.shiftRight(64));
        if (fracProduct.testBit(63)) {
            result = result.add(BigInteger.ONE); // QEMU rounds 0.5 upward
        }
        if (result.compareTo(UINT64_MAX) > 0) {
            throw new NumberFormatError(s, true);
        }
        return result;
    }

    /** Where C's strtod would stop parsing the fraction that starts at the dot {@code dot}. */
    private static int fractionEnd(String s, int dot) {
        int i = dot + 1;
        while (i < s.length() && Character.isDigit(s.charAt(i)) && s.charAt(i) < 128) {
            i++;
        }
        if (i == dot + 1) {
            return i; // no digits: strtod fails on "."
        }
        // an exponent is part of what strtod consumes; QEMU rejects it afterwards
        if (i < s.length() && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            int j = i + 1;
            if (j < s.length() && (s.charAt(j) == '+' || s.charAt(j) == '-')) {
                j++;
            }
            if (j < s.length() && Character.isDigit(s.charAt(j))) {
                while (j < s.length() && Character.isDigit(s.charAt(j))) {
                    j++;
                }
                return j;
            }
        }
        return i;
    }

    private static boolean hasDigitAt(String s, int i) {
        return i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9';
    }

    private static long suffixMultiplier(char c) {
        return switch (c) {
            case 'b', 'B' -> 1L;
            case 'k', 'K' -> 1L << 10;
            case 'm', 'M' -> 1L << 20;
            case 'g', 'G' -> 1L << 30;
            case 't', 'T' -> 1L << 40;
            case 'p', 'P' -> 1L << 50;
            case 'e', 'E' -> 1L << 60;
            default -> -1L;
        };
    }

    private static final int EINVAL = 22;
    private static final int ERANGE = 34;

    /** QEMU's {@code qemu_strtou64}: strtoull plus "no digits is an error". */
    private record Strtoull(BigInteger value, int end, int error) {
        static Strtoull parse(String s, int from, int base) {
            int i = from;
            while (i < s.length() && isCSpace(s.charAt(i))) {
                i++;
            }
            boolean negative = false;
            if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                negative = s.charAt(i) == '-';
                i++;
            }
            if (base == 16 && i + 1 < s.length() && s.charAt(i) == '0'
                    && (s.charAt(i + 1) == 'x' || s.charAt(i + 1) == 'X')
                    && i + 2 < s.length() && Character.digit(s.charAt(i + 2), 16) >= 0) {
                i += 2;
            }
            int start = i;
            BigInteger v = BigInteger.ZERO;
            BigInteger b = BigInteger.valueOf(base);
            while (i < s.length() && s.charAt(i) < 128 && Character.digit(s.charAt(i), base) >= 0) {
                v = v.multiply(b).add(BigInteger.valueOf(Character.digit(s.charAt(i), base)));
                i++;
            }
            if (i == start) {
                return new Strtoull(BigInteger.ZERO, from, EINVAL);
            }
            if (v.compareTo(UINT64_MAX) > 0) {
                return new Strtoull(UINT64_MAX, i, ERANGE);
            }
            if (negative) {
                v = TWO_64.subtract(v).mod(TWO_64);
            }
            return new Strtoull(v, i, 0);
        }
    }

    static boolean isCSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x0b;
    }

    /**
     * C's {@code strtol(s, &end, 0)} where the whole text must be consumed: decimal, {@code 0x} hex
     * or {@code 0} octal, clamped to the long range as glibc does.
     *
     * @return the value, or null when text is left over (qemu-io then rejects the argument)
     */
    public static Long strtolWhole(String s) {
        int i = 0;
        while (i < s.length() && isCSpace(s.charAt(i))) {
            i++;
        }
        boolean negative = false;
        if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            negative = s.charAt(i) == '-';
            i++;
        }
        int base = 10;
        if (i < s.length() && s.charAt(i) == '0') {
            if (i + 2 < s.length() && (s.charAt(i + 1) == 'x' || s.charAt(i + 1) == 'X')
                    && Character.digit(s.charAt(i + 2), 16) >= 0 && s.charAt(i + 2) < 128) {
                base = 16;
                i += 2;
            } else {
                base = 8;
            }
        }
        int start = i;
        BigInteger v = BigInteger.ZERO;
        while (i < s.length() && s.charAt(i) < 128 && Character.digit(s.charAt(i), base) >= 0) {
            v = v.multiply(BigInteger.valueOf(base)).add(BigInteger.valueOf(Character.digit(s.charAt(i), base)));
            i++;
        }
        if (i == start || i != s.length()) {
            // no digits: strtol returns 0 and leaves end at the start, so the text is "left over"
            return s.isEmpty() ? 0L : null;
        }
        if (negative) {
            v = v.negate();
        }
        if (v.compareTo(BigInteger.valueOf(Long.MAX_VALUE)) > 0) {
            return Long.MAX_VALUE;
        }
        if (v.compareTo(BigInteger.valueOf(Long.MIN_VALUE)) < 0) {
            return Long.MIN_VALUE;
        }
        return v.longValue();
    }

    /** {@code parse_pattern}: one byte, or null (qemu-io prints {@code X is not a valid pattern byte}). */
    public static Integer patternByte(String s) {
        Long v = strtolWhole(s);
        return v == null || v < 0 || v > 255 ? null : v.intValue();
    }
}
