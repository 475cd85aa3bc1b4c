package org.blkdebug.engine.explore;

import java.util.ArrayList;
import java.util.List;
import org.blkdebug.engine.BlkDebug;
import org.blkdebug.engine.BlkDebugListener;
import org.blkdebug.engine.BlkDebugOptions;
import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.Device;
import org.blkdebug.engine.DeviceSpec;
import org.blkdebug.engine.IoType;
import org.blkdebug.engine.Rule;
import org.blkdebug.engine.crash.CrashChoice;

/**
 * One run of a sweep, as the door that runs the scenario sees it: what to add to the device it
 * opens ({@link #spec}, {@link #builder}, {@link #listener}, {@link #attach}) and, for the
 * orders axis, the {@link #scheduler()} to ask at each decision point. Every device the run opens
 * gets the same changes (a scenario that reopens its image gets the fail rule again, with its own
 * count).
 */
public final class Run {
    private final Choice planned;
    private final Rule.InjectError failRule;
    private final Scheduler scheduler;
    /** Where the power goes (null: no crash), and which state it leaves. */
    private final CrashEach crashEach;
    private final CrashChoice crashKeep;
    /** Crash points seen so far (the j-th is {@link Choice#crash()}). */
    private final java.util.concurrent.atomic.AtomicLong points = new java.util.concurrent.atomic.AtomicLong();
    private volatile Device device;
    private volatile Thread crasher;
    private volatile CrashChoice.Explicit crashed;
    private volatile Runnable onCrash;
    private volatile String crashFailure;
    private volatile boolean counted;
    private final int index;
    private final List<String> injected = new ArrayList<>();

    Run(int index, Choice planned, Rule.InjectError failRule, Scheduler scheduler, boolean counted) {
        this(index, planned, failRule, scheduler, null, null, counted);
    }

    Run(int index, Choice planned, Rule.InjectError failRule, Scheduler scheduler, CrashEach crashEach,
        CrashChoice crashKeep, boolean counted) {
        this.index = index;
        this.planned = planned;
        this.failRule = failRule;
        this.scheduler = scheduler;
        this.crashEach = planned.crash() > 0 ? crashEach : null;
        this.crashKeep = crashKeep;
        this.counted = counted;
    }

    /** The run's number in the sweep, from 0. */
    public int index() {
        return index;
    }

    /** The choice as planned before the run: the fail count and the forced releases. */
    public Choice planned() {
        return planned;
    }

    /**
     * The choice that names this run exactly, for a replay: the fail count and every release up
     * to the last one that was not the lowest held id (valid once the run has ended).
     */
    public Choice choice() {
        Choice c = crashed == null ? planned : planned.withCrash(planned.crash(), crashed);
        if (scheduler == null) {
            return c;
        }
        List<Step> trace = scheduler.trace();
        int last = -1;
        for (int i = 0; i < trace.size(); i++) {
            Step s = trace.get(i);
            if (!s.chosen().equals(s.enabled().getFirst().key())) {
                last = i;
            }
        }
        List<Held.Key> picks = new ArrayList<>();
        for (int i = 0; i <= last; i++) {
            picks.add(trace.get(i).chosen());
        }
        return c.withOrder(picks);
    }

    /** The inject-error rule this run adds, or null (the base run, or no fail-each axis). */
    public Rule.InjectError failRule() {
        return failRule;
    }

    /** The scheduler of the held requests, or null without the orders axis. */
    public Scheduler scheduler() {
        return scheduler;
    }

    /**
     * False for a run made only to learn the shape of the space (a shard's share of it belongs
     * to another shard) or one that repeats an order already explored: its outcome is not counted.
     */
    public boolean counted() {
        return counted;
    }

    void counted(boolean c) {
        counted = c;
    }

    /** {@code spec} with this run's rule added after its own; blkdebug is put in if it had none. */
    public DeviceSpec spec(DeviceSpec spec) {
        if (failRule == null && scheduler == null && crashEach == null) {
            return spec;
        }
        BlkDebugOptions bo = spec.blkdebug();
        if (bo == null) {
            bo = BlkDebugOptions.of(spec.filename());
        }
        if (failRule != null) {
            List<Rule.InjectError> rules = new ArrayList<>(bo.injectErrors());
            rules.add(failRule);
            bo = new BlkDebugOptions(bo.config(), bo.image(), bo.align(), bo.maxTransfer(), bo.optWriteZero(),
                    bo.maxWriteZero(), bo.optDiscard(), bo.maxDiscard(), rules, bo.setStates(), bo.customEvents());
        }
        return new DeviceSpec(spec.format(), bo, spec.filename());
    }

