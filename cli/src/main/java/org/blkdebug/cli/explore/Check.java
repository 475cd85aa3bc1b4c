package org.blkdebug.cli.explore;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.blkdebug.engine.block.OverlayBackend;

/**
 * {@code --check 'CMD {}'}: after a run, the image as the run left it is written to a file and
 * CMD runs on it through {@code sh -c}; {@code {}} becomes the file's (quoted) path. Its exit
 * status judges the run; its first line of output names the outcome.
 */
final class Check implements AutoCloseable {
    /** A check that does not end is a failing check, not a hung sweep. */
    private static final long TIMEOUT_SECONDS = 300;

    record Result(int status, String firstLine) {
        boolean ok() {
            return status == 0;
        }

        String label() {
            String verdict = status == 0 ? "check ok" : status < 0 ? "check timed out" : "check exit " + status;
            return firstLine == null ? verdict : verdict + ": " + firstLine;
        }
    }

    private final String command;
    private final Path dir;
    private final Path state;
    private final Path output;

    Check(String command) throws IOException {
        this.command = command;
        this.dir = Files.createTempDirectory("blkdebug-explore-");
        this.state = dir.resolve("state.img");
        this.output = dir.resolve("check.out");
    }

    Result run(OverlayBackend image) throws IOException, InterruptedException {
        if (image == null) {
            return new Result(1, "the scenario never opened its image");
        }
        try (FileChannel ch = FileChannel.open(state, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            image.copyTo(ch);
        }
        String cmd = command.replace("{}", Replays.quote(state.toString()));
        Process p = new ProcessBuilder(List.of("sh", "-c", cmd)).redirectErrorStream(true)
                .redirectOutput(output.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            return new Result(-1, null);
        }
        String first;
        try (var lines = Files.lines(output, StandardCharsets.UTF_8)) {
            first = lines.map(String::strip).filter(l -> !l.isEmpty()).findFirst().orElse(null);
        } catch (java.io.UncheckedIOException e) {
            first = null; // not text: the status still judges
        }
        return new Result(p.exitValue(), first);
    }

    @Override
    public void close() throws IOException {
        Files.deleteIfExists(state);
        Files.deleteIfExists(output);
        Files.deleteIfExists(dir);
    }
}
