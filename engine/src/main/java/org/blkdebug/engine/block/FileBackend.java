package org.blkdebug.engine.block;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
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
    /** The descriptor for SEEK_DATA/SEEK_HOLE, opened on the first query; {@link #NO_SEEK} when unavailable. */
    private final AtomicReference<Object> seek = new AtomicReference<>();
    private static final Object NO_SEEK = new Object();
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
            size.accumulateAndGet(pos, Math::max);
        } catch (IOException | RuntimeException e) {
            throw new BlockException(Errno.of(e), e);
        }
    }

    @Override
    public void discard(long offset, long length) throws BlockException {
        // Java cannot punch holes; zeroes give the same contents QEMU's punched hole reads as
        long end = Math.min(offset + length, length());
        if (end > offset) {
            writeZeroes(offset, end - offset);
        }
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
        Object s = seek.get();
        if (s == null) {
            SeekData opened = SeekData.open(filename);
            s = opened == null ? NO_SEEK : opened;
            if (!seek.compareAndSet(null, s)) {
                if (opened != null) {
                    opened.close(); // another request opened one first
                }
                s = seek.get();
            } else if (closed && opened != null && seek.compareAndSet(opened, NO_SEEK)) {
                opened.close(); // closed meanwhile
                return null;
            }
        }
        return s instanceof SeekData d ? d.find(offset) : null;
    }

    @Override
    public long probeDirectIoAlignment() throws OpenException {
        return DirectIoAlignment.probe(filename);
    }

    @Override
    public void close() throws BlockException {
        closed = true;
        if (seek.getAndSet(NO_SEEK) instanceof SeekData d) {
            d.close();
        }
        try {
            channel.close();
        } catch (IOException e) {
            throw new BlockException(Errno.of(e), e);
        }
    }
}
