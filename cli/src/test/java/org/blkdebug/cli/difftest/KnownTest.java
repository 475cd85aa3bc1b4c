package org.blkdebug.cli.difftest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The narrow recognisers of {@link Known}: each names its situation and nothing next to it. */
class KnownTest {
    private static final String OUTPUT = "write failed: Operation not supported\n";

    private static Known.Case qcow2(Runner.Outcome qemu, Runner.Outcome ours) {
        Session s = new Session("qcow2", 4 << 20, "", null, List.of(), "t.qcow2", List.of("write 0 512"), false, null);
        return new Known.Case(s, qemu, ours);
    }

    @Test
    void aQcow2FileThatEndsElsewhereIsNew() {
        // once Q5 (scenario 263): the file ended 56 KiB later here, in zeroes. The file node now
        // serialises a write-zeroes past its end as QEMU's does, so a file that ends elsewhere,
        // with the same output and exit status, is a new difference
        Known.Case c = qcow2(new Runner.Outcome(OUTPUT, 1, "aa", false),
                new Runner.Outcome(OUTPUT, 1, "bb", false));
        assertThat(Known.classify(c)).isNull();
    }

    /** Seed 50000000 session 7784's commands (scenario 430), with {@code between} after the resume. */
    private static Known.Case laterPiece(String between, String qemuGuest, String oursGuest) {
        Session s = new Session("qcow2", 4 << 20, "", null, List.of(), null, List.of(
                "open -t directsync -o driver=qcow2,file.align=65536 blkdebug::t.qcow2",
                "write -P 0x51 954880 95232", "break write_aio B", "aio_write -P 0xce 196608 131072",
                "wait_break B", "length", "resume B", between, "writev -q -P 0xe3 4096 512 1024 3584",
                "aio_flush", "write -q -P 30 65536 100"), true, null);
        return new Known.Case(s, new Runner.Outcome(OUTPUT, 1, "1ccd", false, qemuGuest),
                new Runner.Outcome(OUTPUT, 1, "6625", false, oursGuest));
    }

    @Test
    void q2IsTheSameGuestDataAtOtherHostOffsetsAfterASpanningAioWriteAndALaterWrite() {
        assertThat(Known.classify(laterPiece("length", "g/8", "g/8"))).startsWith("Q2 ");
    }

    @Test
    void otherGuestDataOrAnotherClusterCountIsNotQ2() {
        assertThat(Known.classify(laterPiece("length", "g/8", "h/8"))).isNull();
        assertThat(Known.classify(laterPiece("length", "g/8", "g/9"))).isNull();
        assertThat(Known.classify(laterPiece("length", null, null))).isNull();
    }

    @Test
    void aSpanningAioWriteFlushedBeforeTheNextWriteIsNotQ2() {
        assertThat(Known.classify(laterPiece("aio_flush", "g/8", "g/8"))).isNull();
    }

    /** Seed 110000000 session 11093's commands (scenario 565), cut down, with {@code between} before the later write. */
    private static Known.Case laterPieceReordered(String between, String ours, String oursGuest) {
        Session s = new Session("qcow2", 1 << 20, "cluster_size=4096", null, List.of("--image-opts"),
                "driver=qcow2,file.driver=blkdebug,file.align=65536,file.image.driver=file,file.image.filename=t.qcow2",
                List.of("write -q -P 1 4096 4096", "break pwritev_done A", "aio_write -P 104 0 131072",
                        "wait_break A", "resume A", between, "break pwritev_done B", "aio_write -P 16 196608 65536",
                        "wait_break B", "resume B", "aio_flush", "write -q -P 98 65536 512"), false, null);
        return new Known.Case(s, new Runner.Outcome(QEMU_11093, 0, "b4a2", false, "6d99/56"),
                new Runner.Outcome(ours, 0, "b235", false, oursGuest));
    }

    private static final String SUSPENDED_AB = "blkdebug: Suspended request 'A'\nblkdebug: Resuming request 'A'\n"
            + "blkdebug: Suspended request 'B'\nblkdebug: Resuming request 'B'\n";
    private static final String WROTE_128K_AT_0 = "wrote 131072/131072 bytes at offset 0\n"
            + "128 KiB, X ops; XX:XX:XX.X (XXX YYY/sec and XXX ops/sec)\n";
    private static final String WROTE_64K_AT_192K = "wrote 65536/65536 bytes at offset 196608\n"
            + "64 KiB, X ops; XX:XX:XX.X (XXX YYY/sec and XXX ops/sec)\n";
    private static final String QEMU_11093 = SUSPENDED_AB + WROTE_64K_AT_192K + WROTE_128K_AT_0;
    private static final String OURS_11093 = SUSPENDED_AB + WROTE_128K_AT_0 + WROTE_64K_AT_192K;

    @Test
    void q2IsALaterWriteAllocatingFirstWithTheTwoReportsInAnotherOrder() {
        assertThat(Known.classify(laterPieceReordered("length", OURS_11093, "6d99/56")))
                .startsWith("Q2 (a later piece of a qcow2 aio_write allocates after a later write: other host offsets, same data, the two reports");
    }

    @Test
    void reportsInAnotherOrderAreNotThatQ2AfterAFlushOrWithOtherGuestDataOrAnotherLineMoved() {
        assertThat(Known.classify(laterPieceReordered("aio_flush", OURS_11093, "6d99/56"))).isNull();
        assertThat(Known.classify(laterPieceReordered("length", OURS_11093, "6d98/56"))).isNull();
        assertThat(Known.classify(laterPieceReordered("length", OURS_11093, "6d99/57"))).isNull();
        // a line other than the two reports that moved is not their order
        String suspendedMoved = "blkdebug: Suspended request 'A'\nblkdebug: Suspended request 'B'\n"
                + "blkdebug: Resuming request 'A'\nblkdebug: Resuming request 'B'\n"
                + WROTE_128K_AT_0 + WROTE_64K_AT_192K;
        assertThat(Known.classify(laterPieceReordered("length", suspendedMoved, "6d99/56"))).isNull();
    }

    /** Seed 80000000 session 1406's commands (scenario 491), cut down, with {@code between} before the 1 KiB write. */
    private static Known.Case laterPieceOverLaterWrite(String between, long writeAt, String ours, String oursGuest) {
        Session s = new Session("qcow2", 1 << 20, "cluster_size=4096", null, List.of(), null, List.of(
                "open -t writeback -o driver=qcow2,file.align=4096 blkdebug::t.qcow2", "aio_write -P 15 4608 512",
                "aio_flush", "aio_write 0 65536", between, "write -P 0x54 " + writeAt + " 1024", "aio_flush",
                "read -P 0x6b 590848 4096"), true, null);
        return new Known.Case(s, new Runner.Outcome(QEMU_1406, 0, "bc17", false, "3927/23"),
                new Runner.Outcome(ours, 0, "8c00", false, oursGuest));
    }

    private static final String WROTE_64K = "wrote 65536/65536 bytes at offset 0\n64 KiB, X ops; XX:XX:XX.X (XXX YYY/sec and XXX ops/sec)\n";
    private static final String WROTE_1K = "wrote 1024/1024 bytes at offset 4096\n1 KiB, X ops; XX:XX:XX.X (XXX YYY/sec and XXX ops/sec)\n";
    private static final String QEMU_1406 = "qemu-io> qemu-io> qemu-io> qemu-io> " + WROTE_64K + WROTE_1K + "qemu-io> qemu-io> ";
    private static final String OURS_1406 = "qemu-io> qemu-io> qemu-io> qemu-io> " + WROTE_1K + "qemu-io> " + WROTE_64K + "qemu-io> ";

    @Test
    void q2IsAWriteOverALaterPieceOfASpanningAioWriteLandingFirstHere() {
        assertThat(Known.classify(laterPieceOverLaterWrite("length", 4096, OURS_1406, "8a1e/23")))
                .startsWith("Q2 (a later piece of a qcow2 aio_write starts after a later write over it");
    }

    @Test
    void aWriteOverTheFirstClusterOrAfterAFlushOrWithOtherLinesOrClustersIsNotThatQ2() {
        // the first cluster's piece is in flight in both programs
        assertThat(Known.classify(laterPieceOverLaterWrite("length", 2048, OURS_1406, "8a1e/23"))).isNull();
        assertThat(Known.classify(laterPieceOverLaterWrite("aio_flush", 4096, OURS_1406, "8a1e/23"))).isNull();
        assertThat(Known.classify(laterPieceOverLaterWrite("length", 4096, OURS_1406.replace("1024/1024", "1024/1025"),
                "8a1e/23"))).isNull();
        assertThat(Known.classify(laterPieceOverLaterWrite("length", 4096, OURS_1406, "8a1e/24"))).isNull();
    }

    /** Seed 70000000 session 9464's commands (scenario 440), shrunk, with {@code between} before the read. */
    private static Known.Case laterPieceBeforeRead(String options, String between, String oursGuest) {
        Session s = new Session("qcow2", 4 << 20, "", null, List.of("--image-opts"),
                "driver=qcow2,file.driver=blkdebug,file.image.driver=file,file.image.filename=t.qcow2" + options,
                List.of("aio_write -C 1024 1024", "aio_flush", "writev -P 231 610816 512",
                        "aio_write -f -P 0xea 57856 65536", between, "read -P 73 4608 4096"), false, null);
        String out = "wrote 512/512 bytes at offset 610816\nread failed: Disk quota exceeded\n"
                + "aio_write failed: Disk quota exceeded\n";
        return new Known.Case(s, new Runner.Outcome(out, 1, "4688", false, "c144/7"),
                new Runner.Outcome(out, 1, "7542", false, oursGuest));
    }

    private static final String READ_AIO_RULE = ",file.inject-error.0.event=read_aio,file.inject-error.0.errno=122";

    @Test
    void q2IsALaterPiecesZeroingAfterAReadThatArmedARuleWithTheSameGuestData() {
        assertThat(Known.classify(laterPieceBeforeRead(READ_AIO_RULE, "length", "c144/7")))
                .startsWith("Q2 (a later piece of a qcow2 aio_write zeroes its cluster after a later read");
    }

    @Test
    void aReadAfterASpanningAioWriteIsNotQ2WithoutARuleOrOnceFlushedOrWithOtherGuestData() {
        assertThat(Known.classify(laterPieceBeforeRead("", "length", "c144/7"))).isNull();
        assertThat(Known.classify(laterPieceBeforeRead(READ_AIO_RULE, "aio_flush", "c144/7"))).isNull();
        assertThat(Known.classify(laterPieceBeforeRead(READ_AIO_RULE, "length", "c144/8"))).isNull();
    }

    @Test
    void aFailedAioWriteCountsForD2() {
        // seed 50001 session 3375: QEMU ignores the failed padding read of an aio_write, ours fails it
        Session s = new Session("qcow2", 2 << 20, "", null, List.of(),
                null, List.of("open -o driver=qcow2,file.align=4096 blkdebug:rules.conf:t.qcow2", "aio_write -f 4096 511"),
                false, null);
        Known.Case c = new Known.Case(s.withRules("[inject-error]\n"),
                new Runner.Outcome("wrote 511/511 bytes at offset 4096\n", 0, "aa", false),
                new Runner.Outcome("aio_write failed: Permission denied\n", 0, "bb", false));
        assertThat(Known.classify(c)).startsWith("D2 ");
    }

    private static Known.Case probedRaw(String qemu, String ours) {
        Session s = new Session("raw", 1 << 20, "", null, List.of(), "blkdebug:rules.conf:t.raw",
                List.of("flush", "aio_write -P 71 253239 1024"), false, null);
        String warning = "WARNING: Image format was not specified for 'blkdebug:rules.conf:t.raw' and probing guessed raw.\n";
        return new Known.Case(s.withRules("[inject-error]\n"), new Runner.Outcome(warning + qemu, 1, "aa", false),
                new Runner.Outcome(warning + ours, 1, "aa", false));
    }

    @Test
    void aWriteThatFailsInBothWithTheReadsErrnoHereIsD2() {
        // seed 70000 session 2609: a probed raw pads to 512; QEMU ignores the failed padding read
        // and a later rule fails the write; ours fails it with the read's errno
        Known.Case c = probedRaw("aio_write failed: Input/output error\n", "aio_write failed: Invalid argument\n");
        assertThat(Known.classify(c)).startsWith("D2 ");
    }

