package dev.baton.control.protocol;

import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A small JSON writer (RFC 8259) and reader for the control protocol's maps, lists, strings, numbers,
 * booleans and nulls. The control path is not hot, and a library would be a dependency for forty lines.
 *
 * <p>The reader takes text from any local client: it never throws anything but
 * {@link IllegalArgumentException} (with the offset), and nests at most {@link #MAX_DEPTH} arrays and
 * objects, since it recurses once per level and 60,000 '[' overflowed the stack (RFC 8259 §9 lets a
 * parser limit the depth).
 */
public final class Json {

    /** The deepest nesting of arrays and objects the reader accepts; requests need 2. */
    public static final int MAX_DEPTH = 64;

    private Json() {
    }

    public static String write(Object value) {
        StringBuilder out = new StringBuilder();
        write(value, out);
        return out.toString();
    }

    private static void write(Object value, StringBuilder out) {
        switch (value) {
            case null -> out.append("null");
            case String s -> quote(s, out);
            case Number n -> out.append(n);
            case Boolean b -> out.append(b);
            case Map<?, ?> map -> {
                out.append('{');
                Iterator<? extends Map.Entry<?, ?>> it = map.entrySet().iterator();
                while (it.hasNext()) {
                    Map.Entry<?, ?> e = it.next();
                    quote(String.valueOf(e.getKey()), out);
                    out.append(':');
                    write(e.getValue(), out);
                    if (it.hasNext()) {
                        out.append(',');
                    }
                }
                out.append('}');
            }
            case List<?> list -> {
                out.append('[');
                for (int i = 0; i < list.size(); i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    write(list.get(i), out);
                }
                out.append(']');
            }
            case Iterable<?> items -> {
                out.append('[');
                boolean first = true;
                for (Object item : items) {
                    if (!first) {
                        out.append(',');
                    }
                    first = false;
                    write(item, out);
                }
                out.append(']');
            }
            default -> quote(value.toString(), out);
        }
    }

    private static void quote(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /** Parses a JSON text into maps (insertion-ordered), lists, strings, longs/doubles, booleans and nulls. */
    public static Object parse(String text) {
        Parser p = new Parser(text);
        try {
            return p.document();
        } catch (NumberFormatException e) {
            throw p.error("malformed number or \\u escape");
        }
    }

    private static final class Parser {
        private final String s;
        private int pos;
        private int depth;

        Parser(String s) {
            this.s = s;
        }

        Object document() {
            Object value = value();
            skipSpace();
            if (pos != s.length()) {
                throw error("trailing characters");
            }
            return value;
        }

        Object value() {
            skipSpace();
            if (pos >= s.length()) {
                throw error("unexpected end");
            }
            char c = s.charAt(pos);
            return switch (c) {
                case '{' -> {
                    enter();
                    Map<String, Object> map = object();
                    depth--;
                    yield map;
                }
                case '[' -> {
                    enter();
                    List<Object> list = array();
                    depth--;
                    yield list;
                }
                case '"' -> string();
                case 't' -> literal("true", Boolean.TRUE);
                case 'f' -> literal("false", Boolean.FALSE);
                case 'n' -> literal("null", null);
                default -> number();
            };
        }

        private void enter() {
            if (++depth > MAX_DEPTH) {
                throw error("nested deeper than " + MAX_DEPTH + " arrays and objects");
            }
        }

        /** The character at the cursor; the text must not end here. */
        private char peek() {
            if (pos >= s.length()) {
                throw error("unexpected end");
            }
            return s.charAt(pos);
        }

        private Map<String, Object> object() {
            Map<String, Object> map = new java.util.LinkedHashMap<>();
            pos++;
            skipSpace();
            if (peek() == '}') {
                pos++;
                return map;
            }
            while (true) {
                skipSpace();
                String key = string();
                skipSpace();
                expect(':');
                map.put(key, value());
                skipSpace();
                if (peek() == ',') {
                    pos++;
                } else {
                    expect('}');
                    return map;
                }
            }
        }

        private List<Object> array() {
            List<Object> list = new java.util.ArrayList<>();
            pos++;
            skipSpace();
            if (peek() == ']') {
                pos++;
                return list;
            }
            while (true) {
                list.add(value());
                skipSpace();
                if (peek() == ',') {
                    pos++;
                } else {
                    expect(']');
                    return list;
                }
            }
        }

        private String string() {
            expect('"');
            StringBuilder out = new StringBuilder();
            while (true) {
                char c = peek();
                pos++;
                if (c == '"') {
                    return out.toString();
                }
                if (c == '\\') {
                    char e = peek();
                    pos++;
                    switch (e) {
                        case 'n' -> out.append('\n');
                        case 't' -> out.append('\t');
                        case 'r' -> out.append('\r');
                        case 'b' -> out.append('\b');
                        case 'f' -> out.append('\f');
                        case '"', '\\', '/' -> out.append(e);
                        case 'u' -> {
                            if (pos + 4 > s.length()) {
                                throw error("unexpected end");
                            }
                            int code = 0;
                            for (int i = 0; i < 4; i++) {
                                int digit = Character.digit(s.charAt(pos + i), 16);
                                if (digit < 0) {
                                    throw error("\\u must be followed by four hex digits");
                                }
                                code = code << 4 | digit;
                            }
                            out.append((char) code);
                            pos += 4;
                        }
                        default -> {
                            pos--;
                            throw error("unknown escape \\" + (e < 0x20 || e > 0x7e ? String.format("u%04x", (int) e) : e));
                        }
                    }
                } else if (c < 0x20) {
                    // RFC 8259 section 7: control characters must be escaped. Taking them raw would also let a
                    // request grow sixfold when a reply quotes it back (one raw byte, six escaped characters).
                    pos--;
                    throw error("unescaped control character in a string");
                } else {
                    out.append(c);
                }
            }
        }

        private Object number() {
            int start = pos;
            while (pos < s.length() && "+-0123456789.eE".indexOf(s.charAt(pos)) >= 0) {
                pos++;
            }
            String n = s.substring(start, pos);
            if (n.isEmpty()) {
                throw error("unexpected character");
            }
            if (n.contains(".") || n.contains("e") || n.contains("E")) {
                double d = Double.parseDouble(n);
                if (!Double.isFinite(d)) {
                    pos = start;
                    // A number beyond double's range would be written back as Infinity, which is not JSON.
                    throw error("number out of range");
                }
                return d;
            }
            return Long.parseLong(n);
        }

        private Object literal(String word, Object value) {
            if (!s.startsWith(word, pos)) {
                throw error("expected " + word);
            }
            pos += word.length();
            return value;
        }

        private void expect(char c) {
            if (pos >= s.length() || s.charAt(pos) != c) {
                throw error("expected '" + c + "'");
            }
            pos++;
        }

        void skipSpace() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
                pos++;
            }
        }

        IllegalArgumentException error(String what) {
            return new IllegalArgumentException("JSON: " + what + " at offset " + pos);
        }
    }
}
