package dev.descent.core.ops;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.Autograd;
import dev.descent.core.kernel.Loops;
import dev.descent.core.kernel.Parallel;
import dev.descent.core.kernel.SpecialFunctions;
import dev.descent.core.kernel.UnaryKernels;
import dev.descent.core.kernel.VectorMath;
import dev.descent.core.kernel.Vectors;

/**
 * Activations that are a fixed elementwise function of one tensor (relu, sigmoid and tanh are primitives in
 * {@link Elementwise}). Exact GELU is one parallel pass with its own backward (Φ(x) + x·φ(x), itself recorded so
 * second derivatives work); GELU's tanh form is composed from primitives, whose rules compose to its backward; SiLU
 * and leaky ReLU have a kernel and a backward of their own; ELU and softplus compute their forward from
 * primitives and record one node with their own backward; hard swish and hard sigmoid are one kernel pass each. Each is called as a
 * {@link Tensor} method ({@link Tensor#gelu()}, {@link Tensor#silu()}, …).
 */
public final class Activations {
    private Activations() {}

    private static final double INV_SQRT2 = 0.7071067811865476;

    /**
     * GELU, exact form: x·Φ(x) = ½·x·(1 + erf(x/√2)), Φ the standard normal CDF (Hendrycks &amp; Gimpel
     * 2016), in one pass (float32: {@link VectorMath#geluRow}, a vector kernel; float64: erf from
     * {@link SpecialFunctions#erfFast}); gradient g·(Φ(x) + x·φ(x)). The implementation of
     * {@link Tensor#gelu()}.
     *
     * @param x the input
     * @return ½·x·(1 + erf(x/√2))
     */
    public static Tensor gelu(Tensor x) {
        if (HalfCompute.any(x)) return HalfCompute.round(gelu(x.to(DType.FLOAT32)), x.dtype());
        boolean recording = Autograd.isRecording(x);
        Tensor[] yd = geluPass(x, recording);
        if (!recording) return yd[0];
        // The derivative Φ(x) + x·φ(x) shares Φ(x) with the value: both come from one erf per element.
        Tensor d = Autograd.record("geluDerivative", yd[1], g -> new Tensor[] {g.mul(geluSecondDerivative(x))},
                t -> t[0].mul(geluSecondDerivative(x)), x);
        return Autograd.record("gelu", yd[0], g -> new Tensor[] {g.mul(d)}, t -> t[0].mul(d), x);
    }

    /** φ(x)·(2 − x²), GELU's second derivative, with differentiable ops. */
    private static Tensor geluSecondDerivative(Tensor x) {
        return x.square().mul(-0.5).exp().mul(INV_SQRT_2PI).mul(x.square().neg().add(2));
    }

    /** 1/√(2π). */
    private static final double INV_SQRT_2PI = 0.3989422804014327;

    /**
     * ½x(1 + erf(x/√2)) and, when asked, Φ(x) + x·φ(x), in one parallel pass over fixed chunks (deterministic): float32
     * by {@link VectorMath#geluRow} (a vector kernel in float32, within a few ulps), float64 from {@link SpecialFunctions#erfFast}.
     *
     * @return {y, d}, d null without {@code withDerivative}
     */
    private static Tensor[] geluPass(Tensor x, boolean withDerivative) {
        if (!x.dtype().isFloatingPoint()) throw new IllegalArgumentException("gelu: expects a float32 or float64 tensor, got " + x.dtype());
        Tensor xc = x.detach().contiguous();
        Tensor y = Tensor.empty(x.dtype(), x.shape()), d = withDerivative ? Tensor.empty(x.dtype(), x.shape()) : null; // every element is written
        int n = y.numel(), base = xc.storageOffset();
        boolean f32 = x.dtype() == DType.FLOAT32, slopes = d != null; // loop-invariant: the JIT unswitches these branches
        float[] xf = f32 ? xc.storage().floats() : null, yf = f32 ? y.storage().floats() : null, df = f32 && slopes ? d.storage().floats() : null;
        double[] xd = f32 ? null : xc.storage().doubles(), yd = f32 ? null : y.storage().doubles(), dd = !f32 && slopes ? d.storage().doubles() : null;
        if (f32) {
            Parallel.forRange(n, 1 << 14, (from, to) -> VectorMath.geluRow(xf, base + from, yf, from, df, from, to - from, Vectors.ENABLED));
            return new Tensor[] {y, d};
        }
        Parallel.forRange(n, 1 << 14, (from, to) -> {
            for (int i = from; i < to; i++) {
                double v = f32 ? xf[base + i] : xd[base + i];
                double e1 = 1 + SpecialFunctions.erfFast(v * INV_SQRT2), value = 0.5 * v * e1;
                if (f32) yf[i] = (float) value;
                else yd[i] = value;
                if (!slopes) continue;
                double slope = 0.5 * e1 + v * INV_SQRT_2PI * Math.exp(-0.5 * v * v);
                if (f32) df[i] = (float) slope;
                else dd[i] = slope;
            }
        });
        return new Tensor[] {y, d};
    }

