package dev.descent.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.Parameter;
import dev.descent.core.Tensor;
import dev.descent.train.GradientReducer;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.spark.SparkConf;
import org.apache.spark.serializer.JavaSerializer;
import org.apache.spark.serializer.SerializerInstance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import scala.reflect.ClassTag$;

/**
 * The exchange's message survives Spark's RPC serialisation (its {@code JavaSerializer}, which carries the barrier
 * request's String and the {@code String[]} reply) bit for bit and one byte per char, for every byte value at every
 * position of the text's 6-byte groups (the largest and smallest group included), NaN payloads (quiet and signalling,
 * both signs), -0.0, subnormals and infinities, and random bits; and the reducer's rank-ordered sum of the received
 * messages (as text through Spark's serialisation, or as the bytes the block exchange moves) equals a plain float loop
 * adding the original arrays in rank order.
 */
class GradientCodecTest {
    private static final SerializerInstance SPARK = new JavaSerializer(new SparkConf()).newInstance();

    /** The float bit patterns of the test: every byte value in all four bytes, at all 7 offsets; specials; random. */
    static float[] patterns(long seed) {
        int[] special = {0x00000000, 0x80000000, 0x00000001, 0x80000001, 0x007FFFFF, 0x807FFFFF, 0x00800000, 0x7F7FFFFF, 0x7F800000, 0xFF800000,
            0x7FC00000, 0xFFC00000, 0x7FC00001, 0x7FFFFFFF, 0xFFFFFFFF, 0x7F800001, 0xFF800001, 0x7FA5A5A5, 0x3F800000, 0xBF800000};
        SplittableRandom rnd = new SplittableRandom(seed);
        int n = 7 * 256 + 7 + special.length + 4096;
        float[] a = new float[n];
        int k = 0;
        for (int shift = 0; shift < 7; shift++) { // floats of four equal bytes: every byte value at every position of a group
            for (int b = 0; b < 256; b++) a[k++] = Float.intBitsToFloat(b * 0x01010101);
            a[k++] = Float.intBitsToFloat(rnd.nextInt());
        }
        for (int s : special) a[k++] = Float.intBitsToFloat(s);
        while (k < n) a[k++] = Float.intBitsToFloat(rnd.nextInt());
        return a;
    }

    private static String[] throughSpark(String[] messages) {
        ByteBuffer bytes = SPARK.serialize(messages, ClassTag$.MODULE$.apply(String[].class));
        return SPARK.deserialize(bytes, ClassTag$.MODULE$.apply(String[].class));
    }

    private static int[] bits(float[] a) {
        int[] b = new int[a.length];
        for (int i = 0; i < a.length; i++) b[i] = Float.floatToRawIntBits(a[i]);
        return b;
    }

