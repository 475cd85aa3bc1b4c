package org.blkdebug.engine.block;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.Errno;
import org.blkdebug.engine.OpenException;

/** An image file through a {@link FileChannel} (positional I/O, safe for concurrent requests). */
public final class FileBackend implements Backend {
    private static final int ZERO_CHUNK = 1 << 16;
    private final FileChannel channel;
    /**
     * The file's size, kept here as QEMU keeps total_sectors: asking the OS (fstat) on every
     * request would cost more than the read itself. Changes by other processes are not seen.
     */
    private final AtomicLong size;
    private final String filename;
    /** The descriptor for SEEK_DATA/SEEK_HOLE, opened on the first query; {@link #NO_FD} when unavailable. */
    private final AtomicReference<Object> seek = new AtomicReference<>();
    private static final Object NO_FD = new Object();
    /** The descriptor for fallocate, opened on the first write-zeroes or discard; {@link #NO_FD} when unavailable. */
    private final AtomicReference<Object> falloc = new AtomicReference<>();
    private volatile boolean closed;

    private FileBackend(FileChannel channel, String filename) throws IOException {
        this.channel = channel;
        this.filename = filename;
        this.size = new AtomicLong(channel.size());
    }

    /** Opens {@code filename} as QEMU's file driver does, with its error text on failure. */
    public static FileBackend open(String filename, boolean readOnly) throws OpenException {
        Path path;
        try {
            path = Path.of(filename);
        } catch (java.nio.file.InvalidPathException e) {
            // a NUL, or a name the platform charset cannot encode: open(2) could not take it either
            throw new OpenException("Could not open '" + filename + "': " + Errno.message(Errno.EINVAL));
        }
        try {
            if (Files.isDirectory(path)) {
                // file-posix opens it, then refuses: QEMU reports EISDIR at open
                throw new OpenException("Could not open '" + filename + "': " + Errno.message(Errno.EISDIR));
            }
            FileChannel ch = readOnly
                    ? FileChannel.open(path, StandardOpenOption.READ)
                    : FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
            return new FileBackend(ch, filename);
        } catch (NoSuchFileException e) {
            throw new OpenException("Could not open '" + filename + "': " + Errno.message(Errno.ENOENT));
        } catch (IOException | RuntimeException e) {
            if (e instanceof OpenException oe) {
                throw oe;
            }
            throw new OpenException("Could not open '" + filename + "': " + Errno.message(Errno.of(e)));
        }
    }

    @Override
    public void read(long offset, IoVec dst) throws BlockException {
        long pos = offset;
        try {
            for (ByteBuffer b : dst.segments()) {
                while (b.hasRemaining()) {
                    int n = channel.read(b, pos);
                    if (n < 0) {
                        while (b.hasRemaining()) {
                            b.put((byte) 0); // past EOF reads as zeroes
                        }
                        break;
                    }
                    pos += n;
                }
            }
        } catch (IOException e) {
            throw new BlockException(Errno.of(e), e);
        }
    }

    @Override
    public void write(long offset, IoVec src) throws BlockException {
        long pos = offset;
        try {
            for (ByteBuffer b : src.segments()) {
                while (b.hasRemaining()) {
                    pos += channel.write(b, pos);
                }
            }
            long end = pos;
            size.accumulateAndGet(end, Math::max);
        } catch (IOException | RuntimeException e) {
            throw new BlockException(Errno.of(e), e);
        }
    }

    @Override
    public void writeZeroes(long offset, long length) throws BlockException {
        writeZeroes(offset, length, false, false);
    }

    @Override
    public void writeZeroes(long offset, long length, boolean fua, boolean unmap) throws BlockException {
        Fallocate f = fallocate();
        if (f == null || !fallocateZeroes(f, offset, length, unmap)) {
            writeZeroBuffers(offset, length);
        }
    }

    /**
     * file-posix's {@code handle_aiocb_write_zeroes_unmap} and {@code handle_aiocb_write_zeroes}, in
     * their order: with unmap a hole is punched (the size kept); else, or where that is refused,
     * FALLOC_FL_ZERO_RANGE, then a punched hole allocated again, then (past the end) a plain
     * allocation. False when none of them is supported: QEMU's block layer then writes zero
     * buffers, as the caller does.
     */
    private boolean fallocateZeroes(Fallocate f, long offset, long length, boolean unmap) throws BlockException {
        if (unmap) {
            int ret = f.call(Fallocate.PUNCH_HOLE | Fallocate.KEEP_SIZE, offset, length);
            if (ret == 0) {
                return true;
            }
            if (ret != Errno.ENOTSUP && ret != Errno.EINVAL && ret != Errno.EBUSY) {
                throw new BlockException(ret);
            }
        }
        if (f.zeroRange) {
            int ret = f.call(Fallocate.ZERO_RANGE, offset, length);
            if (ret == 0) {
                grown(offset + length);
                return true;
            }
            if (ret == Errno.ENOTSUP) {
                f.zeroRange = false;
            } else if (ret != Errno.EINVAL) { // some file systems refuse unaligned ranges: try on
                throw new BlockException(ret);
            }
        }
        if (f.punchHole && f.allocate) {
            int ret = f.call(Fallocate.PUNCH_HOLE | Fallocate.KEEP_SIZE, offset, length);
            if (ret == 0) {
                if (allocated(f, offset, length)) {
                    return true;
                }
            } else if (ret == Errno.ENOTSUP) {
                f.punchHole = false;
            } else if (ret != Errno.EINVAL) { // QEMU warns of the misbehaving file system and goes on
                throw new BlockException(ret);
            }
        }
        // the last resort: a plain allocation extends the file with zeroes
        return f.allocate && offset >= length() && allocated(f, offset, length);
    }