    /**
     * GELU, tanh approximation: ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). The implementation of
     * {@link Tensor#geluTanh()}.
     *
     * @param x the input
     * @return ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
     */
    public static Tensor geluTanh(Tensor x) {
        if (HalfCompute.any(x)) return HalfCompute.round(geluTanh(x.to(DType.FLOAT32)), x.dtype());
        return x.mul(x.add(x.pow(3).mul(0.044715)).mul(0.7978845608028654).tanh().add(1)).mul(0.5);
    }

    /**
     * SiLU (swish): x·σ(x) (Elfwing et al. 2017; Ramachandran et al. 2017), one kernel pass. Gradient
     * g·σ(x)·(1 + x·(1 − σ(x))). The implementation of {@link Tensor#silu()}.
     *
     * @param x a float32 or float64 tensor
     * @return x·σ(x), of x's shape and dtype
     */
    public static Tensor silu(Tensor x) {
        if (HalfCompute.any(x)) return HalfCompute.round(silu(x.to(DType.FLOAT32)), x.dtype());
        Tensor y = Elementwise.unary(UnaryKernels.Kind.SILU, x);
        return Autograd.record("silu", y, g -> {
            Tensor s = x.sigmoid();
            return new Tensor[] {g.mul(s).mul(x.mul(s.neg().add(1)).add(1))};
        }, t -> {
            Tensor s = x.sigmoid();
            return t[0].mul(s).mul(x.mul(s.neg().add(1)).add(1));
        }, x);
    }

    /**
     * Hard swish: x·min(max(x + 3, 0), 6) / 6 (Howard et al. 2019, "Searching for MobileNetV3"; PyTorch's
     * {@code hardswish}), one kernel pass instead of the four ops it is often written as. Gradient, as PyTorch's:
     * 0 below −3, g·(x/3 + ½) on [−3, 3], g above 3; computed as g·(hardsigmoid(x) + x·[−3 ≤ x ≤ 3]/6), written with
     * differentiable ops so that it differentiates again. The implementation of {@link Tensor#hardswish()}.
     *
     * @param x a float32 or float64 tensor
     * @return x·min(max(x + 3, 0), 6) / 6, of x's shape and dtype
     */
    public static Tensor hardswish(Tensor x) {
        if (HalfCompute.any(x)) return HalfCompute.round(hardswish(x.to(DType.FLOAT32)), x.dtype());
        Tensor y = Elementwise.unary(UnaryKernels.Kind.HARDSWISH, x);
        return Autograd.record("hardswish", y, g -> new Tensor[] {g.mul(hardswishSlope(x))}, t -> t[0].mul(hardswishSlope(x)), x);
    }

    /** d/dx hardswish(x) = hardsigmoid(x) + x·[−3 ≤ x ≤ 3]/6, closed at both ends as PyTorch's backward. */
    private static Tensor hardswishSlope(Tensor x) {
        Tensor inside = x.ge(-3).to(x.dtype()).mul(x.le(3).to(x.dtype()));
        return x.hardsigmoid().add(x.mul(inside).div(6));
    }

