package org.blkdebug.engine.crash;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.Errno;

/**
 * Appends to a {@link WriteLog}. Called by the cache under its lock, so records go in the order
 * the disk completed them. While a flush is in flight, the records of writes that complete meanwhile
 * wait in memory and follow the flush's own record: the log then reads "what the flush covered,
 * the flush, what came after", as dm-log-writes writes it.
 */
final class WriteLogWriter implements AutoCloseable {
    private final FileChannel channel;
    private final OutputStream out;
    /** Records completed during the flush in flight; null when none is. */
    private ByteArrayOutputStream pending;
    private final ByteBuffer header = ByteBuffer.allocate(WriteLog.RECORD_HEADER).order(ByteOrder.LITTLE_ENDIAN);

    WriteLogWriter(Path file, long initialLength) throws IOException {
        channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        out = new java.io.BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
        ByteBuffer h = ByteBuffer.allocate(WriteLog.HEADER).order(ByteOrder.LITTLE_ENDIAN);
        h.put(WriteLog.MAGIC).putInt(1).putInt(512).putLong(initialLength).putLong(0);
        out.write(h.array());
    }

    private OutputStream sink() {
        return pending != null ? pending : out;
    }

    private void record(OutputStream o, WriteLog.Type type, boolean fua, int nameLen, long offset, long length)
            throws IOException {
        header.clear();
        header.put((byte) type.code).put((byte) (fua ? 1 : 0)).putShort((short) 0).putInt(nameLen)
                .putLong(offset).putLong(length);
        o.write(header.array());
    }

    void entry(Entry e) throws BlockException {
        try {
            OutputStream o = sink();
            WriteLog.Type t = switch (e.kind()) {
                case WRITE -> WriteLog.Type.WRITE;
                case ZEROES, ZEROES_UNMAP -> WriteLog.Type.WRITE_ZEROES;
                case DISCARD -> WriteLog.Type.DISCARD;
            };
            record(o, t, e.fua(), 0, e.offset(), e.length());
            if (e.hasData()) {
                if (e.mem() != null && e.mem().buffer().hasArray()) {
                    ByteBuffer b = e.mem().buffer();
                    o.write(b.array(), b.arrayOffset(), (int) e.length());
                } else {
                    byte[] chunk = new byte[(int) Math.min(e.length(), 1 << 16)];
                    for (long done = 0; done < e.length(); ) {
                        int n = (int) Math.min(chunk.length, e.length() - done);
                        e.copy(done, n, ByteBuffer.wrap(chunk, 0, n));
                        o.write(chunk, 0, n);
                        done += n;
                    }
                }
            }
        } catch (IOException ex) {
            throw failed(ex);
        }
    }

    void resize(long length) throws BlockException {
        try {
            record(sink(), WriteLog.Type.RESIZE, false, 0, length, 0);
        } catch (IOException ex) {
            throw failed(ex);
        }
    }

    void mark(String name) throws BlockException {
        try {
            byte[] n = name.getBytes(StandardCharsets.UTF_8);
            OutputStream o = sink();
            record(o, WriteLog.Type.MARK, false, n.length, 0, 0);
            o.write(n);
        } catch (IOException ex) {
            throw failed(ex);
        }
    }

    void flushIssued() {
        pending = new ByteArrayOutputStream();
    }

    /** @param completed false when the flush failed: it made nothing durable and gets no record */
    void flushEnded(boolean completed) throws BlockException {
        ByteArrayOutputStream p = pending;
        pending = null;
        try {
            if (completed) {
                record(out, WriteLog.Type.FLUSH, false, 0, 0, 0);
            }
            if (p != null) {
                p.writeTo(out);
            }
            out.flush(); // a flush is a good moment for the log to reach its file too
        } catch (IOException ex) {
            throw failed(ex);
        }
    }

    private static BlockException failed(IOException e) {
        return new BlockException(Errno.of(e), e);
    }

    @Override
    public void close() {
        try {
            if (pending != null) {
                flushEnded(false);
            }
            out.close();
        } catch (IOException e) {
            // the log ends at its last whole record; a reader stops there
        }
    }
}
