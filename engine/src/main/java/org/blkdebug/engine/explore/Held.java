package org.blkdebug.engine.explore;

import org.blkdebug.engine.Operation;

/**
 * A request held at an explored event, as a decision point sees it.
 *
 * @param key    what it is, which names it across runs
 * @param id     its id in this run ({@link org.blkdebug.engine.RequestInfo#id()}), to release it by
 * @param thread the thread that submitted it ({@link org.blkdebug.engine.RequestInfo#submitter()})
 */
public record Held(Key key, long id, long thread) {

    /**
     * A hold's identity across runs: what the request is, not when its thread got to submit it, so
     * two threads racing to submit do not change the names. {@code nth} tells apart holds that
     * look the same, in the order they arrived (a request held again after a release counts again).
     */
    public record Key(Operation op, long offset, long length, int nth) implements Comparable<Key> {
        @Override
        public int compareTo(Key o) {
            int c = Long.compare(offset, o.offset);
            if (c == 0) {
                c = Long.compare(length, o.length);
            }
            if (c == 0) {
                c = op.compareTo(o.op);
            }
            return c != 0 ? c : Integer.compare(nth, o.nth);
        }

        /** {@code w0+4096}, {@code w0+4096.1} for the second such hold, {@code f} for a flush. */
        @Override
        public String toString() {
            String s = String.valueOf(letter(op)) + (ranged(op) ? offset + "+" + length : "");
            return nth == 0 ? s : s + "." + nth;
        }

        static Key parse(String s) {
            if (s.isEmpty()) {
                throw new NumberFormatException();
            }
            Operation op = null;
            for (Operation o : Operation.values()) {
                if (letter(o) == s.charAt(0)) {
                    op = o;
                }
            }
            if (op == null) {
                throw new NumberFormatException();
            }
            String rest = s.substring(1);
            int nth = 0;
            int dot = rest.lastIndexOf('.');
            if (dot >= 0) {
                nth = Integer.parseInt(rest.substring(dot + 1));
                rest = rest.substring(0, dot);
            }
            long offset = 0;
            long length = 0;
            if (ranged(op)) {
                int plus = rest.indexOf('+');
                offset = Long.parseLong(rest.substring(0, plus));
                length = Long.parseLong(rest.substring(plus + 1));
            } else if (!rest.isEmpty()) {
                throw new NumberFormatException();
            }
            if (nth < 0 || offset < 0 || length < 0) {
                throw new NumberFormatException();
            }
            return new Key(op, offset, length, nth);
        }

        private static char letter(Operation op) {
            return switch (op) {
                case READ -> 'r';
                case WRITE -> 'w';
                case WRITE_ZEROES -> 'z';
                case DISCARD -> 'd';
                case FLUSH -> 'f';
                case TRUNCATE -> 't';
                case BLOCK_STATUS -> 'b';
                case EVENT -> 'e';
            };
        }

        private static boolean ranged(Operation op) {
            return op != Operation.FLUSH && op != Operation.EVENT;
        }
    }

    /**
     * Whether the order of the two releases can matter (partial-order reduction): requests on
     * disjoint byte ranges commute, reads commute with reads, a flush commutes with reads and
     * flushes but conflicts with every write (it decides their durability). A truncate or an
     * event fired from above conflicts with everything: nothing says what it touches.
     */
    public boolean conflictsWith(Held other) {
        Key a = key;
        Key b = other.key;
        if (opaque(a.op) || opaque(b.op)) {
            return true;
        }
        boolean flush = a.op == Operation.FLUSH;
        boolean oFlush = b.op == Operation.FLUSH;
        if (flush || oFlush) {
            return flush ? writes(b.op) : writes(a.op);
        }
        if (!writes(a.op) && !writes(b.op)) {
            return false;
        }
        return a.offset < b.offset + b.length && b.offset < a.offset + a.length;
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
        return key + "#" + id;
    }
}