    /** fallocate's mode 0 (allocation, growing the file); false when the file system has none. */
    private boolean allocated(Fallocate f, long offset, long length) throws BlockException {
        int ret = f.call(0, offset, length);
        if (ret == 0) {
            grown(offset + length);
            return true;
        }
        if (ret != Errno.ENOTSUP) {
            throw new BlockException(ret);
        }
        f.allocate = false;
        return false;
    }

    /** The zeroes written as data: where fallocate is not available, and past what it supports. */
    private void writeZeroBuffers(long offset, long length) throws BlockException {
        ByteBuffer zero = ByteBuffer.allocate((int) Math.min(length, ZERO_CHUNK));
        long pos = offset;
        long left = length;
        try {
            while (left > 0) {
                ByteBuffer b = zero.duplicate().limit((int) Math.min(left, zero.capacity()));
                while (b.hasRemaining()) {
                    int n = channel.write(b, pos);
                    pos += n;
                    left -= n;
                }
            }
            grown(pos);
        } catch (IOException | RuntimeException e) {
            throw new BlockException(Errno.of(e), e);
        }
    }

    private void grown(long end) {
        size.accumulateAndGet(end, Math::max);
    }

    /**
     * file-posix's {@code handle_aiocb_discard}: a hole punched, the size kept. Where that is not
     * available zeroes are written instead, which read the same (QEMU would leave the data where
     * the file system refuses, as a discard may; ours keeps one outcome for every host).
     */
    @Override
    public void discard(long offset, long length) throws BlockException {
        long end = Math.min(offset + length, length());
        if (end <= offset) {
            return;
        }
        Fallocate f = fallocate();
        if (f != null && f.punchHole) {
            int ret = f.call(Fallocate.PUNCH_HOLE | Fallocate.KEEP_SIZE, offset, end - offset);
            if (ret == 0) {
                return;
            }
            if (ret != Errno.ENOTSUP) {
                throw new BlockException(ret);
            }
            f.punchHole = false;
        }
        writeZeroBuffers(offset, end - offset);
    }

    @Override
    public void flush() throws BlockException {
        try {
            channel.force(false); // fdatasync, as file-posix's flush
        } catch (IOException e) {
            throw new BlockException(Errno.of(e), e);
        }
    }

    @Override
    public long length() {
        return size.get();
    }

    @Override
    public void truncate(long length) throws BlockException {
        try {
            long now = channel.size();
            if (length < now) {
                channel.truncate(length);
            } else if (length > now) {
                channel.write(ByteBuffer.allocate(1), length - 1); // grow: the new bytes read as zeroes
            }
            size.set(length);
        } catch (IOException | RuntimeException e) {
            throw new BlockException(Errno.of(e), e);
        }
    }

    /** file-posix's {@code find_allocation}, by SEEK_DATA and SEEK_HOLE ({@link SeekData}). */
    @Override
    public Extent extentAt(long offset) {
        SeekData d = descriptor(seek, SeekData::open, SeekData.class);
        return d != null ? d.find(offset) : null;
    }

    private Fallocate fallocate() {
        return descriptor(falloc, Fallocate::open, Fallocate.class);
    }

    /**
     * The descriptor kept in {@code ref}, opened by {@code open} on first use; null where native
     * calls are not available here, or once the backend is closed.
     */
    private <T extends Libc.Fd> T descriptor(AtomicReference<Object> ref, Function<String, T> open, Class<T> type) {
        Object s = ref.get();
        if (s == null) {
            T opened = open.apply(filename);
            s = opened == null ? NO_FD : opened;
            if (!ref.compareAndSet(null, s)) {
                if (opened != null) {
                    opened.close(); // another request opened one first
                }
                s = ref.get();
            } else if (closed && opened != null && ref.compareAndSet(opened, NO_FD)) {
                opened.close(); // closed meanwhile
                return null;
            }
        }
        return type.isInstance(s) ? type.cast(s) : null;
    }

    @Override
    public long probeDirectIoAlignment() throws OpenException {
        return DirectIoAlignment.probe(filename);
    }

    @Override
    public void close() throws BlockException {
        closed = true;
        for (AtomicReference<Object> fd : List.of(seek, falloc)) {
            if (fd.getAndSet(NO_FD) instanceof Libc.Fd d) {
                d.close();
            }
        }
        try {
            channel.close();
        } catch (IOException e) {
            throw new BlockException(Errno.of(e), e);
        }
    }
}
