package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import dev.descent.core.io.Npy;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** descent onnx info and run, on a model hand-encoded here in protobuf (field numbers of onnx.proto). */
class OnnxCommandTest {
    @TempDir
    Path dir;

    /** Protobuf fields: varint (wire type 0) and length-delimited (2). */
    private static final class Pb {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Pb raw(long v) {
            while ((v & ~0x7fL) != 0) {
                out.write((int) (v & 0x7f) | 0x80);
                v >>>= 7;
            }
            out.write((int) v);
            return this;
        }

        Pb varint(int field, long v) {
            return raw((long) field << 3).raw(v);
        }

        Pb bytes(int field, byte[] b) {
            raw(((long) field << 3) | 2).raw(b.length);
            out.writeBytes(b);
            return this;
        }

        Pb str(int field, String s) {
            return bytes(field, s.getBytes(StandardCharsets.UTF_8));
        }

        Pb msg(int field, Pb m) {
            return bytes(field, m.out.toByteArray());
        }
    }

    /** ValueInfoProto: name, tensor type (elem type, dims; a negative dim is the symbolic "N"). */
    private static Pb value(String name, int elem, long... dims) {
        Pb shape = new Pb();
        for (long d : dims) shape.msg(1, d < 0 ? new Pb().str(2, "N") : new Pb().varint(1, d));
        return new Pb().str(1, name).msg(2, new Pb().msg(1, new Pb().varint(1, elem).msg(2, shape)));
    }

    private static Pb node(String op, String name, String[] in, String[] out) {
        Pb n = new Pb();
        for (String s : in) n.str(1, s);
        for (String s : out) n.str(2, s);
        return n.str(3, name).str(4, op);
    }

