package dev.descent.core.io;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;
import java.util.Set;

/**
 * A small, strict JSON reader and writer for file headers (safetensors, run records). Values map to
 * {@code Map<String,Object>} (insertion-ordered), {@code List<Object>}, {@code String}, {@code Long}
 * or {@code Double}, {@code Boolean} and {@code null}. Parsing is bounded in depth and reports the
 * character position of the first error; duplicate keys are errors.
 */
public final class Json {
    private Json() {}

    /** A syntax error at a character position of the parsed text. */
    public static final class ParseException extends Exception {
        private static final long serialVersionUID = 1L;
        /** The character position of the error in the parsed text. */
        private final int position;

        ParseException(String message, int position) {
            super(message + " at character " + position);
            this.position = position;
        }

        /**
         * The character position of the error.
         *
         * @return the 0-based index into the parsed text
         */
        public int position() {
            return position;
        }
    }

    private static final int MAX_DEPTH = 64;

    /**
     * Parses one JSON value filling the whole text (surrounding whitespace allowed).
     *
     * @param text the JSON text
     * @return a {@code Map<String,Object>}, {@code List<Object>}, {@code String}, {@code Long} (a number
     *         without fraction or exponent) or {@code Double}, {@code Boolean}, or null
     * @throws ParseException at the first syntax error, a duplicate key, a number that does not parse (such as
     *         an integer beyond the range of long), nesting deeper than 64, or text after the value
     */
    public static Object parse(String text) throws ParseException {
        Parser p = new Parser(text);
        p.skipSpace();
        Object v = p.value(0);
        p.skipSpace();
        if (p.pos != text.length()) throw new ParseException("unexpected text after the JSON value", p.pos);
        return v;
    }

    /**
     * Receives the members of an object one at a time, as {@link #parseMembers} parses them.
     *
     * @param <E> the exception the handler may throw
     */
    @FunctionalInterface
    public interface MemberHandler<E extends Exception> {
        /**
         * Takes one member.
         *
         * @param key the member's name
         * @param value its value, as {@link #parse} returns values
         * @param position the character position of the key's opening quote
         * @throws E to stop parsing
         */
        void member(String key, Object value, int position) throws E;
    }

    /**
     * Parses a JSON object filling the whole text, handing each member to {@code handler} as soon as it is
     * parsed instead of building a map: a reader of a long object (a safetensors header lists every tensor)
     * keeps only what it converts each member to, and can stop early.
     *
     * @param <E> the exception the handler may throw
     * @param text the JSON text, an object
     * @param handler receives the members in text order; keys are unique (a duplicate is a parse error)
     * @throws ParseException as {@link #parse}, and when the text is not an object
     * @throws E when the handler throws it
     */
    public static <E extends Exception> void parseMembers(String text, MemberHandler<E> handler) throws ParseException, E {
        Parser p = new Parser(text);
        p.skipSpace();
        if (p.pos >= text.length() || text.charAt(p.pos) != '{') throw new ParseException("expected an object", p.pos);
        Set<String> seen = new HashSet<>();
        p.<E>members(0, (key, keyAt, v) -> {
            if (!seen.add(key)) throw new ParseException("duplicate key \"" + key + "\"", keyAt);
            handler.member(key, v, keyAt);
        });
        p.skipSpace();
        if (p.pos != text.length()) throw new ParseException("unexpected text after the JSON value", p.pos);
    }

    private static final class Parser {
        final String s;
        int pos;
        final String[] recent = new String[64];

        Parser(String s) {
            this.s = s;
        }

        void skipSpace() {
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if (c == ' ' || c == '\t' || c == '\n' || c == '\r') pos++;
                else break;
            }
        }

        Object value(int depth) throws ParseException {
            if (depth > MAX_DEPTH) throw new ParseException("nesting deeper than " + MAX_DEPTH, pos);
            if (pos >= s.length()) throw new ParseException("expected a value, found the end", pos);
            char c = s.charAt(pos);
            return switch (c) {
                case '{' -> object(depth);
                case '[' -> array(depth);
                case '"' -> string();
                case 't' -> literal("true", Boolean.TRUE);
                case 'f' -> literal("false", Boolean.FALSE);
                case 'n' -> literal("null", null);
                default -> {
                    if (c == '-' || (c >= '0' && c <= '9')) yield number();
                    throw new ParseException("expected a value, found '" + c + "'", pos);
                }
            };
        }

        Object literal(String word, Object v) throws ParseException {
            if (!s.startsWith(word, pos)) throw new ParseException("expected '" + word + "'", pos);
            pos += word.length();
            return v;
        }

        Map<String, Object> object(int depth) throws ParseException {
            Map<String, Object> m = new LinkedHashMap<>(8);        // most objects are small: a table of 8, not 16
            members(depth, (key, keyAt, v) -> {
                if (m.containsKey(key)) throw new ParseException("duplicate key \"" + key + "\"", keyAt);
                m.put(key, v);
            });
            return m;
        }

