package dev.descent.core.kernel;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;

/**
 * Elementwise two-input kernels with NumPy broadcasting (a broadcast operand has stride 0), float32
 * and float64. A row vectorises when both operands are unit-stride, or one is unit-stride and the
 * other a broadcast scalar; everything else runs the scalar twin. pow always runs {@code Math.pow}:
 * the Vector API's POW rounds differently compiled and interpreted (see {@link VectorMath}).
 */
public final class BinaryKernels {
    private BinaryKernels() {}

    /** The two-input primitives. */
    public enum Kind { ADD, SUB, MUL, DIV, MAX, MIN, POW }

    /** The scalar definition in double precision: the reference every kernel is held to. */
    public static double reference(Kind k, double a, double b) {
        return switch (k) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            case MAX -> Math.max(a, b);
            case MIN -> Math.min(a, b);
            case POW -> Math.pow(a, b);
        };
    }

    /** out = k(a, b) over the contiguous output {@code shape}; strides already broadcast to it. */
    public static void apply(Kind k, float[] a, int ao, int[] as, float[] b, int bo, int[] bs, float[] out, int[] shape) {
        Loops.forEachRow(shape, as, ao, bs, bo, null, 0,
                (o, pa, sa, pb, sb, pc, sc, n) -> rowF(k, a, pa, sa, b, pb, sb, out, o, n, Vectors.ENABLED));
    }

    /** out = k(a, b) over the contiguous output {@code shape}; strides already broadcast to it. */
    public static void apply(Kind k, double[] a, int ao, int[] as, double[] b, int bo, int[] bs, double[] out, int[] shape) {
        Loops.forEachRow(shape, as, ao, bs, bo, null, 0,
                (o, pa, sa, pb, sb, pc, sc, n) -> rowD(k, a, pa, sa, b, pb, sb, out, o, n, Vectors.ENABLED));
    }

    /** One row, float32; {@code vector=false} runs the scalar twin only. */
    public static void rowF(Kind k, float[] a, int ao, int as, float[] b, int bo, int bs, float[] y, int yo, int n, boolean vector) {
        int i = 0;
        if (vector && n >= Vectors.FL && k != Kind.POW) {
            if (as == 1 && bs == 1) i = vvF(k, a, ao, b, bo, y, yo, n);
            else if (as == 1 && bs == 0) i = vsF(k, a, ao, b[bo], y, yo, n);
            else if (as == 0 && bs == 1) i = svF(k, a[ao], b, bo, y, yo, n);
        }
        for (; i < n; i++) y[yo + i] = scalarF(k, a[ao + i * as], b[bo + i * bs]);
    }

    /** One row, float64; {@code vector=false} runs the scalar twin only. */
    public static void rowD(Kind k, double[] a, int ao, int as, double[] b, int bo, int bs, double[] y, int yo, int n, boolean vector) {
        int i = 0;
        if (vector && n >= Vectors.DL && k != Kind.POW) {
            if (as == 1 && bs == 1) i = vvD(k, a, ao, b, bo, y, yo, n);
            else if (as == 1 && bs == 0) i = vsD(k, a, ao, b[bo], y, yo, n);
            else if (as == 0 && bs == 1) i = svD(k, a[ao], b, bo, y, yo, n);
        }
        for (; i < n; i++) y[yo + i] = scalarD(k, a[ao + i * as], b[bo + i * bs]);
    }

    static float scalarF(Kind k, float a, float b) {
        return switch (k) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            case MAX -> Math.max(a, b);
            case MIN -> Math.min(a, b);
            case POW -> (float) Math.pow(a, b);
        };
    }

    static double scalarD(Kind k, double a, double b) {
        return reference(k, a, b);
    }

    private static int vvF(Kind k, float[] a, int ao, float[] b, int bo, float[] y, int yo, int n) {
        Vectors.count();
        var S = Vectors.F;
        int L = S.length(), upper = S.loopBound(n), i = 0;
        for (; i < upper; i += L) {
            var va = FloatVector.fromArray(S, a, ao + i);
            var vb = FloatVector.fromArray(S, b, bo + i);
            switch (k) {
                case ADD -> va.add(vb).intoArray(y, yo + i);
                case SUB -> va.sub(vb).intoArray(y, yo + i);
                case MUL -> va.mul(vb).intoArray(y, yo + i);
                case DIV -> va.div(vb).intoArray(y, yo + i);
                case MAX -> va.max(vb).intoArray(y, yo + i);
                case MIN -> va.min(vb).intoArray(y, yo + i);
                default -> throw new IllegalStateException("no vector form: " + k);
            }
        }
        return i;
    }

    private static int vsF(Kind k, float[] a, int ao, float b, float[] y, int yo, int n) {
        Vectors.count();
        var S = Vectors.F;
        int L = S.length(), upper = S.loopBound(n), i = 0;
        var vb = FloatVector.broadcast(S, b);
        for (; i < upper; i += L) {
            var va = FloatVector.fromArray(S, a, ao + i);
            switch (k) {
                case ADD -> va.add(vb).intoArray(y, yo + i);
                case SUB -> va.sub(vb).intoArray(y, yo + i);
                case MUL -> va.mul(vb).intoArray(y, yo + i);
                case DIV -> va.div(vb).intoArray(y, yo + i);
                case MAX -> va.max(vb).intoArray(y, yo + i);
                case MIN -> va.min(vb).intoArray(y, yo + i);
                default -> throw new IllegalStateException("no vector form: " + k);
            }
        }
        return i;
    }

    private static int svF(Kind k, float a, float[] b, int bo, float[] y, int yo, int n) {
        Vectors.count();
        var S = Vectors.F;
        int L = S.length(), upper = S.loopBound(n), i = 0;
        var va = FloatVector.broadcast(S, a);
        for (; i < upper; i += L) {
            var vb = FloatVector.fromArray(S, b, bo + i);
            switch (k) {
                case ADD -> va.add(vb).intoArray(y, yo + i);
                case SUB -> va.sub(vb).intoArray(y, yo + i);
                case MUL -> va.mul(vb).intoArray(y, yo + i);
                case DIV -> va.div(vb).intoArray(y, yo + i);
                case MAX -> va.max(vb).intoArray(y, yo + i);
                case MIN -> va.min(vb).intoArray(y, yo + i);
                default -> throw new IllegalStateException("no vector form: " + k);
            }
        }
        return i;
    }

    private static int vvD(Kind k, double[] a, int ao, double[] b, int bo, double[] y, int yo, int n) {
        Vectors.count();
        var S = Vectors.D;
        int L = S.length(), upper = S.loopBound(n), i = 0;
        for (; i < upper; i += L) {
            var va = DoubleVector.fromArray(S, a, ao + i);
            var vb = DoubleVector.fromArray(S, b, bo + i);
            switch (k) {
                case ADD -> va.add(vb).intoArray(y, yo + i);
                case SUB -> va.sub(vb).intoArray(y, yo + i);
                case MUL -> va.mul(vb).intoArray(y, yo + i);
                case DIV -> va.div(vb).intoArray(y, yo + i);
                case MAX -> va.max(vb).intoArray(y, yo + i);
                case MIN -> va.min(vb).intoArray(y, yo + i);
                default -> throw new IllegalStateException("no vector form: " + k);
            }
        }
        return i;
    }

    private static int vsD(Kind k, double[] a, int ao, double b, double[] y, int yo, int n) {
        Vectors.count();
        var S = Vectors.D;
        int L = S.length(), upper = S.loopBound(n), i = 0;
        var vb = DoubleVector.broadcast(S, b);
        for (; i < upper; i += L) {
            var va = DoubleVector.fromArray(S, a, ao + i);
            switch (k) {
                case ADD -> va.add(vb).intoArray(y, yo + i);
                case SUB -> va.sub(vb).intoArray(y, yo + i);
                case MUL -> va.mul(vb).intoArray(y, yo + i);
                case DIV -> va.div(vb).intoArray(y, yo + i);
                case MAX -> va.max(vb).intoArray(y, yo + i);
                case MIN -> va.min(vb).intoArray(y, yo + i);
                default -> throw new IllegalStateException("no vector form: " + k);
            }
        }
        return i;
    }

    private static int svD(Kind k, double a, double[] b, int bo, double[] y, int yo, int n) {
        Vectors.count();
        var S = Vectors.D;
        int L = S.length(), upper = S.loopBound(n), i = 0;
        var va = DoubleVector.broadcast(S, a);
        for (; i < upper; i += L) {
            var vb = DoubleVector.fromArray(S, b, bo + i);
            switch (k) {
                case ADD -> va.add(vb).intoArray(y, yo + i);
                case SUB -> va.sub(vb).intoArray(y, yo + i);
                case MUL -> va.mul(vb).intoArray(y, yo + i);
                case DIV -> va.div(vb).intoArray(y, yo + i);
                case MAX -> va.max(vb).intoArray(y, yo + i);
                case MIN -> va.min(vb).intoArray(y, yo + i);
                default -> throw new IllegalStateException("no vector form: " + k);
            }
        }
        return i;
    }
}
