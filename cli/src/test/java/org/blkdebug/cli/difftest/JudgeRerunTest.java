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

    @Test
    void aDifferenceQemuNeverShowsIn22RunsIsNew(@TempDir Path work) throws Exception {
        AtomicInteger runs = new AtomicInteger();
        DiffTester.Verdict v = judge(Integer.MAX_VALUE, runs, work);
        assertThat(v.kind()).isEqualTo(DiffTester.Kind.DIFFER);
        assertThat(runs).hasValue(2 + DiffTester.ORDER_RERUNS);
    }
}
