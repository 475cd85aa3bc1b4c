package org.blkdebug.engine.config;

import java.math.BigDecimal;
import java.math.BigInteger;

import org.blkdebug.engine.OpenException;

/**
 * QemuOpts value parsing as QEMU 7.2 does it (util/qemu-option.c, util/cutils.c): numbers with
 * glibc {@code strtoull} (base 0: {@code 0x..}, octal, sign, leading white space, negative values
 * wrap), sizes with {@code qemu_strtosz} (decimal, k/M/G/T/P/E suffixes, fractions), and bools.
 * Values are C strings: everything from a NUL on is ignored.
 */
final class Strtox {
    private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);

    private Strtox() {
    }

    /** strtoull's result: the value (wrapped for a minus sign), where it stopped, overflow. */
    record Parsed(long value, int end, boolean erange) {
    }

    static String cstr(String s) {
        int nul = s.indexOf('\0');
        return nul < 0 ? s : s.substring(0, nul);
    }

    static boolean isCSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\u000b' || c == '\f' || c == '\r';
    }

    private static int digit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'z') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'Z') {
            return c - 'A' + 10;
        }
        return 99;
    }

    /** glibc strtoull; {@code end == 0} means no conversion. */
    static Parsed strtoull(String s, int base) {
        int n = s.length();
        int i = 0;
        while (i < n && isCSpace(s.charAt(i))) {
            i++;
        }
        boolean neg = false;
        if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            neg = s.charAt(i) == '-';
            i++;
        }
        int b = base;
        if ((b == 0 || b == 16) && i + 2 < n && s.charAt(i) == '0'
                && (s.charAt(i + 1) == 'x' || s.charAt(i + 1) == 'X') && digit(s.charAt(i + 2)) < 16) {
            i += 2;
            b = 16;
        } else if (b == 0) {
            b = i < n && s.charAt(i) == '0' ? 8 : 10;
        }
        int start = i;
        long v = 0;
        boolean overflow = false;
        while (i < n && digit(s.charAt(i)) < b) {
            int d = digit(s.charAt(i));
            if (!overflow) {
                // v * b + d > 2^64 - 1 ?
                if (Long.compareUnsigned(v, Long.divideUnsigned(-1L - d, b)) > 0) {
                    overflow = true;
                } else {
                    v = v * b + d;
                }
            }
            i++;
        }
        if (i == start) {
            return new Parsed(0, 0, false);
        }
        if (overflow) {
            return new Parsed(-1L, i, true);
        }
        return new Parsed(neg ? -v : v, i, false);
    }

    /** qemu_strtou64(value, NULL, 0, &n) as parse_option_number uses it. */
    static long number(String name, String value) throws OpenException {
        String s = cstr(value);
        Parsed p = strtoull(s, 0);
        if ((!p.erange() && p.end() == 0) || p.end() < s.length()) {
            throw new OpenException("Parameter '" + name + "' expects a number");
        }
        if (p.erange()) {
            throw new OpenException("Value '" + s + "' is too large for parameter '" + name + "'");
        }
        return p.value();
    }

    /** qapi_bool_parse. */
    static boolean bool(String name, String value) throws OpenException {
        switch (cstr(value)) {
            case "on", "yes", "true", "y" -> {
                return true;
            }
            case "off", "no", "false", "n" -> {
                return false;
            }
            default -> throw new OpenException("Parameter '" + name + "' expects 'on' or 'off'");
        }
    }

    /** parse_option_size: qemu_strtosz plus QEMU's two messages (the first with its hint). */
    static long size(String name, String value) throws OpenException {
        String s = cstr(value);
        long[] out = new long[1];
        int r = strtosz(s, out);
        if (r == 0) {
            return out[0];
        }
        if (r == 2) {
            throw new OpenException("Value '" + s + "' is out of range for parameter '" + name + "'");
        }
        throw new OpenException("Parameter '" + name + "' expects a non-negative number below 2^64\n"
                + "Optional suffix k, M, G, T, P or E means kilo-, mega-, giga-, tera-, peta-\n"
                + "and exabytes, respectively.");
    }

    private static long suffix(char c) {
        return switch (Character.toUpperCase(c)) {
            case 'B' -> 1L;
            case 'K' -> 1L << 10;
            case 'M' -> 1L << 20;
            case 'G' -> 1L << 30;
            case 'T' -> 1L << 40;
            case 'P' -> 1L << 50;
            case 'E' -> 1L << 60;
            default -> -1L;
        };
    }

    /** 7.2's do_strtosz (64.64 fixed point). Returns 0 ok, 1 EINVAL, 2 ERANGE. */
    static int strtosz(String s, long[] result) {
        int n = s.length();
        Parsed p = strtoull(s, 10);
        if (!p.erange() && p.end() == 0) {
            return 1;
        }
        int end = p.end();
        if (p.erange()) {
            return end < n ? 1 : 2;
        }
        if (s.substring(0, end).indexOf('-') >= 0) {
            return 1;
        }
        long val = p.value();
        BigInteger valf = BigInteger.ZERO;
        char c = end < n ? s.charAt(end) : '\0';
        if (val == 0 && (c == 'x' || c == 'X')) {
            Parsed h = strtoull(s, 16);
            if (h.erange()) {
                return h.end() < n ? 1 : 2;
            }
            end = h.end();
            if (end < n && s.charAt(end) == '.') {
                return 1;
            }
            val = h.value();
        } else if (c == '.') {
            // strtod on ".ddd[e..]": no digits means no conversion, QEMU then skips the '.'.
            int j = end + 1;
            while (j < n && Character.isDigit(s.charAt(j)) && s.charAt(j) < 128) {
                j++;
            }
            if (j == end + 1) {
                end++;
            } else {
                if (j < n && (s.charAt(j) == 'e' || s.charAt(j) == 'E')) {
                    int k = j + 1;
                    if (k < n && (s.charAt(k) == '+' || s.charAt(k) == '-')) {
                        k++;
                    }
                    if (k < n && s.charAt(k) >= '0' && s.charAt(k) <= '9') {
                        return 1; // an exponent makes the whole input invalid
                    }
                }
                double fraction = Double.parseDouble("0" + s.substring(end, j));
                valf = new BigDecimal(fraction).multiply(new BigDecimal(TWO_64)).toBigInteger()
                        .min(TWO_64.subtract(BigInteger.ONE));
                end = j;
            }
        }
        long mul = end < n ? suffix(s.charAt(end)) : -1;
        if (mul > 0) {
            end++;
        } else {
            mul = 1;
        }
        int ret = 0;
        if (mul == 1) {
            if (valf.signum() != 0) {
                return 1;
            }
        } else {
            BigInteger m = BigInteger.valueOf(mul);
            BigInteger frac = valf.multiply(m);
            BigInteger total = new BigInteger(Long.toUnsignedString(val)).multiply(m)
                    .add(frac.shiftRight(64)).add(frac.testBit(63) ? BigInteger.ONE : BigInteger.ZERO);
            if (total.compareTo(TWO_64) >= 0) {
                ret = 2;
            } else {
                val = total.longValue();
            }
        }
        if (end < n) {
            return 1;
        }
        result[0] = val;
        return ret;
    }
}
