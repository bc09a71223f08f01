package dev.descent.core.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.Autograd;
import dev.descent.core.check.QuickTheoriesRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/** The fused attention op against the composed version (matmul, masking, softmax), and the causal property. */
class AttentionTest {

    /** A case: shapes and a mask where every query row keeps at least key 0 (so the composed softmax is finite). */
    record Setup(Tensor q, Tensor k, Tensor v, Tensor mask, boolean causal, String description) {}

    static Setup setup(RandomGenerator rng) {
        int b = 1 + rng.nextInt(2), h = 1 + rng.nextInt(3), l = 1 + rng.nextInt(6), s = 1 + rng.nextInt(6), e = 1 + rng.nextInt(5), ev = 1 + rng.nextInt(4);
        Tensor q = Tensor.randn(DType.FLOAT64, rng, b, h, l, e);
        // keys and values shared across heads now and then: a broadcast batch dim
        int kh = rng.nextBoolean() ? h : 1;
        Tensor k = Tensor.randn(DType.FLOAT64, rng, b, kh, s, e), v = Tensor.randn(DType.FLOAT64, rng, b, kh, s, ev);
        boolean causal = rng.nextBoolean();
        Tensor mask = switch (rng.nextInt(3)) {
            case 0 -> null;
            case 1 -> { // a padding-style bool mask [b, 1, 1, s] or a full one [l, s]; key 0 always open
                boolean padding = rng.nextBoolean();
                boolean[] m = new boolean[(padding ? b : l) * s];
                for (int i = 0; i < m.length; i++) m[i] = i % s == 0 || rng.nextInt(3) != 0;
                yield padding ? Tensor.of(m, b, 1, 1, s) : Tensor.of(m, l, s);
            }
            default -> Tensor.randn(DType.FLOAT64, rng, 1, h, l, s);
        };
        String d = "q" + Arrays.toString(q.shape()) + " k" + Arrays.toString(k.shape()) + " v" + Arrays.toString(v.shape())
                + (mask == null ? "" : " mask " + mask.dtype() + Arrays.toString(mask.shape())) + (causal ? " causal" : "");
        return new Setup(q, k, v, mask, causal, d);
    }

    /** softmax(q·kᵀ/√E + mask, masked to −∞)·v from Tensor ops, recorded op by op. */
    static Tensor composed(Tensor q, Tensor k, Tensor v, Tensor mask, boolean causal) {
        Tensor scores = q.matmul(k.transpose(-1, -2)).mul(1 / Math.sqrt(q.size(-1)));
        Tensor neg = scores.scalarLike(Double.NEGATIVE_INFINITY);
        if (mask != null && mask.dtype() == DType.BOOL) scores = Tensor.where(mask, scores, neg);
        else if (mask != null) scores = scores.add(mask);
        if (causal) {
            int l = q.size(-2), s = k.size(-2);
            boolean[] lower = new boolean[l * s];
            for (int i = 0; i < l; i++) for (int j = 0; j <= Math.min(i, s - 1); j++) lower[i * s + j] = true;
            scores = Tensor.where(Tensor.of(lower, l, s), scores, neg);
        }
        return scores.softmax(-1).matmul(v);
    }

    @Test
    void equalsTheComposedVersionInValueAndGradient() {
        qt().withExamples(60).forAll(QuickTheoriesRandom.gen(AttentionTest::setup, Setup::description)).checkAssert(c -> {
            List<Tensor> leaves = new ArrayList<>();
            for (Tensor t : new Tensor[] {c.q(), c.k(), c.v()}) leaves.add(t.detach().requiresGrad(true));
            Tensor fm = c.mask() != null && c.mask().dtype() != DType.BOOL ? c.mask().detach().requiresGrad(true) : null;
            if (fm != null) leaves.add(fm);
            Tensor m = fm != null ? fm : c.mask();
            Tensor fused = Attention.scaledDotProductAttention(leaves.get(0), leaves.get(1), leaves.get(2), m, c.causal());
            Tensor plain = composed(leaves.get(0), leaves.get(1), leaves.get(2), m, c.causal());
            assertArrayEquals(plain.shape(), fused.shape(), c.description());
            assertTrue(fused.allClose(plain, 1e-12, 1e-12), () -> c.description() + ": fused " + fused + " composed " + plain);
            Tensor up = Tensor.randn(DType.FLOAT64, new SplittableRandom(7), fused.shape());
            List<Tensor> gf = Autograd.grad(fused, leaves, up, false), gp = Autograd.grad(plain, leaves, up, false);
            for (int i = 0; i < leaves.size(); i++) {
                Tensor a = gf.get(i), b = gp.get(i);
                int at = i;
                assertTrue(a.allClose(b, 1e-10, 1e-12), () -> c.description() + ": gradient of input " + at + " fused " + a + " composed " + b);
            }
        });
    }

