package org.blkdebug.engine.nbd;

import static org.blkdebug.engine.nbd.Protocol.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.channels.SocketChannel;

/**
 * The server side of fixed newstyle negotiation: greeting, client flags, then options until the
 * client picks the export ({@code NBD_OPT_GO} or {@code NBD_OPT_EXPORT_NAME}) or gives up.
 * Supports EXPORT_NAME, ABORT, LIST, INFO, GO and STRUCTURED_REPLY; every other option gets
 * {@code NBD_REP_ERR_UNSUP} (TLS included: this server runs in the spec's NOTLS mode).
 */
final class Handshake {
    /** The outcome of a successful negotiation. */
    record Result(Export export, boolean structuredReplies) {
    }

    /** Reads the device's size when the client picks the export. */
    @FunctionalInterface
    interface ExportSource {
        Export get() throws IOException;
    }

    private final SocketChannel ch;
    private final ExportSource exports;
    private final String exportName;
    private boolean noZeroes;
    private boolean structured;

    private Handshake(SocketChannel ch, String exportName, ExportSource exports) {
        this.ch = ch;
        this.exportName = exportName;
        this.exports = exports;
    }

    /**
     * Runs the negotiation on {@code ch}.
     *
     * @return the export and options the client chose, or null when it ended with NBD_OPT_ABORT
     * @throws NbdProtocolException for a client to drop (bad magic, unknown flags, unknown export
     *                              with EXPORT_NAME, which cannot be refused politely)
     */
    static Result negotiate(SocketChannel ch, String exportName, ExportSource exports) throws IOException {
        return new Handshake(ch, exportName, exports).run();
    }

    private Result run() throws IOException {
        Wire.writeFully(ch, ByteBuffer.allocate(18).putLong(NBDMAGIC).putLong(IHAVEOPT)
                .putShort((short) (FLAG_FIXED_NEWSTYLE | FLAG_NO_ZEROES)).flip());
        int clientFlags = Wire.readExactly(ch, ByteBuffer.allocate(4)).getInt();
        if ((clientFlags & ~CLIENT_FLAGS_KNOWN) != 0) {
            throw new NbdProtocolException(String.format("unknown client flags 0x%x", clientFlags));
        }
        noZeroes = (clientFlags & FLAG_NO_ZEROES) != 0;
        ByteBuffer head = ByteBuffer.allocate(16);
        for (int n = 0; n < MAX_OPTIONS; n++) {
            Wire.readExactly(ch, head.clear());
            long magic = head.getLong();
            if (magic != IHAVEOPT) {
                throw new NbdProtocolException(String.format("bad option magic 0x%x", magic));
            }
            int option = head.getInt();
            long length = Integer.toUnsignedLong(head.getInt());
            if (length > MAX_OPTION_LENGTH) {
                throw new NbdProtocolException("option " + option + " too long (" + length + " bytes)");
            }
            ByteBuffer data = Wire.readExactly(ch, ByteBuffer.allocate((int) length));
            switch (option) {
                case OPT_EXPORT_NAME -> {
                    return exportName(data);
                }
                case OPT_ABORT -> {
                    abort();
                    return null;
                }
                case OPT_LIST -> list(data);
                case OPT_STRUCTURED_REPLY -> structuredReply(data);
                case OPT_INFO, OPT_GO -> {
                    Result r = infoOrGo(option, data);
                    if (r != null) {
                        return r;
                    }
                }
                default -> reply(option, REP_ERR_UNSUP, null);
            }
        }
        throw new NbdProtocolException("more than " + MAX_OPTIONS + " options");
    }

    /** Old-style export choice: no way to refuse, so an unknown name drops the client (spec). */
    private Result exportName(ByteBuffer data) throws IOException {
        String name = string(data, data.remaining());
        if (name == null || !name.equals(exportName)) {
            throw new NbdProtocolException("NBD_OPT_EXPORT_NAME of unknown export '" + name + "'");
        }
        Export e = exports.get();
        ByteBuffer b = ByteBuffer.allocate(10 + (noZeroes ? 0 : 124));
        b.putLong(e.size()).putShort((short) e.flags());
        b.position(b.limit());
        Wire.writeFully(ch, b.flip());
        return new Result(e, structured);
    }

