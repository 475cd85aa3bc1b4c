package org.blkdebug.engine.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.blkdebug.engine.reliability.Reliability.filled;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.LockSupport;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.blkdebug.engine.BlkDebug;
import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.Device;
import org.blkdebug.engine.Errno;
import org.blkdebug.engine.OpenException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults below the engine: a missing or unwritable image, I/O past the end, a truncate under
 * load, a backend that fails on its own. Each is answered with the errno and text QEMU would
 * give, and the device stays usable afterwards.
 *
 * <p>These devices have no volatile write cache, so that each write meets the backend when it is
 * made, as the file node does; with the cache, a backend's error surfaces at the flush that writes
 * the data out (VolatileCacheTest).
 */
class BackendFaultTest {
    private static final int MIB = 1 << 20;

    @TempDir
    Path dir;

    private static void failsWith(int errno, ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOfSatisfying(BlockException.class,
                e -> assertThat(e.errno()).as("errno of %s", e).isEqualTo(errno)).hasMessage(Errno.message(errno));
    }

    /** The device still reads and writes correctly at {@code offset}. */
    private static void stillUsable(Device dev, long offset) throws BlockException {
        dev.write(offset, filled(4096, 0x77));
        assertThat(Reliability.read(dev, offset, 4096)).isEqualTo(filled(4096, 0x77).array());
        dev.flush();
    }

    @Test
    void missingImageIsReportedWithQemusText() {
        // Why: scripts match qemu-io's text; the path is echoed as given
        String missing = dir.resolve("no-such.img").toString();
        assertThatThrownBy(() -> BlkDebug.builder().image(missing).open())
                .isInstanceOf(OpenException.class)
                .hasMessage("Could not open '" + missing + "': No such file or directory");
    }

    @Test
    void readOnlyImageFileOpenedForWritingIsRefusedWithPermissionDenied() throws Exception {
        // Why: an image the user may not write must fail at open, with QEMU's text, not at the first write
        Path image = dir.resolve("ro.img");
        Files.write(image, new byte[MIB]);
        Files.setPosixFilePermissions(image, PosixFilePermissions.fromString("r--r--r--"));
        Assumptions.assumeFalse(Files.isWritable(image),
                "running as root (or with CAP_DAC_OVERRIDE): mode 0444 does not stop writes; "
                        + "writeThroughAReadOnlyOpenFailsAndLeavesTheImageReadable covers read-only instead");
        assertThatThrownBy(() -> BlkDebug.builder().image(image.toString()).open())
                .isInstanceOf(OpenException.class)
                .hasMessage("Could not open '" + image + "': Permission denied");
    }

    @Test
    void writeThroughAReadOnlyOpenFailsAndLeavesTheImageReadable() throws Exception {
        // Why: a read-only device must refuse every kind of write with EPERM, change no byte, and keep reading
        Path image = dir.resolve("ro.img");
        Files.write(image, filled(MIB, 0x33).array());
        try (Device dev = BlkDebug.builder().image(image.toString()).readOnly(true).align(4096).open()) {
            failsWith(Errno.EPERM, () -> dev.write(0, filled(4096, 1)));
            failsWith(Errno.EPERM, () -> dev.write(100, filled(10, 1))); // unaligned: fails before any RMW write
            failsWith(Errno.EPERM, () -> dev.writeZeroes(0, 8192));
            failsWith(Errno.EPERM, () -> dev.discard(0, 8192));
            failsWith(Errno.EACCES, () -> dev.truncate(0));
            dev.flush(); // nothing to flush on a read-only node: QEMU returns success
            assertThat(Reliability.read(dev, 0, MIB)).isEqualTo(filled(MIB, 0x33).array());
        }
        assertThat(Files.readAllBytes(image)).isEqualTo(filled(MIB, 0x33).array());
    }

