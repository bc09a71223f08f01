package dev.descent.onnx;

import dev.descent.core.io.FileFormatException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A reader of the protobuf wire format over one message's bytes: a key (field number and wire type) as a
 * varint, then a varint (type 0), 8 little-endian bytes (type 1), a varint length and that many bytes
 * (type 2) or 4 little-endian bytes (type 5). Groups (types 3 and 4) are deprecated and refused.
 *
 * <p>Trusts nothing: every length is checked against the bytes left in the enclosing message before
 * anything is allocated, a varint longer than 10 bytes is refused, and nested messages are at most
 * {@link #MAX_DEPTH} deep. Errors are {@link FileFormatException}s naming the file, the byte offset and
 * what was expected there. Not thread-safe; a reader over a nested message shares the file's bytes.
 */
final class ProtoReader {
    /** Nested messages deeper than this are refused (ONNX's own nesting is under 10 levels). */
    static final int MAX_DEPTH = 64;

    static final int VARINT = 0, FIXED64 = 1, LEN = 2, FIXED32 = 5;

    private final Path file;
    private final byte[] buf;
    private final int end;
    private final int depth;
    private final String what;
    private int pos;
    private int field, wireType, keyAt;

    ProtoReader(Path file, byte[] buf, int start, int end, int depth, String what) {
        this.file = file;
        this.buf = buf;
        this.pos = start;
        this.end = end;
        this.depth = depth;
        this.what = what;
    }

    /** A reader over a whole file's bytes, the message {@code what} at the top. */
    static ProtoReader of(Path file, byte[] bytes, String what) {
        return new ProtoReader(file, bytes, 0, bytes.length, 0, what);
    }

    Path file() {
        return file;
    }

    /** The offset of the next byte to read, from the start of the file. */
    int position() {
        return pos;
    }

    /** The offset of the last key read. */
    int keyOffset() {
        return keyAt;
    }

    int field() {
        return field;
    }

    int wireType() {
        return wireType;
    }

    /** Reads the next key; false at the end of the message. */
    boolean next() throws FileFormatException {
        if (pos >= end) return false;
        keyAt = pos;
        long key = rawVarint();
        int wt = (int) (key & 7);
        long f = key >>> 3;
        if (f < 1 || f > 536_870_911L) throw error(keyAt, "a field number between 1 and 2^29-1 in " + what, Long.toUnsignedString(f));
        if (wt != VARINT && wt != FIXED64 && wt != LEN && wt != FIXED32) {
            throw error(keyAt, "wire type 0, 1, 2 or 5 for field " + f + " of " + what, "wire type " + wt);
        }
        field = (int) f;
        wireType = wt;
        return true;
    }

    FileFormatException error(long offset, String expected, String found) {
        return new FileFormatException(file, offset, expected, found);
    }

    /** Fails unless the current field has wire type {@code wt}; {@code name} is the field's name in the schema. */
    void expect(int wt, String name) throws FileFormatException {
        if (wireType != wt) {
            throw error(keyAt, wireName(wt) + " for field " + field + " (" + name + ") of " + what, wireName(wireType));
        }
    }

    private static String wireName(int wt) {
        return switch (wt) {
            case VARINT -> "a varint";
            case FIXED64 -> "a fixed64";
            case LEN -> "a length-delimited value";
            case FIXED32 -> "a fixed32";
            default -> "wire type " + wt;
        };
    }

    private long rawVarint() throws FileFormatException {
        int start = pos;
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos >= end) throw error(pos, "the rest of a varint in " + what, "the end of the " + (end == buf.length ? "file" : what));
            int b = buf[pos++] & 0xff;
            if (shift == 63 && b > 1) throw error(start, "a varint of at most 64 bits in " + what, "more");
            v |= (long) (b & 0x7f) << shift;
            if (b < 0x80) return v;
        }
        throw error(start, "a varint of at most 10 bytes in " + what, "more");
    }

    /** A varint field's value (int64 and friends: the two's complement bits). */
    long varint(String name) throws FileFormatException {
        expect(VARINT, name);
        return rawVarint();
    }

    /** A varint field that must fit an int32 (enums, int32 fields: negative values are sign-extended). */
    int int32(String name) throws FileFormatException {
        int at = pos;
        long v = varint(name);
        if (v != (int) v) throw error(at, name + " of " + what + " as an int32", Long.toString(v));
        return (int) v;
    }

    float fixed32Float(String name) throws FileFormatException {
        expect(FIXED32, name);
        need(4, name);
        float f = ByteBuffer.wrap(buf, pos, 4).order(ByteOrder.LITTLE_ENDIAN).getFloat();
        pos += 4;
        return f;
    }

    /** Reads a length and checks that it fits in what is left of this message; returns the start of the bytes. */
    private int length(String name) throws FileFormatException {
        expect(LEN, name);
        int at = pos;
        long n = rawVarint();
        if (n < 0 || n > end - pos) {
            throw error(at, "a length of at most " + (end - pos) + " bytes for " + name + " of " + what + " (what is left of it)",
                    Long.toUnsignedString(n));
        }
        int start = pos;
        pos += (int) n;
        return start;
    }

    private void need(int n, String name) throws FileFormatException {
        if (end - pos < n) throw error(pos, n + " bytes for " + name + " of " + what, (end - pos) + " left");
    }

    /** A nested message's reader; this reader moves past it. */
    ProtoReader message(String name, String type) throws FileFormatException {
        int at = keyAt;
        if (depth + 1 > MAX_DEPTH) throw error(at, "messages nested at most " + MAX_DEPTH + " deep", "deeper, at " + name + " of " + what);
        int start = length(name);
        return new ProtoReader(file, buf, start, pos, depth + 1, type);
    }

    /** A string field, checked to be UTF-8. */
    String string(String name) throws FileFormatException {
        int start = length(name);
        boolean ascii = true;
        for (int k = start; k < pos && ascii; k++) ascii = buf[k] >= 0;
        if (ascii) return new String(buf, start, pos - start, StandardCharsets.ISO_8859_1); // the common case, without a decoder
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(buf, start, pos - start)).toString();
        } catch (CharacterCodingException e) {
            throw error(start, "UTF-8 text for " + name + " of " + what, "invalid bytes");
        }
    }

    /** A bytes field as a read-only little-endian view of the file's bytes (no copy). */
    ByteBuffer bytes(String name) throws FileFormatException {
        int start = length(name);
        return ByteBuffer.wrap(buf, start, pos - start).slice().order(ByteOrder.LITTLE_ENDIAN).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Skips the current field's value, whatever its wire type. */
    void skip() throws FileFormatException {
        switch (wireType) {
            case VARINT -> rawVarint();
            case FIXED64 -> {
                need(8, "field " + field);
                pos += 8;
            }
            case FIXED32 -> {
                need(4, "field " + field);
                pos += 4;
            }
            default -> length("field " + field);
        }
    }

    /**
     * Appends a repeated varint field's values, packed (one length-delimited run) or not (one value), to {@code out}.
     */
    void repeatedVarint(String name, LongList out) throws FileFormatException {
        if (wireType == VARINT) {
            out.add(rawVarint());
            return;
        }
        int start = length(name), stop = pos;
        pos = start;
        try {
            // Every varint takes at least one byte: the run's length bounds the count, so the list grows only with the file.
            while (pos < stop) {
                long v = 0;
                int at = pos;
                boolean done = false;
                for (int shift = 0; shift < 64 && pos < stop; shift += 7) {
                    int b = buf[pos++] & 0xff;
                    v |= (long) (b & 0x7f) << shift;
                    if (b < 0x80) {
                        done = true;
                        break;
                    }
                }
                if (!done) throw error(at, "a complete varint inside the packed " + name + " of " + what, "the end of the run or an over-long varint");
                out.add(v);
            }
        } finally {
            pos = stop;
        }
    }

    /** Appends a repeated float field's values, packed or not. */
    void repeatedFloat(String name, FloatList out) throws FileFormatException {
        if (wireType == FIXED32) {
            out.add(fixed32Float(name));
            return;
        }
        int start = length(name);
        int n = pos - start;
        if (n % 4 != 0) throw error(start, "a multiple of 4 bytes for the packed " + name + " of " + what, n + " bytes");
        ByteBuffer b = ByteBuffer.wrap(buf, start, n).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n / 4; i++) out.add(b.getFloat());
    }

    /** Appends a repeated double field's values, packed or not. */
    void repeatedDouble(String name, DoubleList out) throws FileFormatException {
        if (wireType == FIXED64) {
            need(8, name);
            out.add(ByteBuffer.wrap(buf, pos, 8).order(ByteOrder.LITTLE_ENDIAN).getDouble());
            pos += 8;
            return;
        }
        int start = length(name);
        int n = pos - start;
        if (n % 8 != 0) throw error(start, "a multiple of 8 bytes for the packed " + name + " of " + what, n + " bytes");
        ByteBuffer b = ByteBuffer.wrap(buf, start, n).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n / 8; i++) out.add(b.getDouble());
    }

    /** A growable long array (no boxing). */
    static final class LongList {
        long[] a = new long[0]; // grown on first use: an empty message's lists cost a few bytes
        int n;

        void add(long v) {
            if (n == a.length) a = java.util.Arrays.copyOf(a, Math.max(8, 2 * n));
            a[n++] = v;
        }

        long[] toArray() {
            return java.util.Arrays.copyOf(a, n);
        }
    }

    /** A growable float array. */
    static final class FloatList {
        float[] a = new float[0]; // grown on first use: an empty message's lists cost a few bytes
        int n;

        void add(float v) {
            if (n == a.length) a = java.util.Arrays.copyOf(a, Math.max(8, 2 * n));
            a[n++] = v;
        }

        float[] toArray() {
            return java.util.Arrays.copyOf(a, n);
        }
    }

    /** A growable double array. */
    static final class DoubleList {
        double[] a = new double[0]; // grown on first use: an empty message's lists cost a few bytes
        int n;

        void add(double v) {
            if (n == a.length) a = java.util.Arrays.copyOf(a, Math.max(8, 2 * n));
            a[n++] = v;
        }

        double[] toArray() {
            return java.util.Arrays.copyOf(a, n);
        }
    }
}
