package dev.descent.onnx;

import static dev.descent.onnx.OnnxWriter.attrInt;
import static dev.descent.onnx.OnnxWriter.attrInts;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Shape computations evaluated once at load when the input shapes are fixed, and never from what can change. */
class ShapeFoldingTest {
    @TempDir
    Path dir;

    private Path write(byte[] bytes) throws Exception {
        Path f = dir.resolve("m" + System.nanoTime() + ".onnx");
        Files.write(f, bytes);
        return f;
    }

    /** y = relu(reshape(x, [x.shape[0], -1])) through Shape → Gather → Unsqueeze → Concat → Reshape, x declared with these dims. */
    private static OnnxWriter.Graph flattenByShape(long... dims) {
        return new OnnxWriter.Graph().init("zero", Tensor.of(new long[] {0}, 1).reshape()).init("axes", Tensor.of(new long[] {0}, 1))
                .init("rest", Tensor.of(new long[] {-1}, 1))
                .input("x", dims).output("y").output("target")
                .node("Shape", "shape", List.of("x"), List.of("s"))
                .node("Gather", "gather", List.of("s", "zero"), List.of("n"), attrInt("axis", 0))
                .node("Unsqueeze", "unsqueeze", List.of("n", "axes"), List.of("n1"))
                .node("Concat", "concat", List.of("n1", "rest"), List.of("target"), attrInt("axis", 0))
                .node("Reshape", "reshape", List.of("x", "target"), List.of("r"))
                .node("Relu", "relu", List.of("r"), List.of("y"));
    }

    private static void same(Tensor expected, Tensor actual) {
        assertArrayEquals(expected.shape(), actual.shape());
        assertArrayEquals(expected.contiguous().toDoubleArray(), actual.contiguous().toDoubleArray());
    }

    @Test
    void aStaticInputShapeFoldsShapeGatherConcatAndReshapeRunsAlone() throws Exception {
        Tensor x = Tensor.randn(new SplittableRandom(1), 2, 3, 4);
        OnnxModel folded = OnnxModel.read(write(flattenByShape(2, 3, 4).model(13)));
        OnnxModel unfolded = OnnxModel.read(write(flattenByShape(-1, 3, 4).model(13)));
        assertEquals(4, folded.foldedNodeCount(), "Shape, Gather, Unsqueeze, Concat");
        assertEquals(2, folded.runtimeNodeCount(), "Reshape and Relu");
        assertEquals(0, unfolded.foldedNodeCount(), "the batch dim 'N' is not known at load");
        assertEquals(6, unfolded.runtimeNodeCount());
        Map<String, Tensor> a = folded.run(Map.of("x", x)), b = unfolded.run(Map.of("x", x));
        same(x.reshape(2, 12).relu(), a.get("y"));
        same(b.get("y"), a.get("y"));
        assertArrayEquals(new long[] {2, -1}, a.get("target").toLongArray(), "a folded value that is a graph output is returned");
        same(b.get("target"), a.get("target"));
        // The integer initializers folded from cannot be replaced at run time (replacing them would not reach the folded nodes).
        String e = assertThrows(IllegalArgumentException.class, () -> folded.run(Map.of("x", x, "rest", Tensor.of(new long[] {12}, 1)))).getMessage();
        assertTrue(e.contains("'rest'") && e.contains("folded"), e);
    }

    @Test
    void aBatchDynamicInputIsNotFoldedAndRunsWithAnyBatch() throws Exception {
        OnnxModel m = OnnxModel.read(write(flattenByShape(-1, 3, 4).model(13)));
        for (int batch : new int[] {1, 2, 5}) {
            Tensor x = Tensor.randn(new SplittableRandom(batch), batch, 3, 4);
            same(x.reshape(batch, 12).relu(), m.run(Map.of("x", x)).get("y"));
        }
    }

