package org.blkdebug.engine.config;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;

import org.blkdebug.engine.OpenException;

/**
 * QEMU 7.2's QObject input visitor (qapi/qobject-input-visitor.c) running the generated visit of
 * a QAPI type over a parsed tree, in one of its two modes: keyval (every scalar a string, parsed
 * as the type asks: "Parameter 'x' expects integer") or JSON (the scalar's own type must match:
 * "Invalid parameter type for 'x', expected: integer"). Members are visited in schema order, a
 * missing one is "Parameter 'x' is missing", leftovers "Parameter 'x' is unexpected" (the first
 * in GLib's hash order, see {@link GStringSet}); errors name the full dotted path as QEMU does.
 *
 * <p>The result is the value as QEMU's output visitor writes it back: a QDict of the present
 * members in visiting order, with Strings, Booleans, Longs (unsigned ones as their bits) and
 * lists, which is what the object's properties are then set from.
 */
final class QapiInput {
    private final QapiSchema schema;
    private final boolean keyval;
    private final Object root;
    private final Deque<Frame> stack = new ArrayDeque<>();

    /** A QDict or list being visited: its unvisited keys, or its next element and index. */
    private static final class Frame {
        final String name;
        final Object obj;
        final GStringSet unvisited;
        Iterator<Object> next;
        int index = -1;

        Frame(String name, Object obj) {
            this.name = name;
            this.obj = obj;
            if (obj instanceof QDict d) {
                unvisited = new GStringSet();
                for (String k : d.keys()) {
                    unvisited.add(k);
                }
            } else {
                unvisited = null;
                next = ((List<Object>) obj).iterator();
            }
        }
    }

    QapiInput(QapiSchema schema, Object root, boolean keyval) {
        this.schema = schema;
        this.root = root;
        this.keyval = keyval;
    }

    /** visit_type_NAME(v, NULL, ...) of the whole tree. */
    QDict visitRoot(String type) throws OpenException {
        return visitStruct(null, schema.structs.get(type));
    }

    // ---- naming --------------------------------------------------------------------------

    /** full_name_nth(qiv, name, 0). */
    private String fullName(String name) {
        return fullNameNth(name, 0);
    }

    private String fullNameNth(String name, int n) {
        StringBuilder err = new StringBuilder();
        for (Frame f : stack) { // from the top of the stack down
            if (n > 0) {
                n--;
            } else if (f.obj instanceof QDict) {
                err.insert(0, (name != null ? name : "<anonymous>"));
                err.insert(0, '.');
            } else {
                err.insert(0, keyval ? "." + Integer.toUnsignedString(f.index) : "[" + Integer.toUnsignedString(f.index) + "]");
            }
            name = f.name;
        }
        if (name != null) {
            err.insert(0, name);
        } else if (!err.isEmpty() && err.charAt(0) == '.') {
            err.deleteCharAt(0);
        } else if (err.isEmpty()) {
            return "<anonymous>";
        }
        return err.toString();
    }

    // ---- getting objects ------------------------------------------------------------------

    private Object tryGet(String name, boolean consume) {
        Frame tos = stack.peek();
        if (tos == null) {
            return root;
        }
        if (tos.obj instanceof QDict d) {
            Object ret = d.get(name);
            if (consume && ret != null) {
                tos.unvisited.remove(name);
            }
            return ret;
        }
        Object ret = null;
        if (tos.next.hasNext()) {
            ret = consume ? tos.next.next() : null;
        }
        if (consume) {
            tos.index++;
        }
        return ret;
    }

    private Object get(String name) throws OpenException {
        Object o = tryGet(name, true);
        if (o == null) {
            throw new OpenException("Parameter '" + fullName(name) + "' is missing");
        }
        return o;
    }

    private static OpenException typeError(String fullName, String expected) {
        return new OpenException("Invalid parameter type for '" + fullName + "', expected: " + expected);
    }

    private static OpenException valueError(String name, String expected) {
        return new OpenException("Parameter '" + name + "' expects " + expected);
    }

    /** qobject_input_get_keyval: the string a keyval scalar must be. */
    private String keyvalString(String name) throws OpenException {
        Object o = get(name);
        if (o instanceof String s) {
            return s;
        }
        if (o instanceof QDict || o instanceof List<?>) {
            throw new OpenException("Parameters '" + fullName(name) + ".*' are unexpected");
        }
        throw new OpenException("Internal error: parameter " + fullName(name) + " invalid");
    }

    // ---- the generated visits ---------------------------------------------------------------

    private QDict visitStruct(String name, QapiSchema.Struct type) throws OpenException {
        Object o = get(name);
        if (!(o instanceof QDict)) {
            throw typeError(fullName(name), "object");
        }
        stack.push(new Frame(name, o));
        QDict out = new QDict();
        members(type, out);
        String left = stack.peek().unvisited.first();
        if (left != null) {
            throw new OpenException("Parameter '" + fullName(left) + "' is unexpected");
        }
        stack.pop();
        return out;
    }

    /** visit_type_NAME_members: base members, then the members of the selected case. */
    private void members(QapiSchema.Struct type, QDict out) throws OpenException {
        for (QapiSchema.Member m : type.members()) {
            if (m.optional() && tryGet(m.name(), false) == null) {
                continue;
            }
            out.put(m.name(), visit(m.name(), m.type()));
        }
        if (type.discriminator() != null) {
            String tag = (String) out.get(type.discriminator());
            members(schema.structs.get(type.cases().get(tag)), out);
        }
    }

