package dev.descent.onnx;

import static dev.descent.onnx.OnnxWriter.attrInt;
import static dev.descent.onnx.OnnxWriter.attrInts;
import static dev.descent.onnx.OnnxWriter.attrString;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.GradMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The inference shortcuts that matter most at batch 1 (BlazeFace, M-LSD): Conv → Add [→ Relu] with the residual in
 * place (also through a zero-padding channel Concat), Pad → Conv with the padding read by the convolution, and linear
 * Resize in one kernel. Each runs without gradients and is checked against the original ops (which run with gradients
 * on: the same values, bit for bit where the shortcut does the same float32 operations) and against a float64 loop
 * written from the ops' definitions.
 */
class BatchOneShortcutsTest {
    @TempDir
    Path dir;

    private static OnnxModel load(byte[] bytes) throws Exception {
        return OnnxModel.read("m.onnx", bytes);
    }

    /** b + Σ x·w over a k×k window (groups 1 or depthwise), strides s, paddings [top, left, bottom, right], in float64. */
    private static double[] conv(Tensor x, Tensor w, Tensor b, int groups, int s, int[] pads) {
        int n = x.size(0), ci = x.size(1), h = x.size(2), wd = x.size(3), co = w.size(0), k = w.size(2), cig = ci / groups, cog = co / groups;
        int ho = (h + pads[0] + pads[2] - k) / s + 1, wo = (wd + pads[1] + pads[3] - k) / s + 1;
        double[] out = new double[n * co * ho * wo];
        for (int a = 0; a < n; a++) for (int o = 0; o < co; o++) for (int i = 0; i < ho; i++) for (int j = 0; j < wo; j++) {
            double sum = b == null ? 0 : b.get(o);
            int g = o / cog;
            for (int c = 0; c < cig; c++) for (int u = 0; u < k; u++) for (int v = 0; v < k; v++) {
                int r = i * s - pads[0] + u, q = j * s - pads[1] + v;
                if (r >= 0 && q >= 0 && r < h && q < wd) sum += (double) x.get(a, g * cig + c, r, q) * w.get(o, c, u, v);
            }
            out[((a * co + o) * ho + i) * wo + j] = sum;
        }
        return out;
    }

    private static void close(double[] expect, Tensor y, String what) {
        double[] a = y.to(DType.FLOAT64).contiguous().toDoubleArray();
        assertEquals(expect.length, a.length, what);
        for (int i = 0; i < a.length; i++) assertEquals(expect[i], a[i], 2e-5 * (1 + Math.abs(expect[i])), what + ", element " + i);
    }