    @Test
    void everyBitPatternSurvivesSparkSerialisation() {
        float[] g = patterns(1);
        Parameter p = new Parameter(Tensor.zeros(g.length));
        p.setGrad(Tensor.of(g));
        GradientReducer.Totals t = new GradientReducer.Totals(-0.0, 3, 7, true, false);
        String text = new GradientCodec().encode(5, List.of(p), Map.of(), t, false, -42);
        assertEquals(GradientCodec.chars(g.length), text.length());
        assertTrue(text.chars().allMatch(ch -> ch >= 1 && ch <= 127), "a char outside U+0001..U+007F");
        int wire = SPARK.serialize(new String[] {text}, ClassTag$.MODULE$.apply(String[].class)).remaining();
        assertTrue(wire < text.length() + 100, wire + " bytes serialised for " + text.length() + " chars");
        String back = throughSpark(new String[] {text})[0];
        assertEquals(text, back);
        GradientCodec c = new GradientCodec();
        c.load(back);
        assertEquals(5, c.readInt());
        assertEquals(5, GradientCodec.rankOf(back));
        assertEquals(-42, c.readLong());
        GradientReducer.Totals u = c.readTotals(5, 1);
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(u.lossSum()));
        assertEquals(t, u);
        assertEquals(1, c.readByte());
        float[] r = new float[g.length];
        c.readFloats(r, true);
        assertArrayEquals(bits(g), bits(r));
        assertEquals(0, c.readInt());
    }

    /** An exchange of the messages' bytes, as {@link BlockExchange} moves them (without Spark): rank r's are {@code bytes[r]}. */
    private record BytesExchange(byte[][] bytes) implements BarrierReducer.Exchange {
        @Override
        public void prepare(GradientCodec codec, int length) {}

        @Override
        public void exchange() {}

        @Override
        public void load(GradientCodec codec, int r) {
            // not at offset 0: rank 1's in a heap buffer read in place (a slice of an array, so its arrayOffset is 5 too),
            // the others' in direct buffers, which are copied; a byte after the message must not be read
            ByteBuffer b = r == 1 ? ByteBuffer.wrap(new byte[bytes[r].length + 9], 5, bytes[r].length + 4).slice()
                    : ByteBuffer.allocateDirect(bytes[r].length + 4);
            b.put(new byte[3]).put(bytes[r]).put((byte) 0x55).position(3).limit(3 + bytes[r].length);
            if (r == 1) assertEquals(5, b.arrayOffset());
            codec.loadBytes(b);
            assertEquals(3, b.position(), "the buffer's position is left as it was");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"text", "bytes"})
    void reducerSumsThreeRanksInRankOrderAfterTheExchange(String exchange) throws Exception {
        int replicas = 3;
        float[][] g = new float[replicas][];
        double[][] h = new double[replicas][];
        for (int r = 0; r < replicas; r++) {
            g[r] = patterns(10 + r);
            h[r] = new SplittableRandom(20 + r).doubles(33, -1, 1).toArray();
            h[r][r] = Double.longBitsToDouble(0x7FF8_0000_0000_0001L + r); // NaN payloads
        }
        // every replica encodes its message; the exchange hands each of them all messages in a shuffled order
        String[] messages = new String[replicas];
        byte[][] raw = new byte[replicas][];
        List<List<Parameter>> params = new java.util.ArrayList<>();
        List<Map<String, Tensor>> buffers = new java.util.ArrayList<>();
        for (int r = 0; r < replicas; r++) {
            int rows = g[r].length / 4;
            Parameter pf = new Parameter(Tensor.zeros(rows, 4));
            if (r == 1) { // a non-contiguous gradient: the transpose of its 4×rows layout
                float[] tr = new float[rows * 4];
                for (int i = 0; i < rows; i++) for (int j = 0; j < 4; j++) tr[j * rows + i] = g[r][i * 4 + j];
                pf.setGrad(Tensor.of(tr, 4, rows).transpose(0, 1));
            } else {
                pf.setGrad(Tensor.of(Arrays.copyOf(g[r], rows * 4), rows, 4));
            }
            Parameter pd = new Parameter(Tensor.of(new double[33]));
            pd.setGrad(Tensor.of(h[r]));
            Parameter none = new Parameter(Tensor.zeros(2));
            params.add(List.of(pf, none, pd));
            Map<String, Tensor> b = new LinkedHashMap<>();
            b.put("running", Tensor.of(new float[] {r + 0.5f, -r, Float.MIN_VALUE}));
            buffers.add(b);
            GradientCodec c = new GradientCodec();
            int length = c.encodeBytes(r, params.get(r), b, new GradientReducer.Totals(r, r, 8, true, r == 2), r == 0, 0);
            raw[r] = Arrays.copyOf(c.bytes(), length);
            messages[r] = new GradientCodec().encode(r, params.get(r), b, new GradientReducer.Totals(r, r, 8, true, r == 2), r == 0);
        }
        String[] relayed = throughSpark(new String[] {messages[2], messages[0], messages[1]});
        int nf = g[0].length / 4 * 4;
        float[] expectF = new float[nf];
        double[] expectD = new double[33];
        for (int r = 0; r < replicas; r++) {
            for (int j = 0; j < nf; j++) expectF[j] = r == 0 ? g[0][j] : expectF[j] + g[r][j];
            for (int j = 0; j < 33; j++) expectD[j] = r == 0 ? h[0][j] : expectD[j] + h[r][j];
        }
        for (int r = 0; r < replicas; r++) {
            BarrierReducer reducer = exchange.equals("text") ? new BarrierReducer(r, replicas, m -> relayed) : new BarrierReducer(r, replicas, new BytesExchange(raw));
            List<Parameter> ps = params.get(r);
            GradientReducer.Totals t = reducer.reduce(ps, buffers.get(r), new GradientReducer.Totals(r, r, 8, true, r == 2));
            assertEquals(new GradientReducer.Totals(3, 3, 24, true, true), t);
            assertArrayEquals(bits(expectF), bits(ps.get(0).grad().toFloatArray()), "rank " + r);
            assertEquals(null, ps.get(1).grad());
            long[] want = Arrays.stream(expectD).mapToLong(Double::doubleToRawLongBits).toArray();
            long[] got = Arrays.stream(ps.get(2).grad().toDoubleArray()).mapToLong(Double::doubleToRawLongBits).toArray();
            assertArrayEquals(want, got, "rank " + r);
            assertArrayEquals(new float[] {0.5f, 0, Float.MIN_VALUE}, buffers.get(r).get("running").toFloatArray(), "rank " + r);
        }
    }

    /**
     * Gradients mostly of +0.0 (with -0.0, NaN payloads, subnormals and random bits among them, and sizes that are not a
     * multiple of 8) go as the sparse kind, whose message is shorter, and the reducer's rank-ordered sum equals a plain
     * float loop, including -0.0 + +0.0 = +0.0 where one rank has -0.0 and another leaves the element out.
     */
    @ParameterizedTest
    @ValueSource(strings = {"text", "bytes"})
    void sparseGradientsSumLikeThePlainLoop(String exchange) throws Exception {
        int replicas = 3, n = 4099;
        float[][] g = new float[replicas][];
        SplittableRandom rnd = new SplittableRandom(5);
        float[] pattern = patterns(30);
        for (int r = 0; r < replicas; r++) {
            g[r] = new float[n];
            for (int j = 0; j < n; j++) {
                double u = rnd.nextDouble();
                g[r][j] = u < 0.6 ? 0.0f : u < 0.7 ? -0.0f : pattern[rnd.nextInt(pattern.length)];
            }
        }
        g[0][0] = -0.0f; // -0.0 first, then +0.0 (left out) from the others
        g[1][0] = 0.0f;
        g[2][0] = 0.0f;
        String[] messages = new String[replicas];
        byte[][] raw = new byte[replicas][];
        List<List<Parameter>> params = new java.util.ArrayList<>();
        for (int r = 0; r < replicas; r++) {
            Parameter p = new Parameter(Tensor.zeros(n));
            p.setGrad(Tensor.of(g[r].clone()));
            params.add(List.of(p));
            GradientCodec c = new GradientCodec();
            int length = c.encodeBytes(r, params.get(r), Map.of(), new GradientReducer.Totals(r, 1, 2, true, false), false, 0);
            assertTrue(length < 4 * n / 2, "a message of " + length + " bytes for " + n + " floats, 60% of them +0.0");
            assertEquals(GradientCodec.SPARSE, c.bytes()[GradientCodec.HEADER]);
            raw[r] = Arrays.copyOf(c.bytes(), length);
            messages[r] = new GradientCodec().encode(r, params.get(r), Map.of(), new GradientReducer.Totals(r, 1, 2, true, false), false);
        }
        String[] relayed = throughSpark(messages);
        float[] expect = new float[n];
        for (int r = 0; r < replicas; r++) for (int j = 0; j < n; j++) expect[j] = r == 0 ? g[0][j] : expect[j] + g[r][j];
        assertEquals(0, Float.floatToRawIntBits(expect[0]), "-0.0 + 0.0 is +0.0");
        for (int r = 0; r < replicas; r++) {
            BarrierReducer reducer = exchange.equals("text") ? new BarrierReducer(r, replicas, m -> relayed) : new BarrierReducer(r, replicas, new BytesExchange(raw));
            reducer.reduce(params.get(r), Map.of(), new GradientReducer.Totals(r, 1, 2, true, false));
            assertArrayEquals(bits(expect), bits(params.get(r).get(0).grad().toFloatArray()), "rank " + r);
        }
    }

    @Test
    void aForeignStringIsRejected() {
        GradientCodec c = new GradientCodec();
        assertThrows(IllegalStateException.class, () -> c.load("not a message"));
        assertThrows(IllegalStateException.class, () -> c.load("\u0000".repeat(70)));
        assertThrows(IllegalStateException.class, () -> c.load("\u007f".repeat(70))); // a group of 127^7 - 1 > 2^48
    }
}
