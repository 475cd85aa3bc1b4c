package org.blkdebug.cli.difftest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** {@link Qcow2Extent}: where an image's counted clusters end, as qemu-img check's image end offset. */
class Qcow2ExtentTest {
    /** A v3 image of 512-byte clusters: header, reftable at cluster 1, refblock at cluster 2 counting clusters 0..2. */
    private static ByteBuffer image(int length, int order) {
        ByteBuffer b = ByteBuffer.allocate(length);
        b.putInt(0, 0x514649fb).putInt(4, 3).putInt(20, 9).putLong(48, 512).putInt(56, 1).putInt(96, order);
        b.putLong(512, 1024);
        return b;
    }

    /**
     * A 1 KiB guest in 512-byte clusters: L1 at cluster 3, L2 at 4, guest cluster 0 at host
     * {@code first} holding 0x11, guest 1 at {@code second} holding {@code secondByte}; clusters
     * 0..6 counted.
     */
    private static byte[] mapped(int first, int second, byte secondByte) {
        ByteBuffer b = image(4096, 4);
        for (int i = 0; i < 7; i++) {
            b.putShort(1024 + 2 * i, (short) 1);
        }
        b.putLong(24, 1024).putInt(36, 1).putLong(40, 3 * 512);
        b.putLong(3 * 512, 0x8000000000000000L | 4 * 512);
        b.putLong(4 * 512, 0x8000000000000000L | first * 512).putLong(4 * 512 + 8, 0x8000000000000000L | second * 512);
        b.put(first * 512, (byte) 0x11).put(second * 512, secondByte);
        return b.array();
    }

    @Test
    void theGuestDigestIgnoresWhereTheClustersAre() {
        // seed 50000000 session 7784: the same data, allocated in another order
        assertThat(Qcow2Extent.guest(mapped(5, 6, (byte) 0x22))).isNotNull()
                .isEqualTo(Qcow2Extent.guest(mapped(6, 5, (byte) 0x22)));
        assertThat(Qcow2Extent.guest(mapped(5, 6, (byte) 0x22))).isNotEqualTo(Qcow2Extent.guest(mapped(5, 6, (byte) 0x23)));
        assertThat(Qcow2Extent.counted(mapped(5, 6, (byte) 0x22))).isEqualTo(7);
    }

    @Test
    void aClusterMappedWhollyPastTheEndOfTheFileReadsAsZeroes() {
        // seed 90000000: a failed write left an L2 entry pointing past the file's end
        byte[] past = mapped(5, 6, (byte) 0);
        ByteBuffer.wrap(past).putLong(4 * 512 + 8, 0x8000000000000000L | 20 * 512);
        assertThat(Qcow2Extent.guest(past)).isNotNull().isEqualTo(Qcow2Extent.guest(mapped(5, 6, (byte) 0)));
    }

    @Test
    void theEndIsPastTheLastClusterWithARefcount() {
        ByteBuffer b = image(4096, 4);
        b.putShort(1024, (short) 1).putShort(1026, (short) 1).putShort(1028, (short) 1);
        // a stray byte past the counted clusters (data a failed write left) does not move it
        b.put(3000, (byte) 0x54);
        assertThat(Qcow2Extent.end(b.array())).isEqualTo(3 * 512);
    }

    @Test
    void subByteRefcountsCount() {
        ByteBuffer b = image(4096, 1); // 2-bit refcounts: cluster 3's is bits 6..7 of the first byte
        b.put(1024, (byte) 0b0100_0000);
        assertThat(Qcow2Extent.end(b.array())).isEqualTo(4 * 512);
    }

    @Test
    void notQcow2HasNoEnd() {
        assertThat(Qcow2Extent.end(new byte[4096])).isEqualTo(-1);
    }

    @Test
    void aRefcountBlockPastTheFileHasNoEnd() {
        ByteBuffer b = image(1024, 4); // the refblock at 1024 is not in the file
        assertThat(Qcow2Extent.end(b.array())).isEqualTo(-1);
    }
}