    @Test
    void ioPastTheEndIsEioAndChangesNothing() throws Exception {
        // Why: blk_check_byte_request: a request outside the image fails whole, as EIO, before any I/O
        FaultyBackend backend = new FaultyBackend(MIB);
        try (Device dev = BlkDebug.builder().backend(backend, "faulty").volatileCache(false).align(4096).open()) {
            dev.write(MIB - 4096, filled(4096, 0x44));
            failsWith(Errno.EIO, () -> dev.read(MIB, ByteBuffer.allocate(512)));
            failsWith(Errno.EIO, () -> dev.read(MIB - 256, ByteBuffer.allocate(512)));
            failsWith(Errno.EIO, () -> dev.write(MIB - 256, filled(512, 1)));
            failsWith(Errno.EIO, () -> dev.write(-512, filled(512, 1)));
            failsWith(Errno.EIO, () -> dev.writeZeroes(MIB - 4096, 8192));
            failsWith(Errno.EIO, () -> dev.discard(MIB, 4096));
            failsWith(Errno.EIO, () -> dev.read(Long.MAX_VALUE - 10, ByteBuffer.allocate(512)));
            assertThat(backend.calls(FaultyBackend.Op.WRITE)).as("backend writes").isEqualTo(1);
            assertThat(Reliability.read(dev, MIB - 4096, 4096)).isEqualTo(filled(4096, 0x44).array());
            dev.read(MIB, ByteBuffer.allocate(0)); // an empty request at the end is in range
            stillUsable(dev, 0);
        }
    }

    @Test
    void backendEnospcFailsTheWriteWithItsTextAndTheNextWriteWorks() throws Exception {
        // Why: a full disk is an answer, not a crash: the errno reaches the caller unchanged
        FaultyBackend backend = new FaultyBackend(MIB);
        try (Device dev = BlkDebug.builder().backend(backend, "faulty").volatileCache(false).open()) {
            backend.failNext(FaultyBackend.Op.WRITE, Errno.ENOSPC, 1);
            failsWith(Errno.ENOSPC, () -> dev.write(0, filled(4096, 0x55)));
            assertThat(Reliability.image(backend.inner(), 0, 4096)).isEqualTo(new byte[4096]);
            stillUsable(dev, 0);
        }
    }

    @Test
    void backendEioOnTheRmwPaddingReadFailsTheWriteAndSparesItsNeighbours() throws Exception {
        // Why: the padding read of a read-modify-write is I/O too; its failure fails the write
        // before anything is written, so the bytes around the write stay as they were
        FaultyBackend backend = new FaultyBackend(MIB);
        backend.inner().write(0, org.blkdebug.engine.block.IoVec.of(filled(8192, 0x66)));
        try (Device dev = BlkDebug.builder().backend(backend, "faulty").volatileCache(false).align(4096).open()) {
            backend.failNext(FaultyBackend.Op.READ, Errno.EIO, 1);
            failsWith(Errno.EIO, () -> dev.write(1000, filled(100, 0x01)));
            assertThat(Reliability.image(backend.inner(), 0, 8192)).isEqualTo(filled(8192, 0x66).array());
            dev.write(1000, filled(100, 0x01));
            byte[] expected = filled(8192, 0x66).array();
            java.util.Arrays.fill(expected, 1000, 1100, (byte) 1);
            assertThat(Reliability.image(backend.inner(), 0, 8192)).isEqualTo(expected);
        }
    }

    @Test
    void backendReadErrorFailsTheReadAndTheNextReadWorks() throws Exception {
        FaultyBackend backend = new FaultyBackend(MIB);
        try (Device dev = BlkDebug.builder().backend(backend, "faulty").volatileCache(false).open()) {
            backend.failNext(FaultyBackend.Op.READ, Errno.EIO, 1);
            failsWith(Errno.EIO, () -> dev.read(0, ByteBuffer.allocate(512)));
            stillUsable(dev, 0);
        }
    }

