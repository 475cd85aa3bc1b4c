package org.blkdebug.junit.example;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * The worked example's broken variant of {@link WriteAheadLog}: the same record format and the
 * same recovery, but an append writes the record's header and its payload as two writes and does
 * not order them: it forces after the header (in its author's mind the header is the commit
 * point) and acknowledges once the payload is written, without forcing again. The payload of an
 * acknowledged record can still be in the disk's volatile cache, and a crash then loses the
 * record: recovery finds a header whose checksum its payload does not match.
 */
final class HeaderFirstWriteAheadLog {
    private final FileChannel channel;
    private long tail;

    HeaderFirstWriteAheadLog(FileChannel channel) throws IOException {
        this.channel = channel;
        this.tail = WriteAheadLog.recover(channel).end();
    }

    /** Appends one record and acknowledges it; returns its offset. */
    long append(String payload) throws IOException {
        byte[] p = payload.getBytes(UTF_8);
        long at = tail;
        tail += WriteAheadLog.HEADER + p.length;
        write(ByteBuffer.allocate(WriteAheadLog.HEADER).putInt(p.length).putInt(WriteAheadLog.crc(p)).flip(), at);
        channel.force(false); // the header is durable: "committed"
        write(ByteBuffer.wrap(p), at + WriteAheadLog.HEADER); // BUG: nothing orders this before the ack
        return at;
    }

    private void write(ByteBuffer b, long at) throws IOException {
        while (b.hasRemaining()) {
            channel.write(b, at + b.position());
        }
    }
}