    @Test
    void aResidualAddAndReluRunInTheConvolutionsStepWithTheSeparateOpsBits() throws Exception {
        SplittableRandom rng = new SplittableRandom(61);
        for (boolean relu : new boolean[] {true, false}) {
            for (boolean padded : new boolean[] {false, true}) {
                for (boolean convFirst : new boolean[] {true, false}) {
                    String what = (padded ? "Concat(r, zeros)" : "r") + (relu ? ", Relu" : "") + (convFirst ? ", Add(conv, r)" : ", Add(r, conv)");
                    int ci = 6, co = 8, cr = padded ? 5 : co;
                    Tensor w = Tensor.randn(rng, co, ci, 3, 3).to(DType.FLOAT32), b = Tensor.randn(rng, co).to(DType.FLOAT32);
                    OnnxWriter.Graph g = new OnnxWriter.Graph().init("w", w).init("b", b).input("x", 2, ci, 5, 7).input("r", 2, cr, 5, 7)
                            .output("y", 2, co, 5, 7);
                    g.node("Conv", "conv", List.of("x", "w", "b"), List.of("c"), attrInts("kernel_shape", 3, 3), attrInts("pads", 1, 1, 1, 1));
                    String res = "r";
                    if (padded) { // BlazeFace's shortcut: the residual widened by zero channels (tf2onnx: ConstantOfShape, Concat)
                        g.init("zshape", Tensor.of(new long[] {2, co - cr, 5, 7}, 4));
                        g.node("ConstantOfShape", "zeros", List.of("zshape"), List.of("z"));
                        g.node("Concat", "cat", List.of("r", "z"), List.of("rz"), attrInt("axis", 1));
                        res = "rz";
                    }
                    g.node("Add", "add", convFirst ? List.of("c", res) : List.of(res, "c"), List.of(relu ? "s" : "y"));
                    if (relu) g.node("Relu", "relu", List.of("s"), List.of("y"));
                    OnnxModel m = load(g.model(13));
                    assertEquals(1, m.stepCount(), what + ": one step");
                    Tensor x = Tensor.randn(rng, 2, ci, 5, 7).to(DType.FLOAT32), r = Tensor.randn(rng, 2, cr, 5, 7).mul(2).to(DType.FLOAT32);
                    double[] expect = conv(x, w, b, 1, 1, new int[] {1, 1, 1, 1});
                    for (int i = 0; i < expect.length; i++) {
                        int c = (i / 35) % co, a = i / (35 * co);
                        double v = expect[i] + (c < cr ? r.get(a, c, (i % 35) / 7, i % 7) : 0);
                        expect[i] = relu ? Math.max(v, 0) : v;
                    }
                    Tensor fused;
                    try (var ng = GradMode.noGrad()) {
                        fused = m.run(java.util.Map.of("x", x, "r", r)).get("y");
                    }
                    close(expect, fused, what + ", no grad");
                    Tensor y = m.run(java.util.Map.of("x", x, "r", r)).get("y");
                    // with gradients: the Conv, Concat, Add and Relu ops; the same convolution kernel, so the same bits
                    assertArrayEquals(y.detach().toFloatArray(), fused.toFloatArray(), what + ": the separate ops' bits");
                    y.sum().backward();
                    assertNotNull(m.namedParameters().get("w").grad(), what + ": the weight gets a gradient");
                }
            }
        }
    }

    @Test
    void runsWithoutGradientsRecycleIntermediatesButNeverTheOutputs() throws Exception {
        SplittableRandom rng = new SplittableRandom(66);
        Tensor w = Tensor.randn(rng, 8, 6, 3, 3).to(DType.FLOAT32), b = Tensor.randn(rng, 8).to(DType.FLOAT32);
        OnnxWriter.Graph g = new OnnxWriter.Graph().init("w", w).init("b", b).input("x", 1, 6, 20, 40).output("y", 1, 8, 20, 40).output("m", 1, 8, 20, 40);
        g.node("Conv", "conv", List.of("x", "w", "b"), List.of("c"), attrInts("kernel_shape", 3, 3), attrInts("pads", 1, 1, 1, 1));
        g.node("Relu", "relu", List.of("c"), List.of("r"));
        g.node("Sigmoid", "sig", List.of("r"), List.of("m"));
        g.node("Mul", "mul", List.of("r", "m"), List.of("y"));
        OnnxModel m = load(g.model(13));
        Tensor[] xs = new Tensor[4], ys = new Tensor[4], ms = new Tensor[4];
        float[][] firstSeen = new float[4][];
        for (int k = 0; k < 4; k++) {
            xs[k] = Tensor.randn(rng, 1, 6, 20, 40).to(DType.FLOAT32);
            try (var ng = GradMode.noGrad()) {
                var out = m.run(java.util.Map.of("x", xs[k]));
                ys[k] = out.get("y");
                ms[k] = out.get("m");
            }
            firstSeen[k] = ys[k].toFloatArray();
        }
        for (int k = 0; k < 4; k++) {
            // the outputs stay as they were returned while later runs reuse the intermediates' arrays
            assertArrayEquals(firstSeen[k], ys[k].toFloatArray(), "run " + k + " output y after later runs");
            // and equal the run with gradients on (no recycling; the same kernels)
            var ref = m.run(java.util.Map.of("x", xs[k]));
            assertArrayEquals(ref.get("y").detach().toFloatArray(), ys[k].toFloatArray(), "run " + k + " y");
            assertArrayEquals(ref.get("m").detach().toFloatArray(), ms[k].toFloatArray(), "run " + k + " m");
        }
    }

