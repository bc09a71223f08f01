package dev.descent.core.ops;

import static dev.descent.core.check.TensorGen.Values.NORMAL;

import dev.descent.core.DType;
import dev.descent.core.Ref;
import dev.descent.core.Ref.Expected;
import dev.descent.core.Tensor;
import dev.descent.core.check.TensorGen;
import dev.descent.core.ops.OpRegistry.Case;
import dev.descent.core.ops.OpRegistry.OpInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * Registry entries for the network ops (convolution, pooling, normalisation, dropout, activations,
 * losses), each with a direct, naive reference loop.
 */
final class NnOps {
    private NnOps() {}

    /** A random conv geometry whose output is at least 1×1. */
    record Conv(int n, int c, int h, int w, int o, int kh, int kw, Convolution.Params p) {
        int ho() {
            return (h + 2 * p.ph() - p.dh() * (kh - 1) - 1) / p.sh() + 1;
        }

        int wo() {
            return (w + 2 * p.pw() - p.dw() * (kw - 1) - 1) / p.sw() + 1;
        }

        static Conv random(RandomGenerator rng) {
            int groups = 1 + rng.nextInt(2), cg = 1 + rng.nextInt(2), og = 1 + rng.nextInt(2);
            int kh = 1 + rng.nextInt(3), kw = 1 + rng.nextInt(3);
            int sh = 1 + rng.nextInt(2), sw = 1 + rng.nextInt(2), dh = 1 + rng.nextInt(2), dw = 1 + rng.nextInt(2);
            int ph = rng.nextInt(2), pw = rng.nextInt(2);
            int h = Math.max(1, dh * (kh - 1) + 1 - 2 * ph) + rng.nextInt(3), w = Math.max(1, dw * (kw - 1) + 1 - 2 * pw) + rng.nextInt(3);
            if (rng.nextInt(3) == 0) {
                // Stride 1, one group, an output 8 wide: float32 takes the implicit-GEMM kernels (ImplicitConv).
                int c = 1 + rng.nextInt(3), o = 1 + rng.nextInt(4);
                return new Conv(1 + rng.nextInt(2), c, h, 8 - 2 * pw + kw - 1, o, kh, kw, new Convolution.Params(1, 1, ph, pw, 1, 1, 1));
            }
            return new Conv(1 + rng.nextInt(2), groups * cg, h, w, groups * og, kh, kw, new Convolution.Params(sh, sw, ph, pw, dh, dw, groups));
        }

        int[] xShape() {
            return new int[] {n, c, h, w};
        }

        int[] wShape() {
            return new int[] {o, c / p.groups(), kh, kw};
        }

        int[] yShape() {
            return new int[] {n, o, ho(), wo()};
        }

        String describe() {
            return "x" + OpRegistry.fmt(xShape()) + " w" + OpRegistry.fmt(wShape()) + " " + p;
        }
    }

    /** The input position a kernel tap reads, or −1 outside the image. */
    static int tap(int out, int k, int stride, int pad, int dil, int size) {
        int i = out * stride - pad + k * dil;
        return i >= 0 && i < size ? i : -1;
    }

    /** Direct conv2d: y[n,o,oh,ow] = b[o] + Σ x[n, g·cg + c, ih, iw] · w[o, c, i, j]. */
    static Expected convRef(Conv q, Tensor x, Tensor w, Tensor b) {
        int cg = q.c() / q.p().groups(), og = q.o() / q.p().groups();
        return Ref.build(q.yShape(), idx -> {
            int n = idx[0], o = idx[1], g = o / og;
            double s = b == null ? 0 : b.get(o);
            for (int c = 0; c < cg; c++) {
                for (int i = 0; i < q.kh(); i++) {
                    int ih = tap(idx[2], i, q.p().sh(), q.p().ph(), q.p().dh(), q.h());
                    if (ih < 0) continue;
                    for (int j = 0; j < q.kw(); j++) {
                        int iw = tap(idx[3], j, q.p().sw(), q.p().pw(), q.p().dw(), q.w());
                        if (iw >= 0) s += x.get(n, g * cg + c, ih, iw) * w.get(o, c, i, j);
                    }
                }
            }
            return s;
        });
    }

    /** Direct input gradient: dx[n, ch, ih, iw] = Σ over (o, oh, ow, i, j) that read it of dy · w. */
    static Expected convInputGradRef(Conv q, Tensor dy, Tensor w) {
        int cg = q.c() / q.p().groups(), og = q.o() / q.p().groups();
        double[] dx = new double[q.n() * q.c() * q.h() * q.w()];
        for (int n = 0; n < q.n(); n++) for (int o = 0; o < q.o(); o++) for (int oh = 0; oh < q.ho(); oh++) for (int ow = 0; ow < q.wo(); ow++) {
            int g = o / og;
            for (int c = 0; c < cg; c++) for (int i = 0; i < q.kh(); i++) for (int j = 0; j < q.kw(); j++) {
                int ih = tap(oh, i, q.p().sh(), q.p().ph(), q.p().dh(), q.h()), iw = tap(ow, j, q.p().sw(), q.p().pw(), q.p().dw(), q.w());
                if (ih < 0 || iw < 0) continue;
                dx[((n * q.c() + g * cg + c) * q.h() + ih) * q.w() + iw] += dy.get(n, o, oh, ow) * w.get(o, c, i, j);
            }
        }
        return new Expected(q.xShape(), dx);
    }

