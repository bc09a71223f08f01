package dev.descent.core.check;

import dev.descent.core.DType;
import dev.descent.core.Shape;
import dev.descent.core.Storage;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.GradMode;
import java.util.random.RandomGenerator;

/**
 * Random tensors for property tests, driven by a plain {@link RandomGenerator} so that any property
 * library (or a loop with a seeded {@code SplittableRandom}) can use them: shapes with size-1 dims,
 * broadcast-compatible shape pairs, values from several profiles including edge values, and
 * non-contiguous views holding the same values as a contiguous tensor.
 */
public final class TensorGen {
    private TensorGen() {}

    /** How element values are drawn. */
    public enum Values {
        /** Standard normal. */
        NORMAL,
        /** Uniform in [0.5, 2): safe for log, sqrt, division. */
        POSITIVE,
        /** Normal values kept away from 0 (|x| ≥ 0.25): for ops with a kink at 0 (abs, relu) under finite differences. */
        AWAY_FROM_ZERO,
        /** Normal values with, now and then, 0, ±1, ±1e4, ±1e-4 and subnormals. */
        EDGES
    }

    /**
     * A shape of rank in [minRank, maxRank], each dim in [1, maxDim], a size-1 dim about one time in four.
     *
     * @param rng the source of randomness
     * @param minRank the smallest rank, ≥ 0
     * @param maxRank the largest rank, ≥ minRank
     * @param maxDim the largest size of a dimension, ≥ 1
     * @return a new shape
     */
    public static int[] shape(RandomGenerator rng, int minRank, int maxRank, int maxDim) {
        int rank = minRank + rng.nextInt(maxRank - minRank + 1);
        int[] s = new int[rank];
        for (int i = 0; i < rank; i++) s[i] = rng.nextInt(4) == 0 ? 1 : 1 + rng.nextInt(maxDim);
        return s;
    }

    /**
     * Two shapes that broadcast together: start from one shape, then for the second drop some leading
     * dims and set some dims to 1 (in either operand).
     *
     * @param rng the source of randomness
     * @param maxRank the largest rank
     * @param maxDim the largest size of a dimension, ≥ 1
     * @return two shapes, in random order
     */
    public static int[][] broadcastPair(RandomGenerator rng, int maxRank, int maxDim) {
        int[] full = shape(rng, 0, maxRank, maxDim);
        int[] a = full.clone();
        int drop = full.length == 0 ? 0 : rng.nextInt(full.length + 1);
        int[] b = new int[full.length - drop];
        System.arraycopy(full, drop, b, 0, b.length);
        for (int i = 0; i < b.length; i++) if (rng.nextInt(3) == 0) b[i] = 1;
        for (int i = 0; i < a.length; i++) if (rng.nextInt(4) == 0 && i >= drop && b[i - drop] != 1) a[i] = 1;
        return rng.nextBoolean() ? new int[][] {a, b} : new int[][] {b, a};
    }

    /**
     * A contiguous tensor of the given dtype and shape with values from {@code profile}.
     *
     * @param rng the source of randomness
     * @param dtype the element type (values are converted to it)
     * @param shape the shape
     * @param profile how values are drawn
     * @return a new tensor that does not require grad
     */
    public static Tensor tensor(RandomGenerator rng, DType dtype, int[] shape, Values profile) {
        Tensor t = Tensor.zeros(dtype, shape);
        Storage s = t.storage();
        for (int i = 0; i < t.numel(); i++) s.setDouble(i, value(rng, profile));
        return t;
    }

    /**
     * One value from a profile.
     *
     * @param rng the source of randomness
     * @param profile how to draw it
     * @return the value
     */
    public static double value(RandomGenerator rng, Values profile) {
        return switch (profile) {
            case NORMAL -> rng.nextGaussian();
            case POSITIVE -> 0.5 + 1.5 * rng.nextDouble();
            case AWAY_FROM_ZERO -> {
                double v = rng.nextGaussian();
                yield Math.copySign(0.25 + Math.abs(v), v);
            }
            case EDGES -> switch (rng.nextInt(12)) {
                case 0 -> 0.0;
                case 1 -> rng.nextBoolean() ? 1.0 : -1.0;
                case 2 -> rng.nextBoolean() ? 1e4 : -1e4;
                case 3 -> rng.nextBoolean() ? 1e-4 : -1e-4;
                case 4 -> rng.nextBoolean() ? Float.MIN_VALUE * 3.0 : -Double.MIN_NORMAL / 8; // subnormal in float32 / float64
                default -> rng.nextGaussian();
            };
        };
    }

    /**
     * Int64 indices in [0, bound), uniformly.
     *
     * @param rng the source of randomness
     * @param shape the shape
     * @param bound one past the largest index, ≥ 1
     * @return a new int64 tensor
     */
    public static Tensor indices(RandomGenerator rng, int[] shape, int bound) {
        long[] v = new long[Shape.numel(shape)];
        for (int i = 0; i < v.length; i++) v[i] = rng.nextInt(bound);
        return Tensor.of(v, shape);
    }

    /**
     * A bool tensor, each element true with probability ½.
     *
     * @param rng the source of randomness
     * @param shape the shape
     * @return a new bool tensor
     */
    public static Tensor mask(RandomGenerator rng, int[] shape) {
        boolean[] v = new boolean[Shape.numel(shape)];
        for (int i = 0; i < v.length; i++) v[i] = rng.nextBoolean();
        return Tensor.of(v, shape);
    }

