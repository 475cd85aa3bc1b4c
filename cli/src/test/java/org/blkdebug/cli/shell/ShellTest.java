package org.blkdebug.cli.shell;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.blkdebug.engine.Errno;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Dispatch, error texts and exit status, as qemu-io 7.2 prints them (checked by hand against it). */
class ShellTest {
    @TempDir
    Path dir;

    @Test
    void unknownCommandFailsButLaterCommandsRun() throws Exception {
        ShellHarness h = new ShellHarness(dir);
        assertThat(h.run("frobnicate", "length")).isEqualTo(1);
        assertThat(h.err()).isEqualTo("command \"frobnicate\" not found\n");
        assertThat(h.out()).isEqualTo("1 MiB\n");
    }

    @Test
    void wrongArgumentCountsUseQemuTexts() throws Exception {
        ShellHarness h = new ShellHarness(dir);
        assertThat(h.run("read", "break read_aio", "help a b", "wait_break", "resume")).isEqualTo(1);
        assertThat(h.err()).isEqualTo("""
                bad argument count 0 to read, expected at least 2 arguments
                bad argument count 1 to break, expected 2 arguments
                bad argument count 2 to help, expected between 0 and 1 arguments
                bad argument count 0 to wait_break, expected 1 arguments
                bad argument count 0 to resume, expected 1 arguments
                """);
    }

    @Test
    void aliasIsNamedAsTypedInCountErrors() throws Exception {
        ShellHarness h = new ShellHarness(dir);
        h.run("r -P");
        assertThat(h.err()).isEqualTo("bad argument count 1 to r, expected at least 2 arguments\n");
    }

    @Test
    void invalidOptionPrintsGetoptErrorThenUsage() throws Exception {
        ShellHarness h = new ShellHarness(dir);
        assertThat(h.run("read -x 0 1")).isEqualTo(1);
        assertThat(h.err()).isEqualTo("read: invalid option -- 'x'\n");
        assertThat(h.out()).isEqualTo("read [-abCqv] [-P pattern [-s off] [-l len]] off len -- "
                + "reads a number of bytes at a specified offset\n");
    }

    // getopt handles options in order: a bad pattern before an invalid option wins
    @Test
    void badPatternBeforeInvalidOptionIsReportedFirst() throws Exception {
        ShellHarness h = new ShellHarness(dir);
        h.run("read -P 0x1ff -x 0 1");
        assertThat(h.out()).isEqualTo("0x1ff is not a valid pattern byte\n");
        assertThat(h.err()).isEmpty();
    }

    @Test
    void writeThenReadBackWithPattern() throws Exception {
        ShellHarness h = new ShellHarness(dir);
        assertThat(h.run("write -P 0x5a 512 1k", "read -P 0x5a 512 1k")).isZero();
        assertThat(h.outMasked()).isEqualTo("""
                wrote 1024/1024 bytes at offset 512
                STATS
                read 1024/1024 bytes at offset 512
                STATS
                """);
    }

    @Test
    void patternMismatchPrintsBeforeReportAndFails() throws Exception {
        ShellHarness h = new ShellHarness(dir);
        assertThat(h.run("read -P 1 -s 2 -l 3 0 8")).isEqualTo(1);
        assertThat(h.outMasked()).isEqualTo("""
                Pattern verification failed at offset 2, 3 bytes
                read 8/8 bytes at offset 0
                STATS
                """);
    }

    @Test
    void readVerboseDumpsBeforeTheReport() throws Exception {
        ShellHarness h = new ShellHarness(dir);
        h.run("write -q -P 0x41 0 4", "read -v 0 4");
        assertThat(h.outMasked()).isEqualTo("""
                00000000:  41 41 41 41  AAAA
                read 4/4 bytes at offset 0
                STATS
                """);
    }

    @Test
    void failedReadPrintsStrerrorAndFails() throws Exception {
        ShellHarness h = new ShellHarness(dir);
        h.device.failAt = 0;
        h.device.failErrno = Errno.ENOSPC;
        assertThat(h.run("read 0 512")).isEqualTo(1);
        assertThat(h.out()).isEqualTo("read failed: No space left on device\n");
    }

