package org.blkdebug.engine.crash;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.blkdebug.engine.BlkDebug;
import org.blkdebug.engine.Device;
import org.blkdebug.engine.block.MemoryBackend;
import org.junit.jupiter.api.Test;

/** Enumerating, deduplicating and sampling the states a crash could leave; checking them on overlays. */
class CrashStatesTest {

    private static Device device() throws Exception {
        return BlkDebug.builder().backend(new MemoryBackend(1 << 20), "mem").open();
    }

    private static ByteBuffer filled(int len, int v) {
        return VolatileCacheTest.filled(len, v);
    }

    /** Bytes 0..n of a state, one per 512-byte sector (each sector is written with one value). */
    private static String sectors(CrashState s, int n) throws Exception {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            ByteBuffer b = ByteBuffer.allocate(1);
            s.read(i * 512L, b);
            sb.append(b.get(0));
        }
        return sb.toString();
    }

    @Test
    void threeWritesToDistinctSectorsGiveEightDistinctStates() throws Exception {
        try (Device dev = device()) {
            for (int i = 0; i < 3; i++) {
                dev.write(i * 512L, filled(512, i + 1));
            }
            Set<String> seen = new HashSet<>();
            CrashStates.Report r = dev.crashStates(CrashStates.Options.defaults(), s -> seen.add(sectors(s, 3)));
            assertThat(r.exhaustive()).isTrue();
            assertThat(r.checked()).isEqualTo(8);
            assertThat(seen).containsExactlyInAnyOrder("000", "100", "020", "003", "120", "103", "023", "123");
        }
    }

    @Test
    void statesWithTheSameBytesAreCheckedOnce() throws Exception {
        // Why: a write overwritten by a kept later one, or one that wrote what was there, is no new state
        try (Device dev = device()) {
            dev.write(0, filled(512, 1));
            dev.write(0, filled(512, 2)); // {2}, {1,2} leave the same bytes
            dev.write(512, filled(512, 0)); // writes what D holds: never a new state
            List<String> seen = new ArrayList<>();
            CrashStates.Report r = dev.crashStates(CrashStates.Options.defaults(), s -> seen.add(sectors(s, 2)));
            assertThat(r.tried()).isEqualTo(8);
            assertThat(seen).containsExactlyInAnyOrder("00", "10", "20");
        }
    }

    @Test
    void eachRejectedStateComesWithTheLineThatMakesItAgain() throws Exception {
        try (Device dev = device()) {
            dev.write(0, filled(512, 1));
            dev.write(512, filled(512, 2));
            CrashStates.Report r = dev.crashStates(CrashStates.Options.defaults(), s -> {
                if (sectors(s, 2).equals("02")) {
                    throw new AssertionError("second without first");
                }
            });
            assertThat(r.rejected()).singleElement().satisfies(x -> {
                assertThat(x.replayLine()).isEqualTo("crash --keep 2 --of 2");
                assertThat(x.reason()).isEqualTo("second without first");
            });
            // and the line does make that state
            CrashChoice.Explicit again = dev.crash(CrashChoice.parse(List.of("--keep", "2", "--of", "2"), 0));
            assertThat(again).isEqualTo(r.rejected().getFirst().choice());
        }
    }

    @Test
    void tornStatesSplitWritesIntoSectors() throws Exception {
        try (Device dev = device()) {
            dev.write(0, filled(1024, 5)); // two sectors
            Set<String> seen = new HashSet<>();
            CrashStates.Report r = dev.crashStates(CrashStates.Options.defaults().withTorn(true),
                    s -> seen.add(sectors(s, 2)));
            assertThat(r.checked()).isEqualTo(4);
            assertThat(seen).containsExactlyInAnyOrder("00", "50", "05", "55");
        }
    }

    @Test
    void beyondTheBoundStatesAreSampledReproduciblyFromTheSeed() throws Exception {
        List<List<String>> runs = new ArrayList<>();
        for (int round = 0; round < 2; round++) {
            try (Device dev = device()) {
                for (int i = 0; i < 40; i++) {
                    dev.write(i * 512L, filled(512, i % 7 + 1));
                }
                List<String> lines = new ArrayList<>();
                CrashStates.Report r = dev.crashStates(CrashStates.Options.defaults().withMax(200).withSeed(9),
                        s -> lines.add(s.choice().toString()));
                assertThat(r.exhaustive()).isFalse();
                assertThat(r.checked()).isEqualTo(200);
                assertThat(lines).doesNotHaveDuplicates();
                // the families come first: nothing, everything, then each prefix
                assertThat(lines.subList(0, 3)).containsExactly("--keep none --of 40",
                        "--keep " + range(1, 40) + " --of 40", "--keep 1 --of 40");
                runs.add(lines);
            }
        }
        assertThat(runs.get(0)).isEqualTo(runs.get(1));
    }

    private static String range(int from, int to) {
        StringBuilder sb = new StringBuilder();
        for (int i = from; i <= to; i++) {
            sb.append(i == from ? "" : ",").append(i);
        }
        return sb.toString();
    }

    @Test
    void aStateOpensAsADeviceWhoseWritesStayPrivate() throws Exception {
        // Why: a checker's recovery may write; the next state must not see it, nor the image
        try (Device dev = device()) {
            dev.write(0, filled(512, 1));
            dev.crashStates(CrashStates.Options.defaults(), s -> {
                try (Device state = s.open()) {
                    ByteBuffer b = ByteBuffer.allocate(512);
                    state.read(0, b);
                    byte before = b.get(0);
                    state.write(0, filled(512, 9));
                    b.clear();
                    state.read(0, b);
                    assertThat(b.get(0)).isEqualTo((byte) 9);
                    assertThat(before).isIn((byte) 0, (byte) 1);
                }
                assertThat(sectors(s, 1)).isIn("0", "1");
            });
            ByteBuffer b = ByteBuffer.allocate(512);
            dev.read(0, b);
            assertThat(b.get(0)).isEqualTo((byte) 1);
        }
    }

    @Test
    void theDeviceGoesOnWhileStatesAreCheckedAndTheyStillSeeTheOldImage() throws Exception {
        // Why: a flush during the check overwrites the image; the states must still see D as it was
        try (Device dev = device()) {
            dev.write(0, filled(512, 1));
            dev.flush();
            dev.write(0, filled(512, 2));
            List<String> seen = new ArrayList<>();
            dev.crashStates(CrashStates.Options.defaults(), s -> {
                if (s.number() == 1) {
                    dev.write(0, filled(512, 3));
                    dev.flush(); // 2 and 3 reach the image now
                }
                seen.add(sectors(s, 1));
            });
            assertThat(seen).containsExactlyInAnyOrder("1", "2");
            ByteBuffer b = ByteBuffer.allocate(512);
            dev.read(0, b);
            assertThat(b.get(0)).isEqualTo((byte) 3);
            assertThat(dev.volatileWrites()).isZero();
        }
    }

    @Test
    void aStateStillReadsItsWriteAfterAFlushFreedItsMemoryForNewWrites() throws Exception {
        // Why: cached data lives in reused chunks; a chunk a state can still read must not be
        // handed to the writes that come in while the states are checked
        try (Device dev = BlkDebug.builder().backend(new MemoryBackend(1 << 20), "mem").volatileLimit(1024).open()) {
            dev.write(0, filled(512, 2));
            List<String> seen = new ArrayList<>();
            dev.crashStates(CrashStates.Options.defaults(), s -> {
                if (s.number() == 1) {
                    dev.flush(); // write 1 leaves the cache
                    dev.write(512, filled(512, 3)); // would land in its memory
                    dev.write(1024, filled(512, 3));
                }
                seen.add(sectors(s, 1));
            });
            assertThat(seen).containsExactlyInAnyOrder("0", "2");
            ByteBuffer b = ByteBuffer.allocate(512);
            dev.read(512, b);
            assertThat(b.get(0)).isEqualTo((byte) 3);
        }
    }
}