    /** y = x·W + b (W [3, 2], b [2] as float initializers in raw_data) and n = Shape(x), opset 13. */
    private Path model(float[] w, float[] b) throws Exception {
        ByteBuffer wb = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN), bb = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : w) wb.putFloat(f);
        for (float f : b) bb.putFloat(f);
        Pb g = new Pb().msg(1, node("MatMul", "mm", new String[] {"x", "W"}, new String[] {"h"}))
                .msg(1, node("Add", "add", new String[] {"h", "b"}, new String[] {"y"}))
                .msg(1, node("Shape", "shape", new String[] {"x"}, new String[] {"n"})).str(2, "g")
                .msg(5, new Pb().varint(1, 3).varint(1, 2).varint(2, 1).str(8, "W").bytes(9, wb.array()))
                .msg(5, new Pb().varint(1, 2).varint(2, 1).str(8, "b").bytes(9, bb.array()))
                .msg(11, value("x", 1, -1, 3)).msg(12, value("y", 1, -1, 2)).msg(12, value("n", 7, 2));
        Pb m = new Pb().varint(1, 8).str(2, "hand").msg(7, g).msg(8, new Pb().str(1, "").varint(2, 13));
        Path f = dir.resolve("affine.onnx");
        Files.write(f, m.out.toByteArray());
        return f;
    }

    @Test
    void infoListsInputsOutputsOpsetOpsAndParameters() throws Exception {
        Path f = model(new float[6], new float[2]);
        CommandRun r = CommandRun.of("onnx", "info", f.toString());
        assertEquals(0, r.code(), r.all());
        String o = r.out();
        assertTrue(o.contains("opset: ai.onnx 13"), o);
        assertTrue(o.contains("inputs:\n  x  float32 [N,3]\n"), o);
        assertTrue(o.contains("outputs:\n  y  float32 [N,2]\n  n  int64 [2]\n"), o);
        assertTrue(o.contains("ops (3 nodes):\n  Add  1\n  MatMul  1\n  Shape  1\n"), o);
        assertTrue(o.contains("parameters: 8\n"), o);
        assertTrue(o.contains("runs in Descent: yes"), o);
    }

    @Test
    void runReadsNpyInputsAndWritesOneNpyPerOutput() throws Exception {
        SplittableRandom rng = new SplittableRandom(51);
        float[] w = new float[6], b = new float[2];
        for (int k = 0; k < 6; k++) w[k] = (float) rng.nextGaussian();
        for (int k = 0; k < 2; k++) b[k] = (float) rng.nextGaussian();
        Path f = model(w, b);
        Tensor x = Tensor.randn(DType.FLOAT64, rng, 4, 3); // float64 data: converted to the declared float32
        Path xin = dir.resolve("x.npy"), out = dir.resolve("out");
        Npy.write(xin, x);
        CommandRun r = CommandRun.of("onnx", "run", f.toString(), "--input", "x=" + xin, "--out", out.toString());
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains("wrote " + out.resolve("y.npy") + "  y  float32 [4,2]"), r.out());
        Tensor y = Npy.read(out.resolve("y.npy"));
        assertEquals(DType.FLOAT32, y.dtype());
        double[] got = y.to(DType.FLOAT64).toDoubleArray();
        for (int i = 0; i < 4; i++) for (int j = 0; j < 2; j++) {
            double s = b[j];
            for (int k = 0; k < 3; k++) s += (float) x.get(i, k) * (double) w[k * 2 + j];
            assertEquals(s, got[i * 2 + j], 1e-5, "y[" + i + ", " + j + "]");
        }
        assertArrayEquals(new long[] {4, 3}, Npy.read(out.resolve("n.npy")).toLongArray());
    }

    /** A .npy file laid out as numpy's format description says (version 1.0, header padded to 64 bytes), written here byte by byte. */
    private static byte[] npy(String descr, int[] shape, byte[] data) {
        StringBuilder dims = new StringBuilder("(");
        for (int k = 0; k < shape.length; k++) dims.append(k > 0 ? ", " : "").append(shape[k]);
        if (shape.length == 1) dims.append(',');
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + dims + "), }";
        int headerLen = (10 + dict.length() + 1 + 63) / 64 * 64 - 10;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) headerLen, (byte) (headerLen >> 8)});
        out.writeBytes(dict.getBytes(StandardCharsets.ISO_8859_1));
        for (int k = dict.length(); k < headerLen - 1; k++) out.write(' ');
        out.write('\n');
        out.writeBytes(data);
        return out.toByteArray();
    }

    private static byte[] le(int width, long... v) {
        ByteBuffer b = ByteBuffer.allocate(width * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long x : v) {
            switch (width) {
                case 8 -> b.putLong(x);
                case 4 -> b.putInt((int) x);
                case 2 -> b.putShort((short) x);
                default -> b.put((byte) x);
            }
        }
        return b.array();
    }

    /** The element bytes of a .npy file and its descr, as the reader of this test sees them. */
    private static String descr(byte[] file) {
        String h = new String(file, 10, (file[8] & 0xff) | (file[9] & 0xff) << 8, StandardCharsets.ISO_8859_1);
        int at = h.indexOf("'descr': '") + 10;
        return h.substring(at, h.indexOf('\'', at));
    }

    private static byte[] data(byte[] file) {
        int start = 10 + ((file[8] & 0xff) | (file[9] & 0xff) << 8);
        return java.util.Arrays.copyOfRange(file, start, file.length);
    }

    /** One Identity per ONNX element type: input i_T of type T and shape [2, 3] to output o_T, opset 13. */
    private Path identities(int[] elems) throws Exception {
        Pb g = new Pb();
        for (int e : elems) g.msg(1, node("Identity", "id" + e, new String[] {"i" + e}, new String[] {"o" + e}));
        g.str(2, "g");
        for (int e : elems) g.msg(11, value("i" + e, e, 2, 3));
        for (int e : elems) g.msg(12, value("o" + e, e, 2, 3));
        Path f = dir.resolve("identities.onnx");
        Files.write(f, new Pb().varint(1, 8).str(2, "hand").msg(7, g).msg(8, new Pb().str(1, "").varint(2, 13)).out.toByteArray());
        return f;
    }

    @Test
    void runTakesAndWritesEveryDtypeDescentHolds() throws Exception {
        // ONNX element type, numpy descr, six elements' little-endian bytes (values that survive every conversion named)
        int[] elems = {1, 11, 10, 3, 2, 6, 7, 9};
        String[] descrs = {"<f4", "<f8", "<f2", "|i1", "|u1", "<i4", "<i8", "|b1"};
        byte[][] bytes = {
            ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN).putFloat(1.5f).putFloat(-2).putFloat(0.1f).putFloat(1e30f).putFloat(-0f).putFloat(Float.MIN_VALUE).array(),
            ByteBuffer.allocate(48).order(ByteOrder.LITTLE_ENDIAN).putDouble(0.1).putDouble(-1e300).putDouble(3).putDouble(Math.PI).putDouble(0).putDouble(-7).array(),
            le(2, 0x3c00, 0xc000, 0x7c00, 0x0001, 0x3555, 0x8000), // 1, -2, inf, the smallest subnormal, 1/3, -0
            le(1, -128, -1, 0, 1, 64, 127), le(1, 0, 1, 127, 128, 200, 255), le(4, Integer.MIN_VALUE, -1, 0, 1, 1 << 20, Integer.MAX_VALUE),
            le(8, Long.MIN_VALUE, -1, 0, 1, 1L << 40, Long.MAX_VALUE), le(1, 1, 0, 0, 1, 1, 0)};
        Path model = identities(elems), out = dir.resolve("out");
        List<String> args = new java.util.ArrayList<>(List.of("onnx", "run", model.toString(), "--out", out.toString()));
        for (int k = 0; k < elems.length; k++) {
            Path in = dir.resolve("i" + elems[k] + ".npy");
            Files.write(in, npy(descrs[k], new int[] {2, 3}, bytes[k]));
            args.add("--input");
            args.add("i" + elems[k] + "=" + in);
        }
        CommandRun r = CommandRun.of(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.all());
        for (int k = 0; k < elems.length; k++) {
            byte[] o = Files.readAllBytes(out.resolve("o" + elems[k] + ".npy"));
            assertEquals(descrs[k], descr(o), "output of type " + elems[k]);
            assertArrayEquals(bytes[k], data(o), "output of type " + elems[k] + " holds the input's bytes");
        }
        assertTrue(r.out().contains("o6  int32 [2,3]"), r.out());
    }

    @Test
    void bfloat16TakesFloatDataOrWithBf16BitsItsPatterns() throws Exception {
        Path model = identities(new int[] {16}), in = dir.resolve("b.npy"), out = dir.resolve("out");
        // float32 data rounded to bfloat16 (to nearest even): 1 + 2^-9 rounds to 1, 1 + 3·2^-9 to 1 + 2^-7; written back as float32
        float[] x = {1 + 0x1p-9f, 1 + 3 * 0x1p-9f, -2, 0.5f, 3.140625f, 0};
        float[] rounded = {1, 1 + 0x1p-7f, -2, 0.5f, 3.140625f, 0};
        ByteBuffer f4 = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN), want = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        for (int k = 0; k < 6; k++) {
            f4.putFloat(x[k]);
            want.putFloat(rounded[k]);
        }
        Files.write(in, npy("<f4", new int[] {2, 3}, f4.array()));
        CommandRun r = CommandRun.of("onnx", "run", model.toString(), "--input", "i16=" + in, "--out", out.toString());
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains("o16  bfloat16 [2,3] (written as float32, exact"), r.out());
        byte[] o = Files.readAllBytes(out.resolve("o16.npy"));
        assertEquals("<f4", descr(o));
        assertArrayEquals(want.array(), data(o));
        // --bf16-bits: uint16 patterns in and out, bit for bit
        byte[] bits = le(2, 0x3f80, 0xc040, 0x4049, 0x7f80, 0x0001, 0x8000);
        Files.write(in, npy("<u2", new int[] {2, 3}, bits));
        r = CommandRun.of("onnx", "run", model.toString(), "--input", "i16=" + in, "--out", out.toString());
        assertEquals(1, r.code(), r.all());
        assertTrue(r.err().contains("uint16 only as bfloat16 bit patterns"), r.err());
        r = CommandRun.of("onnx", "run", model.toString(), "--bf16-bits", "--input", "i16=" + in, "--out", out.toString());
        assertEquals(0, r.code(), r.all());
        o = Files.readAllBytes(out.resolve("o16.npy"));
        assertEquals("<u2", descr(o));
        assertArrayEquals(bits, data(o));
    }

    @Test
    void aDtypeOrShapeTheInputCannotTakeIsOneLineNamingBoth() throws Exception {
        Path model = identities(new int[] {1, 3, 9}), out = dir.resolve("out");
        Path f = dir.resolve("f.npy"), i = dir.resolve("i.npy"), b = dir.resolve("b.npy"), big = dir.resolve("big.npy");
        Files.write(f, npy("<f4", new int[] {2, 3}, new byte[24]));
        Files.write(i, npy("<i8", new int[] {2, 3}, new byte[48]));
        Files.write(b, npy("|b1", new int[] {2, 3}, new byte[6]));
        Files.write(big, npy("<i8", new int[] {2, 3}, le(8, 0, 0, 0, 0, 0, 300)));
        String[][] cases = {
            {f.toString(), f.toString(), b.toString(), "input 'i3': the model declares int8 [2,3], " + f + " holds float32 [2,3]: integer data expected (a.astype(np.int8))"},
            {i.toString(), i.toString(), b.toString(), "input 'i1': the model declares float32 [2,3], " + i + " holds int64 [2,3]: floating-point data expected"},
            {f.toString(), i.toString(), i.toString(), "input 'i9': the model declares bool [2,3], " + i + " holds int64 [2,3]: bool data expected"},
            {f.toString(), big.toString(), b.toString(), "input 'i3' from " + big + ": value 300 (element 5 of [2,3]) does not fit int8 [-128, 127]"}};
        for (String[] c : cases) {
            CommandRun r = CommandRun.of("onnx", "run", model.toString(), "--input", "i1=" + c[0], "--input", "i3=" + c[1], "--input", "i9=" + c[2], "--out", out.toString());
            assertEquals(2, r.code(), r.all());
            assertTrue(r.err().contains(c[3]), r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
        }
        // int64 data that fits int8 converts
        Files.write(big, npy("<i8", new int[] {2, 3}, le(8, -128, 0, 0, 0, 0, 127)));
        CommandRun r = CommandRun.of("onnx", "run", model.toString(), "--input", "i1=" + f, "--input", "i3=" + big, "--input", "i9=" + b, "--out", out.toString());
        assertEquals(0, r.code(), r.all());
        assertArrayEquals(le(1, -128, 0, 0, 0, 0, 127), data(Files.readAllBytes(out.resolve("o3.npy"))));
    }

    @Test
    void infoCountsTheOpsOfSubgraphsAndRunTakesTheBranchABoolFileChooses() throws Exception {
        // y = If(c) then Neg(x) else Identity(x); x float32 [3], c a bool scalar
        Pb then = new Pb().msg(1, node("Neg", "neg", new String[] {"x"}, new String[] {"yt"})).str(2, "then").msg(12, value("yt", 1, 3));
        Pb otherwise = new Pb().msg(1, node("Identity", "id", new String[] {"x"}, new String[] {"ye"})).str(2, "else").msg(12, value("ye", 1, 3));
        Pb ifNode = node("If", "if", new String[] {"c"}, new String[] {"y"})
                .msg(5, new Pb().str(1, "then_branch").varint(20, 5).msg(6, then)).msg(5, new Pb().str(1, "else_branch").varint(20, 5).msg(6, otherwise));
        Pb g = new Pb().msg(1, ifNode).str(2, "g").msg(11, value("x", 1, 3)).msg(11, value("c", 9)).msg(12, value("y", 1, 3));
        Path f = dir.resolve("if.onnx");
        Files.write(f, new Pb().varint(1, 8).str(2, "hand").msg(7, g).msg(8, new Pb().str(1, "").varint(2, 13)).out.toByteArray());
        CommandRun r = CommandRun.of("onnx", "info", f.toString());
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains("ops (1 node, and 2 nodes in subgraphs):\n  Identity  1\n  If  1\n  Neg  1\n"), r.out());
        assertTrue(r.out().contains("runs in Descent: yes"), r.out());
        Path x = dir.resolve("x.npy"), c = dir.resolve("c.npy"), out = dir.resolve("out");
        Files.write(x, npy("<f4", new int[] {3}, ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putFloat(1.5f).putFloat(-2).putFloat(0).array()));
        for (int cond = 0; cond < 2; cond++) {
            Files.write(c, npy("|b1", new int[0], new byte[] {(byte) cond}));
            r = CommandRun.of("onnx", "run", f.toString(), "--input", "x=" + x, "--input", "c=" + c, "--out", out.toString());
            assertEquals(0, r.code(), r.all());
            float s = cond == 1 ? -1 : 1;
            assertArrayEquals(new float[] {1.5f * s, -2 * s, 0 * s}, Npy.read(out.resolve("y.npy")).toFloatArray(), "cond " + cond);
        }
    }

    @Test
    void mistakesAreOneLineWithExitCode2() throws Exception {
        Path f = model(new float[6], new float[2]);
        Path xin = dir.resolve("x.npy"), out = dir.resolve("out");
        Npy.write(xin, Tensor.zeros(4, 3));
        CommandRun r = CommandRun.of("onnx", "run", f.toString(), "--out", out.toString());
        assertEquals(2, r.code(), r.all());
        assertTrue(r.err().contains("descent: missing --input for x (the model's inputs are [x])"), r.err());
        r = CommandRun.of("onnx", "run", f.toString(), "--input", "z=" + xin, "--out", out.toString());
        assertTrue(r.err().contains("'z' is not an input of"), r.err());
        r = CommandRun.of("onnx", "run", f.toString(), "--input", xin.toString(), "--out", out.toString());
        assertTrue(r.err().contains("--input must be NAME=FILE.npy"), r.err());
        Npy.write(xin, Tensor.zeros(4, 5));
        r = CommandRun.of("onnx", "run", f.toString(), "--input", "x=" + xin, "--out", out.toString());
        assertEquals(2, r.code(), r.all());
        assertTrue(r.err().contains("input 'x': the model declares float32 [N,3], " + xin + " holds float32 [4,5] (another shape)"), r.err());
        Files.write(xin, new byte[] {1, 2, 3});
        r = CommandRun.of("onnx", "run", f.toString(), "--input", "x=" + xin, "--out", out.toString());
        assertEquals(1, r.code(), r.all());
        assertTrue(r.err().contains("expected the .npy magic"), r.err());
    }
}
