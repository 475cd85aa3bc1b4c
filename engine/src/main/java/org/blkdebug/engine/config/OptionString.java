package org.blkdebug.engine.config;

import org.blkdebug.engine.OpenException;

/**
 * A QemuOpts option string as {@code --image-opts} and {@code open -o} take it (util/qemu-option.c
 * {@code opts_parse} + {@code qemu_opts_to_qdict} for qemu-io's accept-anything list):
 * {@code key=value} pairs split at ',' where ",," is a literal comma; a bare {@code key} means
 * {@code key=on} and {@code nokey} means {@code key=off} (QEMU also warns that this is
 * deprecated); a repeated key keeps its first place and its last value; an {@code id} must be a
 * well-formed identifier and, like QEMU, is passed on as an option of the top node.
 */
final class OptionString {
    private OptionString() {
    }

    private record NameValue(String name, String value, int next) {
    }

    static QDict parse(String params) throws OpenException {
        String id = null;
        for (int p = 0; p < params.length(); ) {
            NameValue nv = nameValue(params, p);
            if (nv.name().equals("id")) {
                id = nv.value();
                break;
            }
            p = nv.next();
        }
        QDict dict = new QDict();
        if (id != null) {
            if (!Opts.wellFormedId(id)) {
                throw new OpenException(Opts.badIdMessage());
            }
            dict.put("id", id);
        }
        for (int p = 0; p < params.length(); ) {
            NameValue nv = nameValue(params, p);
            if (!nv.name().equals("id")) {
                dict.put(nv.name(), nv.value());
            }
            p = nv.next();
        }
        return dict;
    }

    /** get_opt_name_value without an implied first option name. */
    private static NameValue nameValue(String s, int p) {
        int n = s.length();
        int len = p;
        while (len < n && s.charAt(len) != '=' && s.charAt(len) != ',') {
            len++;
        }
        String name = s.substring(p, len);
        String value;
        int q;
        if (len >= n || s.charAt(len) != '=') {
            if (name.startsWith("no")) {
                name = name.substring(2);
                value = "off";
            } else {
                value = "on";
            }
            q = len;
        } else {
            // get_opt_value: up to the next single ',', with ",," read as ','.
            StringBuilder sb = new StringBuilder();
            q = len + 1;
            while (true) {
                int comma = s.indexOf(',', q);
                int off = comma < 0 ? n : comma;
                sb.append(s, q, off);
                if (off < n && off + 1 < n && s.charAt(off + 1) == ',') {
                    sb.append(',');
                    q = off + 2;
                    continue;
                }
                q = off;
                break;
            }
            value = sb.toString();
        }
        if (q < n) {
            q++; // the ',' separator
        }
        return new NameValue(name, value, q);
    }
}
