package org.blkdebug.engine.explore;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.blkdebug.engine.Event;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The orders axis: how many release orders a sweep explores, which is what partial-order
 * reduction is for. Each scenario submits its requests at once and waits for all of them.
 */
class OrdersTest {
    private static Sweeps.Seen writes(Orders orders, int n, boolean sameBlock) throws Exception {
        return Sweeps.sweep(Explorer.builder().orders(orders).build(), 1 << 20, (dev, pull) -> {
            List<CompletableFuture<Void>> fs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                fs.add(dev.writeAsync(sameBlock ? 0 : i * 4096L, Sweeps.bytes(4096, i + 1), null));
            }
            pull.awaitAll(fs);
        });
    }

    private static long factorial(int n) {
        return n <= 1 ? 1 : n * factorial(n - 1);
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 4, 5, 6})
    void writesOnDisjointRangesExploreOneOrder(int n) throws Exception {
        Sweeps.Seen s = writes(Orders.at(Event.WRITE_AIO), n, false);
        assertThat(s.summary().runs()).isEqualTo(1);
        assertThat(s.summary().pruned()).as("skipped alternatives").isEqualTo(n * (n - 1) / 2);
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 4, 5})
    void writesOnOneBlockExploreEveryOrder(int n) throws Exception {
        Sweeps.Seen s = writes(Orders.at(Event.WRITE_AIO), n, true);
        assertThat(s.summary().runs()).isEqualTo(factorial(n));
        assertThat(new HashSet<>(s.choices())).as("each order once").hasSize((int) factorial(n));
        assertThat(s.summary().exhausted()).isTrue();
    }

    @Test
    void beyondMaxOrdersAreSampledAndSaySo() throws Exception {
        Sweeps.Seen s = writes(Orders.at(Event.WRITE_AIO).withMax(10), 6, true);
        assertThat(s.summary().exhausted()).isFalse();
        assertThat(s.summary().runs()).isBetween(11L, 20L); // 10 depth-first, then up to 10 distinct samples
        assertThat(new HashSet<>(s.choices())).hasSize((int) s.summary().runs());
    }

    @Test
    void readsCommuteWithReads() throws Exception {
        Sweeps.Seen s = Sweeps.sweep(Explorer.builder().orders(Orders.at(Event.READ_AIO)).build(), 1 << 20, (dev, pull) -> {
            List<CompletableFuture<Void>> fs = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                fs.add(dev.readAsync(0, new ByteBuffer[] {ByteBuffer.allocate(4096)}, null));
            }
            pull.awaitAll(fs);
        });
        assertThat(s.summary().runs()).isEqualTo(1);
    }

    @Test
    void aFlushConflictsWithWritesButTheyCommuteWithEachOther() throws Exception {
        // w1, w2 disjoint; the flush against each: w1<f,w2<f / f<w1,f<w2 / w1<f<w2 / w2<f<w1
        Sweeps.Seen s = Sweeps.sweep(Explorer.builder().orders(Orders.at(Event.WRITE_AIO, Event.FLUSH_TO_OS)).build(),
                1 << 20, (dev, pull) -> {
                    List<CompletableFuture<Void>> fs = new ArrayList<>();
                    fs.add(dev.writeAsync(0, Sweeps.bytes(512, 1), null));
                    fs.add(dev.writeAsync(4096, Sweeps.bytes(512, 2), null));
                    fs.add(dev.flushAsync(null));
                    pull.awaitAll(fs);
                });
        assertThat(s.summary().runs()).isEqualTo(4);
    }

    /** Two racing writes to one block; the scenario expects the second one's data to win. */
    private static final Sweeps.Body LAST_WRITE_WINS = (dev, pull) -> {
        pull.awaitAll(List.of(dev.writeAsync(0, Sweeps.bytes(512, 1), null), dev.writeAsync(0, Sweeps.bytes(512, 2), null)));
        ByteBuffer b = ByteBuffer.allocate(512);
        dev.read(0, b);
        assertThat(b.get(0)).as("last write wins").isEqualTo((byte) 2);
    };

    @Test
    void aRaceOnOneBlockIsFoundWithTheOrderThatLosesTheWrite() throws Exception {
        Sweeps.Seen s = Sweeps.sweep(Explorer.builder().orders(Orders.at(Event.WRITE_AIO)).build(), 1 << 20,
                LAST_WRITE_WINS);
        assertThat(s.summary().runs()).isEqualTo(2);
        assertThat(s.summary().failures()).singleElement().satisfies(f -> assertThat(f.choice().order()).hasSize(1));
        // the failing choice replays alone
        Choice c = s.summary().failures().getFirst().choice();
        Sweeps.Seen replay = Sweeps.sweep(Explorer.builder().orders(Orders.at(Event.WRITE_AIO)).only(c).build(),
                1 << 20, LAST_WRITE_WINS);
        assertThat(replay.summary().runs()).isEqualTo(1);
        assertThat(replay.summary().failing()).isEqualTo(1);
    }

    @Test
    void shardsSplitTheOrdersAndAddUpToTheWhole() throws Exception {
        Sweeps.Seen whole = writes(Orders.at(Event.WRITE_AIO), 4, true);
        Set<Choice> union = new HashSet<>();
        long runs = 0;
        for (int i = 0; i < 3; i++) {
            Explorer ex = Explorer.builder().orders(Orders.at(Event.WRITE_AIO)).shard(i, 3).build();
            Sweeps.Seen part = Sweeps.sweep(ex, 1 << 20, (dev, pull) -> {
                List<CompletableFuture<Void>> fs = new ArrayList<>();
                for (int j = 0; j < 4; j++) {
                    fs.add(dev.writeAsync(0, Sweeps.bytes(4096, j + 1), null));
                }
                pull.awaitAll(fs);
            });
            runs += part.summary().runs();
            union.addAll(part.choices());
        }
        assertThat(runs).isEqualTo(whole.summary().runs());
        assertThat(union).isEqualTo(new HashSet<>(whole.choices()));
    }

    @Test
    void partiallyOverlappingWritesConflictOnlyWithTheirNeighbours() throws Exception {
        // a chain 0-1-2 (1 overlaps both, 0 and 2 are disjoint): 4 orders of 6
        Sweeps.Seen s = Sweeps.sweep(Explorer.builder().orders(Orders.at(Event.WRITE_AIO)).build(), 1 << 20,
                (dev, pull) -> pull.awaitAll(List.of(dev.writeAsync(0, Sweeps.bytes(1024, 1), null),
                        dev.writeAsync(512, Sweeps.bytes(1024, 2), null),
                        dev.writeAsync(1024, Sweeps.bytes(1024, 3), null))));
        assertThat(s.summary().runs()).isEqualTo(4);
    }
}
