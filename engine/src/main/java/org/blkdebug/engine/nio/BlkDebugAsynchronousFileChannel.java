package org.blkdebug.engine.nio;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.CompletionHandler;
import java.nio.channels.FileLock;
import java.nio.channels.NonReadableChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.file.OpenOption;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.Device;

/**
 * An {@link AsynchronousFileChannel} whose bytes live on a blkdebug {@link Device}. The device is
 * asynchronous by nature: <b>each read or write is one device request on its own virtual
 * thread</b>, started at the call, so several can be in flight, be suspended at breakpoints and
 * be resumed in any order.
 *
 * <ul>
 *   <li>A read stops at the device's end and gives -1 at or past it; a write past the end first
 *       grows the device (no event), as for {@link BlkDebugFileChannel}.</li>
 *   <li>A failed request completes with the engine's {@link BlockException} (an
 *       {@link IOException}: errno text as message, {@link BlockException#errno()}).</li>
 *   <li>Completion handlers run on the request's own thread, or on the executor given to
 *       {@code AsynchronousFileChannel.open(path, options, executor)}; an operation that ends at
 *       once (an empty buffer, a read at the end) calls its handler on a new virtual thread, never
 *       on the caller's.</li>
 *   <li>{@link #force}, {@link #size} and {@link #truncate} wait, as the JDK's do; {@code force}
 *       is {@link Device#flush()}.</li>
 *   <li>Locks are shared with every channel on the same file, as for {@link BlkDebugFileChannel}
 *       (the operating system's locks on a file of the blkdebug file system). {@code lock} waits
 *       for another process's lock on a virtual thread of its own.</li>
 *   <li>Closing the channel releases its locks and never flushes. A request in flight keeps
 *       running on the device, and its result is {@link AsynchronousCloseException}.</li>
 * </ul>
 *
 * <p>{@code APPEND} is refused, as by the JDK ("APPEND not allowed").
 */
public final class BlkDebugAsynchronousFileChannel extends AsynchronousFileChannel {
    private final DeviceFile file;
    private final boolean readable;
    private final boolean writable;
    /** SYNC or DSYNC: every write is a FUA request. */
    private final Device.WriteFlag[] writeFlags;
    /** Where completion handlers run; null: on the request's own thread. */
    private final Executor handlers;
    private final BlkDebugFileChannel.OnClose onClose;
    private final AtomicBoolean open = new AtomicBoolean(true);

    BlkDebugAsynchronousFileChannel(DeviceFile file, Set<? extends OpenOption> options, Executor handlers,
                                    BlkDebugFileChannel.OnClose onClose) throws IOException {
        checkOptions(options);
        boolean w = options.contains(StandardOpenOption.WRITE);
        this.file = file;
        this.readable = options.contains(StandardOpenOption.READ) || !w;
        this.writable = w;
        boolean sync = options.contains(StandardOpenOption.SYNC) || options.contains(StandardOpenOption.DSYNC);
        this.writeFlags = sync ? new Device.WriteFlag[] {Device.WriteFlag.FUA} : new Device.WriteFlag[0];
        this.handlers = handlers;
        this.onClose = onClose;
        if (w && options.contains(StandardOpenOption.TRUNCATE_EXISTING)) {
            file.shrink(0);
        }
    }

    /**
     * An asynchronous channel over {@code device} with {@link AsynchronousFileChannel#open}'s
     * options ({@code READ}, {@code WRITE}, {@code TRUNCATE_EXISTING}, {@code SYNC}/{@code DSYNC};
     * others mean nothing for a device). Handlers run on the requests' own threads. Closing the
     * channel does not close the device.
     */
    public static BlkDebugAsynchronousFileChannel open(Device device, OpenOption... options) throws IOException {
        Objects.requireNonNull(device, "device");
        return new BlkDebugAsynchronousFileChannel(new DeviceFile(device, new InProcessLocks()), Set.of(options),
                null, BlkDebugFileChannel.OnClose.NOTHING);
    }

    static void checkOptions(Set<? extends OpenOption> options) {
        if (options.contains(StandardOpenOption.APPEND)) {
            throw new UnsupportedOperationException("APPEND not allowed");
        }
    }

    /** The device under this channel, for breakpoints and rules. */
    public Device device() {
        return file.device();
    }

    // ---- reads and writes: one device request each ---------------------------------------------

    @Override
    public Future<Integer> read(ByteBuffer dst, long position) {
        return readAt(dst, position);
    }

    @Override
    public <A> void read(ByteBuffer dst, long position, A attachment,
                         CompletionHandler<Integer, ? super A> handler) {
        Objects.requireNonNull(handler, "handler");
        deliver(readAt(dst, position), attachment, handler);
    }

    @Override
    public Future<Integer> write(ByteBuffer src, long position) {
        return writeAt(src, position);
    }

    @Override
    public <A> void write(ByteBuffer src, long position, A attachment,
                          CompletionHandler<Integer, ? super A> handler) {
        Objects.requireNonNull(handler, "handler");
        deliver(writeAt(src, position), attachment, handler);
    }

    private CompletableFuture<Integer> readAt(ByteBuffer dst, long pos) {
        checkPosition(pos);
        if (!readable) {
            throw new NonReadableChannelException();
        }
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("Read-only buffer");
        }
        if (!isOpen()) {
            return CompletableFuture.failedFuture(new ClosedChannelException());
        }
        int want = dst.remaining();
        if (want == 0) {
            return CompletableFuture.completedFuture(0);
        }
        long size;
        try {
            size = file.device().length();
        } catch (BlockException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (pos >= size) {
            return CompletableFuture.completedFuture(-1);
        }
        int n = (int) Math.min(want, size - pos);
        ByteBuffer slice = dst.slice(dst.position(), n);
        return ended(file.device().readAsync(pos, new ByteBuffer[] {slice}, null), () -> {
            dst.position(dst.position() + n);
            return n;
        });
    }

