package dev.descent.core.io;

import dev.descent.core.DType;
import dev.descent.core.Shape;
import dev.descent.core.Storage;
import dev.descent.core.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes safetensors files: an 8-byte little-endian header length N, N bytes of JSON
 * (per tensor: {@code dtype}, {@code shape}, {@code data_offsets} relative to the data section;
 * optionally {@code __metadata__}, a string-to-string map), then the little-endian tensor data.
 * Files written here are readable by other frameworks' safetensors readers; never Java serialization.
 *
 * <p>Every {@link DType} is read and written under its own name ({@link DType#safetensorsName()}): {@code F32},
 * {@code F64}, {@code I64}, {@code BOOL}, {@code F16}, {@code BF16} (kept as their 16-bit patterns, bit for bit),
 * {@code I32}, {@code I8} and {@code U8}. {@code I16}, which Descent has no dtype for, is read widened exactly to int32.
 * A model of float32 parameters loads a half-precision file through {@code Module.load}, which converts floating-point
 * tensors to the parameters' dtype.
 *
 * <p>The reader trusts nothing: the header length must fit in the file and under
 * {@link #MAX_HEADER_BYTES}; every dtype must be known; every shape times the element size must equal
 * its byte range; at most {@link #MAX_TENSORS} tensors; ranges must lie inside the data section, must not overlap and must cover it with no
 * holes (as the format requires). Each violation is a {@link FileFormatException} naming the file,
 * the byte offset and what was expected; nothing is allocated beyond what the file's size allows.
 * Writing goes through {@link AtomicFile}.
 */
public final class Safetensors {
    private Safetensors() {}

    /** Headers larger than this are refused (real ones are kilobytes). */
    public static final long MAX_HEADER_BYTES = 100L << 20;

    /**
     * Files listing more tensors than this are refused: each tensor costs a few hundred bytes of heap however
     * little of the file it takes (an empty one takes some 50 header bytes), and real files list thousands at
     * most (a shard of a large mixture-of-experts model a few thousand).
     */
    public static final int MAX_TENSORS = 1 << 16;

    /**
     * The tensors of a file, in file order, and its metadata.
     *
     * @param tensors the tensors by name, in header order (unmodifiable)
     * @param metadata the {@code __metadata__} strings, empty when the file has none (unmodifiable)
     */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {}

    // ------------------------------------------------------------ writing

    /**
     * Writes {@code tensors} (in iteration order) with no metadata, atomically.
     *
     * @param tensors the tensors by name; each is written contiguous, views included
     * @param file the file to create or replace
     * @throws IOException when writing fails (the old file, if any, is then left as it was)
     * @throws IllegalArgumentException when a tensor is named {@code __metadata__}
     */
    public static void save(Map<String, Tensor> tensors, Path file) throws IOException {
        save(tensors, Map.of(), file);
    }

    /**
     * Writes {@code tensors} (in iteration order) and string {@code metadata}, atomically. The header is
     * padded with spaces to a multiple of 8 bytes, as the reference writer does.
     *
     * @param tensors the tensors by name; each is written contiguous, views included
     * @param metadata strings stored under {@code __metadata__} (omitted when empty), in the map's order when it
     *        has one (a {@link java.util.SequencedMap} such as {@code LinkedHashMap}), else sorted by key, so that
     *        the same content always gives the same bytes
     * @param file the file to create or replace
     * @throws IOException when writing fails (the old file, if any, is then left as it was)
     * @throws IllegalArgumentException when a tensor is named {@code __metadata__}
     */
    public static void save(Map<String, Tensor> tensors, Map<String, String> metadata, Path file) throws IOException {
        Map<String, Object> header = new LinkedHashMap<>();
        if (!metadata.isEmpty()) {
            header.put("__metadata__", metadata instanceof java.util.SequencedMap<String, String> seq
                    ? new LinkedHashMap<>(seq) : new java.util.TreeMap<>(metadata)); // Map.of's order changes from run to run
        }
        List<Tensor> ordered = new ArrayList<>();
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            String name = e.getKey();
            if (name.equals("__metadata__")) throw new IllegalArgumentException("'__metadata__' is reserved and cannot name a tensor");
            Tensor t = e.getValue().detach().contiguous();
            long bytes = (long) t.numel() * t.dtype().byteSize();
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("dtype", t.dtype().safetensorsName());
            entry.put("shape", t.shape());
            entry.put("data_offsets", List.of(offset, offset + bytes));
            header.put(name, entry);
            ordered.add(t);
            offset += bytes;
        }
        byte[] json = Json.write(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8; // spaces to 8-byte alignment, as the reference writer does
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) head.put((byte) ' ');
        head.flip();
        AtomicFile.write(file, out -> {
            writeFully(out, head);
            for (Tensor t : ordered) writeData(out, t);
        });
    }

    private static void writeData(FileChannel out, Tensor t) throws IOException {
        int n = t.numel(), off = t.storageOffset();
        final int chunk = 1 << 16;
        ByteBuffer buf = ByteBuffer.allocate(chunk * t.dtype().byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        Storage s = t.storage();
        for (int from = 0; from < n; from += chunk) {
            int len = Math.min(chunk, n - from);
            buf.clear();
            switch (t.dtype()) {
                case FLOAT32 -> buf.asFloatBuffer().put(s.floats(), off + from, len);
                case FLOAT64 -> buf.asDoubleBuffer().put(s.doubles(), off + from, len);
                case INT64 -> buf.asLongBuffer().put(s.longs(), off + from, len);
                case BOOL -> {
                    boolean[] b = s.bools();
                    for (int i = 0; i < len; i++) buf.put(i, (byte) (b[off + from + i] ? 1 : 0));
                }
                case FLOAT16, BFLOAT16 -> buf.asShortBuffer().put(s.shorts(), off + from, len);
                case INT8, UINT8 -> buf.put(0, s.bytes(), off + from, len);
                case INT32 -> buf.asIntBuffer().put(s.ints(), off + from, len);
            }
            buf.limit(len * t.dtype().byteSize());
            buf.position(0);
            writeFully(out, buf);
        }
    }

    private static void writeFully(FileChannel out, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) out.write(b);
    }

    // ------------------------------------------------------------ reading

    /**
     * Reads every tensor of a file into fresh contiguous tensors.
     *
     * @param file the safetensors file
     * @return the tensors, in header order, and the metadata
     * @throws FileFormatException naming the file, the byte offset and what was expected, when the file is
     *         not a valid safetensors file of dtypes F32, F64, I64, BOOL, F16, BF16, I32, I16, I8 and U8 (each read into
     *         the dtype of that name; I16 into int32)
     * @throws IOException when the file cannot be read
     */
    public static Contents load(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) throw new FileFormatException(file, 0, "an 8-byte header length", size + " bytes in the whole file");
            ByteBuffer lenBuf = readAt(ch, 0, 8, file);
            long headerLen = lenBuf.order(ByteOrder.LITTLE_ENDIAN).getLong();
            if (headerLen < 2 || headerLen > size - 8 || headerLen > MAX_HEADER_BYTES) {
                throw new FileFormatException(file, 0, "a header length between 2 and " + Math.min(size - 8, MAX_HEADER_BYTES) + " bytes",
                        Long.toUnsignedString(headerLen));
            }
            ByteBuffer hb = readAt(ch, 8, (int) headerLen, file);
            String text = utf8(hb, file);
            long dataStart = 8 + headerLen, dataLen = size - dataStart;
            List<Entry> entries = new ArrayList<>();
            LinkedHashMap<String, String> metadata = new LinkedHashMap<>();
            try {
                // Member by member: each entry is checked and kept as a small record while the parse goes on, so the
                // header's JSON tree is never held whole, and a header listing too many tensors stops at the limit.
                Json.parseMembers(text, (name, value, at) -> {
                    if (name.equals("__metadata__")) {
                        readMetadata(file, value, metadata);
                    } else if (entries.size() == MAX_TENSORS) {
                        throw new FileFormatException(file, 8 + utf8Length(text, at), "at most " + MAX_TENSORS + " tensors", "more");
                    } else {
                        entries.add(entry(file, name, value, dataLen));
                    }
                });
            } catch (Json.ParseException e) {
                if (e.getMessage().startsWith("expected an object")) throw new FileFormatException(file, 8, "a JSON object as header", describe(text.strip()));
                throw new FileFormatException(file, 8 + utf8Length(text, e.position()), "a JSON header", e.getMessage());
            }
            checkCoverage(file, entries, dataStart, dataLen);
            LinkedHashMap<String, Tensor> tensors = new LinkedHashMap<>();
            for (Entry en : entries) tensors.put(en.name, readTensor(ch, file, en, dataStart));
            return new Contents(Collections.unmodifiableSequencedMap(tensors), Collections.unmodifiableSequencedMap(metadata));
        }
    }

    private static void readMetadata(Path file, Object value, Map<String, String> metadata) throws FileFormatException {
        if (!(value instanceof Map<?, ?> m)) throw new FileFormatException(file, 8, "__metadata__ as an object of strings", describe(value));
        for (Map.Entry<?, ?> me : m.entrySet()) {
            if (!(me.getValue() instanceof String v)) {
                throw new FileFormatException(file, 8, "string values in __metadata__", describe(me.getValue()) + " for key '" + me.getKey() + "'");
            }
            metadata.put((String) me.getKey(), v);
        }
    }

    /**
     * The header as text, checked to be UTF-8 without a second copy of it: the decoder only checks, through a
     * small buffer, and the string is made from the bytes.
     */
    private static String utf8(ByteBuffer header, Path file) throws FileFormatException {
        CharsetDecoder check = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = header.duplicate();
        CharBuffer scratch = CharBuffer.allocate(4096);
        CoderResult r;
        do {
            scratch.clear();
            r = check.decode(in, scratch, true);
            if (r.isError()) throw new FileFormatException(file, 8 + in.position(), "a UTF-8 JSON header", "bytes that are not UTF-8");
        } while (r.isOverflow());
        do {
            scratch.clear();
            r = check.flush(scratch);
        } while (r.isOverflow());
        return new String(header.array(), header.arrayOffset() + header.position(), header.remaining(), StandardCharsets.UTF_8);
    }

    /** A dtype as stored in a file: its name, bytes per element, and the dtype it is read into. */
    private enum Stored {
        F32(4, DType.FLOAT32), F64(8, DType.FLOAT64), I64(8, DType.INT64), BOOL(1, DType.BOOL),
        F16(2, DType.FLOAT16), BF16(2, DType.BFLOAT16), I32(4, DType.INT32), I16(2, DType.INT32), I8(1, DType.INT8), U8(1, DType.UINT8);

        final int size;
        final DType into;

        Stored(int size, DType into) {
            this.size = size;
            this.into = into;
        }

        static Stored of(String name) {
            for (Stored d : values()) if (d.name().equals(name)) return d;
            return null;
        }
    }

    private record Entry(String name, Stored stored, int[] shape, long begin, long end) {}

    private static Entry entry(Path file, String name, Object v, long dataLen) throws FileFormatException {
        if (!(v instanceof Map<?, ?> m)) throw new FileFormatException(file, 8, "an object for tensor '" + name + "'", describe(v));
        if (!(m.get("dtype") instanceof String dt)) throw new FileFormatException(file, 8, "a string dtype for tensor '" + name + "'", describe(m.get("dtype")));
        Stored dtype = Stored.of(dt);
        if (dtype == null) {
            throw new FileFormatException(file, 8, "a dtype of F32, F64, I64, BOOL, F16, BF16, I32, I16, I8 or U8 for tensor '" + name + "'", "\"" + dt + "\"");
        }
        if (!(m.get("shape") instanceof List<?> sl)) throw new FileFormatException(file, 8, "a shape list for tensor '" + name + "'", describe(m.get("shape")));
        if (!(m.get("data_offsets") instanceof List<?> ol) || ol.size() != 2) {
            throw new FileFormatException(file, 8, "data_offsets [begin, end] for tensor '" + name + "'", describe(m.get("data_offsets")));
        }
        int[] shape = new int[sl.size()];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            if (!(sl.get(i) instanceof Long d) || d < 0 || d > Integer.MAX_VALUE) {
                throw new FileFormatException(file, 8, "non-negative integer dims in the shape of '" + name + "'", describe(sl.get(i)));
            }
            shape[i] = (int) (long) d;
            numel = Math.multiplyHigh(numel, d) != 0 ? Long.MAX_VALUE : numel * d;
            if (numel > Integer.MAX_VALUE) throw new FileFormatException(file, 8, "at most 2^31-1 elements in '" + name + "'", "shape " + sl);
        }
        if (!(ol.get(0) instanceof Long begin) || !(ol.get(1) instanceof Long end) || begin < 0 || end < begin || end > dataLen) {
            throw new FileFormatException(file, 8, "offsets of '" + name + "' inside the data section [0, " + dataLen + "]", describe(ol));
        }
        long bytes = numel * dtype.size;
        if (end - begin != bytes) {
            throw new FileFormatException(file, 8, (bytes) + " bytes for '" + name + "' (" + dt + " " + Shape.format(shape) + ")", (end - begin) + " bytes");
        }
        return new Entry(name, dtype, shape, begin, end);
    }

    /** Ranges sorted, not overlapping, and covering [0, dataLen) exactly. */
    private static void checkCoverage(Path file, List<Entry> entries, long dataStart, long dataLen) throws FileFormatException {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort((a, b) -> a.begin != b.begin ? Long.compare(a.begin, b.begin) : Long.compare(a.end, b.end));
        long at = 0;
        for (Entry e : sorted) {
            if (e.begin < at) throw new FileFormatException(file, dataStart + e.begin, "tensor '" + e.name + "' not to overlap the tensor before it", "overlap up to byte " + (dataStart + at));
            if (e.begin > at) throw new FileFormatException(file, dataStart + at, "tensor data without holes", "unreferenced bytes before '" + e.name + "'");
            at = e.end;
        }
        if (at != dataLen) throw new FileFormatException(file, dataStart + at, "the end of the file after the last tensor", (dataLen - at) + " extra bytes");
    }

    private static Tensor readTensor(FileChannel ch, Path file, Entry e, long dataStart) throws IOException {
        int n = Shape.numel(e.shape);
        Tensor t = Tensor.zeros(e.stored.into, e.shape);
        Storage s = t.storage();
        final int chunk = 1 << 16;
        int size = e.stored.size;
        for (int from = 0; from < n; from += chunk) {
            int len = Math.min(chunk, n - from);
            ByteBuffer b = readAt(ch, dataStart + e.begin + (long) from * size, len * size, file).order(ByteOrder.LITTLE_ENDIAN);
            switch (e.stored) {
                case F32 -> b.asFloatBuffer().get(s.floats(), from, len);
                case F64 -> b.asDoubleBuffer().get(s.doubles(), from, len);
                case I64 -> b.asLongBuffer().get(s.longs(), from, len);
                case F16, BF16 -> b.asShortBuffer().get(s.shorts(), from, len);
                case I32 -> b.asIntBuffer().get(s.ints(), from, len);
                case I16 -> {
                    int[] out = s.ints();
                    for (int i = 0; i < len; i++) out[from + i] = b.getShort(2 * i);
                }
                case I8, U8 -> b.get(0, s.bytes(), from, len);
                case BOOL -> {
                    boolean[] out = s.bools();
                    for (int i = 0; i < len; i++) {
                        byte v = b.get(i);
                        if (v != 0 && v != 1) {
                            throw new FileFormatException(file, dataStart + e.begin + from + i, "a BOOL byte 0 or 1 in '" + e.name + "'", Integer.toString(v & 0xff));
                        }
                        out[from + i] = v == 1;
                    }
                }
            }
        }
        return t;
    }

    private static ByteBuffer readAt(FileChannel ch, long position, int length, Path file) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length);
        while (b.hasRemaining()) {
            int r = ch.read(b, position + b.position());
            if (r < 0) throw new FileFormatException(file, position + b.position(), length + " bytes", "the end of the file");
        }
        b.flip();
        return b;
    }

    private static long utf8Length(String text, int chars) {
        return text.substring(0, Math.min(chars, text.length())).getBytes(StandardCharsets.UTF_8).length;
    }

    private static String describe(Object v) {
        if (v == null) return "null";
        String s = v instanceof String str ? "\"" + str + "\"" : v.toString();
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }
}
