package org.blkdebug.cli.commands;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The first option error, in glibc getopt's words and order (options may follow operands). */
class GetoptTest {
    private static final String READ = "bCl:pP:qs:v";

    @Test
    void acceptsValidOptionsAnywhere() {
        assertThat(Getopt.scan("read", READ, List.of("0", "1", "-q", "-P5"))).isNull();
    }

    @Test
    void reportsFirstInvalidOptionInCluster() {
        Getopt.Failure f = Getopt.scan("read", READ, List.of("-qx", "0", "1"));
        assertThat(f.message()).isEqualTo("read: invalid option -- 'x'");
        assertThat(f.before()).containsExactly("-q");
    }

    @Test
    void negativeNumberIsAnInvalidOption() {
        assertThat(Getopt.scan("read", READ, List.of("0", "-1")).message()).isEqualTo("read: invalid option -- '1'");
    }

    @Test
    void longOptionIsInvalidDash() {
        assertThat(Getopt.scan("read", READ, List.of("--foo", "0", "1")).message())
                .isEqualTo("read: invalid option -- '-'");
    }

    @Test
    void missingArgumentIsReported() {
        assertThat(Getopt.scan("r", READ, List.of("0", "1", "-P")).message())
                .isEqualTo("r: option requires an argument -- 'P'");
    }

    @Test
    void optionArgumentMayLookLikeAnOption() {
        assertThat(Getopt.scan("read", READ, List.of("-P", "-1", "0", "1"))).isNull();
    }

    @Test
    void doubleDashEndsOptions() {
        assertThat(Getopt.scan("read", READ, List.of("--", "-1", "1"))).isNull();
    }
}
