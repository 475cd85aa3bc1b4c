package org.blkdebug.engine.nbd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.blkdebug.engine.nbd.NbdFixture.pattern;
import static org.blkdebug.engine.nbd.Protocol.*;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.blkdebug.engine.BlkDebug;
import org.blkdebug.engine.Device;
import org.blkdebug.engine.Errno;
import org.blkdebug.engine.Event;
import org.blkdebug.engine.Rule;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The wire protocol, seen through the pure-Java test client: negotiation, commands, errors. */
@Timeout(30)
class NbdProtocolTest {
    private static final int SIZE = 1 << 20;

    @TempDir
    Path dir;

    private final NbdFixture.Log log = new NbdFixture.Log();
    private Device dev;
    private NbdServer server;

    private NbdServer serve(Device d, NbdServer.Options o) throws Exception {
        dev = d;
        server = NbdServer.start(d, o);
        return server;
    }

    private NbdServer serve() throws Exception {
        return serve(BlkDebug.builder().memory(SIZE).open(), log.options(dir));
    }

    @AfterEach
    void tearDown() throws Exception {
        if (server != null) {
            server.close();
        }
        if (dev != null) {
            dev.close();
        }
    }

    // ---- negotiation ------------------------------------------------------------------------------

    @Test
    void greetingOffersFixedNewstyleAndNoZeroes() throws Exception {
        serve();
        try (NbdTestClient c = NbdTestClient.connect(server.address())) {
            assertThat(c.greeting()).isEqualTo(FLAG_FIXED_NEWSTYLE | FLAG_NO_ZEROES);
        }
    }

    /**
     * qemu-nbd advertises the top node's limits: raw's alignment is 1 whatever blkdebug's align is,
     * so a client sends unaligned requests and the RMW events fire below. The flags are qemu-nbd's.
     */
    @Test
    void goReportsSizeFlagsAndTheTopNodesBlockSizes() throws Exception {
        serve(BlkDebug.builder().memory(SIZE).align(512).open(), log.options(dir));
        try (NbdTestClient c = NbdTestClient.connect(server.address())) {
            c.handshake();
            NbdTestClient.Negotiated n = c.go("");
            assertThat(n.size()).isEqualTo(SIZE);
            assertThat(n.flags()).isEqualTo(TFLAG_HAS_FLAGS | TFLAG_SEND_FLUSH | TFLAG_SEND_FUA | TFLAG_SEND_TRIM
                    | TFLAG_SEND_WRITE_ZEROES | TFLAG_CAN_MULTI_CONN | TFLAG_SEND_CACHE | TFLAG_SEND_FAST_ZERO);
            assertThat(new int[] {n.minBlock(), n.preferredBlock(), n.maxBlock()})
                    .containsExactly(1, 4096, 32 << 20);
            assertThat(c.read(1, 0, 512).error()).isZero(); // in transmission now
        }
    }

    /** blkdebug as the top node: its align is the minimum, its max-transfer the maximum. */
    @Test
    void blkdebugOnTopAdvertisesItsAlignAndMaxTransfer() throws Exception {
        serve(BlkDebug.builder().memory(SIZE).withoutFormat().align(512).maxTransfer(64 << 10).open(), log.options(dir));
        try (NbdTestClient c = NbdTestClient.connect(server.address())) {
            c.handshake();
            NbdTestClient.Negotiated n = c.go("");
            assertThat(new int[] {n.minBlock(), n.preferredBlock(), n.maxBlock()})
                    .containsExactly(512, 4096, 64 << 10);
        }
    }

    /** Structured replies add DF; a limit of one connection drops MULTI_CONN; read-only keeps FUA (qemu-nbd). */
    @Test
    void flagsFollowStructuredRepliesConnectionLimitAndReadOnly() throws Exception {
        serve(BlkDebug.builder().memory(SIZE).open(), log.options(dir).withMaxConnections(1).withReadOnly(true));
        try (NbdTestClient c = NbdTestClient.connect(server.address())) {
            c.handshake();
            c.structuredReplies();
            NbdTestClient.Negotiated n = c.go("");
            assertThat(n.flags()).isEqualTo(TFLAG_HAS_FLAGS | TFLAG_READ_ONLY | TFLAG_SEND_FLUSH | TFLAG_SEND_FUA
                    | TFLAG_SEND_DF | TFLAG_SEND_CACHE);
        }
    }

