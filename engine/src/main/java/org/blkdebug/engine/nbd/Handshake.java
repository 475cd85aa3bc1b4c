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
 * Supports EXPORT_NAME, ABORT, LIST, INFO, GO, STRUCTURED_REPLY and LIST/SET_META_CONTEXT
 * ({@code base:allocation}); STARTTLS gets {@code NBD_REP_ERR_POLICY} (qemu-nbd's answer without
 * TLS credentials: this server runs in the spec's NOTLS mode), every other option
 * {@code NBD_REP_ERR_UNSUP}.
 */
final class Handshake {
    /**
     * The outcome of a successful negotiation.
     *
     * @param baseAllocation the client selected {@code base:allocation}, so it may ask for block status
     */
    record Result(Export export, boolean structuredReplies, boolean baseAllocation) {
    }

    /** Reads the device's size when the client picks the export. */
    @FunctionalInterface
    interface ExportSource {
        Export get(boolean structuredReplies) throws IOException;
    }

    private static final int OPT_STARTTLS = 5;
    private static final int REP_ERR_POLICY = 0x80000002;

    private final SocketChannel ch;
    private final ExportSource exports;
    private final String exportName;
    /** Sent after the name in NBD_OPT_LIST's reply, as qemu-nbd does; null for none. */
    private final String description;
    private boolean noZeroes;
    private boolean structured;
    /** base:allocation was selected by the last SET_META_CONTEXT. */
    private boolean baseAllocation;

    private Handshake(SocketChannel ch, String exportName, String description, ExportSource exports) {
        this.ch = ch;
        this.exportName = exportName;
        this.description = description;
        this.exports = exports;
    }

    /**
     * Runs the negotiation on {@code ch}.
     *
     * @return the export and options the client chose, or null when it ended with NBD_OPT_ABORT
     * @throws NbdProtocolException for a client to drop (bad magic, unknown flags, unknown export
     *                              with EXPORT_NAME, which cannot be refused politely)
     */
    static Result negotiate(SocketChannel ch, String exportName, String description, ExportSource exports)
            throws IOException {
        return new Handshake(ch, exportName, description, exports).run();
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
                case OPT_LIST_META_CONTEXT, OPT_SET_META_CONTEXT -> metaContext(option, data);
                case OPT_STARTTLS -> reply(option, data.hasRemaining() ? REP_ERR_INVALID : REP_ERR_POLICY, null);
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
        Export e = exports.get(structured);
        ByteBuffer b = ByteBuffer.allocate(10 + (noZeroes ? 0 : 124));
        b.putLong(e.size()).putShort((short) e.flags());
        b.position(b.limit());
        Wire.writeFully(ch, b.flip());
        return new Result(e, structured, baseAllocation);
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
        byte[] text = description == null ? new byte[0] : description.getBytes(StandardCharsets.UTF_8);
        reply(OPT_LIST, REP_SERVER, ByteBuffer.allocate(4 + name.length + text.length).putInt(name.length).put(name)
                .put(text).flip());
        reply(OPT_LIST, REP_ACK, null);
    }

    private void structuredReply(ByteBuffer data) throws IOException {
        if (data.hasRemaining() || structured) { // qemu-nbd: "structured reply already negotiated"
            reply(OPT_STRUCTURED_REPLY, REP_ERR_INVALID, null);
            return;
        }
        structured = true;
        reply(OPT_STRUCTURED_REPLY, REP_ACK, null);
    }

    /**
     * NBD_OPT_LIST_META_CONTEXT / NBD_OPT_SET_META_CONTEXT: export name, then queries. The one
     * context is {@code base:allocation}; {@code base:} lists it (LIST only), LIST without queries
     * lists it, queries of other namespaces are ignored, as the spec and qemu-nbd do. SET replaces
     * the selection even when it fails.
     */
    private void metaContext(int option, ByteBuffer data) throws IOException {
        boolean set = option == OPT_SET_META_CONTEXT;
        if (set) {
            baseAllocation = false;
            if (!structured) {
                reply(option, REP_ERR_INVALID, null);
                return;
            }
        }
        String name = lengthPrefixed(data);
        if (name == null || data.remaining() < 4) {
            reply(option, REP_ERR_INVALID, null);
            return;
        }
        long queries = Integer.toUnsignedLong(data.getInt());
        boolean selected = !set && queries == 0;
        for (long i = 0; i < queries; i++) {
            String query = lengthPrefixed(data);
            if (query == null) {
                reply(option, REP_ERR_INVALID, null);
                return;
            }
            selected |= BASE_ALLOCATION.equals(query) || !set && "base:".equals(query);
        }
        if (data.hasRemaining()) {
            reply(option, REP_ERR_INVALID, null);
            return;
        }
        if (!name.equals(exportName)) {
            reply(option, REP_ERR_UNKNOWN, null);
            return;
        }
        if (selected) {
            byte[] c = BASE_ALLOCATION.getBytes(StandardCharsets.UTF_8);
            reply(option, REP_META_CONTEXT, ByteBuffer.allocate(4 + c.length).putInt(META_ID_BASE_ALLOCATION)
                    .put(c).flip());
        }
        baseAllocation = set && selected;
        reply(option, REP_ACK, null);
    }

    /**
     * A 32-bit length and that many bytes of UTF-8; null when it runs past the data or is not a
     * valid string. A string longer than the spec's 4096 bytes is skipped and reads as "".
     */
    private static String lengthPrefixed(ByteBuffer data) {
        if (data.remaining() < 4) {
            return null;
        }
        long n = Integer.toUnsignedLong(data.getInt());
        if (n > data.remaining()) {
            return null;
        }
        if (n > MAX_STRING) {
            data.position(data.position() + (int) n);
            return "";
        }
        return string(data, (int) n);
    }

    /**
     * NBD_OPT_INFO / NBD_OPT_GO: export name, then the info types the client wants. The export
     * info always goes out and so does the block size, as qemu-nbd does: the true minimum for INFO
     * or a client that asked for it, else 1 (a client that did not ask may send unaligned requests,
     * which the block layer accepts anyway, by read-modify-write). INFO from a client that did not
     * ask, of an export whose minimum is above 1, ends with NBD_REP_ERR_BLOCK_SIZE_REQD (qemu-nbd).
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
        Export e = exports.get(structured);
        if (wantsName) {
            byte[] n = exportName.getBytes(StandardCharsets.UTF_8);
            reply(option, REP_INFO, ByteBuffer.allocate(2 + n.length).putShort((short) INFO_NAME).put(n).flip());
        }
        if (e.description() != null) {
            byte[] d = e.description().getBytes(StandardCharsets.UTF_8);
            reply(option, REP_INFO, ByteBuffer.allocate(2 + d.length).putShort((short) INFO_DESCRIPTION).put(d).flip());
        }
        boolean trueMinimum = option == OPT_INFO || wantsBlockSize;
        reply(option, REP_INFO, ByteBuffer.allocate(14).putShort((short) INFO_BLOCK_SIZE)
                .putInt(trueMinimum ? e.minBlock() : 1).putInt(e.preferredBlock()).putInt(e.maxBlock()).flip());
        reply(option, REP_INFO, ByteBuffer.allocate(12).putShort((short) INFO_EXPORT).putLong(e.size())
                .putShort((short) e.flags()).flip());
        if (option == OPT_INFO && !wantsBlockSize && e.minBlock() > 1) {
            reply(option, REP_ERR_BLOCK_SIZE_REQD, null);
            return null;
        }
        reply(option, REP_ACK, null);
        return option == OPT_GO ? new Result(e, structured, baseAllocation) : null;
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
