package org.blkdebug.engine.nbd;

/**
 * The NBD wire constants this server speaks (NetworkBlockDevice/nbd doc/proto.md). Names are the
 * spec's, minus the {@code NBD_} prefix.
 */
final class Protocol {
    private Protocol() {
    }

    // ---- handshake -----------------------------------------------------------------------------
    static final long NBDMAGIC = 0x4e42444d41474943L;
    static final long IHAVEOPT = 0x49484156454F5054L;
    static final long REPLY_MAGIC = 0x3e889045565a9L;

    static final int FLAG_FIXED_NEWSTYLE = 1;
    static final int FLAG_NO_ZEROES = 1 << 1;
    static final int CLIENT_FLAGS_KNOWN = FLAG_FIXED_NEWSTYLE | FLAG_NO_ZEROES;

    static final int OPT_EXPORT_NAME = 1;
    static final int OPT_ABORT = 2;
    static final int OPT_LIST = 3;
    static final int OPT_INFO = 6;
    static final int OPT_GO = 7;
    static final int OPT_STRUCTURED_REPLY = 8;
    static final int OPT_LIST_META_CONTEXT = 9;
    static final int OPT_SET_META_CONTEXT = 10;

    static final int REP_ACK = 1;
    static final int REP_SERVER = 2;
    static final int REP_INFO = 3;
    static final int REP_META_CONTEXT = 4;
    static final int REP_ERR_UNSUP = 0x80000001;
    static final int REP_ERR_INVALID = 0x80000003;
    static final int REP_ERR_UNKNOWN = 0x80000006;
    static final int REP_ERR_BLOCK_SIZE_REQD = 0x80000008;

    static final int INFO_EXPORT = 0;
    static final int INFO_NAME = 1;
    static final int INFO_DESCRIPTION = 2;
    static final int INFO_BLOCK_SIZE = 3;

    // ---- transmission flags ---------------------------------------------------------------------
    static final int TFLAG_HAS_FLAGS = 1;
    static final int TFLAG_READ_ONLY = 1 << 1;
    static final int TFLAG_SEND_FLUSH = 1 << 2;
    static final int TFLAG_SEND_FUA = 1 << 3;
    static final int TFLAG_SEND_TRIM = 1 << 5;
    static final int TFLAG_SEND_WRITE_ZEROES = 1 << 6;
    static final int TFLAG_SEND_DF = 1 << 7;
    static final int TFLAG_CAN_MULTI_CONN = 1 << 8;
    static final int TFLAG_SEND_CACHE = 1 << 10;
    static final int TFLAG_SEND_FAST_ZERO = 1 << 11;

    // ---- requests -------------------------------------------------------------------------------
    static final int REQUEST_MAGIC = 0x25609513;
    static final int REQUEST_HEADER = 28;

    static final int CMD_READ = 0;
    static final int CMD_WRITE = 1;
    static final int CMD_DISC = 2;
    static final int CMD_FLUSH = 3;
    static final int CMD_TRIM = 4;
    static final int CMD_CACHE = 5;
    static final int CMD_WRITE_ZEROES = 6;
    static final int CMD_BLOCK_STATUS = 7;

    static final int CMD_FLAG_FUA = 1;
    static final int CMD_FLAG_NO_HOLE = 1 << 1;
    static final int CMD_FLAG_DF = 1 << 2;
    static final int CMD_FLAG_REQ_ONE = 1 << 3;
    static final int CMD_FLAG_FAST_ZERO = 1 << 4;

    // ---- replies --------------------------------------------------------------------------------
    static final int SIMPLE_REPLY_MAGIC = 0x67446698;
    static final int STRUCTURED_REPLY_MAGIC = 0x668e33ef;
    static final int REPLY_FLAG_DONE = 1;
    static final int REPLY_TYPE_NONE = 0;
    static final int REPLY_TYPE_OFFSET_DATA = 1;
    static final int REPLY_TYPE_BLOCK_STATUS = 5;
    static final int REPLY_TYPE_ERROR = (1 << 15) + 1;

    // ---- metadata contexts ----------------------------------------------------------------------
    static final String BASE_ALLOCATION = "base:allocation";
    /** The id of base:allocation in SET_META_CONTEXT replies and block status chunks (qemu-nbd's: 0). */
    static final int META_ID_BASE_ALLOCATION = 0;
    static final int STATE_HOLE = 1;
    static final int STATE_ZERO = 1 << 1;

    // ---- limits ---------------------------------------------------------------------------------
    /** Largest READ/WRITE payload, and the NBD_INFO_BLOCK_SIZE maximum (qemu-nbd's and nbdkit's). */
    static final int MAX_PAYLOAD = 32 << 20;
    /** An oversize write's payload is read and thrown away up to this size, then the client is dropped (as nbdkit). */
    static final long MAX_SKIP = 2L * MAX_PAYLOAD;
    static final int PREFERRED_BLOCK = 4096;
    /** Option data longer than this is a hostile client (the spec caps strings at 4096 bytes). */
    static final int MAX_OPTION_LENGTH = 64 << 10;
    /** Options before transmission; a client looping forever in negotiation is dropped. */
    static final int MAX_OPTIONS = 64;
    /** Strings in options (names, queries, descriptions): the spec's limit. */
    static final int MAX_STRING = 4096;
    /**
     * Requests of one connection received and not yet answered, at most: the reader stops reading
     * at this many, as qemu-nbd does (its MAX_NBD_REQUESTS), so a client that sends without
     * reading replies holds a bounded amount of the server's memory.
     */
    static final int MAX_REQUESTS = 16;

    static String commandName(int type) {
        return switch (type) {
            case CMD_READ -> "NBD_CMD_READ";
            case CMD_WRITE -> "NBD_CMD_WRITE";
            case CMD_DISC -> "NBD_CMD_DISC";
            case CMD_FLUSH -> "NBD_CMD_FLUSH";
            case CMD_TRIM -> "NBD_CMD_TRIM";
            case CMD_CACHE -> "NBD_CMD_CACHE";
            case CMD_WRITE_ZEROES -> "NBD_CMD_WRITE_ZEROES";
            case CMD_BLOCK_STATUS -> "NBD_CMD_BLOCK_STATUS";
            default -> "command " + type;
        };
    }
}
