package dev.descent.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import dev.descent.core.check.GradCheck;
import dev.descent.core.ops.Convolution;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/** The new layers against plain float64 loops written from their definitions, and their gradients. */
class LayersTest {
    static Tensor randn(SplittableRandom rng, int... shape) {
        return Tensor.randn(DType.FLOAT64, rng, shape);
    }

    static void assertEach(Tensor x, Tensor y, DoubleUnaryOperator f, String what) {
        double[] xs = x.toDoubleArray(), ys = y.toDoubleArray();
        for (int i = 0; i < xs.length; i++) {
            double want = f.applyAsDouble(xs[i]);
            assertTrue(Math.abs(want - ys[i]) <= 1e-12 * (1 + Math.abs(want)), what + "(" + xs[i] + ") = " + ys[i] + ", expected " + want);
        }
    }

    @Test
    void activationsAreTheirFormulas() {
        SplittableRandom rng = new SplittableRandom(1);
        Tensor x = randn(rng, 4, 5).mul(3);
        assertEach(x, new SiLU().forward(x), v -> v / (1 + Math.exp(-v)), "SiLU");
        assertEach(x, new LeakyReLU().forward(x), v -> v >= 0 ? v : 0.01 * v, "LeakyReLU");
        assertEach(x, new LeakyReLU(0.2).forward(x), v -> v >= 0 ? v : 0.2 * v, "LeakyReLU(0.2)");
        assertEach(x, new ELU().forward(x), v -> v > 0 ? v : Math.exp(v) - 1, "ELU");
        assertEach(x, new ELU(0.5).forward(x), v -> v > 0 ? v : 0.5 * (Math.exp(v) - 1), "ELU(0.5)");
        assertEach(x, new Softplus().forward(x), v -> Math.log1p(Math.exp(v)), "Softplus");
        assertEach(x, new Softplus(2, 3).forward(x), v -> 2 * v > 3 ? v : Math.log1p(Math.exp(2 * v)) / 2, "Softplus(2, 3)");
        assertEach(x, new Hardswish().forward(x), v -> v <= -3 ? 0 : v >= 3 ? v : v * (v + 3) / 6, "Hardswish");
        assertEach(x, new Hardsigmoid().forward(x), v -> v <= -3 ? 0 : v >= 3 ? 1 : (v + 3) / 6, "Hardsigmoid");
        Tensor big = Tensor.of(new double[] {-800, -30, 30, 800});
        assertEach(big, new Softplus().forward(big), v -> v > 20 ? v : Math.log1p(Math.exp(v)), "Softplus far out");
        for (Module m : List.of(new SiLU(), new LeakyReLU(0.1), new ELU(), new Softplus(1.5, 20), new Hardswish(), new Hardsigmoid())) {
            GradCheck.check(m.toString(), in -> m.forward(in[0]), randn(rng, 3, 4).mul(2));
        }
        assertThrows(IllegalArgumentException.class, () -> new Softplus(0, 20));
    }

