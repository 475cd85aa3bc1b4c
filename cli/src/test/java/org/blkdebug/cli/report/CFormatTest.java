package org.blkdebug.cli.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** {@code %.Nf} as glibc prints it: the exact binary value rounded half to even. */
class CFormatTest {
    @Test
    void tiesGoToTheEvenDigitOfTheExactValue() {
        assertThat(CFormat.fixed(1.0625, 3)).isEqualTo("1.062");
        assertThat(CFormat.fixed(1.0675, 3)).isEqualTo("1.067"); // not a tie: 1.067499999999999893...
        assertThat(CFormat.fixed(0.125, 2)).isEqualTo("0.12");
        assertThat(CFormat.fixed(0.375, 2)).isEqualTo("0.38");
        assertThat(CFormat.fixed(2.5, 0)).isEqualTo("2");
        assertThat(CFormat.fixed(1.0005, 3)).isEqualTo("1.000"); // 1.000499999999999989...
    }

    @Test
    void smallLargeAndSpecialValues() {
        assertThat(CFormat.fixed(0.0, 4)).isEqualTo("0.0000");
        assertThat(CFormat.fixed(-0.0, 2)).isEqualTo("-0.00");
        assertThat(CFormat.fixed(Double.MIN_VALUE, 6)).isEqualTo("0.000000");
        assertThat(CFormat.fixed(1e20, 3)).isEqualTo("100000000000000000000.000");
        assertThat(CFormat.fixed(0.009, 2)).isEqualTo("0.01");
        assertThat(CFormat.fixed(Double.POSITIVE_INFINITY, 3)).isEqualTo("inf");
        assertThat(CFormat.fixed(Double.NEGATIVE_INFINITY, 3)).isEqualTo("-inf");
        assertThat(CFormat.fixed(0.0 / 0.0, 3)).isEqualTo("-nan");
        assertThat(CFormat.zeroPadded52(0.5)).isEqualTo("00.50");
        assertThat(CFormat.zeroPadded52(59.999)).isEqualTo("60.00");
    }

    // The oracle is glibc's printf itself (coreutils printf, whose long double holds every
    // double exactly), fed the exact decimal expansion of each double.
    @Test
    void agreesWithGlibcPrintfOnRandomDoubles() throws IOException, InterruptedException {
        SplittableRandom random = new SplittableRandom(20261202);
        List<Double> values = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            double v = switch (i % 4) {
                case 0 -> random.nextDouble() * 1000; // rates and sizes
                case 1 -> random.nextInt(1 << 20) / 1024.0 / 1024.0 * 4; // binary fractions: exact ties
                case 2 -> Math.scalb(random.nextDouble(), random.nextInt(-40, 70));
                default -> random.nextInt(100_000) / 1000.0 + 0.0005; // near a tie, not on one
            };
            values.add(v);
        }
        for (int decimals : new int[] {2, 3, 4, 6}) {
            List<String> command = new ArrayList<>(List.of("printf", "%." + decimals + "f\\n"));
            for (double v : values) {
                command.add(new BigDecimal(v).toPlainString());
            }
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            List<String> expected = out.lines().toList();
            assertThat(expected).hasSize(values.size());
            for (int i = 0; i < values.size(); i++) {
                assertThat(CFormat.fixed(values.get(i), decimals)).as("%s with %d decimals", values.get(i), decimals)
                        .isEqualTo(expected.get(i));
            }
        }
    }
}
