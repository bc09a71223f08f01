package dev.descent.core.kernel;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;

/**
 * Elementwise one-input kernels, float32 and float64: a Vector API loop for unit-stride rows and a
 * scalar twin that handles tails, strided rows and {@code descent.kernels=scalar}. Each case is a
 * flat loop with a constant operator, so that the JIT intrinsifies it (a non-constant operator, or a
 * vector passed through a non-inlined helper, falls back to boxed vectors). exp, log, sigmoid and
 * tanh come from {@link VectorMath}, whose vector and scalar forms agree bit for bit, so results do
 * not depend on a row's length, offset or the JIT's state.
 */
public final class UnaryKernels {
    private UnaryKernels() {}

    /** The one-input primitives. */
    public enum Kind { NEG, EXP, LOG, SQRT, ABS, RELU, SIGMOID, TANH }

    /** The scalar definition of each kind, in double precision: the reference every kernel is held to. */
    public static double reference(Kind k, double x) {
        return switch (k) {
            case NEG -> -x;
            case EXP -> Math.exp(x);
            case LOG -> Math.log(x);
            case SQRT -> Math.sqrt(x);
            case ABS -> Math.abs(x);
            case RELU -> x > 0 ? x : (x == x ? 0 : x);
            case SIGMOID -> x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
            case TANH -> Math.tanh(x);
        };
    }

    /** out[i] = k(x[i]) over a contiguous output of {@code shape}; x is strided. */
    public static void apply(Kind k, float[] x, int xOff, int[] xStrides, float[] out, int[] shape) {
        Loops.forEachRow(shape, xStrides, xOff, null, 0, null, 0,
                (o, a, as, b, bs, c, cs, n) -> rowF(k, x, a, as, out, o, n, Vectors.ENABLED));
    }

    /** out[i] = k(x[i]) over a contiguous output of {@code shape}; x is strided. */
    public static void apply(Kind k, double[] x, int xOff, int[] xStrides, double[] out, int[] shape) {
        Loops.forEachRow(shape, xStrides, xOff, null, 0, null, 0,
                (o, a, as, b, bs, c, cs, n) -> rowD(k, x, a, as, out, o, n, Vectors.ENABLED));
    }

    /** One row, float32. {@code vector=false} runs the scalar twin only. */
    public static void rowF(Kind k, float[] x, int xo, int xs, float[] y, int yo, int n, boolean vector) {
        int i = 0;
        if (vector && xs == 1 && n >= Vectors.FL) {
            Vectors.count();
            var S = Vectors.F;
            int upper = S.loopBound(n);
            switch (k) {
                case NEG -> { for (; i < upper; i += S.length()) FloatVector.fromArray(S, x, xo + i).neg().intoArray(y, yo + i); }
                case EXP -> { VectorMath.expRow(x, xo, y, yo, n, true); i = n; }
                case LOG -> { VectorMath.logRow(x, xo, y, yo, n, true); i = n; }
                case SQRT -> { for (; i < upper; i += S.length()) FloatVector.fromArray(S, x, xo + i).sqrt().intoArray(y, yo + i); }
                case ABS -> { for (; i < upper; i += S.length()) FloatVector.fromArray(S, x, xo + i).abs().intoArray(y, yo + i); }
                case RELU -> { for (; i < upper; i += S.length()) FloatVector.fromArray(S, x, xo + i).max(0f).intoArray(y, yo + i); }
                case SIGMOID -> { VectorMath.sigmoidRow(x, xo, y, yo, n, true); i = n; }
                case TANH -> { VectorMath.tanhRow(x, xo, y, yo, n, true); i = n; }
            }
        }
        for (; i < n; i++) y[yo + i] = scalarF(k, x[xo + i * xs]);
    }

