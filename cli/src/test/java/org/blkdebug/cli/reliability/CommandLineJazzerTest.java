package org.blkdebug.cli.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.blkdebug.cli.Main;
import org.blkdebug.cli.report.Console;

/**
 * Coverage-guided fuzzing (Jazzer, 10 s in the test suite) of the command line and of the shell
 * commands it carries: options, filenames and {@code -c} commands made of fuzzer bytes, run
 * against a scratch image. Any exception escaping {@code Main.run}, a stack trace in the output
 * or an exit status other than 0 or 1 is a finding. Commands that end the JVM ({@code abort},
 * {@code sigraise}), write files elsewhere ({@code record}) or listen ({@code serve}) are left
 * out. Complements the seeded {@link CommandLineFuzzTest}.
 */
class CommandLineJazzerTest {
    private static final Path IMAGE = scratchImage();

    private static Path scratchImage() {
        try {
            Path p = Files.createTempFile("blkdebug-fuzz", ".img");
            p.toFile().deleteOnExit();
            try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
                f.setLength(1 << 20);
            }
            return p;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @FuzzTest(maxDuration = "10s")
    void commandLinesGetOneLineErrorsNeverExceptions(FuzzedDataProvider data) {
        List<String> args = new ArrayList<>();
        int n = data.consumeInt(0, 8);
        for (int i = 0; i < n; i++) {
            String a = data.consumeString(40);
            if (a.contains("abort") || a.contains("sigraise") || a.contains("record") || a.contains("serve")
                    || a.contains("sleep") || a.contains("wait_break")) {
                continue;
            }
            args.add(a);
        }
        if (data.consumeBoolean()) {
            args.add("blkdebug::" + IMAGE);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Console console = new Console(out, out, StandardCharsets.UTF_8);
        int status = Main.run(args.toArray(new String[0]), console, new ByteArrayInputStream(new byte[0]), false);
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(status).isIn(0, 1);
        assertThat(text).doesNotContain("\tat ").doesNotContain("Exception");
    }
}