    @Test
    void aReadThatFailsOnlyHereIsNotD2() {
        // an errno may differ downstream of D2, not whether a request fails
        Known.Case c = probedRaw("aio_write failed: Input/output error\nread 512/512 bytes at offset 0\n",
                "aio_write failed: Invalid argument\nread failed: Invalid argument\n");
        assertThat(Known.classify(c)).isNull();
    }

    private static Known.Case rmwThenRead(String rules, String qemuRead) {
        // seed 41000 session 186: a write of 1 byte under align=65536 whose RMW read a rule fails
        Session s = new Session("raw", 1 << 20, "", rules, List.of("--image-opts"),
                "driver=raw,file.driver=blkdebug,file.config=rules.conf,file.align=65536,file.image.filename=t.raw",
                List.of("aio_write -P 20 4608 1", "aio_flush", "read -C 494592 4096"), false, null);
        return new Known.Case(s,
                new Runner.Outcome("aio_write failed: Input/output error\n" + qemuRead, 1, "aa", false),
                new Runner.Outcome("aio_write failed: Input/output error\nread failed: Input/output error\n", 1, "aa", false));
    }

    @Test
    void aLaterRequestMeetingTheRuleAPwritevDoneOfTheFailedWriteArmedCountsForD2() {
        // QEMU's write went on to pwritev_done, whose rule (errno 122) replaced the armed EIO rule
        Known.Case c = rmwThenRead("[inject-error]\nevent = \"pwritev_rmw_tail\"\nerrno = \"5\"\n"
                + "[inject-error]\nevent = \"pwritev_done\"\nerrno = \"122\"\n", "read failed: Disk quota exceeded\n");
        assertThat(Known.classify(c)).startsWith("D2 (after a failed RMW read");
    }

    @Test
    void withoutARuleOnPwritevOrPwritevDoneALaterDifferenceIsNew() {
        // nothing the write fires after its read could have re-armed blkdebug: not D2
        Known.Case c = rmwThenRead("[inject-error]\nevent = \"pwritev_rmw_tail\"\nerrno = \"5\"\n"
                + "[inject-error]\nevent = \"pwritev_zero\"\nerrno = \"122\"\n", "read failed: Disk quota exceeded\n");
        assertThat(Known.classify(c)).isNull();
    }

    private static Known.Case rmwHeadWithPwritevRule(String rules, String qemuErrno, String oursErrno) {
        // seed 20261203 session 8520: a 512-byte write under align=4096; the pwritev_rmw_head rule
        // (errno 1) fails its RMW read; QEMU's write goes on to pwritev, whose rule (errno 95) then
        // fails it and stays armed for the later requests
        Session s = new Session("raw", 1 << 20, "", rules, List.of("--image-opts"),
                "driver=raw,file.driver=blkdebug,file.config=rules.conf,file.align=4096,file.image.filename=t.raw",
                List.of("aio_write -P 0x17 246272 512", "aio_flush", "read -C 230912 5120"), false, null);
        return new Known.Case(s,
                new Runner.Outcome("aio_write failed: " + qemuErrno + "\nread failed: " + qemuErrno + "\n", 1, "aa", false),
                new Runner.Outcome("aio_write failed: " + oursErrno + "\nread failed: " + oursErrno + "\n", 1, "aa", false));
    }

    private static final String RMW_HEAD_AND_PWRITEV = "[inject-error]\nevent = \"pwritev\"\nerrno = \"95\"\nonce = \"off\"\n"
            + "[inject-error]\nevent = \"pwritev_rmw_head\"\nerrno = \"1\"\n";

    @Test
    void theFailedWriteItselfReportingThePwritevRulesErrnoCountsForD2() {
        Known.Case c = rmwHeadWithPwritevRule(RMW_HEAD_AND_PWRITEV, "Operation not supported", "Operation not permitted");
        assertThat(Known.classify(c)).startsWith("D2 (after a failed RMW read");
    }

    @Test
    void aWriteFailingWithAnotherErrnoWithoutARuleOnPwritevIsNew() {
        // no pwritev/pwritev_done rule could have failed QEMU's write with its own errno: not D2
        Known.Case c = rmwHeadWithPwritevRule(RMW_HEAD_AND_PWRITEV.replace("\"pwritev\"", "\"pwritev_zero\""),
                "Operation not supported", "Operation not permitted");
        assertThat(Known.classify(c)).isNull();
    }

    private static final String FUA_FLUSH_RULES = "[set-state]\nevent = \"pwritev_rmw_tail\"\nstate = \"2\"\nnew_state = \"1\"\n"
            + "[inject-error]\nevent = \"flush_to_os\"\nerrno = \"95\"\nonce = \"off\"\n"
            + "[inject-error]\nevent = \"pwritev_rmw_after_head\"\nimmediately = \"off\"\niotype = \"write\"\n";

    private static Known.Case rmwTailThenFuaFlush(String format, String rules, String qemuWrite, String oursWrite) {
        // seed 140000000 session 2222: the unaligned writev's tail read (align=4k) is failed by the
        // once rule pwritev_rmw_tail arms (errno 1); QEMU ignores it, writes the block, and its
        // writethrough FUA flush fires flush_to_os, whose sticky rule (errno 95) fails the flush
        // and then the read; ours ends at the read, nothing is armed after it
        Session s = new Session(format, 1 << 20, "", rules, List.of("--image-opts"),
                "driver=" + format + ",file.driver=blkdebug,file.config=rules.conf,file.align=4k,file.max-transfer=65536,"
                        + "file.image.driver=file,file.image.filename=t.raw,file.set-state.0.event=pwritev,"
                        + "file.set-state.0.state=0,file.set-state.0.new_state=1,file.inject-error.0.event=pwritev_rmw_tail,"
                        + "file.inject-error.0.errno=1,file.inject-error.0.once=on,file.inject-error.0.state=1",
                List.of("aio_flush", "readv -q -P 0x24 120320 512 100 512", "writev -C -P 0x16 4608 3584 100 100",
                        "read -P 0xb1 933376 4096"), false, null);
        String pattern = "Pattern verification failed at offset 120320, 1124 bytes\n";
        return new Known.Case(s,
                new Runner.Outcome(pattern + qemuWrite + "read failed: Operation not supported\n", 1, "b5", false),
                new Runner.Outcome(pattern + oursWrite + "Pattern verification failed at offset 933376, 4096 bytes\n"
                        + "read 4096/4096 bytes at offset 933376\n4 KiB, X ops; XX:XX:XX.X (XXX YYY/sec and XXX ops/sec)\n",
                        1, "b6", false));
    }

    @Test
    void aWriteFailedAtItsFuaFlushPastItsFailedRmwReadCountsForD2() {
        Known.Case c = rmwTailThenFuaFlush("raw", FUA_FLUSH_RULES, "writev failed: Operation not supported\n",
                "writev failed: Operation not permitted\n");
        assertThat(Known.classify(c))
                .startsWith("D2 (after a failed RMW read a later request meets another rule: exit status or image part too)");
    }

    @Test
    void withoutAFlushRuleAWriteFailingWithAnotherErrnoAndAnotherImageIsNew() {
        // no rule on flush_to_os could have failed QEMU's FUA flush: not D2
        Known.Case c = rmwTailThenFuaFlush("raw", FUA_FLUSH_RULES.replace("flush_to_os", "pwritev_zero"),
                "writev failed: Operation not supported\n", "writev failed: Operation not permitted\n");
        assertThat(Known.classify(c)).isNull();
    }

    @Test
    void aWriteWhoseErrnosNoFlushRuleOrReadRuleExplainsIsNew() {
        String qemuFlush = "writev failed: Operation not supported\n";
        String oursRead = "writev failed: Operation not permitted\n";
        // QEMU's errno (EIO) is not the flush rule's (95): something else failed its write
        assertThat(Known.classify(rmwTailThenFuaFlush("raw", FUA_FLUSH_RULES, "writev failed: Input/output error\n", oursRead)))
                .isNull();
        // ours' errno (ENOSPC) is no rule's that could fail its padding read
        assertThat(Known.classify(rmwTailThenFuaFlush("raw", FUA_FLUSH_RULES, qemuFlush,
                "writev failed: No space left on device\n"))).isNull();
        // ours' write went through: not a write ended at its failed padding read
        assertThat(Known.classify(rmwTailThenFuaFlush("raw", FUA_FLUSH_RULES, qemuFlush, "3784,X,XX:XX:XX.X,XXX,XXX\n")))
                .isNull();
    }

    private static Known.Case truncateHeaderUnder(String rules, String qemuErrno) {
        // seed 50000000 session 5289: truncate's header write (8 bytes at 24) pads to 512; its
        // merged read fires pwritev_rmw_head (state 1 -> 3) and pwritev_rmw_tail (arms errno 5,
        // which fails the read); QEMU ignores that, fires pwritev, whose state-3 rule (errno 22)
        // fails the write; ours fails at the read, and at close the still-armed rule fails the
        // cache flushes here
        Session s = new Session("qcow2", 2 << 20, "", rules, List.of("--image-opts"),
                "driver=qcow2,file.driver=blkdebug,file.config=rules.conf,file.align=512,file.max-transfer=65536,"
                        + "file.image.driver=file,file.image.filename=t.qcow2",
                List.of("truncate 2097664", "aio_read 65024 86528", "readv 324096 100", "close"), true, null);
        String reads = "qemu-io> qemu-io> read 86528/86528 bytes at offset 65024\n"
                + "84.500 KiB, X ops; XX:XX:XX.X (XXX YYY/sec and XXX ops/sec)\n"
                + "read 100/100 bytes at offset 324096\n100 bytes, X ops; XX:XX:XX.X (XXX YYY/sec and XXX ops/sec)\n";
        return new Known.Case(s,
                new Runner.Outcome("qemu-io> qemu-io: Failed to update the image size: " + qemuErrno + "\n" + reads
                        + "qemu-io> qemu-io> ", 1, "aa", false),
                new Runner.Outcome("qemu-io> qemu-io: Failed to update the image size: Input/output error\n" + reads
                        + "qemu-io> qemu-io: Failed to flush the L2 table cache: Input/output error\n"
                        + "qemu-io: Failed to flush the refcount block cache: Input/output error\nqemu-io> ", 1, "aa", false));
    }

    private static final String RULES_5289 = "[inject-error]\nevent = \"pwritev\"\nerrno = \"22\"\nonce = \"on\"\nstate = \"3\"\n"
            + "[inject-error]\nevent = \"pwritev_rmw_tail\"\nerrno = \"5\"\n"
            + "[set-state]\nevent = \"pwritev_rmw_head\"\nstate = \"1\"\nnew_state = \"3\"\n";

    @Test
    void truncatesHeaderWriteFailingWithThePwritevRulesErrnoInQemuIsD2() {
        Known.Case c = truncateHeaderUnder(RULES_5289, "Invalid argument");
        assertThat(Known.classify(c)).startsWith("D2 (after a failed RMW read");
    }

    @Test
    void truncatesHeaderWriteFailingWithAnotherErrnoWithoutAPwritevRuleIsNew() {
        // no rule on pwritev or pwritev_done could have failed QEMU's header write: not D2
        Known.Case c = truncateHeaderUnder(RULES_5289.replace("\"pwritev\"", "\"pwritev_zero\""), "Invalid argument");
        assertThat(Known.classify(c)).isNull();
    }

    @Test
    void truncatesHeaderWriteFailingWithoutAlignIsNew() {
        Session s = new Session("qcow2", 2 << 20, "", RULES_5289, List.of("--image-opts"),
                "driver=qcow2,file.driver=blkdebug,file.config=rules.conf,file.image.filename=t.qcow2",
                List.of("truncate 2097664"), true, null);
        Known.Case aligned = truncateHeaderUnder(RULES_5289, "Invalid argument");
        Known.Case c = new Known.Case(s, aligned.qemu(), aligned.ours());
        assertThat(Known.classify(c)).isNull();
    }

    @Test
    void aReadFailingWithAnotherErrnoFirstIsNew() {
        // the first line that differs is no write's: the kind asks for a failed write before it
        Session s = new Session("raw", 1 << 20, "", RMW_HEAD_AND_PWRITEV, List.of("--image-opts"),
                "driver=raw,file.driver=blkdebug,file.config=rules.conf,file.align=4096,file.image.filename=t.raw",
                List.of("read -C 230912 5120", "aio_write -P 0x17 246272 512", "aio_flush"), false, null);
        Known.Case c = new Known.Case(s,
                new Runner.Outcome("read failed: Operation not supported\naio_write failed: Operation not supported\n", 1, "aa", false),
                new Runner.Outcome("read failed: Operation not permitted\naio_write failed: Operation not supported\n", 1, "aa", false));
        assertThat(Known.classify(c)).isNull();
    }

