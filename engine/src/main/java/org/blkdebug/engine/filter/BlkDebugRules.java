package org.blkdebug.engine.filter;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.blkdebug.engine.BlkDebugListener;
import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.CustomEvent;
import org.blkdebug.engine.Errno;
import org.blkdebug.engine.Event;
import org.blkdebug.engine.EventName;
import org.blkdebug.engine.IoType;
import org.blkdebug.engine.Phase;
import org.blkdebug.engine.Rule;
import org.blkdebug.engine.Operation;
import org.blkdebug.engine.request.Request;
import org.blkdebug.engine.request.Waiter;
import org.blkdebug.engine.time.RequestClock;

/**
 * The rule engine of one blkdebug node, QEMU's {@code BDRVBlkdebugState}: rules per event, the
 * state, the armed ("active") inject-error rules and the suspended requests per tag.
 *
 * <p><b>One lock, {@link #lock}, guards every mutable field below; it is never held across a
 * park, a listener call or a backend call.</b> Lock-free reads keep the request path cheap:
 * {@link #ruleCount} (per QEMU event), {@link #customRuleCount} and {@link #armedCount}; all are
 * written under the lock.
 *
 * <p>Custom events (ours, not QEMU's) are fixed at construction; their rule lists live in
 * {@link #customRules}, with the same semantics as QEMU's. So are {@code inject-delay} rules and
 * the {@code probability} of a rule (ours): a delay sleeps the request on {@link #clock} after the
 * lock is released; a draw is a function of {@link #seed}, the rule and the request
 * ({@link Draws}).
 */
