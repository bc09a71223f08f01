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
 * Files with the narrow dtypes other frameworks write (F16, BF16, I32, I16, I8, U8), built byte by byte here, load
 * widened exactly: each value equals the JDK's own conversion of the stored bits.
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
    void halfPrecisionAndSmallIntegersWidenExactly() throws Exception {
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
        assertEquals(DType.FLOAT32, t.get("h").dtype());
        float[] h = t.get("h").toFloatArray(), b = t.get("b").toFloatArray();
        for (int i = 0; i < half.length; i++) {
            float want = Float.float16ToFloat(half[i]);
            assertTrue(Float.compare(want, h[i]) == 0 || (Float.isNaN(want) && Float.isNaN(h[i])), "F16 " + i);
            float wantB = Float.intBitsToFloat((brain[i] & 0xffff) << 16);
            assertTrue(Float.compare(wantB, b[i]) == 0 || (Float.isNaN(wantB) && Float.isNaN(b[i])), "BF16 " + i);
        }
        assertEquals(DType.INT64, t.get("i").dtype());
        assertArrayEquals(new long[] {Integer.MIN_VALUE, -1, 0, 7, Integer.MAX_VALUE}, t.get("i").toLongArray());
        assertArrayEquals(new long[] {Short.MIN_VALUE, -2, 3}, t.get("s").toLongArray());
        assertArrayEquals(new long[] {-128, -1, 0, 1, 127}, t.get("q").toLongArray());
        assertArrayEquals(new long[] {128, 255, 0, 1, 127}, t.get("u").toLongArray());
    }

    @Test
    void aByteCountThatDoesNotFitTheNarrowTypeIsNamed() throws Exception {
        Path p = file("short.safetensors", new Object[][] {{"h", "F16", new byte[6], 4}});
        FileFormatException e = assertThrows(FileFormatException.class, () -> Safetensors.load(p));
        assertTrue(e.getMessage().contains("8 bytes for 'h' (F16 [4])") && e.getMessage().contains(p.toString()), e.getMessage());
        Path q = file("odd.safetensors", new Object[][] {{"x", "F8_E4M3", new byte[2], 2}});
        e = assertThrows(FileFormatException.class, () -> Safetensors.load(q));
        assertTrue(e.getMessage().contains("F8_E4M3") && e.getMessage().contains("BF16"), e.getMessage());
    }

    @Test
    void aWidenedModelLoadsIntoAFloat32Tensor() throws Exception {
        Tensor w = Tensor.of(new float[] {0.5f, -2f, 1024f}, 3);
        short[] halves = new short[3];
        for (int i = 0; i < 3; i++) halves[i] = Float.floatToFloat16(w.toFloatArray()[i]);
        Path p = file("model.safetensors", new Object[][] {{"weight", "F16", shorts(halves), 3}});
        assertTrue(Safetensors.load(p).tensors().get("weight").contentEquals(w), "values representable in F16 come back exactly");
    }
}
