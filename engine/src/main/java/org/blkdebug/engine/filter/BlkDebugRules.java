package org.blkdebug.engine.filter;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.blkdebug.engine.BlkDebugListener;
import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.Errno;
import org.blkdebug.engine.Event;
import org.blkdebug.engine.IoType;
import org.blkdebug.engine.Phase;
import org.blkdebug.engine.Rule;
import org.blkdebug.engine.request.Request;
import org.blkdebug.engine.request.Waiter;

/**
 * The rule engine of one blkdebug node, QEMU's {@code BDRVBlkdebugState}: rules per event, the
 * state, the armed ("active") inject-error rules and the suspended requests per tag.
 *
 * <p><b>One lock, {@link #lock}, guards every mutable field below; it is never held across a
 * park, a listener call or a backend call.</b> Two lock-free reads keep the request path cheap:
 * {@link #ruleCount} (per event) and {@link #armedCount}; both are written under the lock.
 */
public final class BlkDebugRules {
    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when a request is suspended, for {@link #awaitSuspended}. */
    private final Condition suspendedChanged = lock.newCondition();

    /** Guarded by lock. Initial state 1, as QEMU sets it at open. */
    private int state = 1;
    /** Guarded by lock. Per event, head first: the order QEMU walks {@code rules[E]}. */
    private final List<ArrayDeque<Rule>> rules = new ArrayList<>();
    /** Guarded by lock. Armed inject-error rules in match order (QEMU's active_rules). */
    private final ArmedRules armed = new ArmedRules();
    /** Guarded by lock. Per tag, newest suspension first (QEMU resumes the newest). */
    private final Map<String, ArrayDeque<Waiter>> suspended = new HashMap<>();
    /** Guarded by lock. Once set, breakpoints no longer suspend (the device is closing). */
    private boolean closing;

    private final AtomicIntegerArray ruleCount = new AtomicIntegerArray(Event.values().length);
    private volatile int armedCount;
    private volatile BlkDebugListener listener;
    /** When set, every event fired on this node is recorded (tests, the shell's trace). */
    private volatile EventTrace trace;

    /**
     * @param injectErrors inject-error rules in definition order (config file first)
     * @param setStates    set-state rules in definition order (config file first)
     */
    public BlkDebugRules(List<Rule.InjectError> injectErrors, List<Rule.SetState> setStates,
                         BlkDebugListener listener) {
        for (int i = 0; i < Event.values().length; i++) {
            rules.add(new ArrayDeque<>());
        }
        this.listener = listener;
        // QEMU adds all inject-error rules, then all set-state rules, each at the head of its
        // event's list: so set-state rules are walked before inject rules, newest first.
        for (Rule.InjectError r : injectErrors) {
            insertHead(r);
        }
        for (Rule.SetState r : setStates) {
            insertHead(r);
        }
    }

    /** Starts recording every event into a fresh trace and returns it; null stops. */
    public EventTrace trace(boolean on) {
        EventTrace t = on ? new EventTrace() : null;
        trace = t;
        return t;
    }

    public void setListener(BlkDebugListener l) {
        listener = l == null ? BlkDebugListener.SILENT : l;
    }

    private void insertHead(Rule r) {
        rules.get(r.event().ordinal()).addFirst(r);
        ruleCount.incrementAndGet(r.event().ordinal());
    }

    /** Removes this very rule object (identity: equal records defined twice are distinct rules). */
    private void removeRule(Rule r) {
        Iterator<Rule> it = rules.get(r.event().ordinal()).iterator();
        while (it.hasNext()) {
            if (it.next() == r) {
                it.remove();
                ruleCount.decrementAndGet(r.event().ordinal());
                return;
            }
        }
    }

    // ---- events --------------------------------------------------------------------------------

    /**
     * QEMU's {@code blkdebug_co_debug_event}: runs every rule of {@code event} against the state
     * at the start of the event, commits the new state, then suspends the request once per
     * breakpoint hit. Runs on the request's thread.
     */
    public void event(Event event, Request request) {
        EventTrace tr = trace;
        if (tr != null) {
            tr.record(event, request);
        }
        int e = event.ordinal();
        if (ruleCount.get(e) == 0) {
            return; // fast path: no lock when the event has no rules
        }
        List<Waiter> parks = null;
        lock.lock();
        try {
            int oldState = state;
            int newState = oldState;
            List<Rule.InjectError> arming = null;
            Iterator<Rule> it = rules.get(e).iterator();
            while (it.hasNext()) {
                Rule r = it.next();
                if (r.state() != 0 && r.state() != oldState) {
                    continue;
                }
                switch (r) {
                    case Rule.InjectError inject -> {
                        // QEMU: the first matching inject rule of an event empties the armed
                        // list, and head insertion while walking newest-first leaves it in
                        // definition order. Rules stay in rules[E]: they can arm again.
                        if (arming == null) {
                            arming = new ArrayList<>();
                        }
                        arming.add(inject);
                    }
                    // walked newest first, so the first-defined matching rule is applied last
                    case Rule.SetState set -> newState = set.newState();
                    case Rule.Suspend brk -> {
                        if (closing) {
                            continue;
                        }
                        it.remove(); // breakpoints are one-shot
                        ruleCount.decrementAndGet(e);
                        Waiter w = new Waiter(request, Phase.SUSPENDED, brk.tag());
                        suspended.computeIfAbsent(brk.tag(), t -> new ArrayDeque<>()).addFirst(w);
                        if (parks == null) {
                            parks = new ArrayList<>(1);
                        }
                        parks.add(w);
                    }
                }
            }
            if (arming != null) {
                armed.replaceInWalkOrder(arming);
                armedCount = armed.size();
            }
            // committed before any suspension, as QEMU does since 6.1
            state = newState;
            if (parks != null) {
                suspendedChanged.signalAll();
            }
        } finally {
            lock.unlock();
        }
        if (parks != null) {
            BlkDebugListener l = listener;
            boolean afterYield = request.yieldedSinceRelease();
            for (Waiter w : parks) {
                l.suspended(w.tag(), afterYield);
            }
            // one park per breakpoint hit: each needs its own resume, in any order
            for (Waiter w : parks) {
                w.park();
            }
        }
    }

    // ---- request-time check ----------------------------------------------------------------------

    /**
     * QEMU's {@code rule_check}: the first armed rule whose offset and iotype match decides.
     *
     * @return 0 to pass the request through; otherwise the rule's errno as given (positive:
     *         fail with it; negative: "succeed" without doing any I/O, as QEMU returns -errno)
     */
    public int check(Request request, long offset, long bytes, IoType type) {
        if (armedCount == 0) {
            return 0;
        }
        Rule.InjectError hit;
        lock.lock();
        try {
            hit = armed.firstMatch(offset, bytes, type);
            if (hit == null || hit.errno() == 0) {
                return 0; // an errno-0 rule shadows later ones and is not used up (QEMU)
            }
            if (hit.once()) {
                armed.remove(hit);
                armedCount = armed.size();
                removeRule(hit);
            }
        } finally {
            lock.unlock();
        }
        if (!hit.immediately()) {
            request.markYielded(); // QEMU reschedules the coroutine before failing
        }
        return hit.errno();
    }

    // ---- breakpoints -------------------------------------------------------------------------------

    public void breakpoint(Event event, String tag) {
        lock.lock();
        try {
            insertHead(new Rule.Suspend(event, tag));
        } finally {
            lock.unlock();
        }
    }

    /** Resumes the newest request suspended under {@code tag}; ENOENT if there is none. */
    public void resume(String tag) throws BlockException {
        Waiter w;
        lock.lock();
        try {
            ArrayDeque<Waiter> stack = suspended.get(tag);
            if (stack == null) {
                throw new BlockException(Errno.ENOENT);
            }
            w = stack.pollFirst();
            if (stack.isEmpty()) {
                suspended.remove(tag);
            }
        } finally {
            lock.unlock();
        }
        listener.resuming(tag);
        w.release();
    }

    /**
     * Removes every breakpoint with {@code tag} and resumes every request suspended with it,
     * newest first. ENOENT only when there was neither; QEMU 7.2 also reports ENOENT after
     * resuming requests (see docs/differences-from-qemu.md).
     */
    public void removeBreakpoint(String tag) throws BlockException {
        boolean found = false;
        ArrayDeque<Waiter> stack;
        lock.lock();
        try {
            for (int e = 0; e < rules.size(); e++) {
                Iterator<Rule> it = rules.get(e).iterator();
                while (it.hasNext()) {
                    if (it.next() instanceof Rule.Suspend s && s.tag().equals(tag)) {
                        it.remove();
                        ruleCount.decrementAndGet(e);
                        found = true;
                    }
                }
            }
            stack = suspended.remove(tag);
        } finally {
            lock.unlock();
        }
        if (stack != null) {
            found = true;
            for (Waiter w : stack) {
                listener.resuming(tag);
                w.release();
            }
        }
        if (!found) {
            throw new BlockException(Errno.ENOENT);
        }
    }

    public boolean isSuspended(String tag) {
        lock.lock();
        try {
            return suspended.containsKey(tag);
        } finally {
            lock.unlock();
        }
    }

    public boolean awaitSuspended(String tag, Duration timeout) throws InterruptedException {
        long nanos = timeout.toNanos();
        lock.lock();
        try {
            while (!suspended.containsKey(tag)) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = suspendedChanged.awaitNanos(nanos);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * For close: no breakpoint suspends any more, and every suspended request is resumed (newest
     * first per tag), so none is left parked. Returns the number resumed.
     */
    public int releaseAll() {
        List<Waiter> all = new ArrayList<>();
        List<String> tags = new ArrayList<>();
        lock.lock();
        try {
            closing = true;
            for (Map.Entry<String, ArrayDeque<Waiter>> en : suspended.entrySet()) {
                for (Waiter w : en.getValue()) {
                    all.add(w);
                    tags.add(en.getKey());
                }
            }
            suspended.clear();
        } finally {
            lock.unlock();
        }
        for (int i = 0; i < all.size(); i++) {
            listener.resuming(tags.get(i));
            all.get(i).release();
        }
        return all.size();
    }

    // ---- introspection -------------------------------------------------------------------------------

    public int state() {
        lock.lock();
        try {
            return state;
        } finally {
            lock.unlock();
        }
    }

    public Map<Event, List<Rule>> rules() {
        Map<Event, List<Rule>> out = new EnumMap<>(Event.class);
        lock.lock();
        try {
            for (Event e : Event.values()) {
                ArrayDeque<Rule> list = rules.get(e.ordinal());
                if (!list.isEmpty()) {
                    out.put(e, List.copyOf(list));
                }
            }
        } finally {
            lock.unlock();
        }
        return out;
    }

    public List<Rule.InjectError> armedRules() {
        lock.lock();
        try {
            return armed.toList();
        } finally {
            lock.unlock();
        }
    }

    /** Tags with at least one suspended request (for completion and listings). */
    public List<String> suspendedTags() {
        lock.lock();
        try {
            return List.copyOf(suspended.keySet());
        } finally {
            lock.unlock();
        }
    }
}
