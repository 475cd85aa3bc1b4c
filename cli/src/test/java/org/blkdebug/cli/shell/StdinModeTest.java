package org.blkdebug.cli.shell;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.StringReader;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Scripted replay from a non-terminal stdin: qemu-io prints a prompt before every read. */
class StdinModeTest {
    @TempDir
    Path dir;

    @Test
    void promptsBeforeEachLineAndLeavesTheLastOne() throws Exception {
        ShellHarness h = new ShellHarness(dir);
        ScriptRunner.runStdin(h.shell, new BufferedReader(new StringReader("length\n\nfoo\n")));
        assertThat(h.shell.finish()).isEqualTo(1);
        assertThat(h.out()).isEqualTo("qemu-io> 1 MiB\nqemu-io> qemu-io> qemu-io> ");
        assertThat(h.err()).isEqualTo("command \"foo\" not found\n");
    }

    @Test
    void lastLineWithoutNewlineStillRuns() throws Exception {
        ShellHarness h = new ShellHarness(dir);
        ScriptRunner.runStdin(h.shell, new BufferedReader(new StringReader("length")));
        h.shell.finish();
        assertThat(h.out()).isEqualTo("qemu-io> 1 MiB\nqemu-io> ");
    }

    // stdin mode runs one loop turn before each command: fast failures print after the next prompt
    @Test
    void fastAioFailurePrintsAfterNextPrompt() throws Exception {
        ShellHarness h = new ShellHarness(dir);
        h.device.failAt = 0;
        ScriptRunner.runStdin(h.shell, new BufferedReader(new StringReader("aio_write 0 512\nlength\n")));
        h.shell.finish();
        assertThat(h.out()).isEqualTo("qemu-io> qemu-io> aio_write failed: Input/output error\n1 MiB\nqemu-io> ");
    }

    @Test
    void quitEndsTheSessionWithoutAnotherPrompt() throws Exception {
        ShellHarness h = new ShellHarness(dir);
        ScriptRunner.runStdin(h.shell, new BufferedReader(new StringReader("quit\nlength\n")));
        assertThat(h.shell.finish()).isZero();
        assertThat(h.out()).isEqualTo("qemu-io> ");
    }
}
