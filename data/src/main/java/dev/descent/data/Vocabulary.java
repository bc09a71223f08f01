package dev.descent.data;

import dev.descent.core.io.AtomicFile;
import dev.descent.core.io.FileFormatException;
import dev.descent.core.io.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The symbols a text model reads and writes, each with its token id: either the distinct Unicode code points
 * of a text in ascending order ({@link Mode#CHARACTERS}, what a character-level model uses), or the 256 byte
 * values of UTF-8 ({@link Mode#BYTES}, which needs no fitting and encodes any text). Token {@code i} is the
 * {@code i}-th symbol, so the vocabulary of a text is fixed by the text alone.
 *
 * <p>It is saved beside a model as a small JSON file ({@link #save}), {@code {"format":
 * "descent-vocabulary", "version": 1, "mode": "characters", "symbols": [10, 32, 33, …]}}, symbols as numbers
 * so that no character needs escaping. {@link #load} reads it strictly: a bounded size, UTF-8, JSON, the
 * exact keys, symbols strictly ascending and in range; any other file is a {@link FileFormatException}
 * naming the file and the byte offset.
 */
public final class Vocabulary {
    /** What the symbols are. */
    public enum Mode {
        /** Unicode code points (the distinct ones of a text). */
        CHARACTERS,
        /** The bytes 0 … 255 of the UTF-8 encoding. */
        BYTES
    }

    /** The largest vocabulary file {@link #load} reads: every code point as a 7-digit number with a comma fits. */
    public static final long MAX_FILE_BYTES = 16L << 20;

    private static final String FORMAT = "descent-vocabulary";

    private final Mode mode;
    private final int[] symbols;

    private Vocabulary(Mode mode, int[] symbols) {
        this.mode = mode;
        this.symbols = symbols;
    }

    /**
     * The distinct code points of {@code text}, ascending.
     *
     * @param text any text with at least one character
     * @return the character vocabulary of the text
     * @throws IllegalArgumentException when the text is empty or holds a lone surrogate
     */
    public static Vocabulary characters(String text) {
        if (text.isEmpty()) throw new IllegalArgumentException("a vocabulary needs at least one character; the text is empty");
        int[] cps = text.codePoints().distinct().sorted().toArray();
        return of(Mode.CHARACTERS, cps);
    }

    /**
     * The 256 byte values, token {@code b} for byte {@code b}.
     *
     * @return the byte vocabulary
     */
    public static Vocabulary bytes() {
        int[] b = new int[256];
        for (int i = 0; i < 256; i++) b[i] = i;
        return new Vocabulary(Mode.BYTES, b);
    }

    /**
     * A vocabulary of the given symbols.
     *
     * @param mode    what the symbols are
     * @param symbols strictly ascending code points (not surrogates) or, for bytes, exactly 0 … 255
     * @return the vocabulary
     * @throws IllegalArgumentException naming the first symbol out of range or out of order
     */
    public static Vocabulary of(Mode mode, int[] symbols) {
        String problem = check(mode, symbols);
        if (problem != null) throw new IllegalArgumentException(problem);
        return new Vocabulary(mode, symbols.clone());
    }

    /** The first problem of {@code symbols} for {@code mode}, or null. */
    private static String check(Mode mode, int[] symbols) {
        if (symbols.length == 0) return "a vocabulary needs at least one symbol";
        if (mode == Mode.BYTES && symbols.length != 256) return "a byte vocabulary has the 256 symbols 0 … 255, not " + symbols.length;
        for (int i = 0; i < symbols.length; i++) {
            int s = symbols[i];
            boolean valid = mode == Mode.BYTES ? s == i
                    : s >= 0 && s <= Character.MAX_CODE_POINT && !(s >= Character.MIN_SURROGATE && s <= Character.MAX_SURROGATE);
            if (!valid) return "symbol " + i + " is " + s + ", " + (mode == Mode.BYTES ? "expected " + i : "not a Unicode scalar value");
            if (i > 0 && s <= symbols[i - 1]) return "symbol " + i + " is " + s + ", not above the one before it (" + symbols[i - 1] + ")";
        }
        return null;
    }

    /** {@return what the symbols are} */
    public Mode mode() {
        return mode;
    }

    /** {@return the number of tokens} */
    public int size() {
        return symbols.length;
    }

    /**
     * The symbol of a token.
     *
     * @param token in {@code [0, size())}
     * @return its code point (or byte value)
     */
    public int symbol(int token) {
        return symbols[token];
    }

    /**
     * The token of a symbol.
     *
     * @param symbol a code point (or byte value)
     * @return its token, or −1 when the symbol is not in the vocabulary
     */
    public int token(int symbol) {
        int i = Arrays.binarySearch(symbols, symbol);
        return i >= 0 ? i : -1;
    }

    /**
     * The tokens of {@code text}: one per code point, or one per UTF-8 byte.
     *
     * @param text the text
     * @return its tokens, in order
     * @throws IllegalArgumentException naming the first character that is not in the vocabulary and its position
     */
    public int[] encode(String text) {
        if (mode == Mode.BYTES) {
            byte[] b = text.getBytes(StandardCharsets.UTF_8);
            int[] t = new int[b.length];
            for (int i = 0; i < b.length; i++) t[i] = b[i] & 0xFF;
            return t;
        }
        int[] cps = text.codePoints().toArray();
        int[] t = new int[cps.length];
        for (int i = 0; i < cps.length; i++) {
            t[i] = token(cps[i]);
            if (t[i] < 0) {
                throw new IllegalArgumentException("the character " + describe(cps[i]) + " at position " + i + " is not in the vocabulary of "
                        + symbols.length + " characters");
            }
        }
        return t;
    }

    /**
     * The text of {@code tokens}. Byte tokens that do not form UTF-8 decode to U+FFFD, as a sampled byte sequence may.
     *
     * @param tokens token ids in {@code [0, size())}
     * @return the text
     * @throws IllegalArgumentException naming a token out of range
     */
    public String decode(int[] tokens) {
        for (int t : tokens) if (t < 0 || t >= symbols.length) throw new IllegalArgumentException("token " + t + " is outside [0, " + symbols.length + ")");
        if (mode == Mode.BYTES) {
            byte[] b = new byte[tokens.length];
            for (int i = 0; i < b.length; i++) b[i] = (byte) tokens[i];
            return new String(b, StandardCharsets.UTF_8);
        }
        StringBuilder s = new StringBuilder(tokens.length);
        for (int t : tokens) s.appendCodePoint(symbols[t]);
        return s.toString();
    }

    /**
     * A character as an error message shows it: printable ones quoted, with the code point.
     *
     * @param codePoint the character
     * @return e.g. {@code 'é' (U+00E9)}, or {@code U+0007} for a control character
     */
    public static String describe(int codePoint) {
        String u = String.format("U+%04X", codePoint);
        return Character.isISOControl(codePoint) || !Character.isDefined(codePoint) || Character.isWhitespace(codePoint)
                ? u : "'" + Character.toString(codePoint) + "' (" + u + ")";
    }

    /**
     * Writes the vocabulary to {@code file} atomically, as the JSON the class description shows.
     *
     * @param file the target
     * @throws IOException when it cannot be written
     */
    public void save(Path file) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", FORMAT);
        m.put("version", 1L);
        m.put("mode", mode.name().toLowerCase(java.util.Locale.ROOT));
        List<Object> s = new ArrayList<>(symbols.length);
        for (int v : symbols) s.add((long) v);
        m.put("symbols", s);
        AtomicFile.writeString(file, Json.write(m) + "\n");
    }

    /**
     * Reads a vocabulary written by {@link #save}.
     *
     * @param file the vocabulary file
     * @return the vocabulary
     * @throws FileFormatException naming the file and the byte offset when it is larger than {@link #MAX_FILE_BYTES},
     *         not UTF-8, not JSON, or not a vocabulary
     * @throws IOException when it cannot be read
     */
    public static Vocabulary load(Path file) throws IOException {
        long size = Files.size(file);
        if (size > MAX_FILE_BYTES) throw new FileFormatException(file, MAX_FILE_BYTES, "a vocabulary file of at most " + MAX_FILE_BYTES + " bytes", size + " bytes");
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length > MAX_FILE_BYTES) throw new FileFormatException(file, MAX_FILE_BYTES, "a vocabulary file of at most " + MAX_FILE_BYTES + " bytes", "more");
        String text = TextFiles.decode(file, bytes);
        Object json;
        try {
            json = Json.parse(text);
        } catch (Json.ParseException e) {
            throw new FileFormatException(file, byteOffset(text, e.position()), "JSON (a descent vocabulary)", e.getMessage());
        }
        if (!(json instanceof Map<?, ?> m)) throw new FileFormatException(file, 0, "a JSON object (a descent vocabulary)", "another JSON value");
        if (!m.keySet().equals(java.util.Set.of("format", "version", "mode", "symbols"))) {
            throw new FileFormatException(file, 0, "exactly the keys format, version, mode, symbols", "the keys " + m.keySet());
        }
        if (!FORMAT.equals(m.get("format"))) throw new FileFormatException(file, 0, "format \"" + FORMAT + "\"", String.valueOf(m.get("format")));
        if (!Long.valueOf(1).equals(m.get("version"))) throw new FileFormatException(file, 0, "version 1", String.valueOf(m.get("version")));
        Mode mode;
        if ("characters".equals(m.get("mode"))) mode = Mode.CHARACTERS;
        else if ("bytes".equals(m.get("mode"))) mode = Mode.BYTES;
        else throw new FileFormatException(file, 0, "mode \"characters\" or \"bytes\"", String.valueOf(m.get("mode")));
        if (!(m.get("symbols") instanceof List<?> list)) throw new FileFormatException(file, 0, "symbols as a JSON array", String.valueOf(m.get("symbols")));
        int[] symbols = new int[list.size()];
        for (int i = 0; i < symbols.length; i++) {
            Object v = list.get(i);
            if (!(v instanceof Long l) || l < 0 || l > Character.MAX_CODE_POINT) {
                throw new FileFormatException(file, 0, "symbol " + i + " as a whole number in [0, " + Character.MAX_CODE_POINT + "]", String.valueOf(v));
            }
            symbols[i] = (int) (long) l;
        }
        String problem = check(mode, symbols);
        if (problem != null) throw new FileFormatException(file, 0, "a valid " + m.get("mode") + " vocabulary", problem);
        return new Vocabulary(mode, symbols);
    }

    /** The UTF-8 byte offset of character {@code chars} of {@code text}. */
    private static long byteOffset(String text, int chars) {
        return text.substring(0, Math.min(chars, text.length())).getBytes(StandardCharsets.UTF_8).length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Vocabulary v && v.mode == mode && Arrays.equals(v.symbols, symbols);
    }

    @Override
    public int hashCode() {
        return mode.hashCode() * 31 + Arrays.hashCode(symbols);
    }

    @Override
    public String toString() {
        return symbols.length + " " + (mode == Mode.BYTES ? "bytes" : "characters");
    }
}
