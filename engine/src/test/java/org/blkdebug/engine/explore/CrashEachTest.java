package org.blkdebug.engine.explore;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.blkdebug.engine.BlkDebug;
import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.CacheMode;
import org.blkdebug.engine.Device;
import org.blkdebug.engine.block.IoVec;
import org.blkdebug.engine.block.MemoryBackend;
import org.blkdebug.engine.crash.CrashChoice;
import org.junit.jupiter.api.Test;

/** The crash-each axis: a power cut at each persistence point, and the state it leaves. */
class CrashEachTest {
    /** What the image holds after a run: the first byte of each of the 3 blocks written. */
    record Seen(Choice choice, boolean crashed, List<Integer> image) {
    }

    /** write A, flush, write B, flush, write C (then the scenario ends); each write fills a 4 KiB block. */
    private static List<Seen> sweep(Explorer ex) throws Exception {
        List<Seen> seen = new ArrayList<>();
        for (Run run; (run = ex.next()) != null; ) {
            MemoryBackend image = new MemoryBackend(1 << 20);
            Device dev = run.builder(BlkDebug.builder().backend(image, "mem").cache(CacheMode.WRITEBACK))
                    .listener(run.listener(null)).open();
            run.attach(dev);
            try {
                dev.write(0, Sweeps.bytes(4096, 'A')[0]);
                dev.flush();
                dev.write(4096, Sweeps.bytes(4096, 'B')[0]);
                dev.flush();
                dev.write(8192, Sweeps.bytes(4096, 'C')[0]);
            } catch (BlockException e) {
                // the power went: the device is gone
            }
            run.scenarioEnded();
            run.awaitCrash();
            dev.close();
            ex.done(run, false, "ok");
            if (run.counted()) {
                List<Integer> bytes = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    ByteBuffer b = ByteBuffer.allocate(1);
                    image.read(i * 4096L, IoVec.of(b));
                    bytes.add((int) b.get(0));
                }
                seen.add(new Seen(run.choice(), run.crashed(), bytes));
            }
        }
        return seen;
    }

    @Test
    void eachFlushAndTheEndIsACrashPointAndOnlyWhatWasFlushedSurvives() throws Exception {
        List<Seen> s = sweep(Explorer.builder().crashEach(CrashEach.at(CrashEach.Point.FLUSH)).build());
        assertThat(s).extracting(Seen::crashed).containsExactly(false, true, true, true);
        assertThat(s).extracting(Seen::image).containsExactly(
                List.of((int) 'A', (int) 'B', (int) 'C'), // no crash: closing flushes everything
                List.of(0, 0, 0),                        // at the 1st flush: A was volatile
                List.of((int) 'A', 0, 0),                // at the 2nd: B was
                List.of((int) 'A', (int) 'B', 0));       // at the end: C was
        assertThat(s.get(1).choice().toString()).isEqualTo("crash:1/keep:none@1");
    }

    @Test
    void eachWriteIsACrashPointToo() throws Exception {
        List<Seen> s = sweep(Explorer.builder().crashEach(CrashEach.at(CrashEach.Point.WRITE)).build());
        assertThat(s).hasSize(5); // base, after each of 3 writes, the end
        assertThat(s.get(3).image()).isEqualTo(List.of((int) 'A', (int) 'B', 0)); // after C: C volatile
    }

    @Test
    void keepAllLosesNothingThatCompleted() throws Exception {
        List<Seen> s = sweep(Explorer.builder().crashEach(new CrashEach(CrashEach.Point.FLUSH, new CrashChoice.All())).build());
        assertThat(s.get(1).image()).isEqualTo(List.of((int) 'A', 0, 0));
        assertThat(s.get(3).image()).isEqualTo(List.of((int) 'A', (int) 'B', (int) 'C'));
    }

    @Test
    void aCrashChoiceReplaysTheSameStateAlone() throws Exception {
        Explorer ex = Explorer.builder().crashEach(new CrashEach(CrashEach.Point.FLUSH, new CrashChoice.Random(0, true)))
                .seed(42).build();
        List<Seen> all = sweep(ex);
        Seen third = all.get(3);
        List<Seen> again = sweep(Explorer.builder().crashEach(CrashEach.at(CrashEach.Point.FLUSH))
                .only(Choice.parse(third.choice().toString())).build());
        assertThat(again).singleElement().satisfies(r -> {
            assertThat(r.choice()).isEqualTo(third.choice());
            assertThat(r.image()).isEqualTo(third.image());
        });
    }

    @Test
    void failEachTimesCrashEachIsTheProduct() throws Exception {
        // fail counts 0..5 (4 requests + the close's flush): each with its own crash points
        List<Seen> s = sweep(Explorer.builder().failEach(FailEach.everyRequest())
                .crashEach(CrashEach.at(CrashEach.Point.FLUSH)).build());
        assertThat(s).extracting(x -> x.choice().fail()).contains(0L, 1L, 2L, 3L, 4L, 5L);
        assertThat(s.stream().filter(x -> x.choice().fail() == 0).count()).isEqualTo(4);
    }
}