public final class BlkDebugRules {
    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when a request is suspended, for {@link #awaitSuspended}. */
    private final Condition suspendedChanged = lock.newCondition();

    /**
     * Written under lock. Initial state 1, as QEMU sets it at open. Volatile for the lock-free
     * pre-check of delay-only events ({@link #delayOnly}).
     */
    private volatile int state = 1;
    /** Guarded by lock. Per event, head first: the order QEMU walks {@code rules[E]}. */
    private final List<ArrayDeque<Rule>> rules = new ArrayList<>();
    /**
     * The declared custom events in declaration order, each with its rule list (head first). The
     * map itself never changes after construction; the lists are guarded by lock.
     */
    private final Map<CustomEvent, ArrayDeque<Rule>> customRules = new LinkedHashMap<>();
    /** Guarded by lock. Armed inject-error rules in match order (QEMU's active_rules). */
    private final ArmedRules armed = new ArmedRules();
    /** Guarded by lock. Per tag, newest suspension first (QEMU resumes the newest). */
    private final Map<String, ArrayDeque<Waiter>> suspended = new HashMap<>();
    /** Guarded by lock. Once set, breakpoints no longer suspend (the device is closing). */
    private boolean closing;
    /**
     * Guarded by lock. How many more matching requests each rule with a {@code skip} lets pass;
     * keyed by the rule object (equal records defined twice are distinct rules), made when the
     * rule first matches, so the count runs across armings.
     */
    private final java.util.IdentityHashMap<Rule.InjectError, long[]> skipsLeft = new java.util.IdentityHashMap<>();

    private final AtomicIntegerArray ruleCount = new AtomicIntegerArray(Event.values().length);
    /**
     * Per QEMU event, written under lock whenever its list changes: its rules when every one is
     * an inject-delay rule, else null. An event whose rules are all delays that select another
     * request (sector, iotype, state) changes nothing, so it needs no lock: the pre-check reads
     * this snapshot and {@link #state} and returns, linearised at those reads as the locked walk
     * would be at the lock. Delays for other requests then cost a request a few loads, not the
     * lock and the walk (docs/faults.md, "Costs").
     */
    private final AtomicReferenceArray<Rule.InjectDelay[]> delayOnly =
            new AtomicReferenceArray<>(Event.values().length);
    /** Rules over all custom events: firing one with no rules anywhere takes no lock. */
    private volatile int customRuleCount;
    private volatile int armedCount;
    private volatile BlkDebugListener listener;
    /** When set, every event fired on this node is recorded (tests, the shell's trace). */
    private volatile EventTrace trace;
    /** Armed rules that draw: while 0, a check never draws (QEMU's path). */
    private volatile int armedDrawing;

    private final RequestClock clock;
    private final long seed;
    /** Rules that draw, by identity, to their place in definition order: the draw's rule number. */
    private final Map<Rule, Integer> drawIds = new java.util.IdentityHashMap<>();

    /**
     * @param injectErrors inject-error rules in definition order (config file first)
     * @param setStates    set-state rules in definition order (config file first)
     */
    public BlkDebugRules(List<Rule.InjectError> injectErrors, List<Rule.SetState> setStates,
                         BlkDebugListener listener) {
        this(injectErrors, setStates, List.of(), listener);
    }

    /**
     * @param customEvents the custom events rules and breakpoints may use, in declaration order
     * @throws IllegalArgumentException when a rule names a custom event not in {@code customEvents}
     */
    public BlkDebugRules(List<Rule.InjectError> injectErrors, List<Rule.SetState> setStates,
                         List<CustomEvent> customEvents, BlkDebugListener listener) {
        this(injectErrors, setStates, customEvents, List.of(), 0, RequestClock.wall(null), listener);
    }

    /**
     * @param injectDelays inject-delay rules in definition order (ours)
     * @param seed         what every draw of a probabilistic rule derives from
     * @param clock        what delays sleep on
     */
    public BlkDebugRules(List<Rule.InjectError> injectErrors, List<Rule.SetState> setStates,
                         List<CustomEvent> customEvents, List<Rule.InjectDelay> injectDelays, long seed,
                         RequestClock clock, BlkDebugListener listener) {
        this.seed = seed;
        this.clock = clock;
        for (int i = 0; i < Event.values().length; i++) {
            rules.add(new ArrayDeque<>());
        }
        for (CustomEvent c : customEvents) {
            customRules.putIfAbsent(c, new ArrayDeque<>());
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
        for (Rule.InjectDelay r : injectDelays) {
            insertHead(r);
        }
        int id = 0;
        for (Rule r : injectErrors) {
            drawIds.put(r, id++);
        }
        for (Rule r : injectDelays) {
            drawIds.put(r, id++);
        }
    }

    /** True when some rule has a probability below 1: the seed then decides what happens. */
    public boolean draws() {
        for (Rule r : drawIds.keySet()) {
            if (r instanceof Rule.InjectError i ? i.draws() : ((Rule.InjectDelay) r).draws()) {
                return true;
            }
        }
        return false;
    }

    public long seed() {
        return seed;
    }

    public RequestClock clock() {
        return clock;
    }

    /** One draw for {@code request} against {@code rule} (whose probability is below 1). */
    private boolean draw(Rule rule, double probability, Request request) {
        return Draws.draw(seed, drawIds.getOrDefault(rule, -1), request.id(), request.nextDraw(), probability);
    }

    /** Whether a delay rule's iotype and sector select {@code request} (its whole byte range). */
    private static boolean selects(Rule.InjectDelay d, Request request) {
        if (d.iotypeMask() != Rule.InjectDelay.ANY_IOTYPE) {
            IoType t = ioType(request.op());
            if (t == null || (d.iotypeMask() & t.bit()) == 0) {
                return false;
            }
        }
        long at = d.offset();
        return at == -1 || (request.length() != 0 && Long.compareUnsigned(at, request.offset()) >= 0
                && Long.compareUnsigned(at, request.offset() + request.length()) < 0);
    }

    private static IoType ioType(Operation op) {
        return switch (op) {
            case READ -> IoType.READ;
            case WRITE -> IoType.WRITE;
            case WRITE_ZEROES -> IoType.WRITE_ZEROES;
            case DISCARD -> IoType.DISCARD;
            case FLUSH -> IoType.FLUSH;
            case BLOCK_STATUS -> IoType.BLOCK_STATUS;
            case TRUNCATE, EVENT -> null;
        };
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

    /** The declared custom events, in declaration order. */
    public List<CustomEvent> customEvents() {
        return List.copyOf(customRules.keySet());
    }

    /** A QEMU event or a declared custom event by its name; null if there is none. */
    public EventName byName(String name) {
        Event e = Event.byName(name).orElse(null);
        if (e != null || !CustomEvent.isValidName(name)) {
            return e;
        }
        CustomEvent c = new CustomEvent(name);
        return customRules.containsKey(c) ? c : null;
    }

    /** Guarded by lock. The rule list of {@code e}; IllegalArgumentException for an undeclared one. */
    // The type tests in this class are instanceof chains, not pattern switches over the sealed
    // types: each pattern switch has SwitchBootstraps spin a class at its first run, which the AOT
    // cache cannot keep; ~30 ms of a script that sets one breakpoint (docs/performance.md, target 6).
    private ArrayDeque<Rule> listOf(EventName e) {
        if (e instanceof Event q) {
            return rules.get(q.ordinal());
        }
        CustomEvent c = (CustomEvent) e;
        ArrayDeque<Rule> list = customRules.get(c);
        if (list == null) {
            throw new IllegalArgumentException("custom event '" + c.name() + "' was not declared at open");
        }
        return list;
    }

    /** Guarded by lock. Keeps the lock-free counts in step with the lists. */
    private void countRules(EventName e, int delta) {
        if (e instanceof Event q) {
            ruleCount.addAndGet(q.ordinal(), delta);
            delayOnly.set(q.ordinal(), delaysOnly(rules.get(q.ordinal())));
        } else {
            customRuleCount += delta; // a CustomEvent: EventName is sealed
        }
    }

    /** Guarded by lock. The list's rules when all are inject-delay rules (head first), else null. */
    private static Rule.InjectDelay[] delaysOnly(ArrayDeque<Rule> list) {
        if (list.isEmpty()) {
            return null;
        }
        Rule.InjectDelay[] out = new Rule.InjectDelay[list.size()];
        int i = 0;
        for (Rule r : list) {
            if (!(r instanceof Rule.InjectDelay d)) {
                return null;
            }
            out[i++] = d;
        }
        return out;
    }

    /** Lock-free: whether any of these delay rules could apply to {@code request} now. */
    private boolean anySelects(Rule.InjectDelay[] delays, Request request) {
        int now = state;
        for (Rule.InjectDelay d : delays) {
            if ((d.state() == 0 || d.state() == now) && selects(d, request)) {
                return true;
            }
        }
        return false;
    }

    private void insertHead(Rule r) {
        listOf(r.event()).addFirst(r);
        countRules(r.event(), 1);
    }

    /** Removes this very rule object (identity: equal records defined twice are distinct rules). */
    private void removeRule(Rule r) {
        Iterator<Rule> it = listOf(r.event()).iterator();
        while (it.hasNext()) {
            if (it.next() == r) {
                it.remove();
                countRules(r.event(), -1);
                return;
            }
        }
    }

    // ---- events --------------------------------------------------------------------------------

    /**
     * QEMU's {@code blkdebug_co_debug_event}: runs every rule of {@code event} against the state
     * at the start of the event, commits the new state, then suspends the request once per
     * breakpoint hit. Runs on the request's thread. A custom event runs its rules the same way.
     *
     * @throws IllegalArgumentException for a custom event that was not declared
     */
    public void event(EventName event, Request request) {
        EventTrace tr = trace;
        if (tr != null) {
            tr.record(event, request);
        }
        // fast path: no lock when the event has no rules (an instanceof, not a pattern switch:
        // the switch's bootstrap method runs on every event until C2 compiles it away)
        if (event instanceof Event q) {
            if (ruleCount.get(q.ordinal()) == 0) {
                return;
            }
            Rule.InjectDelay[] delays = delayOnly.get(q.ordinal());
            if (delays != null && !anySelects(delays, request)) {
                return; // delays for other requests only: nothing to change, no lock
            }
        } else {
            if (!customRules.containsKey((CustomEvent) event)) {
                throw new IllegalArgumentException("custom event '" + event.eventName() + "' was not declared at open");
            }
            if (customRuleCount == 0) {
                return;
            }
        }
        List<Waiter> parks = null;
        long delay = 0;
        lock.lock();
        try {
            int oldState = state;
            int newState = oldState;
            List<Rule.InjectError> arming = null;
            Iterator<Rule> it = listOf(event).iterator();
            while (it.hasNext()) {
                Rule r = it.next();
                if (r.state() != 0 && r.state() != oldState) {
                    continue;
                }
                if (r instanceof Rule.InjectError inject) {
                    // QEMU: the first matching inject rule of an event empties the armed
                    // list, and head insertion while walking newest-first leaves it in
                    // definition order. Rules stay in rules[E]: they can arm again.
                    if (arming == null) {
                        arming = new ArrayList<>();
                    }
                    arming.add(inject);
                } else if (r instanceof Rule.SetState set) {
                    // walked newest first, so the first-defined matching rule is applied last
                    newState = set.newState();
                } else if (r instanceof Rule.InjectDelay d) {
                    if (!closing && selects(d, request)
                            && (!d.draws() || draw(d, d.probability(), request))) {
                        if (d.once()) {
                            it.remove();
                            countRules(event, -1);
                        }
                        delay += d.delayNanos(); // several matching rules add up
                    }
                } else if (r instanceof Rule.Suspend brk) { // the last kind: Rule is sealed
                    if (closing) {
                        continue;
                    }
                    if (!brk.every()) {
                        it.remove(); // breakpoints are one-shot
                        countRules(event, -1);
                    }
                    Waiter w = new Waiter(request, Phase.SUSPENDED, brk.tagOf(request.id()));
                    suspended.computeIfAbsent(w.tag(), t -> new ArrayDeque<>()).addFirst(w);
                    if (parks == null) {
                        parks = new ArrayList<>(1);
                    }
                    parks.add(w);
                }
            }
            if (arming != null) {
                armed.replaceInWalkOrder(arming);
                armedCount = armed.size();
                armedDrawing = armed.drawing();
            }
            // committed before any suspension, as QEMU does since 6.1
            state = newState;
            if (parks != null) {
                suspendedChanged.signalAll();
            }
        } finally {
            lock.unlock();
        }
        if (delay > 0) {
            clock.delay(request, delay); // on the request's own thread, holding nothing
        }
        if (parks != null) {
            BlkDebugListener l = listener;
            boolean afterYield = request.yieldedSinceRelease();
            for (Waiter w : parks) {
                l.suspended(w.tag(), request.id(), request.sequence(), request.releasedBy(), request.ioRounds(), afterYield);
            }
            // one park per breakpoint hit: each needs its own resume, in any order. Park first,
            // test after (see Waiter#park): a loop test shared with the way in would be profiled
            // one-sided while requests pile up, and each would deoptimize when resumed.
            int i = 0;
            do {
                parks.get(i).park();
            } while (++i < parks.size());
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
            hit = armedDrawing == 0 ? armed.firstMatch(offset, bytes, type)
                    : armed.firstMatch(offset, bytes, type, r -> !r.draws() || draw(r, r.probability(), request));
            if (hit == null || hit.errno() == 0) {
                return 0; // an errno-0 rule shadows later ones and is not used up (QEMU)
            }
            if (hit.skip() != 0 && skipping(hit)) {
                return 0; // passes, and shadows later rules as a match does
            }
            if (hit.once()) {
                armed.remove(hit);
                armedCount = armed.size();
                armedDrawing = armed.drawing();
                removeRule(hit);
            }
        } finally {
            lock.unlock();
        }
        if (!hit.immediately()) {
            request.markYielded(); // QEMU reschedules the coroutine before failing
        }
        listener.injected(hit, type, offset, bytes);
        if (!hit.immediately()) {
            request.awaitBottomHalf(); // under lockstep, until the next turn of the loop runs it
        }
        return hit.errno();
    }

    /** Guarded by lock. True while {@code rule} still lets matching requests pass; counts this one. */
    private boolean skipping(Rule.InjectError rule) {
        long[] left = skipsLeft.computeIfAbsent(rule, r -> new long[] {r.skip()});
        if (left[0] == 0) {
            return false;
        }
        left[0]--; // unsigned: -1 stands for 2^64 - 1
        return true;
    }

    // ---- breakpoints -------------------------------------------------------------------------------

    /** @throws IllegalArgumentException for a custom event that was not declared */
    public void breakpoint(EventName event, String tag) {
        breakpoint(new Rule.Suspend(event, tag));
    }

    /** Adds a breakpoint, one-shot or {@link Rule.Suspend#every()}. */
    public void breakpoint(Rule.Suspend brk) {
        lock.lock();
        try {
            insertHead(brk);
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
            boolean every = false;
            for (ArrayDeque<Rule> list : allLists()) {
                Iterator<Rule> it = list.iterator();
                while (it.hasNext()) {
                    if (it.next() instanceof Rule.Suspend s && s.tag().equals(tag)) {
                        it.remove();
                        countRules(s.event(), -1);
                        found = true;
                        every |= s.every();
                    }
                }
            }
            stack = suspended.remove(tag);
            if (every) { // and the requests it held, each under TAG#ID
                String prefix = tag + "#";
                Iterator<Map.Entry<String, ArrayDeque<Waiter>>> held = suspended.entrySet().iterator();
                while (held.hasNext()) {
                    Map.Entry<String, ArrayDeque<Waiter>> en = held.next();
                    if (en.getKey().startsWith(prefix)) {
                        if (stack == null) {
                            stack = new ArrayDeque<>();
                        }
                        stack.addAll(en.getValue());
                        held.remove();
                    }
                }
            }
        } finally {
            lock.unlock();
        }
        if (stack != null) {
            found = true;
            for (Waiter w : stack) {
                listener.resuming(w.tag());
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

    /** Events with rules: QEMU's in enum order, then custom ones in declaration order. */
    public Map<EventName, List<Rule>> rules() {
        Map<EventName, List<Rule>> out = new LinkedHashMap<>();
        lock.lock();
        try {
            for (Event e : Event.values()) {
                ArrayDeque<Rule> list = rules.get(e.ordinal());
                if (!list.isEmpty()) {
                    out.put(e, List.copyOf(list));
                }
            }
            customRules.forEach((c, list) -> {
                if (!list.isEmpty()) {
                    out.put(c, List.copyOf(list));
                }
            });
        } finally {
            lock.unlock();
        }
        return out;
    }

    /** Guarded by lock. Every rule list, QEMU events first. */
    private List<ArrayDeque<Rule>> allLists() {
        List<ArrayDeque<Rule>> all = new ArrayList<>(rules);
        all.addAll(customRules.values());
        return all;
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
