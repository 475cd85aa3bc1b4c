package org.blkdebug.cli.shell;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.jline.terminal.Terminal;
import org.jline.terminal.impl.DumbTerminal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The JLine shell through a dumb terminal: commands run, history is saved, Ctrl-D leaves. */
class InteractiveShellTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void runsCommandsAndSavesHistory() throws Exception {
        ShellHarness h = new ShellHarness(dir);
        ByteArrayOutputStream screen = new ByteArrayOutputStream();
        Path history = dir.resolve("history");
        try (Terminal t = new DumbTerminal(
                new ByteArrayInputStream("frobnicate\nlength\n".getBytes(StandardCharsets.UTF_8)), screen)) {
            new InteractiveShell(h.shell, t, history).run(); // ends at end of input (Ctrl-D)
        }
        assertThat(screen.toString(StandardCharsets.UTF_8)).contains("qemu-io> ");
        assertThat(h.out()).contains("1 MiB");
        assertThat(h.err()).contains("command \"frobnicate\" not found");
        assertThat(Files.readString(history)).contains("length");
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void quitLeavesTheShell() throws Exception {
        ShellHarness h = new ShellHarness(dir);
        ByteArrayOutputStream screen = new ByteArrayOutputStream();
        try (Terminal t = new DumbTerminal(
                new ByteArrayInputStream("quit\nlength\n".getBytes(StandardCharsets.UTF_8)), screen)) {
            new InteractiveShell(h.shell, t, null).run();
        }
        assertThat(h.out()).doesNotContain("MiB");
    }
}
