package org.blkdebug.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.blkdebug.engine.block.Backend;
import org.blkdebug.engine.block.IoVec;
import org.blkdebug.engine.block.MemoryBackend;
import org.blkdebug.engine.filter.EventTrace;
import org.blkdebug.engine.format.qcow2.Qcow2Create;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * qcow2 over blkdebug over an image: the events blkdebug sees interleaved with the I/O that
 * reaches the image, against the QEMU 7.2 sequences of the reference
 * (/work/shared/reference/qemu-qcow2-events.md §4; the conformance scenarios 100-114 check the
 * same against qemu-io's output).
 */
class Qcow2EventsTest {
    @TempDir
    Path dir;

    /** The image below blkdebug, logging each call after the events fired before it. */
    static final class Recording implements Backend {
        final MemoryBackend image;
        final List<String> log = new ArrayList<>();
        EventTrace trace;

        Recording(byte[] bytes) throws BlockException {
            image = new MemoryBackend(bytes.length);
            image.write(0, IoVec.of(ByteBuffer.wrap(bytes)));
        }

        private void events() {
            if (trace != null) {
                trace.drainEvents().forEach(e -> log.add(e.eventName()));
            }
        }

        /** The log so far, with the events fired after the last call, emptied. */
        List<String> take() {
            events();
            List<String> out = new ArrayList<>(log);
            log.clear();
            return out;
        }

        @Override
        public void read(long offset, IoVec dst) throws BlockException {
            events();
            log.add("READ");
            image.read(offset, dst);
        }

        @Override
        public void write(long offset, IoVec src) throws BlockException {
            events();
            log.add("WRITE " + src.size());
            image.write(offset, src);
        }

        @Override
        public void writeZeroes(long offset, long length) throws BlockException {
            events();
            log.add("ZEROES");
            image.writeZeroes(offset, length);
        }

        @Override
        public void discard(long offset, long length) throws BlockException {
            events();
            log.add("DISCARD");
            image.discard(offset, length);
        }

        @Override
        public void flush() throws BlockException {
            events();
            log.add("FLUSH");
        }

        @Override
        public long length() {
            return image.length();
        }

        @Override
        public void truncate(long length) {
            events();
            log.add("TRUNCATE");
            image.truncate(length);
        }

        @Override
        public void close() {
        }
    }

    private Recording freshImage(long size) throws Exception {
        Path f = dir.resolve("t.qcow2");
        Qcow2Create.create(f.toString(), size, Qcow2Create.Options.DEFAULTS);
        return new Recording(Files.readAllBytes(f));
    }

    private static BlockDevice open(Recording image, CacheMode cache) throws OpenException {
        BlkDebugOptions bo = new BlkDebugOptions(null, "mem", 0, 0, 0, 0, 0, 0, List.of(), List.of());
        OpenOptions o = new OpenOptions(cache, false, BlkDebugListener.SILENT, false,
                OpenOptions.DEFAULT_VOLATILE_LIMIT, null);
        BlockDevice dev = StackBuilder.build(new DeviceSpec(DeviceSpec.Format.QCOW2, bo, "mem"), o, image,
                List.of(), List.of());
        image.trace = dev.blkdebugRules().trace(true);
        image.take(); // the open's reads
        return dev;
    }

    private static ByteBuffer filled(int len, int value) {
        byte[] b = new byte[len];
        Arrays.fill(b, (byte) value);
        return ByteBuffer.wrap(b);
    }

    @Test
    void firstWriteIntoAnEmptyImageFollowsQemusSequenceUnderWritethrough() throws Exception {
        // reference §4.5: the L2 table is allocated first (refblock written and flushed, the zeroed
        // table written and flushed, the L1 entry written and flushed), then the data cluster;
        // writethrough's flush writes the refblock and then the L2 table back, each flushed
        Recording image = freshImage(64L << 20);
        try (BlockDevice dev = open(image, CacheMode.WRITETHROUGH)) {
            dev.write(0, filled(65536, 0x5a));
            assertThat(image.take()).containsExactly(
                    "cluster_alloc", "READ", "refblock_alloc", "refblock_load",
                    "refblock_update_part", "pwritev", "WRITE 65536", "pwritev_done", "FLUSH",
                    "l2_alloc_write", "l2_update", "pwritev", "WRITE 65536", "pwritev_done", "FLUSH",
                    "l1_update", "pwritev", "WRITE 8", "pwritev_done", "FLUSH",
                    "cluster_alloc", "refblock_alloc", "refblock_load",
                    "write_aio", "pwritev", "WRITE 65536", "pwritev_done",
                    "flush_to_os", "refblock_update_part", "pwritev", "WRITE 65536", "pwritev_done", "FLUSH",
                    "l2_update", "pwritev", "WRITE 65536", "pwritev_done", "FLUSH");
            dev.write(0, filled(4096, 0x5b));
            // an overwrite of an allocated cluster: a cache hit, the data in place (§4.3)
            assertThat(image.take()).containsExactly("write_aio", "pwritev", "WRITE 4096", "pwritev_done",
                    "flush_to_os", "flush_to_disk", "FLUSH");
        }
    }

    @Test
    void writebackLeavesMetadataInTheCachesUntilAFlush() throws Exception {
        Recording image = freshImage(64L << 20);
        try (BlockDevice dev = open(image, CacheMode.WRITEBACK)) {
            dev.write(65536, filled(512, 1));
            List<String> first = image.take();
            // the new L2 table is still written at once (its L1 entry must not point at garbage);
            // the data cluster's COW areas are zeroes, so the whole cluster is zeroed with one
            // write-zeroes (handle_alloc_space) before the data; the refblock and the L2 entry
            // of the data cluster stay in the caches
            assertThat(first).endsWith("l1_update", "pwritev", "WRITE 8", "pwritev_done", "FLUSH",
                    "cluster_alloc", "refblock_alloc", "refblock_load",
                    "cluster_alloc_space", "pwritev_zero", "ZEROES", "pwritev_done",
                    "write_aio", "pwritev", "WRITE 512", "pwritev_done");
            dev.flush();
            // qcow2_write_caches: the L2 cache depends on the refcount cache, which is written and
            // flushed first; the L2 table is written without a flush of its own (flush_to_disk's
            // FLUSH covers it)
            assertThat(image.take()).containsExactly("flush_to_os", "refblock_update_part", "pwritev",
                    "WRITE 65536", "pwritev_done", "FLUSH", "l2_update", "pwritev", "WRITE 65536",
                    "pwritev_done", "flush_to_disk", "FLUSH");
        }
    }

    @Test
    void readOfAnUnallocatedClusterTouchesNothingButTheL2Table() throws Exception {
        Recording image = freshImage(64L << 20);
        try (BlockDevice dev = open(image, CacheMode.WRITEBACK)) {
            ByteBuffer b = ByteBuffer.allocate(4096);
            dev.read(1 << 20, b);
            // no L2 table yet: L1 says unallocated, nothing is read and zeroes come back
            assertThat(image.take()).isEmpty();
            assertThat(b.array()).containsOnly(0);
        }
    }

    @Test
    void aWriteIntoAClusterBeingAllocatedWaitsForThatAllocation() throws Exception {
        // iotest 046: A allocates a cluster and is held at write_aio; B writes elsewhere in the
        // same cluster, must wait for A's L2 link (else both would allocate it), is quiescent
        // while it waits, then writes in place; its completion names A as its releaser
        Recording image = freshImage(64L << 20);
        try (BlockDevice dev = open(image, CacheMode.WRITEBACK)) {
            dev.reportCompletions(true);
            dev.breakpoint(Event.WRITE_AIO, "A");
            var a = dev.writeAsync(0x18000, new ByteBuffer[] {filled(0x2000, 10)}, "A");
            assertThat(dev.awaitSuspended("A", java.time.Duration.ofSeconds(10))).isTrue();
            var b = dev.writeAsync(0x12000, new ByteBuffer[] {filled(0x2000, 11)}, "B");
            assertThat(dev.awaitQuiescence(java.time.Duration.ofSeconds(10))).isTrue();
            assertThat(dev.requests()).extracting(RequestInfo::phase)
                    .containsExactlyInAnyOrder(Phase.SUSPENDED, Phase.WAITING);
            dev.resume("A");
            a.get(10, java.util.concurrent.TimeUnit.SECONDS);
            b.get(10, java.util.concurrent.TimeUnit.SECONDS);
            Completion ca = null;
            Completion cb = null;
            for (Completion c; (c = dev.pollCompletion()) != null; ) {
                if ("A".equals(c.attachment())) {
                    ca = c;
                } else if ("B".equals(c.attachment())) {
                    cb = c;
                }
            }
            assertThat(cb.releasedBy()).isEqualTo(ca.id());
            ByteBuffer back = ByteBuffer.allocate(0x10000);
            dev.read(0x10000, back);
            byte[] want = new byte[0x10000];
            Arrays.fill(want, 0x2000, 0x4000, (byte) 11);
            Arrays.fill(want, 0x8000, 0xa000, (byte) 10);
            assertThat(back.array()).isEqualTo(want);
        }
        // one data cluster only: header, L1, refcount table and block, L2, data
        assertThat(image.length()).isEqualTo(6 * 65536);
    }
}
