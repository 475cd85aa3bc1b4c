package org.blkdebug.engine.nio;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.NonReadableChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.OpenOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.Device;

/**
 * A {@link FileChannel} whose bytes live on a blkdebug {@link Device}, so code written against
 * {@code FileChannel} runs unchanged over injected errors and breakpoints.
 *
 * <ul>
 *   <li>Every read or write call is <b>one device request</b>: a scattering read is one
 *       {@code readv}, a gathering write one {@code writev}, and each fires its events
 *       ({@code read_aio}, {@code write_aio}, …) once. An empty transfer makes no request.</li>
 *   <li>A read stops at the device's end and returns -1 at or past it, as for a file.</li>
 *   <li>A write past the end first grows the device ({@link Device#truncate}, no event), then
 *       writes: the gap reads as zeroes, as for a file. If the write then fails, the device keeps
 *       its new length: a file system that fails a growing write can leave it too.</li>
 *   <li>{@link #force} is {@link Device#flush()}: it fires {@code flush_to_os} and, when
 *       something was written since the last flush, {@code flush_to_disk}.</li>
 *   <li>A failed request throws the engine's {@link BlockException} unchanged: it is an
 *       {@link IOException} whose message is the errno text ({@code "No space left on device"})
 *       and whose {@link BlockException#errno()} is the number.</li>
 *   <li>{@link #map}, in both its forms ({@code map(mode, pos, size)} and, on JDK 22+,
 *       {@code map(mode, pos, size, Arena)}), throws {@link UnsupportedOperationException} with
 *       the reason: mapped memory would bypass the device.</li>
 *   <li>Locks are shared with every channel of the same device, with the JDK's
 *       {@link java.nio.channels.OverlappingFileLockException} rule. On a file of the blkdebug
 *       file system they are the operating system's locks on the real file, so other processes
 *       are excluded too; on a bare device they exist in this JVM only.</li>
 *   <li>Interrupts behave as for the JDK's channel: the channel is closed and the interrupted
 *       thread gets {@link java.nio.channels.ClosedByInterruptException}.</li>
 * </ul>
 *
 * <p><b>Relative reads and writes hold this channel's position lock across their request</b>, as
 * the JDK does. A relative request suspended at a breakpoint therefore blocks every other relative
 * operation and {@link #position(long)} on this channel until it is resumed. To race requests,
 * use the positional {@link #read(ByteBuffer, long)} / {@link #write(ByteBuffer, long)}.
 *
 * <p>Closing a channel never flushes. Closing a channel made with
 * {@link #open(Device, OpenOption...)} leaves the device open; the caller owns it.
 */
public class BlkDebugFileChannel extends FileChannel {
    /** Size of the buffer, and so of each device request, in transferTo/transferFrom. */
    private static final int TRANSFER_CHUNK = 1 << 20;

    /** Why {@link #map} is refused, for both of its forms. */
    static final String MAP_REFUSED = "BlkDebugFileChannel cannot be memory-mapped: mapped access would bypass the "
            + "blkdebug device (no events, no rules, no breakpoints); use read/write instead";

    /** What closing a channel must also do (release a shared device, delete a file). */
    @FunctionalInterface
    interface OnClose {
        OnClose NOTHING = () -> {
        };

        void closed() throws IOException;
    }

    private final DeviceFile file;
    private final boolean readable;
    private final boolean writable;
    private final boolean append;
    /** SYNC or DSYNC: every write is a FUA request, as O_DSYNC makes every pwrite durable. */
    private final Device.WriteFlag[] writeFlags;
    private final OnClose onClose;
    /** Serialises relative operations (the JDK's positionLock). May be held across a request. */
    private final ReentrantLock positionLock = new ReentrantLock();
    /** Written under positionLock; volatile so {@link #position()} reads it without the lock. */
    private volatile long position;

