package org.blkdebug.engine.nio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.blkdebug.engine.nio.FileChannelContract.ascii;

import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.CompletionHandler;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.blkdebug.engine.BlkDebug;
import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.Device;
import org.blkdebug.engine.Errno;
import org.blkdebug.engine.Event;
import org.blkdebug.engine.IoType;
import org.blkdebug.engine.Rule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the asynchronous channel adds: each request on its own thread, rules and breakpoints. */
class BlkDebugAsynchronousFileChannelTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private static AsynchronousFileChannel rw(Device dev) throws Exception {
        return BlkDebugAsynchronousFileChannel.open(dev, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    @Test
    void twoWritesAreSuspendedAtOnceAndResumedInAnyOrder() throws Exception {
        // the caller never blocks: each write is its own request, parked on its own thread
        try (Device dev = BlkDebug.builder().memory(4096).open(); AsynchronousFileChannel ch = rw(dev)) {
            dev.breakpoint(Event.WRITE_AIO, "A");
            Future<Integer> first = ch.write(ascii("first"), 0);
            assertThat(dev.awaitSuspended("A", WAIT)).isTrue();
            dev.breakpoint(Event.WRITE_AIO, "B");
            Future<Integer> second = ch.write(ascii("second"), 0);
            assertThat(dev.awaitSuspended("B", WAIT)).isTrue();
            dev.resume("A");
            assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(5);
            assertThat(second).isNotDone();
            dev.resume("B");
            assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo(6);
            assertThat(AsynchronousFileChannelContract.read(ch, 0, 6)).isEqualTo("second");
        }
    }

    @Test
    void injectedErrorFailsTheRequestWithItsErrno() throws Exception {
        try (Device dev = BlkDebug.builder().memory(4096)
                .injectError(Rule.InjectError.of(Event.WRITE_AIO).withErrno(Errno.ENOSPC).withOnce(true)).open();
             AsynchronousFileChannel ch = rw(dev)) {
            ByteBuffer src = ascii("x");
            assertThatThrownBy(() -> ch.write(src, 0).get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).cause()
                    .isInstanceOfSatisfying(BlockException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOSPC));
            assertThat(src.position()).as("a failed write consumes nothing").isZero();
        }
    }

    @Test
    void forceRunsTheFlushRules() throws Exception {
        try (Device dev = BlkDebug.builder().memory(4096)
                .injectError(Rule.InjectError.of(Event.FLUSH_TO_DISK).withIoType(IoType.FLUSH)).open();
             AsynchronousFileChannel ch = rw(dev)) {
            ch.write(ascii("x"), 0).get(10, TimeUnit.SECONDS);
            assertThatThrownBy(() -> ch.force(false)).isInstanceOf(BlockException.class)
                    .hasMessage("Input/output error");
        }
    }

    @Test
    void handlersRunOnTheExecutorGivenAtOpen() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor(r -> new Thread(r, "handlers"));
        try (BlkDebugFileSystem fs = BlkDebugFileSystems.newFileSystem(dir, FileRules.of("*.bin"));
             AsynchronousFileChannel ch = AsynchronousFileChannel.open(fs.getPath(dir.resolve("a.bin").toString()),
                     Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE), pool)) {
            assertThat(ch).isInstanceOf(BlkDebugAsynchronousFileChannel.class);
            CompletableFuture<Thread> handler = new CompletableFuture<>();
            ch.write(ascii("x"), 0, handler, ThreadOf.HANDLER);
            assertThat(handler.get(10, TimeUnit.SECONDS).getName()).isEqualTo("handlers");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void handlerOfAnOperationThatEndsAtOnceRunsOffTheCallersThread() throws Exception {
        // a handler that reads again must not recurse on the caller's stack
        try (Device dev = BlkDebug.builder().memory(0).open(); AsynchronousFileChannel ch = rw(dev)) {
            CompletableFuture<Thread> handler = new CompletableFuture<>();
            ch.read(ByteBuffer.allocate(1), 0, handler, ThreadOf.HANDLER);
            assertThat(handler.get(10, TimeUnit.SECONDS)).isNotSameAs(Thread.currentThread());
        }
    }

    /** Completes the attachment with the thread the handler ran on. */
    private enum ThreadOf implements CompletionHandler<Integer, CompletableFuture<Thread>> {
        HANDLER;

        @Override
        public void completed(Integer n, CompletableFuture<Thread> att) {
            att.complete(Thread.currentThread());
        }

        @Override
        public void failed(Throwable e, CompletableFuture<Thread> att) {
            att.completeExceptionally(e);
        }
    }
}