    /** qemu-nbd's rule: a client that did not ask for block sizes is told the minimum is 1. */
    @Test
    void blockSizeMinimumIsOneWhenNotRequested() throws Exception {
        serve(BlkDebug.builder().memory(SIZE).withoutFormat().align(4096).open(), log.options(dir));
        try (NbdTestClient c = NbdTestClient.connect(server.address())) {
            c.handshake();
            NbdTestClient.Negotiated n = c.infoOrGo(OPT_GO, "");
            assertThat(n.minBlock()).isEqualTo(1);
        }
    }

    /** ... but NBD_OPT_INFO always hears the truth, and without asking it is refused (qemu-nbd). */
    @Test
    void infoWithoutBlockSizeOfAnAlignedExportIsBlockSizeRequired() throws Exception {
        serve(BlkDebug.builder().memory(SIZE).withoutFormat().align(4096).open(), log.options(dir));
        try (NbdTestClient c = NbdTestClient.connect(server.address())) {
            c.handshake();
            c.option(OPT_INFO, NbdTestClient.infoRequest(""));
            int min = 0;
            NbdTestClient.OptionReply r;
            while ((r = c.optionReply()).type() == REP_INFO) {
                if (r.data().getShort() == INFO_BLOCK_SIZE) {
                    min = r.data().getInt();
                }
            }
            assertThat(min).isEqualTo(4096);
            assertThat(r.type()).isEqualTo(REP_ERR_BLOCK_SIZE_REQD);
            assertThat(c.go("").minBlock()).isEqualTo(4096); // negotiation goes on
        }
    }

    @Test
    void infoStaysInNegotiation() throws Exception {
        serve();
        try (NbdTestClient c = NbdTestClient.connect(server.address())) {
            c.handshake();
            assertThat(c.infoOrGo(OPT_INFO, "", INFO_BLOCK_SIZE).size()).isEqualTo(SIZE);
            assertThat(c.go("").size()).isEqualTo(SIZE);
        }
    }

    @Test
    void exportNameEntersTransmissionWithZeroPaddingUnlessNoZeroes() throws Exception {
        serve();
        try (NbdTestClient c = NbdTestClient.connect(server.address())) {
            c.greeting();
            c.send(ByteBuffer.allocate(4).putInt(FLAG_FIXED_NEWSTYLE).flip()); // zeroes wanted
            c.option(OPT_EXPORT_NAME, ByteBuffer.allocate(0));
            ByteBuffer b = c.read(10 + 124);
            assertThat(b.getLong()).isEqualTo(SIZE);
            assertThat(b.getShort() & TFLAG_HAS_FLAGS).isNotZero();
            assertThat(c.read(2, 0, 16).error()).isZero();
        }
        try (NbdTestClient c = NbdTestClient.connect(server.address())) {
            c.handshake(); // NO_ZEROES
            c.option(OPT_EXPORT_NAME, ByteBuffer.allocate(0));
            assertThat(c.read(10).getLong()).isEqualTo(SIZE);
            assertThat(c.read(3, 0, 16).error()).isZero();
        }
    }

    /** EXPORT_NAME cannot be refused politely: the spec says hang up. */
    @Test
    void exportNameOfUnknownExportDropsTheClient() throws Exception {
        serve();
        try (NbdTestClient c = NbdTestClient.connect(server.address())) {
            c.handshake();
            c.option(OPT_EXPORT_NAME, ByteBuffer.wrap("nope".getBytes(StandardCharsets.UTF_8)));
            assertThat(c.closedByServer()).isTrue();
        }
        assertThat(NbdFixture.eventually(() -> log.snapshot().stream()
                .anyMatch(l -> l.equals("nbd#1: dropped: NBD_OPT_EXPORT_NAME of unknown export 'nope'")))).isTrue();
    }

    @Test
    void goForUnknownExportIsErrUnknownAndNegotiationGoesOn() throws Exception {
        serve(BlkDebug.builder().memory(SIZE).open(), log.options(dir).withExportName("disk"));
        try (NbdTestClient c = NbdTestClient.connect(server.address())) {
            c.handshake();
            c.option(OPT_GO, NbdTestClient.infoRequest("other"));
            assertThat(c.optionReply().type()).isEqualTo(REP_ERR_UNKNOWN);
            assertThat(c.go("disk").size()).isEqualTo(SIZE);
        }
    }