    /** y = a chain of v(k+1) = v(k) · reshape(sigmoid(reshape(v(k)))) after a convolution of x [n, 4, 50, 60]. */
    private static OnnxModel chain(SplittableRandom rng, int n, int links) throws Exception {
        Tensor w = Tensor.randn(rng, 4, 4, 3, 3).to(DType.FLOAT32);
        OnnxWriter.Graph g = new OnnxWriter.Graph().init("w", w).input("x", -1, 4, 50, 60).output("y", -1, 4, 50, 60);
        g.node("Conv", "conv", List.of("x", "w"), List.of("v0"), attrInts("kernel_shape", 3, 3), attrInts("pads", 1, 1, 1, 1));
        for (int k = 0; k < links; k++) { // at most three values of the size alive at once: the reshapes are views
            g.init("shape" + k, Tensor.of(new long[] {n, 4 * 50 * 60}, 2));
            g.init("back" + k, Tensor.of(new long[] {n, 4, 50, 60}, 4));
            g.node("Reshape", "flat" + k, List.of("v" + k, "shape" + k), List.of("f" + k));
            g.node("Sigmoid", "sig" + k, List.of("f" + k), List.of("s" + k));
            g.node("Reshape", "unflat" + k, List.of("s" + k, "back" + k), List.of("u" + k));
            g.node("Mul", "mul" + k, List.of("v" + k, "u" + k), List.of(k == links - 1 ? "y" : "v" + (k + 1)));
        }
        return load(g.model(13));
    }

    @Test
    void eachIntermediateIsGivenBackAfterItsLastReaderSoARunHoldsOnlyWhatIsLiveAtOnce() throws Exception {
        SplittableRandom rng = new SplittableRandom(67);
        int n = 2, plane = 4 * 50 * 60, chain = 8;
        OnnxModel m = chain(rng, n, chain);
        int runs = 4;
        Tensor[] xs = new Tensor[runs], ys = new Tensor[runs];
        float[][] firstSeen = new float[runs][];
        for (int k = 0; k < runs; k++) {
            xs[k] = Tensor.randn(rng, n, 4, 50, 60).to(DType.FLOAT32);
            try (var ng = GradMode.noGrad()) {
                ys[k] = m.run(java.util.Map.of("x", xs[k])).get("y");
            }
            firstSeen[k] = ys[k].toFloatArray();
            if (k == 0) assertTrue(m.reusedElementsOnThisThread() >= (long) (2 * chain - 3) * n * plane, "the first run reuses its own dead arrays: " + m.reusedElementsOnThisThread());
        }
        // the conv output, a sigmoid and a product alive at once (the reshapes are views); the output is the caller's
        assertTrue(m.heldElementsOnThisThread() <= 3L * n * plane, "held between runs: " + m.heldElementsOnThisThread() + " elements");
        for (int k = 0; k < runs; k++) {
            assertArrayEquals(firstSeen[k], ys[k].toFloatArray(), "run " + k + " output after later runs");
            assertArrayEquals(m.run(java.util.Map.of("x", xs[k])).get("y").detach().toFloatArray(), ys[k].toFloatArray(), "run " + k + " against gradients on");
        }
    }

