package org.blkdebug.engine.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.Operation;
import org.blkdebug.engine.Phase;
import org.blkdebug.engine.block.BlockIo;
import org.blkdebug.engine.block.FileNode;
import org.blkdebug.engine.block.IoVec;
import org.blkdebug.engine.request.Request;
import org.blkdebug.engine.request.RequestTracker;
import org.junit.jupiter.api.Test;

/**
 * file-posix's raw_do_pwrite_zeroes on the file node: a write-zeroes past the end of the file is
 * serialising from its offset to the end of all offsets (docs/differences-from-qemu.md, Q5). The
 * node tracks its requests only while such a zero-write is in flight, so these pin down both
 * ways: the zero-write waits for an overlapping request that went by untracked, and a request
 * begun while it is in flight waits for it.
 */
class ZeroWritePastEndTest {
    private static final long SIZE = 64 << 10;
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final RequestTracker tracker = new RequestTracker();
    private final FaultyBackend backend = new FaultyBackend(SIZE);
    private final FileNode file = new FileNode(backend, false);
    private final StringBuffer log = new StringBuffer();
    private final CountDownLatch entered = new CountDownLatch(1);
    private final CountDownLatch gate = new CountDownLatch(1);
    private final Map<Thread, Request> requests = new ConcurrentHashMap<>();

    /** The next backend call waits at the gate (and says it is there); the later ones go by. */
    private void holdNextCall() {
        AtomicBoolean first = new AtomicBoolean(true);
        backend.delay = () -> {
            if (first.getAndSet(false)) {
                entered.countDown();
                try {
                    assertThat(gate.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return 0;
        };
    }

    /** A write ({@code zero}: a write-zeroes) of its own request on its own thread; logs its name at the end. */
    private Thread start(String name, boolean zero, long offset, int bytes) {
        Request r = tracker.begin(zero ? Operation.WRITE_ZEROES : Operation.WRITE, offset, bytes, null);
        Thread t = Thread.ofVirtual().start(() -> {
            try {
                if (zero) {
                    BlockIo.pwriteZeroes(file, r, offset, bytes, 0);
                } else {
                    BlockIo.pwritev(file, r, offset, bytes, IoVec.of(ByteBuffer.allocate(bytes)), 0);
                }
                log.append(name);
            } catch (BlockException e) {
                log.append(name).append(" failed ");
            }
            tracker.end(r);
        });
        requests.put(t, r);
        return t;
    }

    /** {@code name}'s request is the first to reach the backend, and is held there. */
    private Thread startHeld(String name, boolean zero, long offset, int bytes) throws InterruptedException {
        holdNextCall();
        Thread t = start(name, zero, offset, bytes);
        assertThat(entered.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        return t;
    }

    private void awaitWaiting(Thread t) throws InterruptedException {
        Request r = requests.get(t);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (r.phase() != Phase.WAITING) {
            assertThat(System.nanoTime()).isLessThan(deadline);
            Thread.sleep(1);
        }
    }

    private void finish(Thread... threads) throws InterruptedException {
        gate.countDown();
        for (Thread t : threads) {
            assertThat(t.join(WAIT)).isTrue();
        }
        assertThat(tracker.awaitIdle(WAIT)).isTrue();
    }

    @Test
    void aZeroWritePastTheEndWaitsForAnOverlappingWriteThatWentByUntracked() throws Exception {
        Thread x = startHeld("X", false, SIZE - 1024, 512);
        Thread z = start("Z", true, SIZE - 2048, 8192); // from its offset on, X is in its way
        awaitWaiting(z);
        assertThat(backend.inner().length()).as("the zero-write went ahead").isEqualTo(SIZE);
        finish(x, z);
        assertThat(log.toString()).isEqualTo("XZ");
        assertThat(backend.inner().length()).isEqualTo(SIZE + 6144);
    }

    @Test
    void aWriteBegunWhileAZeroWritePastTheEndIsInFlightWaitsForItButOneBelowItsOffsetGoesBy() throws Exception {
        Thread z = startHeld("Z", true, SIZE, 8192);
        assertThat(start("B", false, 0, 512).join(WAIT)).isTrue();
        assertThat(log.toString()).isEqualTo("B");
        Thread y = start("Y", false, 4 * SIZE, 512); // QEMU's reaches to the end of all offsets
        awaitWaiting(y);
        finish(z, y);
        assertThat(log.toString()).isEqualTo("BZY");
    }

    /**
     * Z went by untracked until it became serialising: its tracking record is made only then
     * (Node#record), and must end with it, or whatever comes later in its range waits forever.
     */
    @Test
    void aZeroWriteTrackedOnlyOnceItBecameSerialisingLeavesNothingBehind() throws Exception {
        Thread x = startHeld("X", false, SIZE - 1024, 512);
        Thread z = start("Z", true, SIZE - 2048, 8192);
        awaitWaiting(z);
        finish(x, z);
        assertThat(start("Y", false, 4 * SIZE, 512).join(WAIT)).as("nothing serialising is left").isTrue();
        assertThat(start("W", true, 8 * SIZE, 512).join(WAIT)).isTrue();
        assertThat(log.toString()).isEqualTo("XZYW");
    }

    @Test
    void aZeroWriteInsideTheFileIsNotSerialising() throws Exception {
        Thread z = startHeld("Z", true, 0, 8192);
        assertThat(start("Y", false, 4096, 512).join(WAIT)).isTrue();
        assertThat(log.toString()).isEqualTo("Y");
        finish(z);
        assertThat(log.toString()).isEqualTo("YZ");
    }
}