    /** {@code b} with this run's rule added. */
    public BlkDebug.Builder builder(BlkDebug.Builder b) {
        if (failRule != null) {
            b.injectError(failRule);
        }
        return b;
    }

    /** {@code inner}, plus this run's record of the requests its rule failed. */
    public BlkDebugListener listener(BlkDebugListener inner) {
        BlkDebugListener l = inner == null ? BlkDebugListener.SILENT : inner;
        return new BlkDebugListener() {
            @Override
            public void suspended(String tag) {
                l.suspended(tag);
            }

            @Override
            public void suspended(String tag, boolean afterYield) {
                if (tag.startsWith(CRASH_PREFIX)) {
                    crashPoint(tag);
                } else {
                    l.suspended(tag, afterYield);
                }
            }

            @Override
            public void suspended(String tag, long requestId, long sequence, long releasedBy, int ioRounds, boolean afterYield) {
                if (tag.startsWith(CRASH_PREFIX)) {
                    crashPoint(tag);
                } else {
                    l.suspended(tag, requestId, sequence, releasedBy, ioRounds, afterYield);
                }
            }

            @Override
            public void resuming(String tag) {
                if (!tag.startsWith(CRASH_PREFIX)) {
                    l.resuming(tag);
                }
            }

            @Override
            public void injected(Rule.InjectError rule, IoType type, long offset, long bytes) {
                if (rule == failRule) {
                    synchronized (injected) {
                        injected.add(type + (type == IoType.FLUSH ? "" : " " + offset + "+" + bytes));
                    }
                }
                l.injected(rule, type, offset, bytes);
            }
        };
    }

    /** Call on every device the run opens, before the scenario uses it. */
    public void attach(Device d) throws BlockException {
        if (scheduler != null) {
            scheduler.attach(d);
        }
        if (crashEach != null) {
            device = d;
            d.holdEvery(crashEach.point().event(), CRASH_TAG);
        }
    }

    private static final String CRASH_TAG = "crash";
    private static final String CRASH_PREFIX = CRASH_TAG + "#";

    /**
     * On the request's thread, before it parks at a crash point: every point but the chosen one
     * goes on at once; at the chosen one the power goes, from another thread (a crash waits for
     * every request to end, this one included, which it releases into a dead disk).
     */
    private void crashPoint(String tag) {
        Device d = device;
        if (points.incrementAndGet() != planned.crash() || crasher != null) {
            try {
                d.resume(tag); // before the park: it does not park at all
            } catch (BlockException e) {
                // resumed by a close already
            }
            return;
        }
        crasher = Thread.ofVirtual().name("explore-crash").start(() -> {
            try {
                crashed = d.crash(crashKeep);
                crashHappened();
            } catch (BlockException | RuntimeException e) {
                crashFailure = e.getMessage(); // e.g. a replayed state that does not fit these writes
            }
            try {
                d.resume(tag); // a close under way did not release it; a crash did (then: ENOENT)
            } catch (BlockException ignored) {
                // released already
            }
        });
    }

    /**
     * Call when the scenario is over, before its device closes: the point after the last one is
     * the scenario's end, and a run chosen to crash there crashes now (the writes since the last
     * flush are what such a crash may lose).
     */
    public void scenarioEnded() {
        Device d = device;
        if (crashEach == null || crasher != null || d == null || points.get() + 1 != planned.crash()) {
            return;
        }
        points.incrementAndGet();
        try {
            crashed = d.crash(crashKeep);
            crashHappened();
        } catch (BlockException | RuntimeException e) {
            crashFailure = e.getMessage(); // closed already (the scenario closed it): no end point
        }
    }

    /** Runs {@code action} when this run's power goes (an NBD export drops its connections then). */
    public void onCrash(Runnable action) {
        onCrash = action;
    }

    private void crashHappened() {
        Runnable r = onCrash;
        if (r != null) {
            r.run();
        }
    }

    /** Waits (bounded) for this run's crash to be over, if it began. */
    public void awaitCrash() throws InterruptedException {
        Thread t = crasher;
        if (t != null) {
            t.join(java.time.Duration.ofSeconds(60));
        }
    }

    /** Whether the power went in this run. */
    public boolean crashed() {
        return crashed != null;
    }

    /** Why the chosen crash could not be made (a replayed state for other writes), or null. */
    public String crashFailure() {
        return crashFailure;
    }

    /** Whether this run's rule failed a request. */
    public boolean fired() {
        synchronized (injected) {
            return !injected.isEmpty();
        }
    }

    /** The requests this run's rule failed, e.g. {@code write 0+4096}, in order. */
    public List<String> injected() {
        synchronized (injected) {
            return List.copyOf(injected);
        }
    }

    @Override
    public String toString() {
        return planned.toString();
    }
}
