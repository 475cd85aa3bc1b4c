package org.blkdebug.engine.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.blkdebug.engine.reliability.Reliability.SECTOR;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.blkdebug.engine.BlkDebug;
import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.Completion;
import org.blkdebug.engine.Device;
import org.blkdebug.engine.Errno;
import org.blkdebug.engine.Event;
import org.blkdebug.engine.IoType;
import org.blkdebug.engine.Rule;
import org.blkdebug.engine.block.MemoryBackend;
import org.junit.jupiter.api.Test;

/**
 * Thousands of concurrent requests of every kind on one memory image with {@code align=4096},
 * while breakpoints come and go, requests are resumed at random and the state and armed rules
 * change underneath. Seeded: {@code -Dtests.seed=N} replays the workload (thread timing still
 * varies); {@code -Dtests.stress.requests=N} sets its size.
 *
 * <p>The workload is built so the final image has an exact model. The image is cut into
 * stripes of 1..24 sectors, each owned by one <em>lane</em>; a lane is a serial client (one
 * request at a time) that only touches its own stripes, so the contents of its sectors follow
 * from its own requests replayed in completion order. Stripes do not respect 4 KiB blocks, so
 * most writes are unaligned and lanes share blocks: the read-modify-write of one lane rewrites
 * its neighbours' sectors, which only the block layer's serialisation keeps intact.
 */
class ConcurrencyStressTest {
    private static final int ALIGN = 4096;
    private static final int SECTORS = 512; // 256 KiB
    private static final int LANES = 8;
    /** The errnos the rules inject; anything else a request fails with is a bug. */
    private static final int[] ERRNOS = {Errno.ENOSPC, Errno.EAGAIN, Errno.ENOMEM, 122 /* EDQUOT */};
    /** Events the raw → blkdebug → memory stack fires for these requests. */
    private static final Event[] EVENTS = {Event.READ_AIO, Event.WRITE_AIO, Event.PWRITEV, Event.PWRITEV_ZERO,
        Event.PWRITEV_DONE, Event.PWRITEV_RMW_HEAD, Event.PWRITEV_RMW_AFTER_HEAD, Event.PWRITEV_RMW_TAIL,
        Event.PWRITEV_RMW_AFTER_TAIL, Event.FLUSH_TO_OS, Event.FLUSH_TO_DISK};
    private static final String[] TAGS = {"a", "b", "c", "d", "e"};
    private static final Duration OP_BOUND = Duration.ofSeconds(20);

    enum Kind { READ, WRITE, WRITEV, WRITE_ZEROES, DISCARD, FLUSH }

    /** One request of a lane; written by the lane's thread only. */
    static final class Op {
        final int id;
        final Kind kind;
        final int firstSector;
        final int sectors;
        int errno = -1;

        Op(int id, Kind kind, int firstSector, int sectors) {
            this.id = id;
            this.kind = kind;
            this.firstSector = firstSector;
            this.sectors = sectors;
        }

        @Override
        public String toString() {
            return "#" + id + " " + kind + " sectors [" + firstSector + ", " + (firstSector + sectors) + ")";
        }
    }

    record Stripe(int first, int sectors, int lane) {
    }

    @Test
    void concurrentRequestsUnderChangingRulesAllFinishWithAllowedOutcomesAndExactImage() throws Exception {
        // Why: this is the whole engine under load at once; a lost wake-up, a broken RMW
        // serialisation or an exception escaping a layer shows up here as a hang, a torn or
        // foreign sector, or an errno no rule injects.
        long seed = Reliability.seed("concurrentRequestsUnderChangingRulesAllFinishWithAllowedOutcomesAndExactImage");
        int requests = Reliability.intProperty("tests.stress.requests", 3000);
        Reliability.withSeed(seed, () -> run(seed, requests));
    }

