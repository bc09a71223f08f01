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
        assertTrue(r.err().contains("input 'x' from " + xin + " has shape [4,5], the model declares [N,3]"), r.err());
        Files.write(xin, new byte[] {1, 2, 3});
        r = CommandRun.of("onnx", "run", f.toString(), "--input", "x=" + xin, "--out", out.toString());
        assertEquals(1, r.code(), r.all());
        assertTrue(r.err().contains("expected the .npy magic"), r.err());
    }
}