    /**
     * The same values as {@code t} in a non-contiguous layout: the dims are stored in a random order,
     * with a gap after each row and an offset into the storage. Leaves stay leaves (requiresGrad is
     * copied, no graph is recorded).
     *
     * @param rng the source of randomness
     * @param t the values to lay out
     * @return a new leaf with t's shape, dtype and values and non-contiguous strides
     */
    public static Tensor nonContiguous(RandomGenerator rng, Tensor t) {
        int rank = t.dim();
        int[] shape = t.shape();
        int[] order = new int[rank];
        for (int i = 0; i < rank; i++) order[i] = i;
        for (int i = rank - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int tmp = order[i];
            order[i] = order[j];
            order[j] = tmp;
        }
        // Storage laid out in dim order `order`, innermost padded by `gap`.
        int gap = 2 + rng.nextInt(2);
        int[] strides = new int[rank];
        int s = gap;
        for (int k = rank - 1; k >= 0; k--) {
            strides[order[k]] = s;
            s *= Math.max(shape[order[k]], 1);
        }
        int offset = 1 + rng.nextInt(3);
        Tensor view = Tensor.wrap(Storage.allocate(t.dtype(), offset + s + 1), offset, shape, strides);
        try (var _ = GradMode.noGrad()) {
            view.copyFrom(t.detach());
        }
        return t.requiresGrad() ? view.requiresGrad(true) : view;
    }
    /**
     * A batch of well-conditioned square matrices: standard normal entries plus ±(n + 1) on the diagonal (sign random per
     * entry), so each matrix is strictly diagonally dominant, hence invertible, with condition number below about 2n + 1.
     * For solve, inverse and det under finite differences.
     *
     * @param rng   the source of randomness
     * @param dtype the element type
     * @param batch the batch dims (may be empty)
     * @param n     the matrix size, ≥ 1
     * @return a new tensor of shape batch ++ [n, n]
     */
    public static Tensor wellConditioned(RandomGenerator rng, DType dtype, int[] batch, int n) {
        Tensor t = tensor(rng, DType.FLOAT64, Shape.concat(batch, n, n), Values.NORMAL);
        Storage s = t.storage();
        for (int b = 0; b < Shape.numel(batch); b++) {
            for (int i = 0; i < n; i++) {
                int at = b * n * n + i * n + i;
                s.setDouble(at, s.getDouble(at) + (rng.nextBoolean() ? 1 : -1) * (n + 1));
            }
        }
        return dtype == DType.FLOAT64 ? t : t.to(dtype);
    }

    /**
     * A batch of symmetric positive-definite matrices X·Xᵀ/n + I (X standard normal): eigenvalues at least 1. For
     * cholesky and for quadratic forms.
     *
     * @param rng   the source of randomness
     * @param dtype the element type
     * @param batch the batch dims (may be empty)
     * @param n     the matrix size, ≥ 1
     * @return a new tensor of shape batch ++ [n, n]
     */
    public static Tensor positiveDefinite(RandomGenerator rng, DType dtype, int[] batch, int n) {
        double[] x = tensor(rng, DType.FLOAT64, Shape.concat(batch, n, n), Values.NORMAL).toDoubleArray();
        double[] a = new double[x.length];
        for (int b = 0; b < Shape.numel(batch); b++) {
            int o = b * n * n;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    double sum = i == j ? 1 : 0;
                    for (int k = 0; k < n; k++) sum += x[o + i * n + k] * x[o + j * n + k] / n;
                    a[o + i * n + j] = sum;
                }
            }
        }
        Tensor t = Tensor.of(a, a.length).reshape(Shape.concat(batch, n, n));
        return dtype == DType.FLOAT64 ? t : t.to(dtype);
    }

    /**
     * Probability vectors along the last dim: positive entries (each at least 0.05/k before normalising, so logs stay
     * finite) that sum to 1.
     *
     * @param rng   the source of randomness
     * @param dtype the element type
     * @param shape the shape; the last dim is the support of each distribution
     * @return a new tensor
     */
    public static Tensor probabilities(RandomGenerator rng, DType dtype, int[] shape) {
        if (shape.length == 0) throw new IllegalArgumentException("probabilities need at least one dim, got a 0-d shape");
        int k = shape[shape.length - 1], rows = Shape.numel(shape) / Math.max(1, k);
        double[] p = new double[Shape.numel(shape)];
        for (int r = 0; r < rows; r++) {
            double sum = 0;
            for (int i = 0; i < k; i++) sum += p[r * k + i] = 0.05 / k + rng.nextDouble();
            for (int i = 0; i < k; i++) p[r * k + i] /= sum;
        }
        Tensor t = Tensor.of(p, p.length).reshape(shape);
        return dtype == DType.FLOAT64 ? t : t.to(dtype);
    }

    /**
     * Values that are sorted along the last dim with ties: drawn from a handful of integers and sorted, so equal
     * neighbours are common (where sort stability, argmax ties and max's gradient split hide bugs). With
     * {@code sorted} false the same multiset is left shuffled.
     *
     * @param rng    the source of randomness
     * @param dtype  the element type
     * @param shape  the shape
     * @param sorted whether each last-dim row is in ascending order
     * @return a new tensor
     */
    public static Tensor tied(RandomGenerator rng, DType dtype, int[] shape, boolean sorted) {
        int k = shape.length == 0 ? 1 : shape[shape.length - 1], n = Shape.numel(shape);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = rng.nextInt(4) - 1;
        if (sorted && k > 0) for (int r = 0; r + k <= n; r += k) java.util.Arrays.sort(v, r, r + k);
        Tensor t = Tensor.of(v, n).reshape(shape);
        return dtype == DType.FLOAT64 ? t : t.to(dtype);
    }

}
