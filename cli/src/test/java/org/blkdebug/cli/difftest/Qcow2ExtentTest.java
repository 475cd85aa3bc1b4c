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
