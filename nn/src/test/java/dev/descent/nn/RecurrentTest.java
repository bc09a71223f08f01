package dev.descent.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Parameter;
import dev.descent.core.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * LSTM and GRU against a float64 reference written from the equations over plain arrays: outputs, final states,
 * and gradients (central differences of the reference) for every parameter, the input and the initial states.
 */
class RecurrentTest {
    static final int IN = 3, H = 4, LAYERS = 2, T = 3, B = 2;

    /** The reference's inputs and outputs: x and the states in the layer's layout, flattened; D directions. */
    interface Reference {
        /** Returns {output, hn, cn} (cn null for a GRU). */
        double[][] run(Map<String, double[]> params, double[] x, double[] h0, double[] c0, boolean batchFirst, int dirs);
    }

    static double sigmoid(double v) {
        return 1 / (1 + Math.exp(-v));
    }

    /** Σ_j W[row, j]·v[j] for W stored row-major with {@code cols} columns. */
    static double dot(double[] w, int row, int cols, double[] v, int from) {
        double s = 0;
        for (int j = 0; j < cols; j++) s += w[row * cols + j] * v[from + j];
        return s;
    }

    static int xAt(int t, int b, boolean batchFirst, int width) {
        return (batchFirst ? b * T + t : t * B + b) * width;
    }

    /** A bias, or zeros when the layer has none. */
    static double[] biasOrZeros(Map<String, double[]> p, String name, int n) {
        return p.containsKey(name) ? p.get(name) : new double[n];
    }

    /**
     * LSTM, gate order i, f, g, o: c' = σ(f)c + σ(i)tanh(g), h' = σ(o)tanh(c'). Direction 1 ("_reverse") runs t from
     * T − 1 down to 0; a layer's output at t is [forward h, reverse h].
     */
    static double[][] lstmRef(Map<String, double[]> p, double[] x, double[] h0, double[] c0, boolean batchFirst, int dirs) {
        return recurrentRef(true, p, x, h0, c0, batchFirst, dirs);
    }

    /** GRU, gate order r, z, n: n = tanh(W_in x + b_in + r(W_hn h + b_hn)), h' = (1 − z)n + zh. */
    static double[][] gruRef(Map<String, double[]> p, double[] x, double[] h0, double[] c0, boolean batchFirst, int dirs) {
        return recurrentRef(false, p, x, h0, c0, batchFirst, dirs);
    }

    static double[][] recurrentRef(boolean lstm, Map<String, double[]> p, double[] x, double[] h0, double[] c0, boolean batchFirst, int dirs) {
        int g4 = (lstm ? 4 : 3) * H;
        double[] in = x;
        int width = IN;
        double[] hn = new double[dirs * LAYERS * B * H], cn = new double[dirs * LAYERS * B * H];
        for (int l = 0; l < LAYERS; l++) {
            double[] out = new double[T * B * dirs * H];
            for (int d = 0; d < dirs; d++) {
                String sfx = l + (d == 1 ? "_reverse" : "");
                double[] wih = p.get("weight_ih_l" + sfx), whh = p.get("weight_hh_l" + sfx);
                double[] bih = biasOrZeros(p, "bias_ih_l" + sfx, g4), bhh = biasOrZeros(p, "bias_hh_l" + sfx, g4);
                int si = l * dirs + d;
                for (int b = 0; b < B; b++) {
                    double[] h = new double[H], c = new double[H];
                    for (int k = 0; k < H; k++) {
                        h[k] = h0[(si * B + b) * H + k];
                        c[k] = c0 == null ? 0 : c0[(si * B + b) * H + k];
                    }
                    for (int step = 0; step < T; step++) {
                        int t = d == 0 ? step : T - 1 - step;
                        int xo = xAt(t, b, batchFirst, width);
                        double[] h2 = new double[H];
                        if (lstm) {
                            double[] g = new double[g4];
                            for (int k = 0; k < g4; k++) g[k] = bih[k] + bhh[k] + dot(wih, k, width, in, xo) + dot(whh, k, H, h, 0);
                            for (int k = 0; k < H; k++) {
                                double i = sigmoid(g[k]), f = sigmoid(g[H + k]), gg = Math.tanh(g[2 * H + k]), o = sigmoid(g[3 * H + k]);
                                c[k] = f * c[k] + i * gg;
                                h2[k] = o * Math.tanh(c[k]);
                            }
                        } else {
                            for (int k = 0; k < H; k++) {
                                double r = sigmoid(bih[k] + dot(wih, k, width, in, xo) + bhh[k] + dot(whh, k, H, h, 0));
                                double z = sigmoid(bih[H + k] + dot(wih, H + k, width, in, xo) + bhh[H + k] + dot(whh, H + k, H, h, 0));
                                double n = Math.tanh(bih[2 * H + k] + dot(wih, 2 * H + k, width, in, xo) + r * (bhh[2 * H + k] + dot(whh, 2 * H + k, H, h, 0)));
                                h2[k] = (1 - z) * n + z * h[k];
                            }
                        }
                        h = h2;
                        System.arraycopy(h, 0, out, xAt(t, b, batchFirst, dirs * H) + d * H, H);
                    }
                    System.arraycopy(h, 0, hn, (si * B + b) * H, H);
                    System.arraycopy(c, 0, cn, (si * B + b) * H, H);
                }
            }
            in = out;
            width = dirs * H;
        }
        return new double[][] {in, hn, lstm ? cn : null};
    }

