package org.blkdebug.engine.crash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.blkdebug.engine.BlkDebug;
import org.blkdebug.engine.BlockException;
import org.blkdebug.engine.CacheMode;
import org.blkdebug.engine.Device;
import org.blkdebug.engine.Errno;
import org.blkdebug.engine.Event;
import org.blkdebug.engine.block.IoVec;
import org.blkdebug.engine.block.MemoryBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The durability model of the disk's volatile cache, and what {@code crash} leaves on the image. */
class VolatileCacheTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private MemoryBackend image;

    private Device open(CacheMode mode) throws Exception {
        image = new MemoryBackend(1 << 20);
        return BlkDebug.builder().backend(image, "mem").cache(mode).open();
    }

    static ByteBuffer filled(int len, int value) {
        byte[] b = new byte[len];
        java.util.Arrays.fill(b, (byte) value);
        return ByteBuffer.wrap(b);
    }

    private byte[] onImage(long offset, int len) throws BlockException {
        ByteBuffer b = ByteBuffer.allocate(len);
        image.read(offset, IoVec.of(b));
        return b.array();
    }

    private static byte[] through(Device dev, long offset, int len) throws BlockException {
        ByteBuffer b = ByteBuffer.allocate(len);
        dev.read(offset, b);
        return b.array();
    }

    @Test
    void anUnflushedWriteIsReadBackButLostInACrash() throws Exception {
        // Why: the cache serves reads (newest data) while the image holds only what is durable
        Device dev = open(CacheMode.WRITEBACK);
        dev.write(0, filled(4096, 0x11));
        assertThat(through(dev, 0, 4096)).containsOnly(0x11);
        assertThat(onImage(0, 4096)).containsOnly(0);
        assertThat(dev.volatileWrites()).isEqualTo(1);
        CrashChoice.Explicit made = dev.crash(new CrashChoice.Durable());
        assertThat(made.toString()).isEqualTo("--keep none --of 1");
        assertThat(onImage(0, 4096)).containsOnly(0);
    }

    @Test
    void aWriteFlushedAfterItCompletedSurvivesACrash() throws Exception {
        Device dev = open(CacheMode.WRITEBACK);
        dev.write(0, filled(4096, 0x11));
        dev.flush();
        dev.write(4096, filled(4096, 0x22));
        dev.crash(new CrashChoice.Durable());
        assertThat(onImage(0, 4096)).containsOnly(0x11);
        assertThat(onImage(4096, 4096)).containsOnly(0);
    }

    @Test
    void aWriteStillInFlightWhenTheFlushWasIssuedIsNotCoveredByIt() throws Exception {
        // Why: dm-log-writes' rule; counting such a write as flushed would make the model too kind
        Device dev = open(CacheMode.WRITEBACK);
        dev.breakpoint(Event.WRITE_AIO, "w");
        CompletableFuture<Void> w = dev.writeAsync(0, new ByteBuffer[] {filled(4096, 0x33)}, null);
        assertThat(dev.awaitSuspended("w", WAIT)).isTrue();
        dev.flush(); // issued and completed while the write is held before the disk
        dev.resume("w");
        w.get(10, TimeUnit.SECONDS);
        assertThat(dev.volatileWrites()).isEqualTo(1);
        dev.crash(new CrashChoice.Durable());
        assertThat(onImage(0, 4096)).containsOnly(0);
    }

    @Test
    void aWriteWhoseDataReachedTheDiskBeforeTheFlushIsCoveredEvenIfItHasNotReturned() throws Exception {
        // Why: the cache is the disk: a flush covers what the disk completed, as a real one does,
        // even when the host has not yet seen the write's completion
        Device dev = open(CacheMode.WRITEBACK);
        dev.breakpoint(Event.PWRITEV_DONE, "done");
        CompletableFuture<Void> w = dev.writeAsync(0, new ByteBuffer[] {filled(4096, 0x44)}, null);
        assertThat(dev.awaitSuspended("done", WAIT)).isTrue();
        dev.flush();
        assertThat(onImage(0, 4096)).containsOnly(0x44);
        dev.resume("done");
        w.get(10, TimeUnit.SECONDS);
    }

    @Test
    void aFuaWriteIsDurableWhenItCompletes() throws Exception {
        Device dev = open(CacheMode.WRITEBACK);
        dev.write(0, filled(4096, 0x55), Device.WriteFlag.FUA);
        dev.crash(new CrashChoice.Durable());
        assertThat(onImage(0, 4096)).containsOnly(0x55);
    }

    @Test
    void underWritethroughEveryCompletedWriteIsDurable() throws Exception {
        for (CacheMode mode : List.of(CacheMode.WRITETHROUGH, CacheMode.DIRECTSYNC)) {
            Device dev = open(mode);
            dev.write(512, filled(1024, 0x66));
            dev.writeZeroes(0, 512);
            assertThat(dev.volatileWrites()).as("%s", mode).isZero();
            dev.crash(new CrashChoice.Durable());
            assertThat(onImage(512, 1024)).as("%s", mode).containsOnly(0x66);
        }
    }

    @Test
    void underUnsafeAFlushMakesNothingDurable() throws Exception {
        // Why: cache=unsafe stops flushes before flush_to_disk; the guest cannot persist anything
        Device dev = open(CacheMode.UNSAFE);
        dev.write(0, filled(4096, 0x77));
        dev.flush();
        dev.crash(new CrashChoice.Durable());
        assertThat(onImage(0, 4096)).containsOnly(0);
    }

    @Test
    void underNoneWritesAreVolatileUntilFlushedAsUnderWriteback() throws Exception {
        Device dev = open(CacheMode.NONE);
        dev.write(0, filled(4096, 0x78));
        dev.flush();
        dev.write(0, filled(512, 0x79));
        dev.crash(new CrashChoice.Durable());
        assertThat(onImage(0, 512)).containsOnly(0x78);
    }

    @Test
    void aNormalCloseWritesEverythingOutEvenUnderUnsafe() throws Exception {
        // Why: without a crash nothing is lost; the host writes its cache out in time
        Device dev = open(CacheMode.UNSAFE);
        dev.write(0, filled(4096, 0x12));
        dev.close();
        assertThat(onImage(0, 4096)).containsOnly(0x12);
    }

    @Test
    void keepAllAppliesEveryVolatileWriteInCompletionOrder() throws Exception {
        Device dev = open(CacheMode.WRITEBACK);
        dev.write(0, filled(1024, 1));
        dev.write(512, filled(1024, 2));
        dev.crash(new CrashChoice.All());
        byte[] b = onImage(0, 1536);
        assertThat(java.util.Arrays.copyOfRange(b, 0, 512)).containsOnly(1);
        assertThat(java.util.Arrays.copyOfRange(b, 512, 1536)).containsOnly(2);
    }

    @Test
    void anOlderWriteSurvivesWhenTheNewerOneOverItIsDropped() throws Exception {
        // Why: a reorder on the disk can leave the old version of a sector
        Device dev = open(CacheMode.WRITEBACK);
        dev.write(0, filled(512, 1));
        dev.write(0, filled(512, 2));
        CrashChoice.Explicit made = dev.crash(CrashChoice.parse(List.of("--keep", "1", "--of", "2"), 0));
        assertThat(made.toString()).isEqualTo("--keep 1 --of 2");
        assertThat(onImage(0, 512)).containsOnly(1);
    }

    @Test
    void keepPrefixKeepsTheFirstWritesInCompletionOrder() throws Exception {
        Device dev = open(CacheMode.WRITEBACK);
        for (int i = 0; i < 4; i++) {
            dev.write(i * 512L, filled(512, i + 1));
        }
        assertThat(dev.crash(new CrashChoice.Prefix(2, false, 0)).toString()).isEqualTo("--keep 1,2 --of 4");
        assertThat(onImage(0, 1024)).doesNotContain(0);
        assertThat(onImage(1024, 1024)).containsOnly(0);
    }

    @Test
    void aTornWriteKeepsWholeSectorsOnly() throws Exception {
        // Why: each 512-byte sector is atomic; --torn chooses among sectors, never within one
        Device dev = open(CacheMode.WRITEBACK);
        dev.write(100, filled(1500, 9)); // touches sectors 0..3 of the image: parts 0..3
        dev.crash(CrashChoice.parse(List.of("--keep", "1:1+3", "--of", "1"), 0));
        byte[] b = onImage(0, 2048);
        for (int i = 0; i < 2048; i++) {
            boolean written = i >= 100 && i < 1600;
            boolean kept = (i >= 512 && i < 1024) || (i >= 1536 && i < 2048);
            assertThat(b[i]).as("byte %d", i).isEqualTo((byte) (written && kept ? 9 : 0));
        }
    }

    @Test
    void aRandomChoiceWithTheSameSeedMakesTheSameStateAndPrintsItExplicitly() throws Exception {
        String first = null;
        for (int round = 0; round < 2; round++) {
            Device dev = open(CacheMode.WRITEBACK);
            for (int i = 0; i < 16; i++) {
                dev.write(i * 4096L, filled(4096, i + 1));
            }
            CrashChoice.Explicit made = dev.crash(new CrashChoice.Random(42, true));
            if (first == null) {
                first = made.toString();
            } else {
                assertThat(made.toString()).isEqualTo(first);
            }
        }
        CrashChoice back = CrashChoice.parse(List.of(first.split(" ")), 0);
        assertThat(back).isInstanceOf(CrashChoice.Explicit.class);
        assertThat(back.toString()).isEqualTo(first);
    }

    @Test
    void aChoiceMadeForAnotherNumberOfWritesIsRefusedAndNothingIsLost() throws Exception {
        Device dev = open(CacheMode.WRITEBACK);
        dev.write(0, filled(512, 3));
        assertThatThrownBy(() -> dev.crash(CrashChoice.parse(List.of("--keep", "1,2", "--of", "2"), 0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("made for 2 volatile writes");
        assertThat(through(dev, 0, 512)).containsOnly(3);
        dev.close();
    }

    @Test
    void inFlightRequestsNeverCompleteSuccessfullyAfterACrash() throws Exception {
        Device dev = open(CacheMode.WRITEBACK);
        dev.breakpoint(Event.WRITE_AIO, "held");
        CompletableFuture<Void> w = dev.writeAsync(0, new ByteBuffer[] {filled(4096, 0x5a)}, null);
        assertThat(dev.awaitSuspended("held", WAIT)).isTrue();
        dev.crash(new CrashChoice.All());
        assertThatThrownBy(() -> w.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(BlockException.class);
        assertThat(onImage(0, 4096)).containsOnly(0);
        assertThatThrownBy(() -> dev.write(0, filled(512, 1)))
                .isInstanceOfSatisfying(BlockException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOMEDIUM));
    }

    @Test
    void dataBeyondTheMemoryLimitSpillsToAFileNextToTheImageAndReadsBack() throws Exception {
        // Why: memory stays bounded however much is written without a flush
        Path img = dir.resolve("disk.img");
        try (var f = new java.io.RandomAccessFile(img.toFile(), "rw")) {
            f.setLength(1 << 20);
        }
        org.blkdebug.engine.block.FileBackend file = org.blkdebug.engine.block.FileBackend.open(img.toString(), false);
        VolatileCache cache = new VolatileCache(file, dir, "disk.img.", 8192, null);
        for (int i = 0; i < 8; i++) {
            cache.write(i * 4096L, IoVec.of(filled(4096, i + 1)), false);
        }
        assertThat(cache.memoryBytes()).isLessThanOrEqualTo(8192);
        assertThat(cache.spilledBytes()).isEqualTo(6 * 4096);
        for (int i = 0; i < 8; i++) {
            ByteBuffer b = ByteBuffer.allocate(4096);
            cache.read(i * 4096L, IoVec.of(b));
            assertThat(b.array()).as("block %d", i).containsOnly(i + 1);
        }
        cache.flush();
        assertThat(cache.spilledBytes()).as("emptied with the cache").isZero();
        cache.close();
        file.close();
        try (var files = Files.list(dir)) {
            assertThat(files).as("the spill file is gone").containsExactly(img);
        }
        assertThat(Files.readAllBytes(img)[7 * 4096]).isEqualTo((byte) 8);
    }

    @Test
    void spilledWritesReadBackWhetherStagedWrittenOrLargerThanTheStage() throws Exception {
        // Why: spilled data is gathered in a buffer and read back through a window; a read must
        // find each write wherever it is at the time, and a flush must apply every one in order
        Path img = dir.resolve("disk.img");
        int blocks = 700; // 2.7 MiB of 4 KiB writes: the staging buffer fills and drains twice
        try (var f = new java.io.RandomAccessFile(img.toFile(), "rw")) {
            f.setLength((blocks + 600) * 4096L);
        }
        org.blkdebug.engine.block.FileBackend file = org.blkdebug.engine.block.FileBackend.open(img.toString(), false);
        VolatileCache cache = new VolatileCache(file, dir, "disk.img.", 4096, null);
        java.util.Random r = new java.util.Random(7);
        for (int i = 0; i < blocks; i++) {
            cache.write(i * 4096L, IoVec.of(filled(4096, i % 251 + 1)), false);
            if (i % 97 == 0) { // a read of an earlier block, wherever it is now
                int j = r.nextInt(i + 1);
                assertThat(through(cache, j * 4096L, 4096)).as("block %d after %d", j, i).containsOnly(j % 251 + 1);
            }
        }
        ByteBuffer big = ByteBuffer.allocate(Spill.STAGE + 8192); // larger than the stage: to the file
        java.util.Arrays.fill(big.array(), (byte) 0x77);
        long bigAt = blocks * 4096L;
        cache.write(bigAt, IoVec.of(big), false);
        cache.write(0, IoVec.of(filled(512, 0x66)), false); // overwrites part of block 0, spilled
        assertThat(cache.spilledBytes()).isEqualTo((long) blocks * 4096 + big.capacity() + 512 - 4096);
        for (int i = 1; i < blocks; i += 37) {
            assertThat(through(cache, i * 4096L, 4096)).as("block %d", i).containsOnly(i % 251 + 1);
        }
        assertThat(through(cache, bigAt + Spill.STAGE, 8192)).containsOnly(0x77);
        assertThat(through(cache, 0, 512)).containsOnly(0x66);
        cache.flush();
        cache.close();
        file.close();
        byte[] on = Files.readAllBytes(img);
        for (int i = 1; i < blocks; i++) {
            assertThat(java.util.Arrays.copyOfRange(on, i * 4096, (i + 1) * 4096)).as("block %d on the image", i)
                    .containsOnly(i % 251 + 1);
        }
        assertThat(java.util.Arrays.copyOfRange(on, 0, 512)).containsOnly(0x66);
        assertThat(java.util.Arrays.copyOfRange(on, 512, 4096)).containsOnly(1);
        assertThat(java.util.Arrays.copyOfRange(on, (int) bigAt, (int) bigAt + big.capacity())).containsOnly(0x77);
    }

    private static byte[] through(VolatileCache cache, long offset, int len) throws BlockException {
        ByteBuffer b = ByteBuffer.allocate(len);
        cache.read(offset, IoVec.of(b));
        return b.array();
    }

    @Test
    void aDeviceOverItsMemoryLimitReadsBackEveryWrite() throws Exception {
        Path img = dir.resolve("disk.img");
        try (var f = new java.io.RandomAccessFile(img.toFile(), "rw")) {
            f.setLength(1 << 20);
        }
        try (Device dev = BlkDebug.builder().image(img.toString()).volatileLimit(8192).open()) {
            for (int i = 0; i < 8; i++) {
                dev.write(i * 4096L, filled(4096, i + 1));
            }
            for (int i = 0; i < 8; i++) {
                assertThat(through(dev, i * 4096L, 4096)).as("block %d", i).containsOnly(i + 1);
            }
            dev.crash(new CrashChoice.Prefix(5, false, 0));
        }
        byte[] b = Files.readAllBytes(img);
        assertThat(b[4 * 4096]).isEqualTo((byte) 5);
        assertThat(b[5 * 4096]).isZero();
    }

    @Test
    void aBackendErrorOnWriteOutFailsTheFlushAndTheWritesStayVolatile() throws Exception {
        // Why: with a write cache, the image's own errors come when data is written out
        HookedImage failing = new HookedImage(1 << 20);
        try (Device dev = BlkDebug.builder().backend(failing, "failing").open()) {
            dev.write(0, filled(512, 1));
            failing.failWrites = true;
            assertThatThrownBy(dev::flush).isInstanceOfSatisfying(BlockException.class,
                    e -> assertThat(e.errno()).isEqualTo(Errno.ENOSPC));
            assertThat(dev.volatileWrites()).isEqualTo(1);
            failing.failWrites = false;
            dev.flush();
            assertThat(dev.volatileWrites()).isZero();
        }
    }

    @Test
    void aResizeIsDurableAtOnceAndAShrinkDropsCachedBytesBeyondIt() throws Exception {
        Device dev = open(CacheMode.WRITEBACK);
        dev.write(8192, filled(4096, 7));
        dev.truncate(10000);
        assertThat(image.length()).isEqualTo(10000);
        dev.truncate(1 << 20);
        assertThat(through(dev, 8192, 4096)).startsWith(filled(1808, 7).array());
        assertThat(java.util.Arrays.copyOfRange(through(dev, 8192, 4096), 1808, 4096)).containsOnly(0);
        dev.crash(new CrashChoice.All());
        assertThat(onImage(10000, 2288)).containsOnly(0);
        assertThat(onImage(8192, 1808)).containsOnly(7);
    }

    @Test
    void aCachedWritePastTheEndMakesTheFileLongerAndAShrinkBelowItCutsIt() throws Exception {
        // Why: a format driver (qcow2) appends clusters to its file and reads them back before any
        // flush; the file's length, like the page cache's, must include what was appended
        MemoryBackend img = new MemoryBackend(4096);
        VolatileCache c = new VolatileCache(img, dir, "t", 1 << 20, null);
        try {
            c.write(8192, IoVec.of(filled(4096, 9)));
            assertThat(c.length()).isEqualTo(12288);
            assertThat(img.length()).isEqualTo(4096);
            ByteBuffer b = ByteBuffer.allocate(4096);
            c.read(8192, IoVec.of(b));
            assertThat(b.array()).containsOnly(9);
            c.resize(10000);
            assertThat(c.length()).isEqualTo(10000);
            c.resize(4096);
            assertThat(c.length()).isEqualTo(4096);
        } finally {
            c.close();
        }
    }
}