    private Object visit(String name, String type) throws OpenException {
        if (type.startsWith("[")) {
            return visitList(name, type.substring(1, type.length() - 1));
        }
        if (schema.structs.containsKey(type)) {
            return visitStruct(name, schema.structs.get(type));
        }
        List<String> values = schema.enums.get(type);
        if (values != null) {
            String s = visitString(name);
            if (!values.contains(s)) {
                throw new OpenException("Parameter '" + (name != null ? name : "null")
                        + "' does not accept value '" + s + "'");
            }
            return s;
        }
        return switch (type) {
            case "str" -> visitString(name);
            case "bool" -> visitBool(name);
            case "int" -> visitInt(name);
            case "int8" -> intN(name, Byte.MIN_VALUE, Byte.MAX_VALUE, "int8_t");
            case "int16" -> intN(name, Short.MIN_VALUE, Short.MAX_VALUE, "int16_t");
            case "int32" -> intN(name, Integer.MIN_VALUE, Integer.MAX_VALUE, "int32_t");
            case "int64" -> visitInt(name);
            case "uint8" -> uintN(name, 0xffL, "uint8_t");
            case "uint16" -> uintN(name, 0xffffL, "uint16_t");
            case "uint32" -> uintN(name, 0xffffffffL, "uint32_t");
            case "uint64" -> visitUint(name);
            case "size" -> keyval ? visitSize(name) : visitUint(name);
            default -> throw new IllegalStateException("QAPI type " + type + " is not modelled");
        };
    }

    private List<Object> visitList(String name, String element) throws OpenException {
        Object o = get(name);
        if (!(o instanceof List<?>)) {
            throw typeError(fullName(name), "array");
        }
        stack.push(new Frame(name, o));
        List<Object> out = new ArrayList<>();
        while (stack.peek().next.hasNext()) {
            out.add(visit(null, element));
        }
        stack.pop();
        return out;
    }

    private String visitString(String name) throws OpenException {
        if (keyval) {
            return keyvalString(name);
        }
        if (get(name) instanceof String s) {
            return s;
        }
        throw typeError(fullName(name), "string");
    }

    private Boolean visitBool(String name) throws OpenException {
        if (keyval) {
            switch (keyvalString(name)) {
                case "on", "yes", "true", "y" -> {
                    return true;
                }
                case "off", "no", "false", "n" -> {
                    return false;
                }
                default -> throw valueError(fullName(name), "'on' or 'off'");
            }
        }
        if (get(name) instanceof QDict.Scalar sc && sc.kind() == QDict.Scalar.Kind.BOOL) {
            return sc.text().equals("on");
        }
        throw typeError(fullName(name), "boolean");
    }

    private Long visitInt(String name) throws OpenException {
        if (keyval) {
            String s = Strtox.cstr(keyvalString(name));
            Long v = strtoi64(s);
            if (v == null) {
                throw valueError(fullName(name), "integer");
            }
            return v;
        }
        if (get(name) instanceof QDict.Scalar sc && sc.kind() == QDict.Scalar.Kind.INT) {
            return Long.parseLong(sc.text());
        }
        throw typeError(fullName(name), "integer");
    }

    private Long visitUint(String name) throws OpenException {
        if (keyval) {
            String s = Strtox.cstr(keyvalString(name));
            Strtox.Parsed p = Strtox.strtoull(s, 0);
            if (p.end() == 0 || p.end() < s.length() || p.erange()) {
                throw valueError(fullName(name), "integer");
            }
            return p.value();
        }
        if (get(name) instanceof QDict.Scalar sc) {
            if (sc.kind() == QDict.Scalar.Kind.INT) {
                return Long.parseLong(sc.text()); // negative ones too, "for backward compatibility"
            }
            if (sc.kind() == QDict.Scalar.Kind.UINT) {
                return Long.parseUnsignedLong(sc.text());
            }
        }
        throw valueError(fullName(name), "uint64");
    }

    private Long visitSize(String name) throws OpenException {
        long[] out = new long[1];
        if (Strtox.strtosz(Strtox.cstr(keyvalString(name)), out) != 0) {
            throw valueError(fullName(name), "size");
        }
        return out[0];
    }

    private Long intN(String name, long min, long max, String type) throws OpenException {
        long v = visitInt(name);
        if (v < min || v > max) {
            throw valueError(name != null ? name : "null", type);
        }
        return v;
    }

    private Long uintN(String name, long max, String type) throws OpenException {
        long v = visitUint(name);
        if (Long.compareUnsigned(v, max) > 0) {
            throw valueError(name != null ? name : "null", type);
        }
        return v;
    }

    /** qemu_strtoi64(s, NULL, 0): strtoll with the whole string consumed; null when it fails. */
    static Long strtoi64(String s) {
        int i = 0;
        while (i < s.length() && Strtox.isCSpace(s.charAt(i))) {
            i++;
        }
        boolean neg = false;
        if (i < s.length() && (s.charAt(i) == '-' || s.charAt(i) == '+')) {
            neg = s.charAt(i) == '-';
            i++;
        }
        String rest = s.substring(i);
        if (rest.isEmpty() || rest.charAt(0) == '-' || rest.charAt(0) == '+' || Strtox.isCSpace(rest.charAt(0))) {
            return null;
        }
        Strtox.Parsed p = Strtox.strtoull(rest, 0);
        if (p.end() == 0 || p.end() < rest.length() || p.erange()) {
            return null;
        }
        long mag = p.value();
        if (neg) {
            return Long.compareUnsigned(mag, Long.MIN_VALUE) > 0 ? null : -mag;
        }
        return mag < 0 ? null : mag;
    }
}
