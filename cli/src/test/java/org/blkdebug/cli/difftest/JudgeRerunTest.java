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

    /** qemu-io prints QEMU's lines in its first {@code qemuLike} runs, then ours'. */
    private static Runner runner(int qemuLike, AtomicInteger runs) {
        return new Runner(1_000, 1_000) {
            @Override
            Outcome qemu(Session s, Path dir) {
                String out = runs.incrementAndGet() <= qemuLike ? QEMU : OURS;
                return new Outcome(out, 1, "md5", false, null);
            }

            @Override
            Outcome ours(Session s, Path dir) {
                return new Outcome(OURS, 1, "md5", false, null);
            }
        };
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
        Runner r = new Runner(1_000, 1_000) {
            @Override
            Outcome qemu(Session session, Path dir) {
                return new Outcome(GARBAGE, 1, "md5", false, null);
            }

            @Override
            Outcome qemuZeroedMemory(Session session, Path dir) {
                return new Outcome(zeroFilledQemu, 1, "md5", false, null);
            }

            @Override
            Outcome ours(Session session, Path dir) {
                return new Outcome(ZEROES, 1, "md5", false, null);
            }
        };
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
        Runner r = new Runner(1_000, 1_000) {
            @Override
            Outcome qemu(Session session, Path dir) {
                return new Outcome(GARBAGE, -1, "md5", true, null);
            }

            @Override
            Outcome qemuZeroedMemory(Session session, Path dir) {
                return new Outcome(zeroFilledQemu, -1, "md5", true, null);
            }

            @Override
            Outcome ours(Session session, Path dir) {
                return new Outcome(ZEROES + reason, 1, "md5", false, null);
            }
        };
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

    @Test
    void aDifferenceQemuNeverShowsIn22RunsIsNew(@TempDir Path work) throws Exception {
        AtomicInteger runs = new AtomicInteger();
        DiffTester.Verdict v = judge(Integer.MAX_VALUE, runs, work);
        assertThat(v.kind()).isEqualTo(DiffTester.Kind.DIFFER);
        assertThat(runs).hasValue(2 + DiffTester.ORDER_RERUNS);
    }
}