    /** Direct weight gradient: dw[o, c, i, j] = Σ_{n, oh, ow} dy[n, o, oh, ow] · x[n, g·cg + c, ih, iw]. */
    static Expected convWeightGradRef(Conv q, Tensor x, Tensor dy) {
        int cg = q.c() / q.p().groups(), og = q.o() / q.p().groups();
        return Ref.build(q.wShape(), idx -> {
            int o = idx[0], c = idx[1], i = idx[2], j = idx[3], g = o / og;
            double s = 0;
            for (int n = 0; n < q.n(); n++) for (int oh = 0; oh < q.ho(); oh++) for (int ow = 0; ow < q.wo(); ow++) {
                int ih = tap(oh, i, q.p().sh(), q.p().ph(), q.p().dh(), q.h()), iw = tap(ow, j, q.p().sw(), q.p().pw(), q.p().dw(), q.w());
                if (ih >= 0 && iw >= 0) s += dy.get(n, o, oh, ow) * x.get(n, g * cg + c, ih, iw);
            }
            return s;
        });
    }

    static List<OpInfo> all() {
        List<OpInfo> ops = new ArrayList<>();
        ops.add(new OpInfo("conv2d", Set.of("conv2d"), true, true, (rng, dt, grad) -> {
            Conv q = Conv.random(rng);
            Tensor x = TensorGen.tensor(rng, dt, q.xShape(), NORMAL), w = TensorGen.tensor(rng, dt, q.wShape(), NORMAL);
            if (rng.nextBoolean()) {
                Tensor b = TensorGen.tensor(rng, dt, new int[] {q.o()}, NORMAL);
                return new Case("conv2d " + q.describe() + " with bias", new Tensor[] {x, w, b}, in -> Convolution.conv2d(in[0], in[1], in[2], q.p()),
                        in -> convRef(q, in[0], in[1], in[2]));
            }
            return new Case("conv2d " + q.describe(), new Tensor[] {x, w}, in -> Convolution.conv2d(in[0], in[1], null, q.p()),
                    in -> convRef(q, in[0], in[1], null));
        }));
        ops.add(new OpInfo("fusedConv2d", Set.of(), true, true, (rng, dt, grad) -> {
            // Without gradients (the reference and layout checks): the fused kernels, depthwise ones among them (groups = C);
            // with them, the composed ops. The activations with a kink only off the gradient check.
            Conv q = Conv.random(rng);
            List<FusedConvolution.Activation> acts = grad
                    ? List.of(FusedConvolution.Activation.NONE, FusedConvolution.Activation.SIGMOID, FusedConvolution.Activation.HARDSWISH)
                    : List.of(FusedConvolution.Activation.NONE, FusedConvolution.Activation.RELU, FusedConvolution.Activation.SIGMOID,
                            FusedConvolution.Activation.HARDSWISH, FusedConvolution.Activation.HARDSIGMOID, FusedConvolution.Activation.clamp(-0.5, 1));
            FusedConvolution.Activation act = acts.get(rng.nextInt(acts.size()));
            java.util.function.DoubleUnaryOperator f = switch (act.kind()) {
                case NONE -> v -> v;
                case RELU -> v -> Math.max(v, 0);
                case SIGMOID -> v -> 1 / (1 + Math.exp(-v));
                case HARDSWISH -> v -> v * Math.min(Math.max(v + 3, 0), 6) / 6;
                case HARDSIGMOID -> v -> Math.min(Math.max(v + 3, 0), 6) / 6;
                case CLAMP -> v -> Math.min(Math.max(v, act.min()), act.max());
            };
            Tensor x = TensorGen.tensor(rng, dt, q.xShape(), NORMAL), w = TensorGen.tensor(rng, dt, q.wShape(), NORMAL);
            Tensor b = TensorGen.tensor(rng, dt, new int[] {q.o()}, NORMAL);
            return new Case("fusedConv2d " + act.kind() + " " + q.describe() + " with bias", new Tensor[] {x, w, b},
                    in -> FusedConvolution.conv2d(in[0], in[1], in[2], q.p(), act), in -> {
                        Expected y = convRef(q, in[0], in[1], in[2]);
                        double[] v = y.values().clone();
                        for (int i = 0; i < v.length; i++) v[i] = f.applyAsDouble(v[i]);
                        return new Expected(y.shape(), v);
                    });
        }));
        ops.add(new OpInfo("conv2dInputGrad", Set.of("conv2dInputGrad"), true, true, (rng, dt, grad) -> {
            Conv q = Conv.random(rng);
            Tensor dy = TensorGen.tensor(rng, dt, q.yShape(), NORMAL), w = TensorGen.tensor(rng, dt, q.wShape(), NORMAL);
            return new Case("conv2dInputGrad " + q.describe(), new Tensor[] {dy, w}, in -> Convolution.conv2dInputGrad(in[0], in[1], q.xShape(), q.p()),
                    in -> convInputGradRef(q, in[0], in[1]));
        }));
        ops.add(new OpInfo("conv2dWeightGrad", Set.of("conv2dWeightGrad"), true, true, (rng, dt, grad) -> {
            Conv q = Conv.random(rng);
            Tensor x = TensorGen.tensor(rng, dt, q.xShape(), NORMAL), dy = TensorGen.tensor(rng, dt, q.yShape(), NORMAL);
            return new Case("conv2dWeightGrad " + q.describe(), new Tensor[] {x, dy}, in -> Convolution.conv2dWeightGrad(in[0], in[1], q.wShape(), q.p()),
                    in -> convWeightGradRef(q, in[0], in[1]));
        }));
        ops.add(new OpInfo("pool2d", Set.of("maxPool2d", "avgPool2d", "avgPool2dBackward", "globalAvgPool2d"), true, true, (rng, dt, grad) -> {
            int k = 1 + rng.nextInt(3), s = 1 + rng.nextInt(2), pad = rng.nextInt(k / 2 + 1);
            Pooling.Window win = Pooling.Window.of(k, s, pad);
            int h = Math.max(1, k - 2 * pad) + rng.nextInt(4), w = Math.max(1, k - 2 * pad) + rng.nextInt(4);
            int[] xs = {1 + rng.nextInt(2), 1 + rng.nextInt(2), h, w};
            int ho = (h + 2 * pad - k) / s + 1, wo = (w + 2 * pad - k) / s + 1;
            int[] os = {xs[0], xs[1], ho, wo};
            Tensor x = OpRegistry.distinct(rng, dt, xs);
            return switch (rng.nextInt(4)) {
                case 0 -> new Case("maxPool2d " + win + " " + OpRegistry.fmt(xs), new Tensor[] {x}, in -> Pooling.maxPool2d(in[0], win),
                        in -> poolRef(in[0], win, os, true));
                case 1 -> new Case("avgPool2d " + win + " " + OpRegistry.fmt(xs), new Tensor[] {x}, in -> Pooling.avgPool2d(in[0], win),
                        in -> poolRef(in[0], win, os, false));
                case 2 -> {
                    Tensor g = TensorGen.tensor(rng, dt, os, NORMAL);
                    yield new Case("avgPool2dBackward " + win, new Tensor[] {g}, in -> Pooling.avgPool2dBackward(in[0], xs, win),
                            in -> avgPoolBackwardRef(in[0], xs, win));
                }
                default -> new Case("globalAvgPool2d " + OpRegistry.fmt(xs), new Tensor[] {x}, in -> Pooling.globalAvgPool2d(in[0]),
                        in -> Ref.build(new int[] {xs[0], xs[1]}, idx -> {
                            double sum = 0;
                            for (int i = 0; i < h; i++) for (int j = 0; j < w; j++) sum += in[0].get(idx[0], idx[1], i, j);
                            return sum / (h * w);
                        }));
            };
        }));
        ops.add(new OpInfo("batchNorm", Set.of("batchNorm"), true, true, (rng, dt, grad) -> {
            int[] xs = rng.nextBoolean() ? new int[] {2 + rng.nextInt(3), 1 + rng.nextInt(3)} : new int[] {2, 1 + rng.nextInt(3), 1 + rng.nextInt(3), 1 + rng.nextInt(3)};
            int c = xs[1];
            boolean training = rng.nextBoolean(), affine = rng.nextBoolean();
            Tensor x = TensorGen.tensor(rng, dt, xs, NORMAL);
            Tensor rm = TensorGen.tensor(rng, dt, new int[] {c}, NORMAL), rv = TensorGen.tensor(rng, dt, new int[] {c}, TensorGen.Values.POSITIVE);
            Tensor w = TensorGen.tensor(rng, dt, new int[] {c}, NORMAL), b = TensorGen.tensor(rng, dt, new int[] {c}, NORMAL);
            Tensor[] inputs = affine ? new Tensor[] {x, w, b} : new Tensor[] {x};
            return new Case("batchNorm " + OpRegistry.fmt(xs) + (training ? " training" : " eval") + (affine ? " affine" : ""), inputs,
                    in -> Normalization.batchNorm(in[0], rm.clone(), rv.clone(), affine ? in[1] : null, affine ? in[2] : null, training, 0.1, 1e-5),
                    in -> batchNormRef(in[0], training ? null : rm, training ? null : rv, affine ? in[1] : null, affine ? in[2] : null, 1e-5));
        }));
        ops.add(new OpInfo("layerNorm", Set.of("layerNorm"), true, true, (rng, dt, grad) -> {
            int[] xs = TensorGen.shape(rng, 1, 3, 4);
            int k = 1 + rng.nextInt(xs.length);
            int[] ns = java.util.Arrays.copyOfRange(xs, xs.length - k, xs.length);
            if (OpRegistry.values(Tensor.zeros(ns)).length < 2) { // need two values to normalise over
                xs[xs.length - 1] = 3;
                ns[ns.length - 1] = 3;
            }
            Tensor x = TensorGen.tensor(rng, dt, xs, NORMAL), w = TensorGen.tensor(rng, dt, ns, NORMAL), b = TensorGen.tensor(rng, dt, ns, NORMAL);
            return new Case("layerNorm " + OpRegistry.fmt(xs) + " over " + OpRegistry.fmt(ns), new Tensor[] {x, w, b},
                    in -> Normalization.layerNorm(in[0], ns, in[1], in[2], 1e-5), in -> layerNormRef(in[0], ns, in[1], in[2], 1e-5));
        }));
        ops.add(new OpInfo("dropout", Set.of("dropout"), true, false, (rng, dt, grad) -> {
            double p = List.of(0.0, 0.2, 0.5, 1.0).get(rng.nextInt(4));
            boolean training = rng.nextInt(4) != 0;
            long seed = rng.nextLong();
            Tensor x = TensorGen.tensor(rng, dt, TensorGen.shape(rng, 0, 3, 4), NORMAL);
            return new Case("dropout p " + p + (training ? " training" : " eval"), new Tensor[] {x},
                    in -> RandomMasking.dropout(in[0], p, training, new SplittableRandom(seed)), in -> {
                        SplittableRandom r = new SplittableRandom(seed);
                        return OpRegistry.map(in[0], v -> !training || p == 0 ? v : (r.nextDouble() >= p ? v / (1 - p) : 0.0));
                    });
        }));
        ops.add(new OpInfo("erf", Set.of("erf"), true, false, (rng, dt, grad) -> {
            Tensor x = TensorGen.tensor(rng, dt, TensorGen.shape(rng, 0, 3, 4), NORMAL).mul(2);
            return new Case("erf", new Tensor[] {x}, in -> in[0].erf(), in -> OpRegistry.map(in[0], NnOps::erfRef));
        }));
        ops.add(new OpInfo("gelu", Set.of("gelu", "geluTanh"), true, true, (rng, dt, grad) -> {
            Tensor x = TensorGen.tensor(rng, dt, TensorGen.shape(rng, 0, 3, 4), NORMAL).mul(2);
            if (rng.nextBoolean()) {
                return new Case("gelu", new Tensor[] {x}, in -> in[0].gelu(), in -> OpRegistry.map(in[0], v -> 0.5 * v * (1 + erfRef(v / Math.sqrt(2)))));
            }
            return new Case("geluTanh", new Tensor[] {x}, in -> in[0].geluTanh(),
                    in -> OpRegistry.map(in[0], v -> 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)))));
        }));
        ops.add(new OpInfo("losses", Set.of("crossEntropy", "nllLoss", "mseLoss", "binaryCrossEntropyWithLogits"), true, true, (rng, dt, grad) -> {
            int n = 1 + rng.nextInt(4), c = 1 + rng.nextInt(4);
            Losses.Reduction red = Losses.Reduction.values()[rng.nextInt(3)];
            double scale = grad ? 1 : List.of(1.0, 1e4).get(rng.nextInt(2));
            Tensor scores = TensorGen.tensor(rng, dt, new int[] {n, c}, NORMAL).mul(scale);
            Tensor target = TensorGen.indices(rng, new int[] {n}, c);
            switch (rng.nextInt(4)) {
                case 0 -> {
                    double eps = rng.nextBoolean() ? 0 : 0.1;
                    return new Case("crossEntropy " + red + " smoothing " + eps + " scale " + scale, new Tensor[] {scores, target},
                            in -> Losses.crossEntropy(in[0], in[1], red, eps), in -> crossEntropyRef(in[0], in[1], red, eps));
                }
                case 1 -> {
                    return new Case("nllLoss " + red, new Tensor[] {scores, target}, in -> Losses.nllLoss(in[0], in[1], red),
                            in -> reduceRef(Ref.build(new int[] {n}, i -> -in[0].get(i[0], (int) in[1].getLong(i[0]))), red));
                }
                case 2 -> {
                    Tensor t = TensorGen.tensor(rng, dt, new int[] {n, c}, NORMAL);
                    return new Case("mseLoss " + red, new Tensor[] {scores, t}, in -> Losses.mseLoss(in[0], in[1], red),
                            in -> reduceRef(Ref.build(new int[] {n, c}, i -> Math.pow(in[0].get(i) - in[1].get(i), 2)), red));
                }
                default -> {
                    Tensor y = Tensor.uniform(0, 1, dt, rng, n, c);
                    return new Case("binaryCrossEntropyWithLogits " + red + " scale " + scale, new Tensor[] {scores, y},
                            in -> Losses.binaryCrossEntropyWithLogits(in[0], in[1], red),
                            in -> reduceRef(Ref.build(new int[] {n, c}, i -> {
                                double x = in[0].get(i), t = in[1].get(i);
                                // −[t·log σ(x) + (1 − t)·log(1 − σ(x))], written with log σ(x) = −log(1 + e^{−x}) done stably
                                double logSig = -softplus(-x), logOneMinus = -softplus(x);
                                return -(t * logSig + (1 - t) * logOneMinus);
                            }), red));
                }
            }
        }));
        ops.add(new OpInfo("convTranspose2d", Set.of("convTranspose2d"), true, true, (rng, dt, grad) -> {
            // A conv geometry read backwards: the transposed op maps the conv's output shape to its input shape.
            Conv q = Conv.random(rng);
            int oph = (q.h() + 2 * q.p().ph() - q.p().dh() * (q.kh() - 1) - 1) % q.p().sh();
            int opw = (q.w() + 2 * q.p().pw() - q.p().dw() * (q.kw() - 1) - 1) % q.p().sw();
            Tensor x = TensorGen.tensor(rng, dt, q.yShape(), NORMAL), w = TensorGen.tensor(rng, dt, q.wShape(), NORMAL);
            Tensor b = TensorGen.tensor(rng, dt, new int[] {q.c()}, NORMAL);
            return new Case("convTranspose2d " + q.describe() + " output padding " + oph + "," + opw, new Tensor[] {x, w, b},
                    in -> Convolution.convTranspose2d(in[0], in[1], in[2], q.p(), oph, opw), in -> {
                        Expected e = convInputGradRef(q, in[0], in[1]);
                        double[] v = e.values().clone();
                        int plane = q.h() * q.w();
                        for (int f = 0; f < v.length; f++) v[f] += in[2].get(f / plane % q.c());
                        return new Expected(e.shape(), v);
                    });
        }));
        ops.add(new OpInfo("rmsNorm", Set.of("rmsNorm"), true, true, (rng, dt, grad) -> {
            int[] xs = TensorGen.shape(rng, 1, 3, 4);
            int k = 1 + rng.nextInt(xs.length);
            int[] ns = java.util.Arrays.copyOfRange(xs, xs.length - k, xs.length);
            boolean affine = rng.nextBoolean();
            Tensor x = TensorGen.tensor(rng, dt, xs, NORMAL), w = TensorGen.tensor(rng, dt, ns, NORMAL);
            double eps = 1e-6;
            return new Case("rmsNorm " + OpRegistry.fmt(xs) + " over " + OpRegistry.fmt(ns) + (affine ? " affine" : ""),
                    affine ? new Tensor[] {x, w} : new Tensor[] {x},
                    in -> Normalization.rmsNorm(in[0], ns, affine ? in[1] : null, eps), in -> {
                        int inner = OpRegistry.values(Tensor.zeros(ns)).length;
                        double[] v = OpRegistry.values(in[0]), out = new double[v.length];
                        for (int o = 0; o < v.length / inner; o++) {
                            double ms = 0;
                            for (int i = 0; i < inner; i++) ms += v[o * inner + i] * v[o * inner + i] / inner;
                            for (int i = 0; i < inner; i++) out[o * inner + i] = v[o * inner + i] / Math.sqrt(ms + eps) * (affine ? in[1].get(Ref.unravel(i, ns)) : 1);
                        }
                        return new Expected(xs, out);
                    });
        }));
        ops.add(new OpInfo("groupNorm", Set.of("groupNorm"), true, true, (rng, dt, grad) -> {
            int groups = 1 + rng.nextInt(2), per = 1 + rng.nextInt(2);
            int[] xs = rng.nextBoolean() ? new int[] {1 + rng.nextInt(2), groups * per, 2 + rng.nextInt(2)} : new int[] {1 + rng.nextInt(2), groups * per, 1 + rng.nextInt(2), 2};
            int c = xs[1];
            boolean affine = rng.nextBoolean();
            Tensor x = TensorGen.tensor(rng, dt, xs, NORMAL);
            Tensor w = TensorGen.tensor(rng, dt, new int[] {c}, NORMAL), b = TensorGen.tensor(rng, dt, new int[] {c}, NORMAL);
            return new Case("groupNorm " + OpRegistry.fmt(xs) + " groups " + groups + (affine ? " affine" : ""), affine ? new Tensor[] {x, w, b} : new Tensor[] {x},
                    in -> Normalization.groupNorm(in[0], groups, affine ? in[1] : null, affine ? in[2] : null, 1e-5),
                    in -> groupNormRef(in[0], groups, affine ? in[1] : null, affine ? in[2] : null, 1e-5));
        }));
        ops.add(new OpInfo("regressionLosses", Set.of("l1Loss", "huberLoss", "smoothL1Loss"), true, true, (rng, dt, grad) -> {
            int[] shape = TensorGen.shape(rng, 0, 3, 4);
            Losses.Reduction red = Losses.Reduction.values()[rng.nextInt(3)];
            Tensor t = TensorGen.tensor(rng, dt, shape, NORMAL);
            // differences at least 0.25 from 0 (the kink of |d|); the thresholds 0.5, 1 and 2 leave the quadratic part C¹
            Tensor p = t.add(TensorGen.tensor(rng, dt, shape, grad ? TensorGen.Values.AWAY_FROM_ZERO : TensorGen.Values.EDGES)).detach();
            double th = List.of(0.5, 1.0, 2.0).get(rng.nextInt(3));
            return switch (rng.nextInt(4)) {
                case 0 -> new Case("l1Loss " + red, new Tensor[] {p, t}, in -> Losses.l1Loss(in[0], in[1], red),
                        in -> reduceRef(OpRegistry.zip(in[0], in[1], (a, b) -> Math.abs(a - b)), red));
                case 1 -> new Case("huberLoss " + red + " delta " + th, new Tensor[] {p, t}, in -> Losses.huberLoss(in[0], in[1], red, th),
                        in -> reduceRef(OpRegistry.zip(in[0], in[1], (a, b) -> Math.abs(a - b) < th ? 0.5 * (a - b) * (a - b) : th * (Math.abs(a - b) - 0.5 * th)), red));
                case 2 -> new Case("smoothL1Loss " + red + " beta " + th, new Tensor[] {p, t}, in -> Losses.smoothL1Loss(in[0], in[1], red, th),
                        in -> reduceRef(OpRegistry.zip(in[0], in[1], (a, b) -> Math.abs(a - b) < th ? 0.5 * (a - b) * (a - b) / th : Math.abs(a - b) - 0.5 * th), red));
                default -> new Case("smoothL1Loss " + red + " beta 0", new Tensor[] {p, t}, in -> Losses.smoothL1Loss(in[0], in[1], red, 0),
                        in -> reduceRef(OpRegistry.zip(in[0], in[1], (a, b) -> Math.abs(a - b)), red));
            };
        }));
        ops.add(new OpInfo("binaryCrossEntropy", Set.of("binaryCrossEntropy"), true, true, (rng, dt, grad) -> {
            int[] shape = TensorGen.shape(rng, 0, 3, 4);
            Losses.Reduction red = Losses.Reduction.values()[rng.nextInt(3)];
            Tensor p = Tensor.uniform(0.05, 0.95, dt, rng, shape), y = Tensor.uniform(0, 1, dt, rng, shape);
            if (!grad) for (int i = 0; i < p.numel(); i++) if (rng.nextInt(4) == 0) p.storage().setDouble(i, rng.nextInt(2)); // p = 0 or 1: the clamp at −100
            return new Case("binaryCrossEntropy " + red, new Tensor[] {p, y}, in -> Losses.binaryCrossEntropy(in[0], in[1], red),
                    in -> reduceRef(OpRegistry.zip(in[0], in[1], (a, b) -> -(b * Math.max(Math.log(a), -100) + (1 - b) * Math.max(Math.log(1 - a), -100))), red));
        }));
        ops.add(new OpInfo("klDiv", Set.of("klDiv"), true, true, (rng, dt, grad) -> {
            int[] shape = TensorGen.shape(rng, 0, 3, 4);
            Losses.Reduction red = Losses.Reduction.values()[rng.nextInt(4)];
            boolean logTarget = rng.nextBoolean();
            Tensor x = TensorGen.tensor(rng, dt, shape, NORMAL).sub(1);
            Tensor t = logTarget ? TensorGen.tensor(rng, dt, shape, NORMAL).sub(1) : Tensor.uniform(0.05, 1, dt, rng, shape);
            if (!grad && !logTarget) for (int i = 0; i < t.numel(); i++) if (rng.nextInt(4) == 0) t.storage().setDouble(i, 0); // 0·log 0 = 0
            return new Case("klDiv " + red + (logTarget ? " logTarget" : ""), new Tensor[] {x, t}, in -> Losses.klDiv(in[0], in[1], red, logTarget),
                    in -> reduceRef(OpRegistry.zip(in[0], in[1], (a, b) -> logTarget ? Math.exp(b) * (b - a) : b == 0 ? 0 : b * (Math.log(b) - a)), red));
        }));
        ops.add(new OpInfo("weightedCrossEntropy", Set.of("crossEntropy", "nllLoss"), true, true, (rng, dt, grad) -> {
            int n = 1 + rng.nextInt(5), c = 1 + rng.nextInt(4);
            Losses.Reduction red = Losses.Reduction.values()[rng.nextInt(3)];
            long ignore = rng.nextBoolean() ? -100 : rng.nextInt(c); // PyTorch's default, or a real class whose rows are skipped
            long[] tv = new long[n];
            for (int i = 0; i < n; i++) tv[i] = rng.nextInt(3) == 0 ? ignore : rng.nextInt(c);
            if (grad && red == Losses.Reduction.MEAN) { // one row kept: the mean of nothing is NaN (as in PyTorch)
                if (c == 1 && ignore == 0) ignore = -100;
                tv[0] = ignore == 0 ? c - 1 : 0;
            }
            long ig = ignore;
            Tensor logits = TensorGen.tensor(rng, dt, new int[] {n, c}, NORMAL), target = Tensor.of(tv, n);
            Tensor w = rng.nextInt(3) == 0 ? null : TensorGen.tensor(rng, dt, new int[] {c}, TensorGen.Values.POSITIVE);
            boolean nll = rng.nextInt(3) == 0;
            double eps = nll || rng.nextBoolean() ? 0 : 0.2;
            Tensor[] inputs = w == null ? new Tensor[] {logits, target} : new Tensor[] {logits, target, w};
            String d = (nll ? "nllLoss " : "crossEntropy ") + red + " ignore " + ig + (w == null ? "" : " weighted") + " smoothing " + eps + " targets " + java.util.Arrays.toString(tv);
            return new Case(d, inputs, in -> nll ? Losses.nllLoss(in[0], in[1], in.length > 2 ? in[2] : null, ig, red)
                            : Losses.crossEntropy(in[0], in[1], in.length > 2 ? in[2] : null, ig, red, eps),
                    in -> weightedCrossEntropyRef(in[0], in[1], in.length > 2 ? in[2] : null, ig, red, eps, !nll));
        }));
        ops.add(new OpInfo("linear", Set.of("linear"), true, true, (rng, dt, grad) -> {
            // x [..., in] (rank 1–3) · weightᵀ + bias, against a plain loop; sometimes no bias
            int in = 1 + rng.nextInt(4), out = 1 + rng.nextInt(4), lead = rng.nextInt(3);
            int[] xs = new int[lead + 1];
            for (int i = 0; i < lead; i++) xs[i] = 1 + rng.nextInt(3);
            xs[lead] = in;
            boolean withBias = rng.nextInt(4) != 0;
            Tensor x = TensorGen.tensor(rng, dt, xs, NORMAL), w = TensorGen.tensor(rng, dt, new int[] {out, in}, NORMAL);
            Tensor b = TensorGen.tensor(rng, dt, new int[] {out}, NORMAL);
            int[] ys = xs.clone();
            ys[lead] = out;
            return new Case("linear x" + OpRegistry.fmt(xs) + " w" + OpRegistry.fmt(w.shape()) + (withBias ? " bias" : ""),
                    withBias ? new Tensor[] {x, w, b} : new Tensor[] {x, w},
                    inp -> Affine.linear(inp[0], inp[1], withBias ? inp[2] : null), inp -> Ref.build(ys, idx -> {
                        int[] xi = idx.clone();
                        double sum = withBias ? inp[2].get(idx[lead]) : 0;
                        for (int i = 0; i < in; i++) {
                            xi[lead] = i;
                            sum += inp[0].get(xi) * inp[1].get(idx[lead], i);
                        }
                        return sum;
                    }));
        }));
        ops.add(new OpInfo("scaledDotProductAttention", Set.of("scaledDotProductAttention"), true, true, NnOps::attentionCase));
        return ops;
    }

    /** Attention over random broadcast batch dims, an optional bool or float mask, causal or not, sometimes dropout. */
    static Case attentionCase(RandomGenerator rng, DType dt, boolean grad) {
        int l = 1 + rng.nextInt(4), s = 1 + rng.nextInt(4), e = 1 + rng.nextInt(3), ev = 1 + rng.nextInt(3);
        int[][] batch = TensorGen.broadcastPair(rng, 2, 3);
        int[] vb = OpRegistry.dropSome(rng, Ref.broadcastShape(batch[0], batch[1]));
        Tensor q = TensorGen.tensor(rng, dt, OpRegistry.cat(batch[0], new int[] {l, e}), NORMAL);
        Tensor k = TensorGen.tensor(rng, dt, OpRegistry.cat(batch[1], new int[] {s, e}), NORMAL);
        Tensor v = TensorGen.tensor(rng, dt, OpRegistry.cat(vb, new int[] {s, ev}), NORMAL);
        boolean causal = rng.nextBoolean();
        int maskKind = rng.nextInt(3); // 0: none, 1: bool, 2: float
        int[] ms = OpRegistry.dropSome(rng, OpRegistry.cat(Ref.broadcastShape(batch[0], batch[1]), new int[] {l, s}));
        double p = rng.nextInt(4) == 0 ? 0.3 : 0;
        long seed = rng.nextLong();
        Tensor mask = maskKind == 1 ? TensorGen.mask(rng, ms) : maskKind == 2 ? TensorGen.tensor(rng, dt, ms, NORMAL) : null;
        Tensor[] inputs = mask == null ? new Tensor[] {q, k, v} : new Tensor[] {q, k, v, mask};
        String d = "sdpa q" + OpRegistry.fmt(q.shape()) + " k" + OpRegistry.fmt(k.shape()) + " v" + OpRegistry.fmt(v.shape())
                + (mask == null ? "" : " mask" + OpRegistry.fmt(ms) + " " + mask.dtype()) + (causal ? " causal" : "") + (p > 0 ? " dropout " + p : "");
        return new Case(d, inputs, in -> Attention.scaledDotProductAttention(in[0], in[1], in[2], in.length > 3 ? in[3] : null, causal, p,
                new SplittableRandom(seed)), in -> attentionRef(in[0], in[1], in[2], in.length > 3 ? in[3] : null, causal, p, new SplittableRandom(seed)));
    }

    /** Attention by its definition, one output element at a time; fully masked rows give 0. */
    static Expected attentionRef(Tensor q, Tensor k, Tensor v, Tensor mask, boolean causal, double p, RandomGenerator rng) {
        int l = q.size(-2), s = k.size(-2), e = q.size(-1), ev = v.size(-1);
        int[] qb = java.util.Arrays.copyOf(q.shape(), q.dim() - 2), kb = java.util.Arrays.copyOf(k.shape(), k.dim() - 2);
        int[] sb = Ref.broadcastShape(qb, kb);
        int[] pShape = OpRegistry.cat(sb, new int[] {l, s});
        if (mask != null) pShape = Ref.broadcastShape(pShape, mask.shape());
        int[] full = pShape;
        // the probabilities, then dropout factors drawn row-major over them
        double[] probs = Ref.build(full, idx -> 0).values();
        int rows = probs.length / s;
        for (int r = 0; r < rows; r++) {
            int[] at = Ref.unravel(r * s, full);
            double[] sc = new double[s];
            boolean[] open = new boolean[s];
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < s; j++) {
                at[at.length - 1] = j;
                double dot = 0;
                int[] qi = at.clone(), ki = at.clone();
                for (int c = 0; c < e; c++) {
                    qi[qi.length - 1] = c;
                    ki[ki.length - 2] = j;
                    ki[ki.length - 1] = c;
                    dot += Ref.broadcastGet(q, qi) * Ref.broadcastGet(k, ki);
                }
                sc[j] = dot / Math.sqrt(e);
                open[j] = !causal || j <= at[at.length - 2];
                if (mask != null && mask.dtype() == dev.descent.core.DType.BOOL) open[j] &= Ref.broadcastGet(mask, at) != 0;
                else if (mask != null) sc[j] += Ref.broadcastGet(mask, at);
                if (open[j]) max = Math.max(max, sc[j]);
            }
            double sum = 0;
            for (int j = 0; j < s; j++) sum += open[j] ? Math.exp(sc[j] - max) : 0;
            for (int j = 0; j < s; j++) probs[r * s + j] = open[j] ? Math.exp(sc[j] - max) / sum : 0;
        }
        if (p > 0) for (int i = 0; i < probs.length; i++) probs[i] *= rng.nextDouble() >= p ? 1 / (1 - p) : 0;
        int[] out = Ref.broadcastShape(java.util.Arrays.copyOf(full, full.length - 2), java.util.Arrays.copyOf(v.shape(), v.dim() - 2));
        int[] outShape = OpRegistry.cat(out, new int[] {l, ev});
        Tensor pt = Tensor.of(probs, full);
        return Ref.build(outShape, idx -> {
            double acc = 0;
            int[] pi = idx.clone(), vi = idx.clone();
            for (int j = 0; j < s; j++) {
                pi[pi.length - 1] = j;
                vi[vi.length - 2] = j;
                acc += Ref.broadcastGet(pt, pi) * Ref.broadcastGet(v, vi);
            }
            return acc;
        });
    }

    /** Per (sample, group): mean and biased variance over the group's channels and positions, then the per-channel affine. */
    static Expected groupNormRef(Tensor x, int groups, Tensor w, Tensor b, double eps) {
        int[] xs = x.shape();
        int n = xs[0], c = xs[1], per = c / groups, spatial = x.numel() / (n * c);
        double[] v = OpRegistry.values(x), out = new double[v.length];
        for (int s = 0; s < n; s++) for (int g = 0; g < groups; g++) {
            int from = (s * c + g * per) * spatial, count = per * spatial;
            double m = 0, var = 0;
            for (int i = 0; i < count; i++) m += v[from + i] / count;
            for (int i = 0; i < count; i++) var += Math.pow(v[from + i] - m, 2) / count;
            for (int i = 0; i < count; i++) {
                int ch = g * per + i / spatial;
                double y = (v[from + i] - m) / Math.sqrt(var + eps);
                out[from + i] = w == null ? y : y * w.get(ch) + b.get(ch);
            }
        }
        return new Expected(xs, out);
    }

    /** PyTorch's weighted cross-entropy by its formula: per row −(1 − ε)·w[y]·log p[y] − (ε/C)·Σ_c w[c]·log p[c]; MEAN over Σ w[y] of kept rows. */
    static Expected weightedCrossEntropyRef(Tensor scores, Tensor target, Tensor w, long ignore, Losses.Reduction r, double eps, boolean fromLogits) {
        int n = scores.size(0), c = scores.size(1);
        double[] loss = new double[n];
        double total = 0, weights = 0;
        for (int i = 0; i < n; i++) {
            long y = target.getLong(i);
            if (y == ignore) continue;
            double[] row = new double[c];
            for (int k = 0; k < c; k++) row[k] = scores.get(i, k);
            double lse = fromLogits ? OpRegistry.logSumExp(row) : 0;
            double wy = w == null ? 1 : w.get((int) y);
            double smooth = 0;
            for (int k = 0; k < c; k++) smooth -= (w == null ? 1 : w.get(k)) * (row[k] - lse);
            loss[i] = -(1 - eps) * wy * (row[(int) y] - lse) + eps / c * smooth;
            total += loss[i];
            weights += wy;
        }
        return switch (r) {
            case NONE -> new Expected(new int[] {n}, loss);
            case SUM -> OpRegistry.scalar(total);
            default -> OpRegistry.scalar(total / weights);
        };
    }

    static double softplus(double z) {
        return Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
    }

    /** erf by numerical integration of 2/√π·e^{−t²} (Simpson, 2000 panels): independent of the kernel's series. */
    static double erfRef(double x) {
        int m = 2000;
        double h = x / m, s = 0;
        for (int k = 0; k <= m; k++) {
            double t = k * h, f = Math.exp(-t * t);
            s += (k == 0 || k == m) ? f : (k % 2 == 1 ? 4 * f : 2 * f);
        }
        return s * h / 3 * 2 / Math.sqrt(Math.PI);
    }

    static Expected reduceRef(Expected e, Losses.Reduction r) {
        return switch (r) {
            case NONE -> e;
            case SUM -> OpRegistry.scalar(java.util.Arrays.stream(e.values()).sum());
            case MEAN -> OpRegistry.scalar(java.util.Arrays.stream(e.values()).average().orElse(Double.NaN));
            case BATCHMEAN -> OpRegistry.scalar(java.util.Arrays.stream(e.values()).sum() / (e.shape().length == 0 ? 1 : e.shape()[0]));
        };
    }

    static Expected crossEntropyRef(Tensor logits, Tensor target, Losses.Reduction r, double eps) {
        int n = logits.size(0), c = logits.size(1);
        return reduceRef(Ref.build(new int[] {n}, i -> {
            double[] row = new double[c];
            for (int k = 0; k < c; k++) row[k] = logits.get(i[0], k);
            double lse = OpRegistry.logSumExp(row);
            double nll = lse - row[(int) target.getLong(i[0])];
            double mean = 0;
            for (double v : row) mean += (lse - v) / c;
            return (1 - eps) * nll + eps * mean;
        }), r);
    }

    static Expected poolRef(Tensor x, Pooling.Window p, int[] os, boolean max) {
        int[] xs = x.shape();
        return Ref.build(os, idx -> {
            double best = Double.NEGATIVE_INFINITY, sum = 0;
            for (int i = 0; i < p.kh(); i++) for (int j = 0; j < p.kw(); j++) {
                int ih = idx[2] * p.sh() - p.ph() + i, iw = idx[3] * p.sw() - p.pw() + j;
                if (ih < 0 || ih >= xs[2] || iw < 0 || iw >= xs[3]) continue;
                double v = x.get(idx[0], idx[1], ih, iw);
                best = Math.max(best, v);
                sum += v;
            }
            return max ? best : sum / (p.kh() * p.kw());
        });
    }

    static Expected avgPoolBackwardRef(Tensor g, int[] xs, Pooling.Window p) {
        double[] dx = new double[xs[0] * xs[1] * xs[2] * xs[3]];
        int[] gs = g.shape();
        for (int f = 0; f < g.numel(); f++) {
            int[] o = Ref.unravel(f, gs);
            for (int i = 0; i < p.kh(); i++) for (int j = 0; j < p.kw(); j++) {
                int ih = o[2] * p.sh() - p.ph() + i, iw = o[3] * p.sw() - p.pw() + j;
                if (ih < 0 || ih >= xs[2] || iw < 0 || iw >= xs[3]) continue;
                dx[((o[0] * xs[1] + o[1]) * xs[2] + ih) * xs[3] + iw] += g.get(o) / (p.kh() * p.kw());
            }
        }
        return new Expected(xs, dx);
    }

    static Expected batchNormRef(Tensor x, Tensor rm, Tensor rv, Tensor w, Tensor b, double eps) {
        int[] xs = x.shape();
        int c = xs[1];
        double[] mean = new double[c], var = new double[c];
        int[] count = new int[c];
        for (int f = 0; f < x.numel(); f++) {
            int[] i = Ref.unravel(f, xs);
            mean[i[1]] += x.get(i);
            count[i[1]]++;
        }
        for (int k = 0; k < c; k++) mean[k] /= count[k];
        for (int f = 0; f < x.numel(); f++) {
            int[] i = Ref.unravel(f, xs);
            var[i[1]] += Math.pow(x.get(i) - mean[i[1]], 2) / count[i[1]];
        }
        return Ref.build(xs, i -> {
            int k = i[1];
            double m = rm == null ? mean[k] : rm.get(k), v = rv == null ? var[k] : rv.get(k);
            double y = (x.get(i) - m) / Math.sqrt(v + eps);
            return w == null ? y : y * w.get(k) + b.get(k);
        });
    }

    static Expected layerNormRef(Tensor x, int[] ns, Tensor w, Tensor b, double eps) {
        int[] xs = x.shape();
        int inner = 1;
        for (int d : ns) inner *= d;
        int outer = x.numel() / inner;
        double[] v = OpRegistry.values(x), out = new double[v.length];
        double[] wv = OpRegistry.values(w), bv = OpRegistry.values(b);
        for (int o = 0; o < outer; o++) {
            double m = 0, s = 0;
            for (int i = 0; i < inner; i++) m += v[o * inner + i] / inner;
            for (int i = 0; i < inner; i++) s += Math.pow(v[o * inner + i] - m, 2) / inner;
            for (int i = 0; i < inner; i++) out[o * inner + i] = (v[o * inner + i] - m) / Math.sqrt(s + eps) * wv[i] + bv[i];
        }
        return new Expected(xs, out);
    }
}
