package org.blkdebug.engine.crash;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A write log ({@code --log-writes FILE}), as dm-log-writes keeps one: every write, write-zeroes,
 * discard, FUA write, flush and resize the disk completed, plus {@code mark} entries, in the order
 * the disk completed them. A flush is placed where it was issued: the entries before it are
 * exactly the ones it made durable, so replaying up to a flush rebuilds the durable image at that
 * point. Our own format (little-endian):
 *
 * <pre>
 * header  "BLKDLOG1"  u32 version=1  u32 sector size=512  u64 image length at start  u64 0
 * record  u8 type  u8 flags(1=FUA)  u16 0  u32 name length  u64 offset  u64 length  [data | name]
 * </pre>
 *
 * Types: 1 write (length bytes of data follow), 2 write-zeroes, 3 discard, 4 flush, 5 mark (the
 * name follows), 6 resize (offset = the new length). Records are numbered from 1.
 */
public final class WriteLog implements AutoCloseable {
    static final byte[] MAGIC = "BLKDLOG1".getBytes(StandardCharsets.US_ASCII);
    static final int HEADER = 32;
    static final int RECORD_HEADER = 24;

    /** What a record is. */
    public enum Type {
        WRITE(1), WRITE_ZEROES(2), DISCARD(3), FLUSH(4), MARK(5), RESIZE(6);

        final int code;

        Type(int code) {
            this.code = code;
        }

        static Type of(int code) throws IOException {
            for (Type t : values()) {
                if (t.code == code) {
                    return t;
                }
            }
            throw new IOException("not a blkdebug write log: record type " + code);
        }

        /** Lower case with dashes, as {@code replay --list} prints it. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    /**
     * One record.
     *
     * @param number  from 1, in log order
     * @param offset  for a resize, the new length
     * @param mark    a mark's name, else null
     * @param dataAt  where a write's data starts in the log file
     */
    public record Record(long number, Type type, boolean fua, long offset, long length, String mark, long dataAt) {
        /** True at a persistence point of {@code replay --check-at flush|fua}. */
        public boolean isFlush() {
            return type == Type.FLUSH;
        }

        public boolean isFua() {
            return fua && (type == Type.WRITE || type == Type.WRITE_ZEROES);
        }

        @Override
        public String toString() {
            return switch (type) {
                case FLUSH -> number + " flush";
                case MARK -> number + " mark " + mark;
                case RESIZE -> number + " resize " + offset;
                default -> number + " " + type.label() + (fua ? " fua" : "") + " " + offset + " " + length;
            };
        }
    }

    private final FileChannel channel;
    private final int sectorSize;
    private final long initialLength;
    private final List<Record> records;

    private WriteLog(FileChannel channel, int sectorSize, long initialLength, List<Record> records) {
        this.channel = channel;
        this.sectorSize = sectorSize;
        this.initialLength = initialLength;
        this.records = records;
    }

    /** Reads a log's records (not their data). A log cut short by a crash ends at its last whole record. */
    public static WriteLog open(Path file) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        try {
            ByteBuffer h = ByteBuffer.allocate(HEADER).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, h, 0);
            byte[] magic = new byte[MAGIC.length];
            h.flip().get(magic);
            if (!java.util.Arrays.equals(magic, MAGIC)) {
                throw new IOException(file + " is not a blkdebug write log");
            }
            int version = h.getInt();
            if (version != 1) {
                throw new IOException(file + ": write log version " + version + " is not supported");
            }
            int sector = h.getInt();
            long initial = h.getLong();
            List<Record> out = new ArrayList<>();
            long pos = HEADER;
            long size = ch.size();
            ByteBuffer r = ByteBuffer.allocate(RECORD_HEADER).order(ByteOrder.LITTLE_ENDIAN);
            while (pos + RECORD_HEADER <= size) {
                r.clear();
                readFully(ch, r, pos);
                r.flip();
                Type type = Type.of(r.get() & 0xff);
                boolean fua = (r.get() & 1) != 0;
                r.getShort();
                int nameLen = r.getInt();
                long offset = r.getLong();
                long length = r.getLong();
                long payload = type == Type.WRITE ? length : type == Type.MARK ? nameLen : 0;
                if (payload < 0 || pos + RECORD_HEADER + payload > size) {
                    break; // the last record was cut short
                }
                String mark = null;
                if (type == Type.MARK) {
                    ByteBuffer n = ByteBuffer.allocate(nameLen);
                    readFully(ch, n, pos + RECORD_HEADER);
                    mark = new String(n.array(), StandardCharsets.UTF_8);
                }
                out.add(new Record(out.size() + 1, type, fua, offset, length, mark, pos + RECORD_HEADER));
                pos += RECORD_HEADER + payload;
            }
            return new WriteLog(ch, sector, initial, List.copyOf(out));
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    public List<Record> records() {
        return records;
    }

    public int sectorSize() {
        return sectorSize;
    }

    /** The image's length when logging started. */
    public long initialLength() {
        return initialLength;
    }

    /** Reads {@code dst.remaining()} bytes of a write's data, starting {@code skip} bytes into it. */
    public void readData(Record r, long skip, ByteBuffer dst) throws IOException {
        readFully(channel, dst, r.dataAt() + skip);
    }

    /** The record a {@code --to} target names: a mark's name (its last use), else a record number. */
    public Record find(String target) throws IOException {
        Record found = null;
        for (Record r : records) {
            if (r.type == Type.MARK && r.mark.equals(target)) {
                found = r;
            }
        }
        if (found != null) {
            return found;
        }
        if (target.matches("[0-9]+")) {
            long n = Long.parseLong(target);
            if (n >= 1 && n <= records.size()) {
                return records.get((int) (n - 1));
            }
            throw new IOException("the log has " + records.size() + " entries, not " + n);
        }
        throw new IOException("no mark '" + target + "' in the log");
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long pos) throws IOException {
        while (b.hasRemaining()) {
            int n = ch.read(b, pos);
            if (n < 0) {
                throw new EOFException();
            }
            pos += n;
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
