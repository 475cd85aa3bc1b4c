package com.example;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The worked examples of docs/java-api.md are test sources that this build compiles and runs; a
 * page that shows anything else than their text has rotted. Each is marked in the page with
 * {@code <!-- example: PATH -->} just before its code block.
 */
class DocsExampleTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern EXAMPLE = Pattern.compile("<!-- example: (\\S+) -->\\n```java\\n(.*?)```", Pattern.DOTALL);

    @Test
    void everyMarkedExampleIsItsSourceFileVerbatim() throws IOException {
        String page = Files.readString(ROOT.resolve("docs/java-api.md"));
        Matcher m = EXAMPLE.matcher(page);
        int examples = 0;
        while (m.find()) {
            examples++;
            assertThat(m.group(2)).as(m.group(1)).isEqualTo(Files.readString(ROOT.resolve(m.group(1))));
        }
        assertThat(examples).as("marked examples in docs/java-api.md").isPositive();
    }
}