    static double weighted(double[][] outs, double[][] weights) {
        double s = 0;
        for (int k = 0; k < outs.length; k++) if (outs[k] != null) for (int i = 0; i < outs[k].length; i++) s += outs[k][i] * weights[k][i];
        return s;
    }

    static double[] randoms(SplittableRandom rng, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = rng.nextDouble(-1, 1);
        return v;
    }

    /** Central difference of the reference's weighted loss in one entry of {@code v} (changed and restored in place). */
    static double numeric(Reference ref, Map<String, double[]> p, double[] x, double[] h0, double[] c0, boolean bf, int dirs, double[][] w, double[] v,
                          int i) {
        double keep = v[i], eps = 1e-6;
        v[i] = keep + eps;
        double up = weighted(ref.run(p, x, h0, c0, bf, dirs), w);
        v[i] = keep - eps;
        double down = weighted(ref.run(p, x, h0, c0, bf, dirs), w);
        v[i] = keep;
        return (up - down) / (2 * eps);
    }

    static void assertClose(double[] want, double[] got, double tol, String what) {
        assertEquals(want.length, got.length, what + ": length");
        for (int i = 0; i < want.length; i++) {
            int k = i;
            assertTrue(Math.abs(want[i] - got[i]) <= tol * (1 + Math.abs(want[i])), () -> what + "[" + k + "]: reference " + want[k] + ", layer " + got[k]);
        }
    }

