package org.blkdebug.engine.explore;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Depth-first exploration of the release orders of one scenario, one run at a time, with dynamic
 * partial-order reduction (Flanagan and Godefroid, POPL'05) and sleep sets: a run goes lowest key
 * first beyond its forced prefix; afterwards, each pair of conflicting releases that nothing
 * forced into their order adds a backtrack point where the later one could have gone first. Two
 * orders that differ only in commuting releases ({@link Held#conflictsWith}) are explored once.
 *
 * <p>A request that arrives after releases of requests its own thread submitted counts as caused
 * by the last of them (its thread went on because that request ended), so it is never moved before
 * it. In a script this is exact (one thread, which waits when it is stuck); with several threads
 * it is each thread's program order. Not thread-safe: one explorer runs one run at a time.
 */
final class OrderTree implements Decider {
    /** One decision point on the current path. */
    private static final class Node {
        final List<Held> enabled;
        final Map<Held.Key, Held> byKey = new HashMap<>();
        /** Asleep on entry: releasing one first gives an order explored already. */
        final Set<Held.Key> sleep;
        final TreeSet<Held.Key> backtrack = new TreeSet<>();
        final Set<Held.Key> done = new HashSet<>();
        Held.Key chosen;

        Node(List<Held> enabled, Set<Held.Key> sleep) {
            this.enabled = List.copyOf(enabled);
            for (Held h : enabled) {
                byKey.put(h.key(), h);
            }
            this.sleep = sleep;
        }
    }

    /** Explore every held request at the first decision (a shard then owns whole subtrees). */
    private final boolean fullRoot;
    private final List<Node> path = new ArrayList<>();
    /** Depth at which the current run found every held request asleep, or -1. */
    private int blockedAt = -1;
    /** Depth at which the current run left its forced prefix unexpectedly, or -1. */
    private int divergedAt = -1;
    private boolean finished;
    private long pruned;

    OrderTree(boolean fullRoot) {
        this.fullRoot = fullRoot;
    }

    /** The forced picks of the next run. */
    List<Held.Key> prefix() {
        List<Held.Key> p = new ArrayList<>(path.size());
        for (Node n : path) {
            p.add(n.chosen);
        }
        return p;
    }

    boolean finished() {
        return finished;
    }

    /** Alternatives never run because they commute with one that was. */
    long pruned() {
        return pruned;
    }

    /** The pick at the root of the current path (for sharding), or null before the first run. */
    Held.Key rootPick() {
        return path.isEmpty() ? null : path.getFirst().chosen;
    }

    /** Index of the current root pick among the root's held requests, or -1. */
    int rootIndex() {
        if (path.isEmpty()) {
            return -1;
        }
        Node root = path.getFirst();
        for (int i = 0; i < root.enabled.size(); i++) {
            if (root.enabled.get(i).key().equals(root.chosen)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Leaves the current first-level choice unexplored (another shard owns it) and moves to the
     * next one. Returns false when there is none.
     */
    boolean skipRoot() {
        while (path.size() > 1) {
            path.removeLast();
        }
        if (path.isEmpty()) {
            finished = true;
            return false;
        }
        Node root = path.getFirst();
        root.done.add(root.chosen);
        for (Held.Key c : root.backtrack) {
            if (!root.done.contains(c) && !root.sleep.contains(c)) {
                root.chosen = c;
                return true;
            }
        }
        path.clear();
        finished = true;
        return false;
    }

    @Override
    public Held.Key decide(int depth, List<Held> enabled) {
        if (depth < path.size()) {
            return Decider.pick(enabled, path.get(depth).chosen);
        }
        if (blockedAt >= 0 || divergedAt >= 0) {
            return enabled.getFirst().key(); // the rest of this run is not explored
        }
        Set<Held.Key> sleep = new HashSet<>();
        if (depth > 0) {
            Node parent = path.get(depth - 1);
            Held moved = parent.byKey.get(parent.chosen);
            for (Held.Key k : parent.sleep) {
                addIfIndependent(sleep, parent.byKey.get(k), moved);
            }
            for (Held.Key k : parent.done) {
                addIfIndependent(sleep, parent.byKey.get(k), moved);
            }
        }
        Node n = new Node(enabled, sleep);
        for (Held h : enabled) {
            if (!sleep.contains(h.key())) {
                n.chosen = h.key();
                break;
            }
        }
        if (n.chosen == null) {
            blockedAt = depth; // every order from here was explored from an equivalent state
            return enabled.getFirst().key();
        }
        n.backtrack.add(n.chosen);
        if (fullRoot && depth == 0) {
            n.byKey.keySet().forEach(n.backtrack::add);
        }
        path.add(n);
        return n.chosen;
    }

    private static void addIfIndependent(Set<Held.Key> sleep, Held h, Held moved) {
        if (h != null && !h.conflictsWith(moved)) {
            sleep.add(h.key());
        }
    }

    /** The run's forced pick at {@code depth} was not held: its decisions no longer match the tree. */
    void diverged(int depth) {
        if (divergedAt < 0) {
            divergedAt = depth;
        }
    }

    /** True when the run that just ended repeated an explored order (blocked) or diverged. */
    boolean redundant() {
        return blockedAt >= 0;
    }

    boolean divergent() {
        return divergedAt >= 0;
    }

    /**
     * Takes the trace of the run that just ended, adds its backtrack points, and moves to the next
     * order. Returns false when every order has been explored.
     */
    boolean endRun(List<Step> trace) {
        int m = trace.size();
        if (blockedAt >= 0) {
            m = Math.min(m, blockedAt);
        }
        if (divergedAt >= 0) {
            m = Math.min(m, divergedAt);
        }
        m = Math.min(m, path.size());
        while (path.size() > m) { // nodes the run never reached (it diverged or ended early)
            path.removeLast();
        }
        analyse(trace, m);
        blockedAt = -1;
        divergedAt = -1;
        for (int d = path.size() - 1; d >= 0; d--) {
            Node n = path.get(d);
            n.done.add(n.chosen);
            for (Held.Key c : n.backtrack) {
                if (!n.done.contains(c) && !n.sleep.contains(c)) {
                    n.chosen = c;
                    return true;
                }
            }
            for (Held h : n.enabled) {
                if (!n.done.contains(h.key())) {
                    pruned++;
                }
            }
            path.removeLast();
        }
        finished = true;
        return false;
    }

    /** Flanagan-Godefroid backtrack points for the first {@code m} steps of a run. */
    private void analyse(List<Step> trace, int m) {
        Map<Held.Key, Integer> cause = new HashMap<>();
        for (int j = 1; j < m; j++) {
            Step s = trace.get(j);
            for (Held.Key a : s.arrivals()) {
                long thread = s.held(a).thread();
                for (int i = j - 1; i >= 0; i--) {
                    if (trace.get(i).chosenHeld().thread() == thread) {
                        cause.putIfAbsent(a, i);
                        break;
                    }
                }
            }
        }
        BitSet[] hb = new BitSet[m];
        for (int j = 0; j < m; j++) {
            Held cj = trace.get(j).chosenHeld();
            BitSet pre = new BitSet();
            Integer c = cause.get(cj.key());
            if (c != null) {
                pre.set(c);
                pre.or(hb[c]);
            }
            for (int i = j - 1; i >= 0; i--) {
                if (!pre.get(i) && trace.get(i).chosenHeld().conflictsWith(cj)) {
                    addBacktrack(i, cj.key(), pre, trace);
                    break;
                }
            }
            BitSet mine = (BitSet) pre.clone();
            for (int i = 0; i < j; i++) {
                if (trace.get(i).chosenHeld().conflictsWith(cj)) {
                    mine.set(i);
                    mine.or(hb[i]);
                }
            }
            hb[j] = mine;
        }
    }

    private void addBacktrack(int i, Held.Key x, BitSet pre, List<Step> trace) {
        Node n = path.get(i);
        if (n.byKey.containsKey(x)) {
            n.backtrack.add(x);
            return;
        }
        // x arrived later: release first what caused it, if that was held here
        for (int k = pre.nextSetBit(i + 1); k >= 0; k = pre.nextSetBit(k + 1)) {
            Held.Key ck = trace.get(k).chosen();
            if (n.byKey.containsKey(ck)) {
                n.backtrack.add(ck);
                return;
            }
        }
        n.backtrack.addAll(n.byKey.keySet());
    }
}
