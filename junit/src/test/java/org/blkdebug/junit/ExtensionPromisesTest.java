package org.blkdebug.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedSuccessfully;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.blkdebug.engine.Device;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * What the extension promises about the tests it runs, checked by running small fixture test
 * classes through the JUnit Platform test kit: a scenario left half-stepped fails its test, with
 * the seed to reproduce it. The fixtures are nested static classes, which neither Surefire nor a
 * class selector of this class runs by themselves.
 */
class ExtensionPromisesTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private static Events run(Class<?> fixture) {
        return EngineTestKit.engine("junit-jupiter").selectors(selectClass(fixture)).execute().testEvents();
    }

    private static String failureText(Events events) {
        Throwable t = events.failed().stream().findFirst().orElseThrow()
                .getPayload(TestExecutionResult.class).orElseThrow().getThrowable().orElseThrow();
        StringBuilder out = new StringBuilder(String.valueOf(t.getMessage()));
        Arrays.stream(t.getSuppressed()).forEach(s -> out.append('\n').append(s.getMessage()));
        return out.toString();
    }

    static class LeavesARequestSuspended {
        @Test
        @Breakpoint(event = "write_aio", tag = "A")
        void writesAndNeverResumes(Device dev, Random random) throws Exception {
            dev.writeAsync(512, new ByteBuffer[] {ByteBuffer.allocate(512)}, null);
            assertThat(dev.awaitSuspended("A", WAIT)).isTrue();
            random.nextInt();
        }
    }

    @Test
    void requestLeftSuspendedFailsTheTestWithTheSeedToReproduceIt() {
        Events events = run(LeavesARequestSuspended.class);
        events.assertThatEvents().haveExactly(1, event(test("writesAndNeverResumes"),
                finishedWithFailure(instanceOf(AssertionError.class),
                        message(m -> m.contains("a write request (offset 512, 512 bytes) suspended at breakpoint 'A'")))));
        assertThat(failureText(events)).containsPattern("reproduce with -Dtests\\.seed=0x[0-9a-f]+");
    }

    static class NeverHitsItsBreakpoint {
        @Test
        @Breakpoint(event = "flush_to_disk", tag = "F")
        void neverFlushes(Device dev) {
            assertThat(dev.isSuspended("F")).isFalse();
        }
    }

    @Test
    void breakpointNeverHitFailsTheTest() {
        run(NeverHitsItsBreakpoint.class).assertThatEvents().haveExactly(1, event(test("neverFlushes"),
                finishedWithFailure(message(m -> m.contains("breakpoint 'F' on flush_to_disk never hit")))));
    }

    @Image(verifyBreakpoints = false)
    static class OptsOut extends LeavesARequestSuspended {
    }

    @Test
    void verifyBreakpointsFalseLetsSuchATestPass() {
        run(OptsOut.class).assertThatEvents().haveExactly(1, event(test("writesAndNeverResumes"), finishedSuccessfully()));
    }

    @ExtendWith(BlkDebugExtension.class) // no blkdebug annotation here to register it
    static class DrawsFromItsRandom {
        static volatile long first;

        @Test
        void draws(Random random) {
            first = random.nextLong();
        }
    }

    @Test
    void seedWithTheTopBitSetReproducesTheRandom() {
        long seed = 0x8000000000000001L;
        String before = System.getProperty(Seeds.PROPERTY);
        System.setProperty(Seeds.PROPERTY, Seeds.hex(seed));
        try {
            run(DrawsFromItsRandom.class).assertThatEvents().haveExactly(1, event(test("draws"), finishedSuccessfully()));
        } finally {
            if (before == null) {
                System.clearProperty(Seeds.PROPERTY);
            } else {
                System.setProperty(Seeds.PROPERTY, before);
            }
        }
        assertThat(DrawsFromItsRandom.first).isEqualTo(new Random(seed).nextLong());
    }

    static class ConfigNowhere {
        @Test
        @Config("no-such-rules.ini")
        void opens(Device dev) {
        }
    }

    @Test
    void configNotFoundSaysWhereItLooked() {
        String cwd = java.nio.file.Path.of("no-such-rules.ini").toAbsolutePath().toString();
        run(ConfigNowhere.class).assertThatEvents().haveExactly(1, event(test("opens"),
                finishedWithFailure(instanceOf(ParameterResolutionException.class), message(m ->
                        m.contains("class-path resource /org/blkdebug/junit/no-such-rules.ini") && m.contains(cwd)))));
    }
}