    /**
     * Hard sigmoid: min(max(x + 3, 0), 6) / 6 (PyTorch's {@code hardsigmoid}; ONNX's HardSigmoid with α = 1/6,
     * β = ½), one kernel pass. Gradient, as PyTorch's: g/6 on the open interval (−3, 3), 0 elsewhere. The
     * implementation of {@link Tensor#hardsigmoid()}.
     *
     * @param x a float32 or float64 tensor
     * @return min(max(x + 3, 0), 6) / 6, of x's shape and dtype
     */
    public static Tensor hardsigmoid(Tensor x) {
        if (HalfCompute.any(x)) return HalfCompute.round(hardsigmoid(x.to(DType.FLOAT32)), x.dtype());
        Tensor y = Elementwise.unary(UnaryKernels.Kind.HARDSIGMOID, x);
        return Autograd.record("hardsigmoid", y, g -> new Tensor[] {g.mul(hardsigmoidSlope(x))}, t -> t[0].mul(hardsigmoidSlope(x)), x);
    }

    /** d/dx hardsigmoid(x) = [−3 &lt; x &lt; 3]/6 (a constant of x: its own derivative is 0). */
    private static Tensor hardsigmoidSlope(Tensor x) {
        Tensor xd = x.detach();
        return xd.gt(-3).to(x.dtype()).mul(xd.lt(3).to(x.dtype())).div(6);
    }

    /**
     * Leaky ReLU: x where x &gt; 0, slope·x elsewhere (Maas et al. 2013), one kernel pass. Gradient g where
     * x &gt; 0, slope·g elsewhere (slope at the kink, as PyTorch). The implementation of
     * {@link Tensor#leakyRelu(double)}.
     *
     * @param x a float32 or float64 tensor
     * @param slope the slope below 0 (PyTorch's {@code negative_slope})
     * @return a new tensor of x's shape and dtype
     * @throws IllegalArgumentException when x is not floating point or the slope is not finite
     */
    public static Tensor leakyRelu(Tensor x, double slope) {
        if (HalfCompute.any(x)) return HalfCompute.round(leakyRelu(x.to(DType.FLOAT32), slope), x.dtype());
        if (!Double.isFinite(slope)) throw new IllegalArgumentException("leakyRelu: slope must be finite, was " + slope);
        if (!x.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("leakyRelu: expects a float32 or float64 tensor, got " + x.dtype() + "; convert with to(DType.FLOAT32)");
        }
        Tensor y = Tensor.empty(x.dtype(), x.shape());
        if (x.dtype() == DType.FLOAT32) {
            float[] xa = x.storage().floats(), ya = y.storage().floats();
            float s = (float) slope;
            Loops.forEachRow(x.shape(), x.strides(), x.storageOffset(), null, 0, null, 0,
                    (o, a, as, b, bs, c, cs, n) -> UnaryKernels.leakyReluRowF(xa, a, as, ya, o, n, s, Vectors.ENABLED));
        } else {
            double[] xa = x.storage().doubles(), ya = y.storage().doubles();
            Loops.forEachRow(x.shape(), x.strides(), x.storageOffset(), null, 0, null, 0,
                    (o, a, as, b, bs, c, cs, n) -> UnaryKernels.leakyReluRowD(xa, a, as, ya, o, n, slope, Vectors.ENABLED));
        }
        return Autograd.record("leakyRelu", y, g -> new Tensor[] {leakyMask(g, x, slope)}, t -> leakyMask(t[0], x, slope), x);
    }

    /** g where x &gt; 0, slope·g elsewhere, in one pass: leaky ReLU's backward, linear in g (so its backward is itself). */
    private static Tensor leakyMask(Tensor g, Tensor x, double slope) {
        if (!java.util.Arrays.equals(g.shape(), x.shape()) || g.dtype() != x.dtype() || !g.dtype().isFloatingPoint()) {
            return Elementwise.where(x.gt(0), g, g.mul(slope));
        }
        Tensor gc = g.detach().contiguous(), xc = x.detach().contiguous();
        Tensor y = Tensor.empty(g.dtype(), g.shape());
        int n = y.numel(), go = gc.storageOffset(), xo = xc.storageOffset();
        if (g.dtype() == DType.FLOAT32) {
            float[] ga = gc.storage().floats(), xa = xc.storage().floats(), ya = y.storage().floats();
            float s = (float) slope;
            Loops.forEachRow(new int[] {n}, new int[] {1}, 0, null, 0, null, 0,
                    (o, a, as, b, bs, c, cs, len) -> UnaryKernels.leakyMaskF(ga, go + o, xa, xo + o, ya, o, len, s, Vectors.ENABLED));
        } else {
            double[] ga = gc.storage().doubles(), xa = xc.storage().doubles(), ya = y.storage().doubles();
            Loops.forEachRow(new int[] {n}, new int[] {1}, 0, null, 0, null, 0,
                    (o, a, as, b, bs, c, cs, len) -> UnaryKernels.leakyMaskD(ga, go + o, xa, xo + o, ya, o, len, slope, Vectors.ENABLED));
        }
        return Autograd.record("leakyReluBackward", y, h -> new Tensor[] {leakyMask(h, x, slope), null},
                t -> t[0] == null ? null : leakyMask(t[0], x, slope), g, x);
    }