    @Test
    void listNamesTheExport() throws Exception {
        serve(BlkDebug.builder().memory(SIZE).open(), log.options(dir).withExportName("disk0"));
        try (NbdTestClient c = NbdTestClient.connect(server.address())) {
            c.handshake();
            c.option(OPT_LIST, ByteBuffer.allocate(0));
            NbdTestClient.OptionReply r = c.optionReply();
            assertThat(r.type()).isEqualTo(REP_SERVER);
            assertThat(r.data().getInt()).isEqualTo(5);
            assertThat(StandardCharsets.UTF_8.decode(r.data()).toString()).isEqualTo("disk0");
            assertThat(c.optionReply().type()).isEqualTo(REP_ACK);
        }
    }

    @Test
    void unknownOptionsAreUnsupported() throws Exception {
        serve();
        try (NbdTestClient c = NbdTestClient.connect(server.address())) {
            c.handshake();
            for (int opt : new int[] {4 /* PEEK_EXPORT */, 11 /* EXTENDED_HEADERS */, 4242}) {
                c.option(opt, ByteBuffer.wrap(new byte[] {1, 2, 3}));
                NbdTestClient.OptionReply r = c.optionReply();
                assertThat(r.option()).isEqualTo(opt);
                assertThat(r.type()).isEqualTo(REP_ERR_UNSUP);
            }
            c.option(5 /* STARTTLS */, ByteBuffer.allocate(0));
            assertThat(c.optionReply().type()).as("qemu-nbd without TLS").isEqualTo(0x80000002 /* ERR_POLICY */);
            assertThat(c.go("").size()).isEqualTo(SIZE);
        }
    }

    /** LIST without queries or with {@code base:} names base:allocation; other namespaces are ignored. */
    @Test
    void listMetaContextNamesBaseAllocation() throws Exception {
        serve();
        try (NbdTestClient c = NbdTestClient.connect(server.address())) {
            c.handshake();
            c.structuredReplies();
            assertThat(c.metaContext(OPT_LIST_META_CONTEXT, "")).containsExactly("0:base:allocation");
            assertThat(c.metaContext(OPT_LIST_META_CONTEXT, "", "base:")).containsExactly("0:base:allocation");
            assertThat(c.metaContext(OPT_LIST_META_CONTEXT, "", "qemu:dirty-bitmap:x", "x-foo:bar")).isEmpty();
        }
    }

    /** SET needs structured replies and a known export; {@code base:} alone selects nothing (spec). */
    @Test
    void setMetaContextSelectsBaseAllocation() throws Exception {
        serve();
        try (NbdTestClient c = NbdTestClient.connect(server.address())) {
            c.handshake();
            c.option(OPT_SET_META_CONTEXT, NbdTestClient.metaRequest("", "base:allocation"));
            assertThat(c.optionReply().type()).as("before structured replies").isEqualTo(REP_ERR_INVALID);
            c.structuredReplies();
            c.option(OPT_SET_META_CONTEXT, NbdTestClient.metaRequest("nope", "base:allocation"));
            assertThat(c.optionReply().type()).isEqualTo(REP_ERR_UNKNOWN);
            assertThat(c.metaContext(OPT_SET_META_CONTEXT, "", "base:")).isEmpty();
            assertThat(c.metaContext(OPT_SET_META_CONTEXT, "", "base:allocation"))
                    .containsExactly(META_ID_BASE_ALLOCATION + ":base:allocation");
            c.option(OPT_SET_META_CONTEXT, ByteBuffer.allocate(6).putInt(0).putShort((short) 1).flip()); // truncated
            assertThat(c.optionReply().type()).isEqualTo(REP_ERR_INVALID);
        }
    }

