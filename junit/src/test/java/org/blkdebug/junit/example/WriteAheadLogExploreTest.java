package org.blkdebug.junit.example;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.blkdebug.engine.BlkDebug;
import org.blkdebug.engine.CacheMode;
import org.blkdebug.engine.Event;
import org.blkdebug.engine.IoType;
import org.blkdebug.engine.explore.Choice;
import org.blkdebug.engine.explore.CrashEach;
import org.blkdebug.engine.explore.Explorer;
import org.blkdebug.engine.explore.FailEach;
import org.blkdebug.engine.explore.Orders;
import org.blkdebug.engine.explore.Summary;
import org.blkdebug.engine.explore.Sweep;
import org.blkdebug.engine.nio.BlkDebugFileChannel;
import org.blkdebug.junit.ExploreOrders;
import org.blkdebug.junit.Image;
import org.junit.jupiter.api.Test;

/**
 * The worked example under explore (docs/explore.md): the correct log passes every run of every
 * axis; the ordering bug ({@link WriteAheadLog.Commit#ON_OWN_FORCE}) is caught by the orders axis
 * and by fail-each combined with it, and each failing run replays alone from its choice.
 */
@Image(size = 0) // an empty memory image per invocation: the log grows it
class WriteAheadLogExploreTest {
    /** Holds writes and flushes: the order of a record's write against another's force is the bug. */
    private static final Orders ORDERS = Orders.at(Event.WRITE_AIO, Event.FLUSH_TO_OS).withSettle(java.time.Duration.ofMillis(50));
    /**
     * Every order of every fail count is a long sweep on a shared 2-core machine: ./test samples one
     * order per fail count; {@code -Dexplore.full=true} explores them all (docs/explore.md has the figures).
     */
    private static final Orders FAIL_ORDERS = Boolean.getBoolean("explore.full") ? ORDERS : ORDERS.withMax(1);

    /**
     * Two appends at once; each, once acknowledged, must be recoverable at that very moment (a
     * power cut could come right then). An append that throws promises nothing.
     */
    static void twoAppendsRace(WriteAheadLog wal, FileChannel ch) throws Exception {
        CompletableFuture<Void> a = WriteAheadLogTest.async(() -> appendAndCheck(wal, ch, "rec-A"));
        CompletableFuture<Void> b = WriteAheadLogTest.async(() -> appendAndCheck(wal, ch, "rec-B"));
        for (CompletableFuture<Void> f : List.of(a, b)) {
            try {
                f.get(60, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof AssertionError ae) {
                    throw ae;
                }
                throw e;
            }
        }
    }

    private static Void appendAndCheck(WriteAheadLog wal, FileChannel ch, String payload) throws IOException {
        try {
            wal.append(payload);
        } catch (IOException | IllegalStateException e) {
            return null; // not acknowledged
        }
        assertThat(WriteAheadLog.recover(ch).records()).as("'%s' was acknowledged, so recovery has it", payload)
                .contains(payload);
        return null;
    }

    @ExploreOrders(value = {"write_aio", "flush_to_os"}, settleMillis = 50)
    void theCorrectLogKeepsEveryAcknowledgedRecordInEveryOrder(FileChannel ch) throws Exception {
        twoAppendsRace(new WriteAheadLog(ch), ch);
    }

    @org.blkdebug.junit.FailEach(iotype = "flush")
    void theCorrectLogStopsAtAFailedForceAndKeepsWhatItAcknowledged(FileChannel ch) throws Exception {
        WriteAheadLog wal = new WriteAheadLog(ch);
        List<String> acked = new java.util.ArrayList<>();
        for (String p : List.of("one", "two", "three")) {
            try {
                wal.append(p);
                acked.add(p);
            } catch (IOException | IllegalStateException e) {
                // fail-stop: nothing after it is acknowledged
            }
        }
        List<String> recovered = WriteAheadLog.recover(ch).records();
        assertThat(recovered.size()).as("recovered %s", recovered).isGreaterThanOrEqualTo(acked.size());
        assertThat(recovered.subList(0, acked.size())).as("every acknowledged record, in order").isEqualTo(acked);
    }

    // ---- power cuts ----------------------------------------------------------------------------

    /** Acknowledged by the test method, checked after the crash (same test instance). */
    private final List<String> acknowledged = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Three appends one after another; each acknowledged one is remembered. */
    private static void threeAppends(WriteAheadLog wal, List<String> acked) throws IOException {
        for (String p : List.of("one", "two", "three")) {
            wal.append(p); // throws once the power is gone: that record is not acknowledged
            acked.add(p);
        }
    }

    @org.blkdebug.junit.CrashEach(value = "flush", check = "everyAcknowledgedRecordSurvives")
    void theCorrectLogSurvivesAPowerCutAtEveryFlush(FileChannel ch) throws Exception {
        threeAppends(new WriteAheadLog(ch), acknowledged);
    }

    void everyAcknowledgedRecordSurvives(FileChannel ch) throws Exception {
        assertRecovered(ch, acknowledged);
    }

