package org.blkdebug.engine.crash;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.block.IoVec;

/**
 * Every distinct state a crash at one moment could leave, each handed to a checker.
 *
 * <p>States are the subsets of the volatile writes (torn: of their sectors), deduplicated by the
 * bytes they leave. When there are at most {@link Options#max()} subsets, all are tried; beyond
 * that, first the structured families most crash bugs fall in (nothing kept, everything kept,
 * each prefix, all but one write, each write torn after its predecessors), then random subsets
 * drawn from {@link Options#seed()}, until {@code max} distinct states were checked or
 * {@code max(1000, 2 × found)} draws in a row gave nothing new (CrashMonkey's rule).
 */
public final class CrashStates {
    private CrashStates() {
    }

    /**
     * @param max  how many distinct states to check at most
     * @param torn also the states where a write persisted only some of its sectors
     * @param seed what the random part of a sample derives from
     */
    public record Options(int max, boolean torn, long seed) {
        public Options {
            if (max < 1) {
                throw new IllegalArgumentException("--max must be at least 1");
            }
        }

        /** 1000 states, whole writes, seed 1. */
        public static Options defaults() {
            return new Options(1000, false, 1);
        }

        public Options withMax(int m) {
            return new Options(m, torn, seed);
        }

        public Options withTorn(boolean t) {
            return new Options(max, t, seed);
        }

        public Options withSeed(long s) {
            return new Options(max, torn, s);
        }
    }

    /** Decides one state; throwing (an assertion, an exception) rejects it with its message. */
    @FunctionalInterface
    public interface Checker {
        void check(CrashState state) throws Exception;
    }

    /** A state the checker rejected, with the line that makes it again. */
    public record Rejection(int state, CrashChoice.Explicit choice, String reason) {
        /** The {@code crash} command that leaves this state. */
        public String replayLine() {
            return "crash " + choice;
        }
    }

    /**
     * @param volatileWrites the writes volatile at the snapshot
     * @param exhaustive     every subset was tried (else a sample)
     * @param tried          subsets looked at, duplicates included
     * @param checked        distinct states handed to the checker
     * @param nanos          wall time of the whole run
     */
    public record Report(int volatileWrites, boolean exhaustive, long tried, int checked,
                         List<Rejection> rejected, long nanos, Options options) {
        public Report {
            rejected = List.copyOf(rejected);
        }

        public boolean passed() {
            return rejected.isEmpty();
        }

        /** Mean wall time per checked state. */
        public double nanosPerState() {
            return checked == 0 ? 0 : (double) nanos / checked;
        }
    }

    /** Enumerates the states of {@code snapshot} at {@code unit}-byte atomicity. */
    static Report run(Snapshot snapshot, int unit, Options o, Checker checker) throws BlockException {
        long t0 = System.nanoTime();
        CrashSpace space = new CrashSpace(snapshot, unit, o.torn());
        return explore(space, o, t0, (number, choice, kept) ->
                checker.check(new CrashState(number, choice, space.view(kept), space)));
    }

    /**
     * What {@link #explore} walks: units (a write, or one sector of it when torn) in groups (the
     * writes, in completion order), a content hash per set of kept units, and the choice naming it.
     * A device's crash states are one; a file system's (its files' writes and its directory
     * entries) another.
     */
    public interface Units {
        int units();

        int groups();

        /** The first unit of group {@code g}. */
        int base(int g);

        /** How many units group {@code g} has. */
        int size(int g);

        /** Equal for sets of kept units that leave the same bytes. */
        long hash(BitSet kept) throws BlockException;

        CrashChoice.Explicit choice(BitSet kept);
    }

    /** Checks one distinct state: throwing rejects it. */
    @FunctionalInterface
    public interface StateCheck {
        void check(int number, CrashChoice.Explicit choice, BitSet kept) throws Exception;
    }

    /**
     * All subsets when there are at most {@code o.max()}; else the families, then random subsets
     * drawn from {@code o.seed()}. Each new state (by hash) goes to {@code check}.
     */
    public static Report explore(Units space, Options o, StateCheck check) throws BlockException {
        return explore(space, o, System.nanoTime(), check);
    }

    private static Report explore(Units space, Options o, long t0, StateCheck check) throws BlockException {
        Runner r = new Runner(space, o, check);
        int u = space.units();
        boolean exhaustive = u < 62 && (1L << u) <= o.max();
        if (exhaustive) {
            for (long mask = 0; mask < (1L << u) && !r.full(); mask++) {
                r.offer(BitSet.valueOf(new long[] {mask}));
            }
        } else {
            families(space, o.torn(), r);
            random(space, o, r);
        }
        return new Report(space.groups(), exhaustive, r.tried, r.checked, r.rejected, System.nanoTime() - t0, o);
    }

