package org.blkdebug.engine.explore;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.Device;
import org.blkdebug.engine.EventName;
import org.blkdebug.engine.Phase;
import org.blkdebug.engine.RequestInfo;

/**
 * One run's control of the requests held at the explored event ({@link Device#holdEvery}): at
 * each decision point it releases one of them, the one its {@link Decider} picks, and records the
 * step.
 *
 * <p>Decision points come from the door. A shell script calls {@link #releaseNext()} exactly
 * when it cannot go on (it waits for a request and the device is quiescent): the pull form, fully
 * deterministic. Code that cannot say so (a JUnit test's threads, an NBD client) gets
 * {@link #startAuto}: a thread that releases once the device has been quiescent, with requests
 * held and no new one, for a settle time.
 *
 * <p>Thread-safe: decisions are made under this object's monitor, which is never held across a
 * wait for the device.
 */
public final class Scheduler {
    /** Held requests are parked under {@code explore#ID}. */
    public static final String TAG = "explore";
    private static final String PREFIX = TAG + "#";
    /** How long the automatic form waits for a replayed pick that has not arrived yet. */
    private static final Duration ARRIVAL_WAIT = Duration.ofSeconds(2);

    private final List<EventName> events;
    private final Decider decider;
    private final OrderTree tree;
    private volatile Device device;
    /** Guarded by this. */
    private final List<Step> trace = new ArrayList<>();
    /** Guarded by this: what stayed held after the previous release. */
    private Set<Held.Key> remaining = Set.of();
    /** Guarded by this: the key of each request held now, by id (a released one gets a new key if held again). */
    private final Map<Long, Held.Key> keys = new HashMap<>();
    /** Guarded by this: how many holds of each kind arrived, so look-alikes get their own key. */
    private final Map<Held.Key, Integer> arrived = new HashMap<>();
    /** Guarded by this. */
    private boolean diverged;
    private volatile Thread auto;
    private volatile boolean stopping;

    Scheduler(List<EventName> events, Decider decider, OrderTree tree) {
        this.events = events;
        this.decider = decider;
        this.tree = tree;
    }

    /** The events this run holds requests at. */
    public List<EventName> events() {
        return events;
    }

    /** Starts holding every request that fires the events on {@code d}, a device this run just opened. */
    public void attach(Device d) throws BlockException {
        for (EventName e : events) {
            d.holdEvery(e, TAG);
        }
        synchronized (this) {
            device = d;
            remaining = Set.of();
            keys.clear();
        }
    }

    /** The requests held now, lowest key first. */
    public synchronized List<Held> held() {
        Device d = device;
        if (d == null) {
            return List.of();
        }
        List<Held> out = new ArrayList<>();
        for (RequestInfo r : d.requests()) { // oldest first: look-alikes are numbered in arrival order
            if (r.phase() == Phase.SUSPENDED && r.tag() != null && r.tag().startsWith(PREFIX)) {
                Held.Key k = keys.computeIfAbsent(r.id(), id -> {
                    Held.Key kind = new Held.Key(r.op(), r.offset(), r.length(), 0);
                    int n = arrived.merge(kind, 1, Integer::sum) - 1;
                    return new Held.Key(r.op(), r.offset(), r.length(), n);
                });
                out.add(new Held(k, r.id(), r.submitter()));
            }
        }
        out.sort(java.util.Comparator.comparing(Held::key));
        return out;
    }

    /**
     * A decision point: releases the held request this run picks. Call it when nothing can move
     * unless a held request is released (the device is quiescent and the caller waits).
     *
     * @return false when no request is held (then nothing can release the caller)
     */
    public boolean releaseNext() throws BlockException {
        return release(false) != Release.NONE_HELD;
    }

    private enum Release { DONE, NONE_HELD, NOT_YET }

    private synchronized Release release(boolean mayWait) throws BlockException {
        List<Held> enabled = held();
        if (enabled.isEmpty()) {
            return Release.NONE_HELD;
        }
        int depth = trace.size();
        Held.Key pick = diverged ? enabled.getFirst().key() : decider.decide(depth, enabled);
        if (pick == null) {
            if (mayWait) {
                return Release.NOT_YET;
            }
            diverged = true;
            if (tree != null) {
                tree.diverged(depth);
            }
            pick = enabled.getFirst().key();
        }
        List<Held.Key> arrivals = new ArrayList<>();
        Set<Held.Key> now = new HashSet<>();
        for (Held h : enabled) {
            now.add(h.key());
            if (!remaining.contains(h.key())) {
                arrivals.add(h.key());
            }
        }
        trace.add(new Step(enabled, pick, arrivals));
        now.remove(pick);
        remaining = now;
        long id = -1;
        for (Held h : enabled) {
            if (h.key().equals(pick)) {
                id = h.id();
            }
        }
        keys.remove(id);
        device.resume(PREFIX + id);
        return Release.DONE;
    }

    /** The decisions made so far. */
    synchronized List<Step> trace() {
        return List.copyOf(trace);
    }

    /** The picks made so far: what {@link Choice#order()} names this run by. */
    public synchronized List<Held.Key> picks() {
        List<Held.Key> p = new ArrayList<>(trace.size());
        for (Step s : trace) {
            p.add(s.chosen());
        }
        return p;
    }

    /** True when a forced pick was not held when its turn came: the scenario is not deterministic. */
    public synchronized boolean diverged() {
        return diverged;
    }

    /**
     * Releases held requests by itself: whenever the device has been quiescent with requests held
     * and nothing new for {@code settle}. For drivers that cannot tell when they are stuck.
     */
    public void startAuto(Duration settle) {
        stopping = false;
        auto = Thread.ofVirtual().name("explore-scheduler").start(() -> autoLoop(settle));
    }

    /** Stops {@link #startAuto}'s thread and waits (bounded) for it. */
    public void stopAuto() throws InterruptedException {
        Thread t = auto;
        if (t != null) {
            stopping = true;
            t.interrupt();
            t.join(Duration.ofSeconds(5));
            auto = null;
        }
    }

    private void autoLoop(Duration settle) {
        long waitingSince = 0;
        try {
            while (!stopping) {
                Device d = device;
                if (d == null || !d.awaitQuiescence(Duration.ofMillis(50))) {
                    continue;
                }
                List<RequestInfo> before = d.requests();
                if (held().isEmpty()) {
                    Thread.sleep(settle);
                    continue;
                }
                Thread.sleep(settle);
                if (!d.awaitQuiescence(Duration.ZERO) || !sameRequests(before, d.requests())) {
                    continue; // something moved: not a decision point yet
                }
                Release r = release(waitingSince == 0
                        || System.nanoTime() - waitingSince < ARRIVAL_WAIT.toNanos());
                waitingSince = r == Release.NOT_YET ? (waitingSince == 0 ? System.nanoTime() : waitingSince) : 0;
            }
        } catch (InterruptedException e) {
            // stopAuto
        } catch (BlockException e) {
            // the device closed under us: the run is over
        }
    }

    private static boolean sameRequests(List<RequestInfo> a, List<RequestInfo> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (a.get(i).id() != b.get(i).id() || a.get(i).phase() != b.get(i).phase()) {
                return false;
            }
        }
        return true;
    }
}