    @Test
    void aFullyMaskedRowGivesZerosAndNoGradientWhileOtherRowsMatchTheComposedVersion() {
        SplittableRandom rng = new SplittableRandom(11);
        Tensor q = Tensor.randn(DType.FLOAT64, rng, 3, 4).requiresGrad(true), k = Tensor.randn(DType.FLOAT64, rng, 5, 4).requiresGrad(true);
        Tensor v = Tensor.randn(DType.FLOAT64, rng, 5, 2).requiresGrad(true);
        boolean[] m = new boolean[15];
        Arrays.fill(m, true);
        for (int j = 0; j < 5; j++) m[5 + j] = false; // query row 1 sees no key
        Tensor mask = Tensor.of(m, 3, 5);
        Tensor out = Attention.scaledDotProductAttention(q, k, v, mask, false);
        assertEquals(0.0, out.get(1, 0));
        assertEquals(0.0, out.get(1, 1));
        Tensor keep = Tensor.of(new boolean[] {true, false, true}, 3, 1);
        Tensor rest = composed(q, k, v, Tensor.where(keep, mask, Tensor.of(new boolean[] {true}, 1)), false);
        for (int row : new int[] {0, 2}) for (int c = 0; c < 2; c++) assertEquals(rest.get(row, c), out.get(row, c), 1e-12);
        // gradient of row 1's output alone: zero everywhere
        Tensor up = Tensor.zeros(DType.FLOAT64, 3, 2);
        up.set(1.0, 1, 0);
        up.set(-2.0, 1, 1);
        for (Tensor g : Autograd.grad(out, List.of(q, k, v), up, false)) {
            for (double x : g.toDoubleArray()) assertEquals(0.0, x);
        }
        // an all −∞ float mask row is the same case
        Tensor fmask = Tensor.where(mask, Tensor.of(0.0), Tensor.of(Double.NEGATIVE_INFINITY));
        assertTrue(Attention.scaledDotProductAttention(q, k, v, fmask, false).allClose(out, 0, 0));
    }