    private static final String ASSERTION = "qemu-io: ../../block/io.c:2532: bdrv_co_block_status: Assertion "
            + "`*pnum && QEMU_IS_ALIGNED(*pnum, align) && align > offset - aligned_offset' failed.\n";

    private static Known.Case mapUnder(String rules) {
        // seed 47000 session 204: map under a block-status rule with errno -5
        Session s = new Session("raw", 1 << 20, "", rules, List.of(), null,
                List.of("open -t none -o driver=raw blkdebug:rules.conf:t.raw", "map"), false, null);
        return new Known.Case(s, new Runner.Outcome(ASSERTION, 134, "aa", false),
                new Runner.Outcome("1 MiB (0x100000) bytes     allocated at offset 0 bytes (0x0)\n", 0, "aa", false));
    }

    @Test
    void qemuAbortingOnANegativeBlockStatusErrnoCountsForD22() {
        Known.Case c = mapUnder("[inject-error]\nevent = \"pwritev_done\"\nerrno = \"-5\"\niotype = \"block-status\"\n");
        assertThat(Known.classify(c)).startsWith("D22 ");
    }

    @Test
    void theAbortWithAPositiveErrnoIsNotD22() {
        // only a negative errno turns into a positive status; an abort with errno 5 would be new
        Known.Case c = mapUnder("[inject-error]\nevent = \"pwritev_done\"\nerrno = \"5\"\niotype = \"block-status\"\n");
        assertThat(Known.classify(c)).isNull();
    }

    private static Known.Case copyOnRead(String errno, List<String> args, String blkdebug) {
        // seed 70000000 session 13764 (scenario 461): a json: filename's rule armed by the first write's RMW, -C
        Session s = new Session("qcow2", 1 << 20, "", null, args,
                "json:{\"driver\":\"qcow2\",\"file\":{\"driver\":\"blkdebug\"" + blkdebug + ",\"image\":{\"driver\":\"file\","
                        + "\"filename\":\"t.qcow2\"},\"inject-error\":[{\"event\":\"pwritev_rmw_after_head\",\"errno\":\""
                        + errno + "\",\"immediately\":\"on\"}]}}",
                List.of("write -C -P 107 4096 8192", "read -P 0x19 761856 4096"), false, null);
        String written = "8192,X,XX:XX:XX.X,XXX,XXX\n";
        return new Known.Case(s, new Runner.Outcome(written
                + "qemu-io: ../../block/io.c:1388: bdrv_co_do_copy_on_readv: Assertion `skip_bytes < pnum' failed.\n",
                134, "aa", false), new Runner.Outcome(written + "Pattern verification failed at offset 761856, 4096 bytes\n"
                        + "read 4096/4096 bytes at offset 761856\n", 1, "aa", false));
    }

    @Test
    void theCopyOnReadAbortUnderANegativeErrnoRuleIsD7sMaxTransferNotD22() {
        // the rule plays no part: max-transfer 4096 below the 64 KiB cluster is why QEMU aborts
        assertThat(Known.classify(copyOnRead("-5", List.of("-C", "-t", "unsafe"), ",\"max-transfer\":\"4096\"")))
                .startsWith("D7 (copy-on-read with max-transfer below the cluster size");
        assertThat(Known.classify(copyOnRead("5", List.of("-C", "-t", "unsafe"), ",\"max-transfer\":\"4096\"")))
                .startsWith("D7 (copy-on-read with max-transfer below the cluster size");
    }

    @Test
    void thatAbortWithoutMaxTransferEvenUnderANegativeErrnoIsNew() {
        assertThat(Known.classify(copyOnRead("-5", List.of("-C", "-t", "unsafe"), ""))).isNull();
    }

    private static final String COR_ASSERTION =
            "qemu-io: ../../block/io.c:1388: bdrv_co_do_copy_on_readv: Assertion `skip_bytes < pnum' failed.\n";

    private static Known.Case copyOnReadUnder(String format, List<String> args, String blkdebug, String read) {
        // seed 130000000 session 7646, shrunk: no rule, max-transfer below the 64 KiB cluster
        Session s = new Session(format, 2 << 20, "", null, args,
                "json:{\"driver\":\"" + format + "\",\"file\":{\"driver\":\"blkdebug\"" + blkdebug
                        + ",\"image\":{\"driver\":\"file\",\"filename\":\"t." + format + "\"}}}",
                List.of(read), false, null);
        return new Known.Case(s, new Runner.Outcome(COR_ASSERTION, 134, "aa", false),
                new Runner.Outcome("read 512/512 bytes at offset 473600\n512 bytes, X ops; XX:XX:XX.X (XXX YYY/sec and XXX ops/sec)\n",
                        0, "bb", false));
    }

    private static final String ALIGN_8K = ",\"align\":\"4096\",\"max-transfer\":\"8192\"";

    @Test
    void qemuAbortingInCopyOnReadUnderASmallMaxTransferIsD7() {
        assertThat(Known.classify(copyOnReadUnder("qcow2", List.of("-C"), ALIGN_8K, "read 473600 512")))
                .startsWith("D7 (copy-on-read with max-transfer below the cluster size");
        // a read's own -C, max-transfer given as options (seed 130000000 session 11524, a positive errno rule)
        Session s = new Session("qcow2", 2 << 20, "",
                "[inject-error]\nevent = \"pwritev\"\nerrno = \"28\"\niotype = \"block-status\"\n", List.of("--image-opts"),
                "driver=qcow2,file.driver=blkdebug,file.config=rules.conf,file.align=4k,file.max-transfer=4096,"
                        + "file.image.driver=file,file.image.filename=t.qcow2",
                List.of("read -C 215040 4096"), true, null);
        Known.Case c = new Known.Case(s, new Runner.Outcome("qemu-io> " + COR_ASSERTION, 134, "aa", false),
                new Runner.Outcome("qemu-io> read 4096/4096 bytes at offset 215040\n", 0, "bb", false));
        assertThat(Known.classify(c)).startsWith("D7 (copy-on-read with max-transfer below the cluster size");
    }

    @Test
    void thatAbortWithoutCopyOnReadOrASmallMaxTransferOrOnRawIsNew() {
        assertThat(Known.classify(copyOnReadUnder("qcow2", List.of(), ALIGN_8K, "read 473600 512"))).isNull();
        assertThat(Known.classify(copyOnReadUnder("qcow2", List.of("-C"), ",\"align\":\"4096\"", "read 473600 512"))).isNull();
        assertThat(Known.classify(copyOnReadUnder("qcow2", List.of("-C"),
                ",\"align\":\"4096\",\"max-transfer\":\"65536\"", "read 473600 512"))).isNull();
        assertThat(Known.classify(copyOnReadUnder("raw", List.of("-C"), ALIGN_8K, "read 473600 512"))).isNull();
        // another abort under the same session is not this one
        Known.Case c = copyOnReadUnder("qcow2", List.of("-C"), ALIGN_8K, "read 473600 512");
        assertThat(Known.classify(new Known.Case(c.session(), new Runner.Outcome(
                "qemu-io: ../../block/io.c:2532: bdrv_co_block_status: Assertion `*pnum' failed.\n", 134, "aa", false),
                c.ours()))).isNull();
    }

    @Test
    void extraFailedMetadataWritesAreD2() {
        // seed 90000 session 559: QEMU ignored the failed padding read of qcow2's header write
        Known.Case c = probedRaw("", "qemu-io: Failed to update the image size: Input/output error\n");
        assertThat(Known.classify(c)).startsWith("D2 ");
    }

    @Test
    void aNegativeBlockStatusErrnoGivenAsOptionsCountsForD22() {
        Session s = new Session("raw", 1 << 20, "", null, List.of(), null, List.of(
                "open -o driver=raw,file.inject-error.0.event=read_aio,file.inject-error.0.errno=-5,"
                        + "file.inject-error.0.iotype=block-status blkdebug::t.raw", "map"), false, null);
        Known.Case c = new Known.Case(s, new Runner.Outcome(ASSERTION, 134, "aa", false),
                new Runner.Outcome("1 MiB (0x100000) bytes     allocated at offset 0 bytes (0x0)\n", 0, "aa", false));
        assertThat(Known.classify(c)).startsWith("D22 ");
    }

    private static Known.Case shrinkUnder(String options) {
        // seed 80000000 session 15274, shrunk: 4 KiB clusters, blkdebug align=65536
        Session s = new Session("qcow2", 4 << 20, "cluster_size=4096", null, List.of("-t", "writeback", "--image-opts"),
                "driver=qcow2,file.driver=blkdebug" + options + ",file.image.driver=file,file.image.filename=t.qcow2",
                List.of("truncate -m off 2097152", "length"), false, null);
        return new Known.Case(s, new Runner.Outcome("", 136, "aa", false), new Runner.Outcome("2 MiB\n", 0, "bb", false));
    }

    @Test
    void qemuDyingOfSigfpeOnAShrinkingQcow2TruncateUnderAlignIsD7() {
        assertThat(Known.classify(shrinkUnder(",file.align=65536"))).startsWith("D7 (a shrinking qcow2 truncate");
    }

    @Test
    void thatCrashWithoutAlignIsNew() {
        assertThat(Known.classify(shrinkUnder(""))).isNull();
    }

    private static Known.Case failedAllocationUnder(String options, String command) {
        // seed 160000000 session 533, shrunk: the L2 table's write fails, the allocation frees
        // its clusters and qcow2 discards them (4 KiB, under align=65536)
        Session s = new Session("qcow2", 4 << 20, "cluster_size=4096", null, List.of("--image-opts"),
                "driver=qcow2,file.driver=blkdebug" + options + ",file.image.driver=file,file.image.filename=t.qcow2,"
                        + "file.inject-error.0.event=pwritev,file.inject-error.0.once=off",
                List.of(command), false, null);
        return new Known.Case(s, new Runner.Outcome("", 136, "aa", false),
                new Runner.Outcome("write failed: Input/output error\n", 1, "aa", false));
    }

    @Test
    void qemuDyingOfSigfpeAsAFailedQcow2AllocationDiscardsUnderAlignIsD7() {
        assertThat(Known.classify(failedAllocationUnder(",file.align=65536", "write 999424 4096")))
                .startsWith("D7 (a failed qcow2 allocation discards");
    }

    @Test
    void thatCrashWithoutAlignOrWithoutAWriteIsNew() {
        assertThat(Known.classify(failedAllocationUnder("", "write 999424 4096"))).isNull();
        assertThat(String.valueOf(Known.classify(failedAllocationUnder(",file.align=65536", "read 999424 4096")))).doesNotStartWith("D7");
    }

    private static final String CORRUPT = "wrote 4096/4096 bytes at offset 1024\n"
            + "qcow2: Marking image as corrupt: Preventing invalid write on metadata (overlaps with active L2 table);"
            + " further corruption events will be suppressed\n"
            + "aio_write failed: Input/output error\n";

    private static Known.Case outlivingCorruption(int qemuExit, String qemu, String oursAfter) {
        // seed 110000000 session 14643, shrunk (scenario 570)
        Session s = new Session("qcow2", 2 << 20, "cluster_size=4096",
                "[inject-error]\nevent = \"pwritev_done\"\nerrno = \"-5\"\nonce = \"off\"\niotype = \"read\"\n",
                List.of(), null, List.of("open -t writethrough -o driver=qcow2 blkdebug:@DIR@/rules.conf:@DIR@/t.qcow2",
                        "write -P 0x26 1024 4096", "truncate -m off 2097664", "aio_write -C -P 0xf9 351224 1024",
                        "aio_write -f -P 0x7c 2097151 512"), false, null);
        return new Known.Case(s, new Runner.Outcome(qemu, qemuExit, "aa", false),
                new Runner.Outcome(CORRUPT + oursAfter, 0, "aa", false));
    }

    @Test
    void qemuDyingOfSigsegvWhereOursWriteFoundTheCorruptNodeWithoutItsDriverIsD7() {
        assertThat(Known.classify(outlivingCorruption(139, CORRUPT, "aio_write failed: No medium found\n")))
                .startsWith("D7 (a block-status query outlives a fatal qcow2 corruption");
    }

