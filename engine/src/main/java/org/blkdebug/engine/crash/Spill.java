package org.blkdebug.engine.crash;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.Errno;
import org.blkdebug.engine.block.IoVec;

/**
 * Where volatile data goes once the cache holds more than its memory limit: an append-only file
 * next to the image (or in the temp directory for a memory image), made on first use and removed
 * at close. It is emptied whenever the cache is.
 *
 * <p>Appends are serialised by the cache's lock; reads are positional and may run concurrently.
 */
final class Spill implements AutoCloseable {
    private final Path dir;
    private final String prefix;
    private FileChannel channel;
    private Path file;
    /** Guarded by the cache's lock. */
    private long size;

    Spill(Path dir, String prefix) {
        this.dir = dir;
        this.prefix = prefix;
    }

    /** Appends {@code src}'s bytes; returns where they start. Cache lock held. */
    long append(IoVec src) throws BlockException {
        try {
            if (channel == null) {
                file = Files.createTempFile(dir, prefix, ".volatile");
                channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE,
                        StandardOpenOption.DELETE_ON_CLOSE);
            }
            long at = size;
            long pos = at;
            for (ByteBuffer b : src.segments()) {
                while (b.hasRemaining()) {
                    pos += channel.write(b, pos);
                }
            }
            size = pos;
            return at;
        } catch (IOException e) {
            throw new BlockException(Errno.of(e), e);
        }
    }

    void read(long at, ByteBuffer dst) throws BlockException {
        try {
            long pos = at;
            while (dst.hasRemaining()) {
                int n = channel.read(dst, pos);
                if (n < 0) {
                    throw new BlockException(Errno.EIO);
                }
                pos += n;
            }
        } catch (IOException e) {
            throw new BlockException(Errno.of(e), e);
        }
    }

    /** Nothing references the file any more: start again from its beginning. Cache lock held. */
    void reset() {
        if (channel != null && size > 0) {
            try {
                channel.truncate(0);
            } catch (IOException e) {
                // keeps growing from where it is; it is removed at close anyway
                return;
            }
            size = 0;
        }
    }

    long size() {
        return size;
    }

    Path file() {
        return file;
    }

    @Override
    public void close() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // DELETE_ON_CLOSE; nothing else to do
            }
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // best effort
            }
            channel = null;
        }
    }
}
