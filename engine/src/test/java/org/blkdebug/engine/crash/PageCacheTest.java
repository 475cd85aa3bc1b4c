package org.blkdebug.engine.crash;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.blkdebug.engine.block.IoVec;
import org.blkdebug.engine.block.MemoryBackend;
import org.junit.jupiter.api.Test;

/** The page-cache model of a file: writes visible at once, undone by a crash unless fsynced, torn by page. */
class PageCacheTest {
    private final MemoryBackend file = new MemoryBackend(4 * VolatileCache.PAGE);
    private final AtomicLong order = new AtomicLong();

    private static IoVec filled(int len, int v) {
        return IoVec.of(VolatileCacheTest.filled(len, v));
    }

    private byte at(long offset) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(1);
        file.read(offset, IoVec.of(b));
        return b.get(0);
    }

    @Test
    void aWriteIsInTheFileAtOnceAndACrashPutsBackWhatWasThere() throws Exception {
        // Why: other readers of the real file see the page cache; only a crash loses it
        file.write(0, filled(100, 7));
        VolatileCache c = VolatileCache.pageCache(file, order::incrementAndGet);
        c.write(0, filled(50, 1), false);
        c.write(10, filled(50, 2), false);
        assertThat(at(0)).isEqualTo((byte) 1);
        assertThat(at(20)).isEqualTo((byte) 2);
        c.crash(new CrashChoice.Durable());
        assertThat(at(0)).isEqualTo((byte) 7);
        assertThat(at(20)).isEqualTo((byte) 7);
        assertThat(at(99)).isEqualTo((byte) 7);
    }

    @Test
    void anFsyncMakesTheWritesDurable() throws Exception {
        VolatileCache c = VolatileCache.pageCache(file, order::incrementAndGet);
        c.write(0, filled(10, 1), false);
        c.flush();
        c.write(0, filled(5, 2), false);
        assertThat(c.volatileWrites()).isEqualTo(1);
        c.crash(new CrashChoice.Durable());
        assertThat(at(0)).isEqualTo((byte) 1);
        assertThat(at(9)).isEqualTo((byte) 1);
    }

    @Test
    void aTornWriteKeepsWholePages() throws Exception {
        VolatileCache c = VolatileCache.pageCache(file, order::incrementAndGet);
        c.write(100, filled(2 * VolatileCache.PAGE, 3), false); // pages 0, 1, 2: parts 0..2
        c.crash(CrashChoice.parse(List.of("--keep", "1:1", "--of", "1"), 0));
        assertThat(at(100)).isZero();
        assertThat(at(VolatileCache.PAGE)).isEqualTo((byte) 3);
        assertThat(at(2 * VolatileCache.PAGE)).isZero();
    }

    @Test
    void crashStatesOfAFileSeeItsDurableBytes() throws Exception {
        file.write(0, filled(512, 7));
        VolatileCache c = VolatileCache.pageCache(file, order::incrementAndGet);
        c.write(0, filled(1, 1), false);
        c.write(VolatileCache.PAGE, filled(1, 2), false);
        Set<String> seen = new HashSet<>();
        c.crashStates(CrashStates.Options.defaults(), s -> {
            ByteBuffer a = ByteBuffer.allocate(1);
            ByteBuffer b = ByteBuffer.allocate(1);
            s.read(0, a);
            s.read(VolatileCache.PAGE, b);
            seen.add(a.get(0) + "" + b.get(0));
        });
        assertThat(seen).containsExactlyInAnyOrder("70", "10", "72", "12");
        assertThat(at(0)).as("the file itself is left as it was").isEqualTo((byte) 1);
    }

    @Test
    void theFileSystemsOrderNumbersTheWrites() throws Exception {
        VolatileCache a = VolatileCache.pageCache(file, order::incrementAndGet);
        VolatileCache b = VolatileCache.pageCache(new MemoryBackend(4096), order::incrementAndGet);
        a.write(0, filled(1, 1), false);
        b.write(0, filled(1, 1), false);
        a.write(1, filled(1, 1), false);
        assertThat(a.volatileSeqs()).containsExactly(1L, 3L);
        assertThat(b.volatileSeqs()).containsExactly(2L);
    }
}
