package dev.descent.core.kernel;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Reductions over the middle axis of a contiguous block viewed as {@code [outer, r, inner]}, giving
 * {@code [outer, inner]}. Any set of reduced dimensions is a sequence of such blocks (one per run of
 * adjacent reduced dims), which the op layer applies from the last run to the first. Two shapes of
 * loop: {@code inner == 1} reduces each row with vector accumulators; {@code inner > 1} folds rows
 * into an output row, vectorised along {@code inner}. The summation order is fixed by the shape alone.
 */
public final class ReduceKernels {
    private ReduceKernels() {}

    /** The reductions with a kernel of their own (mean, var, logsumexp are composed). */
    public enum Kind { SUM, MAX, MIN }

    /** Reduces x[outer, r, inner] (contiguous from xOff) into y[outer, inner] (contiguous). r ≥ 1. */
    public static void reduce(Kind k, float[] x, int xOff, int outer, int r, int inner, float[] y) {
        if (inner == 1) {
            Parallel.forRange(outer, Math.max(1, Loops.PARALLEL_GRAIN / r), (from, to) -> {
                for (int o = from; o < to; o++) y[o] = rowF(k, x, xOff + o * r, r, Vectors.ENABLED);
            });
        } else if (outer == 1) {
            Parallel.forRange(inner, Math.max(64, Loops.PARALLEL_GRAIN / r), 64, (from, to) ->
                    foldF(k, x, xOff + from, r, inner, y, from, to - from, Vectors.ENABLED));
        } else {
            Parallel.forRange(outer, Math.max(1, Loops.PARALLEL_GRAIN / (r * inner)), (from, to) -> {
                for (int o = from; o < to; o++) foldF(k, x, xOff + o * r * inner, r, inner, y, o * inner, inner, Vectors.ENABLED);
            });
        }
    }

    /** Reduces x[outer, r, inner] (contiguous from xOff) into y[outer, inner] (contiguous). r ≥ 1. */
    public static void reduce(Kind k, double[] x, int xOff, int outer, int r, int inner, double[] y) {
        if (inner == 1) {
            Parallel.forRange(outer, Math.max(1, Loops.PARALLEL_GRAIN / r), (from, to) -> {
                for (int o = from; o < to; o++) y[o] = rowD(k, x, xOff + o * r, r, Vectors.ENABLED);
            });
        } else if (outer == 1) {
            Parallel.forRange(inner, Math.max(64, Loops.PARALLEL_GRAIN / r), 64, (from, to) ->
                    foldD(k, x, xOff + from, r, inner, y, from, to - from, Vectors.ENABLED));
        } else {
            Parallel.forRange(outer, Math.max(1, Loops.PARALLEL_GRAIN / (r * inner)), (from, to) -> {
                for (int o = from; o < to; o++) foldD(k, x, xOff + o * r * inner, r, inner, y, o * inner, inner, Vectors.ENABLED);
            });
        }
    }

