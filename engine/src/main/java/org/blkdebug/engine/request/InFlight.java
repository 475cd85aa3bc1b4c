package org.blkdebug.engine.request;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.Consumer;

/**
 * The set of in-flight requests: a few lock-striped intrusive lists (a request links itself in
 * through its own fields), so adding and removing cost one uncontended lock and no allocation —
 * cheaper on the per-request path than a concurrent map of boxed ids.
 *
 * <p>Each stripe's lock is a flag taken with a CAS and dropped with a release store: it guards a
 * few pointer writes, is never held across a park or a call out (except {@link #forEach}'s
 * visitor, which only copies fields), and a {@code ReentrantLock}'s volatile unlock would cost a
 * full fence per request. There is no global count either: {@link #isEmpty} looks at the stripes.
 */
final class InFlight {
    private static final int STRIPES = 64;

    private final Stripe[] stripes = new Stripe[STRIPES];

    InFlight() {
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new Stripe();
        }
    }

    /** One list; its lock guards {@link #head} and the links of the requests in it. */
    private static final class Stripe {
        private static final VarHandle LOCKED;

        static {
            try {
                LOCKED = MethodHandles.lookup().findVarHandle(Stripe.class, "locked", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        @SuppressWarnings("unused") // through LOCKED
        private volatile int locked;
        Request head;

        void lock() {
            int spins = 0;
            while (!LOCKED.compareAndSet(this, 0, 1)) {
                // a holder that is a platform thread may have lost its CPU: let it run
                if (++spins % 64 == 0) {
                    Thread.yield();
                } else {
                    Thread.onSpinWait();
                }
            }
        }

        void unlock() {
            LOCKED.setRelease(this, 0);
        }
    }

    private Stripe stripe(Request r) {
        // ids are consecutive: mix them, or request N and N - STRIPES (often one being added while
        // the other completes, at that depth) would always meet on one lock
        return stripes[(int) ((r.id() * 0x9E3779B97F4A7C15L) >>> 58)];
    }

    void add(Request r) {
        Stripe s = stripe(r);
        s.lock();
        try {
            r.next = s.head;
            if (s.head != null) {
                s.head.prev = r;
            }
            s.head = r;
        } finally {
            s.unlock();
        }
    }

    void remove(Request r) {
        Stripe s = stripe(r);
        s.lock();
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
            s.unlock();
        }
    }

    /**
     * True when every stripe was empty as this looked at it, one after another. Exact once no
     * request can begin any more (a device closing: a request that begins after this looked at its
     * stripe sees the device closed and ends without touching the image).
     */
    boolean isEmpty() {
        for (Stripe s : stripes) {
            s.lock();
            boolean empty = s.head == null;
            s.unlock();
            if (!empty) {
                return false;
            }
        }
        return true;
    }

    /** Visits every request, stripe by stripe (each stripe under its lock). */
    void forEach(Consumer<Request> visitor) {
        for (Stripe s : stripes) {
            s.lock();
            try {
                for (Request r = s.head; r != null; r = r.next) {
                    visitor.accept(r);
                }
            } finally {
                s.unlock();
            }
        }
    }
}
