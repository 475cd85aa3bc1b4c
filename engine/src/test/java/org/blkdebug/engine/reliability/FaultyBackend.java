package org.blkdebug.engine.reliability;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.Errno;
import org.blkdebug.engine.block.Backend;
import org.blkdebug.engine.block.IoVec;
import org.blkdebug.engine.block.MemoryBackend;

/**
 * A {@link MemoryBackend} that fails on its own, as a full or dying disk does: the next N calls
 * of one kind fail with a chosen errno (before touching any byte), or throw an unchecked
 * exception (a bug in a backend). It counts calls and records any call made after close.
 */
final class FaultyBackend implements Backend {
    enum Op { READ, WRITE, WRITE_ZEROES, DISCARD, FLUSH, TRUNCATE }

    private final MemoryBackend inner;
    private final AtomicInteger[] failures = new AtomicInteger[Op.values().length];
    private final int[] errnos = new int[Op.values().length];
    private final AtomicInteger[] calls = new AtomicInteger[Op.values().length];
    private final AtomicInteger callsAfterClose = new AtomicInteger();
    private volatile boolean closed;
    /** When set, called before every data call (e.g. to sleep and widen a race window). */
    volatile IntSupplier delay;

    FaultyBackend(long length) {
        inner = new MemoryBackend(length);
        for (int i = 0; i < failures.length; i++) {
            failures[i] = new AtomicInteger();
            calls[i] = new AtomicInteger();
        }
    }

    MemoryBackend inner() {
        return inner;
    }

    /** The next {@code times} calls of {@code op} fail with {@code errno} (-1: a RuntimeException). */
    FaultyBackend failNext(Op op, int errno, int times) {
        errnos[op.ordinal()] = errno;
        failures[op.ordinal()].set(times);
        return this;
    }

    int calls(Op op) {
        return calls[op.ordinal()].get();
    }

    int callsAfterClose() {
        return callsAfterClose.get();
    }

    private void enter(Op op) throws BlockException {
        if (closed) {
            callsAfterClose.incrementAndGet();
            throw new BlockException(Errno.EBADF);
        }
        calls[op.ordinal()].incrementAndGet();
        IntSupplier d = delay;
        if (d != null) {
            d.getAsInt();
        }
        AtomicInteger left = failures[op.ordinal()];
        if (left.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            int errno = errnos[op.ordinal()];
            if (errno < 0) {
                throw new IllegalStateException("backend bug in " + op);
            }
            throw new BlockException(errno);
        }
    }

    @Override
    public void read(long offset, IoVec dst) throws BlockException {
        enter(Op.READ);
        inner.read(offset, dst);
    }

    @Override
    public void write(long offset, IoVec src) throws BlockException {
        enter(Op.WRITE);
        inner.write(offset, src);
    }

    @Override
    public void writeZeroes(long offset, long length) throws BlockException {
        enter(Op.WRITE_ZEROES);
        inner.writeZeroes(offset, length);
    }

    @Override
    public void discard(long offset, long length) throws BlockException {
        enter(Op.DISCARD);
        inner.discard(offset, length);
    }

    @Override
    public void flush() throws BlockException {
        enter(Op.FLUSH);
        inner.flush();
    }

    @Override
    public long length() {
        return inner.length();
    }

    @Override
    public void truncate(long length) throws BlockException {
        enter(Op.TRUNCATE);
        inner.truncate(length);
    }

    @Override
    public void close() {
        closed = true;
        inner.close();
    }
}
