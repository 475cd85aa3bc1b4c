package org.blkdebug.engine.nbd;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Sends the replies a connection's reader hands over, one at a time and in the order handed
 * over, on a virtual thread that is not the reader: the reader never waits for the wire, and two
 * refusals are still answered in request order, as qemu-nbd answers them ({@code nbd_trip} sends
 * a refusal before the next request's trip runs, and its {@code send_lock} is a FIFO CoMutex).
 *
 * <p>The sender thread is started when a reply is handed over and none is running, and ends when
 * it finds nothing more to send, so it never outlives the connection's last handed-over reply. At
 * most one runs: the {@link #running} flag is cleared before the queue is looked at once more,
 * so a reply handed over as the sender was leaving is taken by it or by the one its hand-over
 * started. {@link #handOver} never blocks; the queue is bounded because every reply in it belongs
 * to a request counted in flight, which the reader keeps under {@link Protocol#MAX_REQUESTS}.
 * A reply whose socket write blocks holds up the ones behind it, as in qemu-nbd; closing the
 * channel ends that write, and the rest then fail fast.
 */
final class InOrderSender {
    /** Replies handed over and not yet sent, oldest first. */
    private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
    /** A sender thread is running (or about to); set by whoever starts one, cleared by it. */
    private final AtomicBoolean running = new AtomicBoolean();
    /** Told about a reply that threw: the connection must not stay open with a request unanswered. */
    private final Consumer<Throwable> onFailure;

    InOrderSender(Consumer<Throwable> onFailure) {
        this.onFailure = onFailure;
    }

    /** Queues {@code send} behind every reply handed over before it; starts a sender if none runs. */
    void handOver(Runnable send) {
        queue.offer(send);
        if (running.compareAndSet(false, true)) {
            try {
                Thread.ofVirtual().name("nbd-reply").start(this::drain);
            } catch (RuntimeException | Error e) { // no thread: let the next hand-over try again
                running.set(false);
                throw e;
            }
        }
    }

    private void drain() {
        do {
            Runnable send;
            while ((send = queue.poll()) != null) {
                try {
                    send.run();
                } catch (RuntimeException | Error e) { // the replies behind it are still sent (or fail fast)
                    onFailure.accept(e);
                }
            }
            running.set(false);
            // a reply handed over after the last poll, whose hand-over saw running still set
        } while (!queue.isEmpty() && running.compareAndSet(false, true));
    }
}
