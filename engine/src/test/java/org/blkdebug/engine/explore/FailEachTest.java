package org.blkdebug.engine.explore;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.List;
import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.Errno;
import org.blkdebug.engine.IoType;
import org.junit.jupiter.api.Test;

/** The fail-each axis: one run per request the rule can fail, then it stops. */
class FailEachTest {
    /** Ten writes then ten reads back; a failed write is remembered and not checked. */
    private static Sweeps.Seen tenWrites(Explorer ex) throws Exception {
        return Sweeps.sweep(ex, 1 << 20, (dev, pull) -> {
            boolean[] failed = new boolean[10];
            for (int i = 0; i < 10; i++) {
                try {
                    dev.write(i * 512L, Sweeps.bytes(512, i + 1)[0]);
                } catch (BlockException e) {
                    failed[i] = true;
                }
            }
            for (int i = 0; i < 10; i++) {
                ByteBuffer b = ByteBuffer.allocate(512);
                dev.read(i * 512L, b); // a failed read fails the run
                if (!failed[i]) {
                    assertThat(b.get(0)).isEqualTo((byte) (i + 1));
                }
            }
        });
    }

    @Test
    void onlyWritesAreFailedOneRunEachAndTheSweepStops() throws Exception {
        Sweeps.Seen s = tenWrites(Explorer.builder().failEach(FailEach.everyRequest().withIoType(IoType.WRITE)).build());
        assertThat(s.summary().runs()).isEqualTo(11); // the base run and one per write
        assertThat(s.summary().failing()).isZero();
        assertThat(s.choices()).extracting(Choice::fail).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
    }

    @Test
    void everyRequestIncludesTheReadsWhichTheScenarioCannotSurvive() throws Exception {
        Sweeps.Seen s = tenWrites(Explorer.builder().failEach(FailEach.everyRequest().withErrno(Errno.ENOSPC)).build());
        // the base run, 10 writes, 10 reads, and the flush the device makes when it closes
        assertThat(s.summary().runs()).isEqualTo(22);
        assertThat(s.summary().failing()).isEqualTo(10);
        assertThat(s.summary().failures()).extracting(f -> f.choice().fail())
                .containsExactly(11L, 12L, 13L, 14L, 15L, 16L, 17L, 18L, 19L, 20L);
        assertThat(s.summary().failures().getFirst().injected()).containsExactly("read 0+512");
        assertThat(s.summary().outcomes()).containsEntry("ok", 12L);
    }

    @Test
    void shardsDealTheRunsAndAddUpToTheWhole() throws Exception {
        long runs = 0;
        long failing = 0;
        for (int i = 0; i < 4; i++) {
            Sweeps.Seen part = tenWrites(Explorer.builder().failEach(FailEach.everyRequest()).shard(i, 4).build());
            runs += part.summary().runs();
            failing += part.summary().failing();
        }
        assertThat(runs).isEqualTo(22);
        assertThat(failing).isEqualTo(10);
    }

    @Test
    void failEachTimesOrdersIsTheProduct() throws Exception {
        // two racing writes to one block: 2 orders; 2 write checks to fail: (1 + 2) x 2
        Explorer ex = Explorer.builder().failEach(FailEach.everyRequest().withIoType(IoType.WRITE))
                .orders(Orders.at(org.blkdebug.engine.Event.WRITE_AIO)).build();
        Sweeps.Seen s = Sweeps.sweep(ex, 1 << 20, (dev, pull) -> {
            var a = dev.writeAsync(0, Sweeps.bytes(512, 1), null);
            var b = dev.writeAsync(0, Sweeps.bytes(512, 2), null);
            for (var f : List.of(a, b)) {
                try {
                    pull.await(f);
                } catch (BlockException e) {
                    // the failed one
                }
            }
        });
        assertThat(s.summary().runs()).isEqualTo(6);
    }
}
