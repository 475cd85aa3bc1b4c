package org.blkdebug.engine.config;

import java.util.ArrayList;
import java.util.List;

import org.blkdebug.engine.OpenException;

/**
 * QEMU 7.2's {@code KEY=VALUE,...} syntax of util/keyval.c, as {@code --object} reads it: dotted
 * keys build nested objects, numeric fragments lists ("rules.0.match=…"), ",," is a literal comma,
 * the first value may omit its implied key, and a bare {@code help} or {@code ?} asks for help.
 * The tree is QDicts (in QEMU's iteration order), lists and String leaves; the errors are QEMU's.
 */
final class Keyval {
    private static final int MAX_FRAGMENT = 127;

    /** The parsed tree and whether help was asked for. */
    record Parsed(QDict dict, boolean help) {
    }

    private Keyval() {
    }

    /** keyval_parse(params, impliedKey, &help). */
    static Parsed parse(String params, String impliedKey) throws OpenException {
        QDict dict = new QDict();
        boolean[] help = {false};
        int s = 0;
        String implied = impliedKey;
        while (s < params.length()) {
            s = parseOne(dict, params, s, implied, help);
            implied = null;
        }
        listify(dict, List.of());
        return new Parsed(dict, help[0]);
    }

    /** help_option.h starts_with_help_option. */
    private static int helpLength(String s, int at) {
        if (at < s.length() && s.charAt(at) == '?') {
            return 1;
        }
        return s.startsWith("help", at) ? 4 : 0;
    }

    private static int parseOne(QDict dict, String params, int start, String implied, boolean[] help)
            throws OpenException {
        int len = 0;
        while (start + len < params.length() && "=,".indexOf(params.charAt(start + len)) < 0) {
            len++;
        }
        String key = params;
        int keyStart = start;
        int valEnd = -1;
        if (len > 0 && (start + len >= params.length() || params.charAt(start + len) != '=')) {
            if (helpLength(params, start) == len) {
                help[0] = true;
                int s = start + len;
                return s < params.length() && params.charAt(s) == ',' ? s + 1 : s;
            }
            if (implied != null) {
                key = implied;
                keyStart = 0;
                valEnd = start + len;
                len = implied.length();
            }
        }
        int keyEnd = keyStart + len;
        QDict cur = dict;
        int s = keyStart;
        String keyInCur = null;
        while (true) {
            int fragment;
            if (s != keyStart && indexLength(key, s) > 0) {
                fragment = indexLength(key, s);
            } else {
                fragment = Math.max(0, qapiNameLength(key, s, keyEnd));
            }
            if (fragment == 0 || (s + fragment < keyEnd && key.charAt(s + fragment) != '.')) {
                throw new OpenException("Invalid parameter '" + key.substring(keyStart, keyEnd) + "'");
            }
            if (fragment > MAX_FRAGMENT) {
                boolean whole = s == keyStart && s + fragment == keyEnd;
                throw new OpenException("Parameter" + (whole ? "" : " fragment") + " '"
                        + key.substring(s, s + fragment) + "' is too long");
            }
            if (s != keyStart) {
                cur = (QDict) put(cur, keyInCur, null, key.substring(keyStart, s - 1));
            }
            keyInCur = key.substring(s, s + fragment);
            s += fragment;
            if (s >= keyEnd || key.charAt(s) != '.') {
                break;
            }
            s++;
        }
        String value;
        int next;
        if (valEnd >= 0) {
            value = params.substring(start, valEnd);
            next = valEnd < params.length() && params.charAt(valEnd) == ',' ? valEnd + 1 : valEnd;
        } else {
            if (s >= params.length() || params.charAt(s) != '=') {
                throw new OpenException("Expected '=' after parameter '" + key.substring(keyStart, s) + "'");
            }
            StringBuilder val = new StringBuilder();
            int p = s + 1;
            while (p < params.length()) {
                char c = params.charAt(p);
                if (c == ',') {
                    p++;
                    if (p >= params.length() || params.charAt(p) != ',') {
                        break;
                    }
                }
                val.append(params.charAt(p++));
            }
            value = val.toString();
            next = p;
        }
        put(cur, keyInCur, value, key.substring(keyStart, keyEnd));
        return next;
    }

