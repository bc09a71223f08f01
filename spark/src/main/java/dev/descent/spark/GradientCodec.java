package dev.descent.spark;

import dev.descent.core.DType;
import dev.descent.core.Parameter;
import dev.descent.core.Tensor;
import dev.descent.train.GradientReducer;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The message one replica sends in a step's exchange: its bytes ({@link #encodeBytes}, what {@link BlockExchange}
 * stores as a block), or those bytes as a String ({@link #encode}, what {@code BarrierTaskContext.allGather} carries in
 * the {@code allgather} exchange).
 *
 * <p><b>Bytes.</b> Little-endian: rank (int), the sender's busy time this step (nanoseconds from the end of its
 * previous exchange to the end of this encode, as a long: for the bench's split, not for the result), the step's
 * totals (loss sum as double, correct and seen as longs, two flag bytes), the parameter count (int), then per parameter
 * a presence byte (0 none, 1 float32, 2 float64) and, when present, its gradient's elements (4 bytes each for float32,
 * 8 for float64); then the buffer count and, from rank 0 only, every buffer's elements as doubles (exact for float32,
 * float64 and int64 counts below 2^53). So a replica sends 4·n + 46 + t + 8·(buffers, rank 0 only) bytes for n
 * float32 parameters in t tensors.
 *
 * <p><b>Text.</b> Spark sends the String with Java serialisation ({@code NettyRpcEnv} serialises every RPC message,
 * the barrier request and its {@code String[]} reply included, with its {@code JavaSerializer}), which writes a
 * String as modified UTF-8: one byte per char for U+0001..U+007F, two for U+0000 and U+0080..U+07FF, three above, and
 * gives back the same chars; a String of U+0001..U+007F only is written by a fast path (a copy of its bytes), about
 * three times faster than one with any other char (so 7 bits per char, which needs U+0080 or U+0000, would be slower).
 * So every 6 bytes (a 48-bit number v) become 7 chars, the digits of v in base 127 (127^7 > 2^48), each plus 1:
 * U+0001..U+007F. That is 7/6 chars per byte, one byte each on the wire, against Base64's 4/3; SimpleCNN's message
 * (1,686,622 bytes: 421,642 parameters in 8 tensors) is 1,967,728 chars, and the String is stored one byte per char.
 *
 * <p>One codec per replica: its buffers are reused from step to step.
 */
final class GradientCodec {
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    /** {@return the chars of the message of float32 gradients of these sizes, without buffers} */
    static long chars(int... numels) {
        long size = HEADER + 4;
        for (int n : numels) size += 1 + 4L * n;
        return CHARS * ((size + BYTES - 1) / BYTES);
    }

    /** Bytes before the first gradient: rank, busy time, loss sum, correct, seen, two flags, parameter count. */
    static final int HEADER = 4 + 8 + 8 + 8 + 8 + 2 + 4;

    /** Bytes per group of the text. */
    static final int BYTES = 6;
    /** Chars per group of the text. */
    static final int CHARS = 7;
    private static final long MASK = (1L << 48) - 1;
    private static final long P4 = 127L * 127 * 127 * 127;

    /** The message's bytes (6 per group, plus 8 bytes of slack for the 8-byte reads and writes and the sparse kind's writes). */
    private byte[] raw = new byte[8];
    /** The chars of the text, one byte each. */
    private byte[] text = new byte[8];
    /**
     * The message being read: {@link #raw}, or the array of a received buffer read in place ({@link #loadBytes}); the
     * read position in it and where the message ends (an index into it).
     */
    private byte[] in = raw;
    private int pos, length;

    /** {@return the message of this replica} See the class description for the layout; the busy time is written later. */
    String encode(int rank, List<Parameter> params, Map<String, Tensor> buffers, GradientReducer.Totals t, boolean withBuffers) {
        return encode(rank, params, buffers, t, withBuffers, 0);
    }

    /**
     * {@return the message of this replica} See the class description for the layout.
     *
     * @param busy the nanoseconds this replica computed since its previous exchange, for the bench's split
     */
    String encode(int rank, List<Parameter> params, Map<String, Tensor> buffers, GradientReducer.Totals t, boolean withBuffers, long busy) {
        return text(encodeBytes(rank, params, buffers, t, withBuffers, busy));
    }

    /** {@return the text of the first {@code size} bytes of {@link #bytes()}, a message just written by {@link #encodeBytes}} */
    String text(int size) {
        int groups = (size + BYTES - 1) / BYTES;
        pos = size;
        while (pos < groups * BYTES) raw[pos++] = 0;
        return toText(groups);
    }

