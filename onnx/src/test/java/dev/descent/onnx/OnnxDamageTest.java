package dev.descent.onnx;

import static dev.descent.onnx.OnnxWriter.attrFloat;
import static dev.descent.onnx.OnnxWriter.attrInt;
import static dev.descent.onnx.OnnxWriter.attrInts;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import dev.descent.core.Tensor;
import dev.descent.core.io.FileFormatException;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quicktheories.api.Pair;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * Damaged ONNX files: random truncations, bit flips, byte sets, insertions and deletions of a valid small CNN. Loading
 * either succeeds (the damage hit tensor data or left a valid protobuf) or fails with a {@link FileFormatException}
 * naming the file or an {@link OnnxException}, never with another exception, and allocates a bounded multiple of the
 * file's size.
 */
class OnnxDamageTest {
    @TempDir
    Path dir;

    /** One damage: kind 0 truncate, 1 flip a bit, 2 set a byte, 3 insert a byte, 4 delete a byte, 5 append bytes. */
    record Damage(int kind, int at, int value) {
        byte[] apply(byte[] b) {
            int n = b.length, p = n == 0 ? 0 : at % n;
            if (n == 0 && kind != 3 && kind != 5) return b;
            return switch (kind) {
                case 0 -> Arrays.copyOf(b, p);
                case 1 -> {
                    byte[] o = b.clone();
                    o[p] ^= (byte) (1 << (value & 7));
                    yield o;
                }
                case 2 -> {
                    byte[] o = b.clone();
                    o[p] = (byte) value;
                    yield o;
                }
                case 3 -> {
                    byte[] o = new byte[n + 1];
                    int q = at % (n + 1);
                    System.arraycopy(b, 0, o, 0, q);
                    o[q] = (byte) value;
                    System.arraycopy(b, q, o, q + 1, n - q);
                    yield o;
                }
                case 4 -> {
                    byte[] o = new byte[n - 1];
                    System.arraycopy(b, 0, o, 0, p);
                    System.arraycopy(b, p + 1, o, p, n - p - 1);
                    yield o;
                }
                default -> {
                    byte[] o = Arrays.copyOf(b, n + 1 + at % 64);
                    Arrays.fill(o, n, o.length, (byte) value);
                    yield o;
                }
            };
        }

        @Override
        public String toString() {
            return switch (kind) {
                case 0 -> "truncate to " + at;
                case 1 -> "flip bit " + (value & 7) + " of byte " + at;
                case 2 -> "set byte " + at + " to " + value;
                case 3 -> "insert " + value + " at " + at;
                case 4 -> "delete byte " + at;
                default -> "append " + (1 + at % 64) + " bytes " + value;
            };
        }
    }

    static Gen<List<Damage>> damages(int length) {
        Gen<Damage> one = integers().between(0, 5).zip(integers().between(0, length - 1), integers().between(0, 255), Damage::new);
        List<Pair<Integer, Gen<Damage>>> weighted = new ArrayList<>();
        weighted.add(Pair.of(1, Generate.constant((Damage) null)));
        weighted.add(Pair.of(12, one));
        return lists().of(Generate.frequency(weighted)).ofSizeBetween(1, 3).map(l -> l.stream().filter(d -> d != null).toList());
    }

    static byte[] smallCnn() {
        SplittableRandom rng = new SplittableRandom(9);
        return new OnnxWriter.Graph().init("conv.weight", Tensor.randn(rng, 2, 1, 3, 3)).init("conv.bias", Tensor.randn(rng, 2))
                .init("fc.weight", Tensor.randn(rng, 3, 8)).init("shape", Tensor.of(new long[] {0, -1}, 2))
                .input("x", -1, 1, 4, 4).output("y", -1, 3)
                .node("Conv", "conv", List.of("x", "conv.weight", "conv.bias"), List.of("c"), attrInts("kernel_shape", 3, 3), attrInts("pads", 1, 1, 1, 1))
                .node("Relu", "relu", List.of("c"), List.of("r"))
                .node("MaxPool", "pool", List.of("r"), List.of("p"), attrInts("kernel_shape", 2, 2), attrInts("strides", 2, 2))
                .node("Reshape", "flat", List.of("p", "shape"), List.of("f"))
                .node("Gemm", "fc", List.of("f", "fc.weight"), List.of("y"), attrInt("transB", 1), attrFloat("alpha", 1f))
                .model(13);
    }

