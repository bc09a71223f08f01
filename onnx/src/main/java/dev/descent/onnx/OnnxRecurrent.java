package dev.descent.onnx;

import dev.descent.core.DType;
import dev.descent.core.Shape;
import dev.descent.core.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * ONNX's recurrent ops LSTM, GRU and RNN (opsets 7 and 14; 14 adds {@code layout}), computed from the operator
 * specification's equations with Descent ops, so gradients flow to W, R, B, the initial states and the input.
 *
 * <p>ONNX's gate orders are its own: LSTM's W, R and B hold the gates i, o, f, c (PyTorch: i, f, g, o) and GRU's
 * z, r, h (PyTorch: r, z, n). LSTM, with f, g, h the activations (default Sigmoid, Tanh, Tanh), P the peepholes:
 * <pre>
 *   i = f(x·Wiᵀ + h·Riᵀ + Pi⊙c + Wbi + Rbi)      f' = f(x·Wfᵀ + h·Rfᵀ + Pf⊙c + Wbf + Rbf)
 *   c~ = g(x·Wcᵀ + h·Rcᵀ + Wbc + Rbc)           c' = f'⊙c + i⊙c~
 *   o = f(x·Woᵀ + h·Roᵀ + Po⊙c' + Wbo + Rbo)     h' = o⊙h(c')
 * </pre>
 * GRU, with f, g the activations (default Sigmoid, Tanh):
 * <pre>
 *   z = f(x·Wzᵀ + h·Rzᵀ + Wbz + Rbz)             r = f(x·Wrᵀ + h·Rrᵀ + Wbr + Rbr)
 *   h~ = g(x·Whᵀ + (r⊙h)·Rhᵀ + Rbh + Wbh)        (linear_before_reset = 0)
 *   h~ = g(x·Whᵀ + r⊙(h·Rhᵀ + Rbh) + Wbh)        (linear_before_reset ≠ 0, PyTorch's GRU)
 *   h' = (1 − z)⊙h~ + z⊙h
 * </pre>
 * RNN, with f the activation (default Tanh): {@code h' = f(x·Wᵀ + h·Rᵀ + Wb + Rb)}.
 * The reverse direction runs from the last step to the first. With {@code sequence_lens}, batch entry b runs its
 * first len[b] steps only (the reverse direction starts at step len[b] − 1): Y is zero after them, and Y_h, Y_c
 * are the states after the last step that ran.
 *
 * <p>Refused at load (naming the node and the attribute): {@code clip}, {@code activation_alpha},
 * {@code activation_beta}, activations other than Sigmoid, Tanh, Relu, Softsign and Softplus, LSTM's
 * {@code input_forget = 1}, and {@code layout} before opset 14.
 */
final class OnnxRecurrent {
    private OnnxRecurrent() {}

    /** The activation functions the recurrent ops accept (those with no alpha or beta), by ONNX's names. */
    private static final Map<String, UnaryOperator<Tensor>> ACTIVATIONS = Map.of(
            "sigmoid", Tensor::sigmoid,
            "tanh", Tensor::tanh,
            "relu", Tensor::relu,
            "softsign", x -> x.div(x.abs().add(1)),
            "softplus", Tensor::softplus);

    /** What LSTM and GRU share once their attributes are read. */
    private record Config(String op, int gates, int dirs, boolean reverseOnly, long hidden, boolean batchFirst, UnaryOperator<Tensor>[] act) {}

    static OnnxOps.Kernel lstm(NodeContext c) throws OnnxException {
        c.arity(3, 8, 0, 3);
        Config cfg = config(c, "LSTM", 4, 3, new String[] {"Sigmoid", "Tanh", "Tanh"});
        long inputForget = c.i("input_forget", 0);
        if (inputForget != 0) throw c.unsupported("attribute 'input_forget' = " + inputForget + " is not supported (0 only)");
        checkConstants(c, cfg);
        Tensor p = c.constant(7);
        if (p != null && !java.util.Arrays.equals(p.shape(), new int[] {cfg.dirs, 3 * (int) cfg.hidden}) && cfg.hidden > 0) {
            throw c.unsupported("input 'P' is " + Shape.format(p.shape()) + ", expected [" + cfg.dirs + ", " + 3 * cfg.hidden + "]");
        }
        return in -> run(cfg, in, true, false);
    }

    static OnnxOps.Kernel rnn(NodeContext c) throws OnnxException {
        c.arity(3, 6, 0, 2);
        Config cfg = config(c, "RNN", 1, 1, new String[] {"Tanh"});
        checkConstants(c, cfg);
        return in -> run(cfg, in, false, false);
    }

    static OnnxOps.Kernel gru(NodeContext c) throws OnnxException {
        c.arity(3, 6, 0, 2);
        Config cfg = config(c, "GRU", 3, 2, new String[] {"Sigmoid", "Tanh"});
        boolean linearBeforeReset = c.i("linear_before_reset", 0) != 0;
        checkConstants(c, cfg);
        return in -> run(cfg, in, false, linearBeforeReset);
    }

    @SuppressWarnings("unchecked")
    private static Config config(NodeContext c, String op, int gates, int perDir, String[] defaults) throws OnnxException {
        String direction = c.s("direction", "forward");
        int dirs = switch (direction) {
            case "forward", "reverse" -> 1;
            case "bidirectional" -> 2;
            default -> throw c.unsupported("attribute 'direction' = '" + direction + "' is not one of forward, reverse, bidirectional");
        };
        long hidden = c.has("hidden_size") ? c.i("hidden_size", 0) : -1;
        if (c.has("hidden_size") && (hidden < 1 || hidden > Integer.MAX_VALUE)) throw c.unsupported("attribute 'hidden_size' = " + hidden + " should be >= 1");
        long layout = 0;
        if (c.opset >= 14) layout = c.i("layout", 0);
        else if (c.has("layout")) throw c.unsupported("attribute 'layout' is defined from opset 14");
        if (layout != 0 && layout != 1) throw c.unsupported("attribute 'layout' = " + layout + " should be 0 or 1");
        for (String refused : new String[] {"clip", "activation_alpha", "activation_beta"}) {
            if (c.has(refused)) throw c.unsupported("attribute '" + refused + "' is not supported");
        }
        UnaryOperator<Tensor>[] act = new UnaryOperator[perDir * dirs];
        OnnxFile.Attribute a = c.node.attributes().get("activations");
        c.ignore("activations");
        List<String> names = new ArrayList<>();
        if (a == null) {
            for (int d = 0; d < dirs; d++) names.addAll(List.of(defaults));
        } else {
            if (a.type() != OnnxFile.AttributeType.STRINGS) throw c.unsupported("attribute 'activations' should be STRINGS, is " + a.type());
            for (Object s : (List<?>) a.value()) names.add(s.toString());
            if (names.size() != act.length) {
                throw c.unsupported("attribute 'activations' has " + names.size() + " names, expected " + act.length + " (" + perDir + " per direction)");
            }
        }
        for (int k = 0; k < act.length; k++) {
            act[k] = ACTIVATIONS.get(names.get(k).toLowerCase(Locale.ROOT));
            if (act[k] == null) {
                throw c.unsupported("attribute 'activations' holds '" + names.get(k) + "', which is not supported (Sigmoid, Tanh, Relu, Softsign, Softplus)");
            }
        }
        return new Config(op, gates, dirs, direction.equals("reverse"), hidden, layout == 1, act);
    }

    /** Shape checks at load of the weights known then (initializers): W, R and B. */
    private static void checkConstants(NodeContext c, Config cfg) throws OnnxException {
        Tensor w = c.constant(1), r = c.constant(2), b = c.constant(3);
        long h = cfg.hidden;
        if (r != null) {
            if (r.dim() != 3 || r.size(0) != cfg.dirs || (h > 0 && (r.size(1) != cfg.gates * h || r.size(2) != h)) || r.size(1) != cfg.gates * r.size(2)) {
                throw c.unsupported("input 'R' is " + Shape.format(r.shape()) + ", expected [" + cfg.dirs + ", " + cfg.gates + "·hidden, hidden]"
                        + (h > 0 ? " with hidden_size " + h : ""));
            }
            h = r.size(2);
        }
        if (w != null && (w.dim() != 3 || w.size(0) != cfg.dirs || (h > 0 && w.size(1) != cfg.gates * h))) {
            throw c.unsupported("input 'W' is " + Shape.format(w.shape()) + ", expected [" + cfg.dirs + ", " + (h > 0 ? cfg.gates * h : cfg.gates + "·hidden") + ", input_size]");
        }
        if (b != null && (b.dim() != 2 || b.size(0) != cfg.dirs || (h > 0 && b.size(1) != 2 * cfg.gates * h))) {
            throw c.unsupported("input 'B' is " + Shape.format(b.shape()) + ", expected [" + cfg.dirs + ", " + (h > 0 ? 2 * cfg.gates * h : 2 * cfg.gates + "·hidden") + "]");
        }
    }

    /** Runs every direction; returns Y, Y_h and (LSTM) Y_c in the node's layout. */
    private static Tensor[] run(Config cfg, Tensor[] in, boolean lstm, boolean linearBeforeReset) {
        Tensor x = in[0], w = in[1], r = in[2];
        Tensor b = at(in, 3), lens = at(in, 4), h0 = at(in, 5), c0 = lstm ? at(in, 6) : null, p = lstm ? at(in, 7) : null;
        String op = cfg.op;
        if (x.dim() != 3) throw new IllegalArgumentException(op + ": X should be 3-D " + (cfg.batchFirst ? "[batch, seq, input]" : "[seq, batch, input]") + ", got " + Shape.format(x.shape()));
        Tensor seq = cfg.batchFirst ? x.transpose(0, 1) : x;
        int steps = seq.size(0), batch = seq.size(1), inputSize = seq.size(2);
        if (r.dim() != 3) throw new IllegalArgumentException(op + ": R should be [directions, " + cfg.gates + "·hidden, hidden], got " + Shape.format(r.shape()));
        int hid = r.size(2), g = cfg.gates;
        if (cfg.hidden > 0 && cfg.hidden != hid) throw new IllegalArgumentException(op + ": R " + Shape.format(r.shape()) + " disagrees with hidden_size " + cfg.hidden);
        expect(op, "R", r, cfg.dirs, g * hid, hid);
        expect(op, "W", w, cfg.dirs, g * hid, inputSize);
        if (b != null) expect(op, "B", b, cfg.dirs, 2 * g * hid);
        if (p != null) expect(op, "P", p, cfg.dirs, 3 * hid);
        if (cfg.batchFirst) {
            if (h0 != null) h0 = h0.transpose(0, 1);
            if (c0 != null) c0 = c0.transpose(0, 1);
        }
        if (h0 != null) expect(op, "initial_h", h0, cfg.dirs, batch, hid);
        if (c0 != null) expect(op, "initial_c", c0, cfg.dirs, batch, hid);
        Tensor[] masks = masks(op, lens, steps, batch);
        List<Tensor> ys = new ArrayList<>(), hs = new ArrayList<>(), cs = new ArrayList<>();
        int perDir = cfg.act.length / cfg.dirs;
        for (int d = 0; d < cfg.dirs; d++) {
            Tensor bd = b == null ? null : b.select(0, d);
            Cell cell = new Cell(g, hid, w.select(0, d), r.select(0, d), bd == null ? null : bd.narrow(0, 0, g * hid), bd == null ? null : bd.narrow(0, g * hid, g * hid),
                    p == null ? null : p.select(0, d), java.util.Arrays.copyOfRange(cfg.act, d * perDir, (d + 1) * perDir), linearBeforeReset);
            Tensor h = h0 != null ? h0.select(0, d) : Tensor.zeros(seq.dtype(), batch, hid);
            Tensor c = !lstm ? null : c0 != null ? c0.select(0, d) : Tensor.zeros(seq.dtype(), batch, hid);
            Tensor[] outs = new Tensor[steps];
            Tensor gx = cell.inputShare(seq);
            for (int k = 0; k < steps; k++) {
                int t = d == 1 || cfg.reverseOnly ? steps - 1 - k : k; // the reverse direction runs from the last step to the first
                Tensor[] next = cell.step(gx.select(0, t), h, c);
                if (masks == null) {
                    outs[t] = next[0];
                    h = next[0];
                    c = next[1];
                } else {
                    // Entries whose sequence has ended keep their state and output zeros.
                    Tensor live = masks[t];
                    outs[t] = Tensor.where(live, next[0], Tensor.zeros(next[0].dtype(), 1));
                    h = Tensor.where(live, next[0], h);
                    if (lstm) c = Tensor.where(live, next[1], c);
                }
            }
            ys.add(Tensor.stack(List.of(outs), 0)); // [T, B, H]
            hs.add(h);
            cs.add(c);
        }
        Tensor y = Tensor.stack(ys, 1), yh = Tensor.stack(hs, 0), yc = lstm ? Tensor.stack(cs, 0) : null; // [T, D, B, H], [D, B, H]
        if (cfg.batchFirst) {
            y = y.permute(2, 0, 1, 3);
            yh = yh.transpose(0, 1);
            if (yc != null) yc = yc.transpose(0, 1);
        }
        return lstm ? new Tensor[] {y, yh, yc} : new Tensor[] {y, yh};
    }

    /**
     * One direction's weights (W [G·H, I], R [G·H, H], the biases Wb and Rb [G·H] or null, LSTM's peepholes [3H] or
     * null) and activations; {@link #step} is one time step of the op the gate count names (4 LSTM, 3 GRU, 1 RNN).
     */
    private record Cell(int gates, int hid, Tensor w, Tensor r, Tensor wb, Tensor rb, Tensor p, UnaryOperator<Tensor>[] act, boolean linearBeforeReset) {
        /**
         * Every step's share from the input at once, [T, B, G·H]: x·Wᵀ + Wb, plus Rb where it only adds (all of it but
         * GRU's h part, which sits inside h~'s expression).
         */
        Tensor inputShare(Tensor seq) {
            Tensor gx = seq.matmul(w.t());
            if (wb == null) return gx;
            Tensor bias = gates != 3 ? wb.add(rb) : wb.add(Tensor.cat(List.of(rb.narrow(0, 0, 2 * hid), Tensor.zeros(rb.dtype(), hid)), 0));
            return gx.add(bias);
        }

        /** The next hidden state and (LSTM) cell state from this step's input share and the previous states. */
        Tensor[] step(Tensor xt, Tensor h, Tensor c) {
            return switch (gates) {
                case 4 -> lstm(xt, h, c);
                case 3 -> new Tensor[] {gru(xt, h), null};
                default -> new Tensor[] {act[0].apply(xt.add(h.matmul(r.t()))), null};
            };
        }

        /** Gates i, o, f, c: c' = f(f')⊙c + f(i)⊙g(c~), h' = f(o)⊙h(c'), peepholes on c for i and f, on c' for o. */
        private Tensor[] lstm(Tensor xt, Tensor h, Tensor c) {
            Tensor all = xt.add(h.matmul(r.t()));
            Tensor i = all.narrow(1, 0, hid), o = all.narrow(1, hid, hid), f = all.narrow(1, 2 * hid, hid), cand = all.narrow(1, 3 * hid, hid);
            if (p != null) {
                i = i.add(p.narrow(0, 0, hid).mul(c));
                f = f.add(p.narrow(0, 2 * hid, hid).mul(c));
            }
            Tensor cNext = act[0].apply(f).mul(c).add(act[0].apply(i).mul(act[1].apply(cand)));
            if (p != null) o = o.add(p.narrow(0, hid, hid).mul(cNext));
            return new Tensor[] {act[0].apply(o).mul(act[2].apply(cNext)), cNext};
        }

        /** Gates z, r, h: h' = (1 − z)⊙h~ + z⊙h, with the reset applied before or after h's product with Rh. */
        private Tensor gru(Tensor xt, Tensor h) {
            Tensor zr = xt.narrow(1, 0, 2 * hid).add(h.matmul(r.narrow(0, 0, 2 * hid).t()));
            Tensor z = act[0].apply(zr.narrow(1, 0, hid)), reset = act[0].apply(zr.narrow(1, hid, hid));
            Tensor rh = r.narrow(0, 2 * hid, hid).t(), rbh = rb == null ? null : rb.narrow(0, 2 * hid, hid);
            Tensor cand;
            if (linearBeforeReset) {
                Tensor hr = h.matmul(rh);
                cand = reset.mul(rbh == null ? hr : hr.add(rbh));
            } else {
                cand = reset.mul(h).matmul(rh);
                if (rbh != null) cand = cand.add(rbh);
            }
            Tensor next = act[1].apply(xt.narrow(1, 2 * hid, hid).add(cand));
            return next.sub(z.mul(next)).add(z.mul(h)); // (1 − z)⊙h~ + z⊙h
        }
    }

    private static Tensor at(Tensor[] in, int k) {
        return k < in.length ? in[k] : null;
    }

    private static void expect(String op, String name, Tensor t, int... shape) {
        if (!java.util.Arrays.equals(t.shape(), shape)) {
            throw new IllegalArgumentException(op + ": input '" + name + "' should be " + Shape.format(shape) + ", got " + Shape.format(t.shape()));
        }
    }

    /** Per step, a bool [B, 1] of the batch entries still running; null when every sequence is the full length. */
    private static Tensor[] masks(String op, Tensor lens, int steps, int batch) {
        if (lens == null) return null;
        if (lens.dtype() != DType.INT64) throw new IllegalArgumentException(op + ": sequence_lens should be int32, is " + lens.dtype());
        long[] len = lens.contiguous().toLongArray();
        if (lens.dim() != 1 || len.length != batch) throw new IllegalArgumentException(op + ": sequence_lens should be [" + batch + "], got " + Shape.format(lens.shape()));
        boolean full = true;
        for (long l : len) {
            if (l < 1 || l > steps) throw new IllegalArgumentException(op + ": sequence_lens " + java.util.Arrays.toString(len) + " should be between 1 and the sequence length " + steps);
            full &= l == steps;
        }
        if (full) return null;
        Tensor[] m = new Tensor[steps];
        for (int t = 0; t < steps; t++) {
            boolean[] live = new boolean[batch];
            for (int k = 0; k < batch; k++) live[k] = t < len[k];
            m[t] = Tensor.of(live, batch, 1);
        }
        return m;
    }
}