    private static void assertRecovered(FileChannel ch, List<String> acked) throws IOException {
        List<String> recovered = WriteAheadLog.recover(ch).records();
        assertThat(recovered.size()).as("recovered %s, acknowledged %s", recovered, acked)
                .isGreaterThanOrEqualTo(acked.size());
        assertThat(recovered.subList(0, acked.size())).as("every acknowledged record, in order").isEqualTo(acked);
    }

    private static Summary crashSweep(Explorer ex, WriteAheadLog.Commit commit) throws InterruptedException {
        List<String> acked = new java.util.concurrent.CopyOnWriteArrayList<>();
        return Sweep.run(ex, 0, dev -> {
            acked.clear();
            try (FileChannel ch = BlkDebugFileChannel.open(dev, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                threeAppends(new WriteAheadLog(ch, commit), acked);
            }
        }, dev -> {
            try (FileChannel ch = BlkDebugFileChannel.open(dev, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                List<String> recovered = WriteAheadLog.recover(ch).records();
                assertThat(recovered).as("acknowledged %s", acked).containsAll(acked);
            }
        });
    }

    @Test
    void theMissingForceIsCaughtByCrashEachAndItsStateReplaysAlone() throws Exception {
        CrashEach flush = CrashEach.at(CrashEach.Point.FLUSH);
        Summary s = crashSweep(Explorer.builder().crashEach(flush).build(), WriteAheadLog.Commit.WITHOUT_FORCE);
        report("crash-each flush, WITHOUT_FORCE", s);
        // no force, so the only crash point is the end: every acknowledged record was volatile
        assertThat(s.failures()).singleElement().satisfies(f -> {
            assertThat(f.choice().toString()).isEqualTo("crash:1/keep:none@3");
            assertThat(f.outcome()).contains("acknowledged [one, two, three]");
        });
        Summary again = crashSweep(Explorer.builder().crashEach(flush).only(s.failures().getFirst().choice()).build(),
                WriteAheadLog.Commit.WITHOUT_FORCE);
        assertThat(again.failing()).isEqualTo(1);
        Summary correct = crashSweep(Explorer.builder().crashEach(flush).build(), WriteAheadLog.Commit.IN_ORDER);
        report("crash-each flush, IN_ORDER", correct);
        assertThat(correct.failing()).as(correct.failures().toString()).isZero();
        assertThat(correct.runs()).as("base, three forces, the end").isEqualTo(5);
    }

    /** The sweep's last line and its failing choices, in the test's output (the figures of docs/explore.md). */
    private static void report(String what, Summary s) {
        System.out.println("WriteAheadLogExploreTest " + what + ": " + s.line() + " "
                + s.failures().stream().map(f -> f.choice().toString()).toList());
    }

    private static Summary sweep(Explorer ex, WriteAheadLog.Commit commit) throws InterruptedException {
        return Sweep.run(ex, () -> BlkDebug.builder().memory(0).cache(CacheMode.WRITEBACK), dev -> {
            try (FileChannel ch = BlkDebugFileChannel.open(dev, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                twoAppendsRace(new WriteAheadLog(ch, commit), ch);
            }
        });
    }

    @Test
    void theOrderingBugIsCaughtByTheOrdersAxisAndItsReplayFailsAlone() throws Exception {
        Summary s = sweep(Explorer.builder().orders(ORDERS).build(), WriteAheadLog.Commit.ON_OWN_FORCE);
        report("orders, ON_OWN_FORCE", s);
        assertThat(s.failing()).as(s.line()).isPositive();
        Choice c = s.failures().getFirst().choice();
        assertThat(c.order()).isNotEmpty();
        assertThat(s.failures().getFirst().outcome()).contains("was acknowledged, so recovery has it");
        Summary again = sweep(Explorer.builder().orders(ORDERS).only(c).build(), WriteAheadLog.Commit.ON_OWN_FORCE);
        assertThat(again.failing()).as("replay of " + c).isEqualTo(1);
    }

    @Test
    void theOrderingBugIsCaughtByFailEachInTheDefaultOrder() throws Exception {
        // a failed write of the first record leaves a hole the second one's acknowledgment ignores
        Explorer ex = Explorer.builder().failEach(FailEach.everyRequest().withIoType(IoType.WRITE)).orders(FAIL_ORDERS)
                .build();
        Summary s = sweep(ex, WriteAheadLog.Commit.ON_OWN_FORCE);
        report("fail-each write x orders, ON_OWN_FORCE", s);
        assertThat(s.failures()).anySatisfy(f -> {
            assertThat(f.choice().fail()).isPositive();
            assertThat(f.choice().order()).as("found without reordering").isEmpty();
        });
    }

    @Test
    void theCorrectLogPassesTheSameSweeps() throws Exception {
        Explorer ex = Explorer.builder().failEach(FailEach.everyRequest().withIoType(IoType.WRITE)).orders(FAIL_ORDERS)
                .build();
        Summary s = sweep(ex, WriteAheadLog.Commit.IN_ORDER);
        report("fail-each write x orders, IN_ORDER", s);
        assertThat(s.failing()).as(s.failures().toString()).isZero();
        assertThat(s.runs()).isGreaterThan(3);
    }
}
