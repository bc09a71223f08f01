package dev.descent.onnx;

import static dev.descent.onnx.OnnxWriter.attrFloat;
import static dev.descent.onnx.OnnxWriter.attrFloats;
import static dev.descent.onnx.OnnxWriter.attrInt;
import static dev.descent.onnx.OnnxWriter.attrString;
import static dev.descent.onnx.OnnxWriter.attrStrings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ONNX LSTM and GRU against a plain float64 loop written from the operator specification's equations (gate orders
 * i, o, f, c and z, r, h; both GRU variants; peepholes; sequence_lens), in every direction and both layouts.
 */
class OnnxRecurrentTest {
    @TempDir
    Path dir;

    private OnnxModel load(byte[] bytes) throws Exception {
        Path f = dir.resolve("rnn.onnx");
        Files.write(f, bytes);
        return OnnxModel.read(f);
    }

    // ------------------------------------------------------------------ the reference, from the spec

    private static double sigmoid(double v) {
        return 1 / (1 + Math.exp(-v));
    }

    private static DoubleUnaryOperator act(String name) {
        return switch (name) {
            case "Sigmoid" -> OnnxRecurrentTest::sigmoid;
            case "Tanh" -> Math::tanh;
            case "Relu" -> v -> Math.max(0, v);
            case "Softsign" -> v -> v / (1 + Math.abs(v));
            case "Softplus" -> v -> Math.log(1 + Math.exp(v));
            default -> throw new AssertionError(name);
        };
    }

    /** Everything a reference run needs, time-major: x [T][B][I], w [D][G·H][I], r [D][G·H][H], b [D][2·G·H]. */
    private record Case(boolean lstm, boolean rnn, int dirs, boolean reverseOnly, double[][][] x, double[][][] w, double[][][] r, double[][] b,
                        long[] lens, double[][][] h0, double[][][] c0, double[][] p, String[] acts, boolean linearBeforeReset) {}

    /** Y [T][D][B][H], Y_h [D][B][H], Y_c [D][B][H] (null for GRU). */
    private record Result(double[][][][] y, double[][][] yh, double[][][] yc) {}

    private static double dot(double[] row, double[] v) {
        double s = 0;
        for (int k = 0; k < v.length; k++) s += row[k] * v[k];
        return s;
    }

