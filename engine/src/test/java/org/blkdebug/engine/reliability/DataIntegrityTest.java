package org.blkdebug.engine.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.blkdebug.engine.reliability.Reliability.SECTOR;
import static org.blkdebug.engine.reliability.Reliability.filled;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import org.blkdebug.engine.BlkDebug;
import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.Device;
import org.blkdebug.engine.Errno;
import org.blkdebug.engine.Event;
import org.blkdebug.engine.IoType;
import org.blkdebug.engine.Rule;
import org.blkdebug.engine.block.IoVec;
import org.blkdebug.engine.block.MemoryBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a request does to the bytes: nothing when it fails, everything when it succeeds, nothing to its neighbours. */
class DataIntegrityTest {
    private static final int MIB = 1 << 20;
    /** An event none of these requests fires: firing it by hand arms its rules. */
    private static final Event ARM = Event.CLUSTER_ALLOC;

    @TempDir
    Path dir;

    private static MemoryBackend prefilled(int value) throws BlockException {
        MemoryBackend m = new MemoryBackend(MIB);
        m.write(0, IoVec.of(filled(MIB, value)));
        return m;
    }

    /** Arms one once-rule of {@code type} failing with ENOSPC, runs {@code request}, checks the image. */
    private static void failedRequestLeavesImageUnchanged(IoType type, Call request) throws Exception {
        MemoryBackend m = prefilled(0x11);
        try (Device dev = BlkDebug.builder().backend(m, "memory").align(4096)
                .injectError(Rule.InjectError.of(ARM).withIoType(type).withErrno(Errno.ENOSPC).withOnce(true))
                .open()) {
            dev.event(ARM);
            assertThatThrownBy(() -> request.run(dev))
                    .isInstanceOfSatisfying(BlockException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOSPC))
                    .hasMessage("No space left on device");
            dev.flush(); // the disk's volatile cache writes what it holds to the image
            assertThat(Reliability.image(m, 0, MIB)).as("image after the failed %s", type)
                    .isEqualTo(filled(MIB, 0x11).array());
            request.run(dev); // the rule was once: the same request now goes through
            dev.flush();
            assertThat(Reliability.image(m, 0, MIB)).as("image after the retried %s", type)
                    .isNotEqualTo(filled(MIB, 0x11).array());
        }
    }

    @FunctionalInterface
    interface Call {
        void run(Device dev) throws BlockException;
    }

    @Test
    void alignedWriteWhoseErrorIsInjectedLeavesTheImageUnchanged() throws Exception {
        // Why: an injected error must look like a failed disk write, not a half-done one
        failedRequestLeavesImageUnchanged(IoType.WRITE, dev -> dev.write(8192, filled(8192, 0x22)));
    }

    @Test
    void unalignedWriteWhoseErrorIsInjectedLeavesTheImageAndItsPaddingUnchanged() throws Exception {
        // Why: the read-modify-write widens the write to 4 KiB; failing it must not write the padding either
        failedRequestLeavesImageUnchanged(IoType.WRITE, dev -> dev.write(4096 + 700, filled(5000, 0x22)));
    }

    @Test
    void unalignedWriteWhosePaddingReadFailsLeavesTheImageUnchanged() throws Exception {
        // Why: a failed padding read fails the write (documented difference D2); nothing may be written
        failedRequestLeavesImageUnchanged(IoType.READ, dev -> dev.write(4096 + 700, filled(512, 0x22)));
    }

    @Test
    void writeZeroesWhoseErrorIsInjectedLeavesTheImageUnchanged() throws Exception {
        // Why: an aligned write-zeroes is one blkdebug request; its failure zeroes nothing
        failedRequestLeavesImageUnchanged(IoType.WRITE_ZEROES, dev -> dev.writeZeroes(8192, 16384));
    }

    @Test
    void discardWhoseErrorIsInjectedLeavesTheImageUnchanged() throws Exception {
        // Why: discard reads back as zeroes only when it succeeded
        failedRequestLeavesImageUnchanged(IoType.DISCARD, dev -> dev.discard(8192, 16384));
    }

    /**
     * Where the guarantee stops: a write larger than max-transfer is one blkdebug request per
     * fragment, so a rule failing the second fragment leaves the first written (as QEMU 7.2 does).
     */
    @Test
    void writeSplitByMaxTransferKeepsTheFragmentsBeforeTheOneThatFailed() throws Exception {
        MemoryBackend m = prefilled(0x11);
        try (Device dev = BlkDebug.builder().backend(m, "memory").maxTransfer(4096)
                .injectError(Rule.InjectError.of(Event.PWRITEV).withSector(8).withErrno(Errno.ENOSPC).withOnce(true))
                .open()) {
            assertThatThrownBy(() -> dev.write(0, filled(8192, 0x22)))
                    .isInstanceOfSatisfying(BlockException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOSPC));
            dev.flush();
            assertThat(Reliability.image(m, 0, 4096)).as("the first fragment").isEqualTo(filled(4096, 0x22).array());
            assertThat(Reliability.image(m, 4096, 4096)).as("the failed fragment").isEqualTo(filled(4096, 0x11).array());
        }
    }

    /**
     * And an unaligned write-zeroes: its unaligned head is a write of zeroes of its own (through
     * read-modify-write), its aligned part a write-zeroes; a rule failing the latter leaves the head
     * zeroed (as QEMU 7.2 does) and the rest untouched.
     */
    @Test
    void unalignedWriteZeroesKeepsItsZeroedHeadWhenItsAlignedPartFails() throws Exception {
        MemoryBackend m = prefilled(0x11);
        try (Device dev = BlkDebug.builder().backend(m, "memory").align(4096)
                .injectError(Rule.InjectError.of(ARM).withIoType(IoType.WRITE_ZEROES).withErrno(Errno.ENOSPC)
                        .withOnce(true))
                .open()) {
            dev.event(ARM);
            assertThatThrownBy(() -> dev.writeZeroes(4096 + 512, 8192))
                    .isInstanceOfSatisfying(BlockException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOSPC));
            dev.flush();
            assertThat(Reliability.image(m, 4096, 512)).as("before the request").isEqualTo(filled(512, 0x11).array());
            assertThat(Reliability.image(m, 4608, 3584)).as("the head, zeroed").isEqualTo(new byte[3584]);
            assertThat(Reliability.image(m, 8192, 8192)).as("the failed part and after")
                    .isEqualTo(filled(8192, 0x11).array());
        }
    }

    @Test
    void flushedWriteSurvivesCloseAndReopen() throws Exception {
        // Why: what a successful write + flush reported must be in the file for the next user
        Path image = dir.resolve("disk.img");
        Files.write(image, new byte[MIB]);
        byte[] pattern = filled(10_000, 0x6b).array();
        try (Device dev = BlkDebug.builder().image(image.toString()).align(4096).open()) {
            dev.write(4096 + 300, ByteBuffer.wrap(pattern)); // unaligned: RMW on both ends
            dev.flush();
        }
        byte[] file = Files.readAllBytes(image);
        assertThat(file).hasSize(MIB);
        byte[] expected = new byte[MIB];
        System.arraycopy(pattern, 0, expected, 4096 + 300, pattern.length);
        assertThat(file).isEqualTo(expected);
        try (Device dev = BlkDebug.builder().image(image.toString()).open()) {
            assertThat(Reliability.read(dev, 0, MIB)).isEqualTo(expected);
        }
    }

    @Test
    void concurrentUnalignedWritesNeverCorruptNeighbouringSectors() throws Exception {
        // Why: each writer owns one 512-byte sector of every 4 KiB block, so every write is a
        // read-modify-write of a block other writers are rewriting too. Without serialisation a
        // writer writes back a neighbour's stale sector; the backend sleeps inside each call to
        // widen that window.
        long seed = Reliability.seed("concurrentUnalignedWritesNeverCorruptNeighbouringSectors");
        Reliability.withSeed(seed, () -> {
            int writers = 8;
            int blocks = 16;
            int writesEach = Reliability.intProperty("tests.stress.requests", 3000) / 10;
            FaultyBackend backend = new FaultyBackend(MIB);
            backend.delay = () -> {
                int n = java.util.concurrent.ThreadLocalRandom.current().nextInt(4); // timing only
                if (n == 0) {
                    LockSupport.parkNanos(20_000);
                } else if (n == 1) {
                    Thread.yield();
                }
                return 0;
            };
            long[] last = new long[blocks * 8];
            ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
            try (Device dev = BlkDebug.builder().backend(backend, "faulty").align(4096).open()) {
                List<CompletableFuture<Void>> done = new ArrayList<>();
                Random rnd = new Random(seed);
                for (int w = 0; w < writers; w++) {
                    int owner = w;
                    Random r = new Random(rnd.nextLong());
                    CompletableFuture<Void> f = new CompletableFuture<>();
                    done.add(f);
                    Thread.ofVirtual().start(() -> {
                        try {
                            for (int i = 1; i <= writesEach; i++) {
                                int sector = r.nextInt(blocks) * 8 + owner;
                                long id = (long) owner << 16 | i;
                                ByteBuffer data = Reliability.stamped(id, sector, 1);
                                if (r.nextBoolean()) {
                                    dev.write((long) sector * SECTOR, data);
                                } else { // the same bytes as two buffers of one request
                                    int cut = r.nextInt(SECTOR);
                                    dev.write((long) sector * SECTOR,
                                            new ByteBuffer[] {data.slice(0, cut), data.slice(cut, SECTOR - cut)});
                                }
                                last[sector] = Reliability.stamp(id, sector); // only this writer touches it
                            }
                            f.complete(null);
                        } catch (Throwable t) {
                            errors.add(t);
                            f.completeExceptionally(t);
                        }
                    });
                }
                // readers of single sectors: their padded reads overlap the writers' blocks, so a
                // writer that already read its padding may have to wait for one before writing
                java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
                List<CompletableFuture<Void>> readers = new ArrayList<>();
                for (int k = 0; k < 4; k++) {
                    Random r = new Random(rnd.nextLong());
                    CompletableFuture<Void> f = new CompletableFuture<>();
                    readers.add(f);
                    Thread.ofVirtual().start(() -> {
                        try {
                            while (!stop.get()) {
                                dev.read((long) r.nextInt(blocks * 8) * SECTOR, ByteBuffer.allocate(SECTOR));
                            }
                            f.complete(null);
                        } catch (Throwable t) {
                            errors.add(t);
                            f.completeExceptionally(t);
                        }
                    });
                }
                Reliability.awaitAll(done, java.time.Duration.ofSeconds(60), "writers");
                stop.set(true);
                Reliability.awaitAll(readers, Reliability.WAIT, "readers");
                assertThat(errors).isEmpty();
                byte[] seen = Reliability.read(dev, 0, blocks * 4096);
                for (int s = 0; s < blocks * 8; s++) {
                    assertThat(Reliability.stampAt(seen, s)).as("sector %d (owner %d)", s, s % 8)
                            .isEqualTo(last[s]);
                }
            }
        });
    }
}