    /**
     * Not for subclassing outside this package: {@link #create} picks the class that refuses
     * every {@code map} the running JDK has.
     */
    BlkDebugFileChannel(DeviceFile file, Set<? extends OpenOption> options, OnClose onClose) throws IOException {
        boolean r = options.contains(StandardOpenOption.READ);
        boolean a = options.contains(StandardOpenOption.APPEND);
        boolean w = options.contains(StandardOpenOption.WRITE) || a;
        if (r && a) {
            throw new IllegalArgumentException("READ + APPEND not allowed");
        }
        if (a && options.contains(StandardOpenOption.TRUNCATE_EXISTING)) {
            throw new IllegalArgumentException("APPEND + TRUNCATE_EXISTING not allowed");
        }
        this.file = file;
        this.readable = r || !w;
        this.writable = w;
        this.append = a;
        boolean sync = options.contains(StandardOpenOption.SYNC) || options.contains(StandardOpenOption.DSYNC);
        this.writeFlags = sync ? new Device.WriteFlag[] {Device.WriteFlag.FUA} : new Device.WriteFlag[0];
        this.onClose = onClose;
        if (w && options.contains(StandardOpenOption.TRUNCATE_EXISTING)) {
            file.shrink(0);
        }
    }

    /**
     * A channel over {@code device} with {@link FileChannel#open}'s options: {@code READ},
     * {@code WRITE}, {@code APPEND}, {@code TRUNCATE_EXISTING} (truncates the device),
     * {@code SYNC}/{@code DSYNC} (FUA writes); the others mean nothing for a device and are
     * ignored. No option means {@code READ}. Closing the channel does not close the device.
     */
    public static BlkDebugFileChannel open(Device device, OpenOption... options) throws IOException {
        Objects.requireNonNull(device, "device");
        return create(new DeviceFile(device, new InProcessLocks()), Set.of(options), OnClose.NOTHING);
    }

    /** A channel of the class that refuses every {@code map} of the running JDK ({@link Jdk22}). */
    static BlkDebugFileChannel create(DeviceFile file, Set<? extends OpenOption> options, OnClose onClose)
            throws IOException {
        return Jdk22.newChannel(file, options, onClose);
    }

    /** The device under this channel, for breakpoints and rules. */
    public Device device() {
        return file.device();
    }

    // ---- reads ------------------------------------------------------------------------------

