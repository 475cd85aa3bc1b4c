package org.blkdebug.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's fast exit (-Dblkdebug.halt=true: Runtime.halt instead of System.exit, see
 * Main.exit) ends a session exactly as System.exit does: every line printed, in order, on stdout
 * and stderr, and the same exit status.
 */
class HaltedExitTest {
    @TempDir
    Path dir;

    private record Result(int status, String out, String err) {
    }

    private Result run(boolean halt, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-Dblkdebug.halt=" + halt,
                "-cp", System.getProperty("java.class.path"), "org.blkdebug.cli.Main"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return e.toString();
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("session ended").isTrue();
        return new Result(p.exitValue(), out, err.join());
    }

    private String image() throws IOException {
        Path img = dir.resolve("t.img");
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
            f.setLength(1 << 20);
        }
        return "blkdebug::" + img;
    }

    @Test
    void aSuccessfulScriptPrintsAllAndExitsZero() throws Exception {
        String img = image();
        String[] args = {"-f", "raw", "-c", "write -P 7 0 4k", "-c", "read -C -P 7 0 4k", "-c", "length", img};
        Result halted = run(true, args);
        Result exited = run(false, args);
        assertThat(halted.status()).isZero();
        assertThat(halted.out()).startsWith("wrote 4096/4096 bytes at offset 0\n").contains("\n4096,1,").endsWith("\n1 MiB\n");
        assertThat(halted.out().lines().count()).isEqualTo(exited.out().lines().count()).isEqualTo(4);
        assertThat(halted.err()).isEqualTo(exited.err()).isEmpty();
    }

    @Test
    void aFailedCommandExitsOneWithItsMessageOnStderr() throws Exception {
        String img = image();
        String[] args = {"-f", "raw", "-c", "read -P 1 0 512", "-c", "write 0 512", img};
        Result halted = run(true, args);
        Result exited = run(false, args);
        assertThat(halted.status()).isEqualTo(exited.status()).isEqualTo(1);
        assertThat(halted.out()).contains("Pattern verification failed at offset 0, 512 bytes")
                .contains("wrote 512/512 bytes at offset 0");
        assertThat(halted.out().lines().count()).isEqualTo(exited.out().lines().count());
        assertThat(halted.err()).isEqualTo(exited.err());
    }

    @Test
    void aBadOptionExitsOneWithUsage() throws Exception {
        Result halted = run(true, "-f", "raw", "--no-such-option", image());
        Result exited = run(false, "-f", "raw", "--no-such-option", image());
        assertThat(halted.status()).isEqualTo(exited.status()).isEqualTo(1);
        assertThat(halted.err()).isEqualTo(exited.err()).isNotEmpty();
        assertThat(halted.out()).isEqualTo(exited.out());
    }
}
