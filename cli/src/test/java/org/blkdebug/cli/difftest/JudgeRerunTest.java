package org.blkdebug.cli.difftest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How often {@link DiffTester#judge} asks qemu-io again before a difference no documented one
 * explains counts as new: a race of QEMU's pool that decides which rule a later request meets
 * gives ours' lines once in several runs (seed 90000000 session 12350: 2 of 50 by hand).
 */
class JudgeRerunTest {
    private static final String QEMU = "read failed: Input/output error\n";
    private static final String OURS = "read failed: Invalid argument\n";

    private static final Session SESSION = new Session("raw", 1048576, null, null, List.of("-f", "raw"),
            Session.DIR + "/t.raw", List.of("read 0 512"), false, null);

    /** A runner whose programs answer from suppliers: qemu-io, qemu-io with zero-filled memory, ours, ours with QEMU's padding-read bug. */
    private static Runner fake(java.util.function.Supplier<Runner.Outcome> qemu, Runner.Outcome zeroed, Runner.Outcome ours,
            java.util.function.Supplier<Runner.Outcome> withBug) {
        return new Runner(1_000, 1_000) {
            @Override
            Outcome qemu(Session s, Path dir) {
                return qemu.get();
            }

            @Override
            Outcome qemuZeroedMemory(Session s, Path dir) {
                return zeroed;
            }

            @Override
            Outcome ours(Session s, Path dir) {
                return ours;
            }

            @Override
            Outcome oursWithQemuPaddingRead(Session s, Path dir) {
                return withBug.get();
            }
        };
    }

    /** qemu-io prints QEMU's lines in its first {@code qemuLike} runs, then ours'. */
    private static Runner runner(int qemuLike, AtomicInteger runs) {
        Runner.Outcome ours = new Runner.Outcome(OURS, 1, "md5", false, null);
        return fake(() -> new Runner.Outcome(runs.incrementAndGet() <= qemuLike ? QEMU : OURS, 1, "md5", false, null),
                null, ours, () -> ours);
    }

    private static DiffTester.Verdict judge(int qemuLike, AtomicInteger runs, Path work) throws Exception {
        return new DiffTester(runner(qemuLike, runs), System.out, false, work).judge(SESSION, work);
    }

    @Test
    void oursLinesOnTheTwelfthQemuRunAreQemusNondeterminismNotANewDifference(@TempDir Path work) throws Exception {
        AtomicInteger runs = new AtomicInteger();
        DiffTester.Verdict v = judge(11, runs, work);
        assertThat(v.kind()).isEqualTo(DiffTester.Kind.SKIP);
        assertThat(v.label()).isEqualTo("QEMU nondeterministic (found on a rerun)");
        assertThat(runs).hasValue(12);
    }

    /** seed 100000000 session 10559: the refcount table's read at open answered by a rule with errno -5 */
    private static final String RULES = "[inject-error]\nevent = \"none\"\nerrno = \"%s\"\nsector = \"128\"\n";
    private static final String GARBAGE = "qcow2: Marking image as corrupt: Preventing invalid allocation of L2 table at offset 0;"
            + " further corruption events will be suppressed\n";
    private static final String ZEROES = "qcow2: Marking image as corrupt: Preventing invalid write on metadata"
            + " (overlaps with refcount table); further corruption events will be suppressed\n";

    private static DiffTester.Verdict judgeUnfilled(String errno, String zeroFilledQemu, Path work) throws Exception {
        Session s = new Session("qcow2", 2 << 20, "", RULES.formatted(errno), List.of(),
                "blkdebug:" + Session.DIR + "/rules.conf:" + Session.DIR + "/t.qcow2",
                List.of("write -P 107 915968 8192"), false, null);
        Runner.Outcome ours = new Runner.Outcome(ZEROES, 1, "md5", false, null);
        Runner r = fake(() -> new Runner.Outcome(GARBAGE, 1, "md5", false, null),
                new Runner.Outcome(zeroFilledQemu, 1, "md5", false, null), ours, () -> ours);
        return new DiffTester(r, System.out, false, work).judge(s, work);
    }

    @Test
    void qemuPrintingOursWithZeroFilledMemoryUnderANegativeErrnoIsD22(@TempDir Path work) throws Exception {
        DiffTester.Verdict v = judgeUnfilled("-5", ZEROES, work);
        assertThat(v.kind()).isEqualTo(DiffTester.Kind.KNOWN);
        assertThat(v.label()).isEqualTo(DiffTester.UNFILLED_BUFFER);
    }

    /** seed 150000000 session 5209: the same unfilled refcount table, then a break nothing reaches */
    private static DiffTester.Verdict judgeUnfilledHung(String zeroFilledQemu, Path work) throws Exception {
        Session s = new Session("qcow2", 2 << 20, "", RULES.formatted("-5"), List.of(),
                "blkdebug:" + Session.DIR + "/rules.conf:" + Session.DIR + "/t.qcow2",
                List.of("write -P 107 915968 8192", "break l2_update A", "aio_write 131072 1024", "wait_break A"),
                false, null);
        String reason = "wait_break: no request in flight can reach 'A'\n";
        Runner.Outcome ours = new Runner.Outcome(ZEROES + reason, 1, "md5", false, null);
        Runner r = fake(() -> new Runner.Outcome(GARBAGE, -1, "md5", true, null),
                new Runner.Outcome(zeroFilledQemu, -1, "md5", true, null), ours, () -> ours);
        return new DiffTester(r, System.out, false, work).judge(s, work);
    }

    @Test
    void whereQemuHangsToo_zeroFilledMemoryPrintingOursBeforeTheHangIsD22(@TempDir Path work) throws Exception {
        DiffTester.Verdict v = judgeUnfilledHung(ZEROES, work);
        assertThat(v.kind()).isEqualTo(DiffTester.Kind.KNOWN);
        assertThat(v.label()).isEqualTo(DiffTester.UNFILLED_BUFFER);
    }

    @Test
    void whereQemuHangsToo_zeroFilledMemoryThatChangesNothingLeavesItNew(@TempDir Path work) throws Exception {
        assertThat(judgeUnfilledHung(GARBAGE, work).kind()).isEqualTo(DiffTester.Kind.DIFFER);
    }

    @Test
    void zeroFilledMemoryThatChangesNothingLeavesTheDifferenceNew(@TempDir Path work) throws Exception {
        assertThat(judgeUnfilled("-5", GARBAGE, work).kind()).isEqualTo(DiffTester.Kind.DIFFER);
    }

    @Test
    void withoutANegativeErrnoZeroFilledMemoryIsNotAsked(@TempDir Path work) throws Exception {
        assertThat(judgeUnfilled("5", ZEROES, work).kind()).isEqualTo(DiffTester.Kind.DIFFER);
    }

    /** seed 160000000 session 12586, cut short: a sticky pwritev_rmw_head rule fails an unaligned write's padding read */
    private static final String PADDING_RULES = "[inject-error]\nevent = \"pwritev_rmw_head\"\nerrno = \"95\"\n"
            + "[inject-error]\nevent = \"pwritev_done\"\nerrno = \"13\"\n";
    private static final String QEMU_PADDED = "aio_write failed: Operation not supported\nread failed: Permission denied\n";
    private static final String OURS_PADDED = "aio_write failed: Operation not supported\nread failed: Operation not supported\n";

    /**
     * {@code withBug} what ours prints with QEMU's padding-read bug kept; counts those runs in
     * {@code asked}. The session names no {@code align}, so that no narrow D2 kind of {@link Known}
     * takes it first: the step tested here is the judge's last.
     */
    private static DiffTester.Verdict judgePadding(String rules, String withBug, String withBugMd5, AtomicInteger asked,
            Path work) throws Exception {
        return judgePadding(rules, "", withBug, withBugMd5, asked, work);
    }

    private static DiffTester.Verdict judgePadding(String rules, String align, String withBug, String withBugMd5,
            AtomicInteger asked, Path work) throws Exception {
        Session s = new Session("raw", 1048576, null, rules, List.of("-f", "raw"),
                "json:{\"driver\":\"raw\",\"file\":{\"driver\":\"blkdebug\",\"config\":\"" + Session.DIR
                        + "/rules.conf\"," + align + "\"image\":{\"driver\":\"file\",\"filename\":\""
                        + Session.DIR + "/t.raw\"}}}",
                List.of("aio_write -P 35 45568 512", "aio_flush", "read 0 512"), false, null);
        Runner r = fake(() -> new Runner.Outcome(QEMU_PADDED, 1, "qemu-md5", false, null),
                new Runner.Outcome(QEMU_PADDED, 1, "zeroed-md5", false, null),
                new Runner.Outcome(OURS_PADDED, 1, "ours-md5", false, null), () -> {
                    asked.incrementAndGet();
                    return new Runner.Outcome(withBug, 1, withBugMd5, false, null);
                });
        return new DiffTester(r, System.out, false, work).judge(s, work);
    }

    @Test
    void oursWithQemusPaddingReadBugPrintingQemusOutcomeShowsD2(@TempDir Path work) throws Exception {
        AtomicInteger asked = new AtomicInteger();
        DiffTester.Verdict v = judgePadding(PADDING_RULES, QEMU_PADDED, "qemu-md5", asked, work);
        assertThat(v.kind()).isEqualTo(DiffTester.Kind.KNOWN);
        assertThat(v.label()).isEqualTo(DiffTester.PADDING_READ_SHOWN);
        // the image as qemu-io's with zero-filled memory (its padding buffer uninitialised otherwise)
        assertThat(judgePadding(PADDING_RULES, QEMU_PADDED, "zeroed-md5", asked, work).label())
                .isEqualTo(DiffTester.PADDING_READ_SHOWN);
    }

    @Test
    void oursWithQemusPaddingReadBugDoingAllThatZeroFilledQemuDoesShowsD2(@TempDir Path work) throws Exception {
        AtomicInteger asked = new AtomicInteger();
        Runner r = fake(() -> new Runner.Outcome(QEMU_PADDED, 0, "qemu-md5", false, null),
                new Runner.Outcome("read failed: Permission denied\n", 1, "zeroed-md5", false, null),
                new Runner.Outcome(OURS_PADDED, 1, "ours-md5", false, null), () -> {
                    asked.incrementAndGet();
                    return new Runner.Outcome("read failed: Permission denied\n", 1, "zeroed-md5", false, null);
                });
        Session s = new Session("raw", 1048576, null, PADDING_RULES, List.of("-f", "raw"),
                "json:{\"driver\":\"raw\",\"file\":{\"driver\":\"blkdebug\",\"config\":\"" + Session.DIR
                        + "/rules.conf\",\"image\":{\"driver\":\"file\",\"filename\":\"" + Session.DIR + "/t.raw\"}}}",
                List.of("aio_write -P 35 45568 512", "aio_flush", "read 0 512"), false, null);
        DiffTester.Verdict v = new DiffTester(r, System.out, false, work).judge(s, work);
        assertThat(v.label()).isEqualTo(DiffTester.PADDING_READ_SHOWN);
        assertThat(asked).hasValue(1);
    }

    @Test
    void oursWithQemusPaddingReadBugStillDifferingLeavesItNew(@TempDir Path work) throws Exception {
        AtomicInteger asked = new AtomicInteger();
        // another line
        assertThat(judgePadding(PADDING_RULES, "aio_write failed: Operation not supported\n", "qemu-md5", asked, work)
                .kind()).isEqualTo(DiffTester.Kind.DIFFER);
        // the same lines, another image than either qemu-io run's
        assertThat(judgePadding(PADDING_RULES, QEMU_PADDED, "other-md5", asked, work).kind())
                .isEqualTo(DiffTester.Kind.DIFFER);
        assertThat(asked).hasValue(2);
    }

    @Test
    void withoutAnInjectRuleOursWithQemusPaddingReadBugIsNotAsked(@TempDir Path work) throws Exception {
        AtomicInteger asked = new AtomicInteger();
        assertThat(judgePadding("[set-state]\nevent = \"pwritev_rmw_head\"\nstate = \"1\"\nnew_state = \"2\"\n",
                QEMU_PADDED, "qemu-md5", asked, work).kind()).isEqualTo(DiffTester.Kind.DIFFER);
        assertThat(asked).hasValue(0);
    }

    /** With align the narrow D2 kinds recognise the session; they count only where the bug kept bears them out. */
    @Test
    void aNarrowD2KindCountsOnlyWhereQemusPaddingReadBugKeptBearsItOut(@TempDir Path work) throws Exception {
        AtomicInteger asked = new AtomicInteger();
        String align = "\"align\":\"4k\",";
        DiffTester.Verdict shown = judgePadding(PADDING_RULES, align, QEMU_PADDED, "qemu-md5", asked, work);
        assertThat(shown.kind()).isEqualTo(DiffTester.Kind.KNOWN);
        assertThat(shown.label()).startsWith("D2 (").isNotEqualTo(DiffTester.PADDING_READ_SHOWN);
        assertThat(judgePadding(PADDING_RULES, align, OURS_PADDED, "ours-md5", asked, work).kind())
                .isEqualTo(DiffTester.Kind.DIFFER);
        assertThat(asked).hasValue(2); // once each: the last step does not ask again
    }

    /** qemu-io hangs each run, first printing {@code first}, then {@code later} on every rerun. */
    private static DiffTester.Verdict judgeHungReruns(String first, String later, Path work) throws Exception {
        AtomicInteger runs = new AtomicInteger();
        Runner.Outcome ours = new Runner.Outcome("read failed: Input/output error\n"
                + "wait_break: no request in flight can reach 'A'\n", 1, "md5", false, null);
        Runner r = fake(() -> new Runner.Outcome(runs.incrementAndGet() == 1 ? first : later, -1, "md5", true, null),
                null, ours, () -> ours);
        Session s = SESSION.withCommands(List.of("break write_aio A", "read 0 512", "wait_break A"));
        return new DiffTester(r, System.out, false, work).judge(s, work);
    }

    @Test
    void whereQemuHangsARerunPrintingOtherLinesThanTheFirstIsQemusNondeterminism(@TempDir Path work) throws Exception {
        DiffTester.Verdict v = judgeHungReruns("wrote 512/512 bytes at offset 0\nread failed: Permission denied\n",
                "read failed: Permission denied\nwrote 512/512 bytes at offset 0\n", work);
        assertThat(v.kind()).isEqualTo(DiffTester.Kind.SKIP);
    }

    @Test
    void whereQemuHangsRerunsThatOnlyPrintMoreOrLessOfTheSameLinesLeaveItNew(@TempDir Path work) throws Exception {
        String first = "wrote 512/512 bytes at offset 0\nread failed: Permission denied\n";
        assertThat(judgeHungReruns(first, first + "aio_write failed: Permission denied\n", work).kind())
                .isEqualTo(DiffTester.Kind.DIFFER);
        assertThat(judgeHungReruns(first, "wrote 512/512 bytes at offset 0\n", work).kind())
                .isEqualTo(DiffTester.Kind.DIFFER);
    }

    @Test
    void aDifferenceQemuNeverShowsIn22RunsIsNew(@TempDir Path work) throws Exception {
        AtomicInteger runs = new AtomicInteger();
        DiffTester.Verdict v = judge(Integer.MAX_VALUE, runs, work);
        assertThat(v.kind()).isEqualTo(DiffTester.Kind.DIFFER);
        assertThat(runs).hasValue(2 + DiffTester.ORDER_RERUNS);
    }
}