    private void run(long seed, int requests) throws Exception {
        long t0 = System.nanoTime();
        Random rnd = new Random(seed);
        MemoryBackend backend = new MemoryBackend((long) SECTORS * SECTOR);
        BlkDebug.Builder b = BlkDebug.builder().backend(backend, "memory").align(ALIGN);
        List<Rule> configured = randomRules(rnd);
        for (Rule r : configured) {
            if (r instanceof Rule.InjectError ie) {
                b.injectError(ie);
            } else if (r instanceof Rule.SetState ss) {
                b.setState(ss);
            }
        }
        System.out.println("rules: " + configured);
        List<Stripe> stripes = stripes(rnd);

        Device dev = b.open();
        dev.reportCompletions(true);
        @SuppressWarnings("unchecked")
        Set<Long>[] possible = new Set[SECTORS];
        for (int s = 0; s < SECTORS; s++) {
            possible[s] = new HashSet<>(Set.of(0L));
        }
        AtomicInteger ids = new AtomicInteger();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Op> allOps = new ConcurrentLinkedQueue<>();
        int perLane = Math.max(1, requests / (LANES + 1));

        List<CompletableFuture<Void>> lanes = new ArrayList<>();
        for (int lane = 0; lane < LANES; lane++) {
            int l = lane;
            List<Stripe> mine = stripes.stream().filter(s -> s.lane() == l).toList();
            long laneSeed = rnd.nextLong();
            lanes.add(start("lane " + lane, failures,
                    () -> lane(dev, mine, perLane, new Random(laneSeed), ids, possible, allOps)));
        }
        long flushSeed = rnd.nextLong();
        lanes.add(start("flusher", failures, () -> flusher(dev, perLane, new Random(flushSeed), ids, allOps)));

        List<CompletableFuture<Void>> fired = new ArrayList<>();
        long controlSeed = rnd.nextLong();
        CompletableFuture<Void> lanesDone = CompletableFuture.allOf(lanes.toArray(new CompletableFuture<?>[0]));
        int[] actions = controller(dev, new Random(controlSeed), lanesDone, fired, failures);

        Reliability.awaitAll(lanes, Duration.ofSeconds(120), "lanes");
        rethrowFirst(failures);

        // drain: nobody adds breakpoints any more; removing every tag releases every suspension
        long deadline = System.nanoTime() + Reliability.WAIT.toNanos();
        while (fired.stream().anyMatch(f -> !f.isDone())) {
            for (String tag : TAGS) {
                try {
                    dev.removeBreakpoint(tag);
                } catch (BlockException e) {
                    assertThat(e.errno()).isEqualTo(Errno.ENOENT);
                }
            }
            if (System.nanoTime() > deadline) {
                throw Reliability.hung("fired events still suspended after draining: " + dev.requests());
            }
            Thread.sleep(1);
        }
        Reliability.awaitQuiescence(dev, "after drain");
        assertThat(dev.requests()).as("requests in flight after every future completed").isEmpty();

        // every async request reported its completion exactly once, with the errno it failed with
        Map<Op, Integer> reported = new IdentityHashMap<>();
        Completion c;
        while ((c = dev.pollCompletion()) != null) {
            Op op = (Op) c.attachment();
            assertThat(reported.put(op, c.errno())).as("second completion of %s", op).isNull();
        }
        assertThat(reported).as("completions").hasSize(allOps.size());
        for (Op op : allOps) {
            assertThat(reported.get(op)).as("reported errno of %s", op).isEqualTo(op.errno);
        }

        CompletableFuture<Void> closed = start("close", failures, dev::close);
        Reliability.await(closed, "close");
        assertThat(dev.requests()).as("requests after close").isEmpty();

        // the image: every sector holds exactly one of the values its lane's replay allows
        byte[] image = Reliability.image(backend, 0, SECTORS * SECTOR);
        for (int s = 0; s < SECTORS; s++) {
            long v = Reliability.stampAt(image, s);
            assertThat(v).as("sector %d is torn (a mix of writes)", s).isNotEqualTo(-1L);
            assertThat(possible[s]).as("sector %d holds %s (write #%d for sector %d)", s, Long.toHexString(v),
                    v >>> 24, v & 0xffffff).contains(v);
        }

        Map<Kind, int[]> stats = new HashMap<>();
        for (Op op : allOps) {
            int[] st = stats.computeIfAbsent(op.kind, k -> new int[2]);
            st[op.errno == 0 ? 0 : 1]++;
        }
        StringBuilder sb = new StringBuilder();
        stats.forEach((k, st) -> sb.append(k).append(' ').append(st[0]).append(" ok/").append(st[1]).append(" failed, "));
        System.out.printf("stress: %d requests, %d fired events, controller actions %s; %s%.1f s%n",
                allOps.size(), fired.size(), java.util.Arrays.toString(actions), sb,
                (System.nanoTime() - t0) / 1e9);
    }

    private static void rethrowFirst(ConcurrentLinkedQueue<Throwable> failures) {
        if (!failures.isEmpty()) {
            AssertionError e = new AssertionError(failures.size() + " failure(s) on lane/controller threads; first: "
                    + failures.peek(), failures.peek());
            failures.stream().skip(1).forEach(e::addSuppressed);
            throw e;
        }
    }

