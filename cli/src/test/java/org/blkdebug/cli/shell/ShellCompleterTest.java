package org.blkdebug.cli.shell;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.jline.reader.Candidate;
import org.jline.reader.Parser;
import org.jline.reader.impl.DefaultParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tab completion of command names, events and tags. */
class ShellCompleterTest {
    @TempDir
    Path dir;

    private static List<String> complete(Shell shell, String line) {
        List<Candidate> out = new ArrayList<>();
        new ShellCompleter(shell).complete(null, new DefaultParser().parse(line, line.length(), Parser.ParseContext.COMPLETE), out);
        return out.stream().map(Candidate::value).toList();
    }

    @Test
    void commandNamesIncludeTheDesignNames() {
        ShellHarness h = new ShellHarness(dir);
        assertThat(complete(h.shell, "")).contains("break", "breakpoint", "remove_break", "remove-breakpoint",
                "is_suspended", "is-suspended", "resume");
    }

    @Test
    void eventsCompleteAfterBreakpointAsAfterBreak() {
        ShellHarness h = new ShellHarness(dir);
        assertThat(complete(h.shell, "breakpoint ")).contains("write_aio", "flush_to_disk")
                .isEqualTo(complete(h.shell, "break "));
    }
}
