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

    /** The reference's inputs and outputs: x and the states in the layer's layout, flattened. */
    interface Reference {
        /** Returns {output, hn, cn} (cn null for a GRU). */
        double[][] run(Map<String, double[]> params, double[] x, double[] h0, double[] c0, boolean batchFirst);
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

    /** LSTM, gate order i, f, g, o: c' = σ(f)c + σ(i)tanh(g), h' = σ(o)tanh(c'). */
    static double[][] lstmRef(Map<String, double[]> p, double[] x, double[] h0, double[] c0, boolean batchFirst) {
        double[] in = x;
        int width = IN;
        double[] hn = new double[LAYERS * B * H], cn = new double[LAYERS * B * H];
        for (int l = 0; l < LAYERS; l++) {
            double[] wih = p.get("weight_ih_l" + l), whh = p.get("weight_hh_l" + l), bih = p.get("bias_ih_l" + l), bhh = p.get("bias_hh_l" + l);
            double[] out = new double[T * B * H];
            for (int b = 0; b < B; b++) {
                double[] h = new double[H], c = new double[H];
                for (int k = 0; k < H; k++) {
                    h[k] = h0[(l * B + b) * H + k];
                    c[k] = c0[(l * B + b) * H + k];
                }
                for (int t = 0; t < T; t++) {
                    double[] g = new double[4 * H];
                    for (int k = 0; k < 4 * H; k++) g[k] = bih[k] + bhh[k] + dot(wih, k, width, in, xAt(t, b, batchFirst, width)) + dot(whh, k, H, h, 0);
                    double[] h2 = new double[H];
                    for (int k = 0; k < H; k++) {
                        double i = sigmoid(g[k]), f = sigmoid(g[H + k]), gg = Math.tanh(g[2 * H + k]), o = sigmoid(g[3 * H + k]);
                        c[k] = f * c[k] + i * gg;
                        h2[k] = o * Math.tanh(c[k]);
                    }
                    h = h2;
                    System.arraycopy(h, 0, out, xAt(t, b, batchFirst, H), H);
                }
                System.arraycopy(h, 0, hn, (l * B + b) * H, H);
                System.arraycopy(c, 0, cn, (l * B + b) * H, H);
            }
            in = out;
            width = H;
        }
        return new double[][] {in, hn, cn};
    }

    /** GRU, gate order r, z, n: n = tanh(W_in x + b_in + r(W_hn h + b_hn)), h' = (1 − z)n + zh. */
    static double[][] gruRef(Map<String, double[]> p, double[] x, double[] h0, double[] c0, boolean batchFirst) {
        double[] in = x;
        int width = IN;
        double[] hn = new double[LAYERS * B * H];
        for (int l = 0; l < LAYERS; l++) {
            double[] wih = p.get("weight_ih_l" + l), whh = p.get("weight_hh_l" + l), bih = p.get("bias_ih_l" + l), bhh = p.get("bias_hh_l" + l);
            double[] out = new double[T * B * H];
            for (int b = 0; b < B; b++) {
                double[] h = new double[H];
                for (int k = 0; k < H; k++) h[k] = h0[(l * B + b) * H + k];
                for (int t = 0; t < T; t++) {
                    int xo = xAt(t, b, batchFirst, width);
                    double[] h2 = new double[H];
                    for (int k = 0; k < H; k++) {
                        double r = sigmoid(bih[k] + dot(wih, k, width, in, xo) + bhh[k] + dot(whh, k, H, h, 0));
                        double z = sigmoid(bih[H + k] + dot(wih, H + k, width, in, xo) + bhh[H + k] + dot(whh, H + k, H, h, 0));
                        double n = Math.tanh(bih[2 * H + k] + dot(wih, 2 * H + k, width, in, xo) + r * (bhh[2 * H + k] + dot(whh, 2 * H + k, H, h, 0)));
                        h2[k] = (1 - z) * n + z * h[k];
                    }
                    h = h2;
                    System.arraycopy(h, 0, out, xAt(t, b, batchFirst, H), H);
                }
                System.arraycopy(h, 0, hn, (l * B + b) * H, H);
            }
            in = out;
            width = H;
        }
        return new double[][] {in, hn, null};
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
    static double numeric(Reference ref, Map<String, double[]> p, double[] x, double[] h0, double[] c0, boolean bf, double[][] w, double[] v, int i) {
        double keep = v[i], eps = 1e-6;
        v[i] = keep + eps;
        double up = weighted(ref.run(p, x, h0, c0, bf), w);
        v[i] = keep - eps;
        double down = weighted(ref.run(p, x, h0, c0, bf), w);
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

    void checkAgainstReference(boolean lstm, boolean batchFirst) {
        SplittableRandom rng = new SplittableRandom(lstm ? 11 : 12);
        Module layer = lstm ? new LSTM(IN, H, LAYERS, true, batchFirst, rng) : new GRU(IN, H, LAYERS, true, batchFirst, rng);
        Reference ref = lstm ? RecurrentTest::lstmRef : RecurrentTest::gruRef;
        Map<String, double[]> params = new LinkedHashMap<>();
        layer.namedParameters().forEach((k, v) -> params.put(k, v.toDoubleArray()));
        int[] xShape = batchFirst ? new int[] {B, T, IN} : new int[] {T, B, IN};
        double[] x = randoms(rng, T * B * IN), h0 = randoms(rng, LAYERS * B * H), c0 = randoms(rng, LAYERS * B * H);
        // float64 input and states: the layer computes in float64 on the (float32) parameters' exact values.
        Tensor xt = Tensor.of(x, xShape).requiresGrad(true);
        Tensor ht = Tensor.of(h0, LAYERS, B, H).requiresGrad(true), ct = Tensor.of(c0, LAYERS, B, H).requiresGrad(true);
        int[] outShape = batchFirst ? new int[] {B, T, H} : new int[] {T, B, H};
        double[][] w = {randoms(rng, T * B * H), randoms(rng, LAYERS * B * H), randoms(rng, LAYERS * B * H)};
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
        assertArrayEquals(new int[] {LAYERS, B, H}, hn.shape());
        String name = (lstm ? "LSTM" : "GRU") + (batchFirst ? " batch first" : " time major");
        double[][] want = ref.run(params, x, h0, c0, batchFirst);
        assertClose(want[0], out.toDoubleArray(), 1e-12, name + " output");
        assertClose(want[1], hn.toDoubleArray(), 1e-12, name + " hn");
        if (lstm) assertClose(want[2], cn.toDoubleArray(), 1e-12, name + " cn");

        Tensor loss = out.mul(Tensor.of(w[0], outShape)).sum().add(hn.mul(Tensor.of(w[1], LAYERS, B, H)).sum());
        if (lstm) loss = loss.add(cn.mul(Tensor.of(w[2], LAYERS, B, H)).sum());
        loss.backward();
        double[][] weights = lstm ? w : new double[][] {w[0], w[1], null};
        for (Map.Entry<String, Parameter> e : layer.namedParameters().entrySet()) {
            double[] v = params.get(e.getKey()), numeric = new double[v.length];
            for (int i = 0; i < v.length; i++) numeric[i] = numeric(ref, params, x, h0, c0, batchFirst, weights, v, i);
            assertClose(numeric, e.getValue().grad().toDoubleArray(), 2e-6, name + " d/d" + e.getKey()); // the gradient is stored in float32
        }
        for (Object[] input : new Object[][] {{"x", x, xt}, {"h0", h0, ht}, {"c0", c0, ct}}) {
            if (!lstm && input[0].equals("c0")) continue;
            double[] v = (double[]) input[1], numeric = new double[v.length];
            for (int i = 0; i < v.length; i++) numeric[i] = numeric(ref, params, x, h0, c0, batchFirst, weights, v, i);
            assertClose(numeric, ((Tensor) input[2]).grad().toDoubleArray(), 1e-7, name + " d/d" + input[0]);
        }
    }

    @Test
    void lstmEqualsTheReferenceTimeMajor() {
        checkAgainstReference(true, false);
    }

    @Test
    void lstmEqualsTheReferenceBatchFirst() {
        checkAgainstReference(true, true);
    }

    @Test
    void gruEqualsTheReferenceTimeMajor() {
        checkAgainstReference(false, false);
    }

    @Test
    void gruEqualsTheReferenceBatchFirst() {
        checkAgainstReference(false, true);
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
    void badShapesNameTheShapes() {
        LSTM lstm = new LSTM(3, 4, 2, new SplittableRandom(1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> lstm.forward(Tensor.zeros(5, 2, 7)));
        assertTrue(e.getMessage().contains("[5,2,7]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> lstm.forward(Tensor.zeros(5, 2, 3), new LSTM.State(Tensor.zeros(1, 2, 4), Tensor.zeros(2, 2, 4))));
        assertTrue(e.getMessage().contains("[1,2,4]") && e.getMessage().contains("[2,2,4]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new GRU(0, 4, 1, new SplittableRandom(1)));
    }
}
