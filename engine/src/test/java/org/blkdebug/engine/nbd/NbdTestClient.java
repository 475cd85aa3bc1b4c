package org.blkdebug.engine.nbd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.blkdebug.engine.nbd.Protocol.*;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A small pure-Java NBD client for protocol tests: raw bytes when a test wants to misbehave,
 * helpers for the usual negotiation and commands. Blocking; tests bound it with {@code @Timeout}
 * (an interrupt closes the channel).
 */
final class NbdTestClient implements AutoCloseable {
    /** A reply to an option. */
    record OptionReply(int option, int type, ByteBuffer data) {
    }

    /** What negotiation ended with. */
    record Negotiated(long size, int flags, int minBlock, int preferredBlock, int maxBlock) {
        boolean has(int flag) {
            return (flags & flag) != 0;
        }
    }

    /** A transmission reply: simple or one structured chunk. */
    record Reply(long cookie, int error, byte[] data, boolean structured, int chunkType, long offset,
                 String message) {
        /** A BLOCK_STATUS chunk's descriptors: length, flags, length, flags, ... */
        int[] extents() {
            ByteBuffer b = ByteBuffer.wrap(data);
            int[] e = new int[data.length / 4];
            for (int i = 0; i < e.length; i++) {
                e[i] = b.getInt();
            }
            return e;
        }
    }

    final SocketChannel ch;
    /** Read lengths by cookie: a simple read reply's data length is known only from the request. */
    private final Map<Long, Integer> reads = new ConcurrentHashMap<>();

    private NbdTestClient(SocketChannel ch) {
        this.ch = ch;
    }

    static NbdTestClient connect(SocketAddress address) throws IOException {
        SocketChannel ch = SocketChannel.open(address instanceof UnixDomainSocketAddress
                ? java.net.StandardProtocolFamily.UNIX : java.net.StandardProtocolFamily.INET);
        ch.connect(address);
        return new NbdTestClient(ch);
    }

    /** Connects and negotiates with NBD_OPT_GO (asking for block sizes). */
    static NbdTestClient open(NbdServer server, boolean structured) throws IOException {
        NbdTestClient c = connect(server.address());
        c.handshake();
        if (structured) {
            c.structuredReplies();
        }
        c.go("");
        return c;
    }

    // ---- raw --------------------------------------------------------------------------------------

    void send(ByteBuffer b) throws IOException {
        Wire.writeFully(ch, b);
    }

    void sendBytes(byte[] b) throws IOException {
        send(ByteBuffer.wrap(b));
    }

    ByteBuffer read(int n) throws IOException {
        return Wire.readExactly(ch, ByteBuffer.allocate(n));
    }

    /** True when the server has closed the connection (reads end of stream). */
    boolean closedByServer() throws IOException {
        try {
            return ch.read(ByteBuffer.allocate(1)) < 0;
        } catch (IOException e) {
            return true; // reset by peer
        }
    }