    private static Result reference(Case c, int hid) {
        int steps = c.x.length, batch = c.x[0].length;
        double[][][][] y = new double[steps][c.dirs][batch][hid];
        double[][][] yh = new double[c.dirs][batch][hid], yc = new double[c.dirs][batch][hid];
        int per = c.lstm ? 3 : c.rnn ? 1 : 2, g = c.lstm ? 4 : c.rnn ? 1 : 3;
        for (int d = 0; d < c.dirs; d++) {
            boolean reverse = d == 1 || c.reverseOnly;
            DoubleUnaryOperator f = act(c.acts[d * per]), gg = c.rnn ? null : act(c.acts[d * per + 1]), hh = c.lstm ? act(c.acts[d * per + 2]) : null;
            for (int bi = 0; bi < batch; bi++) {
                int len = c.lens == null ? steps : (int) c.lens[bi];
                double[] h = new double[hid], cell = new double[hid];
                if (c.h0 != null) h = c.h0[d][bi].clone();
                if (c.c0 != null) cell = c.c0[d][bi].clone();
                for (int k = 0; k < len; k++) {
                    int t = reverse ? len - 1 - k : k;
                    double[] xt = c.x[t][bi];
                    double[] hn = new double[hid], cn = new double[hid];
                    for (int j = 0; j < hid; j++) {
                        // gate q's pre-activation part from x and from h: rows q·H + j of W and R, biases Wb then Rb.
                        double[] wx = new double[g], rh = new double[g];
                        for (int q = 0; q < g; q++) {
                            wx[q] = dot(c.w[d][q * hid + j], xt) + (c.b == null ? 0 : c.b[d][q * hid + j]);
                            rh[q] = dot(c.r[d][q * hid + j], h) + (c.b == null ? 0 : c.b[d][g * hid + q * hid + j]);
                        }
                        if (c.lstm) {
                            double pi = c.p == null ? 0 : c.p[d][j], po = c.p == null ? 0 : c.p[d][hid + j], pf = c.p == null ? 0 : c.p[d][2 * hid + j];
                            double i = f.applyAsDouble(wx[0] + rh[0] + pi * cell[j]);
                            double fg = f.applyAsDouble(wx[2] + rh[2] + pf * cell[j]);
                            double ct = gg.applyAsDouble(wx[3] + rh[3]);
                            cn[j] = fg * cell[j] + i * ct;
                            double o = f.applyAsDouble(wx[1] + rh[1] + po * cn[j]);
                            hn[j] = o * hh.applyAsDouble(cn[j]);
                        } else if (c.rnn) {
                            hn[j] = f.applyAsDouble(wx[0] + rh[0]);
                        } else {
                            double z = f.applyAsDouble(wx[0] + rh[0]);
                            double rg = f.applyAsDouble(wx[1] + rh[1]);
                            double cand;
                            double rbh = c.b == null ? 0 : c.b[d][g * hid + 2 * hid + j];
                            if (c.linearBeforeReset) {
                                cand = wx[2] + rg * (dot(c.r[d][2 * hid + j], h) + rbh);
                            } else {
                                double[] rhp = new double[hid];
                                // (r ⊙ h)·Rhᵀ needs every r_m, so compute the reset gate for all m.
                                for (int m = 0; m < hid; m++) {
                                    double wxm = dot(c.w[d][hid + m], xt) + (c.b == null ? 0 : c.b[d][hid + m]);
                                    double rhm = dot(c.r[d][hid + m], h) + (c.b == null ? 0 : c.b[d][g * hid + hid + m]);
                                    rhp[m] = f.applyAsDouble(wxm + rhm) * h[m];
                                }
                                cand = wx[2] + dot(c.r[d][2 * hid + j], rhp) + rbh;
                            }
                            double ht = gg.applyAsDouble(cand);
                            hn[j] = (1 - z) * ht + z * h[j];
                        }
                    }
                    h = hn;
                    cell = cn;
                    y[t][d][bi] = h.clone();
                }
                yh[d][bi] = h;
                yc[d][bi] = cell;
            }
        }
        return new Result(y, yh, c.lstm ? yc : null);
    }

    // ------------------------------------------------------------------ building models

    private static double[] values(Tensor t) {
        return t.to(DType.FLOAT64).contiguous().toDoubleArray();
    }

    private static double[][][] as3(Tensor t) {
        double[] v = values(t);
        int a = t.size(0), b = t.size(1), c = t.size(2);
        double[][][] r = new double[a][b][c];
        for (int i = 0; i < a; i++) for (int j = 0; j < b; j++) for (int k = 0; k < c; k++) r[i][j][k] = v[(i * b + j) * c + k];
        return r;
    }

    private static double[][] as2(Tensor t) {
        double[] v = values(t);
        int a = t.size(0), b = t.size(1);
        double[][] r = new double[a][b];
        for (int i = 0; i < a; i++) for (int j = 0; j < b; j++) r[i][j] = v[i * b + j];
        return r;
    }

    /** One configuration, as a model plus its inputs and the reference's answers. */
    private static final class Setup {
        final OnnxWriter.Graph graph = new OnnxWriter.Graph();
        final Map<String, Tensor> inputs = new LinkedHashMap<>();
        Case c;
        int hid;
        boolean batchFirst;
    }

    private static Setup setup(boolean lstm, String direction, int layout, boolean withInitial, boolean withBias, int batch, boolean linearBeforeReset,
                               long seed, long[] lens, boolean peepholes, String[] acts, DType dtype) {
        return setup(lstm ? "LSTM" : "GRU", direction, layout, withInitial, withBias, batch, linearBeforeReset, seed, lens, peepholes, acts, dtype);
    }