    /** y = Loop(M = 3, s0) whose body holds an If reading x from the main graph: subgraphs inside subgraphs. */
    static byte[] controlFlow() {
        OnnxWriter.Graph then = new OnnxWriter.Graph().output("st").node("Add", "t", List.of("s", "x"), List.of("st"));
        OnnxWriter.Graph otherwise = new OnnxWriter.Graph().init("k", Tensor.of(new float[] {2, 3}, 2)).output("se").node("Mul", "e", List.of("s", "k"), List.of("se"));
        OnnxWriter.Graph body = new OnnxWriter.Graph().typedInput("i", OnnxFile.INT64).typedInput("c", OnnxFile.BOOL).typedInput("s", OnnxFile.FLOAT)
                .typedOutput("c", OnnxFile.BOOL).typedOutput("s2", OnnxFile.FLOAT)
                .node("Cast", "b", List.of("c"), List.of("cb"), attrInt("to", OnnxFile.BOOL))
                .node("If", "if", List.of("cb"), List.of("s2"), OnnxWriter.attrGraph("then_branch", then), OnnxWriter.attrGraph("else_branch", otherwise));
        return new OnnxWriter.Graph().init("M", Tensor.of(new long[] {3}).reshape()).input("x", 2).input("s0", 2).output("y", 2)
                .node("Loop", "loop", List.of("M", "", "s0"), List.of("y"), OnnxWriter.attrGraph("body", body)).model(13);
    }

    @Test
    void damagedFilesFailClearlyWithBoundedAllocation() {
        damagedFilesFailClearly(smallCnn(), 600);
    }

    @Test
    void damagedOrCutFilesWithSubgraphsFailClearlyWithBoundedAllocation() throws IOException {
        byte[] bytes = controlFlow();
        OnnxModel.read(write(bytes)); // the undamaged file loads
        damagedFilesFailClearly(bytes, 400);
        Path f = dir.resolve("cut.onnx");
        for (int n = 0; n < bytes.length; n++) {
            Files.write(f, Arrays.copyOf(bytes, n));
            try {
                OnnxModel.read(f);
                fail("a file cut to " + n + " of " + bytes.length + " bytes loaded");
            } catch (FileFormatException | OnnxException expected) {
                assertTrue(expected.getMessage().startsWith(f.toString()), expected.getMessage());
            }
        }
        // subgraphs nested past the reader's depth limit: refused, not a stack overflow
        OnnxWriter.Graph leaf = new OnnxWriter.Graph().output("y").node("Neg", "n", List.of("x"), List.of("y")), g = leaf;
        for (int k = 0; k < 40; k++) {
            g = new OnnxWriter.Graph().typedInput("c", OnnxFile.BOOL).output("y")
                    .node("If", "if" + k, List.of("c"), List.of("y"), OnnxWriter.attrGraph("then_branch", g), OnnxWriter.attrGraph("else_branch", leaf));
        }
        byte[] deep = g.model(13);
        FileFormatException e = assertThrows(FileFormatException.class, () -> OnnxModel.read(write(deep)));
        assertTrue(e.getMessage().contains("messages nested at most"), e.getMessage());
    }

    private Path write(byte[] bytes) throws IOException {
        Path f = dir.resolve("whole.onnx");
        Files.write(f, bytes);
        return f;
    }