    @Test
    void malformedOptionsAreInvalid() throws Exception {
        serve();
        try (NbdTestClient c = NbdTestClient.connect(server.address())) {
            c.handshake();
            c.option(OPT_STRUCTURED_REPLY, ByteBuffer.wrap(new byte[] {1}));
            assertThat(c.optionReply().type()).isEqualTo(REP_ERR_INVALID);
            c.option(OPT_LIST, ByteBuffer.wrap(new byte[] {1}));
            assertThat(c.optionReply().type()).isEqualTo(REP_ERR_INVALID);
            c.option(OPT_GO, ByteBuffer.allocate(8).putInt(100).putInt(0).flip()); // name longer than data
            assertThat(c.optionReply().type()).isEqualTo(REP_ERR_INVALID);
            c.option(OPT_INFO, ByteBuffer.allocate(7).putInt(0).putShort((short) 1).put((byte) 0).flip());
            assertThat(c.optionReply().type()).isEqualTo(REP_ERR_INVALID);
            assertThat(c.go("").size()).isEqualTo(SIZE);
        }
    }

    @Test
    void abortIsAckedAndLogged() throws Exception {
        serve();
        try (NbdTestClient c = NbdTestClient.connect(server.address())) {
            c.handshake();
            c.option(OPT_ABORT, ByteBuffer.allocate(0));
            assertThat(c.optionReply().type()).isEqualTo(REP_ACK);
            assertThat(c.closedByServer()).isTrue();
        }
        assertThat(NbdFixture.eventually(() -> log.snapshot().contains(
                "nbd#1: client ended negotiation (NBD_OPT_ABORT)"))).isTrue();
    }

    @Test
    void badOptionMagicOrUnknownClientFlagsDropTheClient() throws Exception {
        serve();
        try (NbdTestClient c = NbdTestClient.connect(server.address())) {
            c.handshake();
            c.send(ByteBuffer.allocate(16).putLong(0x1234).putInt(OPT_GO).putInt(0).flip());
            assertThat(c.closedByServer()).isTrue();
        }
        try (NbdTestClient c = NbdTestClient.connect(server.address())) {
            c.greeting();
            c.send(ByteBuffer.allocate(4).putInt(0x80).flip());
            assertThat(c.closedByServer()).isTrue();
        }
        assertThat(NbdFixture.eventually(() -> log.snapshot().containsAll(java.util.List.of(
                "nbd#1: dropped: bad option magic 0x1234", "nbd#2: dropped: unknown client flags 0x80")))).isTrue();
    }

    // ---- commands ---------------------------------------------------------------------------------

    @Test
    void writeThenReadWithSimpleReplies() throws Exception {
        serve();
        try (NbdTestClient c = NbdTestClient.open(server, false)) {
            byte[] data = pattern(8192, 3);
            assertThat(c.write(1, 4096, data, 0).error()).isZero();
            NbdTestClient.Reply r = c.read(2, 4096, 8192);
            assertThat(r.structured()).isFalse();
            assertThat(r.cookie()).isEqualTo(2);
            assertThat(r.data()).isEqualTo(data);
        }
    }

    @Test
    void structuredReadIsOneOffsetDataChunk() throws Exception {
        serve();
        try (NbdTestClient c = NbdTestClient.open(server, true)) {
            byte[] data = pattern(4096, 9);
            assertThat(c.write(1, 8192, data, 0).error()).isZero();
            NbdTestClient.Reply r = c.read(0xfeedfacecafeL, 8192, 4096);
            assertThat(r.chunkType()).isEqualTo(REPLY_TYPE_OFFSET_DATA);
            assertThat(r.cookie()).isEqualTo(0xfeedfacecafeL);
            assertThat(r.offset()).isEqualTo(8192);
            assertThat(r.data()).isEqualTo(data);
        }
    }

    @Test
    void readErrorIsAnErrorChunkWithItsText() throws Exception {
        serve(BlkDebug.builder().memory(SIZE).injectError(Rule.InjectError.of(Event.READ_AIO).withErrno(Errno.EIO))
                .open(), log.options(dir));
        try (NbdTestClient c = NbdTestClient.open(server, true)) {
            NbdTestClient.Reply r = c.read(7, 0, 512);
            assertThat(r.chunkType()).isEqualTo(REPLY_TYPE_ERROR);
            assertThat(r.error()).isEqualTo(Errno.EIO);
            assertThat(r.message()).isEqualTo("Input/output error");
        }
    }