    private void abort() {
        try {
            reply(OPT_ABORT, REP_ACK, null);
        } catch (IOException ignored) {
            // the client may hang up without reading the ack; the spec allows it
        }
    }

    private void list(ByteBuffer data) throws IOException {
        if (data.hasRemaining()) {
            reply(OPT_LIST, REP_ERR_INVALID, null);
            return;
        }
        byte[] name = exportName.getBytes(StandardCharsets.UTF_8);
        reply(OPT_LIST, REP_SERVER, ByteBuffer.allocate(4 + name.length).putInt(name.length).put(name).flip());
        reply(OPT_LIST, REP_ACK, null);
    }

    private void structuredReply(ByteBuffer data) throws IOException {
        if (data.hasRemaining()) {
            reply(OPT_STRUCTURED_REPLY, REP_ERR_INVALID, null);
            return;
        }
        structured = true;
        reply(OPT_STRUCTURED_REPLY, REP_ACK, null);
    }

    /**
     * NBD_OPT_INFO / NBD_OPT_GO: export name, then the info types the client wants. The export
     * info always goes out and so does the block size (as qemu-nbd does), with minimum 1 unless the
     * client asked for it: a client that did not ask may send unaligned requests, which the block
     * layer accepts anyway (read-modify-write).
     *
     * @return the result for a successful GO, else null (negotiation continues)
     */
    private Result infoOrGo(int option, ByteBuffer data) throws IOException {
        if (data.remaining() < 6) {
            reply(option, REP_ERR_INVALID, null);
            return null;
        }
        int nameLength = data.getInt();
        if (Integer.toUnsignedLong(nameLength) > data.remaining() - 2) {
            reply(option, REP_ERR_INVALID, null);
            return null;
        }
        String name = string(data, nameLength);
        int requests = Short.toUnsignedInt(data.getShort());
        if (name == null || data.remaining() != 2 * requests) {
            reply(option, REP_ERR_INVALID, null);
            return null;
        }
        boolean wantsBlockSize = false;
        boolean wantsName = false;
        for (int i = 0; i < requests; i++) {
            int info = Short.toUnsignedInt(data.getShort());
            wantsBlockSize |= info == INFO_BLOCK_SIZE;
            wantsName |= info == INFO_NAME;
        }
        if (!name.equals(exportName)) {
            reply(option, REP_ERR_UNKNOWN, null);
            return null;
        }
        Export e = exports.get();
        if (wantsName) {
            byte[] n = exportName.getBytes(StandardCharsets.UTF_8);
            reply(option, REP_INFO, ByteBuffer.allocate(2 + n.length).putShort((short) INFO_NAME).put(n).flip());
        }
        reply(option, REP_INFO, ByteBuffer.allocate(14).putShort((short) INFO_BLOCK_SIZE)
                .putInt(wantsBlockSize ? e.minBlock() : 1).putInt(e.preferredBlock()).putInt(e.maxBlock()).flip());
        reply(option, REP_INFO, ByteBuffer.allocate(12).putShort((short) INFO_EXPORT).putLong(e.size())
                .putShort((short) e.flags()).flip());
        reply(option, REP_ACK, null);
        return option == OPT_GO ? new Result(e, structured) : null;
    }

    private void reply(int option, int type, ByteBuffer payload) throws IOException {
        int length = payload == null ? 0 : payload.remaining();
        ByteBuffer head = ByteBuffer.allocate(20).putLong(REPLY_MAGIC).putInt(option).putInt(type).putInt(length).flip();
        if (payload == null) {
            Wire.writeFully(ch, head);
        } else {
            Wire.writeFully(ch, head, payload);
        }
    }

    /** {@code n} bytes of UTF-8, or null when they are not valid UTF-8 or contain NUL (spec strings). */
    private static String string(ByteBuffer data, int n) {
        ByteBuffer slice = data.slice(data.position(), n);
        data.position(data.position() + n);
        try {
            String s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(slice).toString();
            return s.indexOf('\0') >= 0 ? null : s;
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
