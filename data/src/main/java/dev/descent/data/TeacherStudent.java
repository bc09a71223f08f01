package dev.descent.data;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * Single-index teacher–student data (docs/papers.md §2): inputs x ~ N(0, I_d) and targets
 * {@code y = σ*(θ·x) + noise·ε} for a unit direction θ, with the teacher activation given by its
 * coefficients in the orthonormal (probabilists') Hermite basis:
 * <pre>
 *   σ*(z) = Σ_k c_k · He_k(z) / √(k!)        E[He_j(z) He_k(z)] / √(j! k!) = δ_jk for z ~ N(0, 1)
 * </pre>
 * so c_k is exactly the teacher's k-th Hermite coefficient and E[σ*(z)²] = Σ c_k². For example
 * {@code new double[] {0, 1, c2}} is {@code He1(z) + c2·He2(z)/√2 = z + c2·(z² − 1)/√2}, the family the
 * fast–slow experiment sweeps. Batches are fresh draws on demand: online SGD never sees an example twice.
 */
public final class TeacherStudent {
    private final double[] theta;
    private final double[] hermite;
    private final double noise;

    /**
     * A teacher in dimension {@code d} whose direction θ is drawn uniformly on the unit sphere from {@code rng}.
     *
     * @param d the input dimension, ≥ 1
     * @param hermite the coefficients c_0, c_1, … of σ* in the normalised Hermite basis (at least one)
     * @param rng the source of θ
     * @throws IllegalArgumentException when {@code d < 1}, or the coefficients are empty or not finite
     */
    public TeacherStudent(int d, double[] hermite, RandomGenerator rng) {
        this(randomDirection(d, rng), hermite, 0);
    }

    /**
     * A teacher with direction {@code theta} (normalised to unit length here) and Hermite coefficients {@code hermite}.
     *
     * @param theta the direction, finite and non-zero (copied)
     * @param hermite the coefficients c_0, c_1, … of σ* (at least one, copied)
     * @throws IllegalArgumentException when theta is zero or not finite, or the coefficients are empty or not
     *         finite
     */
    public TeacherStudent(double[] theta, double[] hermite) {
        this(unit(theta), hermite, 0);
    }

    private TeacherStudent(double[] unitTheta, double[] hermite, double noise) {
        if (hermite.length == 0) throw new IllegalArgumentException("need at least one Hermite coefficient");
        for (int k = 0; k < hermite.length; k++) {
            if (!Double.isFinite(hermite[k])) throw new IllegalArgumentException("Hermite coefficient c" + k + " must be finite, was " + hermite[k]);
        }
        this.theta = unitTheta;
        this.hermite = hermite.clone();
        this.noise = noise;
    }

    private static double[] randomDirection(int d, RandomGenerator rng) {
        if (d <= 0) throw new IllegalArgumentException("dimension must be > 0, was " + d);
        double[] v = new double[d];
        double norm;
        do {
            for (int i = 0; i < d; i++) v[i] = rng.nextGaussian();
            norm = norm(v);
        } while (norm == 0);
        for (int i = 0; i < d; i++) v[i] /= norm;
        return v;
    }

    private static double[] unit(double[] theta) {
        double norm = norm(theta);
        if (!(norm > 0) || !Double.isFinite(norm)) throw new IllegalArgumentException("theta must be a finite non-zero vector, has norm " + norm);
        double[] u = theta.clone();
        for (int i = 0; i < u.length; i++) u[i] /= norm;
        return u;
    }

    private static double norm(double[] v) {
        double s = 0;
        for (double a : v) s += a * a;
        return Math.sqrt(s);
    }

    /**
     * The same teacher with additive Gaussian label noise of standard deviation {@code std}.
     *
     * @param std the noise's standard deviation, ≥ 0 and finite
     * @return a new teacher with the same θ and coefficients
     * @throws IllegalArgumentException when std is negative, infinite or NaN
     */
    public TeacherStudent withLabelNoise(double std) {
        if (!(std >= 0) || !Double.isFinite(std)) throw new IllegalArgumentException("label noise std must be >= 0 and finite, was " + std);
        return new TeacherStudent(theta, hermite, std);
    }

    /**
     * The input dimension d.
     *
     * @return d
     */
    public int dimension() {
        return theta.length;
    }

    /**
     * The unit direction θ, float64 [d].
     *
     * @return a new tensor
     */
    public Tensor theta() {
        return Tensor.of(theta);
    }

    /**
     * The Hermite coefficients c_0, c_1, ….
     *
     * @return a copy
     */
    public double[] hermiteCoefficients() {
        return hermite.clone();
    }

    /**
     * The label noise standard deviation.
     *
     * @return 0 unless set with {@link #withLabelNoise}
     */
    public double labelNoise() {
        return noise;
    }

    /**
     * The teacher activation σ*(z).
     *
     * @param z the pre-activation θ·x
     * @return Σ_k c_k·He_k(z)/√(k!)
     */
    public double activation(double z) {
        return series(hermite, z);
    }

    /**
     * The normalised Hermite polynomial He_k(z)/√(k!).
     *
     * @param k the degree, ≥ 0
     * @param z the point
     * @return its value
     * @throws IllegalArgumentException when {@code k < 0}
     */
    public static double hermite(int k, double z) {
        if (k < 0) throw new IllegalArgumentException("Hermite degree must be >= 0, was " + k);
        double[] c = new double[k + 1];
        c[k] = 1;
        return series(c, z);
    }

    /** Σ_k c_k·h_k(z) with h_k = He_k/√(k!), by the recurrence h_k = (z·h_{k−1} − √(k−1)·h_{k−2})/√k (from He_k = z·He_{k−1} − (k−1)·He_{k−2}). */
    private static double series(double[] c, double z) {
        double prev = 0, cur = 1, sum = c[0];
        for (int k = 1; k < c.length; k++) {
            double next = (z * cur - Math.sqrt(k - 1) * prev) / Math.sqrt(k);
            prev = cur;
            cur = next;
            sum += c[k] * cur;
        }
        return sum;
    }

    /**
     * {@code n} fresh float32 examples: x [n, d], y [n].
     *
     * @param n the number of examples, ≥ 1
     * @param rng the source of x (and of the label noise)
     * @return the examples
     * @throws IllegalArgumentException when {@code n < 1}
     */
    public Batch sample(int n, RandomGenerator rng) {
        return sample(n, DType.FLOAT32, rng);
    }

    /**
     * {@code n} fresh examples in {@code dtype} (float32 or float64): all of x [n, d] drawn first, row by row,
     * then the label noise for each row; y [n] computed in float64 from the drawn x (rounded to float32 first
     * for float32).
     *
     * @param n the number of examples, ≥ 1
     * @param dtype float32 or float64
     * @param rng the source of x and of the label noise
     * @return the examples
     * @throws IllegalArgumentException when {@code n < 1} or dtype is not floating point
     */
    public Batch sample(int n, DType dtype, RandomGenerator rng) {
        if (n <= 0) throw new IllegalArgumentException("sample size must be > 0, was " + n);
        if (dtype != DType.FLOAT32 && dtype != DType.FLOAT64) throw new IllegalArgumentException("teacher data is float32 or float64, not " + dtype);
        int d = theta.length;
        double[] x = new double[Math.multiplyExact(n, d)];
        double[] y = new double[n];
        for (int i = 0; i < x.length; i++) x[i] = rng.nextGaussian();
        for (int r = 0; r < n; r++) {
            double z = 0;
            for (int j = 0; j < d; j++) z += theta[j] * (dtype == DType.FLOAT32 ? (float) x[r * d + j] : x[r * d + j]);
            y[r] = activation(z);
        }
        if (noise > 0) for (int r = 0; r < n; r++) y[r] += noise * rng.nextGaussian();
        Tensor xt = Tensor.of(x, n, d), yt = Tensor.of(y);
        return dtype == DType.FLOAT64 ? new Batch(xt, yt) : new Batch(xt.to(DType.FLOAT32), yt.to(DType.FLOAT32));
    }

    /**
     * How well the rows of a first-layer weight matrix {@code w} [N, d] align with θ: the mean over rows
     * of |cos(w_i, θ)| (rows of norm 0 count as 0). 1 means every neuron found the feature; a random
     * matrix gives about √(2/(π·d)).
     *
     * @param w the weights [N, d]
     * @return the mean |cosine|, in [0, 1]
     * @throws IllegalArgumentException when w is not [N, d]
     */
    public double alignment(Tensor w) {
        if (w.dim() != 2 || w.size(1) != theta.length) {
            throw new IllegalArgumentException("weights must be [N, " + theta.length + "], got " + Arrays.toString(w.shape()));
        }
        double[] a = w.toDoubleArray();
        int rows = w.size(0), d = theta.length;
        double total = 0;
        for (int r = 0; r < rows; r++) {
            double dot = 0, sq = 0;
            for (int j = 0; j < d; j++) {
                dot += a[r * d + j] * theta[j];
                sq += a[r * d + j] * a[r * d + j];
            }
            if (sq > 0) total += Math.abs(dot) / Math.sqrt(sq);
        }
        return total / rows;
    }
}
