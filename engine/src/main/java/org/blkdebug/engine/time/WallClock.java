package org.blkdebug.engine.time;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;
import org.blkdebug.engine.request.RequestTracker;
import org.blkdebug.engine.request.Waiter;

/** Real time: a delay parks the request until {@link System#nanoTime()} reaches its end. */
final class WallClock extends RequestClock {
    private final long start = System.nanoTime();

    WallClock(RequestTracker tracker) {
        super(tracker);
    }

    @Override
    public boolean isVirtual() {
        return false;
    }

    @Override
    public long nanos() {
        return System.nanoTime() - start;
    }

    @Override
    void sleep(Waiter w, long nanos) {
        w.parkUntil(System.nanoTime() + nanos);
    }

    @Override
    public void sleep(Duration d) throws InterruptedException {
        Thread.sleep(d);
    }

    @Override
    public boolean advance() {
        return false;
    }

    @Override
    public <T> T await(Future<T> f, Duration timeout)
            throws InterruptedException, ExecutionException, TimeoutException {
        return get(f, timeout.toNanos());
    }

    @Override
    public void awaitRequest(CompletableFuture<?> f) throws InterruptedException, ExecutionException {
        f.get();
    }
}