    @Test
    void float32SoftmaxRowsEqualTheirScalarTwinBitForBitAndTheDefinition() {
        SplittableRandom rng = new SplittableRandom(22);
        int lanes = dev.descent.core.kernel.Vectors.FL;
        for (int trial = 0; trial < 300; trial++) {
            int s = 1 + rng.nextInt(100), n = 1 + rng.nextInt(s), off = rng.nextInt(3);
            float[] x = new float[s + off];
            for (int i = 0; i < x.length; i++) x[i] = (float) (rng.nextGaussian() * 4);
            if (rng.nextInt(10) == 0) x[off + rng.nextInt(n)] = Float.NaN;
            if (rng.nextInt(10) == 0) for (int i = 0; i < n; i++) x[off + i] = Float.NEGATIVE_INFINITY;
            float[] v = x.clone(), c = x.clone(), row = new float[(s + lanes - 1) / lanes * lanes], sums = new float[lanes];
            Attention.softmaxRowF(v, off, row, n, s, 0.5f, sums, true);
            Attention.softmaxRowF(c, off, row, n, s, 0.5f, sums, false);
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int i = 0; i < n; i++) max = Math.max(max, 0.5 * x[off + i]);
            for (int i = 0; i < n; i++) sum += Math.exp(0.5 * x[off + i] - max);
            for (int i = 0; i < s; i++) {
                assertEquals(Float.floatToIntBits(c[off + i]), Float.floatToIntBits(v[off + i]), "at " + i + " of " + n + "/" + s);
                double want = i >= n || max == Double.NEGATIVE_INFINITY ? 0 : Math.exp(0.5 * x[off + i] - max) / sum;
                if (Double.isNaN(want)) assertTrue(Float.isNaN(v[off + i]), "NaN at " + i);
                else assertEquals(want, v[off + i], 1e-6 * Math.max(1, want), "definition at " + i + " of " + n + "/" + s);
            }
        }
    }

    @Test
    void scoreGradientRowsEqualTheirScalarTwinBitForBitAndTheDefinition() {
        // o = c·p ⊙ (d·m − Σ d·m·p), with and without dropout factors m, in float32 and float64, rows of 1–100 keys
        SplittableRandom rng = new SplittableRandom(23);
        int fl = dev.descent.core.kernel.Vectors.FL, dl = dev.descent.core.kernel.Vectors.DL;
        for (int trial = 0; trial < 400; trial++) {
            int s = 1 + rng.nextInt(100), off = rng.nextInt(3);
            boolean dropout = rng.nextBoolean();
            double c = 0.1 + rng.nextDouble();
            double[] p = new double[s + off], d = new double[s + off], m = dropout ? new double[s + off] : null;
            double z = 0;
            for (int j = 0; j < s; j++) z += p[off + j] = rng.nextDouble();
            for (int j = 0; j < s; j++) {
                p[off + j] /= z;
                d[off + j] = rng.nextGaussian() * 3;
                if (m != null) m[off + j] = rng.nextInt(4) == 0 ? 0 : 1 / 0.75;
            }
            float[] pf = new float[s + off], df = new float[s + off], mf = m == null ? null : new float[s + off];
            for (int j = 0; j < s + off; j++) {
                pf[j] = (float) p[j];
                df[j] = (float) d[j];
                if (mf != null) mf[j] = (float) m[j];
            }
            float[] vf = new float[s], sf = new float[s];
            double[] vd = new double[s], sd = new double[s];
            Attention.scoreGradRowF(pf, off, df, off, mf, off, vf, 0, s, (float) c, new float[fl], true);
            Attention.scoreGradRowF(pf, off, df, off, mf, off, sf, 0, s, (float) c, new float[fl], false);
            Attention.scoreGradRowD(p, off, d, off, m, off, vd, 0, s, c, new double[dl], true);
            Attention.scoreGradRowD(p, off, d, off, m, off, sd, 0, s, c, new double[dl], false);
            // the definition in float64 from the float32 inputs (for the float32 rows) and from the float64 ones
            double dotF = 0, dotD = 0, scaleF = 0, scaleD = 0;
            for (int j = 0; j < s; j++) {
                double mj = m == null ? 1 : m[off + j];
                dotF += (double) df[off + j] * (mf == null ? 1 : mf[off + j]) * pf[off + j];
                dotD += d[off + j] * mj * p[off + j];
                scaleF += Math.abs((double) df[off + j] * (mf == null ? 1 : mf[off + j]) * pf[off + j]);
                scaleD += Math.abs(d[off + j] * mj * p[off + j]);
            }
            for (int j = 0; j < s; j++) {
                String at = "at " + j + " of " + s + (dropout ? " with dropout" : "");
                assertEquals(Float.floatToIntBits(sf[j]), Float.floatToIntBits(vf[j]), "float32 vector vs scalar twin " + at);
                assertEquals(Double.doubleToLongBits(sd[j]), Double.doubleToLongBits(vd[j]), "float64 vector vs scalar twin " + at);
                double wantF = c * pf[off + j] * ((double) df[off + j] * (mf == null ? 1 : mf[off + j]) - dotF);
                double wantD = c * p[off + j] * (d[off + j] * (m == null ? 1 : m[off + j]) - dotD);
                double tolF = 1e-6 * c * pf[off + j] * (Math.abs((double) df[off + j] * (mf == null ? 1 : mf[off + j])) + scaleF) + 1e-30;
                double tolD = 1e-14 * c * p[off + j] * (Math.abs(d[off + j] * (m == null ? 1 : m[off + j])) + scaleD) + 1e-300;
                assertEquals(wantF, vf[j], tolF, "float32 definition " + at);
                assertEquals(wantD, vd[j], tolD, "float64 definition " + at);
            }
        }
    }

    @Test
    void float32PerHeadProductsGiveTheGemmPathsBitsAndTheInputsLayout() {
        // HeadProducts (BatchedGemm) against the matmul path it replaces: the same value and gradients bit for bit, on
        // head-split views of [B, L, H·E] tensors (as MultiheadAttention makes them) and on contiguous ones; the output and
        // the gradients laid out as the inputs are, so that undoing the head split is a view.
        SplittableRandom rng = new SplittableRandom(64);
        // {batch, heads, queries L, head dim, keys S}: L = S as in a GPT, and L ≠ S both ways (causal: top-left aligned)
        int[][] shapes = {{2, 3, 13, 8, 13}, {2, 4, 64, 16, 64}, {1, 2, 33, 24, 33}, {3, 1, 1, 5, 1}, {2, 2, 7, 8, 20}, {2, 2, 20, 16, 7}};
        for (int[] sh : shapes) {
            for (int variant = 0; variant < 4; variant++) {
                boolean causal = variant % 2 == 1, split = variant >= 2;
                int b = sh[0], h = sh[1], l = sh[2], e = sh[3], keys = sh[4];
                Tensor[] in = new Tensor[3];
                for (int i = 0; i < 3; i++) {
                    int n = i == 0 ? l : keys;
                    in[i] = split ? Tensor.randn(DType.FLOAT32, rng, b, n, h * e).reshape(b, n, h, e).transpose(1, 2) : Tensor.randn(DType.FLOAT32, rng, b, h, n, e);
                }
                Tensor mask = variant == 1 ? Tensor.randn(DType.FLOAT32, rng, l, keys) : null;
                Tensor up = Tensor.randn(DType.FLOAT32, rng, b, h, l, e);
                Tensor[][] results = new Tensor[2][];
                for (int path = 0; path < 2; path++) {
                    Attention.batchedProducts = path == 0;
                    try {
                        List<Tensor> leaves = new ArrayList<>();
                        for (Tensor t : in) leaves.add(t.detach().requiresGrad(true));
                        Tensor y = Attention.scaledDotProductAttention(leaves.get(0), leaves.get(1), leaves.get(2), mask, causal);
                        List<Tensor> g = Autograd.grad(y, leaves, up, false);
                        results[path] = new Tensor[] {y, g.get(0), g.get(1), g.get(2)};
                    } finally {
                        Attention.batchedProducts = true;
                    }
                }
                String what = Arrays.toString(sh) + (causal ? " causal" : "") + (mask != null ? " float mask" : "") + (split ? " head-split views" : "");
                String[] names = {"output", "dq", "dk", "dv"};
                for (int i = 0; i < 4; i++) {
                    int at = i;
                    assertArrayEquals(results[1][i].toFloatArray(), results[0][i].toFloatArray(), () -> what + ": " + names[at]);
                    if (split) assertTrue(results[0][i].transpose(1, 2).isContiguous(), () -> what + ": " + names[at] + " is not laid out as the input");
                }
            }
        }
    }

    @Test
    void float32WithoutAMaskIsCloseToFloat64InValueAndGradient() {
        // the float32 unmasked rows take their own softmax (VectorMath's exp); float64 keeps the reference loop
        SplittableRandom rng = new SplittableRandom(21);
        for (boolean causal : new boolean[] {true, false}) {
            for (int[] sh : new int[][] {{2, 3, 17, 8}, {1, 2, 40, 5}, {3, 1, 1, 4}}) {
                Tensor[] d = {Tensor.randn(DType.FLOAT64, rng, sh).mul(2), Tensor.randn(DType.FLOAT64, rng, sh).mul(2), Tensor.randn(DType.FLOAT64, rng, sh)};
                List<Tensor> l64 = new ArrayList<>(), l32 = new ArrayList<>();
                for (Tensor t : d) {
                    Tensor t32 = t.to(DType.FLOAT32);
                    l32.add(t32.detach().requiresGrad(true));
                    l64.add(t32.to(DType.FLOAT64).requiresGrad(true));
                }
                Tensor y32 = Attention.scaledDotProductAttention(l32.get(0), l32.get(1), l32.get(2), null, causal);
                Tensor y64 = Attention.scaledDotProductAttention(l64.get(0), l64.get(1), l64.get(2), null, causal);
                String what = (causal ? "causal " : "") + Arrays.toString(sh);
                assertTrue(y32.to(DType.FLOAT64).allClose(y64, 1e-5, 1e-5), () -> what + ": " + y32 + " vs " + y64);
                Tensor up = Tensor.randn(DType.FLOAT64, rng, y64.shape());
                List<Tensor> g32 = Autograd.grad(y32, l32, up.to(DType.FLOAT32), false), g64 = Autograd.grad(y64, l64, up, false);
                for (int i = 0; i < 3; i++) {
                    int at = i;
                    assertTrue(g32.get(i).to(DType.FLOAT64).allClose(g64.get(i), 1e-4, 1e-4), () -> what + " gradient " + at);
                }
            }
        }
    }

    @Test
    void causalOutputAtPositionTIgnoresEverythingAfterT() {
        qt().withExamples(80).forAll(QuickTheoriesRandom.gen(rng -> {
            int t = 1 + rng.nextInt(8), e = 1 + rng.nextInt(6), at = rng.nextInt(t);
            DType dt = rng.nextBoolean() ? DType.FLOAT32 : DType.FLOAT64;
            Tensor[] a = {Tensor.randn(dt, rng, 2, 2, t, e), Tensor.randn(dt, rng, 2, 2, t, e), Tensor.randn(dt, rng, 2, 2, t, e)};
            Tensor[] b = new Tensor[3];
            for (int i = 0; i < 3; i++) { // the same up to position `at`, new values after it
                b[i] = a[i].clone();
                if (at + 1 < t) b[i].narrow(2, at + 1, t - at - 1).copyFrom(Tensor.randn(dt, rng, 2, 2, t - at - 1, e).mul(10));
            }
            return new Object[] {a, b, at, dt};
        }, o -> "t " + o[2] + " " + o[3] + " " + Arrays.toString(((Tensor[]) o[0])[0].shape()))).checkAssert(o -> {
            Tensor[] a = (Tensor[]) o[0], b = (Tensor[]) o[1];
            int at = (Integer) o[2];
            Tensor ya = Attention.scaledDotProductAttention(a[0], a[1], a[2], null, true).narrow(2, 0, at + 1);
            Tensor yb = Attention.scaledDotProductAttention(b[0], b[1], b[2], null, true).narrow(2, 0, at + 1);
            assertTrue(ya.contentEquals(yb), () -> "positions up to " + at + " changed: " + ya + " vs " + yb);
            // and the non-causal op does see the change (the property is not vacuous)
            if (at + 1 < a[0].size(2)) {
                Tensor na = Attention.scaledDotProductAttention(a[0], a[1], a[2], null, false).narrow(2, 0, at + 1);
                Tensor nb = Attention.scaledDotProductAttention(b[0], b[1], b[2], null, false).narrow(2, 0, at + 1);
                assertTrue(!na.allClose(nb, 1e-6, 1e-6), "without the causal rule the change shows");
            }
        });
    }

    @Test
    void dropoutIsTheSameForTheSameSeedAndKeepsTheMean() {
        SplittableRandom rng = new SplittableRandom(3);
        Tensor q = Tensor.randn(DType.FLOAT64, rng, 8, 64, 4), k = Tensor.randn(DType.FLOAT64, rng, 8, 64, 4), v = Tensor.ones(DType.FLOAT64, 8, 64, 1);
        Tensor a = Attention.scaledDotProductAttention(q, k, v, null, false, 0.5, new SplittableRandom(1));
        Tensor b = Attention.scaledDotProductAttention(q, k, v, null, false, 0.5, new SplittableRandom(1));
        Tensor c = Attention.scaledDotProductAttention(q, k, v, null, false, 0.5, new SplittableRandom(2));
        assertTrue(a.contentEquals(b));
        assertTrue(!a.contentEquals(c));
        // with v = 1 each output is Σ_j P_ij m_ij / (1 − p): mean 1 over the 512 rows (sd about 0.15/√512 per row)
        assertEquals(1.0, a.mean().item(), 0.05);
    }

    @Test
    void badInputsNameTheShapes() {
        Tensor q = Tensor.zeros(2, 3, 4), k = Tensor.zeros(2, 5, 4), v = Tensor.zeros(2, 5, 6);
        String m = assertThrows(IllegalArgumentException.class, () -> Attention.scaledDotProductAttention(q, Tensor.zeros(2, 5, 3), v, null, false)).getMessage();
        assertTrue(m.contains("[2,3,4]") && m.contains("[2,5,3]"), m);
        m = assertThrows(IllegalArgumentException.class, () -> Attention.scaledDotProductAttention(q, k, Tensor.zeros(2, 4, 6), null, false)).getMessage();
        assertTrue(m.contains("[2,4,6]"), m);
        m = assertThrows(IllegalArgumentException.class, () -> Attention.scaledDotProductAttention(q, k, v, Tensor.zeros(3, 4), false)).getMessage();
        assertTrue(m.contains("[3,4]") && m.contains("[2,3,5]"), m);
        m = assertThrows(IllegalArgumentException.class, () -> Attention.scaledDotProductAttention(q, k, v, null, false, 0.1, null)).getMessage();
        assertTrue(m.contains("RandomGenerator"), m);
        m = assertThrows(IllegalArgumentException.class, () -> Attention.scaledDotProductAttention(q, k, v, null, false, 1.5, new SplittableRandom(1))).getMessage();
        assertTrue(m.contains("1.5"), m);
        assertThrows(IllegalArgumentException.class, () -> Attention.scaledDotProductAttention(Tensor.zeros(4), k, v, null, false));
    }

    @Test
    void gradientsOfGradientsThrowInsteadOfBeingWrong() {
        SplittableRandom rng = new SplittableRandom(5);
        Tensor q = Tensor.randn(DType.FLOAT64, rng, 3, 2).requiresGrad(true), k = Tensor.randn(DType.FLOAT64, rng, 3, 2), v = Tensor.randn(DType.FLOAT64, rng, 3, 2);
        Tensor y = Attention.scaledDotProductAttention(q, k, v, null, true).sum();
        assertThrows(UnsupportedOperationException.class, () -> Autograd.grad(y, List.of(q), null, true));
    }
}