    private CompletableFuture<Integer> writeAt(ByteBuffer src, long pos) {
        checkPosition(pos);
        if (!writable) {
            throw new NonWritableChannelException();
        }
        if (!isOpen()) {
            return CompletableFuture.failedFuture(new ClosedChannelException());
        }
        int n = src.remaining();
        if (n == 0) {
            return CompletableFuture.completedFuture(0);
        }
        ByteBuffer[] slice = {src.slice(src.position(), n)};
        long end = Math.addExact(pos, n);
        CompletableFuture<Void> io;
        try {
            io = end <= file.device().length()
                    ? file.device().writeAsync(pos, slice, null, writeFlags)
                    : onVirtualThread(() -> {
                        file.ensureLength(end); // grows with a truncate request: wait for it off the caller
                        file.device().write(pos, slice, writeFlags);
                        return null;
                    });
        } catch (BlockException e) {
            return CompletableFuture.failedFuture(e);
        }
        return ended(io, () -> {
            src.position(src.position() + n);
            return n;
        });
    }

    /** The request's result: {@code done}'s value, its failure, or AsynchronousCloseException once closed. */
    private <V> CompletableFuture<V> ended(CompletableFuture<Void> request, Supplier<V> done) {
        return request.handle((v, e) -> {
            if (e != null) {
                throw new CompletionException(unwrap(e));
            }
            if (!isOpen()) {
                throw new CompletionException(new AsynchronousCloseException());
            }
            return done.get();
        });
    }

    private <V, A> void deliver(CompletableFuture<V> result, A attachment, CompletionHandler<V, ? super A> handler) {
        boolean immediate = result.isDone();
        result.whenComplete((v, e) -> {
            Runnable call = () -> {
                if (e == null) {
                    handler.completed(v, attachment);
                } else {
                    handler.failed(unwrap(e), attachment);
                }
            };
            if (handlers != null) {
                handlers.execute(call);
            } else if (immediate) {
                Thread.ofVirtual().start(call); // never on the caller's stack: a handler may read again
            } else {
                call.run();
            }
        });
    }

    private static Throwable unwrap(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }

    @FunctionalInterface
    private interface Io<V> {
        V run() throws Exception;
    }

    private static <V> CompletableFuture<V> onVirtualThread(Io<V> io) {
        CompletableFuture<V> f = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                f.complete(io.run());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f;
    }

    // ---- size, truncate, force ----------------------------------------------------------------

    @Override
    public long size() throws IOException {
        ensureOpen();
        return file.device().length();
    }

    /** Shrinks the device to {@code size}; a larger size changes nothing. */
    @Override
    public AsynchronousFileChannel truncate(long size) throws IOException {
        if (size < 0) {
            throw new IllegalArgumentException("Negative size");
        }
        ensureOpen();
        if (!writable) {
            throw new NonWritableChannelException();
        }
        file.shrink(size);
        return this;
    }

    /** {@link Device#flush()}: {@code flush_to_os}, then {@code flush_to_disk} if anything was written since. */
    @Override
    public void force(boolean metaData) throws IOException {
        ensureOpen();
        file.device().flush();
    }

    // ---- locks -------------------------------------------------------------------------------------

    @Override
    public Future<FileLock> lock(long position, long size, boolean shared) {
        return lockAt(position, size, shared);
    }

    @Override
    public <A> void lock(long position, long size, boolean shared, A attachment,
                         CompletionHandler<FileLock, ? super A> handler) {
        Objects.requireNonNull(handler, "handler");
        deliver(lockAt(position, size, shared), attachment, handler);
    }

    /**
     * An overlapping lock of this JVM throws at once, as the JDK does; a lock another process
     * holds is waited for on a virtual thread.
     */
    private CompletableFuture<FileLock> lockAt(long pos, long size, boolean shared) {
        checkLock(pos, size, shared);
        if (!isOpen()) {
            return CompletableFuture.failedFuture(new ClosedChannelException());
        }
        long sz = BlkDebugFileChannel.lockSize(pos, size);
        try {
            FileLock now = file.locks().tryAcquire(this, pos, sz, shared);
            if (now != null) {
                return CompletableFuture.completedFuture(now);
            }
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        return onVirtualThread(() -> file.locks().acquire(this, pos, sz, shared));
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
        checkLock(position, size, shared);
        ensureOpen();
        return file.locks().tryAcquire(this, position, BlkDebugFileChannel.lockSize(position, size), shared);
    }

    private void checkLock(long pos, long size, boolean shared) {
        if (pos < 0 || size < 0) {
            throw new IllegalArgumentException("Negative position or size");
        }
        if (shared && !readable) {
            throw new NonReadableChannelException();
        }
        if (!shared && !writable) {
            throw new NonWritableChannelException();
        }
    }

    // ---- close ---------------------------------------------------------------------------------

    @Override
    public boolean isOpen() {
        return open.get();
    }

    @Override
    public void close() throws IOException {
        if (!open.compareAndSet(true, false)) {
            return;
        }
        try {
            file.locks().releaseAll(this);
        } finally {
            onClose.closed();
        }
    }

    private void ensureOpen() throws ClosedChannelException {
        if (!isOpen()) {
            throw new ClosedChannelException();
        }
    }

    private static void checkPosition(long pos) {
        if (pos < 0) {
            throw new IllegalArgumentException("Negative position");
        }
    }
}