    @Test
    void embeddingLooksUpRowsAndGradsOnlyUsedRows() {
        SplittableRandom rng = new SplittableRandom(2);
        Embedding emb = new Embedding(6, 3, 2, rng);
        assertEquals(0, emb.weight().select(0, 2).abs().sum().item(), "padding row starts at zero");
        try (var _ = dev.descent.core.autograd.GradMode.noGrad()) {
            emb.weight().select(0, 2).fill(0.5); // a loaded, nonzero padding row is used as is
        }
        long[] idx = {0, 2, 4, 4, 2, 1};
        Tensor out = emb.forward(Tensor.of(idx, 2, 3));
        assertArrayEquals(new int[] {2, 3, 3}, out.shape());
        for (int i = 0; i < idx.length; i++) for (int d = 0; d < 3; d++) assertEquals(emb.weight().get((int) idx[i], d), out.get(i / 3, i % 3, d));
        Tensor g = Tensor.randn(new SplittableRandom(3), 2, 3, 3);
        out.backward(g);
        Tensor grad = emb.weight().grad();
        for (int row = 0; row < 6; row++) {
            for (int d = 0; d < 3; d++) {
                double want = 0;
                if (row != 2) for (int i = 0; i < idx.length; i++) if (idx[i] == row) want += g.get(i / 3, i % 3, d);
                assertEquals(want, grad.get(row, d), 1e-6, "row " + row);
            }
        }
        assertEquals(5, new Embedding(6, 3, -1, rng).paddingIdx());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Embedding(6, 3, 6, rng));
        assertTrue(e.getMessage().contains("6"), e.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> emb.forward(Tensor.of(new long[] {6})));
        assertThrows(IllegalArgumentException.class, () -> emb.forward(Tensor.zeros(2)));
    }

    @Test
    void normalisationLayers() {
        SplittableRandom rng = new SplittableRandom(4);
        Tensor x = randn(rng, 2, 3, 4);
        RMSNorm rms = new RMSNorm(4);
        Tensor y = rms.forward(x);
        for (int a = 0; a < 2; a++) for (int b = 0; b < 3; b++) {
            double ms = 0;
            for (int c = 0; c < 4; c++) ms += x.get(a, b, c) * x.get(a, b, c) / 4;
            for (int c = 0; c < 4; c++) assertEquals(x.get(a, b, c) / Math.sqrt(ms + Math.ulp(1.0)), y.get(a, b, c), 1e-12);
        }
        assertEquals(List.of("weight"), List.copyOf(rms.stateDict().keySet()));
        assertEquals(0, new RMSNorm(new int[] {4}, 1e-3, false).stateDict().size());
        GroupNorm gn = new GroupNorm(2, 4);
        Tensor z = randn(rng, 2, 4, 3), w = gn.forward(z);
        for (int n = 0; n < 2; n++) for (int g = 0; g < 2; g++) {
            double m = 0, v = 0;
            for (int c = 2 * g; c < 2 * g + 2; c++) for (int i = 0; i < 3; i++) m += z.get(n, c, i) / 6;
            for (int c = 2 * g; c < 2 * g + 2; c++) for (int i = 0; i < 3; i++) v += Math.pow(z.get(n, c, i) - m, 2) / 6;
            for (int c = 2 * g; c < 2 * g + 2; c++) for (int i = 0; i < 3; i++) assertEquals((z.get(n, c, i) - m) / Math.sqrt(v + 1e-5), w.get(n, c, i), 1e-6);
        }
        assertEquals(List.of("weight", "bias"), List.copyOf(gn.stateDict().keySet()));
        assertThrows(IllegalArgumentException.class, () -> new GroupNorm(3, 4));
        assertThrows(IllegalArgumentException.class, () -> gn.forward(randn(rng, 2, 3, 3)));
    }

    @Test
    void conv1dIsTheDirectSum() {
        SplittableRandom rng = new SplittableRandom(5);
        int n = 2, c = 4, len = 9, o = 6, k = 3, stride = 2, pad = 1, dil = 2, groups = 2;
        Conv1d conv = new Conv1d(c, o, k, stride, pad, dil, groups, true, rng);
        Tensor x = randn(rng, n, c, len), y = conv.forward(x);
        int lo = (len + 2 * pad - dil * (k - 1) - 1) / stride + 1, cg = c / groups, og = o / groups;
        assertArrayEquals(new int[] {n, o, lo}, y.shape());
        for (int b = 0; b < n; b++) for (int oc = 0; oc < o; oc++) for (int t = 0; t < lo; t++) {
            double s = conv.bias().get(oc);
            for (int ci = 0; ci < cg; ci++) for (int j = 0; j < k; j++) {
                int pos = t * stride - pad + j * dil;
                if (pos >= 0 && pos < len) s += x.get(b, oc / og * cg + ci, pos) * conv.weight().get(oc, ci, j);
            }
            assertEquals(s, y.get(b, oc, t), 1e-6);
        }
        GradCheck.check("conv1d", in -> conv.forward(in[0]), randn(rng, 1, c, 5));
    }

    @Test
    void convTranspose2dIsTheScatterAndTheAdjointOfConv2d() {
        SplittableRandom rng = new SplittableRandom(6);
        int n = 2, cin = 4, cout = 2, h = 3, w = 4, k = 3, stride = 2, pad = 1, opad = 1, groups = 2;
        ConvTranspose2d ct = new ConvTranspose2d(cin, cout, k, stride, pad, opad, 1, groups, true, rng);
        assertArrayEquals(new int[] {cin, cout / groups, k, k}, ct.weight().shape());
        Tensor x = randn(rng, n, cin, h, w), y = ct.forward(x);
        int ho = (h - 1) * stride - 2 * pad + k + opad, wo = (w - 1) * stride - 2 * pad + k + opad;
        assertArrayEquals(new int[] {n, cout, ho, wo}, y.shape());
        double[] want = new double[n * cout * ho * wo];
        int ig = cin / groups, og = cout / groups;
        for (int b = 0; b < n; b++) for (int oc = 0; oc < cout; oc++) for (int i = 0; i < ho; i++) for (int j = 0; j < wo; j++) {
            want[((b * cout + oc) * ho + i) * wo + j] = ct.bias().get(oc);
        }
        // Each input pixel scatters its value times the kernel onto the output.
        for (int b = 0; b < n; b++) for (int ic = 0; ic < cin; ic++) for (int i = 0; i < h; i++) for (int j = 0; j < w; j++) {
            int g = ic / ig;
            for (int c2 = 0; c2 < og; c2++) for (int a = 0; a < k; a++) for (int e = 0; e < k; e++) {
                int oi = i * stride - pad + a, oj = j * stride - pad + e;
                if (oi < 0 || oi >= ho || oj < 0 || oj >= wo) continue;
                want[((b * cout + g * og + c2) * ho + oi) * wo + oj] += x.get(b, ic, i, j) * ct.weight().get(ic, c2, a, e);
            }
        }
        double[] got = y.toDoubleArray();
        for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 1e-6, "element " + i);
        // Adjoint: <convT(x), z> = <x, conv2d(z)> with the same kernel, no bias.
        Tensor wt = ct.weight().to(DType.FLOAT64);
        Convolution.Params p = new Convolution.Params(stride, stride, pad, pad, 1, 1, groups);
        Tensor z = randn(rng, n, cout, ho, wo);
        double lhs = Convolution.convTranspose2d(x, wt, null, p, opad, opad).mul(z).sum().item();
        double rhs = x.mul(Convolution.conv2d(z, wt, null, p)).sum().item();
        assertEquals(lhs, rhs, 1e-9 * (1 + Math.abs(lhs)));
        assertThrows(IllegalArgumentException.class, () -> new ConvTranspose2d(2, 2, 3, 2, 0, 2, 1, 1, true, rng));
    }

    @Test
    void adaptiveAvgPoolAveragesPyTorchsWindows() {
        SplittableRandom rng = new SplittableRandom(7);
        Tensor x = randn(rng, 2, 3, 7, 5);
        for (int[] size : new int[][] {{3, 2}, {1, 1}, {7, 5}, {4, 4}}) {
            Tensor y = new AdaptiveAvgPool2d(size[0], size[1]).forward(x);
            assertArrayEquals(new int[] {2, 3, size[0], size[1]}, y.shape());
            for (int n = 0; n < 2; n++) for (int c = 0; c < 3; c++) for (int i = 0; i < size[0]; i++) for (int j = 0; j < size[1]; j++) {
                int r0 = (int) Math.floor((double) i * 7 / size[0]), r1 = (int) Math.ceil((double) (i + 1) * 7 / size[0]);
                int c0 = (int) Math.floor((double) j * 5 / size[1]), c1 = (int) Math.ceil((double) (j + 1) * 5 / size[1]);
                double s = 0;
                for (int a = r0; a < r1; a++) for (int b = c0; b < c1; b++) s += x.get(n, c, a, b);
                assertEquals(s / ((r1 - r0) * (c1 - c0)), y.get(n, c, i, j), 1e-12);
            }
        }
        GradCheck.check("adaptiveAvgPool2d", in -> new AdaptiveAvgPool2d(2, 3).forward(in[0]), randn(rng, 1, 2, 5, 4));
    }
}
