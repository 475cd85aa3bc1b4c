package org.blkdebug.engine.explore;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.blkdebug.engine.BlkDebug;
import org.blkdebug.engine.Device;

/** Runs a sweep over a fresh memory device per run, with the pull form of the scheduler. */
final class Sweeps {
    static final Duration WAIT = Duration.ofSeconds(10);

    /** A scenario: uses the device, throws (an AssertionError, an exception) when it fails. */
    interface Body {
        void run(Device dev, Pull pull) throws Exception;
    }

    /** What the sweep saw, run by run. */
    record Seen(Summary summary, List<Choice> choices) {
    }

    static Seen sweep(Explorer ex, long size, Body body) throws Exception {
        List<Choice> choices = new ArrayList<>();
        for (Run run; (run = ex.next()) != null; ) {
            boolean failing = false;
            String outcome = "ok";
            try (Device dev = run.builder(BlkDebug.builder().memory(size)).listener(run.listener(null)).open()) {
                run.attach(dev);
                try {
                    body.run(dev, new Pull(dev, run.scheduler()));
                } catch (Exception | AssertionError e) {
                    failing = true;
                    outcome = String.valueOf(e.getMessage());
                }
            }
            ex.done(run, failing, outcome);
            if (run.counted()) {
                choices.add(run.choice());
            }
        }
        return new Seen(ex.summary(), choices);
    }

    /** The scenario's waits: each releases held requests while nothing else can move. */
    record Pull(Device dev, Scheduler scheduler) {
        void await(CompletableFuture<?> f) throws Exception {
            while (!f.isDone()) {
                if (!dev.awaitQuiescence(WAIT)) {
                    throw new AssertionError("no quiescence");
                }
                if (!f.isDone() && (scheduler == null || !scheduler.releaseNext())) {
                    throw new AssertionError("stuck: nothing held, request not done");
                }
            }
            try {
                f.get(0, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                throw (Exception) e.getCause();
            }
        }

        void awaitAll(List<CompletableFuture<Void>> fs) throws Exception {
            for (CompletableFuture<Void> f : fs) {
                await(f);
            }
        }
    }

    static ByteBuffer[] bytes(int n, int fill) {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            b.put((byte) fill);
        }
        return new ByteBuffer[] {b.flip()};
    }

    private Sweeps() {
    }
}
