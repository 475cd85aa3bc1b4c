package org.blkdebug.junit.example;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32;

/**
 * The code under test of the worked example: a minimal write-ahead log over any FileChannel.
 * A record is {@code [length:int][crc32(payload):int][payload]}; {@link #append} writes one
 * record at a reserved offset and forces the channel before it returns (the commit). Appends
 * may run on several threads at once: each reserves its range, then writes without a lock.
 *
 * <p>Contract: every acknowledged record is recovered. An append that threw may or may not be.
 * After a failed write or force the log stops (fail-stop, as PostgreSQL does since "fsyncgate":
 * the kernel may have dropped the dirty pages, so a later successful force proves nothing).
 *
 * <p>{@link Commit} says when an append acknowledges; two of the three ways are the deliberate
 * bugs that docs/explore.md has explore find.
 */
final class WriteAheadLog {
    static final int HEADER = 8;
    private static final int MAX_RECORD = 1 << 20;

    /** When {@link #append} returns. */
    enum Commit {
        /** Correct: once its record and every earlier one are durable (forced after being written). */
        IN_ORDER,
        /**
         * Bug (ordering): once its own record is forced. An earlier append still writing leaves a
         * hole in front of it, and recovery stops at the hole: an acknowledged record is lost.
         */
        ON_OWN_FORCE,
        /** Bug (missing fsync): once its record is written, never forced; a power cut loses it. */
        WITHOUT_FORCE
    }

    private final FileChannel channel;
    private final Commit commit;
    /** The next record's offset; appends reserve their range here, then write without a lock. */
    private final AtomicLong tail;
    private volatile boolean failed;
    /** Guards {@link #durableEnd} and {@link #durable}; held only to update them or wait, never across I/O. */
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition advanced = lock.newCondition();
    /** Every record before this offset is durable. Guarded by lock. */
    private long durableEnd;
    /** Records durable beyond {@link #durableEnd}, start to end, waiting for the gap before them. Guarded by lock. */
    private final TreeMap<Long, Long> durable = new TreeMap<>();

    /** The correct log ({@link Commit#IN_ORDER}). */
    WriteAheadLog(FileChannel channel) throws IOException {
        this(channel, Commit.IN_ORDER);
    }

    WriteAheadLog(FileChannel channel, Commit commit) throws IOException {
        this.channel = channel;
        this.commit = commit;
        this.tail = new AtomicLong(recover(channel).end());
        this.durableEnd = tail.get();
    }

    /** Appends and commits one record; returns its offset. */
    long append(String payload) throws IOException {
        if (failed) {
            throw new IllegalStateException("the log failed a commit: reopen it and recover");
        }
        byte[] p = payload.getBytes(UTF_8);
        ByteBuffer rec = ByteBuffer.allocate(HEADER + p.length).putInt(p.length).putInt(crc(p)).put(p).flip();
        long at = tail.getAndAdd(rec.remaining());
        long end = at + rec.remaining();
        try {
            while (rec.hasRemaining()) {
                channel.write(rec, at + rec.position());
            }
            if (commit != Commit.WITHOUT_FORCE) {
                channel.force(false);
            }
        } catch (IOException e) {
            failed = true;
            signal();
            throw e;
        }
        if (commit == Commit.IN_ORDER) {
            awaitEarlierRecords(at, end);
        }
        return at;
    }

    /** Marks [at, end) durable and waits until everything before it is; throws if that never comes. */
    private void awaitEarlierRecords(long at, long end) throws IOException {
        lock.lock();
        try {
            durable.put(at, end);
            for (Map.Entry<Long, Long> e; (e = durable.firstEntry()) != null && e.getKey() == durableEnd; ) {
                durableEnd = durable.pollFirstEntry().getValue();
            }
            advanced.signalAll();
            while (durableEnd < end) {
                if (failed) {
                    throw new IOException("an earlier record failed to commit; this one is not acknowledged");
                }
                advanced.awaitUninterruptibly();
            }
        } finally {
            lock.unlock();
        }
    }

    private void signal() {
        lock.lock();
        try {
            advanced.signalAll();
        } finally {
            lock.unlock();
        }
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
