package dev.descent.core;

import java.util.function.ToDoubleFunction;

/**
 * Scalar references for tests: plain index arithmetic over logical coordinates, in double
 * precision, independent of the kernels and of {@code Loops}. Reading an element goes through
 * {@link Tensor#get}, which walks the strides itself.
 */
public final class Ref {
    private Ref() {}

    /** An expected result: shape and row-major values. */
    public record Expected(int[] shape, double[] values) {
        public Tensor toTensor() {
            return Tensor.of(values).reshape(shape);
        }
    }

    /** The coordinates of row-major position {@code flat} in {@code shape}. */
    public static int[] unravel(int flat, int[] shape) {
        int[] idx = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = flat % shape[d];
            flat /= shape[d];
        }
        return idx;
    }

    /** Builds an expected tensor of {@code shape} from a function of the coordinates. */
    public static Expected build(int[] shape, ToDoubleFunction<int[]> f) {
        int n = 1;
        for (int d : shape) n *= d;
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = f.applyAsDouble(unravel(i, shape));
        return new Expected(shape.clone(), v);
    }

    /** Element of t at output coordinates {@code idx} under NumPy broadcasting (t right-aligned, size-1 dims stretched). */
    public static double broadcastGet(Tensor t, int[] idx) {
        int[] s = t.shape();
        int[] local = new int[s.length];
        int off = idx.length - s.length;
        for (int i = 0; i < s.length; i++) local[i] = s[i] == 1 ? 0 : idx[i + off];
        return t.get(local);
    }

    /** The NumPy broadcast shape, computed independently of {@link Shape#broadcast}. */
    public static int[] broadcastShape(int[]... shapes) {
        int rank = 0;
        for (int[] s : shapes) rank = Math.max(rank, s.length);
        int[] out = new int[rank];
        java.util.Arrays.fill(out, 1);
        for (int[] s : shapes) {
            for (int i = 0; i < s.length; i++) {
                int j = rank - s.length + i;
                if (s[i] != 1) {
                    if (out[j] != 1 && out[j] != s[i]) throw new IllegalArgumentException("not broadcastable");
                    out[j] = s[i];
                }
            }
        }
        return out;
    }
}