    /**
     * Writes the message of this replica as bytes, without the text: {@return its length} The bytes are the first that
     * many of {@link #bytes()}, valid until the next call of a method of this codec.
     *
     * @param busy the nanoseconds this replica computed since its previous exchange, for the bench's split
     */
    int encodeBytes(int rank, List<Parameter> params, Map<String, Tensor> buffers, GradientReducer.Totals t, boolean withBuffers, long busy) {
        return encodeBytes(rank, params, buffers, t, withBuffers, busy, null);
    }

    /**
     * {@link #encodeBytes(int, List, Map, GradientReducer.Totals, boolean, long)}, with the gradients of the parameters
     * flagged in {@code early} left out: for each, only the kind {@link #EARLY} (its gradient went ahead in the step's
     * early bucket, {@link #encodeEarly}).
     *
     * @param early per parameter, whether its gradient was sent early; null: none was
     */
    int encodeBytes(int rank, List<Parameter> params, Map<String, Tensor> buffers, GradientReducer.Totals t, boolean withBuffers, long busy, boolean[] early) {
        long size = HEADER + 4;
        if (nonzeros.length < params.size()) nonzeros = new int[params.size()];
        for (int i = 0; i < params.size(); i++) {
            Tensor g = params.get(i).grad();
            nonzeros[i] = -1;
            if (g == null || early != null && early[i]) {
                size += 1;
            } else if (g.dtype() == DType.FLOAT32 && SPARSE_ON && g.numel() >= 64) {
                int n = g.numel(), m = nonzeros(g);
                long sparse = 4 + (n + 7) / 8 + 4L * m;
                if (sparse < 4L * n) nonzeros[i] = m;
                size += 1 + Math.min(sparse, 4L * n);
            } else {
                size += 1 + (long) g.numel() * (g.dtype() == DType.FLOAT64 ? 8 : 4);
            }
        }
        if (withBuffers) for (Tensor b : buffers.values()) size += 8L * b.numel();
        long groups = (size + BYTES - 1) / BYTES;
        if (groups * CHARS > Integer.MAX_VALUE - 16) throw new IllegalArgumentException("a gradient message of " + size + " bytes is too large for one exchange");
        ensure((int) groups);
        pos = 0;
        putInt(rank);
        putLong(busy);
        putLong(Double.doubleToRawLongBits(t.lossSum()));
        putLong(t.correct());
        putLong(t.seen());
        raw[pos++] = (byte) (t.classes() ? 1 : 0);
        raw[pos++] = (byte) (t.stop() ? 1 : 0);
        putInt(params.size());
        for (int i = 0; i < params.size(); i++) {
            Tensor g = params.get(i).grad();
            if (g == null) {
                raw[pos++] = 0;
            } else if (early != null && early[i]) {
                raw[pos++] = EARLY;
            } else if (nonzeros[i] >= 0) {
                putSparse(g, nonzeros[i]);
            } else {
                putGradient(g);
            }
        }
        putInt(withBuffers ? buffers.size() : 0);
        if (withBuffers) {
            for (Tensor b : buffers.values()) for (double v : b.toDoubleArray()) putLong(Double.doubleToRawLongBits(v));
        }
        if (pos != size) throw new IllegalStateException("a gradient message of " + pos + " bytes, " + size + " expected");
        return pos;
    }

    /** The kind of a gradient sent ahead in the step's early bucket ({@link #encodeEarly}). */
    static final byte EARLY = 3;

    /**
     * The kind of a float32 gradient sent without its elements whose bits are 0 (+0.0; -0.0 is sent): the count m of the
     * others (int), a bitmap of n bits (element j present when bit j % 8 of byte j / 8 is set), then the m present
     * elements in order. Chosen when it is shorter than the plain kind (1): when more than about 1/32 of the elements
     * are +0.0, as in a first linear layer behind ReLU and pooling (65% of SimpleCNN's gradient elements on the bench's
     * images). Lossless: the reader adds +0.0 for a missing element, so the sum's bits are those of the plain kind.
     */
    static final byte SPARSE = 4;

    /** Whether float32 gradients may go as {@link #SPARSE}: the system property {@code descent.spark.sparse} (default true). */
    static final boolean SPARSE_ON = Boolean.parseBoolean(System.getProperty("descent.spark.sparse", "true"));

    /** Per parameter of the message being written, its count of elements that are not +0.0 when it goes {@link #SPARSE}, else -1. */
    private int[] nonzeros = new int[0];