    @Test
    void thatCrashWithAnotherErrnoOrOtherLinesOrWithoutTheCorruptionIsNew() {
        assertThat(Known.classify(outlivingCorruption(139, CORRUPT, "aio_write failed: Input/output error\n"))).isNull();
        assertThat(Known.classify(outlivingCorruption(139, CORRUPT, ""))).isNull();
        assertThat(Known.classify(outlivingCorruption(139, CORRUPT,
                "aio_write failed: No medium found\nread 512/512 bytes at offset 0\n"))).isNull();
        String clean = CORRUPT.replace("qcow2: Marking image as corrupt", "qcow2: Something else");
        assertThat(Known.classify(new Known.Case(outlivingCorruption(139, clean, "").session(),
                new Runner.Outcome(clean, 139, "aa", false),
                new Runner.Outcome(clean + "aio_write failed: No medium found\n", 0, "aa", false)))).isNull();
        assertThat(Known.classify(outlivingCorruption(134, CORRUPT, "aio_write failed: No medium found\n"))).isNull();
    }

    private static Known.Case mapUnderJson(String rule) {
        // seed 80000000 session 10419: the rules in a json: filename
        Session s = new Session("raw", 1 << 20, "", null, List.of("-t", "writeback"),
                "json:{\"driver\":\"raw\",\"file\":{\"driver\":\"blkdebug\",\"image\":{\"driver\":\"file\","
                        + "\"filename\":\"t.raw\"},\"inject-error\":[" + rule
                        + ",{\"event\":\"write_aio\",\"sector\":\"8\",\"once\":\"off\"}]}}",
                List.of("alloc 491008"), false, null);
        return new Known.Case(s, new Runner.Outcome(ASSERTION, 134, "aa", false),
                new Runner.Outcome("512/512 bytes allocated at offset 479.500 KiB\n", 0, "aa", false));
    }

    @Test
    void aNegativeBlockStatusErrnoInAJsonFilenameCountsForD22() {
        Known.Case c = mapUnderJson("{\"event\":\"none\",\"errno\":\"-5\",\"iotype\":\"block-status\"}");
        assertThat(Known.classify(c)).startsWith("D22 ");
    }

    @Test
    void inAJsonFilenameTheNegativeErrnoAndTheBlockStatusTypeMustBeOneRule() {
        Known.Case c = mapUnderJson("{\"event\":\"none\",\"errno\":\"-5\"},{\"event\":\"none\",\"iotype\":\"block-status\"}");
        assertThat(Known.classify(c)).isNull();
        assertThat(Known.classify(mapUnderJson("{\"event\":\"none\",\"errno\":\"5\",\"iotype\":\"block-status\"}"))).isNull();
    }

    private static Known.Case readAfterFailedRmwWrite(String ours) {
        // seed 20261203 session 14757: an aio_write whose RMW read an ENOTSUP rule fails, then an
        // aio_read whose read_aio rule (EIO) replaces the armed one before QEMU's write reaches it
        Session s = new Session("raw", 1 << 20, "", "[inject-error]\n", List.of("--image-opts"),
                "driver=raw,file.driver=blkdebug,file.config=rules.conf,file.align=4k,file.image.filename=t.raw",
                List.of("aio_write -f -P 81 300032 512", "aio_read -P 235 1024 100"), false, null);
        return new Known.Case(s,
                new Runner.Outcome("readv failed: Input/output error\naio_write failed: Input/output error\n", 0, "aa", false),
                new Runner.Outcome(ours, 0, "aa", false));
    }

    @Test
    void aWriteReportedEarlierWithItsReadsErrnoIsD2() {
        Known.Case c = readAfterFailedRmwWrite("aio_write failed: Operation not supported\nreadv failed: Input/output error\n");
        assertThat(Known.classify(c)).startsWith("D2 (a write ends at its failed RMW read");
    }

    @Test
    void aReadReportedEarlierIsNotThatD2() {
        // the first line that differs must be ours' failed write, not another report moved up
        Known.Case c = readAfterFailedRmwWrite("readv failed: Operation not supported\naio_write failed: Input/output error\n");
        assertThat(Known.classify(c)).isNull();
    }

    private static Known.Case writethroughWriteAfterPoolRead(String format) {
        // scenario 351 (seed 20300000 session 14053): QEMU's write goes on past its failed RMW read,
        // writes the block and fails at its FUA flush on a rule pwritev armed, after the aio_read's
        // report; ours ends it at the read, reports it first and leaves the image as it was
        Session s = new Session(format, 1 << 20, "", "[inject-error]\n", List.of("-t", "writethrough"),
                "json:{\"driver\":\"" + format + "\",\"file\":{\"driver\":\"blkdebug\",\"config\":\"rules.conf\",\"align\":\"4k\"}}",
                List.of("aio_read 262654 512", "aio_write -P 0x86 74240 512", "aio_flush"), false, null);
        String read = "read 512/512 bytes at offset 262654\n512 bytes, X ops; XX:XX:XX.X (XXX YYY/sec and XXX ops/sec)\n";
        return new Known.Case(s, new Runner.Outcome(read + "aio_write failed: Invalid argument\n", 0, "be79fad4", false),
                new Runner.Outcome("aio_write failed: Input/output error\n" + read, 0, "b6d81b36", false));
    }

    @Test
    void aWriteReportedEarlierWhoseBlockQemuWroteIsD2OnRaw() {
        assertThat(Known.classify(writethroughWriteAfterPoolRead("raw"))).startsWith("D2 (a write ends at its failed RMW read");
    }

    @Test
    void theSameOnQcow2WithAnotherImageIsNew() {
        // on qcow2 the image holds metadata too: another image there is not this difference
        assertThat(Known.classify(writethroughWriteAfterPoolRead("qcow2"))).isNull();
    }

    private static Known.Case truncateThenAlloc(String qemuAlloc) {
        // seed 20261203 session 18947: a read rule armed by write -f's flush fails the RMW read of
        // truncate's header write here; QEMU's truncate goes through and its next L2 read fails
        Session s = new Session("qcow2", 1 << 20, "", "[inject-error]\n", List.of("--image-opts"),
                "driver=qcow2,file.driver=blkdebug,file.config=rules.conf,file.align=512,file.image.filename=t.qcow2",
                List.of("write -f -P 0x49 869888 512", "truncate 1049088", "alloc 65536 8192"), false, null);
        String wrote = "wrote 512/512 bytes at offset 869888\n512 bytes, X ops; XX:XX:XX.X (XXX YYY/sec and XXX ops/sec)\n";
        return new Known.Case(s, new Runner.Outcome(wrote + qemuAlloc, 1, "aa", false),
                new Runner.Outcome(wrote + "qemu-io: Failed to update the image size: Input/output error\n"
                        + "0/8192 bytes allocated at offset 64 KiB\n", 1, "bb", false));
    }

    @Test
    void aMetadataReadFailingAfterQemusTruncateIsD2() {
        Known.Case c = truncateThenAlloc("is_allocated failed: Input/output error\n");
        assertThat(Known.classify(c)).startsWith("D2 (qcow2 truncate's metadata write");
    }

    @Test
    void aFailureWithAnotherErrnoAfterTheTruncateIsNew() {
        Known.Case c = truncateThenAlloc("is_allocated failed: Invalid argument\n");
        assertThat(Known.classify(c)).isNull();
    }

    private static Known.Case shrinkAfterAioWrite(String align, String qemuLine) {
        // seed 31000000 session 1568: a read rule armed by the aio_write's write_aio fails the RMW
        // read of the shrinking truncate's refcount table write here; QEMU's truncate goes through,
        // renews the caches, and the aio_write's L2 link reads its table again and fails
        Session s = new Session("qcow2", 4 << 20, "", "[inject-error]\n", List.of("--image-opts"),
                "driver=qcow2,file.driver=blkdebug,file.config=rules.conf" + align + ",file.image.filename=t.qcow2",
                List.of("break l2_update A", "aio_write -P 104 917504 131072", "wait_break A", "resume A",
                        "truncate 4193792"), false, null);
        String suspended = "blkdebug: Suspended request 'A'\nblkdebug: Resuming request 'A'\n";
        return new Known.Case(s,
                new Runner.Outcome(suspended + qemuLine + "aio_write failed: Operation not permitted\n", 0, "aa", false),
                new Runner.Outcome(suspended + "qemu-io: Failed to discard unused refblocks: Operation not permitted\n"
                        + "aio_write failed: Operation not permitted\n"
                        + "qemu-io: Failed to flush the refcount block cache: Operation not permitted\n", 1, "bb", false));
    }

    @Test
    void anAioWriteFailingAfterQemusShrinkingTruncateIsD2() {
        Known.Case c = shrinkAfterAioWrite(",file.align=65536", "qcow2_free_clusters failed: Operation not permitted\n");
        assertThat(Known.classify(c)).startsWith("D2 (qcow2 truncate's metadata write");
    }

    @Test
    void anotherErrnoAfterTheShrinkingTruncateIsNew() {
        Known.Case c = shrinkAfterAioWrite(",file.align=65536", "qcow2_free_clusters failed: Invalid argument\n");
        assertThat(Known.classify(c)).isNull();
    }

    @Test
    void aSynchronousFailureWhereOnlyOursExitsWithOneIsNotThatD2() {
        // QEMU's line there a synchronous command's failure: its exit status would be 1 as well
        Known.Case c = shrinkAfterAioWrite(",file.align=65536", "read failed: Operation not permitted\n");
        assertThat(Known.classify(c)).isNull();
    }

    @Test
    void withoutAlignTheShrinkingTruncatesFailureIsNew() {
        Known.Case c = shrinkAfterAioWrite("", "qcow2_free_clusters failed: Operation not permitted\n");
        assertThat(Known.classify(c)).isNull();
    }

    private static Known.Case twoAllocatingWrites(String rule, String qemu, String ours) {
        // seed 20261203 session 10110: the zero-writes of both writes fire pwritev_zero
        Session s = new Session("qcow2", 1 << 20, "", null, List.of("--image-opts"),
                "driver=qcow2,file.driver=blkdebug,file.image.filename=t.qcow2," + rule,
                List.of("aio_write -P 166 262144 512", "writev 0 1024"), false, null);
        return new Known.Case(s, new Runner.Outcome(qemu, 0, "aa", false), new Runner.Outcome(ours, 1, "bb", false));
    }

    private static final String QEMU_10110 = "aio_write failed: Operation not supported\nwrote 1024/1024 bytes at offset 0\n"
            + "1 KiB, X ops; XX:XX:XX.X (XXX YYY/sec and XXX ops/sec)\n";
    private static final String OURS_10110 = "writev failed: Operation not supported\nwrote 512/512 bytes at offset 262144\n"
            + "512 bytes, X ops; XX:XX:XX.X (XXX YYY/sec and XXX ops/sec)\n";

    @Test
    void theOtherAllocatingWriteMeetingAZeroWriteRuleIsNew() {
        // once Q5: the second write's zero-write now waits for the first's, as in QEMU, so the
        // first write's data write meets the rule in both (the session agrees now)
        Known.Case c = twoAllocatingWrites("file.inject-error.0.event=pwritev_zero,file.inject-error.0.errno=95,"
                + "file.inject-error.0.once=on,file.inject-error.0.iotype=write", QEMU_10110, OURS_10110);
        assertThat(Known.classify(c)).isNull();
    }

    private static Known.Case overlapping(List<String> commands, String ourMd5) {
        Session s = new Session("raw", 1 << 20, "", null, List.of("-t", "directsync"), "t.raw", commands, false, null);
        return new Known.Case(s, new Runner.Outcome("", 0, "aa", false), new Runner.Outcome("", 0, ourMd5, false));
    }

    @Test
    void overlappingWritesInFlightTogetherThatLeaveOtherBytesAreD21() {
        // seed 20261202 session 109, cut short
        Known.Case c = overlapping(List.of("aio_write -C -z 901120 65536", "read 65536 30720",
                "aio_write -q -C -f -P 0x8e 903168 43008"), "bb");
        assertThat(Known.classify(c)).startsWith("D21 (overlapping writes");
    }