    /**
     * ELU: x where x &gt; 0, α·(eˣ − 1) elsewhere (Clevert et al. 2016), computed as
     * {@code where(x > 0, x, α·expm1(min(x, 0)))} (the clamp keeps eˣ finite in the branch not taken). Gradient g
     * where x &gt; 0, g·α·eˣ = g·(y + α) elsewhere (α at 0, as PyTorch), recorded as one node. The implementation
     * of {@link Tensor#elu(double)}.
     *
     * @param x a float32 or float64 tensor
     * @param alpha the scale of the negative part
     * @return a new tensor of x's shape and dtype
     * @throws IllegalArgumentException when alpha is not finite
     */
    public static Tensor elu(Tensor x, double alpha) {
        if (HalfCompute.any(x)) return HalfCompute.round(elu(x.to(DType.FLOAT32), alpha), x.dtype());
        if (!Double.isFinite(alpha)) throw new IllegalArgumentException("elu: alpha must be finite, was " + alpha);
        Tensor xd = x.detach();
        Tensor y = Tensor.where(xd.gt(0), xd, xd.clampMax(0).expm1().mul(alpha));
        // one node instead of five: d/dx α(eˣ − 1) = α·eˣ = y + α below 0 (written with y, so it differentiates again)
        return Autograd.record("elu", y, g -> new Tensor[] {Tensor.where(x.gt(0), g, g.mul(y.add(alpha)))},
                t -> Tensor.where(x.gt(0), t[0], t[0].mul(y.add(alpha))), x);
    }

    /**
     * Softplus: (1/β)·ln(1 + e^(βx)), and x itself where βx &gt; threshold (PyTorch's linear region, which
     * keeps e^(βx) from overflowing), computed as {@code where(βx > t, x, log1p(exp(min(βx, t)))/β)}; the
     * gradient, one node, is g·σ(βx) below the threshold and g above it. The implementation of
     * {@link Tensor#softplus(double, double)}.
     *
     * @param x a float32 or float64 tensor
     * @param beta β, the sharpness (non-zero)
     * @param threshold where the linear region starts, in units of βx
     * @return a new tensor of x's shape and dtype
     * @throws IllegalArgumentException when beta is 0 or not finite, or threshold is NaN
     */
    public static Tensor softplus(Tensor x, double beta, double threshold) {
        if (HalfCompute.any(x)) return HalfCompute.round(softplus(x.to(DType.FLOAT32), beta, threshold), x.dtype());
        if (beta == 0 || !Double.isFinite(beta)) throw new IllegalArgumentException("softplus: beta must be finite and non-zero, was " + beta);
        if (Double.isNaN(threshold)) throw new IllegalArgumentException("softplus: threshold must not be NaN");
        Tensor xd = x.detach();
        Tensor bx = beta == 1 ? xd : xd.mul(beta);
        Tensor soft = bx.clampMax(threshold).exp().log1p();
        Tensor y = Tensor.where(bx.gt(threshold), xd, beta == 1 ? soft : soft.div(beta));
        // one node: the derivative is σ(βx) below the threshold, 1 above
        return Autograd.record("softplus", y, g -> {
            Tensor bxg = beta == 1 ? x : x.mul(beta);
            return new Tensor[] {Tensor.where(bxg.gt(threshold), g, g.mul(bxg.sigmoid()))};
        }, t -> {
            Tensor bxt = beta == 1 ? x : x.mul(beta);
            return Tensor.where(bxt.gt(threshold), t[0], t[0].mul(bxt.sigmoid()));
        }, x);
    }
}