    // qemu-io: aio failures are reported but never change the exit status
    @Test
    void aioFailureDoesNotFailTheSession() throws Exception {
        ShellHarness h = new ShellHarness(dir);
        h.device.failAt = 0;
        assertThat(h.run("aio_write 0 512", "aio_flush")).isZero();
        assertThat(h.out()).isEqualTo("aio_write failed: Input/output error\n");
    }

    // QEMU completes never-blocked requests from bottom halves, newest first
    @Test
    void immediateAioFailuresPrintInReverseOrder() throws Exception {
        ShellHarness h = new ShellHarness(dir);
        h.run("aio_read 2M 512", "aio_write 2M 512", "aio_flush");
        assertThat(h.out()).isEqualTo("aio_write failed: Input/output error\nreadv failed: Input/output error\n");
    }

    // -c mode runs no main loop between commands: aio reports wait for a poll point
    @Test
    void aioReportWaitsForAPollPoint() throws Exception {
        ShellHarness h = new ShellHarness(dir);
        h.run("aio_write 0 512", "length", "sleep 1", "length");
        assertThat(h.outMasked()).isEqualTo("1 MiB\nwrote 512/512 bytes at offset 0\nSTATS\n1 MiB\n");
    }

    @Test
    void noFileOpenAfterClose() throws Exception {
        ShellHarness h = new ShellHarness(dir);
        assertThat(h.run("close", "read 0 1", "sleep 0", "help flush")).isEqualTo(1);
        assertThat(h.err()).isEqualTo("no file open, try 'help open'\n");
        assertThat(h.out()).isEqualTo("flush -- flush all in-core file state to disk\n");
    }

    @Test
    void readOnlyRejectsWritingCommands() throws Exception {
        ShellHarness h = new ShellHarness(dir, true);
        assertThat(h.run("write 0 1", "discard 0 512", "read -q 0 1")).isEqualTo(1);
        assertThat(h.err()).isEqualTo("qemu-io: Block node is read-only\nqemu-io: Block node is read-only\n");
    }

    @Test
    void writeOptionConflictsUseQemuTexts() throws Exception {
        ShellHarness h = new ShellHarness(dir);
        h.run("write -u 0 1", "write -n -u 0 1", "write -z -P 1 0 1", "write -b -z 0 1", "write -f -b 0 1",
                "aio_write -z 0 512 512", "write -b 0 512", "read 0 3G");
        assertThat(h.out()).isEqualTo("""
                -u requires -z to be specified
                -n requires -z to be specified
                Only one of -z, -P, and -s can be specified at the same time
                -b and -z cannot be specified at the same time
                -f and -b or -c cannot be specified at the same time
                -z supports only a single length parameter
                write failed: Operation not supported
                length cannot exceed 2147483136, given 3G
                """);
    }

    @Test
    void breakpointsWithoutBlkdebugAreNotSupported() throws Exception {
        ShellHarness h = new ShellHarness(dir);
        assertThat(h.run("break write_aio A", "resume A", "remove_break A")).isEqualTo(1);
        assertThat(h.out()).isEqualTo("""
                Could not set breakpoint: Operation not supported
                Could not resume request: Operation not supported
                Could not remove breakpoint A: Operation not supported
                """);
    }

    @Test
    void sleepRejectsNonNumbers() throws Exception {
        ShellHarness h = new ShellHarness(dir);
        assertThat(h.run("sleep abc", "sleep -1", "sleep 1k", "sleep 0x1")).isEqualTo(1);
        assertThat(h.out()).isEqualTo("abc is not a valid number\n-1 is not a valid number\n1k is not a valid number\n");
    }

    @Test
    void quitStopsTheScript() throws Exception {
        ShellHarness h = new ShellHarness(dir);
        assertThat(h.run("quit", "frobnicate")).isZero();
        assertThat(h.err()).isEmpty();
    }

    @Test
    void breaklineSplitsOnSingleSpacesOnly() {
        assertThat(Shell.breakline("  read  0\t1 ")).containsExactly("read", "0\t1");
    }
}
