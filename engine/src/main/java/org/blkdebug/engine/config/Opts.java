package org.blkdebug.engine.config;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import org.blkdebug.engine.OpenException;

/**
 * One {@code QemuOpts}: the options of one rule section or of the blkdebug node, checked against
 * its list's descriptions as util/qemu-option.c does (unknown key, number, bool and size errors).
 */
final class Opts {
    enum Type { STRING, NUMBER, BOOL, SIZE }

    /** A {@code QemuOptsList}: its name and option descriptions. */
    record OptsList(String name, Map<String, Type> desc) {
        /** block/blkdebug.c inject_error_opts. */
        static final OptsList INJECT_ERROR = new OptsList("inject-error", descs(
                "event", Type.STRING, "state", Type.NUMBER, "iotype", Type.STRING,
                "errno", Type.NUMBER, "sector", Type.NUMBER, "once", Type.BOOL,
                "immediately", Type.BOOL, "probability", Type.STRING,
                // ours, not QEMU's: let N matching requests pass before the rule fires
                "skip", Type.NUMBER));
        /** Ours, not QEMU's: {@code [inject-delay]} sleeps the request at the event. */
        static final OptsList INJECT_DELAY = new OptsList("inject-delay", descs(
                "event", Type.STRING, "state", Type.NUMBER, "iotype", Type.STRING,
                "sector", Type.NUMBER, "once", Type.BOOL, "delay", Type.STRING,
                "probability", Type.STRING));
        /** block/blkdebug.c set_state_opts. */
        static final OptsList SET_STATE = new OptsList("set-state", descs(
                "event", Type.STRING, "state", Type.NUMBER, "new_state", Type.NUMBER));
        /** Ours, not QEMU's: {@code [custom-event]} declares one custom event (D13). */
        static final OptsList CUSTOM_EVENT = new OptsList("custom-event", descs("name", Type.STRING));
        /** block/blkdebug.c runtime_opts. */
        static final OptsList BLKDEBUG = new OptsList("blkdebug", descs(
                "config", Type.STRING, "x-image", Type.STRING, "align", Type.SIZE,
                "max-transfer", Type.SIZE, "opt-write-zero", Type.SIZE, "max-write-zero", Type.SIZE,
                "opt-discard", Type.SIZE, "max-discard", Type.SIZE,
                // ours, not QEMU's: the seed of probabilistic rules and the kind of clock
                "seed", Type.NUMBER, "clock", Type.STRING));

        private static Map<String, Type> descs(Object... kv) {
            Map<String, Type> m = new LinkedHashMap<>();
            for (int i = 0; i < kv.length; i += 2) {
                m.put((String) kv[i], (Type) kv[i + 1]);
            }
            return Map.copyOf(m);
        }

        /**
         * qemu_opts_create with fail_if_exists: checks the id's form and that {@code usedIds} does
         * not hold it yet.
         */
        Opts create(String id, Set<String> usedIds) throws OpenException {
            if (id != null) {
                if (!wellFormedId(id)) {
                    throw new OpenException(badIdMessage());
                }
                if (!usedIds.add(id)) {
                    throw new OpenException("Duplicate ID '" + id + "' for " + name);
                }
            }
            return new Opts(this);
        }
    }

    /** QERR_INVALID_PARAMETER_VALUE for "id", with the hint qemu-io prints on the next line. */
    static String badIdMessage() {
        return "Parameter 'id' expects an identifier\n"
                + "Identifiers consist of letters, digits, '-', '.', '_', starting with a letter.";
    }

    /** util/id.c id_wellformed. */
    static boolean wellFormedId(String id) {
        if (id.isEmpty() || !isAsciiLetter(id.charAt(0))) {
            return false;
        }
        for (int i = 1; i < id.length(); i++) {
            char c = id.charAt(i);
            if (!isAsciiLetter(c) && !(c >= '0' && c <= '9') && c != '-' && c != '.' && c != '_') {
                return false;
            }
        }
        return true;
    }

    private static boolean isAsciiLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private final OptsList list;
    /** Parsed values: String, Long (numbers and sizes as uint64 bits) or Boolean; last set wins. */
    private final Map<String, Object> values = new HashMap<>();

    private Opts(OptsList list) {
        this.list = list;
    }

    /** opt_set: rejects keys the list does not describe and parses the value by its type. */
    void set(String key, String value) throws OpenException {
        Type t = list.desc().get(key);
        if (t == null) {
            throw new OpenException("Invalid parameter '" + key + "'");
        }
        values.put(key, switch (t) {
            case STRING -> Strtox.cstr(value);
            case NUMBER -> Strtox.number(key, value);
            case BOOL -> Strtox.bool(key, value);
            case SIZE -> Strtox.size(key, value);
        });
    }

    /** qemu_opts_from_qdict_entry: strings and scalars are set, other values are skipped. */
    private void setEntry(String key, Object value) throws OpenException {
        if (value instanceof String s) {
            set(key, s);
        } else if (value instanceof QDict.Scalar sc) {
            set(key, sc.text());
        }
    }

    /** qemu_opts_from_qdict: every entry but "id", in QDict order; the first error wins. */
    void setAll(QDict dict) throws OpenException {
        for (String k : dict.keys()) {
            if (!k.equals("id")) {
                setEntry(k, dict.get(k));
            }
        }
    }

    /** qemu_opts_absorb_qdict: takes (and removes) the entries this list describes. */
    void absorb(QDict dict) throws OpenException {
        for (String k : dict.keys()) {
            if (list.desc().containsKey(k)) {
                setEntry(k, dict.get(k));
                dict.remove(k);
            }
        }
    }

    String getString(String key) {
        return (String) values.get(key);
    }

    boolean has(String key) {
        return values.containsKey(key);
    }

    long getNumber(String key, long dflt) {
        Object v = values.get(key);
        return v == null ? dflt : (Long) v;
    }

    boolean getBool(String key, boolean dflt) {
        Object v = values.get(key);
        return v == null ? dflt : (Boolean) v;
    }
}
