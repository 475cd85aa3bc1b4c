package org.blkdebug.engine.crash;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.Errno;
import org.blkdebug.engine.block.Backend;
import org.blkdebug.engine.block.IoVec;
import org.blkdebug.engine.block.MemoryBackend;

/** A memory image whose writes can be made to fail (ENOSPC) or to wait until released. */
final class HookedImage implements Backend {
    final MemoryBackend inner;
    volatile boolean failWrites;
    private volatile CountDownLatch gate;
    private final CountDownLatch entered = new CountDownLatch(1);

    HookedImage(long length) {
        inner = new MemoryBackend(length);
    }

    /** The next writes wait in {@link #write} until {@link #release}. */
    void block() {
        gate = new CountDownLatch(1);
    }

    boolean awaitBlocked() throws InterruptedException {
        return entered.await(10, TimeUnit.SECONDS);
    }

    void release() {
        gate.countDown();
    }

    @Override
    public void write(long offset, IoVec src) throws BlockException {
        if (failWrites) {
            throw new BlockException(Errno.ENOSPC);
        }
        CountDownLatch g = gate;
        if (g != null) {
            entered.countDown();
            try {
                if (!g.await(10, TimeUnit.SECONDS)) {
                    throw new BlockException(Errno.ETIMEDOUT);
                }
            } catch (InterruptedException e) {
                throw new BlockException(Errno.EINTR);
            }
        }
        inner.write(offset, src);
    }

    @Override
    public void read(long offset, IoVec dst) throws BlockException {
        inner.read(offset, dst);
    }

    @Override
    public void writeZeroes(long offset, long length) throws BlockException {
        inner.writeZeroes(offset, length);
    }

    @Override
    public void discard(long offset, long length) throws BlockException {
        inner.discard(offset, length);
    }

    @Override
    public void flush() {
    }

    @Override
    public long length() {
        return inner.length();
    }

    @Override
    public void truncate(long length) {
        inner.truncate(length);
    }

    @Override
    public void close() {
    }
}