    private static Setup setup(String op, String direction, int layout, boolean withInitial, boolean withBias, int batch, boolean linearBeforeReset,
                               long seed, long[] lens, boolean peepholes, String[] acts, DType dtype) {
        SplittableRandom rng = new SplittableRandom(seed);
        boolean lstm = op.equals("LSTM"), rnn = op.equals("RNN");
        int steps = 4, in = 3, hid = 5, g = lstm ? 4 : rnn ? 1 : 3, dirs = direction.equals("bidirectional") ? 2 : 1;
        Setup s = new Setup();
        s.hid = hid;
        s.batchFirst = layout == 1;
        Tensor xt = Tensor.randn(rng, steps, batch, in).to(dtype); // time-major for the reference
        Tensor w = Tensor.randn(rng, dirs, g * hid, in).mul(0.5).to(dtype), r = Tensor.randn(rng, dirs, g * hid, hid).mul(0.5).to(dtype);
        Tensor b = Tensor.randn(rng, dirs, 2 * g * hid).mul(0.5).to(dtype);
        Tensor h0 = Tensor.randn(rng, dirs, batch, hid).to(dtype), c0 = Tensor.randn(rng, dirs, batch, hid).to(dtype);
        Tensor p = Tensor.randn(rng, dirs, 3 * hid).mul(0.5).to(dtype);
        List<String> ins = new ArrayList<>(List.of("X", "W", "R", withBias ? "B" : ""));
        s.graph.init("W", w).init("R", r);
        if (withBias) s.graph.init("B", b);
        s.inputs.put("X", layout == 1 ? xt.transpose(0, 1).contiguous() : xt);
        s.graph.input("X", layout == 1 ? new long[] {batch, steps, in} : new long[] {steps, batch, in});
        if (lens != null) {
            s.graph.init("lens", Tensor.of(lens, lens.length));
            ins.add("lens");
        } else if (withInitial || peepholes) {
            ins.add("");
        }
        if (withInitial) {
            ins.add("h0");
            s.inputs.put("h0", layout == 1 ? h0.transpose(0, 1).contiguous() : h0);
            s.graph.input("h0", -1, -1, hid);
            if (lstm) {
                ins.add("c0");
                s.inputs.put("c0", layout == 1 ? c0.transpose(0, 1).contiguous() : c0);
                s.graph.input("c0", -1, -1, hid);
            }
        } else if (peepholes) {
            ins.addAll(List.of("", ""));
        }
        if (peepholes) {
            ins.add("P");
            s.graph.init("P", p);
        }
        List<ProtoWriter> attrs = new ArrayList<>(List.of(attrString("direction", direction), attrInt("hidden_size", hid)));
        if (layout != 0) attrs.add(attrInt("layout", layout));
        if (op.equals("GRU")) attrs.add(attrInt("linear_before_reset", linearBeforeReset ? 1 : 0));
        if (acts != null) attrs.add(attrStrings("activations", acts));
        List<String> outs = lstm ? List.of("Y", "Y_h", "Y_c") : List.of("Y", "Y_h");
        s.graph.node(op, "rnn", ins, outs, attrs.toArray(ProtoWriter[]::new));
        for (String o : outs) s.graph.output(o);
        String[] a = acts;
        if (a == null) {
            String[] one = lstm ? new String[] {"Sigmoid", "Tanh", "Tanh"} : rnn ? new String[] {"Tanh"} : new String[] {"Sigmoid", "Tanh"};
            a = new String[one.length * dirs];
            for (int d = 0; d < dirs; d++) System.arraycopy(one, 0, a, d * one.length, one.length);
        }
        s.c = new Case(lstm, rnn, dirs, direction.equals("reverse"), as3(xt), as3(w), as3(r), withBias ? as2(b) : null, lens,
                withInitial ? as3(h0) : null, withInitial && lstm ? as3(c0) : null, peepholes ? as2(p) : null, a, linearBeforeReset);
        return s;
    }

    private static void close(String what, double expected, double actual, double tol) {
        assertTrue(Math.abs(expected - actual) <= tol * (1 + Math.abs(expected)), what + ": expected " + expected + ", got " + actual);
    }

