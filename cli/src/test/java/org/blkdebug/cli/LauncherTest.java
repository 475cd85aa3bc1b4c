package org.blkdebug.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher script itself ({@code ./blkdebug}), started with stdin closed ({@code <&-}):
 * it must read that as an empty stdin (D23). Before, the first file the JVM opened took fd 0 and
 * its bytes were read as commands: thousands of {@code command "..." not found} lines.
 *
 * <p>The script runs from a scratch checkout whose {@code blkdebug} and {@code scripts/find-jdk.sh}
 * are links to the repository's, and whose jar is a manifest naming this test's class path: the
 * real script, without its build step (during {@code ./test} the jar is not built yet, and a
 * build from inside a test would be Maven inside Maven).
 */
class LauncherTest {
    private static final long BOUND_SECONDS = 60;
    /** Runs its arguments with fd 0 closed: the shell's {@code <&-}, not a pipe nor /dev/null. */
    private static final String STDIN_CLOSED = "exec 0<&-; exec \"$@\"";

    @TempDir
    Path dir;
    private Path launcher;
    private Path image;

    private record Result(int exit, String out, String err) {
    }

    @BeforeEach
    void scratchCheckout() throws IOException {
        Path repo = repoRoot();
        Path root = Files.createDirectories(dir.resolve("checkout"));
        launcher = Files.createSymbolicLink(root.resolve("blkdebug"), repo.resolve("blkdebug"));
        Files.createSymbolicLink(Files.createDirectories(root.resolve("scripts")).resolve("find-jdk.sh"),
                repo.resolve("scripts/find-jdk.sh"));
        Path lib = Files.createDirectories(root.resolve("cli/target/lib")); // empty: the manifest names it all
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().put(Attributes.Name.CLASS_PATH,
                Stream.of(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                        .map(p -> Path.of(p).toUri().toString()).collect(Collectors.joining(" ")));
        try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(lib.resolveSibling("blkdebug-cli.jar")), m)) {
            jar.flush();
        }
        image = dir.resolve("t.img");
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(image.toFile(), "rw")) {
            f.setLength(1 << 20);
        }
    }

    @Test
    void theWrapperReallyClosesStdin() throws Exception {
        Result r = run(List.of("/bin/sh", "-c", STDIN_CLOSED, "sh",
                "/bin/sh", "-c", "if [ -e /proc/self/fd/0 ]; then echo open; else echo closed; fi"));
        assertThat(r.out()).isEqualTo("closed\n");
    }

    /** qemu-io 7.2 waits forever here (D23); ours has no command to run: one prompt, exit 0. */
    @Test
    void aShellWithStdinClosedEndsAtOnce() throws Exception {
        Result r = run(launcher(STDIN_CLOSED, "-f", "raw", image.toString()));
        assertThat(notFound(r)).as("'command ... not found' lines").isZero();
        assertThat(r.out()).isEqualTo("qemu-io> ");
        assertThat(r.exit()).as(r.err()).isZero();
    }

    /**
     * {@code blkdebug serve ... <&- &}: the closed stdin is an empty script (no command runs),
     * so the server serves its captive client and exits with its status.
     */
    @Test
    void aBackgroundedServerWithStdinClosedServes() throws Exception {
        Result r = run(launcher("\"$@\" <&- & wait $!", "serve", "-k", dir.resolve("s.sock").toString(),
                "-f", "raw", "blkdebug::" + image, "--run", "cat; echo captive ran"));
        assertThat(notFound(r)).as("'command ... not found' lines").isZero();
        assertThat(r.out()).isEqualTo("captive ran\n");
        assertThat(r.exit()).as(r.err()).isZero();
    }

    /** How many lines say a command was not found (the bytes of a file read as commands). */
    private static long notFound(Result r) {
        return Stream.of(r.out(), r.err()).flatMap(String::lines).filter(l -> l.contains("not found")).count();
    }

    /** {@code /bin/sh -c SCRIPT sh LAUNCHER ARGS}: the script runs the launcher as {@code "$@"}. */
    private List<String> launcher(String script, String... args) {
        List<String> c = new ArrayList<>(List.of("/bin/sh", "-c", script, "sh", launcher.toString()));
        c.addAll(List.of(args));
        return c;
    }

    private Result run(List<String> command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("BLKDEBUG_NO_CACHE", "1"); // no cache training run: a start costs what it costs
        pb.environment().remove("BLKDEBUG_JAVA_OPTS");
        Process p = pb.start();
        p.getOutputStream().close();
        CompletableFuture<String> out = drain(p.getInputStream());
        CompletableFuture<String> err = drain(p.getErrorStream());
        if (!p.waitFor(BOUND_SECONDS, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            fail("still running after " + BOUND_SECONDS + " s: " + command);
        }
        return new Result(p.exitValue(), out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS));
    }

    private static CompletableFuture<String> drain(InputStream in) {
        CompletableFuture<String> f = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (in) {
                f.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                f.completeExceptionally(new UncheckedIOException(e));
            }
        });
        return f;
    }

    /** The checkout: the nearest ancestor of the working directory (the cli module) with the launcher. */
    private static Path repoRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("blkdebug")) && Files.isRegularFile(p.resolve("scripts/find-jdk.sh"))) {
                return p;
            }
        }
        throw new IllegalStateException("no blkdebug launcher above " + Path.of("").toAbsolutePath());
    }
}
