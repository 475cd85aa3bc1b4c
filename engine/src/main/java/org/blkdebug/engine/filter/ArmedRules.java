package org.blkdebug.engine.filter;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.blkdebug.engine.IoType;
import org.blkdebug.engine.Rule;

/**
 * QEMU's {@code active_rules}: the armed inject-error rules in match order, with an index by
 * offset so that a request's check costs O(log n) however many sector rules are armed, while
 * keeping QEMU's first-match-in-list-order answer exactly.
 *
 * <p>Not thread-safe: {@link BlkDebugRules} guards it with its lock.
 */
final class ArmedRules {
    /** Below this size a linear scan is cheaper than keeping an index. */
    private static final int INDEX_THRESHOLD = 16;

    private final ArrayList<Rule.InjectError> list = new ArrayList<>();

    // The index, rebuilt lazily after a change. Positions are indexes into list.
    private boolean indexValid;
    /** Positions of rules matching any offset (sector -1), ascending. */
    private int[] anyOffset = new int[0];
    /** Offsets of sector rules, ascending as unsigned numbers (QEMU compares uint64_t). */
    private long[] offsets = new long[0];
    /** Position of the rule at the same index of {@link #offsets}. */
    private int[] positions = new int[0];

    int size() {
        return list.size();
    }

    void clear() {
        list.clear();
        indexValid = false;
    }

    /**
     * Replaces the list as one QEMU event does: the rules were found walking the event's list
     * newest-first and each was inserted at the head, which leaves them in reverse walk order.
     */
    void replaceInWalkOrder(List<Rule.InjectError> walkOrder) {
        list.clear();
        list.ensureCapacity(walkOrder.size());
        for (int i = walkOrder.size() - 1; i >= 0; i--) {
            list.add(walkOrder.get(i));
        }
        indexValid = false;
    }

    /** Removes this very rule object. */
    void remove(Rule.InjectError r) {
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i) == r) {
                list.remove(i);
                indexValid = false;
                return;
            }
        }
    }

    List<Rule.InjectError> toList() {
        return List.copyOf(list);
    }

    /** QEMU's rule_check match: sector -1, or the sector's first byte inside a non-empty request. */
    static boolean matches(Rule.InjectError r, long offset, long bytes, IoType type) {
        if (!r.matchesType(type)) {
            return false;
        }
        long at = r.offset();
        return at == -1 || (bytes != 0 && Long.compareUnsigned(at, offset) >= 0
                && Long.compareUnsigned(at, offset + bytes) < 0);
    }

    /**
     * As {@link #firstMatch(long, long, IoType)}, skipping the matching rules {@code applies}
     * refuses (a probabilistic rule whose draw failed). {@code applies} is asked only about
     * matching rules, in match order, until it accepts one. A linear scan: only lists with a
     * probabilistic rule come here.
     */
    Rule.InjectError firstMatch(long offset, long bytes, IoType type,
                                java.util.function.Predicate<Rule.InjectError> applies) {
        for (Rule.InjectError r : list) {
            if (matches(r, offset, bytes, type) && applies.test(r)) {
                return r;
            }
        }
        return null;
    }

    /** How many armed rules draw. */
    int drawing() {
        int n = 0;
        for (Rule.InjectError r : list) {
            if (r.draws()) {
                n++;
            }
        }
        return n;
    }

    Rule.InjectError firstMatch(long offset, long bytes, IoType type) {
        if (list.size() < INDEX_THRESHOLD) {
            for (Rule.InjectError r : list) {
                if (matches(r, offset, bytes, type)) {
                    return r;
                }
            }
            return null;
        }
        if (!indexValid) {
            rebuildIndex();
        }
        int best = Integer.MAX_VALUE;
        for (int pos : anyOffset) {
            if (list.get(pos).matchesType(type)) {
                best = pos;
                break;
            }
        }
        if (bytes != 0) {
            long end = offset + bytes;
            for (int i = lowerBound(offset); i < offsets.length
                    && Long.compareUnsigned(offsets[i], end) < 0; i++) {
                int pos = positions[i];
                if (pos < best && list.get(pos).matchesType(type)) {
                    best = pos;
                }
            }
        }
        return best == Integer.MAX_VALUE ? null : list.get(best);
    }

    private int lowerBound(long offset) {
        int lo = 0;
        int hi = offsets.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(offsets[mid], offset) < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private void rebuildIndex() {
        int n = list.size();
        int anyCount = 0;
        long[] keys = new long[n];
        int sectorCount = 0;
        int[] any = new int[n];
        for (int pos = 0; pos < n; pos++) {
            long at = list.get(pos).offset();
            if (at == -1) {
                any[anyCount++] = pos;
            } else {
                keys[sectorCount++] = pos;
            }
        }
        // sort sector rules by (unsigned offset, position); positions fit in 31 bits
        Long[] order = new Long[sectorCount];
        for (int i = 0; i < sectorCount; i++) {
            order[i] = keys[i];
        }
        Arrays.sort(order, (a, b) -> {
            int c = Long.compareUnsigned(list.get(a.intValue()).offset(), list.get(b.intValue()).offset());
            return c != 0 ? c : Long.compare(a, b);
        });
        offsets = new long[sectorCount];
        positions = new int[sectorCount];
        for (int i = 0; i < sectorCount; i++) {
            int pos = order[i].intValue();
            positions[i] = pos;
            offsets[i] = list.get(pos).offset();
        }
        anyOffset = Arrays.copyOf(any, anyCount);
        indexValid = true;
    }
}
