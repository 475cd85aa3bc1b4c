package org.blkdebug.engine.filter;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.blkdebug.engine.BlkDebug;
import org.blkdebug.engine.BlkDebugListener;
import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.Device;
import org.blkdebug.engine.Errno;
import org.blkdebug.engine.Event;
import org.blkdebug.engine.Rule;
import org.junit.jupiter.api.Test;

/** {@code probability} on inject-error and inject-delay rules: chance that replays from its seed. */
class ProbabilityTest {

    /** Which of 200 reads fail with a 30 % rule and this seed, as a list of read numbers. */
    private static List<Integer> failures(long seed) throws Exception {
        List<Integer> out = new ArrayList<>();
        try (Device dev = BlkDebug.builder().memory(1 << 20).seed(seed)
                .injectError(Rule.InjectError.of(Event.READ_AIO).withErrno(Errno.EIO).withProbability(0.3)).open()) {
            for (int i = 0; i < 200; i++) {
                try {
                    dev.read(0, ByteBuffer.allocate(512));
                } catch (BlockException e) {
                    out.add(i);
                }
            }
        }
        return out;
    }

    @Test
    void theSameSeedFailsTheSameRequests() throws Exception {
        assertThat(failures(1234)).isEqualTo(failures(1234));
    }

    @Test
    void anotherSeedFailsOtherRequestsAboutAsOften() throws Exception {
        List<Integer> a = failures(1);
        List<Integer> b = failures(2);
        assertThat(a).isNotEqualTo(b);
        assertThat(a.size()).isBetween(30, 90); // 60 expected; far outside means the draw is broken
        assertThat(b.size()).isBetween(30, 90);
    }

    @Test
    void probabilityZeroNeverAppliesAndALaterRuleDecides() throws Exception {
        try (Device dev = BlkDebug.builder().memory(1 << 20).seed(5)
                .injectError(Rule.InjectError.of(Event.READ_AIO).withErrno(Errno.EIO).withProbability(0))
                .injectError(Rule.InjectError.of(Event.READ_AIO).withErrno(Errno.ENOSPC)).open()) {
            for (int i = 0; i < 20; i++) {
                try {
                    dev.read(0, ByteBuffer.allocate(512));
                } catch (BlockException e) {
                    assertThat(e.errno()).isEqualTo(Errno.ENOSPC);
                    continue;
                }
                throw new AssertionError("read " + i + " passed");
            }
        }
    }

    @Test
    void theSeedIsReportedAtOpenOnlyWhenARuleDraws() throws Exception {
        AtomicLong printed = new AtomicLong(-1);
        BlkDebugListener l = new BlkDebugListener() {
            @Override
            public void seed(long seed) {
                printed.set(seed);
            }
        };
        try (Device dev = BlkDebug.builder().memory(4096).listener(l)
                .injectError(Rule.InjectError.of(Event.READ_AIO)).open()) {
            assertThat(printed.get()).isEqualTo(-1);
            assertThat(dev.seed()).isEmpty();
        }
        try (Device dev = BlkDebug.builder().memory(4096).listener(l)
                .injectDelay(Rule.InjectDelay.of(Event.READ_AIO, Duration.ofMillis(1)).withProbability(0.5)).open()) {
            assertThat(printed.get()).isNotNegative();
            assertThat(dev.seed()).hasValue(printed.get());
        }
    }

    @Test
    void aDelayWithAProbabilityDelaysTheSameRequestsForTheSameSeed() throws Exception {
        List<Long> runs = new ArrayList<>();
        for (int round = 0; round < 2; round++) {
            try (Device dev = BlkDebug.builder().memory(1 << 20).seed(77).virtualClock(true)
                    .injectDelay(Rule.InjectDelay.of(Event.WRITE_AIO, Duration.ofMillis(1)).withProbability(0.5))
                    .open()) {
                for (int i = 0; i < 64; i++) {
                    dev.write(0, ByteBuffer.allocate(512));
                }
                runs.add(dev.clock().nanos());
            }
        }
        assertThat(runs.get(0)).isEqualTo(runs.get(1)).isBetween(Duration.ofMillis(10).toNanos(),
                Duration.ofMillis(54).toNanos());
    }

    @Test
    void drawsDependOnlyOnSeedRuleRequestAndDrawNumber() {
        assertThat(Draws.draw(9, 1, 42, 0, 0.5)).isEqualTo(Draws.draw(9, 1, 42, 0, 0.5));
        int hits = 0;
        for (int i = 0; i < 10_000; i++) {
            hits += Draws.draw(3, 0, i, 0, 0.25) ? 1 : 0;
        }
        assertThat(hits).isBetween(2300, 2700);
    }
}
