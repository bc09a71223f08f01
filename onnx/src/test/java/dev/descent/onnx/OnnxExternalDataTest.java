package dev.descent.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.Tensor;
import dev.descent.core.io.FileFormatException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Initializers whose bytes live in a file next to the model (TensorProto.data_location = EXTERNAL), and hostile locations. */
class OnnxExternalDataTest {
    @TempDir
    Path dir;

    /** A float TensorProto pointing at external data: location, then offset and length when given (null leaves them out). */
    private static ProtoWriter external(String name, String location, Long offset, Long length, long... dims) {
        ProtoWriter p = new ProtoWriter().packedVarints(1, dims).varint(2, OnnxFile.FLOAT).string(8, name);
        p.message(13, new ProtoWriter().string(1, "location").string(2, location));
        if (offset != null) p.message(13, new ProtoWriter().string(1, "offset").string(2, Long.toString(offset)));
        if (length != null) p.message(13, new ProtoWriter().string(1, "length").string(2, Long.toString(length)));
        return p.varint(14, 1);
    }

    private static byte[] floats(float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) b.putFloat(f);
        return b.array();
    }

    /** A model y = x·W + b with W and b as the given initializer protos. */
    private Path model(String file, ProtoWriter w, ProtoWriter b) throws Exception {
        OnnxWriter.Graph g = new OnnxWriter.Graph().input("x", -1, 3).output("y", -1, 2)
                .node("MatMul", "mm", List.of("x", "W"), List.of("h")).node("Add", "add", List.of("h", "b"), List.of("y"));
        g.inits.add(w);
        g.inits.add(b);
        Path f = dir.resolve(file);
        Files.createDirectories(f.getParent());
        Files.write(f, g.model(13));
        return f;
    }

    @Test
    void externalInitializersLoadFromOffsetsInAFileNextToTheModel() throws Exception {
        SplittableRandom rng = new SplittableRandom(31);
        float[] w = new float[6], b = new float[2];
        for (int k = 0; k < 6; k++) w[k] = (float) rng.nextGaussian();
        for (int k = 0; k < 2; k++) b[k] = (float) rng.nextGaussian();
        // data file: 12 bytes of padding, W (24 bytes), 4 bytes of padding, b (8 bytes)
        ByteBuffer data = ByteBuffer.allocate(12 + 24 + 4 + 8);
        data.position(12).put(floats(w)).position(40).put(floats(b));
        Files.createDirectories(dir.resolve("m/weights"));
        Files.write(dir.resolve("m/weights/data.bin"), data.array());
        Path f = model("m/model.onnx", external("W", "weights/data.bin", 12L, 24L, 3, 2), external("b", "weights/data.bin", 40L, null, 2));
        OnnxModel m = OnnxModel.read(f);
        Tensor x = Tensor.randn(rng, 4, 3), y = m.forward(x);
        double[] ref = new double[8];
        for (int i = 0; i < 4; i++) for (int j = 0; j < 2; j++) {
            double s = b[j];
            for (int k = 0; k < 3; k++) s += x.get(i, k) * w[k * 2 + j];
            ref[i * 2 + j] = s;
        }
        double[] got = y.to(dev.descent.core.DType.FLOAT64).toDoubleArray();
        for (int i = 0; i < 8; i++) assertTrue(Math.abs(ref[i] - got[i]) < 1e-5, i + ": " + ref[i] + " vs " + got[i]);
        assertArrayEquals(w, m.namedParameters().get("W").contiguous().toFloatArray());
    }

    @Test
    void aModelReadFromMemoryRunsAsFromItsFileAndRefusesExternalDataNamingIt() throws Exception {
        SplittableRandom rng = new SplittableRandom(37);
        Tensor w = Tensor.randn(rng, 3, 2), b = Tensor.randn(rng, 2);
        Path inline = model("mem/inline.onnx", OnnxWriter.tensor("W", w), OnnxWriter.tensor("b", b));
        Tensor x = Tensor.randn(rng, 4, 3);
        float[] fromFile = OnnxModel.read(inline).forward(x).contiguous().toFloatArray();
        float[] fromMemory = OnnxModel.read("resource:/models/inline.onnx", Files.readAllBytes(inline)).forward(x).contiguous().toFloatArray();
        assertArrayEquals(fromFile, fromMemory);

        // the data file is right next to where the name points: still refused, as bytes have no folder
        Files.write(dir.resolve("mem/data.bin"), new byte[24]);
        Path ext = model("mem/ext.onnx", external("W", "data.bin", 0L, 24L, 3, 2), OnnxWriter.tensor("b", b));
        String e = assertThrows(FileFormatException.class, () -> OnnxModel.read(ext.toString(), Files.readAllBytes(ext))).getMessage();
        assertTrue(e.contains(ext.toString()) && e.contains("the data of tensor 'W' inside the model (it was read from memory")
                && e.contains("found external data in 'data.bin'"), e);
    }

    private String fails(ProtoWriter w) throws Exception {
        Path f = model("h/model.onnx", w, OnnxWriter.tensor("b", Tensor.zeros(2)));
        return assertThrows(FileFormatException.class, () -> OnnxModel.read(f)).getMessage();
    }

    @Test
    void hostileLocationsOffsetsAndLengthsAreRefusedNamingFileAndOffset() throws Exception {
        Files.createDirectories(dir.resolve("h"));
        Files.write(dir.resolve("h/data.bin"), new byte[24]);
        Files.write(dir.resolve("secret.bin"), new byte[24]);
        String e = fails(external("W", "../secret.bin", 0L, 24L, 3, 2));
        assertTrue(e.contains("expected an external data location inside the model's folder for tensor 'W', found '../secret.bin'"), e);
        e = fails(external("W", dir.resolve("secret.bin").toString(), 0L, 24L, 3, 2));
        assertTrue(e.contains("expected a relative external data location for tensor 'W'"), e);
        e = fails(external("W", "data.bin", 8L, 24L, 3, 2));
        assertTrue(e.contains("expected offset + length within external data file") && e.contains("data.bin (24 bytes) for tensor 'W', found offset 8 and length 24"), e);
        e = fails(external("W", "data.bin", 100L, null, 3, 2));
        assertTrue(e.contains("found offset 100"), e);
        e = fails(external("W", "data.bin", 0L, 16L, 3, 2));
        assertTrue(e.contains("expected 24 bytes of external data for tensor 'W' (at offset 0 of ") && e.contains("found 16 bytes"), e);
        e = fails(external("W", "data.bin", -4L, 24L, 3, 2));
        assertTrue(e.contains("non-negative integer 'offset' in external_data for tensor 'W', found '-4'"), e);
        e = fails(external("W", "missing.bin", 0L, 24L, 3, 2));
        assertTrue(e.contains("expected a readable external data file for tensor 'W', found 'missing.bin'"), e);
        assertTrue(e.startsWith(dir.resolve("h/model.onnx") + ": at byte "), e);
        // a link inside the folder pointing outside it
        Path link = dir.resolve("h/link.bin");
        try {
            Files.createSymbolicLink(link, dir.resolve("secret.bin"));
            e = fails(external("W", "link.bin", 0L, 24L, 3, 2));
            assertTrue(e.contains("inside the model's folder for tensor 'W', found 'link.bin', a link to"), e);
        } catch (UnsupportedOperationException ignored) {
            // no symbolic links on this file system
        }
        // many tensors claiming the same bytes cannot multiply what is allocated beyond the data file's size
        OnnxWriter.Graph g = new OnnxWriter.Graph().input("x").output("x");
        for (int k = 0; k < 3; k++) g.inits.add(external("t" + k, "data.bin", 0L, 24L, 6));
        Files.write(dir.resolve("h/many.onnx"), g.model(13));
        e = assertThrows(FileFormatException.class, () -> OnnxModel.read(dir.resolve("h/many.onnx"))).getMessage();
        assertTrue(e.contains("tensors that together read at most the 24 bytes of their external data files (tensor 't1' at offset 0"), e);
    }
    @Test
    void anyLocationOffsetAndLengthEitherReadsTheRightBytesOrFailsNamingTheFile() throws Exception {
        Files.createDirectories(dir.resolve("q/sub"));
        byte[] data = new byte[40];
        for (int k = 0; k < data.length; k++) data[k] = (byte) (k * 37 + 11);
        Files.write(dir.resolve("q/data.bin"), data);
        Files.write(dir.resolve("outside.bin"), data);
        String[] locations = {"data.bin", "sub/../data.bin", "./data.bin", "../outside.bin", "sub", "", "none.bin", "data.bin\0", "/data.bin"};
        Path f = dir.resolve("q/model.onnx");
        org.quicktheories.QuickTheory.qt().withExamples(300).forAll(org.quicktheories.generators.SourceDSL.integers().between(0, locations.length - 1),
                org.quicktheories.generators.SourceDSL.integers().between(-3, 48), org.quicktheories.generators.SourceDSL.integers().between(-3, 48))
                .checkAssert((loc, offset, length) -> {
                    ProtoWriter t = new ProtoWriter().packedVarints(1, 2).varint(2, OnnxFile.FLOAT).string(8, "t");
                    t.message(13, new ProtoWriter().string(1, "location").string(2, locations[loc]));
                    if (offset != 48) t.message(13, new ProtoWriter().string(1, "offset").string(2, Integer.toString(offset)));
                    if (length != 48) t.message(13, new ProtoWriter().string(1, "length").string(2, Integer.toString(length)));
                    t.varint(14, 1);
                    OnnxWriter.Graph g = new OnnxWriter.Graph().input("x").output("x");
                    g.inits.add(t);
                    try {
                        Files.write(f, g.model(13));
                        Tensor v = OnnxFile.read(f).graph().initializers().get("t");
                        int at = offset == 48 ? 0 : offset;
                        assertTrue(loc < 3 && (length == 48 || length == 8) && at >= 0 && at + 8 <= 40, "read " + locations[loc] + " at " + offset + ", length " + length);
                        ByteBuffer b = ByteBuffer.wrap(data, at, 8).order(ByteOrder.LITTLE_ENDIAN);
                        assertArrayEquals(new float[] {b.getFloat(), b.getFloat()}, v.toFloatArray());
                    } catch (FileFormatException e) {
                        assertTrue(e.getMessage().startsWith(f + ": at byte "), e.getMessage());
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
    }
}