    private static void families(Units space, boolean torn, Runner r) throws BlockException {
        int k = space.groups();
        BitSet all = new BitSet();
        all.set(0, space.units());
        r.offer(new BitSet());
        r.offer(all);
        BitSet prefix = new BitSet();
        for (int i = 0; i < k && !r.full(); i++) {
            if (torn && space.size(i) > 1) { // write i torn: its first half landed
                BitSet t = (BitSet) prefix.clone();
                t.set(space.base(i), space.base(i) + space.size(i) / 2);
                r.offer(t);
            }
            prefix.set(space.base(i), space.base(i) + space.size(i));
            r.offer((BitSet) prefix.clone());
        }
        for (int i = 0; i < k && !r.full(); i++) {
            BitSet allBut = (BitSet) all.clone();
            allBut.clear(space.base(i), space.base(i) + space.size(i));
            r.offer(allBut);
        }
    }

    private static void random(Units space, Options o, Runner r) throws BlockException {
        SplittableRandom rnd = new SplittableRandom(o.seed());
        int k = space.groups();
        long dryRun = 0;
        while (!r.full() && dryRun < Math.max(1000, 2L * r.checked)) {
            BitSet kept = new BitSet(space.units());
            for (int i = 0; i < k; i++) {
                int base = space.base(i);
                int n = space.size(i);
                if (!o.torn() || n == 1) {
                    if (rnd.nextBoolean()) {
                        kept.set(base, base + n);
                    }
                    continue;
                }
                switch (rnd.nextInt(3)) { // dropped, whole or torn, alike
                    case 1 -> kept.set(base, base + n);
                    case 2 -> {
                        for (int j = 0; j < n; j++) {
                            if (rnd.nextBoolean()) {
                                kept.set(base + j);
                            }
                        }
                    }
                    default -> {
                    }
                }
            }
            dryRun = r.offer(kept) ? 0 : dryRun + 1;
        }
    }

    /** Deduplicates and checks. */
    private static final class Runner {
        private final Units space;
        private final Options o;
        private final StateCheck check;
        private final Set<Long> seen = new HashSet<>();
        private final List<Rejection> rejected = new ArrayList<>();
        long tried;
        int checked;

        Runner(Units space, Options o, StateCheck check) {
            this.space = space;
            this.o = o;
            this.check = check;
        }

        boolean full() {
            return checked >= o.max();
        }

        /** True when {@code kept} was a new state (and was checked). */
        boolean offer(BitSet kept) throws BlockException {
            if (full()) {
                return false;
            }
            tried++;
            if (!seen.add(space.hash(kept))) {
                return false;
            }
            checked++;
            CrashChoice.Explicit choice = space.choice(kept);
            try {
                check.check(checked, choice, kept);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BlockException(org.blkdebug.engine.Errno.EINTR, e);
            } catch (Exception | AssertionError e) {
                String msg = e.getMessage();
                rejected.add(new Rejection(checked, choice, msg == null ? e.toString() : msg));
            }
            return true;
        }
    }

    /**
     * Copies D into {@code file} (sparse: all-zero chunks are skipped), so that
     * {@link CrashState#writeTouched} can turn it into any state of the same snapshot.
     */
    static void copyBase(Snapshot s, FileChannel file) throws IOException, BlockException {
        file.truncate(0);
        ByteBuffer b = ByteBuffer.allocate(1 << 20);
        for (long at = 0; at < s.length; ) {
            int n = (int) Math.min(s.length - at, b.capacity());
            b.clear().limit(n);
            s.readBase(at, IoVec.of(b));
            b.position(0).limit(n);
            if (!allZero(b)) {
                while (b.hasRemaining()) {
                    file.write(b, at + b.position());
                }
            }
            at += n;
        }
        if (file.size() < s.length) {
            file.write(ByteBuffer.allocate(1), s.length - 1); // the full length, the tail a hole
            if (s.length > 0) {
                ByteBuffer last = ByteBuffer.allocate(1);
                s.readBase(s.length - 1, IoVec.of(last));
                file.write(last.flip(), s.length - 1);
            }
        }
    }

    private static boolean allZero(ByteBuffer b) {
        for (int i = b.position(); i < b.limit(); i++) {
            if (b.get(i) != 0) {
                return false;
            }
        }
        return true;
    }
}