        /** Where {@link #members} hands each member of an object. */
        interface Sink<E extends Exception> {
            void put(String key, int keyAt, Object value) throws ParseException, E;
        }

        /** Parses an object (at its opening brace), handing each member to {@code sink} as soon as it is parsed. */
        <E extends Exception> void members(int depth, Sink<E> sink) throws ParseException, E {
            if (depth > MAX_DEPTH) throw new ParseException("nesting deeper than " + MAX_DEPTH, pos);
            pos++;
            skipSpace();
            if (pos < s.length() && s.charAt(pos) == '}') {
                pos++;
                return;
            }
            while (true) {
                skipSpace();
                if (pos >= s.length() || s.charAt(pos) != '"') throw new ParseException("expected a key in quotes", pos);
                int keyAt = pos;
                String key = string();
                skipSpace();
                expect(':');
                skipSpace();
                sink.put(key, keyAt, value(depth + 1));
                skipSpace();
                if (pos < s.length() && s.charAt(pos) == ',') {
                    pos++;
                    continue;
                }
                expect('}');
                return;
            }
        }

        List<Object> array(int depth) throws ParseException {
            List<Object> a = new ArrayList<>(4);                   // shapes and offsets: a few elements, not 10
            pos++;
            skipSpace();
            if (pos < s.length() && s.charAt(pos) == ']') {
                pos++;
                return a;
            }
            while (true) {
                skipSpace();
                a.add(value(depth + 1));
                skipSpace();
                if (pos < s.length() && s.charAt(pos) == ',') {
                    pos++;
                    continue;
                }
                expect(']');
                return a;
            }
        }

        void expect(char c) throws ParseException {
            if (pos >= s.length() || s.charAt(pos) != c) {
                throw new ParseException("expected '" + c + "'" + (pos < s.length() ? ", found '" + s.charAt(pos) + "'" : ", found the end"), pos);
            }
            pos++;
        }

        String string() throws ParseException {
            pos++; // opening quote
            int plain = pos;
            while (plain < s.length()) {
                char c = s.charAt(plain);
                if (c == '"' || c == '\\' || c < 0x20 || Character.isSurrogate(c)) break;
                plain++;
            }
            if (plain < s.length() && s.charAt(plain) == '"') {    // nothing to decode: no builder (headers have many short strings)
                String str = shared(pos, plain);
                pos = plain + 1;
                return str;
            }
            StringBuilder sb = new StringBuilder(s.length() - pos < 64 ? 16 : 64).append(s, pos, plain);
            pos = plain;
            while (true) {
                if (pos >= s.length()) throw new ParseException("unterminated string", pos);
                int at = pos;
                char c = s.charAt(pos++);
                if (c == '"') return sb.toString();
                if (c < 0x20) throw new ParseException("control character in a string", at);
                boolean escaped = c == '\\';
                if (escaped) c = escape();
                // RFC 8259 §7: a character outside the BMP is a surrogate pair, both halves raw or both escaped
                if (Character.isLowSurrogate(c)) throw new ParseException("a low surrogate without a high one before it", at);
                sb.append(c);
                if (!Character.isHighSurrogate(c)) continue;
                int lowAt = pos;
                char low = 0;
                if (escaped && s.startsWith("\\u", pos)) {
                    pos++;
                    low = escape();
                } else if (!escaped && pos < s.length()) {
                    low = s.charAt(pos++);
                }
                if (!Character.isLowSurrogate(low)) throw new ParseException("a high surrogate without a low one after it", lowAt);
                sb.append(low);
            }
        }

        /**
         * The text {@code s[from, to)}, as the same String object as the last short string of that text: a safetensors
         * header repeats "dtype", "shape", "data_offsets" and "F32" for every tensor, and one copy of each will do.
         */
        private String shared(int from, int to) {
            if (to - from > 24) return s.substring(from, to);
            int h = 0;
            for (int i = from; i < to; i++) h = 31 * h + s.charAt(i);
            int slot = (h ^ h >>> 16) & (recent.length - 1);
            String r = recent[slot];
            if (r != null && r.length() == to - from && s.regionMatches(from, r, 0, to - from)) return r;
            return recent[slot] = s.substring(from, to);
        }

        /** The character of the escape sequence after a backslash. */
        private char escape() throws ParseException {
            if (pos >= s.length()) throw new ParseException("unterminated escape", pos);
            char e = s.charAt(pos++);
            return switch (e) {
                case '"', '\\', '/' -> e;
                case 'b' -> '\b';
                case 'f' -> '\f';
                case 'n' -> '\n';
                case 'r' -> '\r';
                case 't' -> '\t';
                case 'u' -> {
                    int v = 0;
                    for (int i = 0; i < 4; i++, pos++) {
                        int d = pos < s.length() ? hexDigit(s.charAt(pos)) : -1;
                        if (d < 0) throw new ParseException("expected 4 hex digits after \\u", pos);
                        v = v << 4 | d;
                    }
                    yield (char) v;
                }
                default -> throw new ParseException("bad escape \\" + e, pos - 1);
            };
        }

