package org.blkdebug.cli.reliability;

import java.util.List;
import java.util.Random;

import org.blkdebug.engine.Event;

/**
 * Words for the fuzz tests, drawn from one seeded {@link Random}: numbers of every shape qemu-io's
 * {@code cvtnum} meets (negative, overflowing, hex, suffixed, fractional), event names, tags and
 * plain garbage (control characters, NULs, unicode, lone surrogates, very long words).
 *
 * <p>Never produces a number that is valid and large (over 16 MiB): such a length is not bad
 * input, only a big buffer, and would cost the budget its time.
 */
final class Garbage {
    private static final List<String> NUMBERS = List.of("0", "1", "511", "512", "4096", "4k", "64K", "1M", "0x200",
            "0X1000", "0x1k", "1.5k", "1.k", ".5k", "0.5", "1e3", "1.0e3k", "-1", "-512", "-0", "+512", "00777",
            "9223372036854775807", "9223372036854775808", "18446744073709551615", "18446744073709551616",
            "99999999999999999999999999999", "0x7fffffffffffffff", "0xffffffffffffffffff", "2147483137", "2G",
            "3G", "1T", "8E", "16E", "17E", "1E1", "0x", "x", "k", "", "1kk", "12abc", "١٢٣", "５１２", "1\u0000",
            "0x1p4", "inf", "nan", "-9223372036854775808", "1b", "512B", "0.000001k");
    private static final String ALPHABET = "-:=,{}[]\"'\\/.#0123456789abcdefxkKMGTPEqvzPsl\u0000\u0001\u0007\t\r\u001b"
            + "\u007fé漢\uD83D\uDE00\uD800\uFFFF\u00a0";
    private static final List<String> EVENTS = Event.values().length == 0 ? List.of()
            : java.util.Arrays.stream(Event.values()).map(Event::qemuName).toList();
    private static final List<String> TAGS = List.of("A", "B", "R");

    private final Random rnd;

    Garbage(Random rnd) {
        this.rnd = rnd;
    }

    Random random() {
        return rnd;
    }

    <T> T pick(List<T> list) {
        return list.get(rnd.nextInt(list.size()));
    }

    String number() {
        return rnd.nextInt(4) == 0 ? Integer.toString(rnd.nextInt(1 << 20)) : pick(NUMBERS);
    }

    String event() {
        return rnd.nextInt(5) == 0 ? word() : pick(EVENTS);
    }

    String tag() {
        return rnd.nextInt(8) == 0 ? word() : pick(TAGS);
    }

    /** A short word of random characters (never a space: qemu-io splits words on spaces). */
    String word() {
        int n = rnd.nextInt(12);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(ALPHABET.charAt(rnd.nextInt(ALPHABET.length())));
        }
        return sb.toString();
    }

    String longWord(int length) {
        StringBuilder sb = new StringBuilder(length);
        char c = ALPHABET.charAt(rnd.nextInt(ALPHABET.length()));
        while (sb.length() < length) {
            sb.append(c == ' ' ? 'a' : c);
        }
        return sb.toString();
    }

    /** An option cluster such as {@code -qv}, {@code -P}, {@code -Zq}, or {@code --}. */
    String option() {
        String letters = "abcdfilmnopqrstuvwxzCPU:?-";
        StringBuilder sb = new StringBuilder("-");
        int n = 1 + rnd.nextInt(3);
        for (int i = 0; i < n; i++) {
            sb.append(letters.charAt(rnd.nextInt(letters.length())));
        }
        return sb.toString();
    }

    /** Any argument word: mostly numbers, sometimes options, events, tags or garbage. */
    String argument() {
        return switch (rnd.nextInt(10)) {
            case 0, 1, 2, 3 -> number();
            case 4, 5 -> option();
            case 6 -> event();
            case 7 -> tag();
            case 8 -> rnd.nextInt(20) == 0 ? longWord(20_000 + rnd.nextInt(80_000)) : word();
            default -> pick(List.of("0x5a", "256", "-1", "0x1ff", "0", "abc"));
        };
    }
}