    @Test
    void writesSeparatedByAnAioFlushAreNotD21() {
        Known.Case c = overlapping(List.of("aio_write -z 901120 65536", "aio_flush", "aio_write -P 1 903168 43008"), "bb");
        assertThat(Known.classify(c)).isNull();
    }

    @Test
    void writesThatDoNotOverlapAreNotD21() {
        Known.Case c = overlapping(List.of("aio_write -z 901120 4096", "aio_write -P 1 905216 4096"), "bb");
        assertThat(Known.classify(c)).isNull();
    }

    @Test
    void aSynchronousWriteBeforeAnOverlappingOneIsNotInFlight() {
        Known.Case c = overlapping(List.of("write -z 901120 65536", "aio_write -P 1 903168 43008"), "bb");
        assertThat(Known.classify(c)).isNull();
    }

    private static Known.Case laterWriteFirst(String rules, String qemu, String ours) {
        // seed 20300000 session 6741, shrunk: A held at l2_alloc_write, resumed, then B; both zero
        // fresh clusters past the end of the file
        Session s = new Session("qcow2", 4 << 20, "", rules, List.of("--image-opts"),
                "driver=qcow2,file.driver=blkdebug,file.config=rules.conf,file.image.filename=t.qcow2",
                List.of("break l2_alloc_write A", "aio_write -P 0x99 524288 4096", "wait_break A", "resume A",
                        "aio_write -P 0xcf 1004032 65536"), false, null);
        return new Known.Case(s, new Runner.Outcome(qemu, 0, "aa", false), new Runner.Outcome(ours, 0, "bb", false));
    }

    private static final String WRITE_AIO_ONCE = "[inject-error]\nevent = \"write_aio\"\nsector = \"-1\"\nonce = \"on\"\n"
            + "immediately = \"on\"\n";
    private static final String HELD = "blkdebug: Suspended request 'A'\nblkdebug: Resuming request 'A'\naio_write failed: Input/output error\n";
    private static final String B_DONE = HELD + "wrote 65536/65536 bytes at offset 1004032\n"
            + "64 KiB, X ops; XX:XX:XX.X (XXX YYY/sec and XXX ops/sec)\n";
    private static final String A_DONE = HELD + "wrote 4096/4096 bytes at offset 524288\n"
            + "4 KiB, X ops; XX:XX:XX.X (XXX YYY/sec and XXX ops/sec)\n";

    @Test
    void theLaterAllocatingWriteReachingAOnceWriteAioRuleFirstHereIsNew() {
        // once Q5 (scenario 361): the later write's zero-write waits for the earlier one's now
        Known.Case c = laterWriteFirst(WRITE_AIO_ONCE, B_DONE, A_DONE);
        assertThat(Known.classify(c)).isNull();
    }

    private static Known.Case breakOnPwritev(String breakEvent, String qemu, int qemuExit, String ours) {
        // seed 20300000 session 9509: qcow2's data write under align=65536, whose head RMW read
        // meets the rule its write_aio armed
        Session s = new Session("qcow2", 2 << 20, "cluster_size=4096",
                "[inject-error]\nevent = \"write_aio\"\nsector = \"16\"\nimmediately = \"on\"\n", List.of("--image-opts"),
                "driver=qcow2,file.driver=blkdebug,file.config=rules.conf,file.align=65536,file.opt-write-zero=65536,"
                        + "file.image.filename=t.qcow2",
                List.of("write -q -z 2096640 511", "break " + breakEvent + " A", "aio_write -P 0x28 0 65536", "resume A"),
                false, null);
        return new Known.Case(s, new Runner.Outcome(qemu, qemuExit, "aa", false), new Runner.Outcome(ours, 1, "aa", false));
    }

    private static final String QEMU_9509 = "blkdebug: Suspended request 'A'\nblkdebug: Resuming request 'A'\n"
            + "aio_write failed: Input/output error\nqemu-io: Failed to flush the refcount block cache: Input/output error\n";
    private static final String OURS_9509 = "Could not resume request: No such file or directory\n"
            + "aio_write failed: Input/output error\nqemu-io: Failed to flush the refcount block cache: Input/output error\n";

    @Test
    void aBreakOnPwritevOnlyQemusWriteReachesAfterItsFailedRmwReadIsD2() {
        Known.Case c = breakOnPwritev("pwritev", QEMU_9509, 0, OURS_9509);
        assertThat(Known.classify(c)).startsWith("D2 (a break on pwritev");
    }

    @Test
    void aBreakOnAnEventBeforeTheReadThatOnlyQemuReachesIsNew() {
        // pwritev_rmw_head comes before the read: ours reaches it too, so missing it is no D2
        Known.Case c = breakOnPwritev("pwritev_rmw_head", QEMU_9509, 0, OURS_9509);
        assertThat(Known.classify(c)).isNull();
    }

    @Test
    void aBreakOnPwritevMissedHereWithAnotherLineDifferingIsNew() {
        Known.Case c = breakOnPwritev("pwritev", QEMU_9509, 0,
                OURS_9509.replace("qemu-io: Failed to flush the refcount block cache: Input/output error\n", ""));
        assertThat(Known.classify(c)).isNull();
    }

    private static Known.Case twoBreaksOnPwritev(String qemu, String ours) {
        // seed 80000000 session 5396, cut down: two aio_writes whose RMW reads under align=65536
        // meet the rule their write_aio armed, each with a break on pwritev only QEMU's reaches
        Session s = new Session("qcow2", 4 << 20, "cluster_size=4096", null, List.of("--image-opts"),
                "driver=qcow2,file.driver=blkdebug,file.align=65536,file.image.driver=file,file.image.filename=t.qcow2,"
                        + "file.inject-error.0.event=write_aio,file.inject-error.0.errno=95",
                List.of("aio_write -z 512 40960", "aio_flush", "break pwritev A", "aio_write -P 250 65536 131072",
                        "wait_break A", "length", "resume A", "aio_flush", "break pwritev C",
                        "aio_write -P 218 393216 131072", "wait_break C", "resume C", "aio_flush"),
                false, null);
        return new Known.Case(s, new Runner.Outcome(qemu, 0, "aa", false), new Runner.Outcome(ours, 1, "aa", false));
    }

    private static final String WROTE_40K = "wrote 40960/40960 bytes at offset 512\n"
            + "40 KiB, X ops; XX:XX:XX.X (XXX YYY/sec and XXX ops/sec)\n";
    private static final String NOT_SUPPORTED = "aio_write failed: Operation not supported\n";
    private static final String CACHES = "qemu-io: Failed to flush the L2 table cache: Operation not supported\n"
            + "qemu-io: Failed to flush the refcount block cache: Operation not supported\n";
    private static final String QEMU_5396 = WROTE_40K + "blkdebug: Suspended request 'A'\n4 MiB\n"
            + "blkdebug: Resuming request 'A'\n" + NOT_SUPPORTED + "blkdebug: Suspended request 'C'\n"
            + "blkdebug: Resuming request 'C'\n" + NOT_SUPPORTED + CACHES;
    private static final String OURS_5396 = WROTE_40K + NOT_SUPPORTED + "wait_break: no request in flight can reach 'A'\n"
            + "4 MiB\nCould not resume request: No such file or directory\n" + NOT_SUPPORTED
            + "wait_break: no request in flight can reach 'C'\nCould not resume request: No such file or directory\n" + CACHES;

    @Test
    void twoBreaksOnPwritevOnlyQemusWritesReachAfterTheirFailedRmwReadsAreD2() {
        assertThat(Known.classify(twoBreaksOnPwritev(QEMU_5396, OURS_5396))).startsWith("D2 (a break on pwritev");
    }

    @Test
    void twoBreaksOnPwritevWhereOursReachesOneThatQemuMissesIsNew() {
        // ours suspended at C where QEMU did not: not a write that ended at its read here
        String qemu = QEMU_5396.replace("blkdebug: Suspended request 'C'\nblkdebug: Resuming request 'C'\n", "");
        String ours = OURS_5396.replace("wait_break: no request in flight can reach 'C'\nCould not resume request: No such file or directory\n",
                "blkdebug: Suspended request 'C'\nblkdebug: Resuming request 'C'\n");
        assertThat(Known.classify(twoBreaksOnPwritev(qemu, ours))).isNull();
    }

    @Test
    void twoBreaksOnPwritevMissedHereWithAnotherLineDifferingIsNew() {
        String ours = OURS_5396.replace("4 MiB\n", "2 MiB\n");
        assertThat(Known.classify(twoBreaksOnPwritev(QEMU_5396, ours))).isNull();
    }

    /**
     * Seed 90000000 session 11432, shrunk (scenario 515 under align=8192): an l2_alloc_write rule
     * with iotype=read fails the padding read of the L2 table's write under align=65536; QEMU's
     * write goes on to its data write's write_aio, ours fails there.
     */
    private static Known.Case breakOnDataWrite(String format, String readRule, String ours, String ourMd5) {
        Session s = new Session(format, 1 << 20, format.equals("qcow2") ? "cluster_size=4096" : "",
                "[inject-error]\nevent = \"l2_alloc_write\"\nstate = \"1\"\niotype = \"" + readRule + "\"\n"
                        + "[inject-error]\nevent = \"flush_to_os\"\nerrno = \"1\"\n",
                List.of("--image-opts"),
                "driver=" + format + ",file.driver=blkdebug,file.config=rules.conf,file.align=65536,"
                        + "file.image.driver=file,file.image.filename=t." + format,
                List.of("break write_aio A", "aio_write -P 0x40 393216 65536", "wait_break A", "resume A"), false, null);
        return new Known.Case(s, new Runner.Outcome(QEMU_11432, 0, "aa", false), new Runner.Outcome(ours, 1, ourMd5, false));
    }

    private static final String FLUSHES_11432 = "qemu-io: Failed to flush the L2 table cache: Operation not permitted\n"
            + "qemu-io: Failed to flush the refcount block cache: Operation not permitted\n";
    private static final String QEMU_11432 = "blkdebug: Suspended request 'A'\nblkdebug: Resuming request 'A'\n"
            + "aio_write failed: Operation not permitted\n" + FLUSHES_11432;
    private static final String OURS_11432 = "aio_write failed: Input/output error\n"
            + "wait_break: no request in flight can reach 'A'\nCould not resume request: No such file or directory\n"
            + FLUSHES_11432;

    @Test
    void aBreakOnQcow2sDataWriteOnlyQemusWriteReachesPastAMetadataWritesFailedRmwReadIsD2() {
        // QEMU wrote the unread padding over the metadata: the images differ
        Known.Case c = breakOnDataWrite("qcow2", "read", OURS_11432, "bb");
        assertThat(Known.classify(c)).startsWith("D2 (a break on pwritev/pwritev_done, or on qcow2's data write");
    }

    @Test
    void thatBreakWithAnotherImageAndNoRuleThatCanFailAReadIsNew() {
        // iotype=write: no rule could have failed a padding read, so ours' EIO is something else
        Known.Case c = breakOnDataWrite("qcow2", "write", OURS_11432, "bb");
        assertThat(Known.classify(c)).isNull();
    }

    @Test
    void aBreakOnWriteAioMissedOnRawIsNew() {
        // raw fires write_aio before blkdebug's padding read: ours reaches it too
        Known.Case c = breakOnDataWrite("raw", "read", OURS_11432, "aa");
        assertThat(Known.classify(c)).isNull();
    }

    @Test
    void aBreakOnQcow2sDataWriteMissedWithAnotherLineDifferingIsNew() {
        Known.Case c = breakOnDataWrite("qcow2", "read", OURS_11432.replace(FLUSHES_11432, ""), "bb");
        assertThat(Known.classify(c)).isNull();
    }

    /** Seed 90000000 session 4328: a 70.5 KiB aio_write in 4 KiB pieces, a later aio_write over its middle. */
    private static Known.Case piecesThenOverlap(String node, String laterWrite, String ours) {
        Session s = new Session("raw", 1 << 20, "", null, List.of("--image-opts"),
                "driver=raw,file.driver=blkdebug," + node + ",file.image.driver=file,file.image.filename=t.raw",
                List.of("aio_write -P 250 290304 72192", "break pwritev A", "aio_write -P 129 270848 512", "resume A",
                        "write -P 0xfd 4608 13824", "break pwritev B", laterWrite, "wait_break B",
                        "aio_read 589824 4096", "resume B", "aio_flush", "read -P 160 131072 62976", "flush"),
                false, null);
        return new Known.Case(s, new Runner.Outcome(QEMU_4328, 1, "aa", false), new Runner.Outcome(ours, 1, "bb", false));
    }

