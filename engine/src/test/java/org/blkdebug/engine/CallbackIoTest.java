package org.blkdebug.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.Test;

/** {@code readAsync}/{@code writeAsync} with a callback instead of a future. */
class CallbackIoTest {

    /** The errno the callback got, and the thread it ran on. */
    record Outcome(int errno, Thread thread) {
    }

    static final class Capture implements IntConsumer {
        final CompletableFuture<Outcome> outcome = new CompletableFuture<>();

        @Override
        public void accept(int errno) {
            outcome.complete(new Outcome(errno, Thread.currentThread()));
        }

        Outcome get() throws Exception {
            return outcome.get(10, TimeUnit.SECONDS);
        }
    }

    static ByteBuffer[] filled(int len, int pattern) {
        ByteBuffer b = ByteBuffer.allocate(len);
        while (b.hasRemaining()) {
            b.put((byte) pattern);
        }
        return new ByteBuffer[] {b.flip()};
    }

    @Test
    void writeThenReadReportZeroOnTheRequestsOwnVirtualThread() throws Exception {
        try (BlockDevice dev = TestDevices.stack().open()) {
            Capture w = new Capture();
            dev.writeAsync(4096, filled(512, 0x5a), null, w);
            Outcome wrote = w.get();
            assertThat(wrote.errno()).isZero();
            assertThat(wrote.thread().isVirtual()).isTrue();
            assertThat(wrote.thread()).isNotSameAs(Thread.currentThread());

            ByteBuffer dst = ByteBuffer.allocate(512);
            Capture r = new Capture();
            dev.readAsync(4096, new ByteBuffer[] {dst}, null, r);
            assertThat(r.get().errno()).isZero();
            assertThat(dst.array()).containsOnly((byte) 0x5a);
        }
    }

    @Test
    void anInjectedErrorReachesTheCallbackAsItsErrno() throws Exception {
        try (BlockDevice dev = TestDevices.stack()
                .inject(Rule.InjectError.of(Event.READ_AIO).withErrno(Errno.ENOSPC)).open()) {
            Capture r = new Capture();
            dev.readAsync(0, new ByteBuffer[] {ByteBuffer.allocate(512)}, null, r);
            assertThat(r.get().errno()).isEqualTo(Errno.ENOSPC);
        }
    }

    @Test
    void aRequestOutsideTheImageGetsEio() throws Exception {
        try (BlockDevice dev = TestDevices.stack().size(4096).open()) {
            Capture w = new Capture();
            dev.writeAsync(4096, filled(512, 1), null, w);
            assertThat(w.get().errno()).isEqualTo(Errno.EIO);
        }
    }

    @Test
    void aClosedDeviceAnswersEnomediumOnTheCallersThread() throws Exception {
        BlockDevice dev = TestDevices.stack().open();
        dev.close();
        Capture r = new Capture();
        dev.readAsync(0, new ByteBuffer[] {ByteBuffer.allocate(512)}, null, r);
        Outcome o = r.get();
        assertThat(o.errno()).isEqualTo(Errno.ENOMEDIUM);
        assertThat(o.thread()).isSameAs(Thread.currentThread());
    }

    @Test
    void aSuspendedRequestCallsBackOnlyOnceResumed() throws Exception {
        try (BlockDevice dev = TestDevices.stack().open()) {
            dev.breakpoint(Event.WRITE_AIO, "A");
            Capture w = new Capture();
            dev.writeAsync(0, filled(512, 7), "att", w);
            assertThat(dev.awaitSuspended("A", Duration.ofSeconds(10))).isTrue();
            assertThat(w.outcome).isNotDone();
            dev.resume("A");
            assertThat(w.get().errno()).isZero();
        }
    }

    @Test
    void completionReportsAreQueuedForCallbackRequestsToo() throws Exception {
        try (BlockDevice dev = TestDevices.stack().open()) {
            dev.reportCompletions(true);
            Capture w = new Capture();
            dev.writeAsync(0, filled(512, 7), "mine", w);
            w.get();
            Completion c = dev.pollCompletion();
            assertThat(c).isNotNull();
            assertThat(c.attachment()).isEqualTo("mine");
            assertThat(c.errno()).isZero();
        }
    }

    @Test
    void theDefaultMethodsAdaptAFutureBasedDevice() throws Exception {
        // a Device that only implements the future-returning methods (as a wrapper would)
        try (BlockDevice inner = TestDevices.stack()
                .inject(Rule.InjectError.of(Event.WRITE_AIO).withErrno(Errno.EROFS)).open()) {
            Device wrapper = (Device) java.lang.reflect.Proxy.newProxyInstance(Device.class.getClassLoader(),
                    new Class<?>[] {Device.class}, (proxy, m, args) -> {
                        if (m.isDefault()) {
                            return java.lang.reflect.InvocationHandler.invokeDefault(proxy, m, args);
                        }
                        return m.invoke(inner, args);
                    });
            Capture w = new Capture();
            wrapper.writeAsync(0, filled(512, 7), null, w);
            assertThat(w.get().errno()).isEqualTo(Errno.EROFS);
            Capture r = new Capture();
            wrapper.readAsync(0, new ByteBuffer[] {ByteBuffer.allocate(512)}, null, r);
            assertThat(r.get().errno()).isEqualTo(Errno.EROFS); // the armed rule stays armed
        }
    }
}