    /** One row, float64. {@code vector=false} runs the scalar twin only. */
    public static void rowD(Kind k, double[] x, int xo, int xs, double[] y, int yo, int n, boolean vector) {
        int i = 0;
        if (vector && xs == 1 && n >= Vectors.DL) {
            Vectors.count();
            var S = Vectors.D;
            int upper = S.loopBound(n);
            switch (k) {
                case NEG -> { for (; i < upper; i += S.length()) DoubleVector.fromArray(S, x, xo + i).neg().intoArray(y, yo + i); }
                case EXP -> { VectorMath.expRow(x, xo, y, yo, n, true); i = n; }
                case LOG -> { VectorMath.logRow(x, xo, y, yo, n, true); i = n; }
                case SQRT -> { for (; i < upper; i += S.length()) DoubleVector.fromArray(S, x, xo + i).sqrt().intoArray(y, yo + i); }
                case ABS -> { for (; i < upper; i += S.length()) DoubleVector.fromArray(S, x, xo + i).abs().intoArray(y, yo + i); }
                case RELU -> { for (; i < upper; i += S.length()) DoubleVector.fromArray(S, x, xo + i).max(0d).intoArray(y, yo + i); }
                case SIGMOID -> { VectorMath.sigmoidRow(x, xo, y, yo, n, true); i = n; }
                case TANH -> { VectorMath.tanhRow(x, xo, y, yo, n, true); i = n; }
            }
        }
        for (; i < n; i++) y[yo + i] = scalarD(k, x[xo + i * xs]);
    }

    /** y[i] = x[i] > 0 ? g[i] : 0 over n contiguous elements (relu's backward); {@code vector=false}: scalar twin. */
    public static void maskPositiveF(float[] g, int go, float[] x, int xo, float[] y, int yo, int n, boolean vector) {
        int i = 0;
        if (vector && n >= Vectors.FL) {
            Vectors.count();
            var S = Vectors.F;
            int upper = S.loopBound(n);
            for (; i < upper; i += S.length()) {
                FloatVector gv = FloatVector.fromArray(S, g, go + i);
                gv.blend(0f, FloatVector.fromArray(S, x, xo + i).compare(jdk.incubator.vector.VectorOperators.LE, 0f)).intoArray(y, yo + i);
            }
        }
        for (; i < n; i++) y[yo + i] = x[xo + i] > 0 ? g[go + i] : 0f;
    }

    /** y[i] = x[i] > 0 ? g[i] : 0 over n contiguous elements (relu's backward); {@code vector=false}: scalar twin. */
    public static void maskPositiveD(double[] g, int go, double[] x, int xo, double[] y, int yo, int n, boolean vector) {
        int i = 0;
        if (vector && n >= Vectors.DL) {
            Vectors.count();
            var S = Vectors.D;
            int upper = S.loopBound(n);
            for (; i < upper; i += S.length()) {
                DoubleVector gv = DoubleVector.fromArray(S, g, go + i);
                gv.blend(0d, DoubleVector.fromArray(S, x, xo + i).compare(jdk.incubator.vector.VectorOperators.LE, 0d)).intoArray(y, yo + i);
            }
        }
        for (; i < n; i++) y[yo + i] = x[xo + i] > 0 ? g[go + i] : 0d;
    }

    /** The scalar twin in float32: the same formula as the vector loop. */
    static float scalarF(Kind k, float x) {
        return switch (k) {
            case NEG -> -x;
            case EXP -> VectorMath.exp(x);
            case LOG -> VectorMath.log(x);
            case SQRT -> (float) Math.sqrt(x);
            case ABS -> Math.abs(x);
            case RELU -> Math.max(x, 0f);
            case SIGMOID -> VectorMath.sigmoid(x);
            case TANH -> VectorMath.tanh(x);
        };
    }

    /** The scalar twin in float64: the same formula as the vector loop. */
    static double scalarD(Kind k, double x) {
        return switch (k) {
            case NEG -> -x;
            case EXP -> VectorMath.exp(x);
            case LOG -> VectorMath.log(x);
            case SQRT -> Math.sqrt(x);
            case ABS -> Math.abs(x);
            case RELU -> Math.max(x, 0d);
            case SIGMOID -> VectorMath.sigmoid(x);
            case TANH -> VectorMath.tanh(x);
        };
    }
}