    private static final String HEAD_4328 = "blkdebug: Suspended request 'A'\nblkdebug: Resuming request 'A'\n"
            + "wrote 512/512 bytes at offset 270848\n";
    private static final String LONG_4328 = "wrote 72192/72192 bytes at offset 290304\n";
    private static final String MIDDLE_4328 = "wrote 13824/13824 bytes at offset 4608\n"
            + "blkdebug: Suspended request 'B'\nblkdebug: Resuming request 'B'\nread 4096/4096 bytes at offset 589824\n"
            + "wrote 1024/1024 bytes at offset 320512\n";
    private static final String TAIL_4328 = "Pattern verification failed at offset 131072, 62976 bytes\n"
            + "read 62976/62976 bytes at offset 131072\n";
    private static final String QEMU_4328 = HEAD_4328 + LONG_4328 + MIDDLE_4328 + TAIL_4328;
    private static final String OURS_4328 = HEAD_4328 + MIDDLE_4328 + LONG_4328 + TAIL_4328;

    @Test
    void overlappingWritesReportedInAnotherOrderWithOtherImageBytesAreD21() {
        Known.Case c = piecesThenOverlap("file.max-transfer=4096", "aio_write -P 0x44 320512 1024", OURS_4328);
        assertThat(Known.classify(c)).startsWith("D21 (overlapping writes in flight together, reported in another order");
    }

    @Test
    void anotherOrderWithOtherImageBytesIsNewWhereNoWritesOverlap() {
        Known.Case c = piecesThenOverlap("file.max-transfer=4096", "aio_write -P 0x44 720896 1024",
                OURS_4328.replace("320512", "720896"));
        assertThat(Known.classify(c)).isNull();
    }

    @Test
    void anotherOrderWithOtherImageBytesIsNewWhereALineDiffers() {
        Known.Case c = piecesThenOverlap("file.max-transfer=4096", "aio_write -P 0x44 320512 1024",
                OURS_4328.replace(LONG_4328, "aio_write failed: Input/output error\n"));
        assertThat(Known.classify(c)).isNull();
    }

    @Test
    void anotherOrderWithOtherImageBytesIsNewWhereALineBesidesTheOverlappingReportsMoved() {
        // the read's report moved too: not a matter of which overlapping write lands last
        String read = "read 4096/4096 bytes at offset 589824\n";
        Known.Case c = piecesThenOverlap("file.max-transfer=4096", "aio_write -P 0x44 320512 1024",
                OURS_4328.replace(read, "") + read);
        assertThat(Known.classify(c)).isNull();
    }

    @Test
    void anotherOrderWithOtherImageBytesIsNewUnderAlign() {
        // align pads and serialises the overlapping writes: their order is no race there
        Known.Case c = piecesThenOverlap("file.align=4096", "aio_write -P 0x44 320512 1024", OURS_4328);
        assertThat(Known.classify(c)).isNull();
    }

    private static final String FAILED_TWICE = "blkdebug: Suspended request 'B'\nblkdebug: Resuming request 'B'\n"
            + "aio_write failed: Input/output error\naio_write failed: Input/output error\n";

    private static Known.Case twoWritesPastTheEnd(List<String> commands) {
        // seed 20300000 session 12574, shrunk: a flush_to_os rule the second write's FUA flush arms
        Session s = new Session("qcow2", 4 << 20, "", null, List.of("--image-opts"),
                "driver=qcow2,file.driver=blkdebug,file.config=rules.conf,file.image.filename=t.qcow2", commands, false, null);
        return new Known.Case(s.withRules("[inject-error]\nevent = \"flush_to_os\"\nerrno = \"5\"\n"),
                new Runner.Outcome(FAILED_TWICE, 0, "aa", false),
                new Runner.Outcome(FAILED_TWICE, 0, "bb", false));
    }

    private static final List<String> SESSION_12574 = List.of("aio_write -P 0x54 606106 1024", "break cluster_alloc B",
            "aio_write -P 0x54 851968 512", "wait_break B", "resume B");

    @Test
    void aFailedWritesDataPastTheCountedClustersIsNew() {
        // once Q5 (scenario 371): the first write's zero-write now waits behind the second's and
        // its data write, as QEMU's, so its data no longer lands before the rule is armed
        assertThat(Known.classify(twoWritesPastTheEnd(SESSION_12574))).isNull();
    }

    private static final String WROTE_512 = "wrote 512/512 bytes at offset 512\n512 bytes, X ops; XX:XX:XX.X (XXX YYY/sec and XXX ops/sec)\n";

    private static Known.Case flushOfQcow2(String rules, List<String> commands, int oursExit) {
        // seed 20300000 session 18451: QEMU's flush wrote the padding buffer whose read failed, ours failed
        Session s = new Session("qcow2", 1 << 20, "cluster_size=4096", null, List.of("-t", "none", "--image-opts"),
                "driver=qcow2,file.driver=blkdebug,file.align=65536,file.image.driver=file,file.image.filename=t.qcow2," + rules,
                commands, false, null);
        return new Known.Case(s, new Runner.Outcome(WROTE_512, 0, "aa", false), new Runner.Outcome(WROTE_512, oursExit, "bb", false));
    }

    private static final String FLUSH_RULE = "file.inject-error.0.event=flush_to_os,file.inject-error.0.errno=28,file.inject-error.0.once=on";

    @Test
    void aFlushThatFailsHereOnItsWritebacksRmwReadIsD2() {
        Known.Case c = flushOfQcow2(FLUSH_RULE, List.of("write -P 0xfb 512 512", "flush"), 1);
        assertThat(Known.classify(c)).startsWith("D2 (a qcow2 cache writeback in a flush");
    }

    @Test
    void theFlushAtCloseLeavesOnlyTheImageOtherIsD2() {
        Known.Case c = flushOfQcow2(FLUSH_RULE, List.of("write -P 0xfb 512 512"), 0);
        assertThat(Known.classify(c)).startsWith("D2 (a qcow2 cache writeback in a flush");
    }

    @Test
    void anotherExitStatusWithoutAFlushCommandIsNew() {
        Known.Case c = flushOfQcow2(FLUSH_RULE, List.of("write -P 0xfb 512 512"), 1);
        assertThat(Known.classify(c)).isNull();
    }

    @Test
    void aSetStateOnFlushToOsIsNotAnInjectRuleThere() {
        Known.Case c = flushOfQcow2("file.set-state.0.event=flush_to_os,file.set-state.0.new_state=2",
                List.of("write -P 0xfb 512 512", "flush"), 1);
        assertThat(Known.classify(c)).isNull();
    }

    @Test
    void aFlushToOsRuleInTheConfigFileCounts() {
        Known.Case c = flushOfQcow2("file.config=rules.conf", List.of("write -P 0xfb 512 512", "flush"), 1);
        assertThat(Known.classify(new Known.Case(c.session().withRules("[set-state]\nevent = \"flush_to_os\"\nnew_state = \"2\"\n"
                + "[inject-error]\nevent = \"flush_to_os\"\nerrno = \"28\"\n"), c.qemu(), c.ours())))
                .startsWith("D2 (a qcow2 cache writeback in a flush");
        assertThat(Known.classify(new Known.Case(c.session().withRules("[inject-error]\nevent = \"read_aio\"\n"
                + "[set-state]\nevent = \"flush_to_os\"\nnew_state = \"2\"\n"), c.qemu(), c.ours()))).isNull();
    }

    /** A 1 MiB raw image under blkdebug with {@code align} and the rule file, opened by --image-opts with {@code -t cache}. */
    private static Session alignedRaw(String cache, String align, String... commands) {
        return new Session("raw", 1 << 20, "", null, List.of("-t", cache, "--image-opts",
                "driver=raw,file.driver=blkdebug,file.config=rules.conf,file.align=" + align
                        + ",file.image.driver=file,file.image.filename=t.raw"),
                null, List.of(commands), false, null);
    }

    private static final String ZERO_WRITE_RULES = "[inject-error]\nevent = \"write_aio\"\nonce = \"on\"\n%s"
            + "[inject-error]\nevent = \"pwritev_done\"\nerrno = \"95\"\n";

    /** Seed 70000000 session 19766 shrunk (scenario 450), its write_aio rule with {@code iotype}, under {@code align}. */
    private static Known.Case zeroWriteFallback(String iotype, String align, String oursFirst) {
        Session s = alignedRaw("writeback", align, "write -z 536576 75264", "write -C -z 804864 100");
        return new Known.Case(s.withRules(ZERO_WRITE_RULES.formatted(iotype)),
                new Runner.Outcome("wrote 75264/75264 bytes at offset 536576\n73.500 KiB, X ops; XX:XX:XX.X (XXX YYY/sec and XXX ops/sec)\n"
                        + "write failed: Operation not supported\n", 1, "aa", false),
                new Runner.Outcome(oursFirst + "\n100,X,XX:XX:XX.X,XXX,XXX\n", 1, "aa", false));
    }

    @Test
    void aWriteQemuCompletesPastItsFailedRmwReadIsD2() {
        // the write-zeroes' fallback write at the raw node: its write_aio rule fails the padding read
        assertThat(Known.classify(zeroWriteFallback("", "4096", "write failed: Input/output error")))
                .startsWith("D2 (a write QEMU completes past its failed RMW read");
        // seed 70000000 session 14327: qcow2's data write, the rule in the file, an option rule on flush only
        Session s = new Session("qcow2", 4 << 20, "", null, List.of(), null, List.of(
                "open -t writethrough -o driver=qcow2,file.align=4k,file.inject-error.0.event=pwritev_rmw_after_tail,"
                        + "file.inject-error.0.once=on,file.inject-error.0.iotype=flush blkdebug:rules.conf:t.qcow2",
                "aio_write -P 45 444725 33280", "aio_flush", "write -P 0xce 693760 53248"), false, null);
        Known.Case c = new Known.Case(s.withRules("[inject-error]\nevent = \"write_aio\"\nerrno = \"13\"\nonce = \"on\"\n"),
                new Runner.Outcome("wrote 33280/33280 bytes at offset 444725\n32.500 KiB, X ops; XX:XX:XX.X (XXX YYY/sec and XXX ops/sec)\n"
                        + "write failed: Input/output error\n", 1, "aa", false),
                new Runner.Outcome("aio_write failed: Permission denied\nwrote 53248/53248 bytes at offset 693760\n"
                        + "52 KiB, X ops; XX:XX:XX.X (XXX YYY/sec and XXX ops/sec)\n", 0, "bb", false));
        assertThat(Known.classify(c)).startsWith("D2 (a write QEMU completes past its failed RMW read");
    }

    @Test
    void aWriteFailedHereByNoRuleThatReadsOrUnpaddedIsNew() {
        // the write_aio rule cannot fail a read: no padding read failed
        assertThat(Known.classify(zeroWriteFallback("iotype = \"write\"\n", "4096", "write failed: Input/output error"))).isNull();
        // an errno no read-failing rule has
        assertThat(Known.classify(zeroWriteFallback("", "4096", "write failed: No space left on device"))).isNull();
        // no align: blkdebug pads nothing
        assertThat(Known.classify(zeroWriteFallback("", "1", "write failed: Input/output error"))).isNull();
    }

    /** Seed 80000000 session 15612 shrunk (scenario 470): the write's report in {@code -C}'s form. */
    private static Known.Case writeDoneWithC(String write, String qemuFirst) {
        Session s = new Session("raw", 1 << 20, "", null, List.of(), null, List.of(
                "open -t none -o driver=raw,file.align=65536,file.max-transfer=65536 blkdebug:rules.conf:t.raw",
                write, "aio_write -f 605696 512"), false, null);
        return new Known.Case(s.withRules("[inject-error]\nevent = \"pwritev_rmw_tail\"\nonce = \"on\"\n"
                        + "[inject-error]\nevent = \"pwritev_done\"\nerrno = \"1\"\niotype = \"write\"\n"),
                new Runner.Outcome(qemuFirst + "\naio_write failed: Operation not permitted\n", 0, "5bd8", false),
                new Runner.Outcome("write failed: Input/output error\nwrote 512/512 bytes at offset 605696\n"
                        + "512 bytes, X ops; XX:XX:XX.X (XXX YYY/sec and XXX ops/sec)\n", 1, "ebe1", false));
    }

