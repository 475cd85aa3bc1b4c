package org.blkdebug.engine.nio;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.blkdebug.engine.nio.FileChannelContract.ascii;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.blkdebug.engine.BlkDebug;
import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.Device;
import org.blkdebug.engine.Errno;
import org.blkdebug.engine.Event;
import org.blkdebug.engine.IoType;
import org.blkdebug.engine.Rule;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** What the blkdebug channel adds to the FileChannel contract: requests, rules, breakpoints. */
class BlkDebugFileChannelTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private static BlkDebugFileChannel rw(Device dev) throws Exception {
        return BlkDebugFileChannel.open(dev, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    /** A state machine that counts requests firing {@code e}: state 1 + number of requests, up to 3. */
    private static BlkDebug.Builder counting(Event e) {
        return BlkDebug.builder().memory(4096)
                .setState(new Rule.SetState(e, 1, 2))
                .setState(new Rule.SetState(e, 2, 3));
    }

    @Test
    void gatheringWriteIsOneDeviceRequest() throws Exception {
        // like writev: code that relies on a single request (one write_aio) must see just one
        try (Device dev = counting(Event.WRITE_AIO).open(); FileChannel ch = rw(dev)) {
            ch.write(new ByteBuffer[] {ascii("ab"), ascii("cd"), ascii("ef")});
            assertThat(dev.state()).isEqualTo(2);
        }
    }

    @Test
    void scatteringReadIsOneDeviceRequest() throws Exception {
        try (Device dev = counting(Event.READ_AIO).open(); FileChannel ch = rw(dev)) {
            ch.read(new ByteBuffer[] {ByteBuffer.allocate(10), ByteBuffer.allocate(10)});
            assertThat(dev.state()).isEqualTo(2);
        }
    }

    @Test
    void emptyTransferMakesNoRequest() throws Exception {
        try (Device dev = counting(Event.WRITE_AIO).open(); FileChannel ch = rw(dev)) {
            ch.write(ByteBuffer.allocate(0));
            assertThat(dev.state()).isEqualTo(1);
        }
    }

    @Test
    void injectedErrnoSurfacesAsBlockExceptionWithItsText() throws Exception {
        // the errno reaches the caller unchanged, so a test can assert on the number or the text
        try (Device dev = BlkDebug.builder().memory(4096)
                .injectError(Rule.InjectError.of(Event.WRITE_AIO).withErrno(Errno.ENOSPC).withOnce(true)).open();
             FileChannel ch = rw(dev)) {
            assertThatThrownBy(() -> ch.write(ascii("abc")))
                    .isInstanceOfSatisfying(BlockException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOSPC))
                    .hasMessage("No space left on device");
            assertThat(ch.position()).as("a failed write does not move the position").isZero();
            assertThat(ch.write(ascii("abc"))).as("once: the next write passes").isEqualTo(3);
        }
    }

    @Test
    void forceIsADeviceFlushThatRulesCanFail() throws Exception {
        try (Device dev = BlkDebug.builder().memory(4096)
                .injectError(Rule.InjectError.of(Event.FLUSH_TO_DISK).withIoType(IoType.FLUSH).withOnce(true)).open();
             FileChannel ch = rw(dev)) {
            ch.force(false); // nothing written yet: flush_to_disk does not fire
            ch.write(ascii("x"));
            assertThatThrownBy(() -> ch.force(true)).isInstanceOf(BlockException.class)
                    .hasMessage("Input/output error");
            ch.force(true);
        }
    }

    @Test
    void writePastTheEndGrowsTheDevice() throws Exception {
        try (Device dev = BlkDebug.builder().memory(0).open(); FileChannel ch = rw(dev)) {
            ch.write(ascii("tail"), 4096);
            assertThat(dev.length()).isEqualTo(4100);
        }
    }

    @Test
    void positionalWritesOnTwoThreadsRaceAtBreakpoints() throws Exception {
        // positional writes hold no channel lock, so two can be suspended at once and resumed in any order
        try (Device dev = BlkDebug.builder().memory(0).open(); FileChannel ch = rw(dev)) {
            dev.breakpoint(Event.WRITE_AIO, "A");
            CompletableFuture<Integer> first = async(() -> ch.write(ascii("first"), 0));
            assertThat(dev.awaitSuspended("A", WAIT)).isTrue();
            dev.breakpoint(Event.WRITE_AIO, "B");
            CompletableFuture<Integer> second = async(() -> ch.write(ascii("second"), 5));
            assertThat(dev.awaitSuspended("B", WAIT)).isTrue();
            dev.resume("B");
            assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo(6);
            assertThat(FileChannelContract.read(ch, 0, 11)).isEqualTo("\0\0\0\0\0second");
            dev.resume("A");
            assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(5);
            assertThat(FileChannelContract.read(ch, 0, 11)).isEqualTo("firstsecond");
        }
    }