    @Override
    public int read(ByteBuffer dst) throws IOException {
        Objects.requireNonNull(dst, "dst");
        return (int) read(new ByteBuffer[] {dst}, 0, 1);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, dsts.length);
        ByteBuffer[] bufs = Arrays.copyOfRange(dsts, offset, offset + length);
        ensureOpen();
        checkReadable();
        return io(() -> {
            lockPosition();
            try {
                long n = readAt(bufs, position);
                if (n > 0) {
                    position += n;
                }
                return n;
            } finally {
                positionLock.unlock();
            }
        });
    }

    @Override
    public int read(ByteBuffer dst, long pos) throws IOException {
        Objects.requireNonNull(dst, "dst");
        checkPosition(pos);
        ensureOpen();
        checkReadable();
        return (int) (long) io(() -> readAt(new ByteBuffer[] {dst}, pos));
    }

    /** One read request for as much of {@code dsts} as lies before the end; -1 at or past it. */
    private long readAt(ByteBuffer[] dsts, long pos) throws IOException {
        long want = Buffers.remaining(dsts);
        if (want == 0) {
            return 0;
        }
        long size = file.device().length();
        if (pos >= size) {
            return -1;
        }
        long n = Math.min(want, size - pos);
        file.device().read(pos, Buffers.slices(dsts, n));
        Buffers.advance(dsts, n);
        return n;
    }

    // ---- writes -----------------------------------------------------------------------------

    @Override
    public int write(ByteBuffer src) throws IOException {
        Objects.requireNonNull(src, "src");
        return (int) write(new ByteBuffer[] {src}, 0, 1);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, srcs.length);
        ByteBuffer[] bufs = Arrays.copyOfRange(srcs, offset, offset + length);
        ensureOpen();
        checkWritable();
        return io(() -> {
            lockPosition();
            try {
                long n = Buffers.remaining(bufs);
                long at = writeAt(bufs, append ? -1 : position, n);
                position = at + n;
                return n;
            } finally {
                positionLock.unlock();
            }
        });
    }

    @Override
    public int write(ByteBuffer src, long pos) throws IOException {
        Objects.requireNonNull(src, "src");
        checkPosition(pos);
        ensureOpen();
        checkWritable();
        int n = src.remaining();
        io(() -> writeAt(new ByteBuffer[] {src}, pos, n));
        return n;
    }

    /**
     * One write request of {@code n} bytes at {@code pos} (-1: at the end, atomically), growing
     * the device first when it ends before {@code pos + n}.
     *
     * @return where the bytes were written
     */
    private long writeAt(ByteBuffer[] srcs, long pos, long n) throws IOException {
        if (n == 0) {
            return pos < 0 ? file.device().length() : pos;
        }
        long at;
        if (pos < 0) {
            at = file.reserveAtEnd(n);
        } else {
            at = pos;
            file.ensureLength(Math.addExact(pos, n));
        }
        file.device().write(at, Buffers.slices(srcs, n), writeFlags);
        Buffers.advance(srcs, n);
        return at;
    }

    // ---- position, size, truncate, force --------------------------------------------------------

    @Override
    public long position() throws IOException {
        ensureOpen();
        return append ? file.device().length() : position;
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
        checkPosition(newPosition);
        ensureOpen();
        io(() -> {
            lockPosition();
            try {
                position = newPosition;
                return 0;
            } finally {
                positionLock.unlock();
            }
        });
        return this;
    }

    @Override
    public long size() throws IOException {
        ensureOpen();
        return file.device().length();
    }

    /** Shrinks the device to {@code size} (a larger size changes nothing); position follows. */
    @Override
    public FileChannel truncate(long size) throws IOException {
        if (size < 0) {
            throw new IllegalArgumentException("Negative size");
        }
        ensureOpen();
        checkWritable();
        io(() -> {
            lockPosition();
            try {
                file.shrink(size);
                if (position > size) {
                    position = size;
                }
                return 0;
            } finally {
                positionLock.unlock();
            }
        });
        return this;
    }

    /** A device flush whatever {@code metaData} says: blkdebug has only one kind of flush. */
    @Override
    public void force(boolean metaData) throws IOException {
        ensureOpen();
        io(() -> {
            file.device().flush();
            return 0;
        });
    }

    // ---- transfers --------------------------------------------------------------------------

    /** Reads through the device in requests of at most 1 MiB and writes them to {@code target}. */
    @Override
    public long transferTo(long pos, long count, WritableByteChannel target) throws IOException {
        checkPosition(pos);
        checkCount(count);
        ensureOpen();
        if (!target.isOpen()) {
            throw new ClosedChannelException();
        }
        checkReadable();
        long done = 0;
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(TRANSFER_CHUNK, Math.max(count, 1)));
        while (done < count) {
            buf.clear().limit((int) Math.min(buf.capacity(), count - done));
            long at = pos + done;
            long n = io(() -> readAt(new ByteBuffer[] {buf}, at));
            if (n <= 0) {
                break;
            }
            buf.flip();
            while (buf.hasRemaining()) {
                if (target.write(buf) == 0) {
                    return done + n - buf.remaining(); // a non-blocking target is full
                }
            }
            done += n;
        }
        return done;
    }

    /**
     * Reads {@code src} into a buffer of at most 1 MiB and writes each full buffer with one
     * request. A position past the end grows the device, as the JDK's channel does since JDK 22
     * (JDK 21 transferred nothing there); the gap reads as zeroes.
     */
    @Override
    public long transferFrom(ReadableByteChannel src, long pos, long count) throws IOException {
        checkPosition(pos);
        checkCount(count);
        ensureOpen();
        if (!src.isOpen()) {
            throw new ClosedChannelException();
        }
        checkWritable();
        long done = 0;
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(TRANSFER_CHUNK, Math.max(count, 1)));
        boolean eof = false;
        while (done < count && !eof) {
            buf.clear().limit((int) Math.min(buf.capacity(), count - done));
            while (buf.hasRemaining()) {
                int r = src.read(buf);
                if (r <= 0) {
                    eof = true; // end of stream, or a non-blocking source with nothing now
                    break;
                }
            }
            buf.flip();
            int n = buf.remaining();
            if (n == 0) {
                break;
            }
            long at = pos + done;
            io(() -> writeAt(new ByteBuffer[] {buf}, at, n));
            done += n;
        }
        return done;
    }

    // ---- map, locks, close ------------------------------------------------------------------------

    /** Refused: mapped memory would bypass the device. {@code map(mode, pos, size, Arena)} is refused alike (JDK 22+). */
    @Override
    public MappedByteBuffer map(MapMode mode, long pos, long size) {
        throw new UnsupportedOperationException(MAP_REFUSED);
    }

    /**
     * A lock held in this JVM makes it throw {@link java.nio.channels.OverlappingFileLockException},
     * as the JDK does. On a file of the blkdebug file system the lock is also the operating
     * system's, and a lock held by another process is waited for (polled, so that an interrupt
     * closes this channel as the JDK's would); a bare device has no other process to wait for.
     */
    @Override
    public FileLock lock(long pos, long size, boolean shared) throws IOException {
        checkLock(pos, size, shared);
        return io(() -> file.locks().acquire(this, pos, lockSize(pos, size), shared));
    }

    /** Null when another process holds an overlapping lock on the real file. */
    @Override
    public FileLock tryLock(long pos, long size, boolean shared) throws IOException {
        checkLock(pos, size, shared);
        return io(() -> file.locks().tryAcquire(this, pos, lockSize(pos, size), shared));
    }

    private void checkLock(long pos, long size, boolean shared) throws ClosedChannelException {
        if (pos < 0 || size < 0) {
            throw new IllegalArgumentException("Negative position or size");
        }
        ensureOpen();
        if (shared && !readable) {
            throw new NonReadableChannelException();
        }
        if (!shared && !writable) {
            throw new NonWritableChannelException();
        }
    }

    /** JDK 13+: size 0 locks everything from {@code pos} on. */
    static long lockSize(long pos, long size) {
        return size == 0 ? Long.MAX_VALUE - pos : size;
    }

    /**
     * Releases this channel's locks and whatever the opener attached (never a flush: closing a
     * file does not flush it). A request in flight keeps running on the device; its caller then
     * gets {@link java.nio.channels.AsynchronousCloseException}.
     */
    @Override
    protected void implCloseChannel() throws IOException {
        try {
            file.locks().releaseAll(this);
        } finally {
            onClose.closed();
        }
    }

    // ---- helpers ------------------------------------------------------------------------------

    /** One blocking device operation, with the JDK's begin/end interrupt and async-close rules. */
    @FunctionalInterface
    private interface Io<T> {
        T run() throws IOException, InterruptedException;
    }

    private <T> T io(Io<T> op) throws IOException {
        boolean completed = false;
        try {
            begin();
            ensureOpen();
            T r = op.run();
            completed = true;
            return r;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // end() turns this into ClosedByInterruptException
            throw new InterruptedIOException();
        } finally {
            end(completed);
        }
    }

    private void lockPosition() throws InterruptedException {
        positionLock.lockInterruptibly();
    }

    private void ensureOpen() throws ClosedChannelException {
        if (!isOpen()) {
            throw new ClosedChannelException();
        }
    }

    private void checkReadable() {
        if (!readable) {
            throw new NonReadableChannelException();
        }
    }

    private void checkWritable() {
        if (!writable) {
            throw new NonWritableChannelException();
        }
    }

    private static void checkPosition(long pos) {
        if (pos < 0) {
            throw new IllegalArgumentException("Negative position");
        }
    }

    private static void checkCount(long count) {
        if (count < 0) {
            throw new IllegalArgumentException("Negative count");
        }
    }
}