    @Test
    void failedFlushIsRetriedByTheNextFlush() throws Exception {
        // Why: after a failed flush nothing is known to be on disk; the next flush must reach the
        // disk again instead of believing the writes are safe (QEMU keeps flushed_gen unchanged)
        FaultyBackend backend = new FaultyBackend(MIB);
        try (Device dev = BlkDebug.builder().backend(backend, "faulty").volatileCache(false).open()) {
            dev.write(0, filled(512, 1));
            backend.failNext(FaultyBackend.Op.FLUSH, Errno.EIO, 1);
            failsWith(Errno.EIO, dev::flush);
            int before = backend.calls(FaultyBackend.Op.FLUSH);
            dev.flush();
            assertThat(backend.calls(FaultyBackend.Op.FLUSH)).as("backend flushes").isEqualTo(before + 1);
            dev.flush(); // nothing written since: QEMU skips the disk flush
            assertThat(backend.calls(FaultyBackend.Op.FLUSH)).isEqualTo(before + 1);
        }
    }

    @Test
    void backendThatThrowsAnUncheckedExceptionFailsOnlyThatRequestWithEio() throws Exception {
        // Why: a bug below the engine must cost one request (EIO, with the cause attached), not
        // leave it in flight forever or take the device down
        FaultyBackend backend = new FaultyBackend(MIB);
        try (Device dev = BlkDebug.builder().backend(backend, "faulty").volatileCache(false).open()) {
            backend.failNext(FaultyBackend.Op.WRITE, -1, 1);
            assertThatThrownBy(() -> dev.write(0, filled(512, 1)))
                    .isInstanceOfSatisfying(BlockException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EIO))
                    .hasRootCauseInstanceOf(IllegalStateException.class);
            Reliability.awaitQuiescence(dev, "after the failed request");
            assertThat(dev.requests()).isEmpty();
            stillUsable(dev, 0);
        }
    }

    @Test
    void truncateWhileRequestsAreInFlightAnswersEveryRequest() throws Exception {
        // Why: shrinking the image under running requests must leave each with an answer
        // (success, or EIO for a range that no longer exists) and the device usable at its new size
        long seed = Reliability.seed("truncateWhileRequestsAreInFlightAnswersEveryRequest");
        Reliability.withSeed(seed, () -> {
            Random rnd = new Random(seed);
            FaultyBackend backend = new FaultyBackend(MIB);
            backend.delay = () -> {
                LockSupport.parkNanos(java.util.concurrent.ThreadLocalRandom.current().nextInt(50_000));
                return 0;
            };
            try (Device dev = BlkDebug.builder().backend(backend, "faulty").volatileCache(false).align(4096).open()) {
                for (int round = 0; round < 20; round++) {
                    List<CompletableFuture<Void>> all = new ArrayList<>();
                    for (int i = 0; i < 100; i++) {
                        long off = rnd.nextInt(MIB / 512 - 16) * 512L;
                        int len = (1 + rnd.nextInt(16)) * 512;
                        all.add(switch (rnd.nextInt(4)) {
                            case 0 -> dev.readAsync(off, new ByteBuffer[] {ByteBuffer.allocate(len)}, null);
                            case 1 -> dev.writeZeroesAsync(off, len, null);
                            default -> dev.writeAsync(off + rnd.nextInt(512), new ByteBuffer[] {filled(len, round)}, null);
                        });
                    }
                    dev.truncate(MIB / 2); // a write still in flight past it grows the image again, as a file does
                    dev.truncate(MIB);
                    Reliability.awaitAll(all, Reliability.WAIT, "requests of round " + round);
                    for (CompletableFuture<Void> f : all) {
                        try {
                            f.get();
                        } catch (ExecutionException e) {
                            assertThat(e.getCause()).isInstanceOfSatisfying(BlockException.class, be -> {
                                assertThat(be.errno()).isEqualTo(Errno.EIO);
                                assertThat(be.getCause()).as("EIO from a caught bug").isNull();
                            });
                        }
                    }
                    assertThat(dev.requests()).isEmpty();
                }
                assertThat(dev.length()).isEqualTo(MIB);
                stillUsable(dev, MIB - 4096);
                stillUsable(dev, 0);
            }
        });
    }
}
