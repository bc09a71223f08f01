package dev.descent.core.io;

import dev.descent.core.DType;
import dev.descent.core.Shape;
import dev.descent.core.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * NumPy's {@code .npy} format, the file numpy users exchange one array in: the magic {@code \x93NUMPY}, a version
 * (1.0 with a 2-byte header length, 2.0 and 3.0 with a 4-byte one), then a header that is a Python dict literal
 * with the keys {@code descr}, {@code fortran_order} and {@code shape}, padded with spaces to a multiple of 64
 * bytes and ended by a newline, then the elements in row-major order.
 *
 * <p>Element types, read into and written from the Descent dtype of the same name, bit for bit: {@code <f4} (float32),
 * {@code <f8} (float64), {@code <f2} (float16), {@code <i8} (int64), {@code <i4} (int32), {@code |i1} (int8),
 * {@code |u1} (uint8) and {@code |b1} (bool); files are written as version 1.0. numpy has no bfloat16: {@link #toBytes}
 * refuses such a tensor, and {@link #readBfloat16Bits}/{@link #writeBfloat16Bits} exchange one as its 16-bit patterns
 * in a {@code <u2} (uint16) array, which is how numpy code without a bfloat16 type holds one. Column-major
 * ({@code fortran_order: True}) and big-endian arrays are refused with a message saying how to convert them.
 *
 * <p>Reading trusts nothing: the header is at most {@link #MAX_HEADER_BYTES} and must fit the file, the dims must
 * be non-negative with a product below 2³¹, and the data must be exactly what the shape and type call for, so
 * nothing is allocated beyond the file's size. Each violation is a {@link FileFormatException} naming the file and
 * the byte offset.
 */
public final class Npy {
    private Npy() {}

    /** The largest header read, numpy's own default limit ({@code max_header_size}). */
    public static final int MAX_HEADER_BYTES = 10_000;

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

    /**
     * Reads a {@code .npy} file.
     *
     * @param file the file
     * @return the array as a tensor of the file's dtype
     * @throws FileFormatException naming the file and byte offset, when the file is not a {@code .npy} file Descent reads
     * @throws IOException when the file cannot be read
     */
    public static Tensor read(Path file) throws IOException {
        long size = Files.size(file);
        if (size > Integer.MAX_VALUE - 8) throw new FileFormatException(file, 0, "a .npy file of at most 2^31 bytes", size + " bytes");
        return read(file, Files.readAllBytes(file));
    }

    /**
     * Reads {@code .npy} bytes.
     *
     * @param file the name to give in errors
     * @param b the file's contents
     * @return the array as a tensor
     * @throws FileFormatException when the bytes are not a {@code .npy} file Descent reads, as {@link #read(Path)}
     */
    public static Tensor read(Path file, byte[] b) throws FileFormatException {
        return read(file, b, false);
    }

    /**
     * Reads a {@code .npy} file of {@code <u2} (uint16) values as the bit patterns of a bfloat16 tensor: numpy has no
     * bfloat16, and code without one ({@code a.view(np.uint16)} of an ml_dtypes array, or the top halves of float32
     * bits) saves the patterns so. Other element types are refused.
     *
     * @param file the file
     * @return a {@link DType#BFLOAT16} tensor holding the file's patterns
     * @throws FileFormatException naming the file and byte offset, when the file is not a {@code .npy} file of {@code <u2}
     * @throws IOException when the file cannot be read
     */
    public static Tensor readBfloat16Bits(Path file) throws IOException {
        long size = Files.size(file);
        if (size > Integer.MAX_VALUE - 8) throw new FileFormatException(file, 0, "a .npy file of at most 2^31 bytes", size + " bytes");
        return read(file, Files.readAllBytes(file), true);
    }

    private static Tensor read(Path file, byte[] b, boolean bf16Bits) throws FileFormatException {
        for (int k = 0; k < MAGIC.length; k++) {
            if (k >= b.length || b[k] != MAGIC[k]) throw new FileFormatException(file, Math.min(k, b.length), "the .npy magic \\x93NUMPY", k >= b.length ? "the end of the file" : "other bytes");
        }
        if (b.length < 8) throw new FileFormatException(file, b.length, "a version after the magic", "the end of the file");
        int major = b[6] & 0xff, minor = b[7] & 0xff;
        if (major < 1 || major > 3 || minor != 0) throw new FileFormatException(file, 6, "version 1.0, 2.0 or 3.0", "version " + major + "." + minor);
        int lenBytes = major == 1 ? 2 : 4;
        if (b.length < 8 + lenBytes) throw new FileFormatException(file, b.length, "the header length", "the end of the file");
        ByteBuffer le = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        long headerLen = major == 1 ? le.getShort(8) & 0xffff : le.getInt(8) & 0xffffffffL;
        int start = 8 + lenBytes;
        if (headerLen > MAX_HEADER_BYTES) throw new FileFormatException(file, 8, "a header of at most " + MAX_HEADER_BYTES + " bytes", headerLen + " bytes");
        if (start + headerLen > b.length) throw new FileFormatException(file, 8, "a header of at most the " + (b.length - start) + " bytes left", headerLen + " bytes");
        String header = new String(b, start, (int) headerLen, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Map<String, Object> dict = new HeaderParser(file, start, header).dict();
        if (!dict.keySet().equals(java.util.Set.of("descr", "fortran_order", "shape"))) {
            throw new FileFormatException(file, start, "a header with exactly the keys descr, fortran_order and shape", "keys " + dict.keySet());
        }
        if (!(dict.get("descr") instanceof String descr)) throw new FileFormatException(file, start, "a string descr", String.valueOf(dict.get("descr")));
        if (!(dict.get("fortran_order") instanceof Boolean fortran)) throw new FileFormatException(file, start, "fortran_order True or False", String.valueOf(dict.get("fortran_order")));
        if (!(dict.get("shape") instanceof long[] dims)) throw new FileFormatException(file, start, "a shape tuple of integers", String.valueOf(dict.get("shape")));
        if (fortran) throw new FileFormatException(file, start, "fortran_order False (row-major; save np.ascontiguousarray(a))", "fortran_order True");
        if (descr.startsWith(">")) throw new FileFormatException(file, start, "little-endian data (save a.astype(a.dtype.newbyteorder('<')))", "big-endian descr '" + descr + "'");
        if (bf16Bits && !descr.equals("<u2")) throw new FileFormatException(file, start, "descr <u2 (the bit patterns of bfloat16 values)", "'" + descr + "'");
        int width = switch (descr) {
            case "<f4", "<i4" -> 4;
            case "<f8", "<i8" -> 8;
            case "<f2" -> 2;
            case "<u2" -> {
                if (!bf16Bits) throw new FileFormatException(file, start, "descr <f4, <f8, <f2, <i8, <i4, |i1, |u1 or |b1 (uint16 only as bfloat16 bit patterns,"
                        + " through readBfloat16Bits)", "'" + descr + "'");
                yield 2;
            }
            case "|u1", "|b1", "|i1" -> 1;
            default -> throw new FileFormatException(file, start, "descr <f4, <f8, <f2, <i8, <i4, |i1, |u1 or |b1", "'" + descr + "'");
        };
        int[] shape = new int[dims.length];
        long count = 1;
        for (int k = 0; k < dims.length; k++) {
            if (dims[k] < 0 || dims[k] > Integer.MAX_VALUE) throw new FileFormatException(file, start, "dims between 0 and 2^31-1", "shape " + java.util.Arrays.toString(dims));
            shape[k] = (int) dims[k];
            count *= dims[k];
            if (count > Integer.MAX_VALUE - 8) throw new FileFormatException(file, start, "at most 2^31-9 elements", "shape " + java.util.Arrays.toString(dims));
        }
        int n = (int) count, data = start + (int) headerLen;
        long need = (long) n * width;
        if (b.length - data != need) {
            throw new FileFormatException(file, data, need + " bytes of data for " + descr + " of shape " + Shape.format(shape), (b.length - data) + " bytes");
        }
        ByteBuffer d = ByteBuffer.wrap(b, data, (int) need).slice().order(ByteOrder.LITTLE_ENDIAN);
        Tensor t = switch (descr) {
            case "<f4" -> {
                float[] a = new float[n];
                d.asFloatBuffer().get(a);
                yield Tensor.of(a, n);
            }
            case "<f8" -> {
                double[] a = new double[n];
                d.asDoubleBuffer().get(a);
                yield Tensor.of(a, n);
            }
            case "<i8" -> {
                long[] a = new long[n];
                d.asLongBuffer().get(a);
                yield Tensor.of(a, n);
            }
            case "<i4" -> {
                int[] a = new int[n];
                d.asIntBuffer().get(a);
                yield Tensor.wrap(dev.descent.core.Storage.of(a), 0, new int[] {n}, new int[] {1});
            }
            case "<f2", "<u2" -> {
                short[] a = new short[n];
                d.asShortBuffer().get(a);
                yield Tensor.wrap(dev.descent.core.Storage.ofHalf(descr.equals("<f2") ? DType.FLOAT16 : DType.BFLOAT16, a), 0, new int[] {n}, new int[] {1});
            }
            case "|i1", "|u1" -> {
                byte[] a = new byte[n];
                d.get(0, a);
                yield Tensor.wrap(dev.descent.core.Storage.ofBytes(descr.equals("|i1") ? DType.INT8 : DType.UINT8, a), 0, new int[] {n}, new int[] {1});
            }
            default -> {
                boolean[] a = new boolean[n];
                for (int k = 0; k < n; k++) a[k] = d.get(k) != 0;
                yield Tensor.of(a, n);
            }
        };
        return t.reshape(shape);
    }

    /**
     * The {@code .npy} bytes of a tensor: version 1.0 (2.0 when the header would not fit 65535 bytes), the header
     * padded so the data starts at a multiple of 64 bytes, then the elements in row-major order.
     *
     * @param t a tensor of any dtype but bfloat16
     * @return the file's bytes
     * @throws IllegalArgumentException when the tensor is too large for one array (2³¹ bytes) or of another dtype
     */
    public static byte[] toBytes(Tensor t) {
        return toBytes(t, false);
    }

    /**
     * The {@code .npy} bytes of a bfloat16 tensor as its 16-bit patterns, a {@code <u2} (uint16) array: what
     * {@link #readBfloat16Bits} reads back, and what numpy code views as bfloat16 with {@code a.view(ml_dtypes.bfloat16)}.
     *
     * @param t a {@link DType#BFLOAT16} tensor
     * @return the file's bytes
     * @throws IllegalArgumentException when the tensor is of another dtype or too large for one array
     */
    public static byte[] toBytesBfloat16Bits(Tensor t) {
        if (t.dtype() != DType.BFLOAT16) throw new IllegalArgumentException("npy: bfloat16 bit patterns need a BFLOAT16 tensor, got " + t.dtype());
        return toBytes(t, true);
    }

    /**
     * Writes a bfloat16 tensor as a {@code .npy} file of its 16-bit patterns ({@link #toBytesBfloat16Bits}), atomically.
     *
     * @param file the file to create or replace
     * @param t a {@link DType#BFLOAT16} tensor
     * @throws IllegalArgumentException when the tensor is of another dtype
     * @throws IOException when writing fails (the file is then left as it was)
     */
    public static void writeBfloat16Bits(Path file, Tensor t) throws IOException {
        writeBytes(file, toBytesBfloat16Bits(t));
    }

    private static byte[] toBytes(Tensor t, boolean bf16Bits) {
        Tensor c = t.contiguous();
        int n = c.numel();
        String descr = switch (c.dtype()) {
            case FLOAT32 -> "<f4";
            case FLOAT64 -> "<f8";
            case INT64 -> "<i8";
            case BOOL -> "|b1";
            case FLOAT16 -> "<f2";
            case INT32 -> "<i4";
            case INT8 -> "|i1";
            case UINT8 -> "|u1";
            case BFLOAT16 -> {
                if (!bf16Bits) throw new IllegalArgumentException("npy: numpy has no bfloat16; convert with to(DType.FLOAT32) first, or write the bit patterns with writeBfloat16Bits");
                yield "<u2";
            }
        };
        StringBuilder shape = new StringBuilder("(");
        int[] s = c.shape();
        for (int k = 0; k < s.length; k++) shape.append(k > 0 ? ", " : "").append(s[k]);
        if (s.length == 1) shape.append(',');
        shape.append(')');
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
        int lenBytes = 2;
        int total = 8 + lenBytes + dict.length() + 1;
        int padded = (total + 63) / 64 * 64;
        if (padded - 10 > 0xffff) {
            lenBytes = 4;
            total = 8 + lenBytes + dict.length() + 1;
            padded = (total + 63) / 64 * 64;
        }
        int headerLen = padded - 8 - lenBytes;
        long dataBytes = (long) n * c.dtype().byteSize();
        if (padded + dataBytes > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("npy: a tensor of shape " + Shape.format(s) + " is too large for one array");
        ByteBuffer out = ByteBuffer.allocate((int) (padded + dataBytes)).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) (lenBytes == 2 ? 1 : 2)).put((byte) 0);
        if (lenBytes == 2) out.putShort((short) headerLen);
        else out.putInt(headerLen);
        out.put(dict.getBytes(StandardCharsets.ISO_8859_1));
        for (int k = dict.length(); k < headerLen - 1; k++) out.put((byte) ' ');
        out.put((byte) '\n');
        switch (c.dtype()) {
            case FLOAT32 -> { for (float v : c.toFloatArray()) out.putFloat(v); }
            case FLOAT64 -> { for (double v : c.toDoubleArray()) out.putDouble(v); }
            case INT64 -> { for (long v : c.toLongArray()) out.putLong(v); }
            case FLOAT16, BFLOAT16 -> { int o = c.storageOffset(); for (int k = 0; k < n; k++) out.putShort(c.storage().shorts()[o + k]); }
            case INT32 -> { int o = c.storageOffset(); for (int k = 0; k < n; k++) out.putInt(c.storage().ints()[o + k]); }
            case INT8, UINT8 -> out.put(c.storage().bytes(), c.storageOffset(), n);
            default -> { for (boolean v : c.toBooleanArray()) out.put((byte) (v ? 1 : 0)); }
        }
        return out.array();
    }

    /**
     * Writes a tensor as a {@code .npy} file ({@link #toBytes}), atomically.
     *
     * @param file the file to create or replace
     * @param t a tensor of any dtype but bfloat16
     * @throws IOException when writing fails (the file is then left as it was)
     */
    public static void write(Path file, Tensor t) throws IOException {
        writeBytes(file, toBytes(t));
    }

    private static void writeBytes(Path file, byte[] bytes) throws IOException {
        AtomicFile.write(file, ch -> {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) ch.write(buf);
        });
    }

    /** The header's Python dict literal: string keys; values a string, True/False, or a tuple of integers. */
    private static final class HeaderParser {
        private final Path file;
        private final int base;
        private final String s;
        private int pos;

        HeaderParser(Path file, int base, String s) {
            this.file = file;
            this.base = base;
            this.s = s;
        }

        private FileFormatException error(String expected) {
            String found = pos >= s.length() ? "the end of the header" : "'" + s.substring(pos, Math.min(s.length(), pos + 20)) + "'";
            return new FileFormatException(file, base + pos, expected + " in the .npy header", found);
        }

        private void space() {
            while (pos < s.length() && (s.charAt(pos) == ' ' || s.charAt(pos) == '\t' || s.charAt(pos) == '\n')) pos++;
        }

        private boolean eat(char c) {
            space();
            if (pos < s.length() && s.charAt(pos) == c) {
                pos++;
                return true;
            }
            return false;
        }

        Map<String, Object> dict() throws FileFormatException {
            if (!eat('{')) throw error("'{'");
            Map<String, Object> m = new LinkedHashMap<>();
            while (!eat('}')) {
                String key = string();
                if (!eat(':')) throw error("':'");
                Object value = value();
                if (m.put(key, value) != null) throw error("keys that are unique (" + key + " twice)");
                if (!eat(',')) {
                    if (!eat('}')) throw error("',' or '}'");
                    break;
                }
            }
            space();
            if (pos != s.length()) throw error("only padding after the dict");
            return m;
        }

        private String string() throws FileFormatException {
            space();
            if (pos >= s.length() || (s.charAt(pos) != '\'' && s.charAt(pos) != '"')) throw error("a quoted string");
            char q = s.charAt(pos++);
            int end = s.indexOf(q, pos);
            if (end < 0) throw error("a closing quote");
            String v = s.substring(pos, end);
            pos = end + 1;
            return v;
        }

        private Object value() throws FileFormatException {
            space();
            if (s.startsWith("True", pos)) {
                pos += 4;
                return Boolean.TRUE;
            }
            if (s.startsWith("False", pos)) {
                pos += 5;
                return Boolean.FALSE;
            }
            if (eat('(')) {
                List<Long> dims = new ArrayList<>();
                while (!eat(')')) {
                    space();
                    int from = pos;
                    while (pos < s.length() && Character.isDigit(s.charAt(pos))) pos++;
                    if (pos == from || pos - from > 12) throw error("a dimension (a non-negative integer)");
                    dims.add(Long.parseLong(s.substring(from, pos)));
                    if (pos < s.length() && s.charAt(pos) == 'L') pos++; // Python 2's long suffix
                    if (!eat(',')) {
                        if (!eat(')')) throw error("',' or ')'");
                        break;
                    }
                    if (dims.size() > 64) throw error("at most 64 dimensions");
                }
                return dims.stream().mapToLong(Long::longValue).toArray();
            }
            return string();
        }
    }
}