    void checkAgainstReference(boolean lstm, boolean batchFirst, boolean bias, boolean bidirectional) {
        SplittableRandom rng = new SplittableRandom(lstm ? 11 : 12);
        int dirs = bidirectional ? 2 : 1, n = dirs * LAYERS;
        Module layer = lstm ? new LSTM(IN, H, LAYERS, bias, batchFirst, 0, bidirectional, rng) : new GRU(IN, H, LAYERS, bias, batchFirst, 0, bidirectional, rng);
        Reference ref = lstm ? RecurrentTest::lstmRef : RecurrentTest::gruRef;
        Map<String, double[]> params = new LinkedHashMap<>();
        layer.namedParameters().forEach((k, v) -> params.put(k, v.toDoubleArray()));
        int[] xShape = batchFirst ? new int[] {B, T, IN} : new int[] {T, B, IN};
        double[] x = randoms(rng, T * B * IN), h0 = randoms(rng, n * B * H), c0 = randoms(rng, n * B * H);
        // float64 input and states: the layer computes in float64 on the (float32) parameters' exact values.
        Tensor xt = Tensor.of(x, xShape).requiresGrad(true);
        Tensor ht = Tensor.of(h0, n, B, H).requiresGrad(true), ct = Tensor.of(c0, n, B, H).requiresGrad(true);
        int[] outShape = batchFirst ? new int[] {B, T, dirs * H} : new int[] {T, B, dirs * H};
        double[][] w = {randoms(rng, T * B * dirs * H), randoms(rng, n * B * H), randoms(rng, n * B * H)};
        Tensor out, hn, cn = null;
        if (lstm) {
            LSTM.Output o = ((LSTM) layer).forward(xt, new LSTM.State(ht, ct));
            out = o.output();
            hn = o.state().h();
            cn = o.state().c();
        } else {
            GRU.Output o = ((GRU) layer).forward(xt, ht);
            out = o.output();
            hn = o.h();
        }
        assertArrayEquals(outShape, out.shape());
        assertArrayEquals(new int[] {n, B, H}, hn.shape());
        String name = (lstm ? "LSTM" : "GRU") + (batchFirst ? " batch first" : " time major") + (bias ? "" : " without bias") + (bidirectional ? " bidirectional" : "");
        double[][] want = ref.run(params, x, h0, c0, batchFirst, dirs);
        assertClose(want[0], out.toDoubleArray(), 1e-12, name + " output");
        assertClose(want[1], hn.toDoubleArray(), 1e-12, name + " hn");
        if (lstm) assertClose(want[2], cn.toDoubleArray(), 1e-12, name + " cn");

        Tensor loss = out.mul(Tensor.of(w[0], outShape)).sum().add(hn.mul(Tensor.of(w[1], n, B, H)).sum());
        if (lstm) loss = loss.add(cn.mul(Tensor.of(w[2], n, B, H)).sum());
        loss.backward();
        double[][] weights = lstm ? w : new double[][] {w[0], w[1], null};
        for (Map.Entry<String, Parameter> e : layer.namedParameters().entrySet()) {
            double[] v = params.get(e.getKey()), numeric = new double[v.length];
            for (int i = 0; i < v.length; i++) numeric[i] = numeric(ref, params, x, h0, c0, batchFirst, dirs, weights, v, i);
            assertClose(numeric, e.getValue().grad().toDoubleArray(), 2e-6, name + " d/d" + e.getKey()); // the gradient is stored in float32
        }
        for (Object[] input : new Object[][] {{"x", x, xt}, {"h0", h0, ht}, {"c0", c0, ct}}) {
            if (!lstm && input[0].equals("c0")) continue;
            double[] v = (double[]) input[1], numeric = new double[v.length];
            for (int i = 0; i < v.length; i++) numeric[i] = numeric(ref, params, x, h0, c0, batchFirst, dirs, weights, v, i);
            assertClose(numeric, ((Tensor) input[2]).grad().toDoubleArray(), 1e-7, name + " d/d" + input[0]);
        }
    }

    @Test
    void lstmEqualsTheReferenceTimeMajor() {
        checkAgainstReference(true, false, true, false);
    }

    @Test
    void lstmEqualsTheReferenceBatchFirst() {
        checkAgainstReference(true, true, true, false);
    }

    @Test
    void gruEqualsTheReferenceTimeMajor() {
        checkAgainstReference(false, false, true, false);
    }

    @Test
    void gruEqualsTheReferenceBatchFirst() {
        checkAgainstReference(false, true, true, false);
    }

    @Test
    void bidirectionalAndBiasFreeLayersEqualTheReference() {
        checkAgainstReference(true, false, true, true);
        checkAgainstReference(false, true, true, true);
        checkAgainstReference(true, true, false, false);
        checkAgainstReference(false, false, false, true);
    }

    @Test
    void cellsAreOneStepOfOneLayer() {
        SplittableRandom rng = new SplittableRandom(3);
        LSTMCell lc = new LSTMCell(IN, H, rng);
        GRUCell gc = new GRUCell(IN, H, rng);
        Tensor x = Tensor.randn(DType.FLOAT64, rng, B, IN), h = Tensor.randn(DType.FLOAT64, rng, B, H), c = Tensor.randn(DType.FLOAT64, rng, B, H);
        for (boolean lstm : new boolean[] {true, false}) {
            Module cell = lstm ? lc : gc;
            Map<String, double[]> p = new LinkedHashMap<>();
            cell.namedParameters().forEach((k, v) -> p.put(k + "_l0", v.toDoubleArray()));
            // A one-layer, one-step reference: pad the layer count with an identity-free second layer by running layer 0 only.
            double[] hOut = new double[B * H], cOut = new double[B * H];
            for (int b = 0; b < B; b++) {
                double[] hv = new double[H], cv = new double[H], xv = new double[IN];
                for (int k = 0; k < H; k++) {
                    hv[k] = h.get(b, k);
                    cv[k] = c.get(b, k);
                }
                for (int j = 0; j < IN; j++) xv[j] = x.get(b, j);
                double[][] r = oneStep(lstm, p, xv, hv, cv);
                System.arraycopy(r[0], 0, hOut, b * H, H);
                if (lstm) System.arraycopy(r[1], 0, cOut, b * H, H);
            }
            if (lstm) {
                LSTM.State s = lc.forward(x, new LSTM.State(h, c));
                assertClose(hOut, s.h().toDoubleArray(), 1e-12, "LSTMCell h");
                assertClose(cOut, s.c().toDoubleArray(), 1e-12, "LSTMCell c");
            } else {
                assertClose(hOut, gc.forward(x, h).toDoubleArray(), 1e-12, "GRUCell h");
            }
        }
    }