    @Test
    void interruptWhileSuspendedClosesTheChannel() throws Exception {
        // the JDK's rule: an interrupted channel operation closes the channel
        try (Device dev = BlkDebug.builder().memory(4096).open()) {
            FileChannel ch = rw(dev);
            dev.breakpoint(Event.WRITE_AIO, "A");
            CompletableFuture<Thread> runner = new CompletableFuture<>();
            CompletableFuture<Integer> write = async(() -> {
                runner.complete(Thread.currentThread());
                return ch.write(ascii("x"));
            });
            assertThat(dev.awaitSuspended("A", WAIT)).isTrue();
            runner.get(10, TimeUnit.SECONDS).interrupt();
            assertThatThrownBy(() -> write.get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).cause().isInstanceOf(ClosedByInterruptException.class);
            assertThat(ch.isOpen()).isFalse();
            dev.resume("A"); // the request itself stays in flight until resumed, as a device's would
        }
    }

    @Test
    void closingTheChannelLeavesTheDeviceOpen() throws Exception {
        try (Device dev = BlkDebug.builder().memory(4096).open()) {
            rw(dev).close();
            dev.write(0, ByteBuffer.wrap("ok".getBytes(US_ASCII)));
        }
    }

    @Test
    void mapIsUnsupportedWithAReason() throws Exception {
        try (Device dev = BlkDebug.builder().memory(4096).open(); FileChannel ch = rw(dev)) {
            assertThatThrownBy(() -> ch.map(FileChannel.MapMode.READ_ONLY, 0, 10))
                    .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("bypass");
        }
    }

    @Test
    void mapWithAnArenaIsRefusedWithTheSameReason() throws Exception {
        // Lucene's MMapDirectory calls map(mode, pos, size, Arena) (JDK 22+); the JDK's default says nothing
        Assumptions.assumeTrue(Runtime.version().feature() >= 22, "map(..., Arena) is a preview API before JDK 22");
        Class<?> arenaType = Class.forName("java.lang.foreign.Arena");
        Method map = FileChannel.class.getMethod("map", FileChannel.MapMode.class, long.class, long.class, arenaType);
        try (Device dev = BlkDebug.builder().memory(4096).open(); FileChannel ch = rw(dev);
             AutoCloseable arena = (AutoCloseable) arenaType.getMethod("ofConfined").invoke(null)) {
            assertThatThrownBy(() -> map.invoke(ch, FileChannel.MapMode.READ_ONLY, 0L, 10L, arena))
                    .isInstanceOf(InvocationTargetException.class).cause()
                    .isInstanceOf(UnsupportedOperationException.class).hasMessage(BlkDebugFileChannel.MAP_REFUSED);
        }
    }

    @Test
    void channelsOnOneDeviceFileShareLocks() throws Exception {
        // locks live with the device file, not the channel, as the JDK's table lives with the file
        try (Device dev = BlkDebug.builder().memory(4096).open()) {
            DeviceFile file = new DeviceFile(dev, new InProcessLocks());
            var opts = java.util.Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE);
            try (FileChannel a = BlkDebugFileChannel.create(file, opts, BlkDebugFileChannel.OnClose.NOTHING);
                 FileChannel b = BlkDebugFileChannel.create(file, opts, BlkDebugFileChannel.OnClose.NOTHING)) {
                a.lock(0, 100, false);
                assertThatThrownBy(() -> b.tryLock(50, 10, true))
                        .isInstanceOf(java.nio.channels.OverlappingFileLockException.class);
            }
        }
    }

    @FunctionalInterface
    interface Io<T> {
        T call() throws Exception;
    }

    /** Runs {@code io} on its own virtual thread; no executor to close if a test fails mid-way. */
    static <T> CompletableFuture<T> async(Io<T> io) {
        CompletableFuture<T> f = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                f.complete(io.call());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f;
    }
}