    /** Compares the model's outputs with the reference's, reading them in the node's layout. */
    private void check(Setup s, OnnxModel m, double tol) {
        Map<String, Tensor> out = m.run(s.inputs);
        Result ref = reference(s.c, s.hid);
        int steps = ref.y.length, dirs = ref.yh.length, batch = ref.yh[0].length;
        Tensor y = out.get("Y"), yh = out.get("Y_h"), yc = out.get("Y_c");
        int[] yShape = s.batchFirst ? new int[] {batch, steps, dirs, s.hid} : new int[] {steps, dirs, batch, s.hid};
        int[] hShape = s.batchFirst ? new int[] {batch, dirs, s.hid} : new int[] {dirs, batch, s.hid};
        assertEquals(List.of(yShape[0], yShape[1], yShape[2], yShape[3]), List.of(y.size(0), y.size(1), y.size(2), y.size(3)), "Y's shape");
        assertEquals(List.of(hShape[0], hShape[1], hShape[2]), List.of(yh.size(0), yh.size(1), yh.size(2)), "Y_h's shape");
        for (int t = 0; t < steps; t++) {
            for (int d = 0; d < dirs; d++) {
                for (int b = 0; b < batch; b++) {
                    for (int j = 0; j < s.hid; j++) {
                        double v = s.batchFirst ? y.get(b, t, d, j) : y.get(t, d, b, j);
                        close("Y[t=" + t + ", d=" + d + ", b=" + b + ", " + j + "]", ref.y[t][d][b][j], v, tol);
                        if (t == 0) {
                            close("Y_h[d=" + d + ", b=" + b + ", " + j + "]", ref.yh[d][b][j], s.batchFirst ? yh.get(b, d, j) : yh.get(d, b, j), tol);
                            if (ref.yc != null) close("Y_c[d=" + d + ", b=" + b + ", " + j + "]", ref.yc[d][b][j], s.batchFirst ? yc.get(b, d, j) : yc.get(d, b, j), tol);
                        }
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------------ tests

    @Test
    void lstmMatchesTheSpecInEveryDirectionLayoutAndStateChoice() throws Exception {
        long seed = 10;
        for (String direction : List.of("forward", "reverse", "bidirectional")) {
            for (int layout : new int[] {0, 1}) {
                for (boolean initial : new boolean[] {false, true}) {
                    for (int batch : new int[] {1, 3}) {
                        Setup s = setup(true, direction, layout, initial, batch == 3, batch, false, seed++, null, false, null, DType.FLOAT32);
                        check(s, load(s.graph.model(layout == 1 ? 14 : 7 + (int) (seed % 2) * 6)), 1e-5);
                    }
                }
            }
        }
    }

    @Test
    void gruMatchesTheSpecInEveryDirectionLayoutStateChoiceAndBothResetPlacements() throws Exception {
        long seed = 100;
        for (boolean lbr : new boolean[] {false, true}) {
            for (String direction : List.of("forward", "reverse", "bidirectional")) {
                for (int layout : new int[] {0, 1}) {
                    for (boolean initial : new boolean[] {false, true}) {
                        for (int batch : new int[] {1, 3}) {
                            Setup s = setup(false, direction, layout, initial, batch == 1 || initial, batch, lbr, seed++, null, false, null, DType.FLOAT32);
                            check(s, load(s.graph.model(layout == 1 ? 21 : 7 + (int) (seed % 3) * 4)), 1e-5);
                        }
                    }
                }
            }
        }
    }

    @Test
    void rnnMatchesTheSpecInEveryDirectionAndLayoutWithItsActivations() throws Exception {
        long seed = 200;
        for (String direction : List.of("forward", "reverse", "bidirectional")) {
            for (int layout : new int[] {0, 1}) {
                Setup s = setup("RNN", direction, layout, layout == 1, true, 3, false, seed++, null, false, null, DType.FLOAT32);
                check(s, load(s.graph.model(layout == 1 ? 14 : 7)), 1e-5);
            }
        }
        Setup s = setup("RNN", "bidirectional", 0, true, false, 2, false, seed, new long[] {2, 4}, false, new String[] {"Relu", "Softsign"}, DType.FLOAT32);
        check(s, load(s.graph.model(13)), 1e-5);
    }

    /** Rows of a [gates·H, n] PyTorch weight (or [gates·H] bias) in the block order {@code blocks}. */
    private static Tensor reorder(Tensor t, int hid, int... blocks) {
        List<Tensor> parts = new ArrayList<>();
        for (int b : blocks) parts.add(t.narrow(0, b * hid, hid));
        return Tensor.cat(parts, 0);
    }

    @Test
    void lstmAndGruEqualDescentsPyTorchStyleLayersWithTheGatesReordered() throws Exception {
        // An independent check of the gate orders: nn.LSTM (i, f, g, o) and nn.GRU (r, z, n; PyTorch's GRU is
        // linear_before_reset = 1) are tested against libtorch; ONNX holds i, o, f, c and z, r, h.
        SplittableRandom rng = new SplittableRandom(61);
        int steps = 5, batch = 2, in = 3, hid = 4;
        for (boolean lstm : new boolean[] {true, false}) {
            dev.descent.nn.Module layer = lstm ? new dev.descent.nn.LSTM(in, hid, 1, true, false, 0, true, rng) : new dev.descent.nn.GRU(in, hid, 1, true, false, 0, true, rng);
            int[] blocks = lstm ? new int[] {0, 3, 1, 2} : new int[] {1, 0, 2};
            List<Tensor> ws = new ArrayList<>(), rs = new ArrayList<>(), bs = new ArrayList<>();
            for (String suffix : List.of("l0", "l0_reverse")) {
                Map<String, dev.descent.core.Parameter> p = layer.namedParameters();
                ws.add(reorder(p.get("weight_ih_" + suffix), hid, blocks));
                rs.add(reorder(p.get("weight_hh_" + suffix), hid, blocks));
                bs.add(Tensor.cat(List.of(reorder(p.get("bias_ih_" + suffix), hid, blocks), reorder(p.get("bias_hh_" + suffix), hid, blocks)), 0));
            }
            OnnxWriter.Graph g = new OnnxWriter.Graph().init("W", Tensor.stack(ws, 0).detach()).init("R", Tensor.stack(rs, 0).detach())
                    .init("B", Tensor.stack(bs, 0).detach()).input("X", steps, batch, in).input("h0", 2, batch, hid).output("Y").output("Y_h");
            List<String> ins = new ArrayList<>(List.of("X", "W", "R", "B", "", "h0"));
            List<String> outs = new ArrayList<>(List.of("Y", "Y_h"));
            if (lstm) {
                g.input("c0", 2, batch, hid).output("Y_c");
                ins.add("c0");
                outs.add("Y_c");
            }
            List<ProtoWriter> attrs = new ArrayList<>(List.of(attrString("direction", "bidirectional"), attrInt("hidden_size", hid)));
            if (!lstm) attrs.add(attrInt("linear_before_reset", 1));
            g.node(lstm ? "LSTM" : "GRU", "rnn", ins, outs, attrs.toArray(ProtoWriter[]::new));
            Tensor x = Tensor.randn(rng, steps, batch, in), h0 = Tensor.randn(rng, 2, batch, hid), c0 = Tensor.randn(rng, 2, batch, hid);
            Map<String, Tensor> inputs = lstm ? Map.of("X", x, "h0", h0, "c0", c0) : Map.of("X", x, "h0", h0);
            Map<String, Tensor> out = load(g.model(14)).run(inputs);
            Tensor expectY, expectH, expectC = null;
            if (lstm) {
                var o = ((dev.descent.nn.LSTM) layer).forward(x, new dev.descent.nn.LSTM.State(h0, c0));
                expectY = o.output();
                expectH = o.state().h();
                expectC = o.state().c();
            } else {
                var o = ((dev.descent.nn.GRU) layer).forward(x, h0);
                expectY = o.output();
                expectH = o.h();
            }
            // ONNX's Y [T, D, B, H] is PyTorch's output [T, B, D·H] with the directions split out.
            Tensor y = out.get("Y").permute(0, 2, 1, 3).reshape(steps, batch, 2 * hid);
            double[] a = values(expectY), b = values(y);
            for (int k = 0; k < a.length; k++) close((lstm ? "LSTM" : "GRU") + " Y[" + k + "]", a[k], b[k], 1e-5);
            a = values(expectH);
            b = values(out.get("Y_h"));
            for (int k = 0; k < a.length; k++) close((lstm ? "LSTM" : "GRU") + " Y_h[" + k + "]", a[k], b[k], 1e-5);
            if (lstm) {
                a = values(expectC);
                b = values(out.get("Y_c"));
                for (int k = 0; k < a.length; k++) close("LSTM Y_c[" + k + "]", a[k], b[k], 1e-5);
            }
        }
    }

    @Test
    void sequenceLengthsStopEachBatchEntryAtItsOwnLength() throws Exception {
        long[] lens = {4, 1, 3};
        for (boolean lstm : new boolean[] {true, false}) {
            for (int layout : new int[] {0, 1}) {
                Setup s = setup(lstm, "bidirectional", layout, true, true, 3, true, 7 + layout, lens, false, null, DType.FLOAT32);
                check(s, load(s.graph.model(14)), 1e-5);
            }
            Setup s = setup(lstm, "reverse", 0, false, true, 3, false, 9, lens, false, null, DType.FLOAT32);
            check(s, load(s.graph.model(13)), 1e-5);
        }
    }

    @Test
    void lstmPeepholesAndOtherActivationsMatchTheSpec() throws Exception {
        Setup s = setup(true, "bidirectional", 0, true, true, 2, false, 21, null, true, null, DType.FLOAT32);
        check(s, load(s.graph.model(14)), 1e-5);
        s = setup(true, "bidirectional", 1, false, true, 2, false, 22, null, true,
                new String[] {"Sigmoid", "Relu", "Softsign", "Softsign", "Tanh", "Softplus"}, DType.FLOAT32);
        check(s, load(s.graph.model(14)), 1e-5);
        s = setup(false, "bidirectional", 0, true, true, 2, true, 23, null, false, new String[] {"Softsign", "Relu", "Sigmoid", "Softplus"}, DType.FLOAT32);
        check(s, load(s.graph.model(14)), 1e-5);
    }

    @Test
    void anySubsetOfTheOutputsCanBeAskedFor() throws Exception {
        Setup full = setup(true, "forward", 0, true, true, 2, false, 31, null, false, null, DType.FLOAT32);
        Map<String, Tensor> all = load(full.graph.model(14)).run(full.inputs);
        // The same model with only Y_c asked for.
        Setup only = setup(true, "forward", 0, true, true, 2, false, 31, null, false, null, DType.FLOAT32);
        only.graph.nodes.clear();
        only.graph.outputs.clear();
        only.graph.node("LSTM", "rnn", List.of("X", "W", "R", "B", "", "h0", "c0"), List.of("", "", "Y_c"), attrInt("hidden_size", 5));
        only.graph.output("Y_c");
        Map<String, Tensor> one = load(only.graph.model(14)).run(only.inputs);
        assertEquals(List.of("Y_c"), List.copyOf(one.keySet()));
        double[] a = values(all.get("Y_c")), b = values(one.get("Y_c"));
        for (int k = 0; k < a.length; k++) assertEquals(a[k], b[k], 0.0, "Y_c[" + k + "]");
    }

    @Test
    void gradientsFlowToTheInputTheStatesAndTheWeightsAsFiniteDifferencesSay() throws Exception {
        for (boolean lstm : new boolean[] {true, false}) {
            Setup s = setup(lstm, "bidirectional", 1, true, true, 2, true, 41, new long[] {4, 2}, false, null, DType.FLOAT64);
            OnnxModel m = load(s.graph.model(14));
            Tensor x = s.inputs.get("X").requiresGrad(true), h0 = s.inputs.get("h0").requiresGrad(true);
            Map<String, Tensor> in = new HashMap<>(s.inputs);
            in.put("X", x);
            in.put("h0", h0);
            Tensor weights = Tensor.randn(new SplittableRandom(5), 2, 4, 2, 5).to(DType.FLOAT64);
            loss(m.run(in), weights).backward();
            // d loss / d X and d loss / d h0 against central differences.
            for (String name : List.of("X", "h0")) {
                Tensor grad = (name.equals("X") ? x : h0).grad();
                assertNotNull(grad, name + " has a gradient");
                double[] base = values(s.inputs.get(name)), gv = values(grad);
                for (int k = 0; k < base.length; k += 3) {
                    double[] plus = base.clone(), minus = base.clone();
                    plus[k] += 1e-6;
                    minus[k] -= 1e-6;
                    Map<String, Tensor> p = new HashMap<>(s.inputs), q = new HashMap<>(s.inputs);
                    p.put(name, Tensor.of(plus, s.inputs.get(name).shape()));
                    q.put(name, Tensor.of(minus, s.inputs.get(name).shape()));
                    double fd = (loss(m.run(p), weights).item() - loss(m.run(q), weights).item()) / 2e-6;
                    close((lstm ? "LSTM" : "GRU") + " d/d" + name + "[" + k + "]", fd, gv[k], 1e-6);
                }
            }
            // The weights are parameters: W, R and B all get gradients; one entry of R against a central difference.
            for (String p : List.of("W", "R", "B")) assertNotNull(m.namedParameters().get(p).grad(), p + " has a gradient");
            Tensor r = m.namedParameters().get("R");
            double analytic = r.grad().get(1, 3, 2);
            double before = r.get(1, 3, 2);
            double[] fd = new double[2];
            for (int sign = 0; sign < 2; sign++) {
                try (var ng = dev.descent.core.autograd.GradMode.noGrad()) {
                    r.set(before + (sign == 0 ? 1e-6 : -1e-6), 1, 3, 2);
                    fd[sign] = loss(m.run(s.inputs), weights).item();
                }
            }
            try (var ng = dev.descent.core.autograd.GradMode.noGrad()) {
                r.set(before, 1, 3, 2);
            }
            close((lstm ? "LSTM" : "GRU") + " d/dR[1,3,2]", (fd[0] - fd[1]) / 2e-6, analytic, 1e-6);
        }
    }

    /** A scalar that depends on Y and Y_h: sum(Y ⊙ weights) + sum(Y_h). */
    private static Tensor loss(Map<String, Tensor> out, Tensor weights) {
        return out.get("Y").mul(weights).sum().add(out.get("Y_h").sum());
    }

    // ------------------------------------------------------------------ load-time refusals

    private String refusal(String op, long opset, ProtoWriter... attrs) {
        SplittableRandom rng = new SplittableRandom(3);
        int g = op.equals("LSTM") ? 4 : 3;
        OnnxWriter.Graph graph = new OnnxWriter.Graph().init("W", Tensor.randn(rng, 1, g * 2, 3)).init("R", Tensor.randn(rng, 1, g * 2, 2))
                .input("X", 4, 1, 3).output("Y")
                .node(op, "my_rnn", List.of("X", "W", "R"), List.of("Y"), attrs);
        String msg = assertThrows(OnnxException.class, () -> load(graph.model(opset))).getMessage();
        assertTrue(msg.contains("'my_rnn'") && msg.contains("op " + op) && msg.contains("opset " + opset), msg);
        assertEquals(-1, msg.indexOf('\n'), "one line: " + msg);
        return msg;
    }

    @Test
    void unsupportedAttributesFailAtLoadNamingTheOpNodeAttributeAndOpset() throws Exception {
        assertTrue(refusal("LSTM", 14, attrFloat("clip", 3f)).contains("'clip'"));
        assertTrue(refusal("GRU", 14, attrFloat("clip", 3f)).contains("'clip'"));
        assertTrue(refusal("LSTM", 14, attrInt("input_forget", 1)).contains("'input_forget'"));
        assertTrue(refusal("GRU", 14, attrStrings("activations", "LeakyRelu", "Tanh"), attrFloats("activation_alpha", 0.1f)).contains("'activation_alpha'"));
        assertTrue(refusal("GRU", 14, attrStrings("activations", "LeakyRelu", "Tanh")).contains("'LeakyRelu'"));
        assertTrue(refusal("LSTM", 14, attrStrings("activations", "Sigmoid", "Tanh")).contains("'activations'"));
        assertTrue(refusal("LSTM", 13, attrInt("layout", 1)).contains("'layout'"));
        assertTrue(refusal("GRU", 14, attrString("direction", "sideways")).contains("'direction'"));
        assertTrue(refusal("LSTM", 14, attrInt("hidden_size", 3)).contains("'R'"));
        assertTrue(refusal("GRU", 14, attrFloats("activation_beta", 1f)).contains("'activation_beta'"));
        assertTrue(refusal("GRU", 14, attrInt("some_future_attribute", 1)).contains("'some_future_attribute'"));
    }

    @Test
    void sequenceLengthsOutsideOneToTheSequenceLengthFailAtRunTimeNamingTheNode() throws Exception {
        Setup s = setup(false, "forward", 0, false, true, 3, true, 51, new long[] {4, 0, 2}, false, null, DType.FLOAT32);
        OnnxModel m = load(s.graph.model(14));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.run(s.inputs));
        assertTrue(e.getMessage().contains("'rnn'") && e.getMessage().contains("sequence_lens"), e.getMessage());
    }
}
