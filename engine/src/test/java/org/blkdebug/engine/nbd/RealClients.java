package org.blkdebug.engine.nbd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs the real NBD clients installed on the machine (qemu-utils, libnbd-bin), with bounded waits. */
final class RealClients {
    private RealClients() {
    }

    /** Skips the test, saying why, when {@code binary} is not on the PATH. */
    static void require(String binary) {
        assumeTrue(which(binary) != null, binary + " is not installed (apt-get install "
                + (binary.startsWith("qemu") ? "qemu-utils" : binary.equals("nbdkit") ? "nbdkit" : "libnbd-bin")
                + "); skipping the real-client test");
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

    /** A started client; its output (stdout and stderr merged) is collected as it runs. */
    static final class Run {
        final Process process;
        private final List<String> command;
        private final CompletableFuture<String> output;

        Run(List<String> command, Process process) {
            this.command = command;
            this.process = process;
            this.output = CompletableFuture.supplyAsync(() -> drain(process.getInputStream()));
        }

        /** Waits at most {@code seconds} for the exit; kills the client on timeout. */
        Result await(long seconds) throws Exception {
            try {
                if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                    throw new AssertionError("client did not finish in " + seconds + " s");
                }
                Result r = new Result(process.exitValue(), output.get(5, TimeUnit.SECONDS));
                System.out.println("$ " + String.join(" ", command) + "\n" + r.output()); // for the surefire report
                return r;
            } finally {
                process.destroyForcibly();
            }
        }
    }

    record Result(int exit, String output) {
    }

    static Run start(List<String> command) throws IOException {
        return new Run(command, new ProcessBuilder(command).redirectErrorStream(true).start());
    }

    static Result run(long seconds, String... command) throws Exception {
        return start(List.of(command)).await(seconds);
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