    @Test
    void readErrorWithSimpleRepliesCarriesNoData() throws Exception {
        serve(BlkDebug.builder().memory(SIZE).injectError(Rule.InjectError.of(Event.READ_AIO).withErrno(Errno.EIO)
                .withOnce(true)).open(), log.options(dir));
        try (NbdTestClient c = NbdTestClient.open(server, false)) {
            assertThat(c.read(1, 0, 512).error()).isEqualTo(Errno.EIO);
            assertThat(c.read(2, 0, 512).data()).hasSize(512); // the stream is still in step
        }
    }

    /** Errnos NBD has no code for become EIO; the eight it has pass through. */
    @Test
    void writeErrorsAreMappedToNbdErrors() throws Exception {
        serve(BlkDebug.builder().memory(SIZE)
                .injectError(Rule.InjectError.of(Event.WRITE_AIO).withErrno(Errno.ENOSPC).withOnce(true)).open(),
                log.options(dir));
        try (NbdTestClient c = NbdTestClient.open(server, false)) {
            assertThat(c.write(1, 0, new byte[512], 0).error()).isEqualTo(Errno.ENOSPC);
            assertThat(c.write(2, 0, new byte[512], 0).error()).isZero();
        }
    }

    @Test
    void fuaWriteAndWriteZeroesFlagsReachTheDevice() throws Exception {
        RecordingDevice rec = new RecordingDevice(BlkDebug.builder().memory(SIZE).open());
        serve(rec.device, log.options(dir));
        try (NbdTestClient c = NbdTestClient.open(server, true)) {
            assertThat(c.write(1, 0, pattern(4096, 1), CMD_FLAG_FUA).error()).isZero();
            c.request(0, CMD_WRITE_ZEROES, 2, 0, 1024, null);
            assertThat(c.reply().error()).isZero();
            c.request(CMD_FLAG_NO_HOLE | CMD_FLAG_FUA, CMD_WRITE_ZEROES, 3, 1024, 1024, null);
            assertThat(c.reply().error()).isZero();
            c.request(CMD_FLAG_FAST_ZERO, CMD_WRITE_ZEROES, 4, 1024, 1024, null);
            assertThat(c.reply().error()).isZero();
            c.request(0, CMD_TRIM, 5, 2048, 2048, null);
            assertThat(c.reply().error()).isZero();
            c.request(0, CMD_FLUSH, 6, 0, 0, null);
            assertThat(c.reply().error()).isZero();
            assertThat(c.read(7, 0, 4096).data()).containsOnly((byte) 0);
        }
        assertThat(rec.calls).containsExactly("writeAsync [FUA]", "writeZeroesAsync [MAY_UNMAP]",
                "writeZeroesAsync [FUA]", "writeZeroesAsync [MAY_UNMAP, NO_FALLBACK]", "discardAsync", "flushAsync",
                "readAsync");
    }

    /**
     * qemu-nbd's mapping of the rest: FUA on a read flushes first, on a TRIM after it; TRIM without
     * {@code unmap} (qemu-nbd's default {@code --discard=ignore}) never reaches the device, and
     * WRITE_ZEROES then may not unmap; CACHE is a block status query of the range.
     */
    @Test
    void fuaReadTrimAndCacheAreMappedAsQemuNbdMapsThem() throws Exception {
        RecordingDevice rec = new RecordingDevice(BlkDebug.builder().memory(SIZE).open());
        serve(rec.device, log.options(dir).withUnmap(false));
        try (NbdTestClient c = NbdTestClient.open(server, true)) {
            assertThat(c.write(1, 0, pattern(4096, 3), 0).error()).isZero();
            c.request(0, CMD_TRIM, 2, 0, 4096, null);
            assertThat(c.reply().error()).isZero();
            c.request(CMD_FLAG_FUA, CMD_TRIM, 3, 0, 4096, null);
            assertThat(c.reply().error()).isZero();
            c.request(0, CMD_WRITE_ZEROES, 4, 8192, 512, null);
            assertThat(c.reply().error()).isZero();
            c.request(CMD_FLAG_FUA, CMD_READ, 5, 0, 4096, null);
            assertThat(c.reply().data()).isEqualTo(pattern(4096, 3)); // the TRIMs changed nothing
            c.request(0, CMD_CACHE, 6, 0, 65536, null);
            assertThat(c.reply().error()).isZero();
        }
        assertThat(rec.calls).containsExactly("writeAsync []", "flush", "writeZeroesAsync []", "flush", "read",
                "blockStatus");
    }