    /** Reads and drops whatever the server still sends; true once it has closed the connection. */
    boolean closedByServerAfterDraining() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(64 << 10);
        try {
            while (ch.read(b.clear()) >= 0) {
                // replies nobody wants any more
            }
            return true;
        } catch (IOException e) {
            return true; // reset by peer
        }
    }

    // ---- negotiation ------------------------------------------------------------------------------

    /** Reads the greeting and answers with fixed newstyle + no zeroes; returns the handshake flags. */
    int handshake() throws IOException {
        int flags = greeting();
        send(ByteBuffer.allocate(4).putInt(FLAG_FIXED_NEWSTYLE | FLAG_NO_ZEROES).flip());
        return flags;
    }

    int greeting() throws IOException {
        ByteBuffer g = read(18);
        assertThat(g.getLong()).isEqualTo(NBDMAGIC);
        assertThat(g.getLong()).isEqualTo(IHAVEOPT);
        return Short.toUnsignedInt(g.getShort());
    }

    void option(int option, ByteBuffer data) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(16 + data.remaining()).putLong(IHAVEOPT).putInt(option)
                .putInt(data.remaining()).put(data).flip();
        send(b);
    }

    OptionReply optionReply() throws IOException {
        ByteBuffer h = read(20);
        assertThat(h.getLong()).isEqualTo(REPLY_MAGIC);
        int option = h.getInt();
        int type = h.getInt();
        int len = h.getInt();
        return new OptionReply(option, type, read(len));
    }

    void structuredReplies() throws IOException {
        option(OPT_STRUCTURED_REPLY, ByteBuffer.allocate(0));
        assertThat(optionReply().type()).isEqualTo(REP_ACK);
    }

    static ByteBuffer infoRequest(String name, int... infos) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(4 + n.length + 2 + 2 * infos.length).putInt(n.length).put(n)
                .putShort((short) infos.length);
        for (int i : infos) {
            b.putShort((short) i);
        }
        return b.flip();
    }

    /** The data of NBD_OPT_LIST/SET_META_CONTEXT: export name and queries. */
    static ByteBuffer metaRequest(String name, String... queries) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        int size = 4 + n.length + 4;
        for (String q : queries) {
            size += 4 + q.getBytes(StandardCharsets.UTF_8).length;
        }
        ByteBuffer b = ByteBuffer.allocate(size).putInt(n.length).put(n).putInt(queries.length);
        for (String q : queries) {
            byte[] x = q.getBytes(StandardCharsets.UTF_8);
            b.putInt(x.length).put(x);
        }
        return b.flip();
    }

    /** Sends a LIST or SET_META_CONTEXT; returns the contexts replied, as "id:name", once it is acked. */
    List<String> metaContext(int option, String name, String... queries) throws IOException {
        option(option, metaRequest(name, queries));
        List<String> out = new ArrayList<>();
        while (true) {
            OptionReply r = optionReply();
            assertThat(r.option()).isEqualTo(option);
            if (r.type() == REP_ACK) {
                return out;
            }
            assertThat(r.type()).as("reply type").isEqualTo(REP_META_CONTEXT);
            int id = r.data().getInt();
            out.add(id + ":" + StandardCharsets.UTF_8.decode(r.data()));
        }
    }

    /** Connects, negotiates structured replies and base:allocation, and enters transmission. */
    static NbdTestClient openWithBlockStatus(NbdServer server) throws IOException {
        NbdTestClient c = connect(server.address());
        c.handshake();
        c.structuredReplies();
        assertThat(c.metaContext(OPT_SET_META_CONTEXT, "", BASE_ALLOCATION)).hasSize(1);
        c.go("");
        return c;
    }

    /** NBD_OPT_GO (or INFO) for {@code name}, asking for the block size; replies until ACK. */
    Negotiated go(String name) throws IOException {
        return infoOrGo(OPT_GO, name, INFO_BLOCK_SIZE);
    }

    Negotiated infoOrGo(int option, String name, int... infos) throws IOException {
        option(option, infoRequest(name, infos));
        long size = -1;
        int flags = 0;
        int[] bs = {0, 0, 0};
        while (true) {
            OptionReply r = optionReply();
            assertThat(r.option()).isEqualTo(option);
            if (r.type() == REP_ACK) {
                return new Negotiated(size, flags, bs[0], bs[1], bs[2]);
            }
            if (r.type() != REP_INFO) {
                throw new IOException(String.format("option %d failed: reply type 0x%x", option, r.type()));
            }
            int info = Short.toUnsignedInt(r.data().getShort());
            if (info == INFO_EXPORT) {
                size = r.data().getLong();
                flags = Short.toUnsignedInt(r.data().getShort());
            } else if (info == INFO_BLOCK_SIZE) {
                bs = new int[] {r.data().getInt(), r.data().getInt(), r.data().getInt()};
            }
        }
    }

    // ---- transmission -----------------------------------------------------------------------------

    void request(int flags, int type, long cookie, long offset, long length, byte[] payload) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(REQUEST_HEADER + (payload == null ? 0 : payload.length))
                .putInt(REQUEST_MAGIC).putShort((short) flags).putShort((short) type).putLong(cookie)
                .putLong(offset).putInt((int) length);
        if (payload != null) {
            b.put(payload);
        }
        if (type == CMD_READ) {
            reads.put(cookie, (int) length);
        }
        send(b.flip());
    }

    Reply reply() throws IOException {
        int magic = read(4).getInt();
        if (magic == SIMPLE_REPLY_MAGIC) {
            ByteBuffer h = read(12);
            int error = h.getInt();
            long cookie = h.getLong();
            Integer len = reads.remove(cookie);
            byte[] data = error == 0 && len != null ? read(len).array() : new byte[0];
            return new Reply(cookie, error, data, false, -1, -1, null);
        }
        assertThat(magic).as("reply magic").isEqualTo(STRUCTURED_REPLY_MAGIC);
        ByteBuffer h = read(16);
        int flags = Short.toUnsignedInt(h.getShort());
        int type = Short.toUnsignedInt(h.getShort());
        long cookie = h.getLong();
        int len = h.getInt();
        assertThat(flags & REPLY_FLAG_DONE).as("our server sends one chunk per reply").isNotZero();
        ByteBuffer p = read(len);
        reads.remove(cookie);
        if (type == REPLY_TYPE_OFFSET_DATA) {
            long offset = p.getLong();
            byte[] data = new byte[p.remaining()];
            p.get(data);
            return new Reply(cookie, 0, data, true, type, offset, null);
        }
        if (type == REPLY_TYPE_BLOCK_STATUS) {
            int context = p.getInt();
            byte[] raw = new byte[p.remaining()];
            p.get(raw);
            return new Reply(cookie, 0, raw, true, type, context, null);
        }
        if (type == REPLY_TYPE_ERROR) {
            int error = p.getInt();
            byte[] msg = new byte[Short.toUnsignedInt(p.getShort())];
            p.get(msg);
            return new Reply(cookie, error, new byte[0], true, type, -1, new String(msg, StandardCharsets.UTF_8));
        }
        return new Reply(cookie, 0, new byte[0], true, type, -1, null);
    }

    Reply read(long cookie, long offset, int length) throws IOException {
        request(0, CMD_READ, cookie, offset, length, null);
        return reply();
    }

    Reply write(long cookie, long offset, byte[] data, int flags) throws IOException {
        request(flags, CMD_WRITE, cookie, offset, data.length, data);
        return reply();
    }

    void disconnect() throws IOException {
        request(0, CMD_DISC, 0, 0, 0, null);
    }

    List<Reply> replies(int n) throws IOException {
        List<Reply> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(reply());
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        ch.close();
    }
}
