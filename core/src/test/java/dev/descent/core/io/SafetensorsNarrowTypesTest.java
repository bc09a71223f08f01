package dev.descent.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files with the narrow dtypes other frameworks write (F16, BF16, I32, I16, I8, U8), built byte by byte here from the
 * format's specification, load into the dtypes of those names bit for bit (I16 widened to int32), and Descent writes
 * them with the same bytes.
 */
class SafetensorsNarrowTypesTest {
    @TempDir
    Path dir;

    /** A file with one tensor per entry: {dtype, raw little-endian bytes, element count}. */
    private Path file(String name, Object[][] tensors) throws Exception {
        StringBuilder header = new StringBuilder("{");
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        for (Object[] t : tensors) {
            byte[] bytes = (byte[]) t[2];
            if (header.length() > 1) header.append(',');
            header.append(String.format("\"%s\":{\"dtype\":\"%s\",\"shape\":[%d],\"data_offsets\":[%d,%d]}", t[0], t[1], (int) t[3], data.size(),
                    data.size() + bytes.length));
            data.write(bytes);
        }
        byte[] h = header.append('}').toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(8 + h.length + data.size()).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(h.length).put(h).put(data.toByteArray());
        Path p = dir.resolve(name);
        Files.write(p, out.array());
        return p;
    }

