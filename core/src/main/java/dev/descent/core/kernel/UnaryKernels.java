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
     * The one-input primitives. SILU, RSQRT, RECIPROCAL, SIGN, EXPM1 and LOG1P have vector loops; SIN, COS,
     * FLOOR, CEIL and ROUND run the scalar loop (the JDK's {@code Math} functions, correctly rounded to float
     * for float32), so their vector and scalar forms agree by construction. EXPM1 and LOG1P use Kahan's
     * corrections over {@link VectorMath}'s exp and log (accurate near 0, where exp(x) − 1 and log(1 + x) are not).
     * HARDSWISH is x·min(max(x + 3, 0), 6) / 6 and HARDSIGMOID min(max(x + 3, 0), 6) / 6, PyTorch's definitions,
     * rounded in that order (so HARDSWISH equals, bit for bit, the four-op chain x + 3, clip, multiply by x, divide
     * by 6 that exporters write for it).
     */
    public enum Kind { NEG, EXP, LOG, SQRT, ABS, RELU, SIGMOID, TANH, SILU, SIN, COS, LOG1P, EXPM1, SIGN, FLOOR, CEIL, ROUND, RSQRT, RECIPROCAL,
        HARDSWISH, HARDSIGMOID }

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
            case HARDSWISH -> x * Math.min(Math.max(x + 3, 0), 6) / 6;
            case HARDSIGMOID -> Math.min(Math.max(x + 3, 0), 6) / 6;
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
                case EXPM1 -> { expm1Row(x, xo, y, yo, n); i = n; }
                case LOG1P -> { log1pRow(x, xo, y, yo, n); i = n; }
                case HARDSWISH -> {
                    for (; i < upper; i += S.length()) {
                        FloatVector v = FloatVector.fromArray(S, x, xo + i);
                        v.mul(v.add(3f).max(0f).min(6f)).div(6f).intoArray(y, yo + i);
                    }
                }
                case HARDSIGMOID -> {
                    for (; i < upper; i += S.length()) FloatVector.fromArray(S, x, xo + i).add(3f).max(0f).min(6f).div(6f).intoArray(y, yo + i);
                }
                default -> { } // SIN, COS, FLOOR, CEIL, ROUND: the scalar loop below
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
                case EXPM1 -> { expm1Row(x, xo, y, yo, n); i = n; }
                case LOG1P -> { log1pRow(x, xo, y, yo, n); i = n; }
                case HARDSWISH -> {
                    for (; i < upper; i += S.length()) {
                        DoubleVector v = DoubleVector.fromArray(S, x, xo + i);
                        v.mul(v.add(3d).max(0d).min(6d)).div(6d).intoArray(y, yo + i);
                    }
                }
                case HARDSIGMOID -> {
                    for (; i < upper; i += S.length()) DoubleVector.fromArray(S, x, xo + i).add(3d).max(0d).min(6d).div(6d).intoArray(y, yo + i);
                }
                default -> { } // SIN, COS, FLOOR, CEIL, ROUND: the scalar loop below
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

    /** y[i] = x[i] &gt; 0 ? g[i] : slope·g[i] over n contiguous elements (leaky ReLU's backward); {@code vector=false}: scalar twin. */
    public static void leakyMaskF(float[] g, int go, float[] x, int xo, float[] y, int yo, int n, float slope, boolean vector) {
        int i = 0;
        if (vector && n >= Vectors.FL) {
            Vectors.count();
            var S = Vectors.F;
            int upper = S.loopBound(n);
            for (; i < upper; i += S.length()) {
                FloatVector gv = FloatVector.fromArray(S, g, go + i);
                gv.mul(slope).blend(gv, FloatVector.fromArray(S, x, xo + i).compare(jdk.incubator.vector.VectorOperators.GT, 0f)).intoArray(y, yo + i);
            }
        }
        for (; i < n; i++) y[yo + i] = x[xo + i] > 0 ? g[go + i] : g[go + i] * slope;
    }

    /** y[i] = x[i] &gt; 0 ? g[i] : slope·g[i] over n contiguous elements (leaky ReLU's backward); {@code vector=false}: scalar twin. */
    public static void leakyMaskD(double[] g, int go, double[] x, int xo, double[] y, int yo, int n, double slope, boolean vector) {
        int i = 0;
        if (vector && n >= Vectors.DL) {
            Vectors.count();
            var S = Vectors.D;
            int upper = S.loopBound(n);
            for (; i < upper; i += S.length()) {
                DoubleVector gv = DoubleVector.fromArray(S, g, go + i);
                gv.mul(slope).blend(gv, DoubleVector.fromArray(S, x, xo + i).compare(jdk.incubator.vector.VectorOperators.GT, 0d)).intoArray(y, yo + i);
            }
        }
        for (; i < n; i++) y[yo + i] = x[xo + i] > 0 ? g[go + i] : g[go + i] * slope;
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
            case LOG1P -> log1pFinish(x, 1f + x, VectorMath.log(1f + x));
            case EXPM1 -> expm1Finish(x, VectorMath.exp(x), VectorMath.log(VectorMath.exp(x)));
            case SIGN -> x > 0 ? 1f : x < 0 ? -1f : x;
            case FLOOR -> (float) Math.floor(x);
            case CEIL -> (float) Math.ceil(x);
            case ROUND -> (float) Math.rint(x);
            case RSQRT -> 1f / (float) Math.sqrt(x);
            case RECIPROCAL -> 1f / x;
            case HARDSWISH -> x * Math.min(Math.max(x + 3f, 0f), 6f) / 6f;
            case HARDSIGMOID -> Math.min(Math.max(x + 3f, 0f), 6f) / 6f;
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
            case LOG1P -> log1pFinish(x, 1d + x, VectorMath.log(1d + x));
            case EXPM1 -> expm1Finish(x, VectorMath.exp(x), VectorMath.log(VectorMath.exp(x)));
            case SIGN -> x > 0 ? 1d : x < 0 ? -1d : x;
            case FLOOR -> Math.floor(x);
            case CEIL -> Math.ceil(x);
            case ROUND -> Math.rint(x);
            case RSQRT -> 1d / Math.sqrt(x);
            case RECIPROCAL -> 1d / x;
            case HARDSWISH -> x * Math.min(Math.max(x + 3d, 0d), 6d) / 6d;
            case HARDSIGMOID -> Math.min(Math.max(x + 3d, 0d), 6d) / 6d;
        };
    }

    // ------------------------------------------------------------ expm1 and log1p: Kahan's corrections over exp and log

    private static final int BLOCK = 1024;

    /**
     * expm1 from u = eˣ and l = ln u (Kahan): (u − 1)·(x / l) is accurate near 0, where u − 1 alone loses the
     * digits; x itself where u rounds to 1, u where it overflows, −1 where u − 1 rounds to −1.
     */
    static float expm1Finish(float x, float u, float l) {
        float um1 = u - 1f;
        if (u == 1f) return x;
        if (u == Float.POSITIVE_INFINITY) return u;
        if (um1 == -1f) return -1f;
        return um1 * (x / l);
    }

    /** The float64 twin of {@link #expm1Finish(float, float, float)}. */
    static double expm1Finish(double x, double u, double l) {
        double um1 = u - 1d;
        if (u == 1d) return x;
        if (u == Double.POSITIVE_INFINITY) return u;
        if (um1 == -1d) return -1d;
        return um1 * (x / l);
    }

    /** log1p from u = 1 + x and l = ln u (Kahan): l·(x / (u − 1)); x itself where u rounds to 1, u where it is +∞. */
    static float log1pFinish(float x, float u, float l) {
        if (u == 1f) return x;
        if (u == Float.POSITIVE_INFINITY) return u;
        return l * (x / (u - 1f));
    }

    /** The float64 twin of {@link #log1pFinish(float, float, float)}. */
    static double log1pFinish(double x, double u, double l) {
        if (u == 1d) return x;
        if (u == Double.POSITIVE_INFINITY) return u;
        return l * (x / (u - 1d));
    }

    private static void expm1Row(float[] x, int xo, float[] y, int yo, int n) {
        float[] l = new float[Math.min(n, BLOCK)];
        var S = Vectors.F;
        for (int b = 0; b < n; b += BLOCK) {
            int len = Math.min(BLOCK, n - b), xb = xo + b, yb = yo + b;
            VectorMath.expRow(x, xb, y, yb, len, true);
            VectorMath.logRow(y, yb, l, 0, len, true);
            int i = 0, upper = S.loopBound(len);
            for (; i < upper; i += S.length()) {
                FloatVector xv = FloatVector.fromArray(S, x, xb + i), u = FloatVector.fromArray(S, y, yb + i);
                FloatVector um1 = u.sub(1f);
                FloatVector r = um1.mul(xv.div(FloatVector.fromArray(S, l, i)));
                r = r.blend(-1f, um1.compare(jdk.incubator.vector.VectorOperators.EQ, -1f));
                r = r.blend(u, u.compare(jdk.incubator.vector.VectorOperators.EQ, Float.POSITIVE_INFINITY));
                r = r.blend(xv, u.compare(jdk.incubator.vector.VectorOperators.EQ, 1f));
                r.intoArray(y, yb + i);
            }
            for (; i < len; i++) y[yb + i] = expm1Finish(x[xb + i], y[yb + i], l[i]);
        }
    }

    private static void expm1Row(double[] x, int xo, double[] y, int yo, int n) {
        double[] l = new double[Math.min(n, BLOCK)];
        var S = Vectors.D;
        for (int b = 0; b < n; b += BLOCK) {
            int len = Math.min(BLOCK, n - b), xb = xo + b, yb = yo + b;
            VectorMath.expRow(x, xb, y, yb, len, true);
            VectorMath.logRow(y, yb, l, 0, len, true);
            int i = 0, upper = S.loopBound(len);
            for (; i < upper; i += S.length()) {
                DoubleVector xv = DoubleVector.fromArray(S, x, xb + i), u = DoubleVector.fromArray(S, y, yb + i);
                DoubleVector um1 = u.sub(1d);
                DoubleVector r = um1.mul(xv.div(DoubleVector.fromArray(S, l, i)));
                r = r.blend(-1d, um1.compare(jdk.incubator.vector.VectorOperators.EQ, -1d));
                r = r.blend(u, u.compare(jdk.incubator.vector.VectorOperators.EQ, Double.POSITIVE_INFINITY));
                r = r.blend(xv, u.compare(jdk.incubator.vector.VectorOperators.EQ, 1d));
                r.intoArray(y, yb + i);
            }
            for (; i < len; i++) y[yb + i] = expm1Finish(x[xb + i], y[yb + i], l[i]);
        }
    }

    private static void log1pRow(float[] x, int xo, float[] y, int yo, int n) {
        float[] u = new float[Math.min(n, BLOCK)];
        var S = Vectors.F;
        for (int b = 0; b < n; b += BLOCK) {
            int len = Math.min(BLOCK, n - b), xb = xo + b, yb = yo + b;
            int i = 0, upper = S.loopBound(len);
            for (; i < upper; i += S.length()) FloatVector.fromArray(S, x, xb + i).add(1f).intoArray(u, i);
            for (; i < len; i++) u[i] = 1f + x[xb + i];
            VectorMath.logRow(u, 0, y, yb, len, true);
            for (i = 0; i < upper; i += S.length()) {
                FloatVector xv = FloatVector.fromArray(S, x, xb + i), uv = FloatVector.fromArray(S, u, i);
                FloatVector r = FloatVector.fromArray(S, y, yb + i).mul(xv.div(uv.sub(1f)));
                r = r.blend(uv, uv.compare(jdk.incubator.vector.VectorOperators.EQ, Float.POSITIVE_INFINITY));
                r = r.blend(xv, uv.compare(jdk.incubator.vector.VectorOperators.EQ, 1f));
                r.intoArray(y, yb + i);
            }
            for (; i < len; i++) y[yb + i] = log1pFinish(x[xb + i], u[i], y[yb + i]);
        }
    }

    private static void log1pRow(double[] x, int xo, double[] y, int yo, int n) {
        double[] u = new double[Math.min(n, BLOCK)];
        var S = Vectors.D;
        for (int b = 0; b < n; b += BLOCK) {
            int len = Math.min(BLOCK, n - b), xb = xo + b, yb = yo + b;
            int i = 0, upper = S.loopBound(len);
            for (; i < upper; i += S.length()) DoubleVector.fromArray(S, x, xb + i).add(1d).intoArray(u, i);
            for (; i < len; i++) u[i] = 1d + x[xb + i];
            VectorMath.logRow(u, 0, y, yb, len, true);
            for (i = 0; i < upper; i += S.length()) {
                DoubleVector xv = DoubleVector.fromArray(S, x, xb + i), uv = DoubleVector.fromArray(S, u, i);
                DoubleVector r = DoubleVector.fromArray(S, y, yb + i).mul(xv.div(uv.sub(1d)));
                r = r.blend(uv, uv.compare(jdk.incubator.vector.VectorOperators.EQ, Double.POSITIVE_INFINITY));
                r = r.blend(xv, uv.compare(jdk.incubator.vector.VectorOperators.EQ, 1d));
                r.intoArray(y, yb + i);
            }
            for (; i < len; i++) y[yb + i] = log1pFinish(x[xb + i], u[i], y[yb + i]);
        }
    }
}
