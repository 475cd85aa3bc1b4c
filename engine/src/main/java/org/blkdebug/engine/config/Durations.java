package org.blkdebug.engine.config;

import java.math.BigDecimal;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.blkdebug.engine.OpenException;

/**
 * Ours (QEMU has no durations in blkdebug): {@code delay = "10ms"}. A decimal number and a unit,
 * {@code ns}, {@code us}, {@code ms}, {@code s} or {@code m}; the unit is required, there being no
 * QEMU convention to follow.
 */
public final class Durations {
    private static final Pattern FORM = Pattern.compile("\\s*([0-9]+(?:\\.[0-9]+)?)\\s*(ns|us|ms|s|m)\\s*");

    private Durations() {
    }

    /**
     * Nanoseconds.
     *
     * @param key the option's name, for the message
     */
    public static long nanos(String key, String text) throws OpenException {
        Matcher m = FORM.matcher(text);
        if (m.matches()) {
            BigDecimal value = new BigDecimal(m.group(1));
            long unit = switch (m.group(2)) {
                case "ns" -> 1L;
                case "us" -> 1_000L;
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                default -> 60_000_000_000L;
            };
            BigDecimal nanos = value.multiply(BigDecimal.valueOf(unit));
            if (nanos.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) <= 0) {
                return nanos.longValue();
            }
        }
        throw new OpenException("Parameter '" + key + "' expects a duration such as 10ms, 1.5s or 250us, not '"
                + text + "'");
    }
}
