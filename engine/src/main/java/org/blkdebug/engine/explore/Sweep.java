package org.blkdebug.engine.explore;

import java.util.function.Supplier;
import org.blkdebug.engine.BlkDebug;
import org.blkdebug.engine.Device;

/**
 * A sweep from Java: the scenario runs once per choice on a fresh device, and what it throws
 * judges the run.
 *
 * <pre>{@code
 * Summary s = Sweep.run(Explorer.builder().failEach(FailEach.everyRequest()).build(),
 *         () -> BlkDebug.builder().memory(1 << 20),
 *         dev -> {
 *             WriteAheadLog wal = new WriteAheadLog(BlkDebugFileChannel.open(dev, READ, WRITE));
 *             ...                                   // throws (AssertionError, ...) when the run is wrong
 *         });
 * s.failures().forEach(f -> System.out.println(f.choice()));   // replays with Explorer.Builder.only
 * }</pre>
 *
 * <p>With the orders axis the scenario's threads cannot say when they are stuck, so the run's
 * {@link Scheduler#startAuto automatic scheduler} releases held requests once the device has
 * been quiet for the axis' settle time.
 */
public final class Sweep {
    /** The code under test on one run's device; throws when the run is wrong. */
    @FunctionalInterface
    public interface Scenario {
        void run(Device device) throws Exception;
    }

    private Sweep() {
    }

    /**
     * Runs the sweep to its end.
     *
     * @param image makes the builder of each run's device, over the same starting image each
     *              time (a fresh memory image, or an overlay: {@code backend(new OverlayBackend(base), name)})
     */
    public static Summary run(Explorer explorer, Supplier<BlkDebug.Builder> image, Scenario scenario)
            throws InterruptedException {
        for (Run run; (run = explorer.next()) != null; ) {
            Throwable failure = once(run, explorer.orders(), image, scenario);
            explorer.done(run, failure != null, outcome(failure));
        }
        return explorer.summary();
    }

    /** One run: what the scenario threw (or failed to open with), or null. */
    static Throwable once(Run run, Orders orders, Supplier<BlkDebug.Builder> image, Scenario scenario)
            throws InterruptedException {
        Throwable failure = null;
        try (Device dev = run.builder(image.get()).listener(run.listener(null)).open()) {
            run.attach(dev);
            if (run.scheduler() != null) {
                run.scheduler().startAuto(orders.settle());
            }
            try {
                scenario.run(dev);
            } catch (Exception | AssertionError e) {
                failure = e;
            } finally {
                if (run.scheduler() != null) {
                    run.scheduler().stopAuto();
                }
            }
            run.scenarioEnded(); // a run chosen to crash at the end crashes now
            run.awaitCrash();
        } catch (Exception e) {
            failure = failure == null ? e : failure;
        }
        return failure;
    }

    /**
     * A sweep with power cuts: each run's workload goes on a fresh device over a memory image of
     * {@code size} bytes; once it is over (or the power went), {@code recovery} runs on a device
     * over the image as the run left it (a private overlay: what it writes stays its own). A
     * workload that ends with the error of a request the power cut (ENOMEDIUM) is not failing for it.
     */
    public static Summary run(Explorer explorer, long size, Scenario workload, Scenario recovery)
            throws InterruptedException {
        for (Run run; (run = explorer.next()) != null; ) {
            org.blkdebug.engine.block.MemoryBackend image = new org.blkdebug.engine.block.MemoryBackend(size);
            Throwable failure = once(run, explorer.orders(),
                    () -> BlkDebug.builder().backend(image, "memory").cache(org.blkdebug.engine.CacheMode.WRITEBACK),
                    workload);
            run.awaitCrash();
            if (failure != null && run.crashed() && lostPower(failure)) {
                failure = null;
            }
            if (failure == null) {
                try (Device after = BlkDebug.builder().backend(new org.blkdebug.engine.block.OverlayBackend(image),
                        "after").cache(org.blkdebug.engine.CacheMode.WRITEBACK).open()) {
                    recovery.run(after);
                } catch (Exception | AssertionError e) {
                    failure = e;
                }
            }
            explorer.done(run, failure != null, outcome(failure));
        }
        return explorer.summary();
    }

    /** True when {@code t} came from a request the power cut ended (ENOMEDIUM, in its causes). */
    public static boolean lostPower(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof org.blkdebug.engine.BlockException be && be.errno() == org.blkdebug.engine.Errno.ENOMEDIUM) {
                return true;
            }
        }
        return false;
    }

    /** A failure in a few words: its type and the first line of its message. */
    public static String outcome(Throwable t) {
        if (t == null) {
            return "ok";
        }
        String m = t.getMessage() == null ? "" : t.getMessage().strip();
        int nl = m.indexOf('\n');
        if (nl >= 0) {
            m = m.substring(0, nl).strip();
        }
        return t.getClass().getSimpleName() + (m.isEmpty() ? "" : ": " + m);
    }
}