    /** The protocol forbids an OFFSET_DATA chunk without data; qemu-nbd answers with a NONE chunk. */
    @Test
    void zeroLengthStructuredReadIsANoneChunk() throws Exception {
        serve();
        try (NbdTestClient c = NbdTestClient.open(server, true)) {
            NbdTestClient.Reply r = c.read(1, 4096, 0);
            assertThat(r.chunkType()).isEqualTo(REPLY_TYPE_NONE);
            assertThat(r.error()).isZero();
            assertThat(r.data()).isEmpty();
            assertThat(c.read(2, 0, 512).data()).hasSize(512); // the stream is still in step
        }
    }

    @Test
    void blockStatusReportsOneDataExtentForTheRange() throws Exception {
        serve();
        try (NbdTestClient c = NbdTestClient.openWithBlockStatus(server)) {
            c.request(0, CMD_BLOCK_STATUS, 1, 4096, SIZE - 4096, null);
            NbdTestClient.Reply r = c.reply();
            assertThat(r.chunkType()).isEqualTo(REPLY_TYPE_BLOCK_STATUS);
            assertThat(r.offset()).as("context id").isEqualTo(META_ID_BASE_ALLOCATION);
            assertThat(r.extents()).containsExactly(SIZE - 4096, 0);
            c.request(CMD_FLAG_REQ_ONE, CMD_BLOCK_STATUS, 2, 0, 100, null);
            assertThat(c.reply().extents()).containsExactly(100, 0);
        }
    }

    /** The spec: no BLOCK_STATUS without a selected context; qemu-nbd: none of length 0 either. */
    @Test
    void blockStatusWithoutContextOrLengthIsEinval() throws Exception {
        serve();
        try (NbdTestClient c = NbdTestClient.open(server, true)) {
            c.request(0, CMD_BLOCK_STATUS, 1, 0, 512, null);
            assertThat(c.reply().error()).isEqualTo(Errno.EINVAL);
        }
        try (NbdTestClient c = NbdTestClient.openWithBlockStatus(server)) {
            c.request(0, CMD_BLOCK_STATUS, 2, 0, 0, null);
            assertThat(c.reply().error()).isEqualTo(Errno.EINVAL);
            c.request(0, CMD_BLOCK_STATUS, 3, SIZE - 512, 1024, null);
            assertThat(c.reply().error()).isEqualTo(Errno.EINVAL);
        }
    }

    /**
     * An {@code iotype=block-status} rule fails BLOCK_STATUS and CACHE, and structured reads, which
     * ask for the block status of their range first as under qemu-nbd; not DF or simple reads.
     */
    @Test
    void blockStatusRulesFailStatusCacheAndStructuredReads() throws Exception {
        serve(BlkDebug.builder().memory(SIZE).injectError(Rule.InjectError.of(Event.READ_AIO)
                .withIoType(org.blkdebug.engine.IoType.BLOCK_STATUS).withErrno(Errno.ENOSPC)).open(), log.options(dir));
        try (NbdTestClient c = NbdTestClient.openWithBlockStatus(server)) {
            c.request(CMD_FLAG_DF, CMD_READ, 0, 0, 4096, null); // its read_aio arms the rule
            assertThat(c.reply().data()).hasSize(4096);
            c.request(0, CMD_BLOCK_STATUS, 1, 0, 4096, null);
            assertThat(c.reply().error()).isEqualTo(Errno.ENOSPC);
            c.request(0, CMD_CACHE, 2, 0, 4096, null);
            assertThat(c.reply().error()).isEqualTo(Errno.ENOSPC);
            assertThat(c.read(3, 0, 4096).error()).isEqualTo(Errno.ENOSPC);
            c.request(CMD_FLAG_DF, CMD_READ, 4, 0, 4096, null);
            assertThat(c.reply().data()).hasSize(4096);
        }
        try (NbdTestClient c = NbdTestClient.open(server, false)) {
            assertThat(c.read(5, 0, 4096).data()).hasSize(4096);
        }
    }