    private void damagedFilesFailClearly(byte[] bytes, int examples) {
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        qt().withExamples(examples).forAll(damages(bytes.length)).checkAssert(ds -> {
            byte[] damaged = bytes;
            for (Damage d : ds) damaged = d.apply(damaged);
            String what = "a file damaged by " + ds;
            Path f = dir.resolve("damaged.onnx");
            try {
                Files.write(f, damaged);
                long before = mx.getCurrentThreadAllocatedBytes();
                try {
                    OnnxModel.read(f);
                } catch (FileFormatException expected) {
                    assertTrue(expected.getMessage().startsWith(f + ": at byte "), expected.getMessage() + " (" + what + ")");
                    assertTrue(expected.offset() >= 0 && expected.offset() <= damaged.length, "offset inside the file: " + expected.getMessage());
                } catch (OnnxException expected) {
                    assertTrue(expected.getMessage().startsWith(f.toString()) && !expected.getMessage().contains("\n"), expected.getMessage());
                } catch (Exception other) {
                    fail("loading " + what + " threw " + other, other);
                }
                long allocated = mx.getCurrentThreadAllocatedBytes() - before;
                assertTrue(allocated < 64L * damaged.length + (4 << 20), "allocated " + allocated + " bytes for a file of " + damaged.length + ": " + what);
            } catch (IOException io) {
                throw new java.io.UncheckedIOException(io);
            }
        });
    }

    @Test
    void everyTruncationFailsWithTheFileAndOffset() throws IOException {
        byte[] bytes = smallCnn();
        Path f = dir.resolve("cut.onnx");
        for (int n = 0; n < bytes.length; n++) {
            Files.write(f, Arrays.copyOf(bytes, n));
            try {
                OnnxModel.read(f);
                fail("a file cut to " + n + " of " + bytes.length + " bytes loaded");
            } catch (FileFormatException | OnnxException expected) {
                assertTrue(expected.getMessage().startsWith(f.toString()), expected.getMessage());
            }
        }
    }

    /**
     * Amplification: files of nothing but the smallest messages (empty nodes, empty attributes, empty dims) allocate a
     * bounded multiple of their size while being read (a real model's bytes are mostly tensor data, read at about 1 byte per byte).
     */
    @Test
    void manyTinyMessagesCostABoundedMultipleOfTheFileSize() {
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        int count = 200_000;
        ProtoWriter emptyNodes = new ProtoWriter(), tinyNodes = new ProtoWriter(), manyAttrs = new ProtoWriter(), manyDims = new ProtoWriter();
        ProtoWriter tinyInits = new ProtoWriter(), tinyInputs = new ProtoWriter(), graphAttrs = new ProtoWriter();
        for (int k = 0; k < count; k++) {
            emptyNodes.message(1, new ProtoWriter());
            tinyNodes.message(1, new ProtoWriter().string(4, "R"));
            manyAttrs.message(5, new ProtoWriter().string(1, Integer.toString(k, 36)));
            manyDims.message(1, new ProtoWriter());
            tinyInits.message(5, new ProtoWriter().varint(1, 0).varint(2, 1).string(8, Integer.toString(k, 36)));
            tinyInputs.message(11, new ProtoWriter().string(1, "i"));
            graphAttrs.message(5, new ProtoWriter().string(1, Integer.toString(k, 36)).varint(20, 5).message(6, new ProtoWriter()));
        }
        List<byte[]> files = List.of(
                new ProtoWriter().message(7, emptyNodes).toByteArray(),
                new ProtoWriter().message(7, tinyNodes).toByteArray(),
                new ProtoWriter().message(7, tinyInits).toByteArray(),
                new ProtoWriter().message(7, tinyInputs).toByteArray(),
                new ProtoWriter().message(7, new ProtoWriter().message(1, manyAttrs)).toByteArray(),
                new ProtoWriter().message(7, new ProtoWriter().message(1, graphAttrs.string(4, "If"))).toByteArray(),
                new ProtoWriter().message(7, new ProtoWriter().message(11, new ProtoWriter().message(2, new ProtoWriter().message(1,
                        new ProtoWriter().message(2, manyDims))))).toByteArray());
        for (byte[] file : files) {
            long before = mx.getCurrentThreadAllocatedBytes();
            try {
                OnnxFile.read(Path.of("tiny.onnx"), file);
            } catch (FileFormatException expected) {
                // refusing is fine too
            }
            long allocated = mx.getCurrentThreadAllocatedBytes() - before;
            // Measured (JDK 25): empty nodes, attributes and dims are refused or cost under 10 bytes per byte; nodes of one
            // letter about 47; initializers of one letter and no data about 70 (each is a Tensor).
            assertTrue(allocated < 96L * file.length + (4 << 20), "allocated " + allocated + " bytes for a file of " + file.length);
        }
    }
}