    @Test
    void givenShapesFoldAndRefuseOtherShapesWhileADeclaredShapeFallsBackToEveryNode() throws Exception {
        Path f = write(flattenByShape(-1, 3, 4).model(13));
        OnnxModel m = OnnxModel.read(f, Map.of("x", new int[] {5, 3, 4}));
        assertEquals(4, m.foldedNodeCount());
        Tensor x = Tensor.randn(new SplittableRandom(2), 5, 3, 4);
        same(x.reshape(5, 12).relu(), m.run(Map.of("x", x)).get("y"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.run(Map.of("x", Tensor.zeros(2, 3, 4))));
        assertTrue(e.getMessage().contains("[2,3,4]") && e.getMessage().contains("[5,3,4]") && e.getMessage().contains("'x'"), e.getMessage());
        // A file declaring a static shape folds for it, and runs every node for another shape (as read(path) always did).
        OnnxModel declared = OnnxModel.read(write(flattenByShape(2, 3, 4).model(13)));
        assertEquals(4, declared.foldedNodeCount());
        Tensor other = Tensor.randn(new SplittableRandom(3), 3, 3, 4);
        Map<String, Tensor> out = declared.run(Map.of("x", other));
        same(other.reshape(3, 12).relu(), out.get("y"));
        assertArrayEquals(new long[] {3, -1}, out.get("target").toLongArray());
        // Shapes given at load must name inputs and fit what the file declares.
        String bad = assertThrows(IllegalArgumentException.class, () -> OnnxModel.read(f, Map.of("z", new int[] {1}))).getMessage();
        assertTrue(bad.contains("'z'") && bad.contains("[x]"), bad);
        String clash = assertThrows(IllegalArgumentException.class, () -> OnnxModel.read(f, Map.of("x", new int[] {5, 4, 4}))).getMessage();
        assertTrue(clash.contains("[5,4,4]") && clash.contains("[N,3,4]"), clash);
    }

    @Test
    void theShapeOfAnIntermediateValueFoldsWhenItFollowsFromKnownShapes() throws Exception {
        // t = transpose(x) [4, 3, N]; y = reshape(t, [t.shape[2], -1]): Shape(t) folds once t's shape is known.
        OnnxWriter.Graph g = new OnnxWriter.Graph().init("two", Tensor.of(new long[] {2}, 1)).init("rest", Tensor.of(new long[] {-1}, 1))
                .input("x", -1, 3, 4).output("y")
                .node("Transpose", "t", List.of("x"), List.of("t"), attrInts("perm", 2, 1, 0))
                .node("Exp", "e", List.of("t"), List.of("te"))
                .node("Shape", "shape", List.of("te"), List.of("s"))
                .node("Gather", "gather", List.of("s", "two"), List.of("n"), attrInt("axis", 0))
                .node("Concat", "concat", List.of("n", "rest"), List.of("target"), attrInt("axis", 0))
                .node("Reshape", "reshape", List.of("te", "target"), List.of("y"));
        Path f = write(g.model(13));
        OnnxModel free = OnnxModel.read(f), fixed = OnnxModel.read(f, Map.of("x", new int[] {6, 3, 4}));
        assertEquals(0, free.foldedNodeCount());
        assertEquals(3, fixed.foldedNodeCount(), "Shape, Gather, Concat");
        assertEquals(3, fixed.runtimeNodeCount(), "Transpose, Exp, Reshape");
        Tensor x = Tensor.randn(new SplittableRandom(3), 6, 3, 4);
        Tensor expected = x.permute(2, 1, 0).exp().reshape(6, 12);
        same(expected, fixed.forward(x));
        same(expected, free.forward(x));
    }

    @Test
    void aHugeShapeDeclaredInTheFileDoesNotMakeLoadAllocateIt() throws Exception {
        // Shape(Exp(x)) needs Exp's output shape, found by running Exp on zeros of x's shape: not for the 1.4·10^8 elements a file claims.
        OnnxWriter.Graph g = new OnnxWriter.Graph().input("x", 12_000, 12_000).output("s")
                .node("Exp", "e", List.of("x"), List.of("ex"))
                .node("Shape", "shape", List.of("ex"), List.of("s"));
        var mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long before = mx.getCurrentThreadAllocatedBytes();
        OnnxModel m = OnnxModel.read(write(g.model(13)));
        long allocated = mx.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < 64L << 20, "allocated " + allocated + " bytes");
        assertEquals(0, m.foldedNodeCount());
        assertArrayEquals(new long[] {2, 3}, m.forward(Tensor.zeros(2, 3)).toLongArray());
    }

