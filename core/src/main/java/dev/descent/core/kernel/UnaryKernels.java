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

    /**
     * The one-input primitives. SILU, RSQRT, RECIPROCAL and SIGN have vector loops; SIN, COS, LOG1P, EXPM1,
     * FLOOR, CEIL and ROUND run the scalar loop (the JDK's {@code Math} functions, correctly rounded to float
     * for float32), so their vector and scalar forms agree by construction.
     */
    public enum Kind { NEG, EXP, LOG, SQRT, ABS, RELU, SIGMOID, TANH, SILU, SIN, COS, LOG1P, EXPM1, SIGN, FLOOR, CEIL, ROUND, RSQRT, RECIPROCAL }

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
            case SILU -> x / (1 + Math.exp(-x));
            case SIN -> Math.sin(x);
            case COS -> Math.cos(x);
            case LOG1P -> Math.log1p(x);
            case EXPM1 -> Math.expm1(x);
            case SIGN -> Math.signum(x);
            case FLOOR -> Math.floor(x);
            case CEIL -> Math.ceil(x);
            case ROUND -> Math.rint(x);
            case RSQRT -> 1 / Math.sqrt(x);
            case RECIPROCAL -> 1 / x;
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
                case SILU -> {
                    VectorMath.sigmoidRow(x, xo, y, yo, n, true);
                    for (; i < upper; i += S.length()) FloatVector.fromArray(S, y, yo + i).mul(FloatVector.fromArray(S, x, xo + i)).intoArray(y, yo + i);
                    for (; i < n; i++) y[yo + i] *= x[xo + i];
                }
                case RSQRT -> { for (; i < upper; i += S.length()) FloatVector.broadcast(S, 1f).div(FloatVector.fromArray(S, x, xo + i).sqrt()).intoArray(y, yo + i); }
                case RECIPROCAL -> { for (; i < upper; i += S.length()) FloatVector.broadcast(S, 1f).div(FloatVector.fromArray(S, x, xo + i)).intoArray(y, yo + i); }
                case SIGN -> {
                    for (; i < upper; i += S.length()) {
                        FloatVector v = FloatVector.fromArray(S, x, xo + i);
                        v.blend(1f, v.compare(jdk.incubator.vector.VectorOperators.GT, 0f))
                                .blend(-1f, v.compare(jdk.incubator.vector.VectorOperators.LT, 0f)).intoArray(y, yo + i);
                    }
                }
                default -> { } // SIN, COS, LOG1P, EXPM1, FLOOR, CEIL, ROUND: the scalar loop below
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
                case SILU -> {
                    VectorMath.sigmoidRow(x, xo, y, yo, n, true);
                    for (; i < upper; i += S.length()) DoubleVector.fromArray(S, y, yo + i).mul(DoubleVector.fromArray(S, x, xo + i)).intoArray(y, yo + i);
                    for (; i < n; i++) y[yo + i] *= x[xo + i];
                }
                case RSQRT -> { for (; i < upper; i += S.length()) DoubleVector.broadcast(S, 1d).div(DoubleVector.fromArray(S, x, xo + i).sqrt()).intoArray(y, yo + i); }
                case RECIPROCAL -> { for (; i < upper; i += S.length()) DoubleVector.broadcast(S, 1d).div(DoubleVector.fromArray(S, x, xo + i)).intoArray(y, yo + i); }
                case SIGN -> {
                    for (; i < upper; i += S.length()) {
                        DoubleVector v = DoubleVector.fromArray(S, x, xo + i);
                        v.blend(1d, v.compare(jdk.incubator.vector.VectorOperators.GT, 0d))
                                .blend(-1d, v.compare(jdk.incubator.vector.VectorOperators.LT, 0d)).intoArray(y, yo + i);
                    }
                }
                default -> { } // SIN, COS, LOG1P, EXPM1, FLOOR, CEIL, ROUND: the scalar loop below
            }
        }
        for (; i < n; i++) y[yo + i] = scalarD(k, x[xo + i * xs]);
    }

    /** One row of leaky ReLU, float32: y = x &gt; 0 ? x : slope·x (NaN stays NaN). {@code vector=false}: scalar twin. */
    public static void leakyReluRowF(float[] x, int xo, int xs, float[] y, int yo, int n, float slope, boolean vector) {
        int i = 0;
        if (vector && xs == 1 && n >= Vectors.FL) {
            Vectors.count();
            var S = Vectors.F;
            int upper = S.loopBound(n);
            for (; i < upper; i += S.length()) {
                FloatVector v = FloatVector.fromArray(S, x, xo + i);
                v.blend(v.mul(slope), v.compare(jdk.incubator.vector.VectorOperators.LE, 0f)).intoArray(y, yo + i);
            }
        }
        for (; i < n; i++) {
            float v = x[xo + i * xs];
            y[yo + i] = v <= 0f ? v * slope : v;
        }
    }

    /** One row of leaky ReLU, float64: y = x &gt; 0 ? x : slope·x (NaN stays NaN). {@code vector=false}: scalar twin. */
    public static void leakyReluRowD(double[] x, int xo, int xs, double[] y, int yo, int n, double slope, boolean vector) {
        int i = 0;
        if (vector && xs == 1 && n >= Vectors.DL) {
            Vectors.count();
            var S = Vectors.D;
            int upper = S.loopBound(n);
            for (; i < upper; i += S.length()) {
                DoubleVector v = DoubleVector.fromArray(S, x, xo + i);
                v.blend(v.mul(slope), v.compare(jdk.incubator.vector.VectorOperators.LE, 0d)).intoArray(y, yo + i);
            }
        }
        for (; i < n; i++) {
            double v = x[xo + i * xs];
            y[yo + i] = v <= 0d ? v * slope : v;
        }
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
            case SILU -> VectorMath.sigmoid(x) * x;
            case SIN -> (float) Math.sin(x);
            case COS -> (float) Math.cos(x);
            case LOG1P -> (float) Math.log1p(x);
            case EXPM1 -> (float) Math.expm1(x);
            case SIGN -> x > 0 ? 1f : x < 0 ? -1f : x;
            case FLOOR -> (float) Math.floor(x);
            case CEIL -> (float) Math.ceil(x);
            case ROUND -> (float) Math.rint(x);
            case RSQRT -> 1f / (float) Math.sqrt(x);
            case RECIPROCAL -> 1f / x;
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
            case SILU -> VectorMath.sigmoid(x) * x;
            case SIN -> Math.sin(x);
            case COS -> Math.cos(x);
            case LOG1P -> Math.log1p(x);
            case EXPM1 -> Math.expm1(x);
            case SIGN -> x > 0 ? 1d : x < 0 ? -1d : x;
            case FLOOR -> Math.floor(x);
            case CEIL -> Math.ceil(x);
            case ROUND -> Math.rint(x);
            case RSQRT -> 1d / Math.sqrt(x);
            case RECIPROCAL -> 1d / x;
        };
    }
}