    /** One step of one layer through the references above, with T = B = 1 laid out by hand. */
    static double[][] oneStep(boolean lstm, Map<String, double[]> p, double[] x, double[] h, double[] c) {
        double[] g = new double[(lstm ? 4 : 3) * H];
        double[] wih = p.get("weight_ih_l0"), whh = p.get("weight_hh_l0"), bih = p.get("bias_ih_l0"), bhh = p.get("bias_hh_l0");
        double[] h2 = new double[H], c2 = new double[H];
        for (int k = 0; k < g.length; k++) g[k] = bih[k] + dot(wih, k, IN, x, 0);
        for (int k = 0; k < H; k++) {
            if (lstm) {
                double[] a = new double[4];
                for (int q = 0; q < 4; q++) a[q] = g[q * H + k] + bhh[q * H + k] + dot(whh, q * H + k, H, h, 0);
                c2[k] = sigmoid(a[1]) * c[k] + sigmoid(a[0]) * Math.tanh(a[2]);
                h2[k] = sigmoid(a[3]) * Math.tanh(c2[k]);
            } else {
                double r = sigmoid(g[k] + bhh[k] + dot(whh, k, H, h, 0)), z = sigmoid(g[H + k] + bhh[H + k] + dot(whh, H + k, H, h, 0));
                double n = Math.tanh(g[2 * H + k] + r * (bhh[2 * H + k] + dot(whh, 2 * H + k, H, h, 0)));
                h2[k] = (1 - z) * n + z * h[k];
            }
        }
        return new double[][] {h2, c2};
    }

    @Test
    void parameterNamesShapesAndInitialisationArePyTorchs() {
        LSTM lstm = new LSTM(5, 6, 2, new SplittableRandom(1));
        List<String> names = new ArrayList<>(lstm.stateDict().keySet());
        assertEquals(List.of("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1"), names);
        assertArrayEquals(new int[] {24, 5}, lstm.stateDict().get("weight_ih_l0").shape());
        assertArrayEquals(new int[] {24, 6}, lstm.stateDict().get("weight_ih_l1").shape());
        GRU gru = new GRU(5, 6, 1, false, true, new SplittableRandom(1));
        assertEquals(List.of("weight_ih_l0", "weight_hh_l0"), new ArrayList<>(gru.stateDict().keySet()));
        assertArrayEquals(new int[] {18, 6}, gru.stateDict().get("weight_hh_l0").shape());
        GRU bi = new GRU(5, 6, 2, true, false, 0, true, new SplittableRandom(1));
        assertEquals(List.of("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse",
                "bias_hh_l0_reverse", "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1", "weight_ih_l1_reverse", "weight_hh_l1_reverse",
                "bias_ih_l1_reverse", "bias_hh_l1_reverse"), new ArrayList<>(bi.stateDict().keySet()));
        assertArrayEquals(new int[] {18, 12}, bi.stateDict().get("weight_ih_l1_reverse").shape());
        assertEquals(List.of("weight_ih", "weight_hh", "bias_ih", "bias_hh"), new ArrayList<>(new GRUCell(2, 3, new SplittableRandom(1)).stateDict().keySet()));
        double bound = 1 / Math.sqrt(6);
        for (Parameter p : lstm.parameters()) {
            double max = 0;
            for (double v : p.toDoubleArray()) {
                assertTrue(Math.abs(v) <= bound, p.name() + " value " + v + " outside ±" + bound);
                max = Math.max(max, Math.abs(v));
            }
            if (p.numel() >= 24) assertTrue(max > 0.7 * bound, p.name() + " spans only ±" + max);
        }
    }

