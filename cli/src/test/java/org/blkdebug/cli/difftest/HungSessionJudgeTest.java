package org.blkdebug.cli.difftest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * How {@link DiffTester#judgeHung} judges a session QEMU hangs on, without running either
 * program: the outcomes are those of seed 777 session 18, cut short.
 */
class HungSessionJudgeTest {
    private static final String RULES = "[inject-error]\nevent = \"pwritev_done\"\niotype = \"read\"\n";
    private static final String QEMU = """
            wrote 1024/1024 bytes at offset 552424
            1 KiB, X ops; XX:XX:XX.X (XXX YYY/sec and XXX ops/sec)
            wrote 1024/1024 bytes at offset 720896
            1 KiB, X ops; XX:XX:XX.X (XXX YYY/sec and XXX ops/sec)
            """;
    private static final String OURS = """
            aio_write failed: Input/output error
            wrote 1024/1024 bytes at offset 720896
            1 KiB, X ops; XX:XX:XX.X (XXX YYY/sec and XXX ops/sec)
            wait_break: no request in flight can reach 'B'
            Could not resume request: No such file or directory
            """;

    private static Session session(String align) {
        return new Session("qcow2", 2097152, "cluster_size=4096", RULES, List.of("-n", "--image-opts"),
                "driver=qcow2,file.driver=blkdebug,file.config=" + Session.DIR + "/rules.conf" + align
                        + ",file.image.driver=file,file.image.filename=" + Session.DIR + "/t.qcow2",
                List.of("aio_write -P 0xb5 552424 1024", "aio_flush", "break l2_update B",
                        "aio_write -P 58 720896 1024", "wait_break B", "resume B"),
                false, null);
    }

    private static DiffTester.Verdict judge(Session s) {
        return DiffTester.judgeHung(s, new Runner.Outcome(QEMU, -1, "ea918b9a", true),
                new Runner.Outcome(OURS, 1, "1e393d0f", false));
    }

    /**
     * A write whose padding (RMW) read a rule failed succeeds in QEMU and fails here (D2), before
     * QEMU hangs at a later wait_break: counted as D2, as it is in a session QEMU ends.
     */
    @Test
    void aWriteFailedByAnRmwReadBeforeQemuHangsIsD2() {
        DiffTester.Verdict v = judge(session(",file.align=512"));
        assertEquals(DiffTester.Kind.KNOWN, v.kind());
        assertEquals("D2 (failed RMW read of an unaligned write)", v.label());
    }

    /** Without blkdebug's align no write is padded: the same outputs are a new difference. */
    @Test
    void theSameFailureWithoutAlignIsNew() {
        DiffTester.Verdict v = judge(session(""));
        assertEquals(DiffTester.Kind.DIFFER, v.kind());
        assertEquals("before QEMU hung: line 1: qemu-io 'wrote 1024/1024 bytes at offset 552424'"
                + " / ours 'aio_write failed: Input/output error'", v.label());
    }

    /**
     * A synchronous read held behind a suspended request: ours' line names the command before the
     * documented text, which QEMU never prints; what ours printed before that line is QEMU's, so
     * it is D11 (seed 20261203 session 10796: judged a new difference at the words "read: ").
     */
    @Test
    void aSynchronousRequestsReasonIsJudgedFromTheStartOfItsLine() {
        String qemu = """
                blkdebug: Suspended request 'D'
                wrote 4096/4096 bytes at offset 262144
                4 KiB, X ops; XX:XX:XX.X (XXX YYY/sec and XXX ops/sec)
                """;
        String ours = qemu + """
                read: request suspended at 'D'; nothing in a script can resume it
                blkdebug: Resuming request 'D'
                """;
        Session s = new Session("raw", 1048576, null, null, List.of("--image-opts"),
                "driver=raw,file.driver=blkdebug,file.align=4096,file.image.driver=file,file.image.filename="
                        + Session.DIR + "/t.raw",
                List.of("aio_write -P 1 262144 4096", "break pwritev_rmw_after_tail D", "aio_write 131072 512",
                        "wait_break D", "read 131072 512", "resume D"),
                false, null);
        DiffTester.Verdict v = DiffTester.judgeHung(s, new Runner.Outcome(qemu, -1, "ea918b9a", true),
                new Runner.Outcome(ours, 1, "1e393d0f", false));
        assertEquals(DiffTester.Kind.KNOWN, v.kind());
        assertEquals("D11 (a wait nothing in the script can end: QEMU hangs, ours fails)", v.label());
    }

    /** The same line after lines QEMU did not print is still a new difference. */
    @Test
    void aReasonAfterLinesQemuNeverPrintedIsNew() {
        String qemu = "blkdebug: Suspended request 'D'\n";
        String ours = qemu + "wrote 512/512 bytes at offset 0\n512 bytes, X ops; XX:XX:XX.X (XXX YYY/sec and XXX ops/sec)\n"
                + "read: request suspended at 'D'; nothing in a script can resume it\n";
        Session s = new Session("raw", 1048576, null, null, List.of("--image-opts"),
                "driver=raw,file.driver=blkdebug,file.image.driver=file,file.image.filename=" + Session.DIR + "/t.raw",
                List.of("read 0 512"), false, null);
        DiffTester.Verdict v = DiffTester.judgeHung(s, new Runner.Outcome(qemu, -1, "ea918b9a", true),
                new Runner.Outcome(ours, 1, "1e393d0f", false));
        assertEquals(DiffTester.Kind.DIFFER, v.kind());
    }

    /** D2 counts failed writes of every kind; an aio_write's report was missed ("_" joins words). */
    @Test
    void failedAioWritesCountAsFailedWrites() {
        assertEquals(3, Known.writeFailures("""
                write failed: Input/output error
                writev failed: No space left on device
                qemu-io> aio_write failed: Input/output error
                read failed: Input/output error
                """));
    }
    private static Session q2(String write) {
        return new Session("qcow2", 1 << 20, "cluster_size=4096", null, List.of("-f", "qcow2"), "blkdebug::t.qcow2",
                List.of("write -q -P 0x42 0 1024", write, "break cluster_alloc C", "wait_break C", "resume C", "aio_flush"),
                false, null);
    }

    private static DiffTester.Verdict judgeQ2(Session s) {
        return DiffTester.judgeHung(s, new Runner.Outcome("", -1, "aa", true),
                new Runner.Outcome("blkdebug: Suspended request 'C'\nblkdebug: Resuming request 'C'\n", 0, "aa", false));
    }

    /**
     * Difftest seed 48000 session 93: an aio_write over an allocated and a fresh cluster, then a
     * break on cluster_alloc. QEMU mapped the fresh cluster before the command returned (Q2), so
     * its wait_break hangs; ours meets the break when it maps that piece.
     */
    @Test
    void aBreakOnMappingSetAfterAWriteOverTwoClustersIsQ2() {
        DiffTester.Verdict v = judgeQ2(q2("aio_write -q -P 0x24 512 4096"));
        assertEquals(DiffTester.Kind.KNOWN, v.kind());
        assertEquals(Known.Q2_MAPPING, v.label());
    }

    /** A write inside one cluster has one piece: the same outputs are a new difference. */
    @Test
    void theSameBreakAfterAWriteInsideOneClusterIsNew() {
        assertEquals(DiffTester.Kind.DIFFER, judgeQ2(q2("aio_write -q -P 0x24 512 3584")).kind());
    }

    /** A poll between the write and the break ended the write's mapping in both programs: new. */
    @Test
    void theSameBreakAfterAnAioFlushIsNew() {
        Session s = q2("aio_write -q -P 0x24 512 4096");
        List<String> c = new java.util.ArrayList<>(s.commands());
        c.add(2, "aio_flush");
        assertEquals(DiffTester.Kind.DIFFER, judgeQ2(s.withCommands(c)).kind());
    }

    /**
     * Seed 150000000 session 10602 shrunk (real qemu-io hangs, ours as here): guest cluster 1's
     * host cluster is taken, so the aio_write over clusters 0 and 1 has two pieces; the later
     * aio_write into cluster 1 waits in QEMU for that piece's allocation and maps nothing, here it
     * allocates first and meets the break.
     */
    private static Session q2LaterWrite(String... between) {
        List<String> c = new java.util.ArrayList<>(List.of("write -q -P 0x42 0 1024", "write -q -P 0x43 65536 512",
                "aio_write -P 1 3072 4096", "length", "break cluster_alloc C"));
        c.addAll(List.of(between));
        c.addAll(List.of("wait_break C", "resume C", "aio_flush"));
        return new Session("qcow2", 1 << 20, "cluster_size=4096", null, List.of("-f", "qcow2"), "blkdebug::t.qcow2",
                c, false, null);
    }

    private static DiffTester.Verdict judgeQ2LaterWrite(Session s) {
        return DiffTester.judgeHung(s, new Runner.Outcome("1 MiB\nwrote 4096/4096 bytes at offset 3072\n", -1, "aa", true),
                new Runner.Outcome("1 MiB\nblkdebug: Suspended request 'C'\nblkdebug: Resuming request 'C'\n", 0, "aa", false));
    }

    @Test
    void aBreakOnMappingMetByALaterWriteIntoTheSpanningWritesLaterPieceIsQ2() {
        DiffTester.Verdict v = judgeQ2LaterWrite(q2LaterWrite("aio_write -P 2 4096 1024"));
        assertEquals(DiffTester.Kind.KNOWN, v.kind());
        assertEquals(Known.Q2_MAPPING, v.label());
    }

    @Test
    void theSameBreakMetByALaterWriteElsewhereOrAfterAPollIsNew() {
        // a write outside the later piece maps its own cluster in QEMU too
        assertEquals(DiffTester.Kind.DIFFER, judgeQ2LaterWrite(q2LaterWrite("aio_write -P 2 131072 1024")).kind());
        // a synchronous read before the break polls: the spanning write's mapping is over in both
        Session s = q2LaterWrite("aio_write -P 2 4096 1024");
        List<String> c = new java.util.ArrayList<>(s.commands());
        c.add(c.indexOf("break cluster_alloc C"), "read -q 0 512");
        assertEquals(DiffTester.Kind.DIFFER, judgeQ2LaterWrite(s.withCommands(c)).kind());
    }

    /** Under raw there are no pieces: new. */
    @Test
    void theSameOnRawIsNew() {
        Session s = q2("aio_write -q -P 0x24 512 4096");
        Session raw = new Session("raw", 1 << 20, "", null, s.args(), s.file(), s.commands(), false, null);
        assertEquals(DiffTester.Kind.DIFFER, judgeQ2(raw).kind());
    }

    private static final String STATS = "8 KiB, X ops; XX:XX:XX.X (XXX YYY/sec and XXX ops/sec)\n";

    /**
     * Seed 20300000 session 4405, cut short: a write-zeroes suspended at pwritev_zero, whose rule
     * arms an iotype=read rule; a write under align=4k fails at its RMW read here, in QEMU at its
     * pwritev, whose rule (every iotype, once=off) stays armed: the resumed write-zeroes fails
     * there, passes here; QEMU hangs later at a wait_break its failed RMW reads never reach.
     */
    private static DiffTester.Verdict zeroWriteAfterFailedRmw(String rules, String oursZeroWrite) {
        Session s = new Session("raw", 1048576, null, rules, List.of(), null,
                List.of("open -t none -o driver=raw,file.align=4k,file.inject-error.0.event=pwritev_zero,"
                                + "file.inject-error.0.errno=122,file.inject-error.0.once=off,file.inject-error.0.iotype=read "
                                + "blkdebug:" + Session.DIR + "/rules.conf:" + Session.DIR + "/t.raw",
                        "break pwritev_zero A", "aio_write -z 196608 8192", "wait_break A", "write -P 0x83 524288 512",
                        "resume A", "aio_flush", "break pwritev_rmw_after_head C", "aio_write -P 207 246272 512",
                        "wait_break C"),
                false, null);
        String start = """
                blkdebug: Suspended request 'A'
                write failed: Disk quota exceeded
                blkdebug: Resuming request 'A'
                """;
        return DiffTester.judgeHung(s,
                new Runner.Outcome(start + "aio_write failed: Disk quota exceeded\naio_write failed: Disk quota exceeded\n",
                        -1, "b6d81b36", true),
                new Runner.Outcome(start + oursZeroWrite + "aio_write failed: Disk quota exceeded\n"
                        + "wait_break: no request in flight can reach 'C'\n", 1, "b6d81b36", false));
    }

    private static final String PWRITEV_RULE = "[inject-error]\nevent = \"pwritev\"\nerrno = \"122\"\n";

    @Test
    void aLaterRequestMeetingTheRuleQemusFailedRmwWriteArmedBeforeItHangsIsD2() {
        DiffTester.Verdict v = zeroWriteAfterFailedRmw(PWRITEV_RULE, "wrote 8192/8192 bytes at offset 196608\n" + STATS);
        assertEquals(DiffTester.Kind.KNOWN, v.kind());
        assertEquals("D2 (after a failed RMW read ours fires no pwritev/pwritev_done: later requests meet other rules)", v.label());
    }

    /** Without a rule on pwritev or pwritev_done nothing re-armed QEMU's blkdebug: new. */
    @Test
    void theSameZeroWriteWithoutAPwritevRuleIsNew() {
        DiffTester.Verdict v = zeroWriteAfterFailedRmw(PWRITEV_RULE.replace("\"pwritev\"", "\"flush_to_os\""),
                "wrote 8192/8192 bytes at offset 196608\n" + STATS);
        assertEquals(DiffTester.Kind.DIFFER, v.kind());
    }

    /** Where they part, ours must report the request QEMU reports there, not print another line. */
    @Test
    void anotherLineWhereQemuReportsTheZeroWriteIsNew() {
        DiffTester.Verdict v = zeroWriteAfterFailedRmw(PWRITEV_RULE, "blkdebug: Suspended request 'B'\n");
        assertEquals(DiffTester.Kind.DIFFER, v.kind());
    }

    /**
     * Seed 20300000 session 14053, cut short: under align=4k and writethrough an aio_read goes to
     * the pool, then an aio_write whose merged RMW read a pwritev_rmw_tail rule fails. Ours ends
     * the write there and reports it first, with EIO; QEMU's goes on, meets a flush rule that
     * pwritev armed at its FUA flush and reports EINVAL after the read; it hangs later at a
     * wait_break for pwritev_rmw_after_head, which neither write reaches.
     */
    private static DiffTester.Verdict writeReportedEarlierBeforeQemuHangs(String oursFirst, String oursSecond) {
        return writeReportedEarlierBeforeQemuHangs("4k", oursFirst, oursSecond);
    }

    private static DiffTester.Verdict writeReportedEarlierBeforeQemuHangs(String align, String oursFirst, String oursSecond) {
        String rules = "[inject-error]\nevent = \"pwritev_rmw_tail\"\nonce = \"off\"\nimmediately = \"on\"\n"
                + "[inject-error]\nevent = \"pwritev\"\nerrno = \"22\"\niotype = \"flush\"\n";
        Session s = new Session("raw", 1048576, null, rules, List.of("-t", "writethrough"),
                "json:{\"driver\":\"raw\",\"file\":{\"driver\":\"blkdebug\",\"config\":\"" + Session.DIR
                        + "/rules.conf\",\"align\":\"" + align + "\",\"image\":{\"driver\":\"file\",\"filename\":\"" + Session.DIR + "/t.raw\"}}}",
                List.of("aio_read 262654 65536 1", "write -C -f -P 204 1048575 52736", "break pwritev_rmw_after_head A",
                        "aio_write -P 0x86 74240 512", "wait_break A", "resume A"),
                false, null);
        String read = "read 65537/65537 bytes at offset 262654\n64.001 KiB, X ops; XX:XX:XX.X (XXX YYY/sec and XXX ops/sec)\n";
        return DiffTester.judgeHung(s,
                new Runner.Outcome("write failed: Input/output error\n" + read + "aio_write failed: Invalid argument\n",
                        -1, "356ba026", true),
                new Runner.Outcome("write failed: Input/output error\n" + oursFirst + read + oursSecond
                        + "wait_break: no request in flight can reach 'A'\n", 1, "b6d81b36", false));
    }

    @Test
    void aWriteReportedEarlierWithItsReadsErrnoBeforeQemuHangsIsD2() {
        DiffTester.Verdict v = writeReportedEarlierBeforeQemuHangs("aio_write failed: Input/output error\n", "");
        assertEquals(DiffTester.Kind.KNOWN, v.kind());
        assertEquals("D2 (a write ends at its failed RMW read: its report comes earlier, with the read's errno)", v.label());
    }

    /** A line QEMU never printed, even after a write reported earlier: new. */
    @Test
    void aWriteReportedEarlierThenALineQemuNeverPrintedIsNew() {
        DiffTester.Verdict v = writeReportedEarlierBeforeQemuHangs("aio_write failed: Input/output error\n",
                "read failed: Input/output error\n");
        assertEquals(DiffTester.Kind.DIFFER, v.kind());
    }

    /** Without blkdebug's align no write is padded: the same outputs are new. */
    @Test
    void theSameWriteReportedEarlierWithoutAlignIsNew() {
        DiffTester.Verdict v = writeReportedEarlierBeforeQemuHangs("1", "aio_write failed: Input/output error\n", "");
        assertEquals(DiffTester.Kind.DIFFER, v.kind());
    }

    /**
     * Seed 90000000 session 15801, cut short: under align=4096 and writethrough a write_aio rule
     * (once) fails the writev's head read. QEMU ignores it, writes, and its FUA flush fires
     * flush_to_os, which arms an EOPNOTSUPP rule that fails the writev and then the aio_write's head
     * read: the aio_write never reaches pwritev_rmw_after_head and QEMU hangs at wait_break A. Ours
     * ends the writev at its read (EIO), arms nothing, and its aio_write is suspended at A.
     */
    private static DiffTester.Verdict paddingReadBreak(String align, String breakEvent, String qemuExtra) {
        String rules = "[inject-error]\nevent = \"write_aio\"\nsector = \"-1\"\nonce = \"on\"\n";
        Session s = new Session("raw", 1048576, null, rules, List.of("-t", "writethrough", "--image-opts"),
                "driver=raw,file.driver=blkdebug,file.config=" + Session.DIR + "/rules.conf" + align
                        + ",file.image.driver=file,file.image.filename=" + Session.DIR + "/t.raw"
                        + ",file.inject-error.0.event=flush_to_os,file.inject-error.0.errno=95",
                List.of("writev -q -P 254 219648 3584 1024", "info", "break " + breakEvent + " A",
                        "aio_write -P 0xc5 377344 512", "wait_break A", "write -P 46 720896 512", "resume A",
                        "aio_flush", "read 170496 3584"),
                false, null);
        String info = "format name: raw\ncluster size: 0 bytes\nvm state offset: 0 bytes\n";
        return DiffTester.judgeHung(s,
                new Runner.Outcome("writev failed: Operation not supported\n" + info + qemuExtra
                        + "aio_write failed: Operation not supported\n", -1, "5e06747e", true),
                new Runner.Outcome("writev failed: Input/output error\n" + info + "blkdebug: Suspended request 'A'\n"
                        + "write failed: Operation not supported\nblkdebug: Resuming request 'A'\n"
                        + "aio_write failed: Operation not supported\nread failed: Operation not supported\n",
                        1, "7da1be21", false));
    }

    @Test
    void aBreakAfterAPaddingReadARuleArmedByQemusFailedRmwWriteFailsIsD2() {
        DiffTester.Verdict v = paddingReadBreak(",file.align=4096", "pwritev_rmw_after_head", "");
        assertEquals(DiffTester.Kind.KNOWN, v.kind());
        assertEquals(Known.D2_PADDING_READ_BREAK, v.label());
    }

    /** Without blkdebug's align no write is padded and no read precedes the write: new. */
    @Test
    void theSameBreakAfterAPaddingReadWithoutAlignIsNew() {
        DiffTester.Verdict v = paddingReadBreak("", "pwritev_rmw_after_head", "");
        assertEquals(DiffTester.Kind.DIFFER, v.kind());
        assertEquals("QEMU hangs, ours ends without a documented reason", v.label());
    }

    /** A break on pwritev: a failed padding read (ignored in QEMU) does not keep a write from it: new. */
    @Test
    void theSameOnABreakAPaddingReadDoesNotGuardIsNew() {
        assertEquals(DiffTester.Kind.DIFFER, paddingReadBreak(",file.align=4096", "pwritev", "").kind());
    }

    /** QEMU printed a line ours never did before it hung: new. */
    @Test
    void theSameBreakAfterALineOursNeverPrintedIsNew() {
        assertEquals(DiffTester.Kind.DIFFER, paddingReadBreak(",file.align=4096", "pwritev_rmw_after_head",
                "read failed: Input/output error\n").kind());
    }

    /**
     * Seed 110000000 session 3559: under align=4096 a pwritev_rmw_head rule (once) fails the writev's
     * merged padding read. QEMU ignores it, writes, and its pwritev_done arms a sticky EIO rule that
     * fails the next read and the aio_write's padding read (so it never fires
     * pwritev_rmw_after_tail, and wait_break A hangs) and its write. Ours ends the writev at its read,
     * arms nothing: the read passes and the aio_write is suspended at A and goes on.
     */
    private static DiffTester.Verdict writtenPastItsReadThenArmed(String doneRuleEvent, String qemuRead) {
        String rules = "[inject-error]\nevent = \"pwritev_rmw_tail\"\nstate = \"3\"\n"
                + "[inject-error]\nevent = \"" + doneRuleEvent + "\"\nerrno = \"5\"\nimmediately = \"on\"\n"
                + "[inject-error]\nevent = \"pwritev_rmw_head\"\nonce = \"on\"\n";
        Session s = new Session("raw", 1048575, null, rules, List.of("-t", "writeback", "--image-opts"),
                "driver=raw,file.driver=blkdebug,file.config=" + Session.DIR + "/rules.conf,file.align=4096"
                        + ",file.image.driver=file,file.image.filename=" + Session.DIR + "/t.raw",
                List.of("writev 889856 3584", "read -q 687033 512", "info", "break pwritev_rmw_after_tail A",
                        "aio_write -P 184 507904 512", "wait_break A", "aio_write -P 160 851968 4096",
                        "aio_write -P 188 655360 4096", "resume A", "close"),
                false, null);
        String info = "format name: raw\ncluster size: 0 bytes\nvm state offset: 0 bytes\n";
        return DiffTester.judgeHung(s,
                new Runner.Outcome("wrote 3584/3584 bytes at offset 889856\n"
                        + "3.500 KiB, X ops; XX:XX:XX.X (XXX YYY/sec and XXX ops/sec)\n" + qemuRead + info
                        + "aio_write failed: Input/output error\n", -1, "5d435ab1", true),
                new Runner.Outcome("writev failed: Input/output error\n" + info
                        + "blkdebug: Suspended request 'A'\nblkdebug: Resuming request 'A'\n"
                        + "wrote 512/512 bytes at offset 507904\n512 bytes, X ops; XX:XX:XX.X (XXX YYY/sec and XXX ops/sec)\n"
                        + "wrote 4096/4096 bytes at offset 655360\n4 KiB, X ops; XX:XX:XX.X (XXX YYY/sec and XXX ops/sec)\n"
                        + "wrote 4096/4096 bytes at offset 851968\n4 KiB, X ops; XX:XX:XX.X (XXX YYY/sec and XXX ops/sec)\n",
                        1, "eaa2c23d", false));
    }

    @Test
    void qemusWriteDoneAndFailuresOfTheRuleItsPwritevDoneArmedBeforeTheBreakItMissesIsD2() {
        DiffTester.Verdict v = writtenPastItsReadThenArmed("pwritev_done", "read failed: Input/output error\n");
        assertEquals(DiffTester.Kind.KNOWN, v.kind());
        assertEquals(Known.D2_PADDING_READ_BREAK, v.label());
    }

    /** The rule that fails QEMU's later requests is on an event no write fires past its read (read_aio): new. */
    @Test
    void theSameFailuresWithoutARuleQemusWriteArmedPastItsReadAreNew() {
        assertEquals(DiffTester.Kind.DIFFER,
                writtenPastItsReadThenArmed("read_aio", "read failed: Input/output error\n").kind());
    }

    /** A failure QEMU printed with an errno no rule past the read carries: new. */
    @Test
    void aQemuFailureWithAnotherErrnoIsNew() {
        assertEquals(DiffTester.Kind.DIFFER,
                writtenPastItsReadThenArmed("pwritev_done", "read failed: No space left on device\n").kind());
    }

    /** Seed 50000000 session 12039, cut short: what ours printed, and QEMU's runs that ended. */
    private static final String ENDED = """
            qemu-io> blkdebug: Suspended request 'C'
            read 4096/4096 bytes at offset 851968
            qemu-io> 1 MiB
            qemu-io> write failed: Disk quota exceeded
            """;
    private static final String ENDED_AS_OURS = """
            qemu-io> read 4096/4096 bytes at offset 851968
            blkdebug: Suspended request 'C'
            qemu-io> 1 MiB
            qemu-io> write failed: Disk quota exceeded
            """;

    /**
     * QEMU hangs on this session in 45 runs of 60 (a stdin prompt's poll lets a flush arm an
     * EDQUOT rule before the write that was to reach the breakpoint) and ends in 15, in three
     * orders: a run that ends with ours' lines in another order is QEMU's nondeterminism.
     */
    @Test
    void aRerunThatEndsWithOursLinesInAnotherOrderIsQemusNondeterminism() {
        Session s = session("");
        Runner.Outcome ours = new Runner.Outcome(ENDED_AS_OURS, 1, "c9ab", false);
        assertEquals(true, DiffTester.endedAsOurs(s, new Runner.Outcome(ENDED, 1, "c9ab", false), ours));
        assertEquals(true, DiffTester.endedAsOurs(s, new Runner.Outcome(ENDED_AS_OURS, 1, "c9ab", false), ours));
    }

    /** A rerun that hung again, or ended with another line, exit status or image, is not one. */
    @Test
    void aRerunThatHangsOrEndsOtherwiseIsNot() {
        Session s = session("");
        Runner.Outcome ours = new Runner.Outcome(ENDED_AS_OURS, 1, "c9ab", false);
        assertEquals(false, DiffTester.endedAsOurs(s, new Runner.Outcome(ENDED, -1, "c9ab", true), ours));
        assertEquals(false, DiffTester.endedAsOurs(s, new Runner.Outcome(ENDED.replace("Disk quota exceeded",
                "Input/output error"), 1, "c9ab", false), ours));
        assertEquals(false, DiffTester.endedAsOurs(s, new Runner.Outcome(ENDED, 0, "c9ab", false), ours));
        assertEquals(false, DiffTester.endedAsOurs(s, new Runner.Outcome(ENDED, 1, "7fcd", false), ours));
    }
}
