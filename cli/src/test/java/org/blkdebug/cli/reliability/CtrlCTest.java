package org.blkdebug.cli.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import org.blkdebug.cli.commands.Context.OpenRequest;
import org.blkdebug.cli.report.Console;
import org.blkdebug.cli.shell.InteractiveShell;
import org.blkdebug.cli.shell.Shell;
import org.jline.terminal.Terminal;
import org.jline.terminal.impl.DumbTerminal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl-C in the interactive shell, driven through JLine: a test types into a dumb terminal and
 * raises {@code Signal.INT} on it, as the system terminal does on a real Ctrl-C. A blocking
 * command is interrupted, the shell prompts again and keeps working, a request left suspended
 * can still be resumed, and Ctrl-D still leaves cleanly.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CtrlCTest {
    private static final Duration BOUND = Duration.ofSeconds(10);
    private static final String INTERRUPTED = "interrupted; the request stays in flight (see 'requests')\n";

    @TempDir
    Path dir;
    Path image;
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();
    final ByteArrayOutputStream screen = new ByteArrayOutputStream();
    final Keyboard keyboard = new Keyboard();
    Shell shell;
    Terminal terminal;
    Thread shellThread;
    final AtomicReference<Throwable> shellFailure = new AtomicReference<>();

    @BeforeEach
    void startShell() throws IOException {
        image = dir.resolve("t.img");
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            f.setLength(1 << 20);
        }
        shell = new Shell(new Console(out, err, StandardCharsets.UTF_8), Duration.ofSeconds(5));
        assertThat(shell.openInitial(new OpenRequest("blkdebug::" + image, null, "raw", null, false), false)).isTrue();
        terminal = new DumbTerminal(keyboard, screen);
        InteractiveShell interactive = new InteractiveShell(shell, terminal, null);
        shellThread = Thread.ofPlatform().name("interactive-shell").start(() -> {
            try {
                interactive.run();
            } catch (Throwable t) {
                shellFailure.set(t);
            }
        });
    }

    @AfterEach
    void stopShell() throws Exception {
        keyboard.close();
        if (!shellThread.join(BOUND)) {
            shellThread.interrupt();
            shellThread.join(BOUND);
        }
        shell.finish();
        terminal.close();
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + BOUND.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("not within " + BOUND + ": " + what + "\nstdout so far:\n" + out() + "\nstderr:\n" + err + "\nscreen:\n" + screen
                        + "\nshell thread (" + shellThread.getState() + ", failure " + shellFailure.get() + "):\n"
                        + String.join("\n", Arrays.stream(shellThread.getStackTrace()).map(String::valueOf).toList()));
            }
            Thread.sleep(10);
        }
    }

    /** Waits until the shell's thread is inside {@code method} (a command, or JLine's readLine). */
    private void awaitShellIn(String method) throws InterruptedException {
        await("shell thread in " + method, () -> Arrays.stream(shellThread.getStackTrace())
                .anyMatch(f -> f.getMethodName().equals(method)));
    }

    private void awaitOut(String text) throws InterruptedException {
        await("stdout shows '" + text.strip() + "'", () -> out().contains(text));
    }

    /** Ctrl-D: the shell leaves; returns the exit status. */
    private int leave() throws InterruptedException {
        keyboard.close();
        if (!shellThread.join(BOUND)) {
            fail("the shell did not leave at end of input; it is in " + Arrays.toString(shellThread.getStackTrace()));
        }
        assertThat(shellFailure.get()).isNull();
        return shell.finish();
    }

    // QEMU's wait_break waits forever; Ctrl-C is the way out and must not end the session
    @Test
    void ctrlCInterruptsWaitBreakAndTheShellKeepsWorking() throws Exception {
        keyboard.type("break write_aio A\nwait_break A\n");
        awaitShellIn("waitBreak");
        terminal.raise(Terminal.Signal.INT);
        awaitOut(INTERRUPTED);
        keyboard.type("aio_write -P 0x42 0 512\nwait_break A\nresume A\naio_flush\nread -P 0x42 0 512\n");
        awaitOut("read 512/512 bytes at offset 0\n");
        assertThat(leave()).as("an interrupted command counts as failed").isEqualTo(1);
        assertThat(out()).startsWith(INTERRUPTED + "blkdebug: Suspended request 'A'\nblkdebug: Resuming request 'A'\n"
                + "wrote 512/512 bytes at offset 0\n");
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(screen.toString(StandardCharsets.UTF_8)).contains("qemu-io> ");
    }

    // a synchronous read parked at a breakpoint blocks the shell; Ctrl-C gives the prompt back and
    // the request stays suspended until a later resume releases it
    @Test
    void ctrlCInterruptsASuspendedReadAndALaterResumeStillReleasesIt() throws Exception {
        keyboard.type("write -q -P 0x5a 0 512\nbreak read_aio R\nread -P 0x5a 0 512\n");
        awaitOut("blkdebug: Suspended request 'R'\n");
        awaitShellIn("await");
        terminal.raise(Terminal.Signal.INT);
        awaitOut(INTERRUPTED);
        keyboard.type("is_suspended R\nwrite -P 0x11 4096 512\n");
        awaitOut("wrote 512/512 bytes at offset 4096\n");
        keyboard.type("resume R\nrequests\n");
        awaitOut("no requests in flight\n");
        keyboard.type("read -P 0x5a 0 512\n");
        awaitOut("read 512/512 bytes at offset 0\n");
        assertThat(leave()).isEqualTo(1);
        assertThat(out()).startsWith("blkdebug: Suspended request 'R'\n" + INTERRUPTED + "yes\n");
        assertThat(out()).contains("blkdebug: Resuming request 'R'\nno requests in flight\n");
        // nothing was left suspended for the exit to resume
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(Files.readAllBytes(image)[4096]).isEqualTo((byte) 0x11);
    }

    @Test
    void ctrlCAtThePromptOnlyStartsAFreshLine() throws Exception {
        awaitShellIn("readLine");
        terminal.raise(Terminal.Signal.INT);
        // the leading newline is there because JLine can drop the first byte typed after an
        // interrupted readLine (see ctrlCAtThePromptNeverLosesTheNextKeystroke); this test is about
        // the shell surviving, that one about the keystroke
        keyboard.type("\nlength\n");
        awaitOut("1 MiB\n");
        assertThat(leave()).as("nothing failed").isZero();
        assertThat(out()).isEqualTo("1 MiB\n");
    }

    @Test
    void twoCtrlCsInARowDuringOneCommandInterruptItOnce() throws Exception {
        keyboard.type("wait_break A\n");
        awaitShellIn("waitBreak");
        terminal.raise(Terminal.Signal.INT);
        terminal.raise(Terminal.Signal.INT);
        awaitOut(INTERRUPTED);
        // the second Ctrl-C may reach the prompt's readLine, after which JLine can drop the next
        // byte (README, known issues): an empty line first, so what is lost is nothing
        keyboard.type("\nlength\n");
        awaitOut("1 MiB\n");
        assertThat(leave()).isEqualTo(1);
        assertThat(out()).isEqualTo(INTERRUPTED + "1 MiB\n");
    }

    // Ctrl-C at the prompt must not eat what is typed next. Known failure: JLine 3.29 drops the
    // first byte read after a readLine was interrupted ("length" runs as "ength") in about one case
    // in ten; reproduced with a bare LineReader on a DumbTerminal, without this shell's handler.
    @org.junit.jupiter.api.Disabled("JLine 3.29 loses the first keystroke after an interrupted readLine; see report")
    @Test
    void ctrlCAtThePromptNeverLosesTheNextKeystroke() throws Exception {
        java.util.Random rnd = new java.util.Random(42);
        for (int i = 1; i <= 100; i++) {
            keyboard.type("length\n");
            int expected = i;
            await("length number " + i, () -> out().split("1 MiB\n", -1).length - 1 >= expected);
            if (rnd.nextBoolean()) {
                Thread.onSpinWait();
            } else {
                Thread.sleep(0, rnd.nextInt(500_000));
            }
            terminal.raise(Terminal.Signal.INT);
        }
        keyboard.type("length\n");
        await("length after the last Ctrl-C", () -> out().split("1 MiB\n", -1).length - 1 >= 101);
        leave();
        assertThat(out()).doesNotContain("interrupted");
    }
}
