package org.blkdebug.cli.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.blkdebug.cli.commands.CommandInfo;
import org.blkdebug.cli.commands.Commands;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random shell command lines — known commands with garbled, negative, huge or suffixed
 * arguments, unknown commands, unicode, NULs, control characters, very long words — fed to whole
 * sessions on a real blkdebug image, half through {@code -c}, half through stdin. Every session
 * must end in time, print no exception or stack trace anywhere, answer every bad line with
 * qemu-io's short error texts, and leave the device usable: a final {@code read 0 512} works.
 *
 * <p>Seeded: prints its seed; rerun with {@code -Dtests.seed=N} (surefire forks).
 * {@code abort}, {@code sigraise} (they end the JVM on purpose), {@code serve} (sockets) and
 * {@code crash-states} (it runs its words as a shell command) are not drawn; {@code sleep} and {@code wait_break} timeouts stay short, since waiting is what they
 * are asked to do.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ShellInputFuzzTest {
    private static final int SESSIONS = 250;
    private static final Duration SESSION_BOUND = Duration.ofSeconds(10);
    private static final Set<String> NOT_DRAWN = Set.of("abort", "sigraise", "serve", "record", "crash-states",
            "crash_states");
    /** After these the device may be closed or gone, so the final read proves nothing. */
    private static final Set<String> ENDS_DEVICE = Set.of("close", "c", "open", "quit", "q", "crash");
    /**
     * What stderr may hold: qemu-io's error_report lines, getopt's and dispatch's texts, our
     * warnings, and QEMU's three lines for an {@code open} without a format that probes raw (a
     * drawn {@code close}, then {@code open blkdebug::IMG}). Anything else (a Java message, a stack
     * frame) is a failure.
     */
    private static final Pattern STDERR_LINE = Pattern.compile(
            "qemu-io: .*|command \".*\" not found|no file open, try 'help open'|bad argument count .*"
                    + "|\\S+: (invalid option|option requires an argument) -- '.*'|blkdebug: warning: .*"
                    // write -s FILE: qemu-io's perror of the pattern file it cannot open
                    + "|\\S+: (No such file or directory|Permission denied|Is a directory)"
                    + "|WARNING: Image format was not specified for '.*' and probing guessed raw\\."
                    + "|         Automatically detecting the format is dangerous for raw images, write operations"
                    + " on block 0 will be restricted\\."
                    + "|         Specify the 'raw' format explicitly to remove the restrictions\\.",
            Pattern.DOTALL);

    @TempDir
    Path dir;

    @Test
    void randomCommandLinesGetShortAnswersAndLeaveTheDeviceUsable() throws IOException {
        long seed = Long.getLong("tests.seed", System.nanoTime());
        System.out.println("ShellInputFuzzTest seed: " + seed + " (rerun with -Dtests.seed=" + seed + ")");
        Garbage g = new Garbage(new Random(seed));
        List<String> names = new ArrayList<>();
        for (CommandInfo c : Commands.infos()) {
            if (!NOT_DRAWN.contains(c.name())) {
                names.add(c.name());
                if (c.altname() != null) {
                    names.add(c.altname());
                }
            }
        }
        Path image = dir.resolve("fuzz.img");
        long started = System.nanoTime();
        try (OutputWatch watch = new OutputWatch()) {
            for (int i = 0; i < SESSIONS; i++) {
                resize(image, 1 << 20);
                List<String> commands = new ArrayList<>();
                Set<String> tags = new LinkedHashSet<>(List.of("A", "B", "R"));
                int n = 1 + g.random().nextInt(5);
                for (int k = 0; k < n; k++) {
                    commands.add(commandLine(g, names, image, tags));
                }
                boolean checkDevice = commands.stream().map(c -> c.split(" ", -1)[0]).noneMatch(ENDS_DEVICE::contains);
                List<String> tail = new ArrayList<>();
                for (String t : tags) {
                    tail.add("remove_break " + t);
                }
                tail.add("truncate 1M");
                tail.add("read 0 512");
                boolean viaStdin = g.random().nextBoolean();
                String context = "seed " + seed + ", session " + i + (viaStdin ? " (stdin)" : " (-c)") + ", commands "
                        + BoundedMain.describe(commands.toArray(String[]::new));
                BoundedMain.Result r = viaStdin ? viaStdin(image, commands, tail) : viaDashC(image, commands, tail);
                check(context, r, commands.size() + tail.size(), checkDevice);
                if (!watch.stray().isEmpty() || !watch.uncaught().isEmpty()) {
                    fail(context + ": output outside the console: " + watch.stray() + " " + watch.uncaught());
                }
            }
        }
        // printed, not asserted: a time limit on 2 shared cores fails on load, not on a bug (@Timeout bounds it)
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        System.out.println("ShellInputFuzzTest: " + SESSIONS + " sessions in " + millis + " ms");
    }

    private static BoundedMain.Result viaDashC(Path image, List<String> commands, List<String> tail) {
        List<String> args = new ArrayList<>(List.of("-f", "raw"));
        for (String c : commands) {
            args.add("-c");
            args.add(c);
        }
        for (String c : tail) {
            args.add("-c");
            args.add(c);
        }
        args.add("blkdebug::" + image);
        return BoundedMain.run(SESSION_BOUND, InputStream.nullInputStream(), args.toArray(String[]::new));
    }

    private static BoundedMain.Result viaStdin(Path image, List<String> commands, List<String> tail) {
        StringBuilder script = new StringBuilder();
        for (String c : commands) {
            script.append(c).append('\n');
        }
        script.append(String.join("\n", tail)); // and no newline after the last one
        InputStream in = new ByteArrayInputStream(script.toString().getBytes(StandardCharsets.UTF_8));
        return BoundedMain.run(SESSION_BOUND, in, "-f", "raw", "blkdebug::" + image);
    }

    private static void check(String context, BoundedMain.Result r, int commands, boolean checkDevice) {
        if (r.thrown() != null) {
            fail(context + ": exception escaped Main.run", r.thrown());
        }
        String both = r.both();
        if (both.contains("Exception") || both.contains("\tat ") || both.contains("Error:")) {
            fail(context + ": stack trace or exception text in the output:\n" + BoundedMain.shorten(both));
        }
        assertThat(r.status()).as(context).isIn(0, 1);
        // lines end at '\n' only: a command name full of '\r' is still one line
        List<String> errLines = r.err().isEmpty() ? List.of() : List.of(r.err().split("\n"));
        for (String line : errLines) {
            if (!STDERR_LINE.matcher(line).matches()) {
                fail(context + ": unexpected stderr line: " + BoundedMain.shorten(line));
            }
        }
        // one error line a command, plus at most two deprecation warnings (hex numbers with a suffix)
        assertThat(errLines.size()).as(context + ": stderr lines").isLessThanOrEqualTo(commands * 3 + 1);
        if (checkDevice) {
            assertThat(r.out()).as(context + ": the final read").contains("read 512/512 bytes at offset 0\n");
        }
    }

    private static String commandLine(Garbage g, List<String> names, Path image, Set<String> tags) {
        Random rnd = g.random();
        if (rnd.nextInt(12) == 0) {
            return rnd.nextBoolean() ? g.word() + " " + g.argument() : g.longWord(100_000); // unknown or huge
        }
        String name = g.pick(names);
        List<String> words = new ArrayList<>(List.of(name));
        switch (name) {
            case "sleep" -> words.add(g.pick(List.of("0", "1", "5", "-1", "abc", "1e3", "0x5", "", "09", "5ms")));
            case "wait_break" -> {
                words.add(g.tag());
                if (rnd.nextBoolean()) {
                    words.add(g.pick(List.of("10ms", "0", "0.01", "abc", "-1s", "1x", "5msms", ".", "1..2")));
                }
            }
            case "break" -> {
                String tag = g.tag();
                tags.add(tag);
                words.add(g.event());
                words.add(tag);
                if (rnd.nextInt(6) == 0) {
                    words.add(g.argument());
                }
            }
            case "resume", "remove_break", "is_suspended" -> words.add(g.tag());
            case "open" -> {
                if (rnd.nextBoolean()) {
                    words.add(g.option());
                }
                words.add(g.pick(List.of("blkdebug::" + image, image.resolveSibling("nosuch").toString(), "json:{",
                        "json:{\"driver\":", "blkdebug:" + g.word() + ":" + image, g.word())));
            }
            default -> {
                int argc = rnd.nextInt(6);
                for (int k = 0; k < argc; k++) {
                    words.add(g.argument());
                }
            }
        }
        String sep = rnd.nextInt(10) == 0 ? "   " : " ";
        return String.join(sep, words);
    }

    private static void resize(Path image, long length) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            f.setLength(length);
        }
    }
}
