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
    void q5IsAQcow2ImageThatDiffersOnlyInHowFarItsTailOfZeroesReaches() {
        // scenario 263: QEMU's file ends 56 KiB earlier, the bytes before are the same
        Known.Case c = qcow2(new Runner.Outcome(OUTPUT, 1, "aa", false, "same"),
                new Runner.Outcome(OUTPUT, 1, "bb", false, "same"));
        assertThat(Known.classify(c)).startsWith("Q5 ");
    }

    @Test
    void otherImageBytesAreNotQ5() {
        // the same output and exit, but the images differ before their zero tails: a new difference
        Known.Case c = qcow2(new Runner.Outcome(OUTPUT, 1, "aa", false, "one"),
                new Runner.Outcome(OUTPUT, 1, "bb", false, "other"));
        assertThat(Known.classify(c)).isNull();
    }

    @Test
    void anotherExitStatusIsNotQ5() {
        Known.Case c = qcow2(new Runner.Outcome(OUTPUT, 1, "aa", false, "same"),
                new Runner.Outcome(OUTPUT, 0, "bb", false, "same"));
        assertThat(Known.classify(c)).isNull();
    }

    @Test
    void aFailedAioWriteCountsForD2() {
        // seed 50001 session 3375: QEMU ignores the failed padding read of an aio_write, ours fails it
        Session s = new Session("qcow2", 2 << 20, "", null, List.of(),
                null, List.of("open -o driver=qcow2,file.align=4096 blkdebug:rules.conf:t.qcow2", "aio_write -f 4096 511"),
                false, null);
        Known.Case c = new Known.Case(s.withRules("[inject-error]\n"),
                new Runner.Outcome("wrote 511/511 bytes at offset 4096\n", 0, "aa", false, "aa"),
                new Runner.Outcome("aio_write failed: Permission denied\n", 0, "bb", false, "bb"));
        assertThat(Known.classify(c)).startsWith("D2 ");
    }

    private static Known.Case probedRaw(String qemu, String ours) {
        Session s = new Session("raw", 1 << 20, "", null, List.of(), "blkdebug:rules.conf:t.raw",
                List.of("flush", "aio_write -P 71 253239 1024"), false, null);
        String warning = "WARNING: Image format was not specified for 'blkdebug:rules.conf:t.raw' and probing guessed raw.\n";
        return new Known.Case(s.withRules("[inject-error]\n"), new Runner.Outcome(warning + qemu, 1, "aa", false, "aa"),
                new Runner.Outcome(warning + ours, 1, "aa", false, "aa"));
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

    @Test
    void extraFailedMetadataWritesAreD2() {
        // seed 90000 session 559: QEMU ignored the failed padding read of qcow2's header write
        Known.Case c = probedRaw("", "qemu-io: Failed to update the image size: Input/output error\n");
        assertThat(Known.classify(c)).startsWith("D2 ");
    }
}
