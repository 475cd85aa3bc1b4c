package org.blkdebug.cli.report;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** cvtstr texts, as qemu-io 7.2 prints them in reports and {@code length}. */
class SizesTest {
    @Test
    void wholeUnitsDropTheFraction() {
        assertThat(Sizes.cvtstr(512)).isEqualTo("512 bytes");
        assertThat(Sizes.cvtstr(1024)).isEqualTo("1 KiB");
        assertThat(Sizes.cvtstr(1 << 20)).isEqualTo("1 MiB");
        assertThat(Sizes.cvtstr(128L << 20)).isEqualTo("128 MiB");
        assertThat(Sizes.cvtstr(0)).isEqualTo("0 bytes");
    }

    @Test
    void fractionsKeepThreeDecimals() {
        assertThat(Sizes.cvtstr(1536)).isEqualTo("1.500 KiB");
        assertThat(Sizes.cvtstr(100000)).isEqualTo("97.656 KiB");
    }

    // QEMU prints bytes with %f and cuts at the first ".000": a rate of 3.850543 bytes/s keeps its digits
    @Test
    void byteRatesUseSixDecimals() {
        assertThat(Sizes.cvtstr(3.850543)).isEqualTo("3.850543 bytes");
        assertThat(Sizes.cvtstr(3.000123)).isEqualTo("3 bytes");
    }

    @Test
    void infinityPrintsAsGlibcDoes() {
        assertThat(Sizes.cvtstr(Double.POSITIVE_INFINITY)).isEqualTo("inf EiB");
    }
}
