package org.blkdebug.cli.report;

import java.nio.ByteBuffer;

/** qemu-io's {@code dump_buffer} ({@code read -v}): 16 bytes a line, then isalnum() characters. */
public final class HexDump {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private HexDump() {
    }

    public static String render(ByteBuffer data, long offset) {
        ByteBuffer b = data.duplicate();
        int len = b.remaining();
        StringBuilder sb = new StringBuilder(len * 4 + 16);
        for (int i = 0; i < len; i += 16) {
            sb.append(String.format(java.util.Locale.ROOT, "%08x:  ", offset + i));
            int n = Math.min(16, len - i);
            for (int j = 0; j < n; j++) {
                int v = b.get(b.position() + i + j) & 0xff;
                sb.append(HEX[v >> 4]).append(HEX[v & 15]).append(' ');
            }
            sb.append(' ');
            for (int j = 0; j < n; j++) {
                int v = b.get(b.position() + i + j) & 0xff;
                sb.append(isAlnum(v) ? (char) v : '.');
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** C isalnum() in the "C" locale. */
    private static boolean isAlnum(int c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }
}
