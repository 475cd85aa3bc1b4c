package org.blkdebug.engine.request;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The set of in-flight requests: a few lock-striped intrusive lists (a request links itself in
 * through its own fields), so adding and removing cost one uncontended lock and no allocation —
 * cheaper on the per-request path than a concurrent map of boxed ids.
 */
final class InFlight {
    private static final int STRIPES = 64;

    private final Stripe[] stripes = new Stripe[STRIPES];
    private final AtomicInteger size = new AtomicInteger();

    InFlight() {
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new Stripe();
        }
    }

    /** One list; {@link #lock} guards {@link #head} and the links of the requests in it. */
    private static final class Stripe {
        final ReentrantLock lock = new ReentrantLock();
        Request head;
    }

    private Stripe stripe(Request r) {
        // ids are consecutive: mix them, or request N and N - STRIPES (often one being added while
        // the other completes, at that depth) would always meet on one lock
        return stripes[(int) ((r.id() * 0x9E3779B97F4A7C15L) >>> 58)];
    }

    void add(Request r) {
        Stripe s = stripe(r);
        s.lock.lock();
        try {
            r.next = s.head;
            if (s.head != null) {
                s.head.prev = r;
            }
            s.head = r;
        } finally {
            s.lock.unlock();
        }
        size.incrementAndGet();
    }

    void remove(Request r) {
        Stripe s = stripe(r);
        s.lock.lock();
        try {
            if (r.prev != null) {
                r.prev.next = r.next;
            } else if (s.head == r) {
                s.head = r.next;
            } else {
                return; // not in the list (removed already)
            }
            if (r.next != null) {
                r.next.prev = r.prev;
            }
            r.prev = null;
            r.next = null;
        } finally {
            s.lock.unlock();
        }
        size.decrementAndGet();
    }

    boolean isEmpty() {
        return size.get() == 0;
    }

    /** Visits every request, stripe by stripe (each stripe under its lock). */
    void forEach(Consumer<Request> visitor) {
        for (Stripe s : stripes) {
            s.lock.lock();
            try {
                for (Request r = s.head; r != null; r = r.next) {
                    visitor.accept(r);
                }
            } finally {
                s.lock.unlock();
            }
        }
    }
}
