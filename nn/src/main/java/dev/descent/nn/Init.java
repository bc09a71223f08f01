package dev.descent.nn;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.GradMode;
import java.util.random.RandomGenerator;

/**
 * Weight initialisers, all from a caller-supplied generator. Each fills a tensor in place and returns
 * it. fan_in and fan_out of a weight [out, in, k...] are in·Πk and out·Πk.
 */
public final class Init {
    private Init() {}

    /**
     * in·Πk for a weight of shape [out, in, k…] (in for a matrix [out, in]).
     *
     * @param w the weight
     * @return its fan-in
     * @throws IllegalArgumentException when w has rank below 2
     */
    public static int fanIn(Tensor w) {
        int[] s = w.shape();
        if (s.length < 2) throw new IllegalArgumentException("fan in needs a weight of rank >= 2, got rank " + s.length);
        int f = s[1];
        for (int i = 2; i < s.length; i++) f *= s[i];
        return f;
    }

    /**
     * out·Πk for a weight of shape [out, in, k…].
     *
     * @param w the weight
     * @return its fan-out
     * @throws IllegalArgumentException when w has rank below 2
     */
    public static int fanOut(Tensor w) {
        int[] s = w.shape();
        if (s.length < 2) throw new IllegalArgumentException("fan out needs a weight of rank >= 2, got rank " + s.length);
        int f = s[0];
        for (int i = 2; i < s.length; i++) f *= s[i];
        return f;
    }

    /**
     * Fills t with values uniform in [−bound, bound), drawn in float64 in row-major order.
     *
     * @param t the tensor to fill in place (a parameter is fine: no graph is recorded)
     * @param bound the half-width, ≥ 0
     * @param rng the source of randomness
     * @return t
     * @throws IllegalArgumentException when bound is negative or NaN
     */
    public static Tensor uniform(Tensor t, double bound, RandomGenerator rng) {
        return fill(t, Tensor.uniform(-bound, bound, DType.FLOAT64, rng, t.shape()));
    }

    /**
     * Fills t with values normal with mean 0 and the given standard deviation, drawn in row-major order.
     *
     * @param t the tensor to fill in place
     * @param std the standard deviation
     * @param rng the source of randomness
     * @return t
     */
    public static Tensor normal(Tensor t, double std, RandomGenerator rng) {
        return fill(t, Tensor.randn(DType.FLOAT64, rng, t.shape()).mul(std));
    }

    /**
     * The gain of leaky ReLU with negative slope {@code a}: √(2 / (1 + a²)) (√2 for ReLU).
     *
     * @param a the negative slope
     * @return the gain
     */
    public static double leakyReluGain(double a) {
        return Math.sqrt(2 / (1 + a * a));
    }

    /**
     * Kaiming (He et al. 2015) uniform: bound = gain·√(3 / fan_in), gain for leaky ReLU slope {@code a}
     * (0 for ReLU).
     *
     * @param w the weight to fill in place, rank ≥ 2
     * @param a the negative slope of the leaky ReLU that follows
     * @param rng the source of randomness
     * @return w
     * @throws IllegalArgumentException when w has rank below 2
     */
    public static Tensor kaimingUniform(Tensor w, double a, RandomGenerator rng) {
        return uniform(w, leakyReluGain(a) * Math.sqrt(3.0 / fanIn(w)), rng);
    }

    /**
     * Kaiming (He et al. 2015) normal: std = gain / √fan_in.
     *
     * @param w the weight to fill in place, rank ≥ 2
     * @param a the negative slope of the leaky ReLU that follows
     * @param rng the source of randomness
     * @return w
     * @throws IllegalArgumentException when w has rank below 2
     */
    public static Tensor kaimingNormal(Tensor w, double a, RandomGenerator rng) {
        return normal(w, leakyReluGain(a) / Math.sqrt(fanIn(w)), rng);
    }

    /**
     * Xavier (Glorot &amp; Bengio 2010) uniform: bound = gain·√(6 / (fan_in + fan_out)).
     *
     * @param w the weight to fill in place, rank ≥ 2
     * @param gain the scale for the activation that follows (1 for linear or sigmoid)
     * @param rng the source of randomness
     * @return w
     * @throws IllegalArgumentException when w has rank below 2
     */
    public static Tensor xavierUniform(Tensor w, double gain, RandomGenerator rng) {
        return uniform(w, gain * Math.sqrt(6.0 / (fanIn(w) + fanOut(w))), rng);
    }

    /**
     * Xavier (Glorot &amp; Bengio 2010) normal: std = gain·√(2 / (fan_in + fan_out)).
     *
     * @param w the weight to fill in place, rank ≥ 2
     * @param gain the scale for the activation that follows
     * @param rng the source of randomness
     * @return w
     * @throws IllegalArgumentException when w has rank below 2
     */
    public static Tensor xavierNormal(Tensor w, double gain, RandomGenerator rng) {
        return normal(w, gain * Math.sqrt(2.0 / (fanIn(w) + fanOut(w))), rng);
    }

    /**
     * PyTorch's default for Linear and Conv2d: weight Kaiming-uniform with a = √5 (bound 1/√fan_in),
     * bias uniform in ±1/√fan_in (bias may be null). The weight is drawn first, then the bias.
     *
     * @param weight the weight to fill in place, rank ≥ 2
     * @param bias the bias to fill in place, or null
     * @param rng the source of randomness
     * @throws IllegalArgumentException when the weight has rank below 2
     */
    public static void pytorchDefault(Tensor weight, Tensor bias, RandomGenerator rng) {
        kaimingUniform(weight, Math.sqrt(5), rng);
        if (bias != null) uniform(bias, 1 / Math.sqrt(fanIn(weight)), rng);
    }

    private static Tensor fill(Tensor t, Tensor values) {
        try (var _ = GradMode.noGrad()) {
            return t.copyFrom(values);
        }
    }
}