    /** {@return how many elements of the float32 gradient {@code g} have bits other than 0} */
    private static int nonzeros(Tensor g) {
        float[] a = g.isContiguous() ? g.storage().floats() : g.toFloatArray();
        int off = g.isContiguous() ? g.storageOffset() : 0, n = g.numel(), m = 0;
        for (int j = off, end = off + n; j < end; j++) m += Float.floatToRawIntBits(a[j]) != 0 ? 1 : 0;
        return m;
    }

    /** Writes a float32 gradient of {@code m} elements that are not +0.0 as kind {@link #SPARSE}. */
    private void putSparse(Tensor g, int m) {
        raw[pos++] = SPARSE;
        putInt(m);
        float[] a = g.isContiguous() ? g.storage().floats() : g.toFloatArray();
        int off = g.isContiguous() ? g.storageOffset() : 0, n = g.numel();
        byte[] r = raw;
        int map = pos, q = pos + (n + 7) / 8;
        for (int j = 0; j < n; j += 8) {
            int bits = 0;
            for (int k = 0, end = Math.min(8, n - j); k < end; k++) {
                int v = Float.floatToRawIntBits(a[off + j + k]);
                int present = v != 0 ? 1 : 0;
                INT.set(r, q, v); // without a branch: overwritten by the next element when this one is +0.0 (raw has 8 bytes of slack)
                q += present << 2;
                bits |= present << k;
            }
            r[map + (j >>> 3)] = (byte) bits;
        }
        int written = (q - pos - (n + 7) / 8) / 4;
        if (written != m) throw new IllegalStateException("a gradient changed while it was written: " + written + " elements other than +0.0, " + m + " counted");
        pos = q;
    }

    /**
     * Reads a gradient of kind {@link #SPARSE} (after its kind byte) of {@code sum.length} elements into {@code sum}
     * ({@code first}) or adds it, element by element, a missing element as +0.0: the bits the plain kind gives.
     */
    void readSparseFloats(float[] sum, boolean first) {
        int n = sum.length;
        int m = readInt();
        int mapBytes = (n + 7) / 8;
        if (m < 0 || m > n) throw new IllegalStateException("a sparse gradient of " + n + " elements says " + m + " are present");
        need(mapBytes + 4 * m);
        byte[] r = in;
        int map = pos, q = pos + mapBytes;
        for (int j = 0; j < n; j += 8) {
            int bits = r[map + (j >>> 3)] & 0xFF;
            for (int k = 0, end = Math.min(8, n - j); k < end; k++) {
                float v = 0.0f;
                if ((bits & (1 << k)) != 0) {
                    v = Float.intBitsToFloat((int) INT.get(r, q));
                    q += 4;
                }
                if (first) sum[j + k] = v;
                else sum[j + k] += v;
            }
        }
        if (q != map + mapBytes + 4 * m) throw new IllegalStateException("a sparse gradient's bitmap names " + (q - map - mapBytes) / 4 + " elements, its count " + m);
        pos = q;
    }

    /** Writes a gradient's kind (1 float32, 2 float64) and elements. */
    private void putGradient(Tensor g) {
        if (g.dtype() == DType.FLOAT32) {
            raw[pos++] = 1;
            float[] a = g.isContiguous() ? g.storage().floats() : g.toFloatArray();
            int off = g.isContiguous() ? g.storageOffset() : 0;
            byte[] r = raw;
            int q = pos;
            for (int j = off, end = off + g.numel(); j < end; j++, q += 4) INT.set(r, q, Float.floatToRawIntBits(a[j]));
            pos = q;
        } else if (g.dtype() == DType.FLOAT64) {
            raw[pos++] = 2;
            double[] a = g.isContiguous() ? g.storage().doubles() : g.toDoubleArray();
            int off = g.isContiguous() ? g.storageOffset() : 0;
            for (int j = off, end = off + g.numel(); j < end; j++) putLong(Double.doubleToRawLongBits(a[j]));
        } else {
            throw new IllegalArgumentException("a gradient of dtype " + g.dtype() + " cannot be exchanged (float32 or float64 expected)");
        }
    }

