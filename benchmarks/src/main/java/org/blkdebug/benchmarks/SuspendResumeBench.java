package org.blkdebug.benchmarks;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.blkdebug.engine.BlkDebug;
import org.blkdebug.engine.Device;
import org.blkdebug.engine.Event;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One breakpoint round trip as a test drives it: arm {@code break read_aio T}, submit a 512-byte
 * read, wait until it is suspended, resume it, wait for its completion. The plain async read
 * beside it is the same round trip without the breakpoint, so the difference is what a
 * suspension adds. The caller is JMH's platform thread, as a JUnit test's would be.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class SuspendResumeBench {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final int VT_BATCH = 100;

    private Device dev;
    private final ByteBuffer[] buf = {ByteBuffer.allocate(512)};

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        dev = BlkDebug.builder().memory(1 << 20).open();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        dev.close();
    }

    @Benchmark
    public void suspendResumeComplete() throws Exception {
        dev.breakpoint(Event.READ_AIO, "T");
        buf[0].clear();
        CompletableFuture<Void> f = dev.readAsync(0, buf, null);
        if (!dev.awaitSuspended("T", TIMEOUT)) {
            throw new IllegalStateException("not suspended");
        }
        dev.resume("T");
        f.get(5, TimeUnit.SECONDS);
    }

    /** As {@link #suspendResumeComplete}, the test driver a virtual thread; 100 round trips per invocation. */
    @Benchmark
    @OperationsPerInvocation(VT_BATCH)
    public void suspendResumeCompleteFromVirtualThread() throws Exception {
        Thread t = Thread.ofVirtual().start(() -> {
            try {
                for (int i = 0; i < VT_BATCH; i++) {
                    suspendResumeComplete();
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        t.join();
    }

    @Benchmark
    public void readWithoutBreakpoint() throws Exception {
        buf[0].clear();
        dev.readAsync(0, buf, null).get(5, TimeUnit.SECONDS);
    }
}