    @Test
    void threadsRecyclingAtOnceGiveTheSingleThreadedResults() throws Exception {
        SplittableRandom rng = new SplittableRandom(69);
        OnnxModel m = chain(rng, 2, 4);
        Tensor[] xs = new Tensor[6];
        float[][] expect = new float[6][];
        for (int k = 0; k < xs.length; k++) {
            xs[k] = Tensor.randn(rng, 2, 4, 50, 60).to(DType.FLOAT32);
            expect[k] = m.run(java.util.Map.of("x", xs[k])).get("y").detach().toFloatArray(); // gradients on: nothing recycled
        }
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(3)) {
            List<java.util.concurrent.Future<Boolean>> same = new java.util.ArrayList<>();
            for (int rep = 0; rep < 20; rep++) {
                for (int k = 0; k < xs.length; k++) {
                    int j = k;
                    same.add(pool.submit(() -> {
                        try (var ng = GradMode.noGrad()) {
                            Tensor y = m.run(java.util.Map.of("x", xs[j])).get("y");
                            Thread.yield(); // let another thread's run reuse arrays before this output is read
                            return java.util.Arrays.equals(expect[j], y.toFloatArray());
                        }
                    }));
                }
            }
            for (var f : same) assertTrue(f.get());
        }
    }

    @Test
    void overTheBudgetOfAllThreadsARunGivesItsArraysUpAndTheNextStartsAfresh() throws Exception {
        SplittableRandom rng = new SplittableRandom(68);
        OnnxModel m = chain(rng, 2, 4);
        long saved = RunWorkspaces.budget;
        try {
            RunWorkspaces.budget = 0;
            for (int k = 0; k < 2; k++) {
                Tensor x = Tensor.randn(rng, 2, 4, 50, 60).to(DType.FLOAT32), y;
                try (var ng = GradMode.noGrad()) {
                    y = m.run(java.util.Map.of("x", x)).get("y");
                }
                assertEquals(0, m.heldElementsOnThisThread(), "run " + k + ": the workspace was given up (a new one holds nothing)");
                assertEquals(0, m.reusedElementsOnThisThread(), "run " + k);
                assertArrayEquals(m.run(java.util.Map.of("x", x)).get("y").detach().toFloatArray(), y.toFloatArray(), "run " + k + " against gradients on");
            }
            RunWorkspaces.budget = Long.MAX_VALUE;
            try (var ng = GradMode.noGrad()) {
                m.run(java.util.Map.of("x", Tensor.randn(rng, 2, 4, 50, 60).to(DType.FLOAT32)));
            }
            assertTrue(m.heldElementsOnThisThread() > 0, "within the budget the arrays are kept for the next run");
            assertTrue(RunWorkspaces.held() >= m.heldElementsOnThisThread(), "and counted");
        } finally {
            RunWorkspaces.budget = saved;
        }
    }

    @Test
    void aResidualThatIsNotZeroPaddingRunsTheSeparateOps() throws Exception {
        SplittableRandom rng = new SplittableRandom(62);
        Tensor w = Tensor.randn(rng, 4, 3, 3, 3).to(DType.FLOAT32);
        OnnxWriter.Graph g = new OnnxWriter.Graph().init("w", w).init("ones", Tensor.ones(1, 1, 5, 7)).input("x", 1, 3, 5, 7).input("r", 1, 3, 5, 7)
                .output("y", 1, 4, 5, 7);
        g.node("Conv", "conv", List.of("x", "w"), List.of("c"), attrInts("kernel_shape", 3, 3), attrInts("pads", 1, 1, 1, 1));
        g.node("Concat", "cat", List.of("r", "ones"), List.of("rz"), attrInt("axis", 1));
        g.node("Add", "add", List.of("c", "rz"), List.of("s"));
        g.node("Relu", "relu", List.of("s"), List.of("y"));
        OnnxModel m = load(g.model(13));
        Tensor x = Tensor.randn(rng, 1, 3, 5, 7).to(DType.FLOAT32), r = Tensor.randn(rng, 1, 3, 5, 7).to(DType.FLOAT32);
        double[] expect = conv(x, w, null, 1, 1, new int[] {1, 1, 1, 1});
        for (int i = 0; i < expect.length; i++) expect[i] = Math.max(expect[i] + (i / 35 < 3 ? r.get(0, i / 35, (i % 35) / 7, i % 7) : 1), 0);
        try (var ng = GradMode.noGrad()) {
            close(expect, m.run(java.util.Map.of("x", x, "r", r)).get("y"), "a Concat with ones");
        }
    }

    @Test
    void aPadBeforeAConvolutionIsReadByTheConvolution() throws Exception {
        SplittableRandom rng = new SplittableRandom(63);
        // tf2onnx's stride-2 "SAME": one zero row below and one column right; also other pads and a full convolution
        int[][] padsList = {{0, 0, 1, 1}, {1, 2, 0, 1}, {2, 2, 2, 2}};
        for (int[] p : padsList) {
            for (int groups : new int[] {6, 1}) {
                for (int stride : new int[] {2, 1}) {
                    String what = "pads " + java.util.Arrays.toString(p) + ", groups " + groups + ", stride " + stride;
                    Tensor w = Tensor.randn(rng, 6, 6 / groups, 3, 3).to(DType.FLOAT32), b = Tensor.randn(rng, 6).to(DType.FLOAT32);
                    OnnxWriter.Graph g = new OnnxWriter.Graph().init("w", w).init("b", b).init("pads", Tensor.of(new long[] {0, 0, p[0], p[1], 0, 0, p[2], p[3]}, 8))
                            .input("x", 1, 6, 9, 20).output("y");
                    g.node("Pad", "pad", List.of("x", "pads"), List.of("xp"), attrString("mode", "constant"));
                    g.node("Conv", "conv", List.of("xp", "w", "b"), List.of("c"), attrInts("kernel_shape", 3, 3), attrInts("strides", stride, stride),
                            attrInt("group", groups), attrInts("pads", 0, 1, 0, 1));
                    g.node("Relu", "relu", List.of("c"), List.of("y"));
                    OnnxModel m = load(g.model(13));
                    assertEquals(1, m.stepCount(), what + ": one step");
                    Tensor x = Tensor.randn(rng, 1, 6, 9, 20).to(DType.FLOAT32);
                    double[] expect = conv(x, w, b, groups, stride, new int[] {p[0], p[1] + 1, p[2], p[3] + 1});
                    for (int i = 0; i < expect.length; i++) expect[i] = Math.max(expect[i], 0);
                    try (var ng = GradMode.noGrad()) {
                        close(expect, m.forward(x), what + ", no grad");
                    }
                    Tensor y = m.forward(x);
                    close(expect, y, what + ", with gradients");
                    y.sum().backward();
                    assertNotNull(m.namedParameters().get("w").grad(), what);
                }
            }
        }
    }

    @Test
    void aPadThatIsNotZeroRunsThePad() throws Exception {
        SplittableRandom rng = new SplittableRandom(64);
        Tensor w = Tensor.randn(rng, 2, 1, 3, 3).to(DType.FLOAT32);
        OnnxWriter.Graph g = new OnnxWriter.Graph().init("w", w).init("pads", Tensor.of(new long[] {0, 0, 1, 1, 0, 0, 1, 1}, 8))
                .init("v", Tensor.of(1.5f)).input("x", 1, 2, 6, 6).output("y");
        g.node("Pad", "pad", List.of("x", "pads", "v"), List.of("xp"));
        g.node("Conv", "conv", List.of("xp", "w"), List.of("y"), attrInts("kernel_shape", 3, 3), attrInt("group", 2));
        OnnxModel m = load(g.model(13));
        Tensor x = Tensor.randn(rng, 1, 2, 6, 6).to(DType.FLOAT32);
        Tensor xp = Tensor.full(1.5, DType.FLOAT32, 1, 2, 8, 8);
        for (int c = 0; c < 2; c++) for (int i = 0; i < 6; i++) for (int j = 0; j < 6; j++) xp.set(x.get(0, c, i, j), 0, c, i + 1, j + 1);
        try (var ng = GradMode.noGrad()) {
            close(conv(xp, w, null, 2, 1, new int[4]), m.forward(x), "padding with 1.5");
        }
    }

    @Test
    void theOneKernelLinearResizeComputesWhatThePerAxisOpsCompute() throws Exception {
        SplittableRandom rng = new SplittableRandom(65);
        float[][] scales = {{1, 1, 2, 2}, {1, 1, 2, 1.5f}, {1, 1, 0.5f, 3}, {1, 1, 1, 2}, {1, 1, 3, 1}};
        for (String mode : new String[] {"half_pixel", "asymmetric", "align_corners", "pytorch_half_pixel"}) {
            for (float[] sc : scales) for (int wd : new int[] {5, 21}) { // 21: output rows of whole vectors and a tail
                String what = mode + " " + java.util.Arrays.toString(sc) + " width " + wd;
                Path f = dir.resolve("r.onnx");
                Files.write(f, new OnnxWriter.Graph().init("roi", Tensor.of(new float[0], 0)).init("scales", Tensor.of(sc, 4)).input("x").output("y")
                        .node("Resize", "r", List.of("x", "roi", "scales"), List.of("y"), attrString("mode", "linear"),
                                attrString("coordinate_transformation_mode", mode)).model(13));
                OnnxModel m = OnnxModel.read(f);
                Tensor x = Tensor.randn(rng, 2, 3, 6, wd).to(DType.FLOAT32);
                Tensor direct;
                try (var ng = GradMode.noGrad()) {
                    direct = m.forward(x);
                }
                Tensor ops = m.forward(x.detach().clone().requiresGrad(true)).detach();
                assertArrayEquals(ops.shape(), direct.shape(), what);
                assertArrayEquals(ops.toFloatArray(), direct.toFloatArray(), what);
                // and the definition, in float64: separable interpolation between the two nearest rows and columns
                int ho = direct.size(2), wo = direct.size(3);
                for (int a = 0; a < 2; a++) for (int c = 0; c < 3; c++) for (int i = 0; i < ho; i++) for (int j = 0; j < wo; j++) {
                    double si = Math.clamp(Resampling.source(mode, i, sc[2], 6, ho, 6 * sc[2]), 0, 5), sj = Math.clamp(Resampling.source(mode, j, sc[3], wd, wo, wd * sc[3]), 0, wd - 1);
                    int i0 = (int) si, j0 = (int) sj, i1 = Math.min(i0 + 1, 5), j1 = Math.min(j0 + 1, wd - 1);
                    double ti = si - i0, tj = sj - j0;
                    double v = (1 - ti) * ((1 - tj) * x.get(a, c, i0, j0) + tj * x.get(a, c, i0, j1)) + ti * ((1 - tj) * x.get(a, c, i1, j0) + tj * x.get(a, c, i1, j1));
                    assertEquals(v, direct.get(a, c, i, j), 1e-5 * (1 + Math.abs(v)), what + " at " + i + ", " + j);
                }
            }
        }
    }
    @Test
    void inferenceMaxPoolGivesTheOpsValuesWithNansInfinitiesAndPadding() throws Exception {
        SplittableRandom rng = new SplittableRandom(66);
        // kernel, strides, pads (top, left, bottom, right), ceil mode
        long[][] cases = {{3, 3, 1, 1, 1, 1, 1, 1, 0}, {3, 3, 1, 1, 0, 0, 0, 0, 0}, {2, 2, 2, 2, 0, 0, 0, 0, 0}, {3, 3, 2, 2, 1, 1, 1, 1, 0},
                {3, 2, 1, 1, 0, 1, 2, 0, 0}, {3, 3, 2, 2, 0, 0, 0, 0, 1}, {5, 5, 1, 1, 2, 2, 2, 2, 0}};
        for (long[] k : cases) for (int wd : new int[] {7, 37}) {
            String what = java.util.Arrays.toString(k) + " width " + wd;
            Path f = dir.resolve("p.onnx");
            Files.write(f, new OnnxWriter.Graph().input("x").output("y")
                    .node("MaxPool", "p", List.of("x"), List.of("y"), attrInts("kernel_shape", k[0], k[1]), attrInts("strides", k[2], k[3]),
                            attrInts("pads", k[4], k[5], k[6], k[7]), attrInt("ceil_mode", k[8]))
                    .model(13));
            OnnxModel m = OnnxModel.read(f);
            float[] v = Tensor.randn(rng, 2, 3, 9, wd).to(DType.FLOAT32).toFloatArray();
            for (int i = 0; i < v.length; i += 11) v[i] = i % 3 == 0 ? Float.NaN : i % 3 == 1 ? Float.NEGATIVE_INFINITY : -0f;
            for (int i = 5; i < v.length; i += 13) v[i] = 0f;
            Tensor x = Tensor.of(v, 2, 3, 9, wd);
            Tensor direct;
            try (var ng = GradMode.noGrad()) {
                direct = m.forward(x);
            }
            Tensor ops = m.forward(x.detach().clone().requiresGrad(true)).detach();
            assertArrayEquals(ops.shape(), direct.shape(), what);
            float[] a = ops.toFloatArray(), b = direct.toFloatArray();
            for (int i = 0; i < a.length; i++) {
                assertEquals(Float.floatToIntBits(a[i]), Float.floatToIntBits(b[i]), what + " element " + i + ": " + a[i] + " vs " + b[i]);
            }
            // and the definition: the largest element of each window inside the image, NaN when one is NaN
            int ho = direct.size(2), wo = direct.size(3);
            for (int p = 0; p < 6; p++) for (int i = 0; i < ho; i++) for (int j = 0; j < wo; j++) {
                double best = Double.NEGATIVE_INFINITY;
                boolean nan = false;
                for (int u = 0; u < k[0]; u++) for (int t = 0; t < k[1]; t++) {
                    int yy = (int) (i * k[2] - k[4] + u), xx = (int) (j * k[3] - k[5] + t);
                    if (yy < 0 || yy >= 9 || xx < 0 || xx >= wd) continue;
                    float e = v[(p * 9 + yy) * wd + xx];
                    nan |= e != e;
                    best = Math.max(best, e);
                }
                float got = b[(p * ho + i) * wo + j];
                if (nan) assertEquals(Float.NaN, got, what);
                else assertEquals(best, got, 0.0, what + " at " + i + ", " + j);
            }
        }
    }
    @Test
    void inferenceBatchNormalizationIsOnePassWithTheOpsBits() throws Exception {
        SplittableRandom rng = new SplittableRandom(67);
        for (int[] shape : new int[][] {{2, 3, 5, 7}, {1, 3, 37, 5}, {4, 3}}) {
            Path f = dir.resolve("bn.onnx");
            Files.write(f, new OnnxWriter.Graph().init("gamma", Tensor.randn(rng, 3).to(DType.FLOAT32)).init("beta", Tensor.randn(rng, 3).to(DType.FLOAT32))
                    .init("mean", Tensor.randn(rng, 3).to(DType.FLOAT32)).init("var", Tensor.rand(rng, 3).add(0.5).to(DType.FLOAT32)).input("x").output("y")
                    .node("BatchNormalization", "bn", List.of("x", "gamma", "beta", "mean", "var"), List.of("y")).model(13));
            OnnxModel m = OnnxModel.read(f);
            Tensor x = Tensor.randn(rng, shape).to(DType.FLOAT32);
            Tensor direct;
            try (var ng = GradMode.noGrad()) {
                direct = m.forward(x);
            }
            Tensor ops = m.forward(x.detach().clone().requiresGrad(true)).detach();
            assertArrayEquals(ops.shape(), direct.shape());
            assertArrayEquals(ops.toFloatArray(), direct.toFloatArray(), java.util.Arrays.toString(shape));
            // and the definition, in float64
            float[] xv = x.toFloatArray(), got = direct.toFloatArray();
            int c = 3, plane = xv.length / (shape[0] * c);
            Tensor g = m.stateDict().get("gamma"), b = m.stateDict().get("beta"), mu = m.stateDict().get("mean"), v = m.stateDict().get("var");
            for (int i = 0; i < xv.length; i++) {
                int ch = (i / plane) % c;
                double want = (xv[i] - mu.get(ch)) / Math.sqrt(v.get(ch) + 1e-5) * g.get(ch) + b.get(ch);
                assertEquals(want, got[i], 1e-5 * (1 + Math.abs(want)), "element " + i);
            }
        }
    }
}
