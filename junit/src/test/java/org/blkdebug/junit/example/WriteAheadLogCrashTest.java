package org.blkdebug.junit.example;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.blkdebug.engine.Device;
import org.blkdebug.engine.Event;
import org.blkdebug.engine.crash.CrashState;
import org.blkdebug.engine.crash.CrashStates;
import org.blkdebug.engine.nio.BlkDebugFileChannel;
import org.blkdebug.junit.Image;
import org.junit.jupiter.api.Test;

/**
 * The worked example of docs/faults.md: crash states find the broken variant's lost record, and
 * the correct log survives every state. Each log appends three records of 1.2 KB; at every point where a
 * crash could lose something — each force held at {@code flush_to_disk} before it reaches the
 * disk, and each acknowledgement — every state a crash could leave, torn sectors included, is
 * recovered and must hold every acknowledged record.
 */
@Image(size = 0) // an empty memory image: the logs grow it
class WriteAheadLogCrashTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final CrashStates.Options EVERY_STATE = CrashStates.Options.defaults().withTorn(true);

    /** One append, as each log does it. */
    @FunctionalInterface
    interface Append {
        void append(String record) throws Exception;
    }

    /** The acknowledged records so far, and the checker of a crash state against them. */
    private final List<String> acknowledged = new ArrayList<>();
    private final List<CrashStates.Report> reports = new ArrayList<>();

    private void everyCrashStateKeepsTheAcknowledgedRecords(Device dev) throws Exception {
        List<String> mustHave = List.copyOf(acknowledged);
        reports.add(dev.crashStates(EVERY_STATE, state -> {
            List<String> recovered = recover(state);
            assertThat(recovered.subList(0, Math.min(recovered.size(), mustHave.size())))
                    .as("acknowledged records recovered after %s", state).isEqualTo(mustHave);
        }));
    }

    private static List<String> recover(CrashState state) throws Exception {
        try (Device d = state.open(); FileChannel ch = BlkDebugFileChannel.open(d, StandardOpenOption.READ)) {
            return WriteAheadLog.recover(ch).records();
        }
    }

    /** Appends the three records, checking every crash state at each force and after each ack. */
    private void run(Device dev, Append log) throws Exception {
        for (String name : List.of("alpha", "beta", "gamma")) {
            String record = name + ".".repeat(1200); // a few sectors each, so that torn states abound
            dev.breakpoint(Event.FLUSH_TO_DISK, "force");
            CompletableFuture<Void> append = CompletableFuture.runAsync(() -> {
                try {
                    log.append(record);
                } catch (Exception e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            }, r -> Thread.ofVirtual().start(r));
            assertThat(dev.awaitSuspended("force", WAIT)).isTrue();
            everyCrashStateKeepsTheAcknowledgedRecords(dev); // the power goes before the force lands
            dev.resume("force");
            append.get(10, TimeUnit.SECONDS);
            acknowledged.add(record);
            everyCrashStateKeepsTheAcknowledgedRecords(dev); // ... or right after the ack
        }
    }

    @Test
    void theLogSurvivesEveryCrashState(Device dev, FileChannel ch) throws Exception {
        WriteAheadLog wal = new WriteAheadLog(ch);
        run(dev, wal::append);
        assertThat(reports).allSatisfy(r -> assertThat(r.rejected()).isEmpty());
        assertThat(reports.stream().mapToInt(CrashStates.Report::checked).sum())
                .as("torn states were tried, not just one").isGreaterThan(reports.size());
    }

    @Test
    void crashStatesFindTheRecordTheHeaderFirstVariantLoses(Device dev, FileChannel ch) throws Exception {
        HeaderFirstWriteAheadLog broken = new HeaderFirstWriteAheadLog(ch);
        run(dev, broken::append);
        List<CrashStates.Rejection> found = reports.stream().flatMap(r -> r.rejected().stream()).toList();
        assertThat(found).isNotEmpty();
        CrashStates.Rejection first = found.getFirst();
        System.out.println("the header-first log loses a record: " + first.replayLine() + "\n  " + first.reason());
        // right after "alpha" is acknowledged, its payload is the one volatile write: dropping it
        // loses the record
        assertThat(first.replayLine()).isEqualTo("crash --keep none --of 1");
        assertThat(first.reason()).contains("acknowledged records recovered after crash state 1: crash --keep none --of 1");
    }
}
