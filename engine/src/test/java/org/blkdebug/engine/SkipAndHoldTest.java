package org.blkdebug.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The two engine hooks explore stands on: {@code skip = N} and a breakpoint that holds every request. */
class SkipAndHoldTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private static ByteBuffer[] data(int n) {
        return new ByteBuffer[] {ByteBuffer.allocate(n)};
    }

    /** Which of n writes fail under a rule; true = failed. */
    private static List<Boolean> writes(Rule.InjectError rule, int n) throws Exception {
        List<Boolean> failed = new ArrayList<>();
        try (Device dev = TestDevices.stack().inject(rule).open()) {
            for (int i = 0; i < n; i++) {
                try {
                    dev.write(i * 512L, ByteBuffer.allocate(512));
                    failed.add(false);
                } catch (BlockException e) {
                    failed.add(true);
                }
            }
        }
        return failed;
    }

    @Test
    void skipLetsThatManyMatchingRequestsPassThenFires() throws Exception {
        Rule.InjectError r = Rule.InjectError.of(Event.NONE).withIoType(IoType.WRITE).withOnce(true).withSkip(2);
        assertThat(writes(r, 5)).containsExactly(false, false, true, false, false);
    }

    @Test
    void withoutOnceEveryMatchAfterTheSkippedOnesFails() throws Exception {
        Rule.InjectError r = Rule.InjectError.of(Event.NONE).withIoType(IoType.WRITE).withSkip(3);
        assertThat(writes(r, 5)).containsExactly(false, false, false, true, true);
    }

    @Test
    void skipCountsAcrossArmings() throws Exception {
        // write_aio arms the rule anew for every write: the count must not restart with it
        Rule.InjectError r = Rule.InjectError.of(Event.WRITE_AIO).withOnce(true).withSkip(1);
        assertThat(writes(r, 3)).containsExactly(false, true, false);
    }

    @Test
    void requestsTheRuleDoesNotMatchAreNotCounted() throws Exception {
        Rule.InjectError r = Rule.InjectError.of(Event.NONE).withIoType(IoType.WRITE).withOnce(true).withSkip(1);
        try (Device dev = TestDevices.stack().inject(r).open()) {
            dev.read(0, ByteBuffer.allocate(512));
            dev.read(0, ByteBuffer.allocate(512));
            dev.write(0, ByteBuffer.allocate(512));
            assertThatThrownBy(() -> dev.write(0, ByteBuffer.allocate(512))).isInstanceOf(BlockException.class);
        }
    }

    @Test
    void listenerIsToldWhichRequestARuleFailed() throws Exception {
        List<String> told = new ArrayList<>();
        Rule.InjectError r = Rule.InjectError.of(Event.NONE).withOnce(true).withSkip(1);
        TestDevices t = TestDevices.stack().inject(r);
        try (BlockDevice dev = t.open()) {
            dev.setListener(new BlkDebugListener() {
                @Override
                public void injected(Rule.InjectError rule, IoType type, long offset, long bytes) {
                    told.add((rule == r) + " " + type + " " + offset + "+" + bytes);
                }
            });
            dev.write(0, ByteBuffer.allocate(512));
            assertThatThrownBy(() -> dev.read(4096, ByteBuffer.allocate(1024))).isInstanceOf(BlockException.class);
        }
        assertThat(told).containsExactly("true read 4096+1024");
    }

    @Test
    void holdEverySuspendsEachRequestUnderItsOwnTag() throws Exception {
        try (Device dev = TestDevices.stack().open()) {
            dev.holdEvery(Event.WRITE_AIO, "h");
            CompletableFuture<Void> a = dev.writeAsync(0, data(512), null);
            CompletableFuture<Void> b = dev.writeAsync(512, data(512), null);
            assertThat(dev.awaitQuiescence(WAIT)).isTrue();
            List<RequestInfo> held = dev.requests();
            assertThat(held).extracting(RequestInfo::phase).containsOnly(Phase.SUSPENDED);
            assertThat(held).extracting(RequestInfo::tag).containsExactly("h#" + held.get(0).id(), "h#" + held.get(1).id());
            dev.resume("h#" + held.get(1).id()); // the later one alone
            b.get(10, TimeUnit.SECONDS);
            assertThat(a).isNotDone();
            dev.removeBreakpoint("h"); // ends the hold and resumes what it held
            a.get(10, TimeUnit.SECONDS);
            dev.write(0, ByteBuffer.allocate(512)); // no longer held
        }
    }

    @Test
    void quiescenceMeansEveryEndedRequestsCallerWasTold() throws Exception {
        // explore decides "stuck" from quiescence plus an unfinished future: an ended request whose
        // future is still open at quiescence would make it release a held request too early
        try (Device dev = TestDevices.stack().open()) {
            for (int round = 0; round < 2000; round++) {
                CompletableFuture<Void> f = dev.writeAsync((round % 64) * 512L, data(512), null);
                assertThat(dev.awaitQuiescence(WAIT)).isTrue();
                assertThat(f).as("round %d", round).isDone();
            }
        }
    }
}