    @Test
    void nothingFoldsFromAValueThatDependsOnAnInputsValues() throws Exception {
        // r = reshape(x, shapeInput): its shape depends on the values of the input "spec", so Shape(r) stays.
        OnnxWriter.Graph g = new OnnxWriter.Graph().init("zero", Tensor.of(new long[] {0}, 1))
                .input("x", 4, 6).input("spec", 2).output("y")
                .node("Reshape", "reshape", List.of("x", "spec"), List.of("r"))
                .node("Shape", "shape", List.of("r"), List.of("s"))
                .node("Gather", "gather", List.of("s", "zero"), List.of("n"), attrInt("axis", 0))
                .node("Cast", "cast", List.of("n"), List.of("nf"), attrInt("to", OnnxFile.FLOAT))
                .node("Mul", "mul", List.of("r", "nf"), List.of("y"));
        OnnxModel m = OnnxModel.read(write(g.model(13)));
        assertEquals(0, m.foldedNodeCount());
        Tensor x = Tensor.randn(new SplittableRandom(4), 4, 6);
        for (long[] spec : new long[][] {{2, 12}, {8, 3}}) {
            Tensor y = m.run(Map.of("x", x, "spec", Tensor.of(spec, 2))).get("y");
            same(x.reshape((int) spec[0], (int) spec[1]).mul((double) spec[0]), y);
        }
    }

    @Test
    void parametersAndInitializersAnInputMayReplaceAreNeverFolded() throws Exception {
        SplittableRandom rng = new SplittableRandom(5);
        Tensor w = Tensor.randn(rng, 3, 4);
        // wt = transpose(w) of a float parameter stays a run-time node, so the gradient reaches w; "k" is an integer
        // initializer also listed as an input, so the caller may replace it: Add(k, k) is not folded either.
        OnnxWriter.Graph g = new OnnxWriter.Graph().init("w", w).init("k", Tensor.of(new long[] {1, 2}, 2))
                .input("x", 2, 3).input("k", 2).output("y").output("kk")
                .node("Transpose", "t", List.of("w"), List.of("wt"))
                .node("MatMul", "mm", List.of("x", "w"), List.of("y"))
                .node("Add", "add", List.of("k", "k"), List.of("kk"));
        OnnxModel m = OnnxModel.read(write(g.model(13)));
        assertEquals(0, m.foldedNodeCount());
        Tensor x = Tensor.randn(rng, 2, 3);
        Map<String, Tensor> out = m.run(Map.of("x", x, "k", Tensor.of(new long[] {5, 7}, 2)));
        assertArrayEquals(new long[] {10, 14}, out.get("kk").toLongArray());
        out.get("y").sum().backward();
        assertNotNull(m.namedParameters().get("w").grad());
    }

    @Test
    void constantsAndShapeArithmeticFoldWithoutAnyInputShape() throws Exception {
        // ConstantOfShape(Concat(Constant [2], Constant [3])) + x: the constant part folds even with x free.
        OnnxWriter.Graph g = new OnnxWriter.Graph().input("x", -1, 3).output("y")
                .node("Constant", "c1", List.of(), List.of("a"), OnnxWriter.attrTensor("value", Tensor.of(new long[] {2}, 1)))
                .node("Constant", "c2", List.of(), List.of("b"), OnnxWriter.attrTensor("value", Tensor.of(new long[] {3}, 1)))
                .node("Concat", "cat", List.of("a", "b"), List.of("s"), attrInt("axis", 0))
                .node("ConstantOfShape", "fill", List.of("s"), List.of("ones"), OnnxWriter.attrTensor("value", Tensor.of(new float[] {1.5f}, 1)))
                .node("Add", "add", List.of("x", "ones"), List.of("y"));
        OnnxModel m = OnnxModel.read(write(g.model(13)));
        assertEquals(4, m.foldedNodeCount());
        assertEquals(1, m.runtimeNodeCount());
        Tensor x = Tensor.randn(new SplittableRandom(6), 2, 3);
        same(x.add(1.5), m.forward(x));
        assertEquals(DType.FLOAT32, m.forward(x).dtype());
    }
}
