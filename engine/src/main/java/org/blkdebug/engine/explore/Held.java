package org.blkdebug.engine.explore;

import org.blkdebug.engine.Operation;

/**
 * A request held at the explored event, as a decision point sees it.
 *
 * @param key    which request (its id) and which of its holds (a request that reaches the event
 *               again after a release is held anew)
 * @param thread the thread that submitted it ({@link org.blkdebug.engine.RequestInfo#submitter()})
 */
public record Held(Key key, Operation op, long offset, long length, long thread) {

    /** A hold's identity across runs: the same choices give the same ids. */
    public record Key(long id, int nth) implements Comparable<Key> {
        @Override
        public int compareTo(Key o) {
            int c = Long.compare(id, o.id);
            return c != 0 ? c : Integer.compare(nth, o.nth);
        }

        /** {@code 17}, or {@code 17.1} for its second hold: the form a choice names it by. */
        @Override
        public String toString() {
            return nth == 0 ? Long.toString(id) : id + "." + nth;
        }

        static Key parse(String s) {
            int dot = s.indexOf('.');
            return dot < 0 ? new Key(Long.parseLong(s), 0)
                    : new Key(Long.parseLong(s.substring(0, dot)), Integer.parseInt(s.substring(dot + 1)));
        }
    }

    /**
     * Whether the order of the two releases can matter (partial-order reduction): requests on
     * disjoint byte ranges commute, reads commute with reads, a flush commutes with reads and
     * flushes but conflicts with every write (it decides their durability). A truncate or an
     * event fired from above conflicts with everything: nothing says what it touches.
     */
    public boolean conflictsWith(Held o) {
        if (opaque(op) || opaque(o.op)) {
            return true;
        }
        boolean flush = op == Operation.FLUSH;
        boolean oFlush = o.op == Operation.FLUSH;
        if (flush || oFlush) {
            return flush ? writes(o.op) : writes(op);
        }
        if (!writes(op) && !writes(o.op)) {
            return false;
        }
        return offset < o.offset + o.length && o.offset < offset + length;
    }

    private static boolean opaque(Operation op) {
        return op == Operation.TRUNCATE || op == Operation.EVENT;
    }

    private static boolean writes(Operation op) {
        return op == Operation.WRITE || op == Operation.WRITE_ZEROES || op == Operation.DISCARD
                || op == Operation.TRUNCATE;
    }

    @Override
    public String toString() {
        return "#" + key + " " + op + (op == Operation.FLUSH || op == Operation.EVENT ? "" : " " + offset + "+" + length);
    }
}
