package org.blkdebug.engine.crash;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Which state a crash leaves: the arguments of the shell's {@code crash} command, as a value that
 * prints back to the same arguments ({@link #toString()}) and parses ({@link #parse}).
 *
 * <p>The volatile writes are numbered from 1 in the order the disk completed them. Every choice
 * {@linkplain #resolve resolves} against the writes of one crash to an {@link Explicit} one, which
 * names the kept writes (and, when torn, the kept sectors of each) and so stays the same state
 * however the random ones were drawn: that is the line {@code crash} prints.
 *
 * <pre>
 * crash                                  every durable write, no volatile one (= --keep none)
 * crash --keep all                       every volatile write too
 * crash --keep random [--seed S] [--torn] any subset; torn: a kept write may keep only some sectors
 * crash --keep prefix N [--torn]         the first N volatile writes; torn: and part of the next
 * crash --keep 1,3:0-2+5 --of 7          writes 1 and 3 of 7; of write 3 only sectors 0-2 and 5
 * </pre>
 *
 * Sectors are numbered from 0 within each write: sector k holds its bytes in the k-th 512-byte
 * sector it touches (4096-byte pages for a file of the file system).
 */
public sealed interface CrashChoice {

    /** {@code --keep none}: only what is durable (the default). */
    record Durable() implements CrashChoice {
        @Override
        public String toString() {
            return "--keep none";
        }
    }

    /** {@code --keep all}: every volatile write, whole. */
    record All() implements CrashChoice {
        @Override
        public String toString() {
            return "--keep all";
        }
    }

    /** {@code --keep random --seed S [--torn]}. */
    record Random(long seed, boolean torn) implements CrashChoice {
        @Override
        public String toString() {
            return "--keep random --seed " + Long.toUnsignedString(seed) + (torn ? " --torn" : "");
        }
    }

    /** {@code --keep prefix N [--torn --seed S]}: the first N; torn, the (N+1)th in part too. */
    record Prefix(int n, boolean torn, long seed) implements CrashChoice {
        public Prefix {
            if (n < 0) {
                throw new IllegalArgumentException("a prefix cannot be negative");
            }
        }

        @Override
        public String toString() {
            return "--keep prefix " + n + (torn ? " --torn --seed " + Long.toUnsignedString(seed) : "");
        }
    }

    /** One kept write: whole when {@code sectors} is null, else only those sectors. */
    record Keep(int write, BitSet sectors) {
        public Keep {
            if (write < 1) {
                throw new IllegalArgumentException("writes are numbered from 1");
            }
            sectors = sectors == null ? null : (BitSet) sectors.clone();
        }

        @Override
        public BitSet sectors() {
            return sectors == null ? null : (BitSet) sectors.clone();
        }

        @Override
        public String toString() {
            if (sectors == null) {
                return Integer.toString(write);
            }
            StringBuilder sb = new StringBuilder().append(write).append(':');
            boolean first = true;
            for (int i = sectors.nextSetBit(0); i >= 0; ) {
                int j = sectors.nextClearBit(i) - 1;
                sb.append(first ? "" : "+").append(i);
                if (j > i) {
                    sb.append('-').append(j);
                }
                first = false;
                i = sectors.nextSetBit(j + 1);
            }
            return sb.toString();
        }
    }

    /**
     * {@code --keep LIST --of N}: exactly these of the {@code of} volatile writes, in ascending
     * order. What every other choice resolves to, and what {@code crash} prints.
     */
    record Explicit(int of, List<Keep> keep) implements CrashChoice {
        public Explicit {
            keep = List.copyOf(keep);
            int last = 0;
            for (Keep k : keep) {
                if (k.write() <= last) {
                    throw new IllegalArgumentException("list each write once, in ascending order");
                }
                if (k.write() > of) {
                    throw new IllegalArgumentException("write " + k.write() + " is not among the " + of
                            + " volatile writes");
                }
                last = k.write();
            }
        }

        @Override
        public String toString() {
            if (keep.isEmpty()) {
                return "--keep none --of " + of;
            }
            StringBuilder sb = new StringBuilder("--keep ");
            for (int i = 0; i < keep.size(); i++) {
                sb.append(i == 0 ? "" : ",").append(keep.get(i));
            }
            return sb.append(" --of ").append(of).toString();
        }
    }

    /** The state as arguments of {@code crash}, e.g. {@code --keep 1,3 --of 4}. */
    @Override
    String toString();

    /**
     * Resolves this choice against a crash with these volatile writes.
     *
     * @param sectors how many sectors (pages) each volatile write touches, in completion order
     * @throws IllegalArgumentException when an explicit choice was made for another number of
     *                                  writes or names sectors a write does not have
     */
    default Explicit resolve(int[] sectors) {
        int k = sectors.length;
        List<Keep> keep = new ArrayList<>();
        switch (this) {
            case Durable d -> {
            }
            case All a -> {
                for (int i = 1; i <= k; i++) {
                    keep.add(new Keep(i, null));
                }
            }
            case Random r -> {
                SplittableRandom rnd = new SplittableRandom(r.seed());
                for (int i = 1; i <= k; i++) {
                    if (r.torn()) {
                        int pick = rnd.nextInt(3); // dropped, whole or torn, alike
                        if (pick == 1) {
                            keep.add(new Keep(i, null));
                        } else if (pick == 2) {
                            tornKeep(i, sectors[i - 1], rnd, keep);
                        }
                    } else if (rnd.nextBoolean()) {
                        keep.add(new Keep(i, null));
                    }
                }
            }
            case Prefix p -> {
                int n = Math.min(p.n(), k);
                for (int i = 1; i <= n; i++) {
                    keep.add(new Keep(i, null));
                }
                if (p.torn() && n < k) {
                    tornKeep(n + 1, sectors[n], new SplittableRandom(p.seed()), keep);
                }
            }
            case Explicit e -> {
                if (e.of() != k) {
                    throw new IllegalArgumentException("the choice was made for " + e.of()
                            + " volatile writes; this crash has " + k);
                }
                for (Keep kp : e.keep()) {
                    BitSet s = kp.sectors();
                    if (s != null && s.length() > sectors[kp.write() - 1]) {
                        throw new IllegalArgumentException("write " + kp.write() + " has "
                                + sectors[kp.write() - 1] + " sector(s), numbered from 0");
                    }
                }
                return e;
            }
        }
        return new Explicit(k, keep);
    }

    /** A random torn version of one write: a non-empty proper subset of its sectors (or the write, if it has one). */
    private static void tornKeep(int write, int n, SplittableRandom rnd, List<Keep> keep) {
        if (n <= 1) {
            if (rnd.nextBoolean()) {
                keep.add(new Keep(write, null));
            }
            return;
        }
        BitSet s = new BitSet(n);
        while (s.isEmpty() || s.cardinality() == n) {
            s.clear();
            for (int j = 0; j < n; j++) {
                if (rnd.nextBoolean()) {
                    s.set(j);
                }
            }
        }
        keep.add(new Keep(write, s));
    }

    /**
     * Parses the arguments of {@code crash} (not the word {@code crash} itself).
     *
     * @param randomSeed the seed of {@code --keep random} or {@code --torn} when none is given
     * @throws IllegalArgumentException with a message for the user
     */
    static CrashChoice parse(List<String> args, long randomSeed) {
        String keep = null;
        Integer prefix = null;
        Long seed = null;
        Integer of = null;
        boolean torn = false;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "--keep" -> {
                    keep = value(args, ++i, a);
                    if (keep.equals("prefix")) {
                        prefix = number(value(args, ++i, "--keep prefix"), "--keep prefix");
                    }
                }
                case "--seed" -> seed = unsigned(value(args, ++i, a), a);
                case "--of" -> of = number(value(args, ++i, a), a);
                case "--torn" -> torn = true;
                default -> throw new IllegalArgumentException("unknown argument '" + a + "'");
            }
        }
        long s = seed == null ? randomSeed : seed;
        if (keep == null) {
            return torn ? new Random(s, true) : new Durable();
        }
        switch (keep) {
            case "none", "all" -> {
                if (torn) {
                    throw new IllegalArgumentException("--torn goes with --keep random or --keep prefix N");
                }
                return keep.equals("none") ? new Durable() : new All();
            }
            case "random" -> {
                return new Random(s, torn);
            }
            case "prefix" -> {
                return new Prefix(prefix, torn, s);
            }
            default -> {
                if (of == null) {
                    throw new IllegalArgumentException("--keep LIST needs --of N, the number of volatile writes it was made for");
                }
                if (torn) {
                    throw new IllegalArgumentException("a list already says which sectors are kept; drop --torn");
                }
                return new Explicit(of, keepList(keep));
            }
        }
    }

    private static List<Keep> keepList(String text) {
        List<Keep> out = new ArrayList<>();
        for (String item : text.split(",", -1)) {
            int colon = item.indexOf(':');
            int write = number(colon < 0 ? item : item.substring(0, colon), "--keep");
            if (colon < 0) {
                out.add(new Keep(write, null));
                continue;
            }
            BitSet s = new BitSet();
            for (String range : item.substring(colon + 1).split("\\+", -1)) {
                int dash = range.indexOf('-');
                int from = number(dash < 0 ? range : range.substring(0, dash), "--keep");
                int to = dash < 0 ? from : number(range.substring(dash + 1), "--keep");
                if (to < from) {
                    throw new IllegalArgumentException("sector range '" + range + "' runs backwards");
                }
                s.set(from, to + 1);
            }
            out.add(new Keep(write, s));
        }
        return out;
    }

    private static String value(List<String> args, int i, String option) {
        if (i >= args.size()) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args.get(i);
    }

    private static int number(String s, String option) {
        if (!s.matches("[0-9]{1,9}")) {
            throw new IllegalArgumentException(option + ": '" + s + "' is not a number");
        }
        return Integer.parseInt(s);
    }

    private static long unsigned(String s, String option) {
        try {
            return Long.parseUnsignedLong(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + ": '" + s + "' is not a number");
        }
    }
}