    /** keyval_parse_put: a null value asks for a nested QDict. */
    private static Object put(QDict cur, String keyInCur, String value, String keySoFar) throws OpenException {
        Object old = cur.get(keyInCur);
        if (old != null) {
            if ((value != null) != (old instanceof String)) {
                throw new OpenException("Parameters '" + keySoFar + ".*' used inconsistently");
            }
            if (value == null) {
                return old;
            }
        }
        Object v = value != null ? value : new QDict();
        cur.put(keyInCur, v);
        return v;
    }

    /** The length of the run of decimal digits at {@code at} (key_to_index's number), 0 if none. */
    private static int indexLength(String s, int at) {
        int j = at;
        while (j < s.length() && s.charAt(j) >= '0' && s.charAt(j) <= '9') {
            j++;
        }
        return j - at;
    }

    /** key_to_index for a whole key: its number capped at INT_MAX, or -1. */
    private static int index(String key) {
        if (key.isEmpty() || indexLength(key, 0) != key.length()) {
            return -1;
        }
        String digits = key.replaceFirst("^0+(?=.)", "");
        return digits.length() > 10 || Long.parseLong(digits) > Integer.MAX_VALUE ? Integer.MAX_VALUE
                : Integer.parseInt(digits);
    }

    private static boolean alpha(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static boolean alnum(char c) {
        return alpha(c) || (c >= '0' && c <= '9');
    }

    /** util/qapi-util.c parse_qapi_name(str, false), within {@code [at, end)}; -1 if none. */
    private static int qapiNameLength(String s, int at, int end) {
        int p = at;
        if (p < end && s.charAt(p) == '_') {
            p++;
            if (p >= end || s.charAt(p) != '_') {
                return -1;
            }
            p++;
            while (p < end && (alnum(s.charAt(p)) || s.charAt(p) == '-' || s.charAt(p) == '.')) {
                p++;
            }
            if (p >= end || s.charAt(p) != '_') {
                return -1;
            }
            p++;
        }
        if (p >= end || !alpha(s.charAt(p))) {
            return -1;
        }
        p++;
        while (p < end && (alnum(s.charAt(p)) || s.charAt(p) == '-' || s.charAt(p) == '_')) {
            p++;
        }
        return p - at;
    }

    /** keyval_listify: QDicts whose keys are all indexes become lists, checked for gaps. */
    private static Object listify(QDict cur, List<String> keyOfCur) throws OpenException {
        boolean hasIndex = false;
        boolean hasMember = false;
        for (String k : cur.keys()) {
            if (index(k) >= 0) {
                hasIndex = true;
            } else {
                hasMember = true;
            }
            if (cur.get(k) instanceof QDict sub) {
                List<String> path = new ArrayList<>(keyOfCur);
                path.add(k);
                Object v = listify(sub, path);
                if (v != sub) {
                    cur.put(k, v);
                }
            }
        }
        String prefix = keyOfCur.isEmpty() ? "" : String.join(".", keyOfCur) + ".";
        if (hasIndex && hasMember) {
            throw new OpenException("Parameters '" + prefix + "*' used inconsistently");
        }
        if (!hasIndex) {
            return cur;
        }
        int nelt = cur.size() + 1;
        Object[] elt = new Object[nelt];
        int maxIndex = -1;
        for (String k : cur.keys()) {
            int i = index(k);
            maxIndex = Math.max(maxIndex, i);
            if (i < nelt - 1) {
                elt[i] = cur.get(k);
            }
        }
        List<Object> list = new ArrayList<>();
        for (int i = 0; i < Math.min(nelt, maxIndex + 1); i++) {
            if (elt[i] == null) {
                throw new OpenException("Parameter '" + prefix + i + "' missing");
            }
            list.add(elt[i]);
        }
        return list;
    }
}
