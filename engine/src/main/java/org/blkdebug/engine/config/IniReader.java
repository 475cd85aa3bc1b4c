package org.blkdebug.engine.config;

import java.nio.charset.StandardCharsets;

import org.blkdebug.engine.OpenException;

/**
 * util/qemu-config.c {@code qemu_config_foreach} of QEMU 7.2, byte for byte: {@code fgets} into a
 * 1024-byte buffer (longer lines are cut into 1023-byte pieces, each read as a line of its own),
 * and {@code sscanf} for the two line forms. Its quirks are QEMU's and are kept on purpose:
 * <ul>
 *   <li>only a line starting with '\n' is blank and only one starting with '#' is a comment, so a
 *       line of blanks (or "\r\n") is a {@code parse error} and an indented '#' is a key;</li>
 *   <li>{@code " %63s = \"%1023[^\"]\""}: any token is a key (63 bytes at most), and the value is
 *       empty unless {@code = "} follows; text after the closing quote is ignored; a missing
 *       closing quote keeps the rest of the line, newline included;</li>
 *   <li>{@code "[%63s \"%63[^\"]\"]"} then {@code "[%63[^]]]"} for group lines, so {@code [ x ]}
 *       names group " x " and an unclosed {@code [x} names "x\n";</li>
 *   <li>a group is handed on when the next one starts or at the end of input, so a parse error
 *       later in the same group is reported first; and the last group is handed on under the
 *       name left in the group buffer, which a failed group line like {@code []} overwrites.</li>
 * </ul>
 * The input is a byte string: one char per byte (ISO-8859-1); names and values are decoded as
 * UTF-8 when handed on.
 */
final class IniReader {
    /** {@code cb(group, qdict)} of qemu_config_foreach. */
    interface SectionSink {
        void section(String group, QDict options) throws OpenException;
    }

    private static final int LINE_MAX = 1023; // fgets(line, 1024, fp)

    private IniReader() {
    }

    private record Scan(String text, int end) {
    }

    static void read(String bytes, SectionSink sink) throws OpenException {
        String groupBuf = "";
        String prevGroup = "";
        QDict dict = null;
        int pos = 0;
        int n = bytes.length();
        while (pos < n) {
            int end = pos;
            while (end < n && end - pos < LINE_MAX) {
                if (bytes.charAt(end++) == '\n') {
                    break;
                }
            }
            String raw = bytes.substring(pos, end);
            pos = end;
            char first = raw.charAt(0);
            if (first == '\n' || first == '#') {
                continue;
            }
            String line = Strtox.cstr(raw); // sscanf sees the C string
            if (first == '[') {
                QDict prev = dict;
                String id = null;
                boolean matched = false;
                Scan tok = token(line, 1, 63);
                if (tok != null) {
                    groupBuf = tok.text(); // sscanf wrote %63s even if the rest fails
                    int p = skipSpace(line, tok.end());
                    if (p < line.length() && line.charAt(p) == '"') {
                        Scan idScan = until(line, p + 1, 63, '"');
                        if (idScan != null) {
                            id = idScan.text();
                            matched = true;
                        }
                    }
                }
                if (!matched) {
                    Scan g = until(line, 1, 63, ']');
                    if (g != null) {
                        groupBuf = g.text();
                        matched = true;
                    }
                }
                if (matched) {
                    dict = new QDict();
                    if (id != null) {
                        dict.put("id", utf8(id));
                    }
                    if (prev != null) {
                        sink.section(utf8(prevGroup), prev);
                    }
                    prevGroup = groupBuf;
                    continue;
                }
            }
            Scan key = token(line, 0, 63);
            if (key == null) {
                throw new OpenException("parse error");
            }
            String value = "";
            int p = skipSpace(line, key.end());
            if (p < line.length() && line.charAt(p) == '=') {
                p = skipSpace(line, p + 1);
                if (p < line.length() && line.charAt(p) == '"') {
                    Scan v = until(line, p + 1, 1023, '"');
                    if (v != null) {
                        value = v.text();
                    }
                }
            }
            if (dict == null) {
                throw new OpenException("no group defined");
            }
            dict.put(utf8(key.text()), utf8(value));
        }
        if (dict != null) {
            sink.section(utf8(groupBuf), dict);
        }
    }

    private static int skipSpace(String s, int p) {
        while (p < s.length() && Strtox.isCSpace(s.charAt(p))) {
            p++;
        }
        return p;
    }

    /** {@code %Ns}: skips white space, then 1..max non-space bytes; null if there are none. */
    private static Scan token(String s, int p, int max) {
        p = skipSpace(s, p);
        int start = p;
        while (p < s.length() && p - start < max && !Strtox.isCSpace(s.charAt(p))) {
            p++;
        }
        return p == start ? null : new Scan(s.substring(start, p), p);
    }

    /** {@code %N[^c]}: 1..max bytes other than {@code stop}; null if there are none. */
    private static Scan until(String s, int p, int max, char stop) {
        int start = p;
        while (p < s.length() && p - start < max && s.charAt(p) != stop) {
            p++;
        }
        return p == start ? null : new Scan(s.substring(start, p), p);
    }

    static String utf8(String latin1) {
        return new String(latin1.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    }
}