    /**
     * Writes a step's early bucket: the gradients of some parameters, sent while the backward pass still computes the
     * others. Layout (little-endian): the count (int), then per gradient the parameter's index (int), its kind (1
     * float32, 2 float64) and its elements. {@return its length} in {@link #bytes()}.
     *
     * @param index the parameters' indices, the first {@code count}
     * @param grads their gradients, the first {@code count}
     */
    int encodeEarly(int[] index, Tensor[] grads, int count) {
        long size = 4;
        for (int k = 0; k < count; k++) size += 5 + (long) grads[k].numel() * (grads[k].dtype() == DType.FLOAT64 ? 8 : 4);
        if (size > Integer.MAX_VALUE - 16) throw new IllegalArgumentException("an early bucket of " + size + " bytes is too large");
        if (raw.length < size) raw = new byte[(int) size];
        pos = 0;
        putInt(count);
        for (int k = 0; k < count; k++) {
            putInt(index[k]);
            putGradient(grads[k]);
        }
        if (pos != size) throw new IllegalStateException("an early bucket of " + pos + " bytes, " + size + " expected");
        return pos;
    }

    /**
     * Reads the early bucket just loaded ({@link #loadBytes}): {@return per parameter, the position of its kind byte in
     * the bucket, or -1 when the bucket does not hold it}
     *
     * @param params the replica's parameter count
     * @param numels the parameters' element counts
     */
    int[] readEarlyIndex(int params, int[] numels) {
        int[] at = new int[params];
        java.util.Arrays.fill(at, -1);
        int count = readInt();
        for (int k = 0; k < count; k++) {
            int i = readInt();
            if (i < 0 || i >= params || at[i] >= 0) throw new IllegalStateException("an early bucket names parameter " + i + " of " + params + " twice or out of range");
            at[i] = pos;
            byte kind = readByte();
            int width = kind == 1 ? 4 : kind == 2 ? 8 : -1;
            if (width < 0) throw new IllegalStateException("an early bucket holds an unknown gradient kind " + kind);
            need(width * numels[i]);
            pos += width * numels[i];
        }
        return at;
    }

    /** {@return whether the next floats read would be exactly the bits of {@code g}'s elements} The position is left after them. */
    boolean sameFloats(Tensor g) {
        int n = g.numel();
        need(4 * n);
        float[] a = g.isContiguous() ? g.storage().floats() : g.toFloatArray();
        int off = g.isContiguous() ? g.storageOffset() : 0;
        byte[] r = in;
        int q = pos;
        boolean same = true;
        for (int j = 0; j < n; j++, q += 4) same &= (int) INT.get(r, q) == Float.floatToRawIntBits(a[off + j]);
        pos = q;
        return same;
    }

    /** {@return whether the next doubles read would be exactly the bits of {@code g}'s elements} The position is left after them. */
    boolean sameDoubles(Tensor g) {
        int n = g.numel();
        need(8 * n);
        double[] a = g.isContiguous() ? g.storage().doubles() : g.toDoubleArray();
        int off = g.isContiguous() ? g.storageOffset() : 0;
        byte[] r = in;
        int q = pos;
        boolean same = true;
        for (int j = 0; j < n; j++, q += 8) same &= (long) LONG.get(r, q) == Double.doubleToRawLongBits(a[off + j]);
        pos = q;
        return same;
    }

    /** Moves the read position to {@code at}, a position {@link #readEarlyIndex} returned. */
    void seek(int at) {
        pos = at;
    }

    /** {@return the array the bytes of {@link #encodeBytes} are in} */
    byte[] bytes() {
        return raw;
    }

    /**
     * Takes a message's bytes (from the buffer's position to its limit, which are left as they were), to be read from the
     * start with the {@code read} methods.
     */
    void loadBytes(java.nio.ByteBuffer b) {
        int n = b.remaining();
        if (n < HEADER + 4) throw new IllegalStateException("not a gradient message: " + n + " bytes");
        if (b.hasArray()) { // read in place: the caller keeps the buffer until it has read the message
            in = b.array();
            pos = b.arrayOffset() + b.position();
        } else {
            if (raw.length < n + 2) raw = new byte[n + 2];
            b.get(b.position(), raw, 0, n);
            in = raw;
            pos = 0;
        }
        length = pos + n;
    }

    /** The chars of {@code groups} groups of {@link #raw}, as a String. */
    private String toText(int groups) {
        byte[] r = raw, x = text;
        for (int g = 0; g < groups; g++) {
            long v = (long) LONG.get(r, BYTES * g) & MASK;
            int o = CHARS * g;
            // v = hi·127^4 + lo: the four low digits from lo and the three high ones from hi, in int arithmetic
            long hiL = v / P4;
            int lo = (int) (v - hiL * P4), hi = (int) hiL;
            for (int k = 0; k < 4; k++) {
                int q = lo / 127;
                x[o + k] = (byte) (lo - 127 * q + 1);
                lo = q;
            }
            for (int k = 4; k < CHARS; k++) {
                int q = hi / 127;
                x[o + k] = (byte) (hi - 127 * q + 1);
                hi = q;
            }
        }
        return new String(x, 0, CHARS * groups, StandardCharsets.ISO_8859_1);
    }

