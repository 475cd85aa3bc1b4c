package org.blkdebug.engine.config;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

import org.blkdebug.engine.OpenException;

/**
 * The {@code json:{...}} filename: QEMU 7.2's JSON reader (qobject/json-lexer.c, json-streamer.c,
 * json-parser.c) with its error texts, then {@code qdict_flatten}. QEMU's dialect: single-quoted
 * strings are allowed; numbers keep their QNum kind (int64, uint64, else double) and QemuOpts
 * later sees them as text ({@code %.17g} for doubles); the first error wins; a second value after
 * a complete one is "Expecting at most one JSON value".
 */
final class Json {
    private static final int MAX_NESTING = 1024;

    private enum T { LCURLY, RCURLY, LSQUARE, RSQUARE, COLON, COMMA, STRING, INTEGER, FLOAT, KEYWORD }

    private record Token(T type, String text) {
    }

    /** A parse failure; the message is QEMU's, before the caller's prefix. */
    private static final class Failure extends Exception {
        Failure(String message) {
            super(message, null, false, false);
        }
    }

    private static final Object JNULL = QDict.OTHER;

    private final String in;
    private int pos;

    private Json(String in) {
        this.in = in;
    }

    /** parse_json_filename: the flattened options of {@code json:TEXT} (without the prefix). */
    static QDict parseOptions(String text) throws OpenException {
        Object v;
        try {
            v = new Json(text).readOne();
        } catch (Failure f) {
            throw new OpenException("Could not parse the JSON options: " + f.getMessage());
        }
        if (!(v instanceof QDict dict)) {
            throw new OpenException("Invalid JSON object given");
        }
        flatten(dict, dict, null);
        return dict;
    }

    /**
     * qobject_from_json: one JSON value as a tree of QDicts, lists, Strings, Scalars and
     * {@link QDict#OTHER} for null; the message is QEMU's, without a prefix.
     */
    static Object parseValue(String text) throws OpenException {
        try {
            return new Json(text).readOne();
        } catch (Failure f) {
            throw new OpenException(f.getMessage());
        }
    }

    // ---- lexer + streamer -------------------------------------------------------------------

    /** qobject_from_json: feeds the streamer, keeps the first value or error. */
    private Object readOne() throws Failure {
        Object result = null;
        List<Token> pending = new ArrayList<>();
        int braces = 0;
        int brackets = 0;
        while (true) {
            Token t;
            try {
                t = nextToken(); // a lexical error is the "stray" error
            } catch (Failure f) {
                throw result != null ? new Failure("Expecting at most one JSON value") : f;
            }
            if (t == null) {
                break;
            }
            if (result != null) {
                throw new Failure("Expecting at most one JSON value");
            }
            switch (t.type()) {
                case LCURLY -> braces++;
                case RCURLY -> braces--;
                case LSQUARE -> brackets++;
                case RSQUARE -> brackets--;
                default -> {
                }
            }
            if (braces + brackets > MAX_NESTING) {
                throw new Failure("JSON nesting depth limit exceeded");
            }
            pending.add(t);
            if ((braces > 0 || brackets > 0) && braces >= 0 && brackets >= 0) {
                continue;
            }
            result = new Parser(pending).parseMessage();
            pending = new ArrayList<>();
            braces = 0;
            brackets = 0;
        }
        if (!pending.isEmpty()) {
            if (result != null) {
                throw new Failure("Expecting at most one JSON value");
            }
            result = new Parser(pending).parseMessage();
        }
        if (result == null) {
            throw new Failure("Expecting a JSON value");
        }
        return result;
    }

    private Failure stray(int start, int endExclusive) {
        return new Failure("JSON parse error, stray '" + in.substring(start, Math.min(endExclusive, in.length())) + "'");
    }

    private static boolean digit(char c) {
        return c >= '0' && c <= '9';
    }

    /** The next token, null at the end; a lexical error is the text so far plus the bad char. */
    private Token nextToken() throws Failure {
        int n = in.length();
        while (pos < n && (in.charAt(pos) == ' ' || in.charAt(pos) == '\t' || in.charAt(pos) == '\r'
                || in.charAt(pos) == '\n')) {
            pos++;
        }
        if (pos >= n) {
            return null;
        }
        int start = pos;
        char c = in.charAt(pos);
        T single = switch (c) {
            case '{' -> T.LCURLY;
            case '}' -> T.RCURLY;
            case '[' -> T.LSQUARE;
            case ']' -> T.RSQUARE;
            case ':' -> T.COLON;
            case ',' -> T.COMMA;
            default -> null;
        };
        if (single != null) {
            pos++;
            return new Token(single, String.valueOf(c));
        }
        if (c == '"' || c == '\'') {
            int j = pos + 1;
            while (true) {
                if (j >= n) {
                    throw stray(start, n);
                }
                char d = in.charAt(j);
                if (d == c) {
                    pos = j + 1;
                    return new Token(T.STRING, in.substring(start, pos));
                }
                if (d < 0x20) {
                    throw stray(start, j + 1);
                }
                if (d == '\\') {
                    if (j + 1 >= n) {
                        throw stray(start, n);
                    }
                    if (in.charAt(j + 1) < 0x20) {
                        throw stray(start, j + 2);
                    }
                    j += 2;
                } else {
                    j++;
                }
            }
        }
        if (c == '-' || digit(c)) {
            return number(start);
        }
        if (c >= 'a' && c <= 'z') {
            int j = pos;
            while (j < n && in.charAt(j) >= 'a' && in.charAt(j) <= 'z') {
                j++;
            }
            pos = j;
            return new Token(T.KEYWORD, in.substring(start, j));
        }
        throw stray(start, start + Character.charCount(in.codePointAt(start)));
    }

