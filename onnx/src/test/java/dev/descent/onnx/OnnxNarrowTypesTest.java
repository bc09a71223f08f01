package dev.descent.onnx;

import static dev.descent.onnx.OnnxWriter.attrInt;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import dev.descent.core.io.FileFormatException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * FLOAT16, BFLOAT16, INT8 and UINT8 initializers, from raw_data and from int32_data (which holds the 16-bit patterns
 * of the half types, per the ONNX specification), and Cast to and from them, in files written field by field.
 */
class OnnxNarrowTypesTest {
    @TempDir
    Path dir;

    /** A TensorProto: dims 1, data_type 2, int32_data 5 (packed) or raw_data 9, name 8. */
    private static ProtoWriter initializer(String name, int type, long[] int32Data, byte[] raw, long... dims) {
        ProtoWriter p = new ProtoWriter();
        for (long d : dims) p.varint(1, d);
        p.varint(2, type);
        if (int32Data != null) p.packedVarints(5, int32Data);
        p.string(8, name);
        if (raw != null) p.bytes(9, raw);
        return p;
    }

    private static byte[] le16(short[] v) {
        ByteBuffer b = ByteBuffer.allocate(2 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (short s : v) b.putShort(s);
        return b.array();
    }

    private OnnxFile.Model read(OnnxWriter.Graph g) throws Exception {
        Path f = dir.resolve("m.onnx");
        Files.write(f, g.model(17));
        return OnnxFile.read(f);
    }

    @Test
    void halfAndByteInitializersLoadFromRawDataAndInt32Data() throws Exception {
        SplittableRandom rng = new SplittableRandom(7);
        short[] half = new short[12], brain = new short[12];
        long[] halfAsInt32 = new long[12], brainAsInt32 = new long[12];
        for (int i = 0; i < 12; i++) {
            half[i] = (short) rng.nextInt(1 << 16);
            brain[i] = (short) rng.nextInt(1 << 16);
            halfAsInt32[i] = half[i] & 0xffff; // int32_data holds the pattern as an unsigned 16-bit number
            brainAsInt32[i] = brain[i] & 0xffff;
        }
        byte[] bytes = {-128, -1, 0, 1, 127, 42};
        long[] bytesAsInt32 = {-128, -1, 0, 1, 127, 42}, unsignedAsInt32 = {128, 255, 0, 1, 127, 42};
        OnnxWriter.Graph g = new OnnxWriter.Graph();
        g.inits.add(initializer("h_raw", OnnxFile.FLOAT16, null, le16(half), 3, 4));
        g.inits.add(initializer("h_typed", OnnxFile.FLOAT16, halfAsInt32, null, 3, 4));
        g.inits.add(initializer("b_raw", OnnxFile.BFLOAT16, null, le16(brain), 12));
        g.inits.add(initializer("b_typed", OnnxFile.BFLOAT16, brainAsInt32, null, 12));
        g.inits.add(initializer("i8_raw", OnnxFile.INT8, null, bytes, 6));
        g.inits.add(initializer("i8_typed", OnnxFile.INT8, bytesAsInt32, null, 2, 3));
        g.inits.add(initializer("u8_raw", OnnxFile.UINT8, null, bytes, 6));
        g.inits.add(initializer("u8_typed", OnnxFile.UINT8, unsignedAsInt32, null, 6));
        g.input("x", 1).output("x", 1);
        Map<String, Tensor> t = read(g).graph().initializers();
        for (String k : new String[] {"h_raw", "h_typed"}) {
            assertEquals(DType.FLOAT16, t.get(k).dtype(), k);
            assertArrayEquals(new int[] {3, 4}, t.get(k).shape());
            assertArrayEquals(half, t.get(k).contiguous().storage().shorts(), k);
        }
        for (String k : new String[] {"b_raw", "b_typed"}) {
            assertEquals(DType.BFLOAT16, t.get(k).dtype(), k);
            assertArrayEquals(brain, t.get(k).contiguous().storage().shorts(), k);
        }
        for (String k : new String[] {"i8_raw", "i8_typed"}) {
            assertEquals(DType.INT8, t.get(k).dtype(), k);
            assertArrayEquals(bytesAsInt32, t.get(k).contiguous().toLongArray(), k);
        }
        for (String k : new String[] {"u8_raw", "u8_typed"}) {
            assertEquals(DType.UINT8, t.get(k).dtype(), k);
            assertArrayEquals(unsignedAsInt32, t.get(k).contiguous().toLongArray(), k);
        }
    }

    @Test
    void aRawDataLengthThatDoesNotFitTheTypeIsRefused() throws Exception {
        OnnxWriter.Graph g = new OnnxWriter.Graph();
        g.inits.add(initializer("w", OnnxFile.FLOAT16, null, new byte[5], 3));
        g.input("x", 1).output("x", 1);
        FileFormatException e = assertThrows(FileFormatException.class, () -> read(g));
        assertTrue(e.getMessage().contains("tensor 'w'") && e.getMessage().contains("6 bytes") && e.getMessage().contains("m.onnx"), e.getMessage());
        OnnxWriter.Graph h = new OnnxWriter.Graph();
        h.inits.add(initializer("w", OnnxFile.BFLOAT16, new long[] {1, 2}, null, 3));
        h.input("x", 1).output("x", 1);
        e = assertThrows(FileFormatException.class, () -> read(h));
        assertTrue(e.getMessage().contains("3 elements") && e.getMessage().contains("2 elements"), e.getMessage());
    }

    /** A float16 weight, widened by a Cast, multiplies a float32 input: the product equals the float32 one on the widened weight. */
    @Test
    void aHalfWeightCastToFloatRunsInAFloat32Graph() throws Exception {
        SplittableRandom rng = new SplittableRandom(3);
        Tensor w = Tensor.randn(rng, 4, 2).to(DType.FLOAT16), x = Tensor.randn(rng, 3, 4);
        short[] bits = w.contiguous().storage().shorts();
        OnnxWriter.Graph g = new OnnxWriter.Graph();
        g.inits.add(initializer("w16", OnnxFile.FLOAT16, null, le16(bits), 4, 2));
        g.input("x", 3, 4).output("y", 3, 2)
                .node("Cast", "widen", List.of("w16"), List.of("w"), attrInt("to", OnnxFile.FLOAT))
                .node("MatMul", "mm", List.of("x", "w"), List.of("y"));
        Path f = dir.resolve("half.onnx");
        Files.write(f, g.model(17));
        Tensor y = OnnxModel.read(f).forward(x);
        assertEquals(DType.FLOAT32, y.dtype());
        assertTrue(y.contentEquals(x.matmul(w.to(DType.FLOAT32))));
    }

    @Test
    void castToAndFromEveryNarrowType() throws Exception {
        Tensor x = Tensor.of(new float[] {1.5f, -2.7f, 300.25f, 0.1f});
        int[] types = {OnnxFile.FLOAT16, OnnxFile.BFLOAT16, OnnxFile.INT8, OnnxFile.UINT8, OnnxFile.INT32};
        DType[] want = {DType.FLOAT16, DType.BFLOAT16, DType.INT8, DType.UINT8, DType.INT64};
        for (int k = 0; k < types.length; k++) {
            OnnxWriter.Graph g = new OnnxWriter.Graph().input("x", 4).output("z", 4)
                    .node("Cast", "narrow", List.of("x"), List.of("y"), attrInt("to", types[k]))
                    .node("Cast", "back", List.of("y"), List.of("z"), attrInt("to", OnnxFile.FLOAT));
            OnnxWriter.Graph only = new OnnxWriter.Graph().input("x", 4).output("y", 4)
                    .node("Cast", "narrow", List.of("x"), List.of("y"), attrInt("to", types[k]));
            Path f = dir.resolve("cast" + k + ".onnx"), f2 = dir.resolve("only" + k + ".onnx");
            Files.write(f, g.model(19));
            Files.write(f2, only.model(19));
            Tensor narrowed = OnnxModel.read(f2).forward(x);
            assertEquals(want[k], narrowed.dtype(), "Cast to " + types[k]);
            Tensor back = OnnxModel.read(f).forward(x);
            assertEquals(DType.FLOAT32, back.dtype());
            assertTrue(back.contentEquals(x.to(want[k]).to(DType.FLOAT32)), "Cast to " + types[k] + " and back: " + back);
        }
        // spot values from the definitions: float16 rounds 0.1 to 0x2e66, int8 truncates −2.7 to −2, uint8 wraps 300 to 44
        assertEquals(0x2e66, x.to(DType.FLOAT16).storage().shorts()[3] & 0xffff);
        assertArrayEquals(new long[] {1, -2, 44, 0}, x.to(DType.INT8).toLongArray());
        assertArrayEquals(new long[] {1, 254, 44, 0}, x.to(DType.UINT8).toLongArray());
    }

    /** OnnxDamageTest's property on a file of narrow initializers (raw and typed): a clear error or a load, bounded allocation. */
    @Test
    void damagedNarrowInitializersFailClearlyWithBoundedAllocation() throws Exception {
        OnnxWriter.Graph g = new OnnxWriter.Graph();
        g.inits.add(initializer("h", OnnxFile.FLOAT16, null, le16(new short[] {0x3c00, (short) 0xc000, 0x7e00, 1}), 2, 2));
        g.inits.add(initializer("b", OnnxFile.BFLOAT16, new long[] {0x3f80, 0xbf00, 1}, null, 3));
        g.inits.add(initializer("q", OnnxFile.INT8, null, new byte[] {-1, 2, 3}, 3));
        g.inits.add(initializer("u", OnnxFile.UINT8, new long[] {255, 0}, null, 2));
        g.input("x", 2, 2).output("y", 2, 2).node("Cast", "c", List.of("h"), List.of("hf"), attrInt("to", OnnxFile.FLOAT))
                .node("Add", "a", List.of("x", "hf"), List.of("y"));
        byte[] bytes = g.model(17);
        var mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        org.quicktheories.QuickTheory.qt().withExamples(300).forAll(OnnxDamageTest.damages(bytes.length)).checkAssert(ds -> {
            byte[] damaged = bytes;
            for (OnnxDamageTest.Damage d : ds) damaged = d.apply(damaged);
            Path f = dir.resolve("damaged.onnx");
            try {
                Files.write(f, damaged);
                long before = mx.getCurrentThreadAllocatedBytes();
                try {
                    OnnxModel.read(f);
                } catch (FileFormatException expected) {
                    assertTrue(expected.getMessage().startsWith(f + ": at byte "), expected.getMessage() + " (" + ds + ")");
                } catch (OnnxException expected) {
                    assertTrue(expected.getMessage().startsWith(f.toString()) && !expected.getMessage().contains("\n"), expected.getMessage());
                } catch (Exception other) {
                    throw new AssertionError("loading a file damaged by " + ds + " threw " + other, other);
                }
                long allocated = mx.getCurrentThreadAllocatedBytes() - before;
                assertTrue(allocated < 64L * damaged.length + (4 << 20), "allocated " + allocated + " bytes for " + ds);
            } catch (java.io.IOException io) {
                throw new java.io.UncheckedIOException(io);
            }
        });
    }
}