    private void ensure(int groups) {
        if (raw.length < BYTES * groups + 8) raw = new byte[BYTES * groups + 8];
        if (text.length < CHARS * groups) text = new byte[CHARS * groups];
    }

    /**
     * Turns a message back into its bytes, to be read from the start with the {@code read} methods.
     *
     * @throws IllegalStateException when the text is not a message (its length, or a char outside U+0001..U+007F)
     */
    @SuppressWarnings("deprecation") // String.getBytes(int, int, byte[], int): the low byte of each char, into a reused array
    void load(String s) {
        int n = s.length();
        if (n % CHARS != 0 || n < CHARS * ((HEADER + 4 + BYTES - 1) / BYTES)) throw new IllegalStateException("not a gradient message: " + n + " chars");
        int groups = n / CHARS;
        ensure(groups);
        s.getBytes(0, n, text, 0);
        byte[] r = raw, x = text;
        long bad = 0;
        for (int g = 0; g < groups; g++) {
            int o = CHARS * g;
            long v = 0;
            for (int k = CHARS - 1; k >= 0; k--) {
                int c = x[o + k] - 1; // a char above U+007F gives a byte of -128..-1 ; a char above U+00FF is seen by its low byte only
                bad |= c;
                v = 127 * v + c;
            }
            bad |= v & ~MASK;
            LONG.set(r, BYTES * g, v); // bytes 6 and 7 are 0 and are overwritten by the next group
        }
        if (bad < 0 || (bad & ~MASK) != 0) {
            throw new IllegalStateException("not a gradient message: a char outside U+0001..U+007F or a group above 2^48");
        }
        in = r;
        pos = 0;
        length = BYTES * groups;
    }

    /** {@return the rank in a message, without decoding the rest} */
    static int rankOf(String s) {
        if (s.length() < CHARS) throw new IllegalStateException("not a gradient message: " + s.length() + " chars");
        long v = 0;
        for (int k = CHARS - 1; k >= 0; k--) v = 127 * v + (s.charAt(k) - 1);
        return (int) v;
    }

    private void need(int bytes) {
        if (pos + bytes > length) throw new IllegalStateException("a gradient message ended early: " + bytes + " bytes needed at " + pos + " of " + length);
    }

    int readInt() {
        need(4);
        int v = (int) INT.get(in, pos);
        pos += 4;
        return v;
    }

    long readLong() {
        need(8);
        long v = (long) LONG.get(in, pos);
        pos += 8;
        return v;
    }

    double readDouble() {
        return Double.longBitsToDouble(readLong());
    }

    byte readByte() {
        need(1);
        return in[pos++];
    }

    /** Reads the header after the rank: {@return the totals}, and checks the parameter count. */
    GradientReducer.Totals readTotals(int rank, int params) {
        GradientReducer.Totals t = new GradientReducer.Totals(readDouble(), readLong(), readLong(), readByte() != 0, readByte() != 0);
        int n = readInt();
        if (n != params) throw new IllegalStateException("rank " + rank + " sent " + n + " gradients, this replica has " + params + " parameters: the replicas differ");
        return t;
    }

    /** Reads {@code sum.length} floats into {@code sum} ({@code first}) or adds them to it, element by element. */
    void readFloats(float[] sum, boolean first) {
        int n = sum.length;
        need(4 * n);
        byte[] r = in;
        int q = pos;
        if (first) for (int j = 0; j < n; j++, q += 4) sum[j] = Float.intBitsToFloat((int) INT.get(r, q));
        else for (int j = 0; j < n; j++, q += 4) sum[j] += Float.intBitsToFloat((int) INT.get(r, q));
        pos = q;
    }

    /** Reads {@code sum.length} doubles into {@code sum} ({@code first}) or adds them to it. */
    void readDoubles(double[] sum, boolean first) {
        int n = sum.length;
        need(8 * n);
        byte[] r = in;
        int q = pos;
        if (first) for (int j = 0; j < n; j++, q += 8) sum[j] = Double.longBitsToDouble((long) LONG.get(r, q));
        else for (int j = 0; j < n; j++, q += 8) sum[j] += Double.longBitsToDouble((long) LONG.get(r, q));
        pos = q;
    }

    private void putInt(int v) {
        INT.set(raw, pos, v);
        pos += 4;
    }

    private void putLong(long v) {
        LONG.set(raw, pos, v);
        pos += 8;
    }
}
