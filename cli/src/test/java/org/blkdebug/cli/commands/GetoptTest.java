package org.blkdebug.cli.commands;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** glibc getopt's options, in its order and words (options may follow operands, which keep their order). */
class GetoptTest {
    private static final String READ = "bCl:pP:qs:v";

    /** Parses {@code args}, recording each option as "c" or "c=arg"; the result's operands or error last. */
    private static List<String> parse(String command, String... args) {
        List<String> seen = new ArrayList<>();
        Getopt.Result r = Getopt.parse(command, READ, List.of(args),
                (c, arg) -> seen.add(arg == null ? String.valueOf(c) : c + "=" + arg));
        seen.add(r.error() != null ? "error: " + r.error() : "operands: " + r.operands());
        return seen;
    }

    @Test
    void optionsAnywhereInOrderAndOperandsPermutedToTheEnd() {
        assertThat(parse("read", "0", "-qv", "1", "-P5", "-s", "7"))
                .containsExactly("q", "v", "P=5", "s=7", "operands: [0, 1]");
    }

    @Test
    void reportsFirstInvalidOptionInClusterAfterTheOptionsBeforeIt() {
        assertThat(parse("read", "-qx", "0", "1")).containsExactly("q", "error: read: invalid option -- 'x'");
    }

    @Test
    void negativeNumberIsAnInvalidOption() {
        assertThat(parse("read", "0", "-1")).containsExactly("error: read: invalid option -- '1'");
    }

    @Test
    void longOptionIsInvalidDash() {
        assertThat(parse("read", "--foo", "0", "1")).containsExactly("error: read: invalid option -- '-'");
    }

    @Test
    void missingArgumentIsReported() {
        assertThat(parse("r", "0", "1", "-P")).containsExactly("error: r: option requires an argument -- 'P'");
    }

    @Test
    void optionArgumentMayLookLikeAnOption() {
        assertThat(parse("read", "-P", "-1", "0", "1")).containsExactly("P=-1", "operands: [0, 1]");
    }

    @Test
    void doubleDashEndsOptionsAndALoneDashIsAnOperand() {
        assertThat(parse("read", "-", "--", "-1", "1")).containsExactly("operands: [-, -1, 1]");
    }

    /** As qemu-io's option loop returns at a bad value: the options after it are not looked at. */
    @Test
    void aHandlerThatThrowsStopsTheScan() {
        assertThatThrownBy(() -> Getopt.parse("read", READ, List.of("-P", "x", "-z"), (c, arg) -> {
            throw new ArgumentError(arg + " is not a valid pattern byte");
        })).isInstanceOf(ArgumentError.class).hasMessage("x is not a valid pattern byte");
    }
}
