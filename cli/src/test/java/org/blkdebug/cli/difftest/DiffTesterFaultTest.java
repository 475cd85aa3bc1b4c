package org.blkdebug.cli.difftest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fault of the tester's own (seed 90000000: reading a qcow2 image whose L2 table points past
 * the file's end threw) is a finding of that session, and the run still ends with its report:
 * before, one worker's exception ended the run with no summary while the other worker went on.
 */
class DiffTesterFaultTest {
    @Test
    @Timeout(60)
    void aSessionTheTesterFailsOnIsANewDifferenceAndTheRunGoesOn(@TempDir Path work) throws Exception {
        AtomicInteger calls = new AtomicInteger();
        Runner failing = new Runner(1_000, 1_000) {
            @Override
            Outcome qemu(Session s, Path dir) {
                calls.incrementAndGet();
                throw new IllegalArgumentException("Input buffer too short");
            }
        };
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        DiffTester t = new DiffTester(failing, new PrintStream(log, true, StandardCharsets.UTF_8), false, work);

        DiffTester.Report r = t.run(90_000_000L, 0, 3, 2);

        assertThat(calls).hasValue(3);
        assertThat(r.sessions()).isEqualTo(3);
        assertThat(r.clean()).isFalse();
        assertThat(r.findings()).extracting(DiffTester.Finding::index).containsExactly(0, 1, 2);
        assertThat(r.findings()).allSatisfy(f -> assertThat(f.what())
                .isEqualTo("the tester failed: java.lang.IllegalArgumentException: Input buffer too short"));
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("session 1 (seed 90000001): DIFFERENCE the tester failed");
    }
}
