package org.blkdebug.benchmarks;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.blkdebug.engine.BlkDebug;
import org.blkdebug.engine.Device;
import org.blkdebug.engine.Event;
import org.blkdebug.engine.explore.Explorer;
import org.blkdebug.engine.explore.Orders;
import org.blkdebug.engine.explore.Run;
import org.blkdebug.engine.explore.Summary;

/**
 * How many release orders the orders axis explores for n requests submitted at once and held at
 * {@code write_aio}: on pairwise disjoint ranges (they commute: 1 order) and on one block (every
 * order differs: n!, up to {@code --max}). Decisions are made as a script's waits make them.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar org.blkdebug.benchmarks.OrderCounts [maxN] [max]</pre>
 */
public final class OrderCounts {
    private OrderCounts() {
    }

    public static void main(String[] args) throws Exception {
        int maxN = args.length > 0 ? Integer.parseInt(args[0]) : 6;
        int max = args.length > 1 ? Integer.parseInt(args[1]) : Orders.DEFAULT_MAX;
        System.out.println("n  disjoint: runs pruned   one block: runs pruned exhaustive   ms");
        for (int n = 2; n <= maxN; n++) {
            long t0 = System.nanoTime();
            Summary d = sweep(n, false, max);
            Summary o = sweep(n, true, max);
            System.out.printf("%d  %14d %6d   %15d %6d %10s   %d%n", n, d.runs(), d.pruned(), o.runs(), o.pruned(),
                    o.exhausted(), (System.nanoTime() - t0) / 1_000_000);
        }
    }

    static Summary sweep(int n, boolean oneBlock, int max) throws Exception {
        Explorer ex = Explorer.builder().orders(Orders.at(Event.WRITE_AIO).withMax(max)).build();
        for (Run run; (run = ex.next()) != null; ) {
            try (Device dev = BlkDebug.builder().memory(1 << 20).listener(run.listener(null)).open()) {
                run.attach(dev);
                List<CompletableFuture<Void>> fs = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    fs.add(dev.writeAsync(oneBlock ? 0 : i * 4096L, new ByteBuffer[] {ByteBuffer.allocate(4096)}, null));
                }
                for (CompletableFuture<Void> f : fs) {
                    while (!f.isDone()) {
                        dev.awaitQuiescence(java.time.Duration.ofSeconds(10));
                        if (!f.isDone()) {
                            run.scheduler().releaseNext();
                        }
                    }
                }
            }
            ex.done(run, false, "ok");
        }
        return ex.summary();
    }
}