    private Token number(int start) throws Failure {
        int n = in.length();
        int j = start;
        if (in.charAt(j) == '-') {
            j++;
        }
        if (j >= n) {
            throw stray(start, n);
        }
        if (in.charAt(j) == '0') {
            j++;
            if (j < n && digit(in.charAt(j))) {
                throw stray(start, j + 1);
            }
        } else if (digit(in.charAt(j))) {
            while (j < n && digit(in.charAt(j))) {
                j++;
            }
        } else {
            throw stray(start, j + 1);
        }
        boolean isFloat = false;
        if (j < n && in.charAt(j) == '.') {
            j = digits(start, j + 1);
            isFloat = true;
        }
        if (j < n && (in.charAt(j) == 'e' || in.charAt(j) == 'E')) {
            j++;
            if (j < n && (in.charAt(j) == '+' || in.charAt(j) == '-')) {
                j++;
            }
            j = digits(start, j);
            isFloat = true;
        }
        pos = j;
        return new Token(isFloat ? T.FLOAT : T.INTEGER, in.substring(start, j));
    }

    /** One or more digits at {@code j} (else a lexical error); returns the index after them. */
    private int digits(int start, int j) throws Failure {
        int n = in.length();
        if (j >= n) {
            throw stray(start, n);
        }
        if (!digit(in.charAt(j))) {
            throw stray(start, j + 1);
        }
        while (j < n && digit(in.charAt(j))) {
            j++;
        }
        return j;
    }

    // ---- parser ---------------------------------------------------------------------------

    /** json-parser.c over one message's tokens. */
    private static final class Parser {
        private final List<Token> tokens;
        private int next;

        Parser(List<Token> tokens) {
            this.tokens = tokens;
        }

        Object parseMessage() throws Failure {
            return value();
        }

        private Token peek() throws Failure {
            if (next >= tokens.size()) {
                throw error("premature EOI");
            }
            return tokens.get(next);
        }

        private Token pop() throws Failure {
            Token t = peek();
            next++;
            return t;
        }

        private static Failure error(String msg) {
            return new Failure("JSON parse error, " + msg);
        }

        private Object value() throws Failure {
            Token t = peek();
            return switch (t.type()) {
                case LCURLY -> object();
                case LSQUARE -> array();
                case INTEGER, FLOAT -> {
                    next++;
                    yield number(t);
                }
                case STRING -> {
                    next++;
                    yield string(t.text());
                }
                case KEYWORD -> {
                    next++;
                    yield switch (t.text()) {
                        case "true" -> new QDict.Scalar("on", QDict.Scalar.Kind.BOOL);
                        case "false" -> new QDict.Scalar("off", QDict.Scalar.Kind.BOOL);
                        case "null" -> JNULL;
                        default -> throw error("invalid keyword '" + t.text() + "'");
                    };
                }
                default -> throw error("expecting value");
            };
        }

        private QDict object() throws Failure {
            pop(); // '{'
            QDict dict = new QDict();
            if (peek().type() == T.RCURLY) {
                pop();
                return dict;
            }
            pair(dict);
            Token t = pop();
            while (t.type() != T.RCURLY) {
                if (t.type() != T.COMMA) {
                    throw error("expected separator in dict");
                }
                pair(dict);
                t = pop();
            }
            return dict;
        }

        private void pair(QDict dict) throws Failure {
            peek();
            Object key = value();
            if (!(key instanceof String k)) {
                throw error("key is not a string in object");
            }
            if (pop().type() != T.COLON) {
                throw error("missing : in object pair");
            }
            Object v = value();
            if (dict.containsKey(k)) {
                throw error("duplicate key");
            }
            dict.put(k, v);
        }

        private List<Object> array() throws Failure {
            pop(); // '['
            List<Object> list = new ArrayList<>();
            if (peek().type() == T.RSQUARE) {
                pop();
                return list;
            }
            list.add(value());
            Token t = pop();
            while (t.type() != T.RSQUARE) {
                if (t.type() != T.COMMA) {
                    throw error("expected separator in list");
                }
                list.add(value());
                t = pop();
            }
            return list;
        }

