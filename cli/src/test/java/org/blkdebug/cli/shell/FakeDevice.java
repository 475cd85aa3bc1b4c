package org.blkdebug.cli.shell;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

import org.blkdebug.engine.BlkDebugListener;
import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.Completion;
import org.blkdebug.engine.CustomEvent;
import org.blkdebug.engine.Device;
import org.blkdebug.engine.Errno;
import org.blkdebug.engine.Event;
import org.blkdebug.engine.EventName;
import org.blkdebug.engine.Operation;
import org.blkdebug.engine.RequestInfo;
import org.blkdebug.engine.Rule;

/**
 * An in-memory device without blkdebug: requests finish on the caller's thread. Failing offsets
 * can be set to check error reports. Enough for the shell's dispatch and report tests.
 */
final class FakeDevice implements Device {
    private final byte[] data;
    private final ConcurrentLinkedQueue<Completion> done = new ConcurrentLinkedQueue<>();
    private final AtomicLong ids = new AtomicLong();
    private volatile boolean report;
    /** Requests at this offset fail with {@link #failErrno}; -1 for none. */
    volatile long failAt = -1;
    volatile int failErrno = Errno.EIO;
    /** Whether failing requests count as never-blocked (QEMU's immediately=on). */
    volatile boolean failImmediately;
    volatile boolean closed;

    FakeDevice(int size) {
        data = new byte[size];
    }

    private CompletableFuture<Void> run(Operation op, long offset, long length, Object attachment, IoBody body) {
        long id = ids.incrementAndGet();
        long start = System.nanoTime();
        int errno = 0;
        boolean yielded = true;
        try {
            if (offset == failAt) {
                yielded = !failImmediately;
                throw new BlockException(failErrno);
            }
            if (offset < 0 || offset + length > data.length) {
                yielded = false;
                throw new BlockException(Errno.EIO);
            }
            body.run();
        } catch (BlockException e) {
            errno = e.errno();
        }
        if (report) {
            // a success did one backend call; a failure by rule did none (immediately=off reschedules it)
            int rounds = yielded && errno == 0 ? 1 : 0;
            done.add(new Completion(id, op, offset, length, errno, yielded, yielded, id, 0, rounds, false, 0, null, start,
                    System.nanoTime(), attachment));
        }
        return errno == 0 ? CompletableFuture.completedFuture(null)
                : CompletableFuture.failedFuture(new BlockException(errno));
    }

    private interface IoBody {
        void run() throws BlockException;
    }

    private static long size(ByteBuffer[] bufs) {
        long n = 0;
        for (ByteBuffer b : bufs) {
            n += b.remaining();
        }
        return n;
    }

    @Override
    public CompletableFuture<Void> readAsync(long offset, ByteBuffer[] dsts, Object attachment) {
        return run(Operation.READ, offset, size(dsts), attachment, () -> {
            long pos = offset;
            for (ByteBuffer b : dsts) {
                int n = b.remaining();
                b.put(data, (int) pos, n);
                b.flip();
                pos += n;
            }
        });
    }

    @Override
    public CompletableFuture<Void> writeAsync(long offset, ByteBuffer[] srcs, Object attachment, WriteFlag... flags) {
        return run(Operation.WRITE, offset, size(srcs), attachment, () -> {
            long pos = offset;
            for (ByteBuffer b : srcs) {
                ByteBuffer d = b.duplicate();
                int n = d.remaining();
                d.get(data, (int) pos, n);
                pos += n;
            }
        });
    }

    @Override
    public CompletableFuture<Void> writeZeroesAsync(long offset, long length, Object attachment, WriteFlag... flags) {
        return run(Operation.WRITE_ZEROES, offset, length, attachment,
                () -> java.util.Arrays.fill(data, (int) offset, (int) (offset + length), (byte) 0));
    }

    @Override
    public CompletableFuture<Void> discardAsync(long offset, long length, Object attachment) {
        return run(Operation.DISCARD, offset, length, attachment, () -> { });
    }

    @Override
    public CompletableFuture<Void> flushAsync(Object attachment) {
        return run(Operation.FLUSH, 0, 0, attachment, () -> { });
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws BlockException {
        readAsync(offset, new ByteBuffer[] {dst}, null).join();
    }

    @Override
    public void read(long offset, ByteBuffer[] dsts) {
        readAsync(offset, dsts, null).join();
    }

    @Override
    public void write(long offset, ByteBuffer src, WriteFlag... flags) {
        writeAsync(offset, new ByteBuffer[] {src}, null, flags).join();
    }

    @Override
    public void write(long offset, ByteBuffer[] srcs, WriteFlag... flags) {
        writeAsync(offset, srcs, null, flags).join();
    }

    @Override
    public void writeZeroes(long offset, long length, WriteFlag... flags) {
        writeZeroesAsync(offset, length, null, flags).join();
    }

    @Override
    public void discard(long offset, long length) {
        discardAsync(offset, length, null).join();
    }

    @Override
    public void flush() {
        flushAsync(null).join();
    }

    @Override
    public long length() {
        return data.length;
    }

    @Override
    public boolean readOnly() {
        return false;
    }

    @Override
    public long requestAlignment() {
        return 1;
    }

    @Override
    public long blockStatus(long offset, long length) {
        return Math.max(0, Math.min(length, data.length - offset));
    }

    @Override
    public void truncate(long length) throws BlockException {
        throw new BlockException(Errno.ENOTSUP);
    }

    @Override
    public Completion pollCompletion() {
        return done.poll();
    }

    @Override
    public void reportCompletions(boolean on) {
        report = on;
    }

    @Override
    public boolean hasBlkDebug() {
        return false;
    }

    @Override
    public void breakpoint(String eventName, String tag) throws BlockException {
        throw new BlockException(Errno.ENOTSUP);
    }

    @Override
    public void breakpoint(EventName event, String tag) throws BlockException {
        throw new BlockException(Errno.ENOTSUP);
    }

    @Override
    public void resume(String tag) throws BlockException {
        throw new BlockException(Errno.ENOTSUP);
    }

    @Override
    public void removeBreakpoint(String tag) throws BlockException {
        throw new BlockException(Errno.ENOTSUP);
    }

    @Override
    public boolean isSuspended(String tag) {
        return false;
    }

    @Override
    public boolean awaitSuspended(String tag, Duration timeout) {
        return false;
    }

    @Override
    public void event(EventName event) {
    }

    @Override
    public void event(String eventName) throws BlockException {
        Event.byName(eventName).orElseThrow(() -> new BlockException(Errno.ENOENT));
    }

    @Override
    public List<CustomEvent> customEvents() {
        return List.of();
    }

    @Override
    public int state() {
        return 1;
    }

    @Override
    public Map<EventName, List<Rule>> rules() {
        return Map.of();
    }

    @Override
    public List<Rule.InjectError> armedRules() {
        return List.of();
    }

    @Override
    public List<RequestInfo> requests() {
        return List.of();
    }

    @Override
    public boolean awaitQuiescence(Duration timeout) {
        return true;
    }

    @Override
    public Device session(String origin) {
        return this;
    }

    @Override
    public void setListener(BlkDebugListener listener) {
    }

    @Override
    public void close() {
        closed = true;
    }
}
