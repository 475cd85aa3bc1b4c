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
        } catch (Exception e) {
            failure = failure == null ? e : failure;
        }
        return failure;
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