        /** RFC 8259 §6: {@code -? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)?}. */
        Object number() throws ParseException {
            int start = pos;
            if (s.charAt(pos) == '-') pos++;
            if (digits() == 0) throw new ParseException("expected a digit in a number", pos);
            if (leadingZero(start)) {
                throw new ParseException("a leading zero in a number (RFC 8259 allows none)", start);
            }
            boolean integer = true;
            if (pos < s.length() && s.charAt(pos) == '.') {
                pos++;
                integer = false;
                if (digits() == 0) throw new ParseException("expected a digit after the decimal point", pos);
            }
            if (pos < s.length() && (s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
                pos++;
                integer = false;
                if (pos < s.length() && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) pos++;
                if (digits() == 0) throw new ParseException("expected a digit in the exponent", pos);
            }
            if (integer && pos - start <= 18) {                       // fits a long: no text copy
                long v = 0;
                for (int i = s.charAt(start) == '-' ? start + 1 : start; i < pos; i++) v = v * 10 + (s.charAt(i) - '0');
                return s.charAt(start) == '-' ? -v : v;
            }
            String t = s.substring(start, pos);
            try {
                return integer ? (Object) Long.parseLong(t) : (Object) Double.parseDouble(t);
            } catch (NumberFormatException e) {
                throw new ParseException("a number out of range '" + t + "'", start);
            }
        }

        private static int hexDigit(char c) {
            if (c >= '0' && c <= '9') return c - '0';
            if (c >= 'a' && c <= 'f') return c - 'a' + 10;
            if (c >= 'A' && c <= 'F') return c - 'A' + 10;
            return -1;
        }

        private boolean leadingZero(int start) {
            int first = s.charAt(start) == '-' ? start + 1 : start;
            return s.charAt(first) == '0' && first + 1 < s.length() && s.charAt(first + 1) >= '0' && s.charAt(first + 1) <= '9';
        }

        /** Skips ASCII digits; returns how many. */
        private int digits() {
            int from = pos;
            while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') pos++;
            return pos - from;
        }
    }

    /**
     * Writes a value (maps, lists, strings, numbers, booleans, null) as compact JSON.
     *
     * @param v the value: maps (keys written with {@code String.valueOf}; in the map's order when it has one, a
     *        {@link SequencedMap} such as {@code LinkedHashMap}, else sorted by key, so that the same content always
     *        gives the same text), iterables, {@code int[]}, strings,
     *        numbers (NaN and infinities become {@code null}), booleans or null; any other object is written as
     *        its {@code toString()} string
     * @return the JSON text
     */
    public static String write(Object v) {
        StringBuilder sb = new StringBuilder();
        write(sb, v);
        return sb.toString();
    }

    private static void write(StringBuilder sb, Object v) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof String str) {
            quote(sb, str);
        } else if (v instanceof Map<?, ?> m) {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : inWritingOrder(m)) {
                if (!first) sb.append(',');
                first = false;
                quote(sb, String.valueOf(e.getKey()));
                sb.append(':');
                write(sb, e.getValue());
            }
            sb.append('}');
        } else if (v instanceof Iterable<?> it) {
            sb.append('[');
            boolean first = true;
            for (Object o : it) {
                if (!first) sb.append(',');
                first = false;
                write(sb, o);
            }
            sb.append(']');
        } else if (v instanceof int[] a) {
            sb.append('[');
            for (int i = 0; i < a.length; i++) sb.append(i == 0 ? "" : ",").append(a[i]);
            sb.append(']');
        } else if (v instanceof Double d && !Double.isFinite(d)) {
            sb.append("null"); // JSON has no NaN or infinity
        } else if (v instanceof Float f && !Float.isFinite(f)) {
            sb.append("null");
        } else if (v instanceof Number || v instanceof Boolean) {
            sb.append(v);
        } else {
            quote(sb, v.toString());
        }
    }

    /**
     * A map's own order when it has one ({@link SequencedMap}: {@code LinkedHashMap}, {@code TreeMap}), else its
     * entries sorted by key: {@code Map.of}'s order changes from one JVM run to the next, and the same content
     * must always give the same bytes.
     */
    private static Iterable<? extends Map.Entry<?, ?>> inWritingOrder(Map<?, ?> m) {
        if (m instanceof SequencedMap<?, ?> || m.size() < 2) return m.entrySet();
        List<Map.Entry<?, ?>> sorted = new ArrayList<>(m.entrySet());
        sorted.sort(Comparator.comparing(e -> String.valueOf(e.getKey())));
        return sorted;
    }

    private static void quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        sb.append('"');
    }
}
