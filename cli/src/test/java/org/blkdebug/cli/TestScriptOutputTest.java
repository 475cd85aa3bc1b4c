package org.blkdebug.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** ./test's output filter (scripts/mvn-output.sed): what reaches a log file is plain text. */
class TestScriptOutputTest {
    private static Path repoRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("scripts/mvn-output.sed"))) {
                return p;
            }
        }
        throw new IllegalStateException("scripts/mvn-output.sed not found above " + Path.of("").toAbsolutePath());
    }

    private static String filter(String input) throws Exception {
        Process p = new ProcessBuilder("sed", "-u", "-E", "-f", repoRoot().resolve("scripts/mvn-output.sed").toString())
                .redirectErrorStream(true).start();
        p.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    // Maven 3.8 writes ESC[0m resets even with -B; ./test's summary line follows them on the same line
    @Test
    void colourResetsBeforeTheSummaryAreDropped() throws Exception {
        assertThat(filter("\u001b[0m\u001b[0m\u001b[0m\u001b[0m")).isEmpty();
        assertThat(filter("\u001b[1;31m[ERROR]\u001b[m Tests run: 3, Failures: 1\n"))
                .isEqualTo("[ERROR] Tests run: 3, Failures: 1\n");
    }

    @Test
    void fuzzerChatterIsDroppedAndFailuresKept() throws Exception {
        assertThat(filter("INFO: Loaded 1 hooks\n#1234\tNEW cov: 3\nMS: 1 Custom-\n[ERROR] Tests run: 1, Failures: 1\n"))
                .isEqualTo("[ERROR] Tests run: 1, Failures: 1\n");
    }
}
