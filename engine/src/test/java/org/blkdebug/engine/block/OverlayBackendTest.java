package org.blkdebug.engine.block;

import static org.assertj.core.api.Assertions.assertThat;


import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The copy-on-write overlay explore runs each scenario on: it must read exactly as an image that
 * took the same writes would, and never change its base. Checked against {@link MemoryBackend}
 * as the model, with seeded random operations (seed printed; {@code -Dtests.seed=}).
 */
class OverlayBackendTest {
    private static final int SIZE = 256 * 1024;

    private static byte[] read(Backend b, long off, int len) throws Exception {
        ByteBuffer buf = ByteBuffer.allocate(len);
        b.read(off, IoVec.of(buf));
        return buf.array();
    }

    private static MemoryBackend randomBase(Random r) throws Exception {
        MemoryBackend base = new MemoryBackend(SIZE);
        byte[] all = new byte[SIZE];
        r.nextBytes(all);
        base.write(0, IoVec.of(ByteBuffer.wrap(all)));
        return base;
    }

    @Test
    void readsAsAnImageThatTookTheSameOperationsAndLeavesTheBaseAlone() throws Exception {
        long seed = Long.getLong("tests.seed", System.nanoTime());
        System.out.println("OverlayBackendTest seed: " + seed);
        Random r = new Random(seed);
        MemoryBackend base = randomBase(r);
        byte[] before = read(base, 0, SIZE);
        MemoryBackend model = new MemoryBackend(SIZE);
        model.write(0, IoVec.of(ByteBuffer.wrap(before.clone())));
        OverlayBackend overlay = new OverlayBackend(base);
        for (int i = 0; i < 2000; i++) {
            long len = overlay.length();
            long off = r.nextInt((int) Math.max(1, len + 8192));
            int n = 1 + r.nextInt(12000);
            switch (r.nextInt(10)) {
                case 0, 1, 2 -> {
                    byte[] data = new byte[n];
                    r.nextBytes(data);
                    overlay.write(off, IoVec.of(ByteBuffer.wrap(data)));
                    model.write(off, IoVec.of(ByteBuffer.wrap(data)));
                }
                case 3 -> {
                    overlay.writeZeroes(off, n);
                    model.writeZeroes(off, n);
                }
                case 4 -> {
                    overlay.discard(off, n);
                    model.discard(off, n);
                }
                case 5 -> {
                    long to = r.nextInt(SIZE + 20000);
                    overlay.truncate(to);
                    model.truncate(to);
                }
                default -> assertThat(read(overlay, off, n)).as("op %d (seed %d)", i, seed).isEqualTo(read(model, off, n));
            }
            assertThat(overlay.length()).isEqualTo(model.length());
        }
        assertThat(read(overlay, 0, (int) overlay.length())).isEqualTo(read(model, 0, (int) model.length()));
        assertThat(read(base, 0, SIZE)).as("base untouched").isEqualTo(before);
        assertThat(base.length()).isEqualTo(SIZE);
    }

    @Test
    void twoOverlaysOfOneBaseDoNotSeeEachOther() throws Exception {
        MemoryBackend base = new MemoryBackend(8192);
        OverlayBackend a = new OverlayBackend(base);
        OverlayBackend b = new OverlayBackend(base);
        a.write(100, IoVec.of(ByteBuffer.wrap(new byte[] {7, 7})));
        assertThat(read(b, 100, 2)).containsExactly(0, 0);
        assertThat(read(a, 100, 2)).containsExactly(7, 7);
        assertThat(a.pageCount()).isEqualTo(1);
        assertThat(b.pageCount()).isZero();
    }

    @Test
    void copyToWritesTheImageAsTheOverlayShowsIt(@TempDir Path dir) throws Exception {
        Random r = new Random(42);
        MemoryBackend base = randomBase(r);
        OverlayBackend o = new OverlayBackend(base);
        o.write(5000, IoVec.of(ByteBuffer.wrap(new byte[] {1, 2, 3})));
        o.truncate(SIZE - 1000);
        Path out = dir.resolve("state.img");
        Files.write(out, new byte[SIZE * 2]); // longer than the state: copyTo must cut it
        try (FileChannel ch = FileChannel.open(out, StandardOpenOption.WRITE)) {
            o.copyTo(ch);
        }
        assertThat(Files.readAllBytes(out)).isEqualTo(read(o, 0, SIZE - 1000));
    }

}
