package org.blkdebug.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedSuccessfully;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.Device;
import org.blkdebug.engine.crash.CrashChoice;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * The JUnit door of the fault model: {@link CrashStates}, {@link Crash} with {@link AfterCrash},
 * {@link InjectDelay} on a virtual clock, and {@link InjectError#probability()} from the test's
 * seed. Fixtures run through the JUnit Platform test kit.
 */
class FaultAnnotationsTest {
    /** What the fixtures' @AfterCrash methods saw, per run. */
    static final List<String> SEEN = Collections.synchronizedList(new ArrayList<>());

    private static Events run(Class<?> fixture) {
        SEEN.clear();
        return EngineTestKit.engine("junit-jupiter").selectors(selectClass(fixture)).execute().testEvents();
    }

    static byte sector(Device d, long offset) throws BlockException {
        ByteBuffer b = ByteBuffer.allocate(1);
        d.read(offset, b);
        return b.get(0);
    }

    /** Two writes no flush covers: byte 1 at 0, byte 2 at 512. */
    static void twoUnflushedWrites(Device dev) throws Exception {
        dev.write(0, ByteBuffer.wrap(new byte[] {1}));
        dev.write(512, ByteBuffer.wrap(new byte[] {2}));
    }

    static class TwoUnflushedWrites {
        @Test
        @CrashStates
        void writes(Device dev) throws Exception {
            twoUnflushedWrites(dev);
        }

        @AfterCrash
        void eachSectorIsOldOrNew(Device crashed, CrashChoice choice) throws Exception {
            SEEN.add(sector(crashed, 0) + "" + sector(crashed, 512));
            assertThat(sector(crashed, 0)).isIn((byte) 0, (byte) 1);
        }
    }

    @Test
    void crashStatesRunsTheAfterCrashMethodsOnEveryState() {
        run(TwoUnflushedWrites.class).assertThatEvents().haveExactly(1,
                event(test("writes"), finishedSuccessfully()));
        assertThat(SEEN).containsExactlyInAnyOrder("00", "10", "02", "12");
    }

    static class SecondWithoutFirstIsABug {
        @Test
        @CrashStates
        void writes(Device dev) throws Exception {
            twoUnflushedWrites(dev);
        }

        @AfterCrash
        void secondImpliesFirst(FileChannel crashed) throws Exception {
            ByteBuffer b = ByteBuffer.allocate(513);
            crashed.read(b, 0);
            assertThat(b.get(512) == 2 && b.get(0) != 1).as("the second write without the first").isFalse();
        }
    }

    @Test
    void aRejectedStateFailsTheTestWithTheCrashThatMakesItAgain() {
        run(SecondWithoutFirstIsABug.class).assertThatEvents().haveExactly(1, event(test("writes"),
                finishedWithFailure(message(m -> m.contains("1 of 4 crash states rejected")
                        && m.contains("@Crash(\"--keep 2 --of 2\"): [the second write without the first]")))));
    }

    static class CrashKeepingTheSecondWriteOnly {
        @Test
        @Crash("--keep 2 --of 2")
        void writes(Device dev) throws Exception {
            twoUnflushedWrites(dev);
        }

        @AfterCrash
        void look(Device crashed, CrashChoice choice) throws Exception {
            SEEN.add(choice + ": " + sector(crashed, 0) + sector(crashed, 512));
        }
    }

    @Test
    void crashMakesTheNamedStateAndAfterCrashSeesIt() {
        run(CrashKeepingTheSecondWriteOnly.class).assertThatEvents().haveExactly(1,
                event(test("writes"), finishedSuccessfully()));
        assertThat(SEEN).containsExactly("--keep 2 --of 2: 02");
    }

    @Image(virtualClock = true)
    static class SlowDisk {
        @Test
        @InjectDelay(event = "flush_to_disk", delay = "10m")
        void aFlushTakesTenMinutesOfVirtualTime(Device dev) throws Exception {
            long t0 = System.nanoTime();
            dev.write(0, ByteBuffer.allocate(512));
            dev.flush();
            SEEN.add(dev.clock().nanos() + " " + (System.nanoTime() - t0 < Duration.ofSeconds(5).toNanos()));
        }
    }

    @Test
    void aDelayOnAVirtualClockTakesNoWallTime() {
        run(SlowDisk.class).assertThatEvents().haveExactly(1, event(test("aFlushTakesTenMinutesOfVirtualTime"),
                finishedSuccessfully()));
        assertThat(SEEN).containsExactly(Duration.ofMinutes(10).toNanos() + " true");
    }

    static class FlakyReads {
        @Test
        @InjectError(event = "read_aio", probability = 0.5)
        void reads(Device dev) throws Exception {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 32; i++) {
                try {
                    dev.read(0, ByteBuffer.allocate(512));
                    sb.append('.');
                } catch (BlockException e) {
                    sb.append('x');
                }
            }
            SEEN.add(sb.toString());
            assertThat(dev.seed()).isPresent();
        }
    }

    @Test
    void probabilisticRulesDrawFromTheTestsSeed() {
        String before = System.getProperty(Seeds.PROPERTY);
        try {
            System.setProperty(Seeds.PROPERTY, "0x1234");
            run(FlakyReads.class).assertThatEvents().haveExactly(1, event(test("reads"), finishedSuccessfully()));
            String first = SEEN.getFirst();
            run(FlakyReads.class);
            assertThat(SEEN).containsExactly(first);
            assertThat(first).contains("x").contains(".");
            System.setProperty(Seeds.PROPERTY, "0x4321");
            run(FlakyReads.class);
            assertThat(SEEN.getFirst()).isNotEqualTo(first);
        } finally {
            if (before == null) {
                System.clearProperty(Seeds.PROPERTY);
            } else {
                System.setProperty(Seeds.PROPERTY, before);
            }
        }
    }
}
