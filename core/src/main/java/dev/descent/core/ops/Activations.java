package dev.descent.core.ops;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.Autograd;
import dev.descent.core.kernel.Loops;
import dev.descent.core.kernel.UnaryKernels;
import dev.descent.core.kernel.Vectors;

/**
 * Activations that are a fixed elementwise function of one tensor (relu, sigmoid and tanh are primitives in
 * {@link Elementwise}). GELU (both forms), ELU and softplus are composed from primitives, whose rules compose
 * to their backward; SiLU and leaky ReLU have a kernel and a backward of their own. Each is called as a
 * {@link Tensor} method ({@link Tensor#gelu()}, {@link Tensor#silu()}, …).
 */
public final class Activations {
    private Activations() {}

    private static final double INV_SQRT2 = 0.7071067811865476;

    /**
     * GELU, exact form: x·Φ(x) = ½·x·(1 + erf(x/√2)), Φ the standard normal CDF (Hendrycks &amp; Gimpel
     * 2016). The implementation of {@link Tensor#gelu()}.
     *
     * @param x the input
     * @return ½·x·(1 + erf(x/√2))
     */
    public static Tensor gelu(Tensor x) {
        return x.mul(x.mul(INV_SQRT2).erf().add(1)).mul(0.5);
    }

    /**
     * GELU, tanh approximation: ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). The implementation of
     * {@link Tensor#geluTanh()}.
     *
     * @param x the input
     * @return ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
     */
    public static Tensor geluTanh(Tensor x) {
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
        Tensor y = Elementwise.unary(UnaryKernels.Kind.SILU, x);
        return Autograd.record("silu", y, g -> {
            Tensor s = x.sigmoid();
            return new Tensor[] {g.mul(s).mul(x.mul(s.neg().add(1)).add(1))};
        }, x);
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
        return Autograd.record("leakyRelu", y, g -> new Tensor[] {Elementwise.where(x.gt(0), g, g.mul(slope))}, x);
    }

    /**
     * ELU: x where x &gt; 0, α·(eˣ − 1) elsewhere (Clevert et al. 2016), composed as
     * {@code where(x > 0, x, α·expm1(min(x, 0)))}: the clamp keeps eˣ finite in the branch not taken, so its
     * zero gradient stays 0 and not 0·∞. Gradient g where x &gt; 0, g·α·eˣ elsewhere (α at 0, as PyTorch). The
     * implementation of {@link Tensor#elu(double)}.
     *
     * @param x a float32 or float64 tensor
     * @param alpha the scale of the negative part
     * @return a new tensor of x's shape and dtype
     * @throws IllegalArgumentException when alpha is not finite
     */
    public static Tensor elu(Tensor x, double alpha) {
        if (!Double.isFinite(alpha)) throw new IllegalArgumentException("elu: alpha must be finite, was " + alpha);
        return Tensor.where(x.gt(0), x, x.clampMax(0).expm1().mul(alpha));
    }

    /**
     * Softplus: (1/β)·ln(1 + e^(βx)), and x itself where βx &gt; threshold (PyTorch's linear region, which
     * keeps e^(βx) from overflowing). Composed as {@code where(βx > t, x, log1p(exp(min(βx, t)))/β)}; the
     * gradient is g·σ(βx) below the threshold and g above it. The implementation of
     * {@link Tensor#softplus(double, double)}.
     *
     * @param x a float32 or float64 tensor
     * @param beta β, the sharpness (non-zero)
     * @param threshold where the linear region starts, in units of βx
     * @return a new tensor of x's shape and dtype
     * @throws IllegalArgumentException when beta is 0 or not finite, or threshold is NaN
     */
    public static Tensor softplus(Tensor x, double beta, double threshold) {
        if (beta == 0 || !Double.isFinite(beta)) throw new IllegalArgumentException("softplus: beta must be finite and non-zero, was " + beta);
        if (Double.isNaN(threshold)) throw new IllegalArgumentException("softplus: threshold must not be NaN");
        Tensor bx = beta == 1 ? x : x.mul(beta);
        Tensor soft = bx.clampMax(threshold).exp().log1p();
        return Tensor.where(bx.gt(threshold), x, beta == 1 ? soft : soft.div(beta));
    }
}
