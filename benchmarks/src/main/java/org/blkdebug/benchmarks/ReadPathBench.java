package org.blkdebug.benchmarks;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.blkdebug.engine.BlkDebug;
import org.blkdebug.engine.BlkDebugListener;
import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.Device;
import org.blkdebug.engine.Operation;
import org.blkdebug.engine.block.BlkDebugNode;
import org.blkdebug.engine.block.BlockIo;
import org.blkdebug.engine.block.FileNode;
import org.blkdebug.engine.block.IoVec;
import org.blkdebug.engine.block.Limits;
import org.blkdebug.engine.block.MemoryBackend;
import org.blkdebug.engine.block.RawNode;
import org.blkdebug.engine.filter.BlkDebugRules;
import org.blkdebug.engine.request.Request;
import org.blkdebug.engine.request.RequestTracker;
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
 * A 4 KiB read three ways, over the same kind of {@link MemoryBackend} (1 MiB, written first so
 * reads copy bytes rather than fill zeroes):
 * <ul>
 *   <li>{@code device}: {@link Device#read} — the whole stack, on the request's own virtual thread,
 *       the caller (a platform thread) waiting for it; {@code deviceFromVirtualThread}: the same
 *       with a virtual-thread caller;</li>
 *   <li>{@code stackInline}: the same node stack (raw → blkdebug → file) run on the caller's
 *       thread, with a tracked request — the layers without the thread hand-off;</li>
 *   <li>{@code backendDirect}: {@link MemoryBackend#read} alone.</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class ReadPathBench {
    private static final int SIZE = 1 << 20;
    private static final int BLOCK = 4096;
    private static final int VT_BATCH = 1000;

    private Device dev;
    private MemoryBackend backend;
    private RawNode stack;
    private RequestTracker tracker;
    private final ByteBuffer buf = ByteBuffer.allocate(BLOCK);
    private final ByteBuffer[] bufs = {buf};
    private long offset;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        MemoryBackend devBackend = new MemoryBackend(SIZE);
        fill(devBackend);
        dev = BlkDebug.builder().backend(devBackend, "memory").open();
        backend = new MemoryBackend(SIZE);
        fill(backend);
        MemoryBackend stackBackend = new MemoryBackend(SIZE);
        fill(stackBackend);
        BlkDebugRules rules = new BlkDebugRules(List.of(), List.of(), BlkDebugListener.SILENT);
        stack = new RawNode(new BlkDebugNode(new FileNode(stackBackend, false), rules, Limits.DEFAULT), false);
        tracker = new RequestTracker();
    }

    private static void fill(MemoryBackend b) throws BlockException {
        byte[] data = new byte[SIZE];
        java.util.Arrays.fill(data, (byte) 0x5a);
        b.write(0, IoVec.of(ByteBuffer.wrap(data)));
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        dev.close();
    }

    private long nextOffset() {
        offset = (offset + BLOCK) & (SIZE - 1);
        return offset;
    }

    @Benchmark
    public ByteBuffer device() throws Exception {
        buf.clear();
        dev.read(nextOffset(), bufs);
        return buf;
    }

    /**
     * As {@link #device}, the caller a virtual thread (as an NBD connection's or a JUnit test's
     * virtual thread would be): 1,000 reads per invocation inside one virtual thread, so parking
     * the caller costs a virtual-thread hand-off, not a futex wake-up of a platform thread.
     */
    @Benchmark
    @OperationsPerInvocation(VT_BATCH)
    public ByteBuffer deviceFromVirtualThread() throws Exception {
        ByteBuffer mine = ByteBuffer.allocate(BLOCK);
        ByteBuffer[] mineV = {mine};
        Thread t = Thread.ofVirtual().start(() -> {
            try {
                for (int i = 0; i < VT_BATCH; i++) {
                    mine.clear();
                    dev.read(nextOffset(), mineV);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        t.join();
        return mine;
    }

    @Benchmark
    public ByteBuffer stackInline() throws Exception {
        buf.clear();
        long off = nextOffset();
        Request r = tracker.begin(Operation.READ, off, BLOCK, null);
        try {
            BlockIo.preadv(stack, r, off, BLOCK, IoVec.of(buf));
        } finally {
            tracker.end(r);
        }
        return buf;
    }

    @Benchmark
    public ByteBuffer backendDirect() throws Exception {
        buf.clear();
        backend.read(nextOffset(), IoVec.of(buf));
        return buf;
    }
}
