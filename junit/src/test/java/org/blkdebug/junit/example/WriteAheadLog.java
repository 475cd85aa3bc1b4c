package org.blkdebug.junit.example;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;

/**
 * The code under test of the worked example: a minimal write-ahead log over any FileChannel.
 * A record is {@code [length:int][crc32(payload):int][payload]}; {@link #append} writes one
 * record at a reserved offset and forces the channel before it returns (the commit).
 *
 * <p>Contract: every acknowledged record is recovered. An append that threw may or may not be.
 * After a failed force the log stops (fail-stop, as PostgreSQL does since "fsyncgate": the
 * kernel may have dropped the dirty pages, so a later successful force proves nothing).
 */
final class WriteAheadLog {
    static final int HEADER = 8;
    private static final int MAX_RECORD = 1 << 20;

    private final FileChannel channel;
    /** The next record's offset; appends reserve their range here, then write without a lock. */
    private final AtomicLong tail;
    private volatile boolean failed;

    WriteAheadLog(FileChannel channel) throws IOException {
        this.channel = channel;
        this.tail = new AtomicLong(recover(channel).end());
    }

    /** Appends and commits one record; returns its offset. */
    long append(String payload) throws IOException {
        if (failed) {
            throw new IllegalStateException("the log failed a commit: reopen it and recover");
        }
        byte[] p = payload.getBytes(UTF_8);
        ByteBuffer rec = ByteBuffer.allocate(HEADER + p.length).putInt(p.length).putInt(crc(p)).put(p).flip();
        long at = tail.getAndAdd(rec.remaining());
        try {
            while (rec.hasRemaining()) {
                channel.write(rec, at + rec.position());
            }
            channel.force(false);
        } catch (IOException e) {
            failed = true;
            throw e;
        }
        return at;
    }

    /** What recovery found: the records of the valid prefix, and where that prefix ends. */
    record Recovery(List<String> records, long end) {
    }

    /** Scans from the start and stops at the first torn or invalid record (or a zero length: the end). */
    static Recovery recover(FileChannel channel) throws IOException {
        List<String> records = new ArrayList<>();
        long pos = 0;
        long size = channel.size();
        ByteBuffer header = ByteBuffer.allocate(HEADER);
        while (size - pos >= HEADER) {
            header.clear();
            readFully(channel, header, pos);
            int len = header.getInt(0);
            int crc = header.getInt(4);
            if (len <= 0 || len > MAX_RECORD || size - pos - HEADER < len) {
                break;
            }
            ByteBuffer payload = ByteBuffer.allocate(len);
            readFully(channel, payload, pos + HEADER);
            if (crc(payload.array()) != crc) {
                break;
            }
            records.add(new String(payload.array(), UTF_8));
            pos += HEADER + len;
        }
        return new Recovery(records, pos);
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long pos) throws IOException {
        while (b.hasRemaining()) {
            if (ch.read(b, pos + b.position()) < 0) {
                throw new IOException("unexpected end of log");
            }
        }
    }

    static int crc(byte[] b) {
        CRC32 c = new CRC32();
        c.update(b);
        return (int) c.getValue();
    }
}