    @Test
    void aWriteQemuReportsDoneInMachineFormPastItsFailedRmwReadIsD2() {
        assertThat(Known.classify(writeDoneWithC("write -C -P 235 912896 1024", "1024,X,XX:XX:XX.X,XXX,XXX")))
                .startsWith("D2 (a write QEMU completes past its failed RMW read");
        // the same write given as a vector, its -C among other flags
        assertThat(Known.classify(writeDoneWithC("writev -qC -P 0xeb 912896 512 512", "1024,X,XX:XX:XX.X,XXX,XXX")))
                .startsWith("D2 (a write QEMU completes past its failed RMW read");
    }

    @Test
    void aMachineFormReportOfNoWriteOfThatLengthIsNew() {
        // the write has no -C: the line reports something else
        assertThat(Known.classify(writeDoneWithC("write -P 235 912896 1024", "1024,X,XX:XX:XX.X,XXX,XXX"))).isNull();
        // another count than the write's
        assertThat(Known.classify(writeDoneWithC("write -C -P 235 912896 1024", "512,X,XX:XX:XX.X,XXX,XXX"))).isNull();
        // a read's report
        assertThat(Known.classify(writeDoneWithC("read -C 912896 1024", "1024,X,XX:XX:XX.X,XXX,XXX"))).isNull();
    }

    private static final String STICKY_ENOSPC = "[inject-error]\nevent = \"pwritev_done\"\nerrno = \"-5\"\nsector = \"0\"\n"
            + "[inject-error]\nevent = \"none\"\nerrno = \"28\"\nonce = \"off\"\n%s";

    /** Seed 80000000 session 14344 shrunk (scenario 472): ours' read fails where QEMU's passes. */
    private static Known.Case laterReadParts(String noneIotype, String align, String oursRead) {
        Session s = alignedRaw("directsync", align, "aio_write -P 99 814592 1024", "aio_flush", "read 65536 8192");
        return new Known.Case(s.withRules(STICKY_ENOSPC.formatted(noneIotype)),
                new Runner.Outcome("aio_write failed: No space left on device\nread 8192/8192 bytes at offset 65536\n"
                        + "8 KiB, X ops; XX:XX:XX.X (XXX YYY/sec and XXX ops/sec)\n", 0, "b6d8", false),
                new Runner.Outcome("aio_write failed: No space left on device\n" + oursRead + "\n", 1, "b6d8", false));
    }

    @Test
    void aLaterRequestMeetingAnotherRuleAfterAFailedRmwReadIsD2EvenWithAnotherExitStatus() {
        assertThat(Known.classify(laterReadParts("", "4k", "read failed: No space left on device")))
                .startsWith("D2 (after a failed RMW read a later request meets another rule: exit status or image part too)");
        // the unshrunk session: the same exit status, another image (QEMU's later aio_write landed)
        Session s = new Session("raw", 1 << 20, "", null, List.of("-k", "-t", "directsync", "--image-opts",
                "driver=raw,file.driver=blkdebug,file.config=rules.conf,file.align=4k,file.image.driver=file,file.image.filename=t.raw"),
                null, List.of("write -C -z -u 281600 100", "aio_write -P 0xe3 512 3584", "aio_write -P 99 814592 1024",
                        "aio_flush", "read 65536 8192"), false, null);
        Known.Case c = new Known.Case(s.withRules(STICKY_ENOSPC.formatted("[inject-error]\nevent = \"flush_to_disk\"\n")),
                new Runner.Outcome("write failed: No space left on device\naio_write failed: Input/output error\n"
                        + "aio_write failed: Input/output error\nread failed: Input/output error\n", 1, "3a1d", false),
                new Runner.Outcome("write failed: No space left on device\naio_write failed: No space left on device\n"
                        + "aio_write failed: No space left on device\nread failed: No space left on device\n", 1, "b6d8", false));
        assertThat(Known.classify(c))
                .startsWith("D2 (after a failed RMW read a later request meets another rule: exit status or image part too)");
    }

    @Test
    void aLaterRequestPartingWithoutAFailedPaddingReadIsNew() {
        // the sticky rule fails only writes: no padding read failed, the write ended in both alike
        assertThat(Known.classify(laterReadParts("iotype = \"write\"\n", "4k", "read failed: No space left on device"))).isNull();
        // no align: blkdebug pads nothing
        assertThat(Known.classify(laterReadParts("", "1", "read failed: No space left on device"))).isNull();
        // the line where they part is no report of the same kind of request
        assertThat(Known.classify(laterReadParts("", "4k", "flush failed: No space left on device"))).isNull();
        // both succeed there: no rule met
        assertThat(Known.classify(laterReadParts("", "4k", "read 8192/8192 bytes at offset 65536\n"
                + "8 KiB, X ops; XX:XX:XX.X (XXX YYY/sec and XXX ops/sec)"))).isNull();
    }
    /** Seed 150000000 session 2843 shrunk (scenario 605): QEMU's FUA write reaches a break, ours' fails. */
    private static Known.Case laterWriteSuspendedThere(String readIotype, String align, String oursWrite) {
        Session s = alignedRaw("writeback", align, "read 0 4096", "write -P 236 4608 8192", "break flush_to_os A",
                "aio_write -f -P 0xc5 294912 4096", "wait_break A", "resume A", "aio_flush");
        return new Known.Case(s.withRules("[inject-error]\nevent = \"read_aio\"\nerrno = \"122\"\n" + readIotype
                        + "[inject-error]\nevent = \"pwritev_done\"\nerrno = \"122\"\niotype = \"flush\"\n"),
                new Runner.Outcome("read failed: Disk quota exceeded\nwrite failed: Disk quota exceeded\n"
                        + "blkdebug: Suspended request 'A'\nblkdebug: Resuming request 'A'\n"
                        + "aio_write failed: Disk quota exceeded\n", 1, "5333", false),
                new Runner.Outcome("read failed: Disk quota exceeded\nwrite failed: Disk quota exceeded\n" + oursWrite
                        + "\nwait_break: no request in flight can reach 'A'\n"
                        + "Could not resume request: No such file or directory\n", 1, "b6d8", false));
    }

    @Test
    void aLaterWriteQemuLetsThroughToABreakAfterAFailedRmwReadIsD2() {
        assertThat(Known.classify(laterWriteSuspendedThere("", "4096", "aio_write failed: Disk quota exceeded")))
                .startsWith("D2 (after a failed RMW read a later request meets another rule: exit status or image part too)");
    }

    @Test
    void aLaterWriteSuspendedInQemuIsNewWithoutTheD2Signature() {
        // no align: nothing is padded, so no padding read failed
        assertThat(Known.classify(laterWriteSuspendedThere("", "1", "aio_write failed: Disk quota exceeded"))).isNull();
        // the read rule cannot fail reads: the earlier write's failure is not a padding read's
        assertThat(Known.classify(laterWriteSuspendedThere("iotype = \"write\"\n", "4096",
                "aio_write failed: Disk quota exceeded"))).isNull();
        // ours' write failed with an errno no read rule has
        assertThat(Known.classify(laterWriteSuspendedThere("", "4096", "aio_write failed: Input/output error"))).isNull();
        // ours' line there is no write's failure
        assertThat(Known.classify(laterWriteSuspendedThere("", "4096", "read failed: Disk quota exceeded"))).isNull();
    }

    private static final String WROTE_B = "wrote 1024/1024 bytes at offset 851968\n1 KiB, X ops; XX:XX:XX.X (XXX YYY/sec and XXX ops/sec)\n";

    /**
     * Seed 160000000 session 5835 shrunk (real qemu-io and ours print these): an aio_write resumed
     * from l2_update finishes its writethrough flush while the 98 KiB write's first piece fails.
     */
    private static Known.Case spanningWriteFails(String format, String write, String oursFailure, String movedPast) {
        Session s = new Session(format, 1 << 20, format.equals("qcow2") ? "cluster_size=4096" : "", null,
                List.of("--image-opts"), null, List.of("write -P 28 393216 512", "break l2_update B",
                        "aio_write -P 97 851968 1024", "wait_break B", "resume B", write, "aio_flush"), false, null);
        String head = "wrote 512/512 bytes at offset 393216\n512 bytes, X ops; XX:XX:XX.X (XXX YYY/sec and XXX ops/sec)\n"
                + "blkdebug: Suspended request 'B'\nblkdebug: Resuming request 'B'\n";
        return new Known.Case(s, new Runner.Outcome(head + movedPast + "write failed: Input/output error\n", 1, "63d9", false),
                new Runner.Outcome(head + oursFailure + "\n" + movedPast, 1, "3934", false));
    }

    @Test
    void aSpanningQcow2WriteWhoseFailureIsReportedBeforeRequestsBesideItIsQ2() {
        assertThat(Known.classify(spanningWriteFails("qcow2", "write -P 0xc1 297472 100352",
                "write failed: Input/output error", WROTE_B)))
                .startsWith("Q2 (a spanning qcow2 write whose first piece fails ends here before its later pieces");
    }

    @Test
    void aFailureReportedEarlierIsNewWithoutTheQ2Signature() {
        // one cluster: one piece
        assertThat(Known.classify(spanningWriteFails("qcow2", "write -P 0xc1 297472 512",
                "write failed: Input/output error", WROTE_B))).isNull();
        // raw has no pieces
        assertThat(Known.classify(spanningWriteFails("raw", "write -P 0xc1 297472 100352",
                "write failed: Input/output error", WROTE_B))).isNull();
        // another errno: not only the order
        assertThat(Known.classify(spanningWriteFails("qcow2", "write -P 0xc1 297472 100352",
                "write failed: No space left on device", WROTE_B))).isNull();
        // a line of ours QEMU does not print
        assertThat(Known.classify(spanningWriteFails("qcow2", "write -P 0xc1 297472 100352",
                "write failed: Input/output error\nread failed: Input/output error", WROTE_B))).isNull();
        // it moved past something that is no report of a request
        assertThat(Known.classify(spanningWriteFails("qcow2", "write -P 0xc1 297472 100352",
                "write failed: Input/output error", "blkdebug: Suspended request 'C'\n"))).isNull();
    }

    private static final String W52 = "wrote 52736/52736 bytes at offset 65024\n51.500 KiB, X ops; XX:XX:XX.X (XXX YYY/sec and XXX ops/sec)\n";
    private static final String W23 = "wrote 24064/24064 bytes at offset 65024\n23.500 KiB, X ops; XX:XX:XX.X (XXX YYY/sec and XXX ops/sec)\n";

    /** Seed 180000000 session 10856 (real qemu-io and ours printed these): -s, map, an aio_write's report elsewhere. */
    private static Known.Case snapshotMap(String snapshot, String oursMiddle) {
        List<String> args = new java.util.ArrayList<>(List.of("-t", "none", "--image-opts"));
        if (!snapshot.isEmpty()) {
            args.add(0, snapshot);
        }
        Session s = new Session("raw", 1 << 20, "", null, args,
                "driver=raw,file.driver=blkdebug,file.align=4096,file.image.driver=file,file.image.filename=t.raw",
                List.of("map", "write -P 0x7 65024 52736", "aio_write -P 221 65024 24064", "readv -q -P 30 12800 512", "map",
                        "truncate 1049088"), false, null);
        String fail = "Pattern verification failed at offset 12800, 512 bytes\n";
        return new Known.Case(s,
                new Runner.Outcome("1 MiB (0x100000) bytes not allocated at offset 0 bytes (0x0)\n" + W52 + W23 + fail
                        + "128 KiB (0x20000) bytes     allocated at offset 0 bytes (0x0)\n"
                        + "896 KiB (0xe0000) bytes not allocated at offset 128 KiB (0x20000)\n", 1, "b6d8", false),
                new Runner.Outcome("1 MiB (0x100000) bytes     allocated at offset 0 bytes (0x0)\n" + W52 + oursMiddle
                        + "1 MiB (0x100000) bytes     allocated at offset 0 bytes (0x0)\n" + W23, 1, "b6d8", false));
    }

    @Test
    void underSnapshotMapAnswersAndAWritesReportElsewhereAreD15() {
        assertThat(Known.classify(snapshotMap("-s", "Pattern verification failed at offset 12800, 512 bytes\n")))
                .startsWith("D15 (-s: alloc/map answer");
    }

