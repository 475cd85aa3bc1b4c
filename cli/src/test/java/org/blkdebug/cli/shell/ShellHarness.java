package org.blkdebug.cli.shell;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.blkdebug.cli.commands.Context.OpenRequest;
import org.blkdebug.cli.report.Console;

/** A shell over a {@link FakeDevice}, with stdout and stderr captured. */
final class ShellHarness {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();
    final Console console = new Console(out, err, StandardCharsets.UTF_8);
    final FakeDevice device = new FakeDevice(1 << 20);
    final Shell shell;

    ShellHarness(Path dir) {
        this(dir, false);
    }

    ShellHarness(Path dir, boolean readOnly) {
        shell = new Shell(console, Duration.ofSeconds(5), (spec, options) -> device);
        Path image = dir.resolve("fake.img");
        try {
            Files.write(image, new byte[0]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!shell.openInitial(new OpenRequest(image.toString(), null, "raw", null, readOnly), false)) {
            throw new IllegalStateException("open failed: " + err());
        }
    }

    /** Runs the commands as {@code -c} does, then exits; returns the exit status. */
    int run(String... commands) throws InterruptedException {
        ScriptRunner.runCommands(shell, List.of(commands));
        return shell.finish();
    }

    String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    /** stdout with the statistics lines (which hold timings) replaced by a marker. */
    String outMasked() {
        return out().replaceAll("(?m)^.*, 1 ops; .*$", "STATS");
    }
}
