package org.blkdebug.engine.explore;

import java.util.ArrayList;
import java.util.List;

/**
 * What one run changes against the plain scenario, in a form that names it exactly and that
 * {@link #parse} reads back ({@code --choice}, {@code -Dblkdebug.explore.choice=}):
 * {@code fail:3} (the 3rd request the fail-each rule matches fails), {@code order:w4096+512,f}
 * (of the held requests, release the 512-byte write at 4096 first, then the flush, then the rest
 * in key order; see {@link Held.Key}), joined with {@code /}; {@code base} is the plain scenario.
 *
 * @param fail  which matching request fails, from 1; 0 = none
 * @param order releases to make, in order, at the decision points; beyond it the lowest key goes first
 */
public record Choice(long fail, List<Held.Key> order) {
    public static final Choice BASE = new Choice(0, List.of());

    public Choice {
        if (fail < 0) {
            throw new IllegalArgumentException("fail must be positive: " + fail);
        }
        order = List.copyOf(order);
    }

    public Choice withFail(long k) {
        return new Choice(k, order);
    }

    public Choice withOrder(List<Held.Key> picks) {
        return new Choice(fail, picks);
    }

    public boolean isBase() {
        return fail == 0 && order.isEmpty();
    }

    /** @throws IllegalArgumentException with a message that says what is wrong */
    public static Choice parse(String text) {
        String t = text.strip();
        if (t.equals("base")) {
            return BASE;
        }
        long fail = 0;
        List<Held.Key> order = List.of();
        for (String part : t.split("/", -1)) {
            int colon = part.indexOf(':');
            String kind = colon < 0 ? part : part.substring(0, colon);
            String value = colon < 0 ? "" : part.substring(colon + 1);
            try {
                switch (kind) {
                    case "fail" -> {
                        fail = Long.parseLong(value);
                        if (fail <= 0) {
                            throw new NumberFormatException();
                        }
                    }
                    case "order" -> {
                        List<Held.Key> keys = new ArrayList<>();
                        for (String k : value.split(",", -1)) {
                            keys.add(Held.Key.parse(k));
                        }
                        order = keys;
                    }
                    default -> throw new IllegalArgumentException("unknown choice '" + part
                            + "' in '" + text + "' (expected base, fail:N, order:ID,ID...)");
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad value in choice '" + part + "' of '" + text + "'");
            }
        }
        return new Choice(fail, order);
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
        if (!order.isEmpty()) {
            parts.add("order:" + String.join(",", order.stream().map(Held.Key::toString).toList()));
        }
        return String.join("/", parts);
    }
}
