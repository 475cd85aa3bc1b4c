package org.blkdebug.junit.example;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.blkdebug.engine.crash.CrashStates;
import org.blkdebug.engine.nio.BlkDebugFileSystem;
import org.blkdebug.engine.nio.BlkDebugFileSystems;
import org.blkdebug.engine.nio.FileRules;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The worked example on the {@code blkdebug:} file system (docs/faults.md): a segmented log that
 * renames a new segment into place without fsyncing the directory loses acknowledged records in
 * some crash state, which crash states find and name; the same log with the directory fsync
 * survives every state, torn pages included.
 */
class SegmentedLogCrashTest {
    @TempDir
    Path tmp;

    private final List<CrashStates.Report> reports = new ArrayList<>();

    /**
     * Two segments, two records each. After every step of a rotation and after every
     * acknowledgement, each crash state (torn pages included) must recover every record
     * acknowledged so far.
     */
    private List<CrashStates.Rejection> run(boolean syncDirectory) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(syncDirectory ? "careful" : "careless"));
        List<String> acknowledged = new ArrayList<>();
        try (BlkDebugFileSystem fs = BlkDebugFileSystems.newFileSystem(dir, FileRules.of("**"))) {
            SegmentedLog.Step check = step -> {
                List<String> mustHave = List.copyOf(acknowledged);
                reports.add(fs.crashStates(CrashStates.Options.defaults().withTorn(true), (state, choice) ->
                        assertThat(SegmentedLog.recover(state))
                                .as("records recovered after %s, crash %s", step, choice)
                                .containsExactlyElementsOf(mustHave)));
            };
            try (SegmentedLog log = new SegmentedLog(fs.getPath(dir.toString()), syncDirectory, check)) {
                for (int s = 1; s <= 2; s++) {
                    log.rotate();
                    for (String r : List.of("a" + s, "b" + s)) {
                        log.append(r);
                        acknowledged.add(r);
                        check.after("appended " + r);
                    }
                }
            }
        }
        return reports.stream().flatMap(r -> r.rejected().stream()).toList();
    }

    @Test
    void renamingWithoutADirectoryFsyncLosesAcknowledgedRecordsInSomeCrashState() throws Exception {
        List<CrashStates.Rejection> found = run(false);
        assertThat(found).isNotEmpty();
        CrashStates.Rejection first = found.getFirst();
        System.out.println("the segmented log without a directory fsync loses records: " + first.replayLine()
                + "\n  " + first.reason());
        // right after a1 is acknowledged in seg-1, whose create and rename are still volatile:
        // dropping them takes the segment, and a1, away
        assertThat(first.replayLine()).isEqualTo("crash --keep none --of 2");
        assertThat(first.reason()).contains("records recovered after appended a1, crash --keep none --of 2");
    }

    @Test
    void withTheDirectoryFsyncTheLogSurvivesEveryCrashState() throws Exception {
        assertThat(run(true)).isEmpty();
        assertThat(reports.stream().mapToInt(CrashStates.Report::checked).sum())
                .as("states with volatile entries were tried, not only trivial ones").isGreaterThan(reports.size());
    }
}
