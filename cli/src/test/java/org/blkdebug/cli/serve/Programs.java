package org.blkdebug.cli.serve;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Runs programs for the serve tests: our own {@code blkdebug serve} as a process, and the real ones, bounded. */
final class Programs {
    static final Duration WAIT = Duration.ofSeconds(20);

    private Programs() {
    }

    /** A 1 MiB sparse image at {@code path}. */
    static Path sparseImage(Path path) throws IOException {
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(path.toFile(), "rw")) {
            f.setLength(1 << 20);
        }
        return path;
    }

    /** Skips the test, saying why, when {@code binary} is not on the PATH. */
    static void require(String binary) {
        assumeTrue(which(binary) != null, binary + " is not installed (apt-get install "
                + (binary.startsWith("qemu") ? "qemu-utils" : "libnbd-bin") + "); skipping");
    }

    static Path which(String binary) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, binary);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /**
     * {@code blkdebug serve ARGS} the way the launcher starts it (this JVM's java and class path,
     * without the launcher's build check), as a command line for a shell or a ProcessBuilder.
     */
    static List<String> blkdebugServe(String... args) {
        List<String> c = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Djdk.virtualThreadScheduler.parallelism=1",
                "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), "org.blkdebug.cli.Main", "serve"));
        c.addAll(List.of(args));
        return c;
    }

    /** A finished program: exit status and what it printed. */
    record Result(int exit, String out, String err) {
    }

    /** A started program; its output is collected as it runs. */
    static final class Run {
        final Process process;
        private final CompletableFuture<String> out;
        private final CompletableFuture<String> err;

        Run(Process p) {
            process = p;
            out = drainOnItsOwnThread(p.getInputStream());
            err = drainOnItsOwnThread(p.getErrorStream());
            STARTED.add(p);
        }

        /** Waits for the exit, at most {@link #WAIT}; kills the program on timeout. */
        Result await() throws Exception {
            try {
                if (!process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)) {
                    throw new AssertionError("did not finish in " + WAIT.toSeconds() + " s: " + process.info());
                }
                return new Result(process.exitValue(), out.get(5, TimeUnit.SECONDS), err.get(5, TimeUnit.SECONDS));
            } finally {
                process.destroyForcibly();
            }
        }

        /** Sends a signal by name (TERM, INT) to the program. */
        void signal(String name) throws Exception {
            int rc = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start().waitFor();
            if (rc != 0) {
                throw new AssertionError("kill -" + name + " failed");
            }
        }
    }

    /** Starts {@code command} with stdin from /dev/null (a script's background job). */
    static Run start(List<String> command) throws IOException {
        return new Run(new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start());
    }

    static Result run(List<String> command) throws Exception {
        return start(command).await();
    }

    /** Runs {@code script} with /bin/sh, in {@code dir}. */
    static Result sh(Path dir, String script) throws Exception {
        return new Run(new ProcessBuilder("/bin/sh", "-c", script).directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start()).await();
    }

    /** Polls until {@code condition} holds or {@link #WAIT} passes. */
    static boolean eventually(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    /** Every program started, so a test that fails half-way leaves none running ({@link #killAll}). */
    private static final java.util.Set<Process> STARTED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** Kills whatever a test started and left running (call from {@code @AfterEach}). */
    static void killAll() {
        for (Process p : STARTED) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        STARTED.clear();
    }

    /** Not the common pool: a program that never ends must not starve the next one's readers. */
    private static CompletableFuture<String> drainOnItsOwnThread(InputStream in) {
        CompletableFuture<String> f = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                f.complete(drain(in));
            } catch (RuntimeException e) {
                f.completeExceptionally(e);
            }
        });
        return f;
    }

    private static String drain(InputStream in) {
        try (in) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