    private static byte[] shorts(short[] v) {
        ByteBuffer b = ByteBuffer.allocate(2 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (short x : v) b.putShort(x);
        return b.array();
    }

    @Test
    void halfPrecisionAndSmallIntegersLoadBitForBitIntoTheirOwnDtypes() throws Exception {
        SplittableRandom rng = new SplittableRandom(4);
        short[] half = new short[300], brain = new short[300];
        for (int i = 0; i < half.length; i++) {
            half[i] = (short) rng.nextInt(1 << 16);
            brain[i] = (short) rng.nextInt(1 << 16);
        }
        ByteBuffer i32 = ByteBuffer.allocate(4 * 5).order(ByteOrder.LITTLE_ENDIAN);
        int[] ints = {Integer.MIN_VALUE, -1, 0, 7, Integer.MAX_VALUE};
        for (int v : ints) i32.putInt(v);
        byte[] bytes = {-128, -1, 0, 1, 127};
        Path p = file("narrow.safetensors", new Object[][] {
            {"h", "F16", shorts(half), half.length}, {"b", "BF16", shorts(brain), brain.length}, {"i", "I32", i32.array(), 5},
            {"s", "I16", shorts(new short[] {Short.MIN_VALUE, -2, 3}), 3}, {"q", "I8", bytes, 5}, {"u", "U8", bytes, 5}});
        var t = Safetensors.load(p).tensors();
        assertEquals(DType.FLOAT16, t.get("h").dtype());
        assertEquals(DType.BFLOAT16, t.get("b").dtype());
        assertArrayEquals(half, t.get("h").storage().shorts(), "F16 patterns kept, NaN payloads included");
        assertArrayEquals(brain, t.get("b").storage().shorts(), "BF16 patterns kept");
        float[] h = t.get("h").toFloatArray(), b = t.get("b").toFloatArray();
        for (int i = 0; i < half.length; i++) {
            float want = Float.float16ToFloat(half[i]);
            assertTrue(Float.compare(want, h[i]) == 0 || (Float.isNaN(want) && Float.isNaN(h[i])), "F16 " + i);
            float wantB = Float.intBitsToFloat((brain[i] & 0xffff) << 16);
            assertTrue(Float.compare(wantB, b[i]) == 0 || (Float.isNaN(wantB) && Float.isNaN(b[i])), "BF16 " + i);
        }
        assertEquals(DType.INT32, t.get("i").dtype());
        assertArrayEquals(ints, t.get("i").storage().ints());
        assertEquals(DType.INT32, t.get("s").dtype(), "I16 widens to int32");
        assertArrayEquals(new long[] {Short.MIN_VALUE, -2, 3}, t.get("s").toLongArray());
        assertEquals(DType.INT8, t.get("q").dtype());
        assertArrayEquals(new long[] {-128, -1, 0, 1, 127}, t.get("q").toLongArray());
        assertEquals(DType.UINT8, t.get("u").dtype());
        assertArrayEquals(new long[] {128, 255, 0, 1, 127}, t.get("u").toLongArray());
    }

    /** Written by Descent, each new dtype has the specification's layout: its name, and little-endian bytes as built here. */
    @Test
    void writingTheNarrowDtypesGivesTheSpecifiedBytes() throws Exception {
        short[] half = {0x3c00, (short) 0xc000, 0x7e00};          // 1, -2, NaN
        short[] brain = {0x3f80, (short) 0xbf00, 0x0001};          // 1, -0.5, the smallest subnormal
        int[] ints = {1, -2, Integer.MAX_VALUE};
        byte[] signed = {-1, 2, 127}, unsigned = {(byte) 255, 0, (byte) 128};
        java.util.Map<String, Tensor> m = new java.util.LinkedHashMap<>();
        m.put("h", Tensor.wrap(dev.descent.core.Storage.ofHalf(DType.FLOAT16, half), 0, new int[] {3}, new int[] {1}));
        m.put("b", Tensor.wrap(dev.descent.core.Storage.ofHalf(DType.BFLOAT16, brain), 0, new int[] {3}, new int[] {1}));
        m.put("i", Tensor.wrap(dev.descent.core.Storage.of(ints), 0, new int[] {3}, new int[] {1}));
        m.put("q", Tensor.wrap(dev.descent.core.Storage.ofBytes(DType.INT8, signed), 0, new int[] {3}, new int[] {1}));
        m.put("u", Tensor.wrap(dev.descent.core.Storage.ofBytes(DType.UINT8, unsigned), 0, new int[] {3}, new int[] {1}));
        Path written = dir.resolve("written.safetensors");
        Safetensors.save(m, written);
        ByteBuffer i32 = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : ints) i32.putInt(v);
        Path byHand = file("byhand.safetensors", new Object[][] {
            {"h", "F16", shorts(half), 3}, {"b", "BF16", shorts(brain), 3}, {"i", "I32", i32.array(), 3}, {"q", "I8", signed, 3}, {"u", "U8", unsigned, 3}});
        byte[] w = Files.readAllBytes(written), hand = Files.readAllBytes(byHand);
        int wHeader = (int) ByteBuffer.wrap(w, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong(), hHeader = (int) ByteBuffer.wrap(hand, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertArrayEquals(java.util.Arrays.copyOfRange(hand, 8 + hHeader, hand.length), java.util.Arrays.copyOfRange(w, 8 + wHeader, w.length), "data section");
        String header = new String(w, 8, wHeader, StandardCharsets.UTF_8);
        for (String dt : new String[] {"\"F16\"", "\"BF16\"", "\"I32\"", "\"I8\"", "\"U8\""}) assertTrue(header.contains(dt), header);
        var back = Safetensors.load(written).tensors();
        for (String k : m.keySet()) assertTrue(m.get(k).contentEquals(back.get(k)), k);
    }

    @Test
    void aByteCountThatDoesNotFitTheNarrowTypeIsNamed() throws Exception {
        Object[][] cases = {{"F16", 6, 4, "8 bytes"}, {"BF16", 5, 2, "4 bytes"}, {"I32", 4, 2, "8 bytes"}, {"I8", 3, 2, "2 bytes"}, {"U8", 0, 1, "1 bytes"},
            {"I16", 2, 2, "4 bytes"}};
        for (Object[] c : cases) {
            Path p = file("short-" + c[0] + ".safetensors", new Object[][] {{"h", c[0], new byte[(int) c[1]], c[2]}});
            FileFormatException e = assertThrows(FileFormatException.class, () -> Safetensors.load(p));
            String want = c[3] + " for 'h' (" + c[0] + " [" + c[2] + "])";
            assertTrue(e.getMessage().contains(want) && e.getMessage().contains(p.toString()) && e.getMessage().contains("at byte 8"), e.getMessage());
        }
        Path q = file("odd.safetensors", new Object[][] {{"x", "F8_E4M3", new byte[2], 2}});
        FileFormatException e = assertThrows(FileFormatException.class, () -> Safetensors.load(q));
        assertTrue(e.getMessage().contains("F8_E4M3") && e.getMessage().contains("BF16"), e.getMessage());
    }

    @Test
    void aHalfPrecisionFileGivesFloat32ValuesThroughTo() throws Exception {
        Tensor w = Tensor.of(new float[] {0.5f, -2f, 1024f}, 3);
        short[] halves = new short[3];
        for (int i = 0; i < 3; i++) halves[i] = Float.floatToFloat16(w.toFloatArray()[i]);
        Path p = file("model.safetensors", new Object[][] {{"weight", "F16", shorts(halves), 3}});
        assertTrue(Safetensors.load(p).tensors().get("weight").to(DType.FLOAT32).contentEquals(w), "values representable in F16 come back exactly");
    }
}