        /** parse_string: escapes as QEMU accepts them. */
        private static String string(String tok) throws Failure {
            StringBuilder sb = new StringBuilder();
            int end = tok.length() - 1; // the closing quote
            int i = 1;
            while (i < end) {
                char c = tok.charAt(i);
                if (c != '\\') {
                    sb.append(c);
                    i++;
                    continue;
                }
                char e = tok.charAt(i + 1);
                switch (e) {
                    case '"', '\'', '\\', '/' -> sb.append(e);
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'n' -> sb.append('\n');
                    case 'r' -> sb.append('\r');
                    case 't' -> sb.append('\t');
                    case 'u' -> {
                        int beg = i;
                        int cp = hex4(tok, i + 2);
                        int p = i + 6;
                        if (cp >= 0xD800 && cp <= 0xDBFF && p + 1 < tok.length()
                                && tok.charAt(p) == '\\' && tok.charAt(p + 1) == 'u') {
                            int trailing = hex4(tok, p + 2);
                            if (trailing >= 0xDC00 && trailing <= 0xDFFF) {
                                cp = 0x10000 + ((cp & 0x3FF) << 10) + (trailing & 0x3FF);
                                p += 6;
                            } else {
                                cp = -1;
                            }
                        }
                        if (cp < 0 || (cp >= 0xD800 && cp <= 0xDFFF)) {
                            throw error(tok.substring(beg, Math.min(p, tok.length()))
                                    + " is not a valid Unicode character");
                        }
                        sb.appendCodePoint(cp);
                        i = p;
                        continue;
                    }
                    default -> throw error("invalid escape sequence in string");
                }
                i += 2;
            }
            return sb.toString();
        }

        private static int hex4(String s, int at) {
            if (at + 4 > s.length()) {
                return -1;
            }
            int v = 0;
            for (int k = at; k < at + 4; k++) {
                int d = Character.digit(s.charAt(k), 16);
                if (d < 0 || s.charAt(k) > 'f') {
                    return -1;
                }
                v = v * 16 + d;
            }
            return v;
        }
    }

    /** parse_literal: the QNum (int64, else uint64 when non-negative, else double) and its text. */
    private static QDict.Scalar number(Token t) {
        QDict.Scalar.Kind kind = QDict.Scalar.Kind.DOUBLE;
        if (t.type() == T.INTEGER) {
            String s = t.text();
            if (fits(() -> Long.parseLong(s))) {
                kind = QDict.Scalar.Kind.INT;
            } else if (s.charAt(0) != '-' && fits(() -> Long.parseUnsignedLong(s))) {
                kind = QDict.Scalar.Kind.UINT;
            }
        }
        return new QDict.Scalar(numberText(t), kind);
    }

    private static boolean fits(java.util.function.LongSupplier parse) {
        try {
            parse.getAsLong();
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** parse_literal + qnum_to_string: int64, else uint64 (non-negative), else {@code %.17g}. */
    static String numberText(Token t) {
        String s = t.text();
        if (t.type() == T.INTEGER) {
            try {
                return Long.toString(Long.parseLong(s));
            } catch (NumberFormatException e) {
                if (s.charAt(0) != '-') {
                    try {
                        return Long.toUnsignedString(Long.parseUnsignedLong(s));
                    } catch (NumberFormatException e2) {
                        // falls through to double, as QEMU does
                    }
                }
            }
        }
        return formatG17(Double.parseDouble(s));
    }

    /** C's {@code printf("%.17g", d)}. */
    static String formatG17(double d) {
        if (Double.isNaN(d)) {
            return "nan";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        if (d == 0) {
            return (1 / d < 0) ? "-0" : "0";
        }
        BigDecimal bd = new BigDecimal(d).round(new MathContext(17, RoundingMode.HALF_EVEN));
        int exp = bd.precision() - bd.scale() - 1;
        if (exp < -4 || exp >= 17) {
            BigDecimal mant = bd.movePointLeft(exp).stripTrailingZeros();
            String m = mant.toPlainString();
            String e = (exp < 0 ? "-" : "+") + (Math.abs(exp) < 10 ? "0" : "") + Math.abs(exp);
            return m + "e" + e;
        }
        return bd.stripTrailingZeros().toPlainString();
    }

    // ---- flatten ---------------------------------------------------------------------------

    /**
     * qdict_flatten: non-empty objects and arrays become dotted keys ("file.inject-error.0.event");
     * empty ones and nulls stay as {@link QDict#OTHER}.
     */
    private static void flatten(QDict source, QDict target, String prefix) {
        for (String k : source.keys()) {
            Object v = source.get(k);
            String key = prefix == null ? k : prefix + "." + k;
            if (prefix == null) {
                if ((v instanceof QDict d && d.size() > 0) || (v instanceof List<?> l && !l.isEmpty())) {
                    source.remove(k);
                    flattenValue(v, target, key);
                } else if (v instanceof QDict || v instanceof List<?>) {
                    target.put(key, QDict.OTHER);
                }
            } else {
                flattenValue(v, target, key);
            }
        }
    }

    private static void flattenValue(Object v, QDict target, String key) {
        if (v instanceof QDict d && d.size() > 0) {
            flatten(d, target, key);
        } else if (v instanceof List<?> l && !l.isEmpty()) {
            for (int i = 0; i < l.size(); i++) {
                flattenValue(l.get(i), target, key + "." + i);
            }
        } else if (v instanceof QDict || v instanceof List<?>) {
            target.put(key, QDict.OTHER);
        } else {
            target.put(key, v);
        }
    }
}
