package org.blkdebug.cli.report;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TimesTest {
    @Test
    void underOneSecondPrintsSecondsFraction() {
        assertThat(Times.timestr(1_234_000, false)).isEqualTo("00.00 sec");
        assertThat(Times.timestr(120_000_000, false)).isEqualTo("00.12 sec");
    }

    @Test
    void fromOneSecondPrintsHoursMinutesSeconds() {
        assertThat(Times.timestr(561_170_000_000L, false)).isEqualTo("0:09:21.17");
        assertThat(Times.timestr(3_723_500_000_000L, false)).isEqualTo("1:02:03.50");
    }

    // -C always uses the long form
    @Test
    void machineFormatAlwaysUsesLongForm() {
        assertThat(Times.timestr(1_000_000, true)).isEqualTo("0:00:00.00");
    }

    @Test
    void statsLinesMatchQemuIo() {
        Stats s = new Stats("wrote", 0, 512, 512, 1, 2_000_000);
        assertThat(s.render(false)).isEqualTo("wrote 512/512 bytes at offset 0\n"
                + "512 bytes, 1 ops; 00.00 sec (250 KiB/sec and 500.0000 ops/sec)\n");
        assertThat(s.render(true)).isEqualTo("512,1,0:00:00.00,256000.000,500.000\n");
    }
}
