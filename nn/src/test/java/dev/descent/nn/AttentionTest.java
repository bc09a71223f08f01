package dev.descent.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import dev.descent.core.check.GradCheck;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * MultiheadAttention against plain float64 loops written from the definition; the encoder layer against the same
 * attention composed with its other layers; causality of the GPT block and model as a property.
 */
class AttentionTest {
    static final int E = 6, HEADS = 2, B = 2, L = 3, S = 4;

    /** Row-major values of a 3-D tensor in batch-major order [b][i][e]. */
    static double at(Tensor t, boolean batchFirst, int b, int i, int e) {
        return batchFirst ? t.get(b, i, e) : t.get(i, b, e);
    }

    /**
     * The definition, one query at a time: project, scores q·k/√d per head with masks (bool true: −∞; float added),
     * softmax, weighted sum of values, heads concatenated, out-projection. Everything batch-major.
     */
    static Ref reference(MultiheadAttention m, Tensor q, Tensor k, Tensor v, Tensor padding, Tensor mask, boolean batchFirst) {
        double[] w = m.inProjWeight().toDoubleArray(), bias = m.inProjBias().toDoubleArray();
        double[] wo = m.outProj().weight().toDoubleArray(), bo = m.outProj().bias().toDoubleArray();
        int d = E / HEADS;
        double[][][] out = new double[B][L][E];
        double[][][][] weights = new double[B][HEADS][L][S];
        for (int b = 0; b < B; b++) {
            double[][] qp = new double[L][E], kp = new double[S][E], vp = new double[S][E];
            for (int e = 0; e < E; e++) {
                for (int i = 0; i < L; i++) {
                    qp[i][e] = bias[e];
                    for (int j = 0; j < E; j++) qp[i][e] += w[e * E + j] * at(q, batchFirst, b, i, j);
                }
                for (int s = 0; s < S; s++) {
                    kp[s][e] = bias[E + e];
                    vp[s][e] = bias[2 * E + e];
                    for (int j = 0; j < E; j++) {
                        kp[s][e] += w[(E + e) * E + j] * at(k, batchFirst, b, s, j);
                        vp[s][e] += w[(2 * E + e) * E + j] * at(v, batchFirst, b, s, j);
                    }
                }
            }
            double[][] concat = new double[L][E];
            for (int h = 0; h < HEADS; h++) {
                for (int i = 0; i < L; i++) {
                    double[] sc = new double[S];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int s = 0; s < S; s++) {
                        for (int c = 0; c < d; c++) sc[s] += qp[i][h * d + c] * kp[s][h * d + c];
                        sc[s] /= Math.sqrt(d);
                        if (mask != null) sc[s] = mask.dtype() == DType.BOOL ? (mask.get(i, s) != 0 ? Double.NEGATIVE_INFINITY : sc[s]) : sc[s] + mask.get(i, s);
                        if (padding != null && padding.get(b, s) != 0) sc[s] = Double.NEGATIVE_INFINITY;
                        max = Math.max(max, sc[s]);
                    }
                    double z = 0;
                    for (int s = 0; s < S; s++) z += Math.exp(sc[s] - max);
                    for (int s = 0; s < S; s++) {
                        double p = Math.exp(sc[s] - max) / z;
                        weights[b][h][i][s] = p;
                        for (int c = 0; c < d; c++) concat[i][h * d + c] += p * vp[s][h * d + c];
                    }
                }
            }
            for (int i = 0; i < L; i++) for (int e = 0; e < E; e++) {
                out[b][i][e] = bo[e];
                for (int j = 0; j < E; j++) out[b][i][e] += wo[e * E + j] * concat[i][j];
            }
        }
        return new Ref(out, weights);
    }

    /** The reference's output {@code [B][L][E]} (batch-major) and weights {@code [B][heads][L][S]}. */
    record Ref(double[][][] out, double[][][][] weights) {}

    static void assertClose(double want, double got, double tol, String what) {
        assertTrue(Math.abs(want - got) <= tol * (1 + Math.abs(want)), () -> what + ": reference " + want + ", layer " + got);
    }

    static Tensor randn(SplittableRandom rng, int... shape) {
        return Tensor.randn(DType.FLOAT64, rng, shape);
    }

    void checkAgainstReference(boolean batchFirst, int maskKind) {
        SplittableRandom rng = new SplittableRandom(21 + maskKind);
        MultiheadAttention m = new MultiheadAttention(E, HEADS, 0, true, batchFirst, rng);
        // Nonzero biases, so that the reference checks where each one goes.
        for (var p : m.parameters()) if (p.dim() == 1) Init.uniform(p, 0.5, rng);
        int[] qs = batchFirst ? new int[] {B, L, E} : new int[] {L, B, E}, ks = batchFirst ? new int[] {B, S, E} : new int[] {S, B, E};
        Tensor q = randn(rng, qs), k = randn(rng, ks), v = randn(rng, ks);
        Tensor padding = null, mask = null;
        if (maskKind >= 1) padding = Tensor.of(new boolean[] {false, false, true, false, false, true, true, false}, B, S);
        if (maskKind == 2) mask = Tensor.of(new boolean[] {false, true, false, false, false, false, true, false, true, false, false, false}, L, S);
        if (maskKind == 3) mask = randn(rng, L, S);
        MultiheadAttention.Output o = m.forward(q, k, v, padding, mask, true, false);
        Ref want = reference(m, q, k, v, padding, mask, batchFirst);
        String what = "MHA " + (batchFirst ? "batch first" : "time major") + " mask kind " + maskKind;
        assertArrayEquals(qs, o.output().shape(), what);
        for (int b = 0; b < B; b++) for (int i = 0; i < L; i++) {
            for (int e = 0; e < E; e++) assertClose(want.out()[b][i][e], at(o.output(), batchFirst, b, i, e), 1e-12, what + " output");
            for (int h = 0; h < HEADS; h++) for (int s = 0; s < S; s++) assertClose(want.weights()[b][h][i][s], o.weights().get(b, h, i, s), 1e-12, what + " weights");
        }
        Tensor avg = m.forward(q, k, v, padding, mask).weights();
        assertArrayEquals(new int[] {B, L, S}, avg.shape());
        for (int b = 0; b < B; b++) for (int i = 0; i < L; i++) for (int s = 0; s < S; s++) {
            double mean = 0;
            for (int h = 0; h < HEADS; h++) mean += want.weights()[b][h][i][s] / HEADS;
            assertClose(mean, avg.get(b, i, s), 1e-12, what + " averaged weights");
        }
        // Without weights the fused op runs: the same output.
        MultiheadAttention.Output fused = m.forward(q, k, v, padding, mask, false, true);
        assertNull(fused.weights());
        for (int b = 0; b < B; b++) for (int i = 0; i < L; i++) for (int e = 0; e < E; e++) {
            assertClose(want.out()[b][i][e], at(fused.output(), batchFirst, b, i, e), 1e-12, what + " output of the fused path");
        }
        // Gradients with respect to query, key and value: float64 central differences.
        Tensor pad = padding, msk = mask;
        GradCheck.check(what + " fused", in -> m.forward(in[0], in[1], in[2], pad, msk, false, true).output(), q, k, v);
        GradCheck.check(what + " composed", in -> m.forward(in[0], in[1], in[2], pad, msk, true, true).output(), q, k, v);
    }

    @Test
    void equalsTheDefinitionWithoutMasks() {
        checkAgainstReference(false, 0);
        checkAgainstReference(true, 0);
    }

    @Test
    void equalsTheDefinitionWithKeyPadding() {
        checkAgainstReference(false, 1);
        checkAgainstReference(true, 1);
    }

    @Test
    void equalsTheDefinitionWithBoolAndFloatAttentionMasks() {
        checkAgainstReference(true, 2);
        checkAgainstReference(false, 3);
    }

    @Test
    void parameterNamesAndShapesArePyTorchs() {
        MultiheadAttention m = new MultiheadAttention(8, 2, new SplittableRandom(1));
        assertEquals(List.of("in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"), new ArrayList<>(m.stateDict().keySet()));
        assertArrayEquals(new int[] {24, 8}, m.inProjWeight().shape());
        assertEquals(0, m.inProjBias().abs().sum().item());
        assertEquals(0, m.outProj().bias().abs().sum().item());
        TransformerEncoderLayer enc = new TransformerEncoderLayer(8, 2, 16, 0, "gelu", true, true, new SplittableRandom(1));
        assertEquals(List.of("self_attn.in_proj_weight", "self_attn.in_proj_bias", "self_attn.out_proj.weight", "self_attn.out_proj.bias", "linear1.weight",
                "linear1.bias", "linear2.weight", "linear2.bias", "norm1.weight", "norm1.bias", "norm2.weight", "norm2.bias"), new ArrayList<>(enc.stateDict().keySet()));
        TransformerBlock block = new TransformerBlock(8, 2, new SplittableRandom(1));
        assertEquals(List.of("ln_1.weight", "ln_1.bias", "attn.in_proj_weight", "attn.in_proj_bias", "attn.out_proj.weight", "attn.out_proj.bias", "ln_2.weight",
                "ln_2.bias", "mlp.0.weight", "mlp.0.bias", "mlp.2.weight", "mlp.2.bias"), new ArrayList<>(block.stateDict().keySet()));
        assertThrows(IllegalArgumentException.class, () -> new MultiheadAttention(7, 2, new SplittableRandom(1)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.forward(Tensor.zeros(3, 2, 8), Tensor.zeros(4, 2, 8), Tensor.zeros(4, 2, 8),
                Tensor.zeros(DType.BOOL, 2, 5), null));
        assertTrue(e.getMessage().contains("[2,5]") && e.getMessage().contains("[2,4]"), e.getMessage());
    }

    /** The encoder layer is its definition over the same sublayers: post-norm and pre-norm, relu and gelu, with a mask. */
    @Test
    void encoderLayerComposesItsSublayers() {
        for (boolean normFirst : new boolean[] {false, true}) {
            for (String act : new String[] {"relu", "gelu"}) {
                SplittableRandom rng = new SplittableRandom(5);
                TransformerEncoderLayer enc = new TransformerEncoderLayer(E, HEADS, 10, 0, act, normFirst, true, rng);
                var mods = enc.namedChildren();
                MultiheadAttention sa = (MultiheadAttention) mods.get("self_attn");
                Linear l1 = (Linear) mods.get("linear1"), l2 = (Linear) mods.get("linear2");
                LayerNorm n1 = (LayerNorm) mods.get("norm1"), n2 = (LayerNorm) mods.get("norm2");
                for (var p : enc.parameters()) Init.uniform(p, 0.7, rng); // LayerNorm affine too
                Tensor x = randn(rng, B, L, E), mask = causalMask(L);
                java.util.function.UnaryOperator<Tensor> ff = t -> {
                    Tensor h = l1.forward(t);
                    return l2.forward(act.equals("gelu") ? h.gelu() : h.relu());
                };
                java.util.function.UnaryOperator<Tensor> att = t -> sa.forward(t, t, t, null, mask).output();
                Tensor want;
                if (normFirst) {
                    Tensor y = x.add(att.apply(n1.forward(x)));
                    want = y.add(ff.apply(n2.forward(y)));
                } else {
                    Tensor y = n1.forward(x.add(att.apply(x)));
                    want = n2.forward(y.add(ff.apply(y)));
                }
                assertTrue(want.allClose(enc.forward(x, mask, null), 1e-12, 1e-12), "encoder layer normFirst=" + normFirst + " " + act);
            }
        }
    }

    /** MultiheadAttention's convention: bool [t, t], true above the diagonal (key after query: not allowed). */
    static Tensor causalMask(int t) {
        boolean[] m = new boolean[t * t];
        for (int i = 0; i < t; i++) for (int j = i + 1; j < t; j++) m[i * t + j] = true;
        return Tensor.of(m, t, t);
    }

    @Test
    void forwardCausalIsTheCausalMaskOnTheComposedPath() {
        for (boolean batchFirst : new boolean[] {false, true}) {
            SplittableRandom rng = new SplittableRandom(8);
            MultiheadAttention m = new MultiheadAttention(E, HEADS, 0, true, batchFirst, rng);
            for (var p : m.parameters()) if (p.dim() == 1) Init.uniform(p, 0.5, rng);
            Tensor x = randn(rng, 5, B, E); // [L, B, E] or [B, L, E]: both valid shapes here
            Tensor want = m.forward(x, x, x, null, causalMask(x.size(batchFirst ? 1 : 0)), true, true).output();
            assertTrue(want.allClose(m.forwardCausal(x), 1e-12, 1e-12), "batchFirst=" + batchFirst);
            GradCheck.check("forwardCausal", in -> m.forwardCausal(in[0]), x.requiresGrad(false));
        }
    }

    /** Output at position t does not change when inputs after t change: the block, and the whole GPT on tokens. */
    @Test
    void causalOutputsIgnoreTheFuture() {
        qt().withExamples(25).forAll(integers().between(1, 2), integers().between(2, 6), longs().all()).checkAssert((b, t, seed) -> {
            SplittableRandom rng = new SplittableRandom(seed);
            int cut = rng.nextInt(t); // positions 0 … cut stay, the rest change
            TransformerBlock block = new TransformerBlock(E, HEADS, rng);
            Tensor x = randn(rng, b, t, E), x2 = x.clone();
            x2.narrow(1, cut + 1, t - cut - 1).copyFrom(randn(rng, b, t - cut - 1, E));
            Tensor y = block.forward(x).narrow(1, 0, cut + 1), y2 = block.forward(x2).narrow(1, 0, cut + 1);
            assertTrue(y.allClose(y2, 1e-12, 1e-12), "block output up to " + cut + " changed with later inputs");
            assertTrue(cut == t - 1 || !block.forward(x).allClose(block.forward(x2), 1e-6, 1e-6), "later inputs changed nothing at all");

            GPT gpt = Models.gpt(7, 8, 2, 2, 8, rng);
            long[] tok = new long[b * t], tok2 = new long[b * t];
            for (int i = 0; i < tok.length; i++) {
                tok[i] = rng.nextInt(7);
                tok2[i] = i % t > cut ? (tok[i] + 1 + rng.nextInt(6)) % 7 : tok[i];
            }
            Tensor z = gpt.forward(Tensor.of(tok, b, t)).narrow(1, 0, cut + 1), z2 = gpt.forward(Tensor.of(tok2, b, t)).narrow(1, 0, cut + 1);
            assertTrue(z.allClose(z2, 0, 0), "GPT logits up to " + cut + " changed with later tokens");
        });
    }
}
