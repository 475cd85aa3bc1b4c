package org.blkdebug.cli.commands;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Vectors from qemu-io 7.2 ({@code read N 0} on a 1 MiB image), see cvtnum/qemu_strtosz. */
class NumbersTest {
    private static long cvt(String s) throws Numbers.NumberFormatError {
        return Numbers.cvtnum(s, w -> { });
    }

    @ParameterizedTest
    @CsvSource({"1.5k,1536", "0.5k,512", "1.k,1024", "0x1f,31", "0X1F,31", "1K,1024", "1b,1", "1B,1", "0b,0",
        "1m,1048576", "12,12", "+12,12", "012,12", "1.0000000001k,1024", "1.1k,1126", "1.0001k,1024",
        "0x10b,267", "1.9999999999999999999M,1048576", "9223372036854775807,9223372036854775807",
        "0x7fffffffffffffff,9223372036854775807"})
    void acceptsWhatQemuAccepts(String text, long value) throws Exception {
        assertThat(cvt(text)).isEqualTo(value);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.5", ".5k", "1e3", "0x", "0x1.5k", "1kB", "0.1", "1.3b", "00x10", "1k2", "1e+3k",
        "inf", "nan", "abc", "1x", "-1"})
    void rejectsAsNonNumeric(String text) {
        assertThatThrownBy(() -> cvt(text)).isInstanceOf(Numbers.NumberFormatError.class)
                .hasMessage("Parsing error: non-numeric argument, or extraneous/unrecognized suffix -- " + text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"8E", "9223372036854775808", "18446744073709551615", "18446744073709551616",
        "0xffffffffffffffff", "16E"})
    void rejectsAsTooLarge(String text) {
        assertThatThrownBy(() -> cvt(text)).hasMessage("Parsing error: argument too large -- " + text);
    }

    @Test
    void hexWithSuffixWarnsButWorks() throws Exception {
        List<String> warnings = new ArrayList<>();
        assertThat(Numbers.cvtnum("0x10k", warnings::add)).isEqualTo(16384);
        assertThat(warnings).containsExactly("Using a multiplier suffix on hex numbers is deprecated: 0x10k");
    }

    @Test
    void exabyteSuffixesScale() throws Exception {
        assertThat(cvt("1e")).isEqualTo(1L << 60);
        assertThat(cvt("4.5E")).isEqualTo(9L << 59);
    }

    // sleep and -P use strtol(s, &end, 0): hex and octal, nothing left over
    @Test
    void strtolTakesHexAndOctalButNoSuffix() {
        assertThat(Numbers.strtolWhole("0x10")).isEqualTo(16L);
        assertThat(Numbers.strtolWhole("010")).isEqualTo(8L);
        assertThat(Numbers.strtolWhole("1k")).isNull();
        assertThat(Numbers.strtolWhole("abc")).isNull();
        assertThat(Numbers.strtolWhole("-1")).isEqualTo(-1L);
    }

    @Test
    void patternIsOneByte() {
        assertThat(Numbers.patternByte("0xff")).isEqualTo(255);
        assertThat(Numbers.patternByte("0x1ff")).isNull();
        assertThat(Numbers.patternByte("-1")).isNull();
        assertThat(Numbers.patternByte("5")).isEqualTo(5);
    }
}
