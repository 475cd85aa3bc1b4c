package org.blkdebug.benchmarks;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.blkdebug.engine.BlkDebug;
import org.blkdebug.engine.CacheMode;
import org.blkdebug.engine.Device;
import org.blkdebug.engine.Event;
import org.blkdebug.engine.block.IoVec;
import org.blkdebug.engine.block.MemoryBackend;
import org.blkdebug.engine.block.OverlayBackend;
import org.blkdebug.engine.explore.Explorer;
import org.blkdebug.engine.explore.FailEach;
import org.blkdebug.engine.explore.Orders;
import org.blkdebug.engine.explore.Run;
import org.blkdebug.engine.explore.Scheduler;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Explore's in-process runs (issue 15's target: at least 1,000 runs/s for a 10-request scenario
 * on the in-memory backend, a fresh device each run). Each benchmark is a whole sweep; the score
 * is per run (ops = runs), so its throughput reads as runs per second.
 *
 * <ul>
 *   <li>{@link #failEachTenWrites}: base run, then one run per request (10 writes, the close
 *       flush) and the probe that finds no 13th: 13 runs, each on a fresh 1 MiB memory device;</li>
 *   <li>{@link #failEachTenWritesOnAnOverlay}: the same, each run on a fresh overlay of one 64 MiB
 *       starting image (how {@code blkdebug explore} runs a scenario on its image);</li>
 *   <li>{@link #ordersFourWritesOneBlock}: 4 writes to one block held at {@code write_aio} and
 *       released in all 24 orders, decided the way a script's waits decide them.</li>
 * </ul>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class ExploreBench {
    private static final int WRITES = 10;
    private static final int FAIL_EACH_RUNS = 13;
    private static final int ORDER_RUNS = 24;

    private MemoryBackend base;
    private final ByteBuffer data = ByteBuffer.allocate(4096);

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        base = new MemoryBackend(64L << 20);
        byte[] junk = new byte[1 << 20];
        java.util.Arrays.fill(junk, (byte) 0x5a);
        base.write(0, IoVec.of(ByteBuffer.wrap(junk))); // a starting image with data in it
        check(failEach(false), FAIL_EACH_RUNS);
        check(orders(), ORDER_RUNS);
    }

    private static void check(int runs, int expected) {
        if (runs != expected) {
            throw new IllegalStateException("a sweep made " + runs + " runs, not " + expected);
        }
    }

    /** The scenario: ten 4 KiB writes, a failed one skipped. */
    private void tenWrites(Device dev) {
        for (int i = 0; i < WRITES; i++) {
            data.clear();
            try {
                dev.write(i * 4096L, data);
            } catch (Exception e) {
                // the injected error: the scenario goes on
            }
        }
    }

    private int failEach(boolean overlay) throws Exception {
        Explorer ex = Explorer.builder().failEach(FailEach.everyRequest()).build();
        int runs = 0;
        for (Run run; (run = ex.next()) != null; runs++) {
            BlkDebug.Builder b = overlay ? BlkDebug.builder().backend(new OverlayBackend(base), "image")
                    : BlkDebug.builder().memory(1 << 20);
            try (Device dev = run.builder(b.cache(CacheMode.WRITEBACK)).listener(run.listener(null)).open()) {
                run.attach(dev);
                tenWrites(dev);
            }
            ex.done(run, false, "ok");
        }
        return runs;
    }

    private int orders() throws Exception {
        Explorer ex = Explorer.builder().orders(Orders.at(Event.WRITE_AIO)).build();
        int runs = 0;
        for (Run run; (run = ex.next()) != null; runs++) {
            try (Device dev = BlkDebug.builder().memory(1 << 20).listener(run.listener(null)).open()) {
                run.attach(dev);
                List<CompletableFuture<Void>> fs = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    fs.add(dev.writeAsync(0, new ByteBuffer[] {ByteBuffer.allocate(512)}, null));
                }
                Scheduler s = run.scheduler();
                for (CompletableFuture<Void> f : fs) {
                    while (!f.isDone()) { // a script's wait: release while nothing else can move
                        dev.awaitQuiescence(java.time.Duration.ofSeconds(5));
                        if (!f.isDone()) {
                            s.releaseNext();
                        }
                    }
                }
            }
            ex.done(run, false, "ok");
        }
        return runs;
    }

    @Benchmark
    @OperationsPerInvocation(FAIL_EACH_RUNS)
    public int failEachTenWrites() throws Exception {
        return failEach(false);
    }

    @Benchmark
    @OperationsPerInvocation(FAIL_EACH_RUNS)
    public int failEachTenWritesOnAnOverlay() throws Exception {
        return failEach(true);
    }

    @Benchmark
    @OperationsPerInvocation(ORDER_RUNS)
    public int ordersFourWritesOneBlock() throws Exception {
        return orders();
    }
}
