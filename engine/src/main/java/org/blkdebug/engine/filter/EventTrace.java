package org.blkdebug.engine.filter;

import java.util.ArrayList;
import java.util.List;
import org.blkdebug.engine.EventName;
import org.blkdebug.engine.request.Request;
import org.jctools.queues.atomic.MpscUnboundedAtomicArrayQueue;

/**
 * The events a node saw, in the order request threads fired them. Request threads append
 * without locking (JCTools MPSC queue); one consumer drains.
 */
public final class EventTrace {
    /** One fired event and the request that fired it. */
    public record Entry(EventName event, long requestId) {
    }

    private final MpscUnboundedAtomicArrayQueue<Entry> queue = new MpscUnboundedAtomicArrayQueue<>(64);

    void record(EventName e, Request r) {
        queue.offer(new Entry(e, r == null ? 0 : r.id()));
    }

    /** Everything recorded since the last drain. Single consumer. */
    public List<Entry> drain() {
        List<Entry> out = new ArrayList<>();
        queue.drain(out::add);
        return out;
    }

    /** Just the events, for tests. */
    public List<EventName> drainEvents() {
        List<EventName> out = new ArrayList<>();
        queue.drain(en -> out.add(en.event()));
        return out;
    }
}
