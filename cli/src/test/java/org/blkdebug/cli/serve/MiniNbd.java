package org.blkdebug.cli.serve;

import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * The smallest NBD client the serve tests need: fixed newstyle, NBD_OPT_EXPORT_NAME, simple
 * replies, one request at a time. Blocking; tests bound it with {@code @Timeout}.
 */
final class MiniNbd implements AutoCloseable {
    private final SocketChannel ch;
    final long size;

    private MiniNbd(SocketChannel ch, long size) {
        this.ch = ch;
        this.size = size;
    }

    static MiniNbd open(Path socket) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(socket));
            read(ch, 18); // NBDMAGIC, IHAVEOPT, handshake flags
            write(ch, ByteBuffer.allocate(4).putInt(3).flip()); // FIXED_NEWSTYLE | NO_ZEROES
            write(ch, ByteBuffer.allocate(16).putLong(0x49484156454F5054L).putInt(1 /* EXPORT_NAME */).putInt(0).flip());
            long size = read(ch, 10).getLong();
            return new MiniNbd(ch, size);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** NBD_CMD_WRITE; returns the reply's error (0 for success). */
    int write(long offset, byte[] data) throws IOException {
        request(1, offset, data.length);
        write(ch, ByteBuffer.wrap(data));
        return reply();
    }

    /** NBD_CMD_READ; the data, or null when the reply carries an error. */
    byte[] read(long offset, int length) throws IOException {
        request(0, offset, length);
        return reply() == 0 ? read(ch, length).array() : null;
    }

    int trim(long offset, int length) throws IOException {
        request(4, offset, length);
        return reply();
    }

    int flush() throws IOException {
        request(3, 0, 0);
        return reply();
    }

    /** Sends a write and does not wait for its reply (a request a test parks at a breakpoint). */
    void sendWrite(long offset, byte[] data) throws IOException {
        request(1, offset, data.length);
        write(ch, ByteBuffer.wrap(data));
    }

    int reply() throws IOException {
        ByteBuffer r = read(ch, 16);
        if (r.getInt() != 0x67446698) {
            throw new IOException("not a simple reply");
        }
        return r.getInt();
    }

    private void request(int type, long offset, int length) throws IOException {
        write(ch, ByteBuffer.allocate(28).putInt(0x25609513).putShort((short) 0).putShort((short) type).putLong(7)
                .putLong(offset).putInt(length).flip());
    }

    @Override
    public void close() throws IOException {
        try {
            request(2, 0, 0); // NBD_CMD_DISC
        } catch (IOException ignored) {
            // the server is gone already
        }
        ch.close();
    }

    private static ByteBuffer read(SocketChannel ch, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                throw new EOFException("server closed the connection");
            }
        }
        return b.flip();
    }

    private static void write(SocketChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }
}
