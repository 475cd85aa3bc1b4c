package org.blkdebug.engine.explore;

import java.util.ArrayList;
import java.util.List;
import org.blkdebug.engine.crash.CrashChoice;

/**
 * What one run changes against the plain scenario, in a form that names it exactly and that
 * {@link #parse} reads back ({@code --choice}, {@code -Dblkdebug.explore.choice=}), parts joined
 * with {@code /}:
 * <ul>
 *   <li>{@code fail:3}: the 3rd request the fail-each rule matches fails;</li>
 *   <li>{@code crash:2}: the power goes at the 2nd crash point; {@code keep:1,3:0-2@4} names the
 *       state it left, as {@code crash --keep 1,3:0-2 --of 4} does (none kept: {@code keep:none@4});</li>
 *   <li>{@code order:w4096+512,f}: of the held requests, release the 512-byte write at 4096 first,
 *       then the flush, then the rest in key order (see {@link Held.Key});</li>
 *   <li>{@code base}: none of these, the plain scenario.</li>
 * </ul>
 *
 * @param fail  which matching request fails, from 1; 0 = none
 * @param crash at which crash point the power goes, from 1; 0 = none
 * @param kept  the state the crash left, once known (a replay makes exactly it), or null
 * @param order releases to make, in order, at the decision points; beyond it the lowest key goes first
 */
public record Choice(long fail, long crash, CrashChoice.Explicit kept, List<Held.Key> order) {
    public static final Choice BASE = new Choice(0, List.of());

    public Choice {
        if (fail < 0 || crash < 0) {
            throw new IllegalArgumentException("fail and crash count from 1");
        }
        order = List.copyOf(order);
    }

    public Choice(long fail, List<Held.Key> order) {
        this(fail, 0, null, order);
    }

    public Choice withFail(long k) {
        return new Choice(k, crash, kept, order);
    }

    public Choice withCrash(long j, CrashChoice.Explicit state) {
        return new Choice(fail, j, state, order);
    }

    public Choice withOrder(List<Held.Key> picks) {
        return new Choice(fail, crash, kept, picks);
    }

    public boolean isBase() {
        return fail == 0 && crash == 0 && order.isEmpty();
    }

    /** @throws IllegalArgumentException with a message that says what is wrong */
    public static Choice parse(String text) {
        String t = text.strip();
        if (t.equals("base")) {
            return BASE;
        }
        long fail = 0;
        long crash = 0;
        CrashChoice.Explicit kept = null;
        List<Held.Key> order = List.of();
        for (String part : t.split("/", -1)) {
            int colon = part.indexOf(':');
            String kind = colon < 0 ? part : part.substring(0, colon);
            String value = colon < 0 ? "" : part.substring(colon + 1);
            try {
                switch (kind) {
                    case "fail" -> fail = positive(value);
                    case "crash" -> crash = positive(value);
                    case "keep" -> kept = kept(value);
                    case "order" -> {
                        List<Held.Key> keys = new ArrayList<>();
                        for (String k : value.split(",", -1)) {
                            keys.add(Held.Key.parse(k));
                        }
                        order = keys;
                    }
                    default -> throw new IllegalArgumentException("unknown choice '" + part + "' in '" + text
                            + "' (expected base, fail:N, crash:N, keep:LIST@N, order:KEY,KEY..., e.g. fail:2/order:w0+4096,f)");
                }
            } catch (NumberFormatException | IndexOutOfBoundsException e) {
                throw new IllegalArgumentException("bad value in choice '" + part + "' of '" + text + "'");
            }
        }
        if (kept != null && crash == 0) {
            throw new IllegalArgumentException("'keep:' names the state of a crash: add crash:N to '" + text + "'");
        }
        return new Choice(fail, crash, kept, order);
    }

    private static long positive(String v) {
        long n = Long.parseLong(v);
        if (n <= 0) {
            throw new NumberFormatException();
        }
        return n;
    }

    private static CrashChoice.Explicit kept(String v) {
        int at = v.lastIndexOf('@');
        int of = Integer.parseInt(v.substring(at + 1));
        String list = v.substring(0, at);
        if (list.equals("none")) {
            return new CrashChoice.Explicit(of, List.of());
        }
        return (CrashChoice.Explicit) CrashChoice.parse(List.of("--keep", list, "--of", Integer.toString(of)), 0);
    }

    /** {@code keep:LIST@N} for a state, as {@code crash} names it ({@code --keep LIST --of N}). */
    static String kept(CrashChoice.Explicit e) {
        String s = e.toString(); // --keep LIST --of N, or --keep none --of N
        String list = s.substring("--keep ".length(), s.indexOf(" --of "));
        return "keep:" + list + "@" + e.of();
    }

    @Override
    public String toString() {
        if (isBase()) {
            return "base";
        }
        List<String> parts = new ArrayList<>();
        if (fail > 0) {
            parts.add("fail:" + fail);
        }
        if (crash > 0) {
            parts.add("crash:" + crash);
            if (kept != null) {
                parts.add(kept(kept));
            }
        }
        if (!order.isEmpty()) {
            parts.add("order:" + String.join(",", order.stream().map(Held.Key::toString).toList()));
        }
        return String.join("/", parts);
    }
}