    /** qemu-nbd's system_errno_to_nbd_errno, seen on the wire. */
    @Test
    void injectedErrnosTheProtocolLacksAreMappedAsQemuNbdMapsThem() throws Exception {
        int[][] cases = {{Errno.EROFS, Errno.EPERM}, {Errno.EFBIG, Errno.ENOSPC}, {122, Errno.ENOSPC},
            {Errno.EACCES, Errno.EINVAL}, {Errno.EIO, Errno.EIO}};
        BlkDebug.Builder b = BlkDebug.builder().memory(SIZE);
        for (int i = 0; i < cases.length; i++) {
            b.injectError(Rule.InjectError.of(Event.WRITE_AIO).withErrno(cases[i][0]).withSector(i));
        }
        serve(b.open(), log.options(dir));
        try (NbdTestClient c = NbdTestClient.open(server, true)) {
            for (int i = 0; i < cases.length; i++) {
                assertThat(c.write(i, i * 512L, new byte[512], 0).error()).as("errno %d", cases[i][0])
                        .isEqualTo(cases[i][1]);
            }
        }
    }

    /** What qemu-nbd and nbdkit answer: ENOSPC for writes past the end, EINVAL for the rest. */
    @Test
    void requestsPastTheEndAreRefused() throws Exception {
        serve();
        try (NbdTestClient c = NbdTestClient.open(server, false)) {
            assertThat(c.read(1, SIZE - 512, 1024).error()).isEqualTo(Errno.EINVAL);
            assertThat(c.write(2, SIZE, new byte[1], 0).error()).isEqualTo(Errno.ENOSPC);
            c.request(0, CMD_WRITE_ZEROES, 3, SIZE - 1, 2, null);
            assertThat(c.reply().error()).isEqualTo(Errno.ENOSPC);
            c.request(0, CMD_TRIM, 4, -4096, 4096, null); // offset 2^64 - 4096
            assertThat(c.reply().error()).isEqualTo(Errno.EINVAL);
            assertThat(c.read(5, SIZE - 512, 512).error()).isZero(); // the last sector is fine
        }
    }

    @Test
    void oversizeRequestsAreEinvalAndTheConnectionLivesOn() throws Exception {
        serve(BlkDebug.builder().memory(64L << 20).open(), log.options(dir));
        try (NbdTestClient c = NbdTestClient.open(server, false)) {
            assertThat(c.read(1, 0, (32 << 20) + 1).error()).isEqualTo(Errno.EINVAL);
            assertThat(c.write(2, 0, new byte[(32 << 20) + 512], 0).error()).isEqualTo(Errno.EINVAL);
            assertThat(c.read(3, 0, 32 << 20).data()).hasSize(32 << 20);
        }
    }

    @Test
    void unknownCommandsAndFlagsAreEinval() throws Exception {
        serve();
        try (NbdTestClient c = NbdTestClient.open(server, false)) {
            c.request(0, 8 /* RESIZE, not advertised */, 1, 0, 512, null);
            assertThat(c.reply().error()).isEqualTo(Errno.EINVAL);
            c.request(0, 99, 2, 0, 0, null);
            assertThat(c.reply().error()).isEqualTo(Errno.EINVAL);
            c.request(1 << 9, CMD_READ, 3, 0, 512, null);
            assertThat(c.reply().error()).isEqualTo(Errno.EINVAL);
            c.request(CMD_FLAG_NO_HOLE, CMD_WRITE, 4, 0, 4, new byte[4]); // payload still consumed
            assertThat(c.reply().error()).isEqualTo(Errno.EINVAL);
            c.request(0, CMD_FLUSH, 5, 512, 0, null);
            assertThat(c.reply().error()).as("qemu-nbd ignores a FLUSH's offset").isZero();
            assertThat(c.read(6, 0, 512).error()).isZero();
        }
    }

