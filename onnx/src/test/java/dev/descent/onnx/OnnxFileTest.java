package dev.descent.onnx;

import static dev.descent.onnx.OnnxWriter.attrFloat;
import static dev.descent.onnx.OnnxWriter.attrFloats;
import static dev.descent.onnx.OnnxWriter.attrInt;
import static dev.descent.onnx.OnnxWriter.attrInts;
import static dev.descent.onnx.OnnxWriter.attrString;
import static dev.descent.onnx.OnnxWriter.attrStrings;
import static dev.descent.onnx.OnnxWriter.attrTensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import dev.descent.core.io.FileFormatException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class OnnxFileTest {
    private static final Path FILE = Path.of("test.onnx");

    @Test
    void readsGraphNodesAttributesInitializersAndShapes() throws Exception {
        Tensor w = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        OnnxWriter.Graph g = new OnnxWriter.Graph()
                .init("w.0", w)
                .init("idx", Tensor.of(new long[] {-1, 7}, 2))
                .init("d", Tensor.of(new double[] {0.5}, 1).reshape())
                .input("x", -1, 3).output("y", -1, 2)
                .node("Foo", "n1", List.of("x", "", "w.0"), List.of("y"),
                        attrInt("i", -5), attrFloat("f", 1.5f), attrString("s", "héllo"), attrInts("is", 1, -2, 3),
                        attrFloats("fs", 0.25f, -1f), attrStrings("ss", "a", "b"), attrTensor("t", Tensor.of(new float[] {9}, 1)));
        OnnxFile.Model m = OnnxFile.read(FILE, g.model(13));
        assertEquals(8, m.irVersion());
        assertEquals("descent-test", m.producerName());
        assertEquals(13L, m.opsets().get(""));
        OnnxFile.Graph gr = m.graph();
        assertEquals(List.of("w.0", "idx", "d"), List.copyOf(gr.initializers().keySet()));
        assertArrayEquals(new int[] {2, 3}, gr.initializers().get("w.0").shape());
        assertArrayEquals(w.toFloatArray(), gr.initializers().get("w.0").toFloatArray());
        assertArrayEquals(new long[] {-1, 7}, gr.initializers().get("idx").toLongArray());
        assertEquals(DType.FLOAT64, gr.initializers().get("d").dtype());
        assertEquals(0, gr.initializers().get("d").dim());
        assertEquals(List.of(new OnnxFile.Dim(-1, "N"), new OnnxFile.Dim(3, "")), gr.inputs().get(0).shape());
        assertEquals(OnnxFile.FLOAT, gr.inputs().get(0).elemType());
        OnnxFile.Node n = gr.nodes().get(0);
        assertEquals("Foo", n.opType());
        assertEquals("n1", n.name());
        assertEquals(List.of("x", "", "w.0"), n.inputs());
        assertEquals(-5L, n.attributes().get("i").value());
        assertEquals(1.5f, n.attributes().get("f").value());
        assertEquals("héllo", n.attributes().get("s").value());
        assertArrayEquals(new long[] {1, -2, 3}, (long[]) n.attributes().get("is").value());
        assertArrayEquals(new float[] {0.25f, -1f}, (float[]) n.attributes().get("fs").value());
        assertEquals(List.of("a", "b"), n.attributes().get("ss").value());
        assertArrayEquals(new float[] {9}, ((Tensor) n.attributes().get("t").value()).toFloatArray());
    }

    @Test
    void typedFieldsPackedAndUnpackedAndInt32AndUnknownFieldsSkipped() throws Exception {
        ProtoWriter typed = OnnxWriter.tensorTyped("a", new float[] {1, -2, 3.5f, 4}, 2, 2);
        ProtoWriter unpacked = new ProtoWriter().varint(1, 3).varint(2, OnnxFile.INT64).varint(7, 10).varint(7, -3).varint(7, 1L << 40).string(8, "b");
        ProtoWriter int32 = new ProtoWriter().packedVarints(1, 2).varint(2, OnnxFile.INT32).packedVarints(5, -7, 2147483647L).string(8, "c");
        ProtoWriter dbl = new ProtoWriter().varint(1, 2).varint(2, OnnxFile.DOUBLE).packedDoubles(10, 1e300, -0.5).string(8, "e");
        // Unknown fields of every wire type, in every message, are skipped.
        ProtoWriter graph = new ProtoWriter().varint(999, 5).fixed64(998, 123).fixed32(997, 1f).string(996, "junk")
                .message(5, typed.varint(500, 1)).message(5, unpacked).message(5, int32).message(5, dbl);
        byte[] bytes = new ProtoWriter().fixed32(100, 2f).message(7, graph).message(8, new ProtoWriter().varint(2, 17).string(9, "x"))
                .message(8, new ProtoWriter().string(1, "com.microsoft").varint(2, 1)).toByteArray();
        OnnxFile.Model m = OnnxFile.read(FILE, bytes);
        var inits = m.graph().initializers();
        assertArrayEquals(new float[] {1, -2, 3.5f, 4}, inits.get("a").toFloatArray());
        assertArrayEquals(new int[] {2, 2}, inits.get("a").shape());
        assertArrayEquals(new long[] {10, -3, 1L << 40}, inits.get("b").toLongArray());
        assertEquals(DType.INT64, inits.get("c").dtype());
        assertArrayEquals(new long[] {-7, 2147483647L}, inits.get("c").toLongArray());
        assertArrayEquals(new double[] {1e300, -0.5}, inits.get("e").toDoubleArray());
        assertEquals(17L, m.opsets().get(""));
        assertEquals(1L, m.opsets().get("com.microsoft"));
    }

    private static FileFormatException fails(byte[] bytes) {
        return assertThrows(FileFormatException.class, () -> OnnxFile.read(FILE, bytes));
    }

    @Test
    void lengthPastTheEndNamesTheOffsetAndWhatIsLeft() {
        // graph field (7) declaring 100 bytes with 3 present
        byte[] bytes = new ProtoWriter().varint(1, 8).key(7, 2).rawVarint(100).toByteArray();
        FileFormatException e = fails(new byte[] {bytes[0], bytes[1], bytes[2], bytes[3], 1, 2, 3});
        assertEquals(3, e.offset());
        assertTrue(e.getMessage().contains("test.onnx: at byte 3: expected a length of at most 3 bytes for graph of ModelProto"), e.getMessage());
    }

    @Test
    void truncatedVarintAndBadWireTypesAreClear() {
        assertTrue(fails(new byte[] {0x08, (byte) 0x80}).getMessage().contains("the rest of a varint"));
        assertTrue(fails(new byte[] {0x0b}).getMessage().contains("wire type 0, 1, 2 or 5"), "group start refused");
        // ir_version (a varint) written as length-delimited
        FileFormatException e = fails(new ProtoWriter().string(1, "x").toByteArray());
        assertTrue(e.getMessage().contains("a varint for field 1 (ir_version) of ModelProto"), e.getMessage());
        assertTrue(fails(new byte[0]).getMessage().contains("a ModelProto with a graph"));
        byte[] eleven = new byte[12];
        eleven[0] = 0x08;
        java.util.Arrays.fill(eleven, 1, 12, (byte) 0xff);
        assertTrue(fails(eleven).getMessage().contains("a varint of at most"));
    }

    @Test
    void hugeDeclaredDimsAreRefusedBeforeAllocating() {
        ProtoWriter t = new ProtoWriter().packedVarints(1, 1 << 30, 1 << 30).varint(2, OnnxFile.FLOAT).string(8, "big").bytes(9, new byte[4]);
        FileFormatException e = fails(new ProtoWriter().message(7, new ProtoWriter().message(5, t)).message(8, new ProtoWriter().varint(2, 13)).toByteArray());
        assertTrue(e.getMessage().contains("at most 2^31-1 elements in tensor 'big'"), e.getMessage());
        ProtoWriter t2 = new ProtoWriter().packedVarints(1, 1 << 20, 1 << 9).varint(2, OnnxFile.FLOAT).string(8, "claims").bytes(9, new byte[4]);
        FileFormatException e2 = fails(new ProtoWriter().message(7, new ProtoWriter().message(5, t2)).toByteArray());
        assertTrue(e2.getMessage().contains("536870912 elements of 4 bytes (2147483648 bytes of raw_data) for tensor 'claims' of dims [1048576, 512], found 4 bytes"),
                e2.getMessage());
        ProtoWriter t3 = new ProtoWriter().packedVarints(1, 3).varint(2, OnnxFile.FLOAT).string(8, "few").packedFloats(4, 1f);
        assertTrue(fails(new ProtoWriter().message(7, new ProtoWriter().message(5, t3)).toByteArray()).getMessage()
                .contains("3 elements in the typed data field for tensor 'few' of dims [3], found 1 elements"));
        ProtoWriter neg = new ProtoWriter().varint(1, -1).varint(2, OnnxFile.FLOAT).string(8, "neg");
        assertTrue(fails(new ProtoWriter().message(7, new ProtoWriter().message(5, neg)).toByteArray()).getMessage().contains("dims between 0 and 2^31-1"));
        ProtoWriter u32 = new ProtoWriter().varint(1, 1).varint(2, 12).string(8, "uint32").bytes(9, new byte[4]); // UINT32: no Descent dtype
        assertTrue(fails(new ProtoWriter().message(7, new ProtoWriter().message(5, u32)).toByteArray()).getMessage().contains("found data type 12"));
        ProtoWriter ext = new ProtoWriter().varint(1, 1).varint(2, OnnxFile.FLOAT).string(8, "ext").varint(14, 1);
        assertTrue(fails(new ProtoWriter().message(7, new ProtoWriter().message(5, ext)).toByteArray()).getMessage().contains("expected a 'location' entry in external_data for tensor 'ext'"));
    }

    /** Nests {@code depth} messages in field 1, innermost empty. */
    private static ProtoWriter nested(int depth) {
        ProtoWriter p = new ProtoWriter();
        for (int k = 0; k < depth; k++) p = new ProtoWriter().message(1, p);
        return p;
    }

    @Test
    void deepNestingIsBoundedAndUnknownBombsAreSkippedWithoutRecursion() throws Exception {
        byte[] deep = nested(ProtoReader.MAX_DEPTH + 5).toByteArray();
        ProtoReader r = ProtoReader.of(FILE, deep, "Outer");
        int levels = 0;
        FileFormatException e = null;
        try {
            while (r.next()) {
                r = r.message("inner", "Inner");
                levels++;
            }
        } catch (FileFormatException x) {
            e = x;
        }
        assertEquals(ProtoReader.MAX_DEPTH, levels);
        assertTrue(e != null && e.getMessage().contains("messages nested at most " + ProtoReader.MAX_DEPTH + " deep"));
        // A 20000-deep bomb in an unknown field of the graph: skipped as bytes, the model still reads.
        byte[] bytes = new ProtoWriter().message(7, new ProtoWriter().message(77, nested(20_000)).string(2, "g"))
                .message(8, new ProtoWriter().varint(2, 13)).toByteArray();
        assertEquals("g", OnnxFile.read(FILE, bytes).graph().name());
    }

    @Test
    void invalidUtf8AndDuplicateNamesAreRefused() {
        byte[] bad = new ProtoWriter().message(7, new ProtoWriter().bytes(2, new byte[] {(byte) 0xc3})).toByteArray();
        assertTrue(fails(bad).getMessage().contains("UTF-8 text for name of GraphProto"));
        ProtoWriter t = OnnxWriter.tensor("same", Tensor.of(new float[] {1}, 1));
        byte[] twice = new ProtoWriter().message(7, new ProtoWriter().message(5, t).message(5, t)).toByteArray();
        assertTrue(fails(twice).getMessage().contains("'same' twice"));
    }
}
