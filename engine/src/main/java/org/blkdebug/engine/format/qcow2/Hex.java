package org.blkdebug.engine.format.qcow2;

/** C's printf formats QEMU's qcow2 messages use, where Java's differ ({@code %#x} of 0 is "0"). */
final class Hex {
    private Hex() {
    }

    /** {@code %#x}: {@code 0x} and lower-case hex, but a bare {@code 0} for zero. */
    static String c(long v) {
        return v == 0 ? "0" : "0x" + Long.toHexString(v);
    }

    /** {@code fmt} with each {@code %#x}, {@code %x} and {@code %d} replaced by the next argument. */
    static String f(String fmt, long... args) {
        StringBuilder sb = new StringBuilder();
        int a = 0;
        for (int i = 0; i < fmt.length(); i++) {
            char ch = fmt.charAt(i);
            if (ch == '%' && fmt.startsWith("%#x", i)) {
                sb.append(c(args[a++]));
                i += 2;
            } else if (ch == '%' && fmt.startsWith("%x", i)) {
                sb.append(Long.toHexString(args[a++]));
                i += 1;
            } else if (ch == '%' && fmt.startsWith("%d", i)) {
                sb.append(args[a++]);
                i += 1;
            } else {
                sb.append(ch);
            }
        }
        return sb.toString();
    }
}