    @Test
    void mapAnswersThatDifferWithoutSnapshotOrWithAnotherLineAreNotD15() {
        assertThat(String.valueOf(Known.classify(snapshotMap("", "Pattern verification failed at offset 12800, 512 bytes\n"))))
                .doesNotStartWith("D15");
        assertThat(String.valueOf(Known.classify(snapshotMap("-s", "read failed: Input/output error\n")))).doesNotStartWith("D15");
    }

    private static final String CO_ARMED_RULES = "[inject-error]\nevent = \"write_aio\"\nerrno = \"22\"\nonce = \"on\"\n"
            + "[inject-error]\nevent = \"write_aio\"\nonce = \"on\"\nimmediately = \"on\"\n";
    private static final String LATER_WRITE = "wrote 100/100 bytes at offset 537088\n"
            + "100 bytes, X ops; XX:XX:XX.X (XXX YYY/sec and XXX ops/sec)\n";

    /**
     * Seed 130000000 session 10682 (scenario 590): two write_aio rules armed together, align=4k;
     * {@code qemuRest} and {@code oursRest} what each prints after the aio_write's failure.
     */
    private static Known.Case coArmed(String rules, String align, String qemuWrite, String qemuRest, String oursWrite,
            String oursRest, int oursExit, String oursMd5) {
        Session s = new Session("raw", 1 << 20, "", null, List.of("--aio=threads", "-t", "directsync", "--image-opts",
                "driver=raw,file.driver=blkdebug,file.config=rules.conf,file.align=" + align
                        + ",file.max-transfer=4096,file.image.driver=file,file.image.filename=t.raw"),
                null, List.of("aio_write -P 0x55 512 8192", "aio_flush", "read -q 131072 58880", "writev 537088 100"),
                false, null);
        return new Known.Case(s.withRules(rules),
                new Runner.Outcome("aio_write failed: " + qemuWrite + "\n" + qemuRest, 1, "53e7", false),
                new Runner.Outcome("aio_write failed: " + oursWrite + "\n" + oursRest, oursExit, oursMd5, false));
    }

    @Test
    void aRuleArmedBesideTheFailedRmwReadsOneFailingQemusWriteAndALaterRequestHereIsD2() {
        String kind = "D2 (a rule armed beside the one that fails the RMW read fails QEMU's write, a later request here)";
        // the session: QEMU's read -q prints nothing, ours' fails with the rule QEMU's write used up
        assertThat(Known.classify(coArmed(CO_ARMED_RULES, "4k", "Input/output error", LATER_WRITE, "Invalid argument",
                "read failed: Input/output error\n" + LATER_WRITE, 1, "53e7"))).isEqualTo(kind);
        // scenario 590: QEMU's read is done, ours' failed in its place
        assertThat(Known.classify(coArmed(CO_ARMED_RULES, "4k", "Input/output error",
                "read 512/512 bytes at offset 131072\n512 bytes, X ops; XX:XX:XX.X (XXX YYY/sec and XXX ops/sec)\n" + LATER_WRITE,
                "Invalid argument", "read failed: Input/output error\n" + LATER_WRITE, 1, "53e7"))).isEqualTo(kind);
    }

    @Test
    void aLaterFailureThatIsNotTheRuleQemusWriteUsedUpIsNotThatD2() {
        String kind = "D2 (a rule armed beside the one that fails the RMW read fails QEMU's write, a later request here)";
        String oursRest = "read failed: Input/output error\n" + LATER_WRITE;
        // no align: nothing is padded
        assertThat(Known.classify(coArmed(CO_ARMED_RULES, "1", "Input/output error", LATER_WRITE, "Invalid argument",
                oursRest, 1, "53e7"))).isNotEqualTo(kind);
        // ours' errno is no rule's that can fail a read
        assertThat(Known.classify(coArmed(CO_ARMED_RULES.replace("errno = \"22\"\nonce", "errno = \"22\"\niotype = \"write\"\nonce"),
                "4k", "Input/output error", LATER_WRITE, "Invalid argument", oursRest, 1, "53e7"))).isNotEqualTo(kind);
        // the later failure is not with the errno QEMU's write failed with
        assertThat(Known.classify(coArmed(CO_ARMED_RULES, "4k", "Input/output error", LATER_WRITE, "Invalid argument",
                "read failed: Invalid argument\n" + LATER_WRITE, 1, "53e7"))).isNotEqualTo(kind);
        // more parts than that one request: the later write too
        assertThat(Known.classify(coArmed(CO_ARMED_RULES, "4k", "Input/output error", LATER_WRITE, "Invalid argument",
                "read failed: Input/output error\nwritev failed: Input/output error\n", 1, "53e7"))).isNotEqualTo(kind);
        // another image or exit status
        assertThat(Known.classify(coArmed(CO_ARMED_RULES, "4k", "Input/output error", LATER_WRITE, "Invalid argument",
                oursRest, 1, "ffff"))).isNotEqualTo(kind);
        assertThat(Known.classify(coArmed(CO_ARMED_RULES, "4k", "Input/output error", LATER_WRITE, "Invalid argument",
                oursRest, 0, "53e7"))).isNotEqualTo(kind);
    }

    private static final String RMW_TAIL_RULE = "[inject-error]\nevent = \"pwritev_rmw_tail\"\nerrno = \"1\"\nonce = \"on\"\n";
    private static final String DISCARD_STATS = "23.500 KiB, X ops; XX:XX:XX.X (XXX YYY/sec and XXX ops/sec)\n";

    /**
     * Seed 100000000 session 6551 shrunk (scenario 551): qcow2 under align=65536, a discard that
     * allocates an L2 table; {@code rules} the rule file, {@code l1Rule} options added to the open.
     */
    private static Known.Case qcow2Discard(String rules, String l1Rule, String format, String qemu, int qemuExit,
            String oursFirst, String after) {
        Session s = new Session(format, 4 << 20, "cluster_size=4096", null, List.of(), null,
                List.of("open -o driver=" + format + ",file.align=65536" + l1Rule + " blkdebug:rules.conf:t." + format,
                        "discard 4096 24064", "read -q 4194305 127488"),
                false, null);
        return new Known.Case(s.withRules(rules), new Runner.Outcome(qemu + after, qemuExit, "aa", false),
                new Runner.Outcome(oursFirst + "\n" + after, 1, "bb", false));
    }

    private static final String L1_RULE = ",file.inject-error.0.event=l1_update,file.inject-error.0.errno=5,file.inject-error.0.sector=8";
    private static final String READ_PAST_END = "read failed: Input/output error\n";

    @Test
    void aQcow2DiscardWhoseMetadataWritesRmwReadFailsHereIsD2() {
        // QEMU's refcount block write goes on past its failed read; its L1 entry write meets the l1_update rule
        assertThat(Known.classify(qcow2Discard(RMW_TAIL_RULE, L1_RULE, "qcow2", "discard failed: Input/output error\n", 1,
                "discard failed: Operation not permitted", READ_PAST_END)))
                .startsWith("D2 (a qcow2 discard's metadata write");
        // no later rule: QEMU's discard is done
        assertThat(Known.classify(qcow2Discard(RMW_TAIL_RULE, "", "qcow2", "discard 24064/24064 bytes at offset 4096\n"
                + DISCARD_STATS, 0, "discard failed: Operation not permitted", READ_PAST_END)))
                .startsWith("D2 (a qcow2 discard's metadata write");
    }

    @Test
    void aQcow2DiscardFailedHereWithAnErrnoNoRuleCanGiveAReadIsNew() {
        // the rule cannot fail a read: ours' EPERM is not a padding read's
        String writeOnly = RMW_TAIL_RULE + "iotype = \"write\"\n";
        assertThat(Known.classify(qcow2Discard(writeOnly, L1_RULE, "qcow2", "discard failed: Input/output error\n", 1,
                "discard failed: Operation not permitted", READ_PAST_END))).isNull();
        // an errno no rule has
        assertThat(Known.classify(qcow2Discard(RMW_TAIL_RULE, L1_RULE, "qcow2", "discard failed: Input/output error\n", 1,
                "discard failed: No space left on device", READ_PAST_END))).isNull();
    }

    @Test
    void aQcow2DiscardWhoseLaterLinesPartTooIsNew() {
        // the discard's line alone may differ
        Known.Case c = qcow2Discard(RMW_TAIL_RULE, L1_RULE, "qcow2", "discard failed: Input/output error\n", 1,
                "discard failed: Operation not permitted", READ_PAST_END);
        Known.Case later = new Known.Case(c.session(), c.qemu(),
                new Runner.Outcome("discard failed: Operation not permitted\nread failed: Operation not permitted\n", 1, "bb", false));
        assertThat(Known.classify(later)).isNull();
        // another exit status where QEMU's discard failed too
        Known.Case exit = new Known.Case(c.session(), new Runner.Outcome(c.qemu().output(), 0, "aa", false), c.ours());
        assertThat(Known.classify(exit)).isNull();
    }

    @Test
    void aRawDiscardIsNotQcow2Metadata() {
        assertThat(Known.classify(qcow2Discard(RMW_TAIL_RULE, L1_RULE, "raw", "discard failed: Input/output error\n", 1,
                "discard failed: Operation not permitted", READ_PAST_END))).isNull();
    }

    /** Seed 150000000 session 19139, reduced (scenario 610): two allocating writethrough aio_writes in flight together. */
    private static Known.Case fuaFlushBehindRunningFlush(List<String> args, String ruleErrno, String between,
                                                         String oursFailure) {
        List<String> commands = new java.util.ArrayList<>(List.of("break pwritev_done A", "aio_write -P 214 80896 512",
                "wait_break A", "resume A"));
        if (between != null) {
            commands.add(between);
        }
        commands.addAll(List.of("aio_write -P 0x27 960512 512", "aio_flush"));
        List<String> allArgs = new java.util.ArrayList<>(args);
        allArgs.add("--image-opts");
        Session s = new Session("qcow2", 4 << 20, "", null, allArgs,
                "driver=qcow2,file.driver=blkdebug,file.max-transfer=65536,file.max-write-zero=8192,file.image.driver=file,"
                        + "file.image.filename=t.qcow2,file.inject-error.1.event=flush_to_disk,file.inject-error.1.errno="
                        + ruleErrno + ",file.inject-error.1.iotype=flush",
                commands, false, null);
        String resumed = "blkdebug: Suspended request 'A'\nblkdebug: Resuming request 'A'\n"
                + "wrote 512/512 bytes at offset 80896\n512 bytes, X ops; XX:XX:XX.X (XXX YYY/sec and XXX ops/sec)\n";
        String qemu = resumed + "wrote 512/512 bytes at offset 960512\n512 bytes, X ops; XX:XX:XX.X (XXX YYY/sec and XXX ops/sec)\n";
        String ours = resumed + "aio_write failed: " + oursFailure + "\n"
                + "qemu-io: Failed to flush the L2 table cache: " + oursFailure + "\n"
                + "qemu-io: Failed to flush the refcount block cache: " + oursFailure + "\n";
        return new Known.Case(s, new Runner.Outcome(qemu, 0, "8b75", false), new Runner.Outcome(ours, 0, "8b75", false));
    }

    private static final String FUA_FLUSH_KIND = "D21 (a writethrough write's FUA flush, queued in QEMU behind a flush";

    @Test
    void aWriteFailedHereOnTheFlushToDiskRuleWhileAnEarlierWriteWasInFlightIsD21() {
        assertThat(Known.classify(fuaFlushBehindRunningFlush(List.of(), "28", null, "No space left on device")))
                .startsWith(FUA_FLUSH_KIND);
        assertThat(Known.classify(fuaFlushBehindRunningFlush(List.of("-t", "directsync"), "28", "length",
                "No space left on device"))).startsWith(FUA_FLUSH_KIND);
    }

    @Test
    void writesFlushedBetweenAreNotInFlightTogether() {
        assertThat(Known.classify(fuaFlushBehindRunningFlush(List.of(), "28", "aio_flush", "No space left on device")))
                .isNull();
    }

    @Test
    void anotherErrnoThanTheFlushToDiskRulesIsNew() {
        assertThat(Known.classify(fuaFlushBehindRunningFlush(List.of(), "28", null, "Input/output error"))).isNull();
    }

    @Test
    void aWritebackSessionHasNoFuaFlushToQueue() {
        assertThat(Known.classify(fuaFlushBehindRunningFlush(List.of("-t", "writeback"), "28", null,
                "No space left on device"))).isNull();
    }
}
