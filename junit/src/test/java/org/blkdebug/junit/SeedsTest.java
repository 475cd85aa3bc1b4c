package org.blkdebug.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/** A seed printed in a failure is accepted back by -Dtests.seed=, whatever its bits. */
class SeedsTest {
    @Test
    void printedSeedsReadBackIncludingTheTopBit() {
        for (long seed : new long[] {0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE, 0x8000000000000001L, 0xdeadbeefcafef00dL}) {
            assertThat(Seeds.parse(Seeds.hex(seed))).as(Seeds.hex(seed)).isEqualTo(seed);
        }
    }

    @Test
    void decimalSeedsAreAcceptedToo() {
        assertThat(Seeds.parse(" -42 ")).isEqualTo(-42);
    }

    @Test
    void garbageIsAClearError() {
        assertThatThrownBy(() -> Seeds.parse("0xnothex")).isInstanceOf(ExtensionConfigurationException.class)
                .hasMessageContaining("-Dtests.seed=0xnothex is not a seed");
        assertThatThrownBy(() -> Seeds.parse("0x1" + "0".repeat(16))).isInstanceOf(ExtensionConfigurationException.class);
    }
}