    /**
     * Reduces x[outer, r, inner] (contiguous from xOff) into y[outer, inner] (contiguous) in exact integer arithmetic
     * (sums wrap on overflow, as int64 does in PyTorch). Scalar: integer reductions are for counting, not throughput.
     */
    public static void reduce(Kind k, long[] x, int xOff, int outer, int r, int inner, long[] y) {
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                int at = xOff + o * r * inner + i;
                long acc = x[at];
                for (int j = 1; j < r; j++) {
                    long v = x[at + j * inner];
                    acc = switch (k) {
                        case SUM -> acc + v;
                        case MAX -> Math.max(acc, v);
                        case MIN -> Math.min(acc, v);
                    };
                }
                y[o * inner + i] = acc;
            }
        }
    }

    /** Reduces n contiguous floats; {@code vector=false} runs the scalar twin. */
    public static float rowF(Kind k, float[] x, int off, int n, boolean vector) {
        int i = 0;
        float acc = k == Kind.SUM ? 0f : x[off];
        if (vector && n >= 2 * Vectors.FL) {
            Vectors.count();
            var S = Vectors.F;
            int L = S.length(), upper = S.loopBound(n);
            FloatVector v = FloatVector.fromArray(S, x, off);
            i = L;
            switch (k) {
                case SUM -> {
                    for (; i < upper; i += L) v = v.add(FloatVector.fromArray(S, x, off + i));
                    acc = sumLanes(v);
                }
                case MAX -> {
                    for (; i < upper; i += L) v = v.max(FloatVector.fromArray(S, x, off + i));
                    acc = v.reduceLanes(VectorOperators.MAX);
                }
                case MIN -> {
                    for (; i < upper; i += L) v = v.min(FloatVector.fromArray(S, x, off + i));
                    acc = v.reduceLanes(VectorOperators.MIN);
                }
            }
        }
        for (; i < n; i++) acc = combineF(k, acc, x[off + i]);
        return acc;
    }

    /** Reduces n contiguous doubles; {@code vector=false} runs the scalar twin. */
    public static double rowD(Kind k, double[] x, int off, int n, boolean vector) {
        int i = 0;
        double acc = k == Kind.SUM ? 0d : x[off];
        if (vector && n >= 2 * Vectors.DL) {
            Vectors.count();
            var S = Vectors.D;
            int L = S.length(), upper = S.loopBound(n);
            DoubleVector v = DoubleVector.fromArray(S, x, off);
            i = L;
            switch (k) {
                case SUM -> {
                    for (; i < upper; i += L) v = v.add(DoubleVector.fromArray(S, x, off + i));
                    acc = sumLanes(v);
                }
                case MAX -> {
                    for (; i < upper; i += L) v = v.max(DoubleVector.fromArray(S, x, off + i));
                    acc = v.reduceLanes(VectorOperators.MAX);
                }
                case MIN -> {
                    for (; i < upper; i += L) v = v.min(DoubleVector.fromArray(S, x, off + i));
                    acc = v.reduceLanes(VectorOperators.MIN);
                }
            }
        }
        for (; i < n; i++) acc = combineD(k, acc, x[off + i]);
        return acc;
    }

    /** y[yo + j] = reduce over t of x[xo + t*stride + j], for j < n; {@code vector=false}: scalar twin. */
    public static void foldF(Kind k, float[] x, int xo, int r, int stride, float[] y, int yo, int n, boolean vector) {
        System.arraycopy(x, xo, y, yo, n);
        for (int t = 1; t < r; t++) {
            int base = xo + t * stride;
            int j = 0;
            if (vector && n >= Vectors.FL) {
                var S = Vectors.F;
                int L = S.length(), upper = S.loopBound(n);
                switch (k) {
                    case SUM -> { for (; j < upper; j += L) FloatVector.fromArray(S, y, yo + j).add(FloatVector.fromArray(S, x, base + j)).intoArray(y, yo + j); }
                    case MAX -> { for (; j < upper; j += L) FloatVector.fromArray(S, y, yo + j).max(FloatVector.fromArray(S, x, base + j)).intoArray(y, yo + j); }
                    case MIN -> { for (; j < upper; j += L) FloatVector.fromArray(S, y, yo + j).min(FloatVector.fromArray(S, x, base + j)).intoArray(y, yo + j); }
                }
            }
            for (; j < n; j++) y[yo + j] = combineF(k, y[yo + j], x[base + j]);
        }
        if (vector && n >= Vectors.FL && r > 1) Vectors.count();
    }

    /** y[yo + j] = reduce over t of x[xo + t*stride + j], for j < n; {@code vector=false}: scalar twin. */
    public static void foldD(Kind k, double[] x, int xo, int r, int stride, double[] y, int yo, int n, boolean vector) {
        System.arraycopy(x, xo, y, yo, n);
        for (int t = 1; t < r; t++) {
            int base = xo + t * stride;
            int j = 0;
            if (vector && n >= Vectors.DL) {
                var S = Vectors.D;
                int L = S.length(), upper = S.loopBound(n);
                switch (k) {
                    case SUM -> { for (; j < upper; j += L) DoubleVector.fromArray(S, y, yo + j).add(DoubleVector.fromArray(S, x, base + j)).intoArray(y, yo + j); }
                    case MAX -> { for (; j < upper; j += L) DoubleVector.fromArray(S, y, yo + j).max(DoubleVector.fromArray(S, x, base + j)).intoArray(y, yo + j); }
                    case MIN -> { for (; j < upper; j += L) DoubleVector.fromArray(S, y, yo + j).min(DoubleVector.fromArray(S, x, base + j)).intoArray(y, yo + j); }
                }
            }
            for (; j < n; j++) y[yo + j] = combineD(k, y[yo + j], x[base + j]);
        }
        if (vector && n >= Vectors.DL && r > 1) Vectors.count();
    }

    /**
     * The lanes summed left to right. Not {@code reduceLanes(ADD)}: its order is unspecified and differs
     * between the compiled and the interpreted form, which made sums change after JIT warm-up.
     */
    private static float sumLanes(FloatVector v) {
        // lane(i), not a copy into a new array: escape analysis did not always remove that array, and a
        // sum over many short rows (a convolution's bias gradient) then allocated in proportion to the batch.
        float s = 0f;
        for (int i = 0; i < Vectors.FL; i++) s += v.lane(i);
        return s;
    }

    private static double sumLanes(DoubleVector v) {
        double s = 0d;
        for (int i = 0; i < Vectors.DL; i++) s += v.lane(i);
        return s;
    }

    static float combineF(Kind k, float acc, float v) {
        return switch (k) {
            case SUM -> acc + v;
            case MAX -> Math.max(acc, v);
            case MIN -> Math.min(acc, v);
        };
    }

    static double combineD(Kind k, double acc, double v) {
        return switch (k) {
            case SUM -> acc + v;
            case MAX -> Math.max(acc, v);
            case MIN -> Math.min(acc, v);
        };
    }
}