    private static CompletableFuture<Void> start(String name, ConcurrentLinkedQueue<Throwable> failures,
                                                 Reliability.ThrowingRunnable body) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        Thread.ofVirtual().name(name).start(() -> {
            try {
                body.run();
                f.complete(null);
            } catch (Throwable t) {
                failures.add(new AssertionError(name + ": " + t, t));
                f.completeExceptionally(t);
            }
        });
        return f;
    }

    /** Stripes of 1..24 sectors; every lane owns at least one. */
    private static List<Stripe> stripes(Random rnd) {
        List<Stripe> out = new ArrayList<>();
        int s = 0;
        while (s < SECTORS) {
            int n = Math.min(1 + rnd.nextInt(24), SECTORS - s);
            int lane = out.size() < LANES ? out.size() : rnd.nextInt(LANES);
            out.add(new Stripe(s, n, lane));
            s += n;
        }
        return out;
    }

    private static List<Rule> randomRules(Random rnd) {
        List<Rule> out = new ArrayList<>();
        int sets = 3 + rnd.nextInt(4);
        for (int i = 0; i < sets; i++) {
            out.add(new Rule.SetState(EVENTS[rnd.nextInt(EVENTS.length)], rnd.nextInt(4), 1 + rnd.nextInt(3)));
        }
        int injects = 6 + rnd.nextInt(8);
        IoType[] types = {IoType.READ, IoType.WRITE, IoType.WRITE_ZEROES, IoType.DISCARD, IoType.FLUSH};
        for (int i = 0; i < injects; i++) {
            boolean once = rnd.nextBoolean();
            Rule.InjectError r = Rule.InjectError.of(EVENTS[rnd.nextInt(EVENTS.length)])
                    .withState(rnd.nextInt(4))
                    .withErrno(rnd.nextInt(8) == 0 ? 0 : ERRNOS[rnd.nextInt(ERRNOS.length)])
                    .withOnce(once)
                    .withImmediately(rnd.nextBoolean());
            if (rnd.nextBoolean()) {
                r = r.withIoType(types[rnd.nextInt(types.length)]);
            }
            // a sticky rule for any sector would fail nearly everything: those are once rules
            if (!once || rnd.nextBoolean()) {
                r = r.withSector(rnd.nextInt(SECTORS));
            }
            out.add(r);
        }
        return out;
    }

    /** A serial client of its own stripes; keeps the model of its sectors. */
    private static void lane(Device dev, List<Stripe> mine, int count, Random rnd, AtomicInteger ids,
                             Set<Long>[] possible, ConcurrentLinkedQueue<Op> allOps) throws Exception {
        for (int i = 0; i < count; i++) {
            Stripe st = mine.get(rnd.nextInt(mine.size()));
            int first = st.first() + rnd.nextInt(st.sectors());
            int n = 1 + rnd.nextInt(st.first() + st.sectors() - first);
            int k = rnd.nextInt(100);
            Kind kind = k < 40 ? Kind.WRITE : k < 50 ? Kind.WRITEV : k < 70 ? Kind.READ
                    : k < 82 ? Kind.WRITE_ZEROES : k < 95 ? Kind.DISCARD : Kind.FLUSH;
            Op op = new Op(ids.incrementAndGet(), kind, first, n);
            long off = (long) first * SECTOR;
            long len = (long) n * SECTOR;
            ByteBuffer readBuf = null;
            CompletableFuture<Void> f = switch (kind) {
                case WRITE -> dev.writeAsync(off, new ByteBuffer[] {Reliability.stamped(op.id, first, n)}, op);
                case WRITEV -> {
                    ByteBuffer all = Reliability.stamped(op.id, first, n);
                    int cut = rnd.nextInt(all.remaining() + 1); // any byte, not only a sector boundary
                    yield dev.writeAsync(off, new ByteBuffer[] {all.slice(0, cut),
                        all.slice(cut, all.remaining() - cut)}, op);
                }
                case READ -> {
                    readBuf = ByteBuffer.allocate((int) len);
                    yield dev.readAsync(off, new ByteBuffer[] {readBuf}, op);
                }
                case WRITE_ZEROES -> dev.writeZeroesAsync(off, len, op);
                case DISCARD -> dev.discardAsync(off, len, op);
                case FLUSH -> dev.flushAsync(op);
            };
            allOps.add(op);
            op.errno = checkedOutcome(f, op);
            replay(op, possible, readBuf);
        }
    }

    private static void flusher(Device dev, int count, Random rnd, AtomicInteger ids,
                                ConcurrentLinkedQueue<Op> allOps) throws Exception {
        for (int i = 0; i < count / 4; i++) {
            Op op = new Op(ids.incrementAndGet(), Kind.FLUSH, 0, 0);
            CompletableFuture<Void> f = dev.flushAsync(op);
            allOps.add(op);
            op.errno = checkedOutcome(f, op);
            LockSupport.parkNanos(rnd.nextInt(200_000));
        }
    }

    /** 0, or an errno some rule injects, raised by the rule itself (no cause: not a caught bug). */
    private static int checkedOutcome(CompletableFuture<Void> f, Op op) throws Exception {
        try {
            Reliability.await(f, OP_BOUND, op.toString());
            return 0;
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof BlockException be)) {
                throw new AssertionError(op + " failed with " + e.getCause(), e.getCause());
            }
            boolean injected = false;
            for (int errno : ERRNOS) {
                injected |= be.errno() == errno;
            }
            if (!injected || be.getCause() != null) {
                throw new AssertionError(op + " failed with errno " + be.errno() + " that no rule injects", be);
            }
            return be.errno();
        }
    }

    /** The lane's model, replayed in completion order (the lane is serial). */
    private static void replay(Op op, Set<Long>[] possible, ByteBuffer readBuf) {
        int end = op.firstSector + op.sectors;
        switch (op.kind) {
            case WRITE, WRITEV -> {
                if (op.errno == 0) {
                    for (int s = op.firstSector; s < end; s++) {
                        possible[s] = new HashSet<>(Set.of(Reliability.stamp(op.id, s)));
                    }
                }
            }
            case WRITE_ZEROES -> {
                for (int s = op.firstSector; s < end; s++) {
                    if (op.errno == 0) {
                        possible[s] = new HashSet<>(Set.of(0L));
                    } else {
                        possible[s].add(0L); // head, middle and tail are separate writes: some may have run
                    }
                }
            }
            case DISCARD -> {
                // blkdebug discards only whole aligned blocks; smaller pieces are skipped (ENOTSUP)
                int per = ALIGN / SECTOR;
                int from = (op.firstSector + per - 1) / per * per;
                int to = end / per * per;
                if (op.errno == 0) {
                    for (int s = from; s < to; s++) {
                        possible[s] = new HashSet<>(Set.of(0L));
                    }
                }
            }
            case READ -> {
                if (op.errno == 0) {
                    byte[] got = readBuf.array();
                    for (int s = op.firstSector; s < end; s++) {
                        long v = Reliability.stampAt(got, s - op.firstSector);
                        if (!possible[s].contains(v)) {
                            throw new AssertionError(op + " read " + Long.toHexString(v) + " at sector " + s
                                    + "; the lane's model allows " + possible[s]);
                        }
                    }
                }
            }
            case FLUSH -> {
            }
        }
    }

    /** Breakpoints on random events and tags, resumes, removals, fired events; until the lanes finish. */
    private static int[] controller(Device dev, Random rnd, CompletableFuture<Void> lanesDone,
                                    List<CompletableFuture<Void>> fired, ConcurrentLinkedQueue<Throwable> failures)
            throws Exception {
        int[] actions = new int[5];
        while (!lanesDone.isDone()) {
            int k = rnd.nextInt(100);
            String tag = TAGS[rnd.nextInt(TAGS.length)];
            try {
                if (k < 25) {
                    dev.breakpoint(EVENTS[rnd.nextInt(EVENTS.length)], tag);
                    actions[0]++;
                } else if (k < 65) {
                    dev.resume(tag);
                    actions[1]++;
                } else if (k < 75) {
                    dev.removeBreakpoint(tag);
                    actions[2]++;
                } else if (k < 85) {
                    // fired on its own thread: it may hit a breakpoint and be suspended itself
                    Event e = EVENTS[rnd.nextInt(EVENTS.length)];
                    fired.add(start("event " + e, failures, () -> dev.event(e)));
                    actions[3]++;
                } else {
                    // introspection while everything changes must be consistent and never throw
                    assertThat(dev.state()).isBetween(1, 3);
                    dev.rules();
                    dev.armedRules();
                    dev.requests().forEach(r -> assertThat(r.phase()).isNotNull());
                    actions[4]++;
                }
            } catch (BlockException e) {
                assertThat(e.errno()).as("resume/remove of a tag with nothing to do").isEqualTo(Errno.ENOENT);
            }
            LockSupport.parkNanos(rnd.nextInt(300_000));
        }
        return actions;
    }
}