    @Test
    void readOnlyExportRefusesWritesWithEperm() throws Exception {
        serve(BlkDebug.builder().memory(SIZE).open(), log.options(dir).withReadOnly(true));
        try (NbdTestClient c = NbdTestClient.connect(server.address())) {
            c.handshake();
            NbdTestClient.Negotiated n = c.go("");
            assertThat(n.has(TFLAG_READ_ONLY)).isTrue();
            assertThat(n.has(TFLAG_SEND_TRIM) || n.has(TFLAG_SEND_WRITE_ZEROES) || n.has(TFLAG_SEND_FAST_ZERO)).isFalse();
            assertThat(c.write(1, 0, new byte[512], 0).error()).isEqualTo(Errno.EPERM);
            c.request(0, CMD_TRIM, 2, 0, 512, null);
            assertThat(c.reply().error()).isEqualTo(Errno.EPERM);
            assertThat(c.read(3, 0, 512).error()).isZero();
        }
    }

    @Test
    void badRequestMagicDropsTheConnectionWithOneLogLine() throws Exception {
        serve();
        try (NbdTestClient c = NbdTestClient.open(server, false)) {
            c.send(ByteBuffer.allocate(28).putInt(0, 0xdeadbeef)); // a whole header, wrong magic
            assertThat(c.closedByServer()).isTrue();
        }
        assertThat(NbdFixture.eventually(() -> server.connections().isEmpty())).isTrue();
        assertThat(log.snapshot()).containsExactly("nbd#1: connected from unix",
                "nbd#1: dropped: bad request magic 0xdeadbeef");
    }

    @Test
    void hugeWritePayloadDropsTheConnection() throws Exception {
        serve();
        try (NbdTestClient c = NbdTestClient.open(server, false)) {
            c.request(0, CMD_WRITE, 1, 0, 0xffff_ffffL, new byte[0]);
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void discAfterRepliesClosesCleanly() throws Exception {
        serve();
        try (NbdTestClient c = NbdTestClient.open(server, false)) {
            assertThat(c.read(1, 0, 512).error()).isZero();
            c.disconnect();
            assertThat(c.closedByServer()).isTrue();
        }
        assertThat(NbdFixture.eventually(() -> log.snapshot().contains(
                "nbd#1: client disconnected (NBD_CMD_DISC)"))).isTrue();
    }

    /**
     * Requests sent back to back, so headers and payloads straddle the server's input buffer, with
     * a payload of every size the server handles differently (pooled small, pooled large, heap).
     */
    @Test
    void pipelinedPayloadsOfEverySizeRoundTrip() throws Exception {
        serve(BlkDebug.builder().memory(8 << 20).open(), log.options(dir));
        int[] sizes = {512, 4096, 100_000, 1 << 20, 3 << 20};
        for (boolean structured : new boolean[] {false, true}) {
            try (NbdTestClient c = NbdTestClient.open(server, structured)) {
                long at = 0;
                for (int i = 0; i < sizes.length; i++) {
                    c.request(0, CMD_WRITE, i, at, sizes[i], pattern(sizes[i], i + (structured ? 7 : 0)));
                    at += sizes[i];
                }
                assertThat(c.replies(sizes.length)).allSatisfy(r -> assertThat(r.error()).isZero());
                at = 0;
                for (int i = 0; i < sizes.length; i++) {
                    c.request(0, CMD_READ, 100 + i, at, sizes[i], null);
                    at += sizes[i];
                }
                for (NbdTestClient.Reply r : c.replies(sizes.length)) {
                    int i = (int) r.cookie() - 100;
                    assertThat(r.data()).isEqualTo(pattern(sizes[i], i + (structured ? 7 : 0)));
                }
            }
        }
    }

    /** A refused request and a DISC in one packet: the refusal still reaches the client before it is hung up on. */
    @Test
    void refusalSentJustBeforeDiscIsAnswered() throws Exception {
        serve();
        try (NbdTestClient c = NbdTestClient.open(server, false)) {
            ByteBuffer b = ByteBuffer.allocate(2 * REQUEST_HEADER);
            b.putInt(REQUEST_MAGIC).putShort((short) 0).putShort((short) CMD_READ).putLong(9).putLong(SIZE).putInt(512);
            b.putInt(REQUEST_MAGIC).putShort((short) 0).putShort((short) CMD_DISC).putLong(0).putLong(0).putInt(0);
            c.send(b.flip());
            NbdTestClient.Reply r = c.reply();
            assertThat(r.cookie()).isEqualTo(9);
            assertThat(r.error()).isEqualTo(Errno.EINVAL);
            assertThat(c.closedByServer()).isTrue();
        }
    }
}
