package org.blkdebug.engine.nbd;

import java.nio.ByteBuffer;

/**
 * One transmission-phase request header. {@code offset} is unsigned on the wire (negative here
 * means beyond 2^63); {@code length} is the unsigned 32-bit count.
 */
record RequestHeader(int flags, int type, long cookie, long offset, long length) {

    /** Parses a 28-byte header. */
    static RequestHeader parse(ByteBuffer b) throws NbdProtocolException {
        int magic = b.getInt();
        if (magic != Protocol.REQUEST_MAGIC) {
            throw new NbdProtocolException(String.format("bad request magic 0x%08x", magic));
        }
        int flags = Short.toUnsignedInt(b.getShort());
        int type = Short.toUnsignedInt(b.getShort());
        long cookie = b.getLong();
        long offset = b.getLong();
        long length = Integer.toUnsignedLong(b.getInt());
        return new RequestHeader(flags, type, cookie, offset, length);
    }

    /** True when the request carries a payload that follows the header on the wire. */
    boolean hasPayload() {
        return type == Protocol.CMD_WRITE;
    }

    boolean has(int flag) {
        return (flags & flag) != 0;
    }

    String describe() {
        return Protocol.commandName(type) + " offset=" + Long.toUnsignedString(offset) + " length=" + length;
    }
}
