package org.blkdebug.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.blkdebug.engine.RuleSemanticsTest.bytes;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Breakpoints, suspension and resumption: QEMU's semantics on virtual threads. */
class BreakpointTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    static ByteBuffer[] buf(int len, int pattern) {
        byte[] b = new byte[len];
        Arrays.fill(b, (byte) pattern);
        return new ByteBuffer[] {ByteBuffer.wrap(b)};
    }

    static void quiesce(Device dev) throws InterruptedException {
        assertThat(dev.awaitQuiescence(WAIT)).as("quiescence").isTrue();
    }

    @Test
    void breakpointSuspendsTheRequestUntilResumed() throws Exception {
        TestDevices s = TestDevices.stack();
        try (BlockDevice dev = s.open()) {
            dev.breakpoint("write_aio", "A");
            CompletableFuture<Void> f = dev.writeAsync(0, buf(512, 1), null);
            assertThat(dev.awaitSuspended("A", WAIT)).isTrue();
            quiesce(dev);
            assertThat(f).isNotDone();
            assertThat(dev.requests()).singleElement()
                    .satisfies(r -> {
                        assertThat(r.phase()).isEqualTo(Phase.SUSPENDED);
                        assertThat(r.tag()).isEqualTo("A");
                    });
            dev.resume("A");
            f.get(10, TimeUnit.SECONDS);
            assertThat(s.messages.lines).containsExactly(
                    "blkdebug: Suspended request 'A'", "blkdebug: Resuming request 'A'");
            assertThat(dev.isSuspended("A")).isFalse();
        }
    }

    @Test
    void breakpointIsOneShot() throws Exception {
        try (BlockDevice dev = TestDevices.stack().open()) {
            dev.breakpoint(Event.WRITE_AIO, "A");
            CompletableFuture<Void> f1 = dev.writeAsync(0, buf(512, 1), null);
            assertThat(dev.awaitSuspended("A", WAIT)).isTrue();
            dev.writeAsync(512, buf(512, 1), null).get(10, TimeUnit.SECONDS); // not suspended
            dev.resume("A");
            f1.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void unknownEventIsEnoent() throws Exception {
        try (BlockDevice dev = TestDevices.stack().open()) {
            assertThatThrownBy(() -> dev.breakpoint("pwritev_rmw.head", "A"))
                    .isInstanceOfSatisfying(BlockException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOENT));
        }
    }

    @Test
    void resumeOfATagWithNothingSuspendedIsEnoent() throws Exception {
        try (BlockDevice dev = TestDevices.stack().open()) {
            assertThatThrownBy(() -> dev.resume("nope"))
                    .isInstanceOfSatisfying(BlockException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOENT));
        }
    }

    @Test
    void resumeReleasesTheNewestSuspendedRequestOfTheTag() throws Exception {
        try (BlockDevice dev = TestDevices.stack().open()) {
            dev.breakpoint(Event.WRITE_AIO, "A");
            CompletableFuture<Void> first = dev.writeAsync(0, buf(512, 1), null);
            assertThat(dev.awaitSuspended("A", WAIT)).isTrue();
            quiesce(dev);
            dev.breakpoint(Event.WRITE_AIO, "A");
            CompletableFuture<Void> second = dev.writeAsync(512, buf(512, 2), null);
            quiesce(dev);
            dev.resume("A");
            second.get(10, TimeUnit.SECONDS);
            assertThat(first).isNotDone();
            dev.resume("A");
            first.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void twoBreakpointsOnOneEventNeedTwoResumesInAnyOrder() throws Exception {
        TestDevices s = TestDevices.stack();
        try (BlockDevice dev = s.open()) {
            dev.breakpoint(Event.WRITE_AIO, "A");
            dev.breakpoint(Event.WRITE_AIO, "B");
            CompletableFuture<Void> f = dev.writeAsync(0, buf(512, 1), null);
            quiesce(dev);
            assertThat(s.messages.lines).containsExactly(
                    "blkdebug: Suspended request 'B'", "blkdebug: Suspended request 'A'");
            dev.resume("A");
            quiesce(dev);
            assertThat(f).isNotDone();
            dev.resume("B");
            f.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void removeBreakpointResumesEveryRequestWithTheTag() throws Exception {
        try (BlockDevice dev = TestDevices.stack().open()) {
            dev.breakpoint(Event.WRITE_AIO, "A");
            CompletableFuture<Void> f1 = dev.writeAsync(0, buf(512, 1), null);
            quiesce(dev);
            dev.breakpoint(Event.WRITE_AIO, "A");
            CompletableFuture<Void> f2 = dev.writeAsync(512, buf(512, 1), null);
            quiesce(dev);
            dev.breakpoint(Event.READ_AIO, "A");
            dev.removeBreakpoint("A");
            CompletableFuture.allOf(f1, f2).get(10, TimeUnit.SECONDS);
            assertThat(dev.rules()).isEmpty();
        }
    }

    @Test
    void removeBreakpointWithOnlyASuspendedRequestSucceeds() throws Exception {
        // difference D1: QEMU 7.2 resumes it, then reports ENOENT
        try (BlockDevice dev = TestDevices.stack().open()) {
            dev.breakpoint(Event.WRITE_AIO, "A");
            CompletableFuture<Void> f = dev.writeAsync(0, buf(512, 1), null);
            quiesce(dev);
            dev.removeBreakpoint("A");
            f.get(10, TimeUnit.SECONDS);
            assertThatThrownBy(() -> dev.removeBreakpoint("A"))
                    .isInstanceOfSatisfying(BlockException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOENT));
        }
    }

    @Test
    void breakpointsNeedBlkdebug() throws Exception {
        // a plain image: QEMU answers ENOTSUP
        try (Device dev = BlkDebug.open(DeviceSpec.plain("mem"), OpenOptions.defaults(),
                new org.blkdebug.engine.block.MemoryBackend(1 << 20))) {
            assertThatThrownBy(() -> dev.breakpoint("write_aio", "A"))
                    .isInstanceOfSatisfying(BlockException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOTSUP));
            assertThat(dev.isSuspended("A")).isFalse();
        }
    }

    @Test
    void suspendedPaddedWriteMakesAnOverlappingWriteWaitUntilItIsDone() throws Exception {
        // iotest 077: a request stopped at pwritev_rmw_after_head is serialising
        try (BlockDevice dev = TestDevices.stack().align(4096).open()) {
            dev.breakpoint(Event.PWRITEV_RMW_AFTER_HEAD, "A");
            CompletableFuture<Void> a = dev.writeAsync(512, buf(512, 10), null);
            quiesce(dev);
            CompletableFuture<Void> b = dev.writeAsync(1024, buf(512, 11), null);
            quiesce(dev);
            assertThat(b).isNotDone();
            assertThat(dev.requests()).extracting(RequestInfo::phase)
                    .containsExactly(Phase.SUSPENDED, Phase.WAITING);
            dev.resume("A");
            CompletableFuture.allOf(a, b).get(10, TimeUnit.SECONDS);
            byte[] img = bytes(dev, 0, 4096);
            assertThat(img[512]).isEqualTo((byte) 10);
            assertThat(img[1024]).isEqualTo((byte) 11);
            assertThat(img[0]).isZero();
        }
    }

    @Test
    void onlyReadsOverlappingASuspendedPaddedWriteWaitForIt() throws Exception {
        // reads are not serialising: they wait for a serialising request they overlap, and only
        // for that (QEMU's bdrv_wait_serialising_requests in bdrv_aligned_preadv)
        try (BlockDevice dev = TestDevices.stack().align(4096).open()) {
            dev.breakpoint(Event.PWRITEV_RMW_AFTER_HEAD, "A");
            CompletableFuture<Void> w = dev.writeAsync(4096 + 512, buf(512, 10), null);
            quiesce(dev);
            // many tracked reads in flight, none of them serialising: ones that do not overlap
            // the write's padded block [4096, 8192) finish, ones that do wait
            List<CompletableFuture<Void>> apart = new ArrayList<>();
            List<CompletableFuture<Void>> over = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                apart.add(dev.readAsync(8192 + (i % 4) * 4096L, new ByteBuffer[] {ByteBuffer.allocate(4096)}, null));
                apart.add(dev.readAsync(0, new ByteBuffer[] {ByteBuffer.allocate(4096)}, null));
                over.add(dev.readAsync(4096, new ByteBuffer[] {ByteBuffer.allocate(512)}, null));
            }
            CompletableFuture.allOf(apart.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
            quiesce(dev);
            assertThat(over).noneMatch(CompletableFuture::isDone);
            assertThat(dev.requests()).hasSize(51);
            dev.resume("A");
            w.get(10, TimeUnit.SECONDS);
            CompletableFuture.allOf(over.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
            // the write has left the serialising list: a later overlapping read does not wait
            dev.read(4096, ByteBuffer.allocate(4096));
            assertThat(bytes(dev, 4096 + 512, 1)[0]).isEqualTo((byte) 10);
        }
    }

    @Test
    void closeResumesAndFinishesSuspendedRequests() throws Exception {
        BlockDevice dev = TestDevices.stack().open();
        dev.breakpoint(Event.WRITE_AIO, "A");
        CompletableFuture<Void> f = dev.writeAsync(0, buf(512, 1), null);
        quiesce(dev);
        dev.close();
        f.get(10, TimeUnit.SECONDS);
        assertThat(dev.requests()).isEmpty();
    }

    @Test
    void syncRequestSuspendedCanBeInterruptedAndResumedLater() throws Exception {
        try (BlockDevice dev = TestDevices.stack().open()) {
            dev.breakpoint(Event.READ_AIO, "R");
            // what the caller's read did, judged here: an assertion on the caller's thread is lost
            CompletableFuture<Object> outcome = new CompletableFuture<>();
            Thread caller = Thread.ofPlatform().start(() -> {
                try {
                    dev.read(0, ByteBuffer.allocate(512));
                    outcome.complete("returned");
                } catch (Throwable e) {
                    outcome.complete(e);
                }
            });
            assertThat(dev.awaitSuspended("R", WAIT)).isTrue();
            caller.interrupt();
            assertThat(outcome.get(10, TimeUnit.SECONDS)).as("the interrupted read")
                    .isInstanceOfSatisfying(BlockException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EINTR));
            caller.join(10_000);
            assertThat(caller.isAlive()).isFalse();
            assertThat(dev.isSuspended("R")).as("the request itself stays suspended").isTrue();
            dev.resume("R");
            quiesce(dev);
            assertThat(dev.requests()).isEmpty();
        }
    }

    @Test
    void stateIsCommittedBeforeTheRequestSuspends() throws Exception {
        try (BlockDevice dev = TestDevices.stack().setState(Event.WRITE_AIO, 1, 2).open()) {
            dev.breakpoint(Event.WRITE_AIO, "A");
            CompletableFuture<Void> f = dev.writeAsync(0, buf(512, 1), null);
            quiesce(dev);
            assertThat(dev.state()).isEqualTo(2);
            dev.resume("A");
            f.get(10, TimeUnit.SECONDS);
        }
    }
}
