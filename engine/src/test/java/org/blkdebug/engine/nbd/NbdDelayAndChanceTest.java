package org.blkdebug.engine.nbd;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.blkdebug.engine.BlkDebug;
import org.blkdebug.engine.Device;
import org.blkdebug.engine.Errno;
import org.blkdebug.engine.Event;
import org.blkdebug.engine.Phase;
import org.blkdebug.engine.RequestInfo;
import org.blkdebug.engine.Rule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The NBD door of latency and chance: the server's device delays and draws for its clients. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NbdDelayAndChanceTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private static Phase phaseOf(Device dev) {
        List<RequestInfo> rs = dev.requests();
        return rs.isEmpty() ? null : rs.getFirst().phase();
    }

    @Test
    void aClientsDelayedWriteIsAnsweredWhenVirtualTimeReachesTheDelay() throws Exception {
        // Why: over NBD the client keeps real time; the server's virtual time moves only when the
        // side driving it sleeps, so a ten-minute delay is stepped through without waiting
        try (Device dev = BlkDebug.builder().memory(1 << 20).virtualClock(true)
                .injectDelay(Rule.InjectDelay.of(Event.WRITE_AIO, Duration.ofMinutes(10))).open()) {
            NbdServer server = NbdServer.start(dev, NbdServer.Options.defaults());
            try (NbdTestClient c = NbdTestClient.open(server, false)) {
                c.request(0, Protocol.CMD_WRITE, 1, 0, 512, new byte[512]);
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (phaseOf(dev) != Phase.DELAYED && System.nanoTime() < deadline) {
                    Thread.sleep(1);
                }
                assertThat(phaseOf(dev)).as("the client's write sleeps at write_aio").isEqualTo(Phase.DELAYED);
                assertThat(dev.clock().nanos()).isZero();

                dev.clock().sleep(Duration.ofMinutes(10));

                assertThat(c.reply().error()).isZero();
                assertThat(dev.clock().nanos()).isGreaterThanOrEqualTo(Duration.ofMinutes(10).toNanos());
            } finally {
                server.close();
            }
        }
    }

    /** Which of 40 writes a client sends one after another fail, with a 50 % rule and this seed. */
    private static List<Integer> failedWrites(long seed) throws Exception {
        List<Integer> failed = new ArrayList<>();
        try (Device dev = BlkDebug.builder().memory(1 << 20).seed(seed)
                .injectError(Rule.InjectError.of(Event.WRITE_AIO).withErrno(Errno.EIO).withProbability(0.5)).open()) {
            NbdServer server = NbdServer.start(dev, NbdServer.Options.defaults());
            try (NbdTestClient c = NbdTestClient.open(server, false)) {
                for (int i = 0; i < 40; i++) {
                    if (c.write(i + 1, i * 512L, new byte[512], 0).error() != 0) {
                        failed.add(i);
                    }
                }
            } finally {
                server.close();
            }
        }
        return failed;
    }

    @Test
    void aClientsRequestsFailByChanceTheSameWayForTheSameSeed() throws Exception {
        List<Integer> first = failedWrites(1234);
        assertThat(first).as("some fail, some do not").isNotEmpty().hasSizeLessThan(40);
        assertThat(failedWrites(1234)).isEqualTo(first);
        assertThat(failedWrites(4321)).as("another seed draws otherwise").isNotEqualTo(first);
    }
}