    @Test
    void dropoutBetweenLayersActsOnlyInTraining() {
        for (boolean lstm : new boolean[] {true, false}) {
            Module drop = lstm ? new LSTM(IN, H, LAYERS, true, true, 0.5, false, new SplittableRandom(1)) : new GRU(IN, H, LAYERS, true, true, 0.5, false, new SplittableRandom(1));
            Module plain = lstm ? new LSTM(IN, H, LAYERS, true, true, new SplittableRandom(2)) : new GRU(IN, H, LAYERS, true, true, new SplittableRandom(2));
            java.util.Map<String, Tensor> params = new LinkedHashMap<>(drop.namedParameters());
            plain.loadStateDict(params);
            assertTrue(drop.stateDict().containsKey("dropout.seed"), drop.stateDict().keySet().toString());
            Tensor x = Tensor.randn(DType.FLOAT64, new SplittableRandom(3), B, T, IN);
            assertTrue(drop.eval().forward(x).contentEquals(plain.forward(x)), drop + ": eval mode must not drop");
            drop.train();
            Tensor a = drop.forward(x), b = drop.forward(x);
            assertTrue(!a.allClose(plain.forward(x), 1e-9, 1e-9) && !a.allClose(b, 1e-9, 1e-9), drop + ": training mode should drop, a new mask each call");
        }
        assertEquals(List.of("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"),
                new ArrayList<>(new LSTM(IN, H, 1, true, false, 0.5, false, new SplittableRandom(1)).stateDict().keySet()), "one layer: nothing to drop between");
        assertThrows(IllegalArgumentException.class, () -> new GRU(IN, H, 2, true, false, 1.0, false, new SplittableRandom(1)));
    }

    @Test
    void unbatchedInputsAreABatchOfOne() {
        SplittableRandom rng = new SplittableRandom(9);
        Tensor x = Tensor.randn(DType.FLOAT64, rng, T, IN), h = Tensor.randn(DType.FLOAT64, rng, 4, H), c = Tensor.randn(DType.FLOAT64, rng, 4, H);
        for (boolean batchFirst : new boolean[] {false, true}) {
            LSTM lstm = new LSTM(IN, H, 2, true, batchFirst, 0, true, rng);
            LSTM.Output one = lstm.forward(x, new LSTM.State(h, c));
            LSTM.Output batched = lstm.forward(x.unsqueeze(batchFirst ? 0 : 1), new LSTM.State(h.unsqueeze(1), c.unsqueeze(1)));
            assertTrue(one.output().contentEquals(batched.output().squeeze(batchFirst ? 0 : 1)) && one.state().c().contentEquals(batched.state().c().squeeze(1)));
            GRU gru = new GRU(IN, H, 2, true, batchFirst, 0, true, rng);
            GRU.Output g1 = gru.forward(x, h), gb = gru.forward(x.unsqueeze(batchFirst ? 0 : 1), h.unsqueeze(1));
            assertTrue(g1.output().contentEquals(gb.output().squeeze(batchFirst ? 0 : 1)) && g1.h().contentEquals(gb.h().squeeze(1)));
            assertArrayEquals(new int[] {T, 2 * H}, g1.output().shape());
        }
        LSTMCell lc = new LSTMCell(IN, H, rng);
        LSTM.State s = lc.forward(x.select(0, 0), new LSTM.State(h.select(0, 0), c.select(0, 0)));
        assertArrayEquals(new int[] {H}, s.h().shape());
        assertTrue(s.c().contentEquals(lc.forward(x.narrow(0, 0, 1), new LSTM.State(h.narrow(0, 0, 1), c.narrow(0, 0, 1))).c().squeeze(0)));
        GRUCell gc = new GRUCell(IN, H, rng);
        assertTrue(gc.forward(x.select(0, 1), h.select(0, 1)).contentEquals(gc.forward(x.narrow(0, 1, 1), h.narrow(0, 1, 1)).squeeze(0)));
    }

    @Test
    void badShapesNameTheShapes() {
        LSTM lstm = new LSTM(3, 4, 2, new SplittableRandom(1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> lstm.forward(Tensor.zeros(5, 2, 7)));
        assertTrue(e.getMessage().contains("[5,2,7]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> lstm.forward(Tensor.zeros(5, 2, 3), new LSTM.State(Tensor.zeros(1, 2, 4), Tensor.zeros(2, 2, 4))));
        assertTrue(e.getMessage().contains("[1,2,4]") && e.getMessage().contains("[2,2,4]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new GRU(0, 4, 1, new SplittableRandom(1)));
    }
}
