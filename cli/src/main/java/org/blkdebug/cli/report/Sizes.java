package org.blkdebug.cli.report;

/**
 * qemu-io's {@code cvtstr}: a byte count as {@code 512 bytes}, {@code 1.500 KiB}, {@code 1 MiB}.
 *
 * <p>QEMU formats with {@code %.3f} (bytes: {@code %f}) and then cuts the text at the first
 * {@code ".000"}, replacing it by the unit; so {@code 3.000123 bytes} prints as {@code 3 bytes}.
 */
public final class Sizes {
    private static final String[] UNITS = {" EiB", " PiB", " TiB", " GiB", " MiB", " KiB"};
    private static final int[] SHIFTS = {60, 50, 40, 30, 20, 10};

    private Sizes() {
    }

    public static String cvtstr(double value) {
        String text = null;
        String suffix = " bytes";
        for (int i = 0; i < UNITS.length; i++) {
            double unit = (double) (1L << SHIFTS[i]);
            if (value >= unit) {
                suffix = UNITS[i];
                text = CFormat.fixed(value / unit, 3);
                break;
            }
        }
        if (text == null) {
            text = CFormat.fixed(value, 6);
        }
        int trim = text.indexOf(".000");
        return trim >= 0 ? text.substring(0, trim) + suffix : text + suffix;
    }
}
