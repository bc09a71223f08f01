package dev.descent.core.kernel;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * exp, log and tanh built only from IEEE add, multiply, divide, fused multiply-add, comparisons and
 * bit operations, each as a vector function and a scalar twin that performs the same operations in
 * the same order, so the two agree bit for bit.
 *
 * <p>Why not {@code lanewise(VectorOperators.EXP)}: its compiled form (a vendor math library) and its
 * interpreted form ({@code Math.exp} per lane) round differently, so the same call returned different
 * bits before and after the JIT warmed up, and training runs were not reproducible. Basic IEEE
 * operations are exact in every execution mode.
 *
 * <p>Accuracy (tested against {@code java.lang.Math}): within two ulps. Vector code lives only inside
 * the row methods' loops: a helper that took or returned vectors was too big for the JIT to inline,
 * and every vector it touched was boxed (gigabytes of garbage). tanh and sigmoid run in blocks: a
 * prepare loop, the exp loop in place, a combine loop, each flat.
 *
 * <ul>
 *   <li>exp: x = n·ln2 + r with |r| ≤ ln2/2 (Cody–Waite, ln2 split so n·ln2_hi is exact), e^r by its
 *       Taylor polynomial (degree 7 for float, 13 for double: truncation below half an ulp), times
 *       2^n built in the exponent field in two halves so that subnormal results come out right.
 *   <li>log: x = m·2^e with m in [√½, √2); log m = 2·atanh(s), s = (m−1)/(m+1), |s| ≤ 0.1716, by its
 *       series to s⁹ (float) or s²¹ (double); plus e·ln2. Subnormals are scaled into range first.
 *   <li>tanh: 1 − 2/(e^{2|x|} + 1) for |x| ≥ 0.55; below, x + x³·P(x²) with P fitted for relative
 *       error by {@code tools/fit-tanh.py}; the sign is copied from x.
 * </ul>
 */
public final class VectorMath {
    private VectorMath() {}

    private static final VectorSpecies<Float> F = Vectors.F;
    private static final VectorSpecies<Double> D = Vectors.D;
    private static final VectorSpecies<Integer> I = Vectors.I;
    private static final VectorSpecies<Long> L = Vectors.L;

    // ------------------------------------------------------------ float constants
    private static final float EXP_LO_F = -104f, EXP_HI_F = 89f;
    private static final float LOG2E_F = 1.4426950408889634f;
    private static final float ROUND_F = 0x1.8p23f;
    private static final int ROUND_F_BITS = Float.floatToRawIntBits(ROUND_F);
    private static final float LN2_HI_F = 0x1.62e4p-1f, LN2_LO_F = 1.428606765330187e-06f;
    private static final float LN2_F = 0.6931471805599453f;
    private static final float SQRT2_F = 1.4142135623730951f;
    private static final float TANH_SMALL_F = 0.55f;
    private static final float T0F = -0.33333316445350647f, T1F = 0.13332565128803253f, T2F = -0.05385029688477516f,
            T3F = 0.021064136177301407f, T4F = -0.006264368072152138f;

    // ------------------------------------------------------------ double constants
    private static final double EXP_LO_D = -746, EXP_HI_D = 710;
    private static final double LOG2E_D = 1.4426950408889634;
    private static final double ROUND_D = 0x1.8p52;
    private static final long ROUND_D_BITS = Double.doubleToRawLongBits(ROUND_D);
    private static final double LN2_HI_D = 0x1.62e42fefa38p-1, LN2_LO_D = 5.497923018708371e-14;
    private static final double SQRT2_D = 1.4142135623730951;
    private static final double TANH_SMALL_D = 0.55;
    private static final double T0D = -0.3333333333333225, T1D = 0.13333333333161682, T2D = -0.05396825387317138,
            T3D = 0.02186948591400153, T4D = -0.008863193772024347, T5D = 0.0035917143127724926,
            T6D = -0.0014531921660232879, T7D = 0.0005790689746880716, T8D = -0.00021019794533320356, T9D = 5.095320831345609e-05;

    /** Elements per block of the multi-pass kernels (fits in L1 with room to spare). */
    private static final int BLOCK = 1024;

    // ============================================================ exp

    /** y[yo + i] = exp(x[xo + i]) for i < n; x and y may be the same array at the same offset. */
    public static void expRow(float[] x, int xo, float[] y, int yo, int n, boolean vector) {
        int i = 0;
        if (vector) {
            int upper = F.loopBound(n);
            for (; i < upper; i += F.length()) {
                FloatVector xc = FloatVector.fromArray(F, x, xo + i).max(EXP_LO_F).min(EXP_HI_F);
                FloatVector t = xc.mul(LOG2E_F).add(ROUND_F);               // n in the low mantissa bits
                FloatVector k = t.sub(ROUND_F);
                FloatVector r = k.fma(FloatVector.broadcast(F, -LN2_HI_F), xc);
                r = k.fma(FloatVector.broadcast(F, -LN2_LO_F), r);
                FloatVector p = r.fma(1f / 5040, 1f / 720);
                p = p.fma(r, FloatVector.broadcast(F, 1f / 120));
                p = p.fma(r, FloatVector.broadcast(F, 1f / 24));
                p = p.fma(r, FloatVector.broadcast(F, 1f / 6));
                p = p.fma(r, FloatVector.broadcast(F, 0.5f));
                p = p.fma(r, FloatVector.broadcast(F, 1f));
                p = p.fma(r, FloatVector.broadcast(F, 1f));
                IntVector ni = t.reinterpretAsInts().sub(ROUND_F_BITS);
                IntVector n1 = ni.lanewise(VectorOperators.ASHR, 1), n2 = ni.sub(n1);
                FloatVector s1 = n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
                FloatVector s2 = n2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
                p.mul(s1).mul(s2).intoArray(y, yo + i);
            }
        }
        for (; i < n; i++) y[yo + i] = exp(x[xo + i]);
    }

    /** The scalar twin of {@link #expRow(float[], int, float[], int, int, boolean)}'s vector loop. */
    public static float exp(float x) {
        float xc = Math.min(Math.max(x, EXP_LO_F), EXP_HI_F);
        float t = xc * LOG2E_F + ROUND_F;
        float k = t - ROUND_F;
        float r = Math.fma(k, -LN2_HI_F, xc);
        r = Math.fma(k, -LN2_LO_F, r);
        float p = Math.fma(r, 1f / 5040, 1f / 720);
        p = Math.fma(p, r, 1f / 120);
        p = Math.fma(p, r, 1f / 24);
        p = Math.fma(p, r, 1f / 6);
        p = Math.fma(p, r, 0.5f);
        p = Math.fma(p, r, 1f);
        p = Math.fma(p, r, 1f);
        int ni = Float.floatToRawIntBits(t) - ROUND_F_BITS;
        int n1 = ni >> 1, n2 = ni - n1;
        return p * Float.intBitsToFloat((n1 + 127) << 23) * Float.intBitsToFloat((n2 + 127) << 23);
    }

    /** y[yo + i] = exp(x[xo + i]) for i < n; x and y may be the same array at the same offset. */
    public static void expRow(double[] x, int xo, double[] y, int yo, int n, boolean vector) {
        int i = 0;
        if (vector) {
            int upper = D.loopBound(n);
            for (; i < upper; i += D.length()) {
                DoubleVector xc = DoubleVector.fromArray(D, x, xo + i).max(EXP_LO_D).min(EXP_HI_D);
                DoubleVector t = xc.mul(LOG2E_D).add(ROUND_D);
                DoubleVector k = t.sub(ROUND_D);
                DoubleVector r = k.fma(DoubleVector.broadcast(D, -LN2_HI_D), xc);
                r = k.fma(DoubleVector.broadcast(D, -LN2_LO_D), r);
                DoubleVector p = r.fma(1.0 / 6227020800.0, 1.0 / 479001600.0);
                p = p.fma(r, DoubleVector.broadcast(D, 1.0 / 39916800.0));
                p = p.fma(r, DoubleVector.broadcast(D, 1.0 / 3628800.0));
                p = p.fma(r, DoubleVector.broadcast(D, 1.0 / 362880.0));
                p = p.fma(r, DoubleVector.broadcast(D, 1.0 / 40320.0));
                p = p.fma(r, DoubleVector.broadcast(D, 1.0 / 5040.0));
                p = p.fma(r, DoubleVector.broadcast(D, 1.0 / 720.0));
                p = p.fma(r, DoubleVector.broadcast(D, 1.0 / 120.0));
                p = p.fma(r, DoubleVector.broadcast(D, 1.0 / 24.0));
                p = p.fma(r, DoubleVector.broadcast(D, 1.0 / 6.0));
                p = p.fma(r, DoubleVector.broadcast(D, 0.5));
                p = p.fma(r, DoubleVector.broadcast(D, 1.0));
                p = p.fma(r, DoubleVector.broadcast(D, 1.0));
                LongVector ni = t.reinterpretAsLongs().sub(ROUND_D_BITS);
                LongVector n1 = ni.lanewise(VectorOperators.ASHR, 1), n2 = ni.sub(n1);
                DoubleVector s1 = n1.add(1023).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles();
                DoubleVector s2 = n2.add(1023).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles();
                p.mul(s1).mul(s2).intoArray(y, yo + i);
            }
        }
        for (; i < n; i++) y[yo + i] = exp(x[xo + i]);
    }

    /** The scalar twin of {@link #expRow(double[], int, double[], int, int, boolean)}'s vector loop. */
    public static double exp(double x) {
        double xc = Math.min(Math.max(x, EXP_LO_D), EXP_HI_D);
        double t = xc * LOG2E_D + ROUND_D;
        double k = t - ROUND_D;
        double r = Math.fma(k, -LN2_HI_D, xc);
        r = Math.fma(k, -LN2_LO_D, r);
        double p = Math.fma(r, 1.0 / 6227020800.0, 1.0 / 479001600.0);
        p = Math.fma(p, r, 1.0 / 39916800.0);
        p = Math.fma(p, r, 1.0 / 3628800.0);
        p = Math.fma(p, r, 1.0 / 362880.0);
        p = Math.fma(p, r, 1.0 / 40320.0);
        p = Math.fma(p, r, 1.0 / 5040.0);
        p = Math.fma(p, r, 1.0 / 720.0);
        p = Math.fma(p, r, 1.0 / 120.0);
        p = Math.fma(p, r, 1.0 / 24.0);
        p = Math.fma(p, r, 1.0 / 6.0);
        p = Math.fma(p, r, 0.5);
        p = Math.fma(p, r, 1.0);
        p = Math.fma(p, r, 1.0);
        long ni = Double.doubleToRawLongBits(t) - ROUND_D_BITS;
        long n1 = ni >> 1, n2 = ni - n1;
        return p * Double.longBitsToDouble((n1 + 1023) << 52) * Double.longBitsToDouble((n2 + 1023) << 52);
    }

    // ============================================================ log

    /** y[yo + i] = log(x[xo + i]) for i < n. */
    public static void logRow(float[] x, int xo, float[] y, int yo, int n, boolean vector) {
        int i = 0;
        if (vector) {
            int upper = F.loopBound(n);
            for (; i < upper; i += F.length()) {
                FloatVector v = FloatVector.fromArray(F, x, xo + i);
                VectorMask<Float> tiny = v.compare(VectorOperators.LT, Float.MIN_NORMAL);
                FloatVector xs = v.blend(v.mul(0x1p23f), tiny);               // subnormals into the normal range
                IntVector bits = xs.reinterpretAsInts();
                IntVector e = bits.lanewise(VectorOperators.LSHR, 23).sub(127);
                e = e.blend(e.sub(23), tiny.cast(I));
                FloatVector m = bits.and(0x007FFFFF).or(0x3F800000).reinterpretAsFloats(); // [1, 2)
                VectorMask<Float> high = m.compare(VectorOperators.GT, SQRT2_F);
                m = m.blend(m.mul(0.5f), high);
                e = e.blend(e.add(1), high.cast(I));
                FloatVector f = m.sub(1f);
                FloatVector s = f.div(f.add(2f));
                FloatVector z = s.mul(s);
                FloatVector q = z.fma(1f / 9, 1f / 7);
                q = q.fma(z, FloatVector.broadcast(F, 1f / 5));
                q = q.fma(z, FloatVector.broadcast(F, 1f / 3));
                q = q.fma(z, FloatVector.broadcast(F, 1f));
                FloatVector lm = s.add(s).mul(q);
                FloatVector ef = (FloatVector) e.convert(VectorOperators.I2F, 0);
                FloatVector r = ef.fma(FloatVector.broadcast(F, LN2_F), lm);
                r = r.blend(Float.NaN, v.compare(VectorOperators.LT, 0f).or(v.compare(VectorOperators.NE, v)));
                r = r.blend(Float.NEGATIVE_INFINITY, v.compare(VectorOperators.EQ, 0f));
                r.blend(Float.POSITIVE_INFINITY, v.compare(VectorOperators.EQ, Float.POSITIVE_INFINITY)).intoArray(y, yo + i);
            }
        }
        for (; i < n; i++) y[yo + i] = log(x[xo + i]);
    }

    /** The scalar twin of {@link #logRow(float[], int, float[], int, int, boolean)}'s vector loop. */
    public static float log(float x) {
        boolean tiny = x < Float.MIN_NORMAL;
        float xs = tiny ? x * 0x1p23f : x;
        int bits = Float.floatToRawIntBits(xs);
        int e = (bits >>> 23) - 127;
        if (tiny) e -= 23;
        float m = Float.intBitsToFloat((bits & 0x007FFFFF) | 0x3F800000);
        if (m > SQRT2_F) {
            m = m * 0.5f;
            e += 1;
        }
        float f = m - 1f;
        float s = f / (f + 2f);
        float z = s * s;
        float q = Math.fma(z, 1f / 9, 1f / 7);
        q = Math.fma(q, z, 1f / 5);
        q = Math.fma(q, z, 1f / 3);
        q = Math.fma(q, z, 1f);
        float lm = (s + s) * q;
        float r = Math.fma((float) e, LN2_F, lm);
        if (x < 0f || x != x) r = Float.NaN;
        if (x == 0f) r = Float.NEGATIVE_INFINITY;
        if (x == Float.POSITIVE_INFINITY) r = Float.POSITIVE_INFINITY;
        return r;
    }

    /** y[yo + i] = log(x[xo + i]) for i < n. */
    public static void logRow(double[] x, int xo, double[] y, int yo, int n, boolean vector) {
        int i = 0;
        if (vector) {
            int upper = D.loopBound(n);
            for (; i < upper; i += D.length()) {
                DoubleVector v = DoubleVector.fromArray(D, x, xo + i);
                VectorMask<Double> tiny = v.compare(VectorOperators.LT, Double.MIN_NORMAL);
                DoubleVector xs = v.blend(v.mul(0x1p52), tiny);
                LongVector bits = xs.reinterpretAsLongs();
                LongVector e = bits.lanewise(VectorOperators.LSHR, 52).sub(1023);
                e = e.blend(e.sub(52), tiny.cast(L));
                DoubleVector m = bits.and(0x000FFFFFFFFFFFFFL).or(0x3FF0000000000000L).reinterpretAsDoubles();
                VectorMask<Double> high = m.compare(VectorOperators.GT, SQRT2_D);
                m = m.blend(m.mul(0.5), high);
                e = e.blend(e.add(1), high.cast(L));
                DoubleVector f = m.sub(1.0);
                DoubleVector s = f.div(f.add(2.0));
                DoubleVector z = s.mul(s);
                DoubleVector q = z.fma(1.0 / 21, 1.0 / 19);
                q = q.fma(z, DoubleVector.broadcast(D, 1.0 / 17));
                q = q.fma(z, DoubleVector.broadcast(D, 1.0 / 15));
                q = q.fma(z, DoubleVector.broadcast(D, 1.0 / 13));
                q = q.fma(z, DoubleVector.broadcast(D, 1.0 / 11));
                q = q.fma(z, DoubleVector.broadcast(D, 1.0 / 9));
                q = q.fma(z, DoubleVector.broadcast(D, 1.0 / 7));
                q = q.fma(z, DoubleVector.broadcast(D, 1.0 / 5));
                q = q.fma(z, DoubleVector.broadcast(D, 1.0 / 3));
                DoubleVector s2 = s.add(s);
                DoubleVector lm = s2.mul(z).fma(q, s2);                      // 2s + 2s·z·Q(z): the leading term kept exact
                DoubleVector ed = (DoubleVector) e.convert(VectorOperators.L2D, 0);
                DoubleVector r = ed.fma(DoubleVector.broadcast(D, LN2_HI_D), ed.fma(DoubleVector.broadcast(D, LN2_LO_D), lm));
                r = r.blend(Double.NaN, v.compare(VectorOperators.LT, 0.0).or(v.compare(VectorOperators.NE, v)));
                r = r.blend(Double.NEGATIVE_INFINITY, v.compare(VectorOperators.EQ, 0.0));
                r.blend(Double.POSITIVE_INFINITY, v.compare(VectorOperators.EQ, Double.POSITIVE_INFINITY)).intoArray(y, yo + i);
            }
        }
        for (; i < n; i++) y[yo + i] = log(x[xo + i]);
    }

    /** The scalar twin of {@link #logRow(double[], int, double[], int, int, boolean)}'s vector loop. */
    public static double log(double x) {
        boolean tiny = x < Double.MIN_NORMAL;
        double xs = tiny ? x * 0x1p52 : x;
        long bits = Double.doubleToRawLongBits(xs);
        long e = (bits >>> 52) - 1023;
        if (tiny) e -= 52;
        double m = Double.longBitsToDouble((bits & 0x000FFFFFFFFFFFFFL) | 0x3FF0000000000000L);
        if (m > SQRT2_D) {
            m = m * 0.5;
            e += 1;
        }
        double f = m - 1.0;
        double s = f / (f + 2.0);
        double z = s * s;
        double q = Math.fma(z, 1.0 / 21, 1.0 / 19);
        q = Math.fma(q, z, 1.0 / 17);
        q = Math.fma(q, z, 1.0 / 15);
        q = Math.fma(q, z, 1.0 / 13);
        q = Math.fma(q, z, 1.0 / 11);
        q = Math.fma(q, z, 1.0 / 9);
        q = Math.fma(q, z, 1.0 / 7);
        q = Math.fma(q, z, 1.0 / 5);
        q = Math.fma(q, z, 1.0 / 3);
        double s2 = s + s;
        double lm = Math.fma(s2 * z, q, s2);
        double ed = (double) e;
        double r = Math.fma(ed, LN2_HI_D, Math.fma(ed, LN2_LO_D, lm));
        if (x < 0.0 || x != x) r = Double.NaN;
        if (x == 0.0) r = Double.NEGATIVE_INFINITY;
        if (x == Double.POSITIVE_INFINITY) r = Double.POSITIVE_INFINITY;
        return r;
    }

    // ============================================================ tanh

    /** y[yo + i] = tanh(x[xo + i]) for i < n; y must not overlap x. Three flat loops per block. */
    public static void tanhRow(float[] x, int xo, float[] y, int yo, int n, boolean vector) {
        for (int b = 0; b < n; b += BLOCK) {
            int len = Math.min(BLOCK, n - b), xb = xo + b, yb = yo + b;
            int i = 0;
            if (vector) {
                int upper = F.loopBound(len);
                for (; i < upper; i += F.length()) {
                    FloatVector a = FloatVector.fromArray(F, x, xb + i).abs();
                    a.add(a).intoArray(y, yb + i);
                }
            }
            for (; i < len; i++) {
                float a = Math.abs(x[xb + i]);
                y[yb + i] = a + a;
            }
            expRow(y, yb, y, yb, len, vector);                          // y = e^{2|x|}
            i = 0;
            if (vector) {
                int upper = F.loopBound(len);
                for (; i < upper; i += F.length()) {
                    FloatVector v = FloatVector.fromArray(F, x, xb + i);
                    FloatVector a = v.abs();
                    FloatVector e = FloatVector.fromArray(F, y, yb + i);
                    FloatVector large = FloatVector.broadcast(F, 1f).sub(FloatVector.broadcast(F, 2f).div(e.add(1f)));
                    FloatVector z = a.mul(a);
                    FloatVector p = z.fma(T4F, T3F);
                    p = p.fma(z, FloatVector.broadcast(F, T2F));
                    p = p.fma(z, FloatVector.broadcast(F, T1F));
                    p = p.fma(z, FloatVector.broadcast(F, T0F));
                    FloatVector small = a.mul(z).fma(p, a);
                    FloatVector r = large.blend(small, a.compare(VectorOperators.LT, TANH_SMALL_F));
                    r.reinterpretAsInts().or(v.reinterpretAsInts().and(0x80000000)).reinterpretAsFloats().intoArray(y, yb + i);
                }
            }
            for (; i < len; i++) y[yb + i] = tanhFromExp(x[xb + i], y[yb + i]);
        }
    }

    /** The scalar twin of {@link #tanhRow(float[], int, float[], int, int, boolean)}. */
    public static float tanh(float x) {
        float a = Math.abs(x);
        return tanhFromExp(x, exp(a + a));
    }

    private static float tanhFromExp(float x, float e) {
        float a = Math.abs(x);
        float large = 1f - 2f / (e + 1f);
        float z = a * a;
        float p = Math.fma(z, T4F, T3F);
        p = Math.fma(p, z, T2F);
        p = Math.fma(p, z, T1F);
        p = Math.fma(p, z, T0F);
        float small = Math.fma(a * z, p, a);
        float r = a < TANH_SMALL_F ? small : large;
        return Float.intBitsToFloat(Float.floatToRawIntBits(r) | (Float.floatToRawIntBits(x) & 0x80000000));
    }

    /** y[yo + i] = tanh(x[xo + i]) for i < n; y must not overlap x. */
    public static void tanhRow(double[] x, int xo, double[] y, int yo, int n, boolean vector) {
        for (int b = 0; b < n; b += BLOCK) {
            int len = Math.min(BLOCK, n - b), xb = xo + b, yb = yo + b;
            int i = 0;
            if (vector) {
                int upper = D.loopBound(len);
                for (; i < upper; i += D.length()) {
                    DoubleVector a = DoubleVector.fromArray(D, x, xb + i).abs();
                    a.add(a).intoArray(y, yb + i);
                }
            }
            for (; i < len; i++) {
                double a = Math.abs(x[xb + i]);
                y[yb + i] = a + a;
            }
            expRow(y, yb, y, yb, len, vector);
            i = 0;
            if (vector) {
                int upper = D.loopBound(len);
                for (; i < upper; i += D.length()) {
                    DoubleVector v = DoubleVector.fromArray(D, x, xb + i);
                    DoubleVector a = v.abs();
                    DoubleVector e = DoubleVector.fromArray(D, y, yb + i);
                    DoubleVector large = DoubleVector.broadcast(D, 1.0).sub(DoubleVector.broadcast(D, 2.0).div(e.add(1.0)));
                    DoubleVector z = a.mul(a);
                    DoubleVector p = z.fma(T9D, T8D);
                    p = p.fma(z, DoubleVector.broadcast(D, T7D));
                    p = p.fma(z, DoubleVector.broadcast(D, T6D));
                    p = p.fma(z, DoubleVector.broadcast(D, T5D));
                    p = p.fma(z, DoubleVector.broadcast(D, T4D));
                    p = p.fma(z, DoubleVector.broadcast(D, T3D));
                    p = p.fma(z, DoubleVector.broadcast(D, T2D));
                    p = p.fma(z, DoubleVector.broadcast(D, T1D));
                    p = p.fma(z, DoubleVector.broadcast(D, T0D));
                    DoubleVector small = a.mul(z).fma(p, a);
                    DoubleVector r = large.blend(small, a.compare(VectorOperators.LT, TANH_SMALL_D));
                    r.reinterpretAsLongs().or(v.reinterpretAsLongs().and(0x8000000000000000L)).reinterpretAsDoubles().intoArray(y, yb + i);
                }
            }
            for (; i < len; i++) y[yb + i] = tanhFromExp(x[xb + i], y[yb + i]);
        }
    }

    /** The scalar twin of {@link #tanhRow(double[], int, double[], int, int, boolean)}. */
    public static double tanh(double x) {
        double a = Math.abs(x);
        return tanhFromExp(x, exp(a + a));
    }

    private static double tanhFromExp(double x, double e) {
        double a = Math.abs(x);
        double large = 1.0 - 2.0 / (e + 1.0);
        double z = a * a;
        double p = Math.fma(z, T9D, T8D);
        p = Math.fma(p, z, T7D);
        p = Math.fma(p, z, T6D);
        p = Math.fma(p, z, T5D);
        p = Math.fma(p, z, T4D);
        p = Math.fma(p, z, T3D);
        p = Math.fma(p, z, T2D);
        p = Math.fma(p, z, T1D);
        p = Math.fma(p, z, T0D);
        double small = Math.fma(a * z, p, a);
        double r = a < TANH_SMALL_D ? small : large;
        return Double.longBitsToDouble(Double.doubleToRawLongBits(r) | (Double.doubleToRawLongBits(x) & 0x8000000000000000L));
    }

    // ============================================================ sigmoid

    /** y[yo + i] = 1 / (1 + exp(−x[xo + i])) for i < n; y must not overlap x. */
    public static void sigmoidRow(float[] x, int xo, float[] y, int yo, int n, boolean vector) {
        for (int b = 0; b < n; b += BLOCK) {
            int len = Math.min(BLOCK, n - b), xb = xo + b, yb = yo + b;
            int i = 0;
            if (vector) {
                int upper = F.loopBound(len);
                for (; i < upper; i += F.length()) FloatVector.fromArray(F, x, xb + i).neg().intoArray(y, yb + i);
            }
            for (; i < len; i++) y[yb + i] = -x[xb + i];
            expRow(y, yb, y, yb, len, vector);
            i = 0;
            if (vector) {
                int upper = F.loopBound(len);
                for (; i < upper; i += F.length()) {
                    FloatVector.broadcast(F, 1f).div(FloatVector.fromArray(F, y, yb + i).add(1f)).intoArray(y, yb + i);
                }
            }
            for (; i < len; i++) y[yb + i] = 1f / (y[yb + i] + 1f);
        }
    }

    /** The scalar twin of {@link #sigmoidRow(float[], int, float[], int, int, boolean)}. */
    public static float sigmoid(float x) {
        return 1f / (exp(-x) + 1f);
    }

    /** y[yo + i] = 1 / (1 + exp(−x[xo + i])) for i < n; y must not overlap x. */
    public static void sigmoidRow(double[] x, int xo, double[] y, int yo, int n, boolean vector) {
        for (int b = 0; b < n; b += BLOCK) {
            int len = Math.min(BLOCK, n - b), xb = xo + b, yb = yo + b;
            int i = 0;
            if (vector) {
                int upper = D.loopBound(len);
                for (; i < upper; i += D.length()) DoubleVector.fromArray(D, x, xb + i).neg().intoArray(y, yb + i);
            }
            for (; i < len; i++) y[yb + i] = -x[xb + i];
            expRow(y, yb, y, yb, len, vector);
            i = 0;
            if (vector) {
                int upper = D.loopBound(len);
                for (; i < upper; i += D.length()) {
                    DoubleVector.broadcast(D, 1.0).div(DoubleVector.fromArray(D, y, yb + i).add(1.0)).intoArray(y, yb + i);
                }
            }
            for (; i < len; i++) y[yb + i] = 1.0 / (y[yb + i] + 1.0);
        }
    }

    /** The scalar twin of {@link #sigmoidRow(double[], int, double[], int, int, boolean)}. */
    public static double sigmoid(double x) {
        return 1.0 / (exp(-x) + 1.0);
    }

    // ============================================================ GELU (float32)

    // Φ, the standard normal CDF, from two polynomials derived by tools/fit-gelu.py (relative error of the
    // float32-rounded fits ≤ 2.9e-8):
    //   |x| ≤ 1:  Φ(x) = ½ + x·P(x²)
    //   a = |x| > 1:  Φ(−a) = e^{−a²/2}·t·Q(t), t = 1/(1 + a/2)   (the tail: e^{−a²/2}/(a√(2π)) as a grows), Φ(a) = 1 − Φ(−a)
    // e^{−a²/2} keeps the rounding error of a² (a² = s + l exactly, by fma): e^{−s/2}·(1 − l/2), else its relative error
    // would grow as a² (1e-5 at a = 13). The tail is computed directly, not as 1 − Φ(a), so Φ(x) and x·Φ(x) keep their
    // relative accuracy for negative x down to the underflow of e^{−a²/2}.
    private static final float GELU_CLAMP_F = 16f, GELU_CENTRAL_F = 1f, INV_SQRT_2PI_F = 0.3989422804014327f;
    private static final float P0 = 0.3989422917366028f, P1 = -0.06649038195610046f, P2 = 0.009973550215363503f,
            P3 = -0.0011872879695147276f, P4 = 0.00011531931522767991f, P5 = -9.273138857679442e-06f, P6 = 5.368456754695217e-07f;
    private static final float Q0 = 0.19947342574596405f, Q1 = 0.19939322769641876f, Q2 = 0.15071286261081696f,
            Q3 = 0.04131445288658142f, Q4 = -0.024343451485037804f, Q5 = -0.20289838314056396f, Q6 = 0.025444578379392624f,
            Q7 = 0.3756331205368042f, Q8 = -0.3905716836452484f, Q9 = 0.12643404304981232f;

    /**
     * GELU and its slope in float32, one pass: y[yo + i] = x·Φ(x) and, when d is not null, d[do + i] = Φ(x) + x·φ(x),
     * x = x[xo + i], φ the standard normal density. Within 6 float32 ulps of the float64 values (GeluKernelTest; the slope
     * measured against the ulp of Φ + |x|·φ, as it crosses zero); ±∞ give
     * y = ±∞·Φ (NaN at −∞, as x·Φ(x) in IEEE arithmetic) and d = Φ(±∞). y and d must not overlap x (y holds temporaries).
     */
    public static void geluRow(float[] x, int xo, float[] y, int yo, float[] d, int dOff, int n, boolean vector) {
        // Two flat loops per block: e^{−x²/2} into y (expRow's vector loop written out, without its clamp: the argument
        // is already in [EXP_LO_F, 0]); then the tail Φ(−a), the centre, the choice and the outputs. (One loop of all of
        // it was too big for the JIT to inline the vector operations, which it then boxed; three loops and a call to
        // expRow cost a quarter more than these two.)
        if (!vector) {
            for (int i = 0; i < n; i++) {
                float v = x[xo + i], cdf = normalCdf(v);
                y[yo + i] = v * cdf;
                if (d != null) d[dOff + i] = geluSlope(v, cdf);
            }
            return;
        }
        Vectors.count();
        int L = F.length();
        FloatVector half = FloatVector.broadcast(F, 0.5f), one = FloatVector.broadcast(F, 1f);
        for (int b = 0; b < n; b += BLOCK) {
            int len = Math.min(BLOCK, n - b), xb = xo + b, yb = yo + b, db = dOff + b, upper = F.loopBound(len);
            for (int i = 0; i < upper; i += L) {
                FloatVector xc = FloatVector.fromArray(F, x, xb + i).max(-GELU_CLAMP_F).min(GELU_CLAMP_F);
                FloatVector z = xc.mul(xc).mul(-0.5f).max(EXP_LO_F);
                FloatVector t = z.mul(LOG2E_F).add(ROUND_F);
                FloatVector k = t.sub(ROUND_F);
                FloatVector r = k.fma(FloatVector.broadcast(F, -LN2_HI_F), z);
                r = k.fma(FloatVector.broadcast(F, -LN2_LO_F), r);
                FloatVector p = r.fma(1f / 5040, 1f / 720);
                p = p.fma(r, FloatVector.broadcast(F, 1f / 120));
                p = p.fma(r, FloatVector.broadcast(F, 1f / 24));
                p = p.fma(r, FloatVector.broadcast(F, 1f / 6));
                p = p.fma(r, FloatVector.broadcast(F, 0.5f));
                p = p.fma(r, FloatVector.broadcast(F, 1f));
                p = p.fma(r, FloatVector.broadcast(F, 1f));
                IntVector ni = t.reinterpretAsInts().sub(ROUND_F_BITS);
                IntVector n1 = ni.lanewise(VectorOperators.ASHR, 1), n2 = ni.sub(n1);
                FloatVector s1 = n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
                FloatVector s2 = n2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
                p.mul(s1).mul(s2).intoArray(y, yb + i);
            }
            for (int i = 0; i < upper; i += L) {
                FloatVector v = FloatVector.fromArray(F, x, xb + i);
                FloatVector xc = v.max(-GELU_CLAMP_F).min(GELU_CLAMP_F);
                FloatVector s = xc.mul(xc);
                FloatVector l = xc.fma(xc, s.neg());                              // x² = s + l exactly
                FloatVector e = FloatVector.fromArray(F, y, yb + i);
                e = e.fma(l.mul(-0.5f), e);
                FloatVector t = one.div(xc.abs().fma(half, one));
                FloatVector q = t.fma(Q9, Q8);
                q = q.fma(t, FloatVector.broadcast(F, Q7));
                q = q.fma(t, FloatVector.broadcast(F, Q6));
                q = q.fma(t, FloatVector.broadcast(F, Q5));
                q = q.fma(t, FloatVector.broadcast(F, Q4));
                q = q.fma(t, FloatVector.broadcast(F, Q3));
                q = q.fma(t, FloatVector.broadcast(F, Q2));
                q = q.fma(t, FloatVector.broadcast(F, Q1));
                q = q.fma(t, FloatVector.broadcast(F, Q0));
                FloatVector tail = e.mul(t).mul(q);
                FloatVector far = tail.blend(one.sub(tail), xc.compare(VectorOperators.GT, 0f));
                FloatVector p = s.fma(P6, P5);
                p = p.fma(s, FloatVector.broadcast(F, P4));
                p = p.fma(s, FloatVector.broadcast(F, P3));
                p = p.fma(s, FloatVector.broadcast(F, P2));
                p = p.fma(s, FloatVector.broadcast(F, P1));
                p = p.fma(s, FloatVector.broadcast(F, P0));
                FloatVector cdf = far.blend(xc.fma(p, half), xc.abs().compare(VectorOperators.LE, GELU_CENTRAL_F));
                v.mul(cdf).intoArray(y, yb + i);
                if (d != null) xc.mul(e).fma(FloatVector.broadcast(F, INV_SQRT_2PI_F), cdf).intoArray(d, db + i);
            }
            for (int i = upper; i < len; i++) {
                float v = x[xb + i], cdf = normalCdf(v);
                y[yb + i] = v * cdf;
                if (d != null) d[db + i] = geluSlope(v, cdf);
            }
        }
    }

    /** Φ(x), the standard normal CDF: the scalar twin of {@link #geluRow}'s vector loop (the same operations in the same order). */
    public static float normalCdf(float x) {
        float xc = Math.min(Math.max(x, -GELU_CLAMP_F), GELU_CLAMP_F);
        float a = Math.abs(xc), s = xc * xc;
        float e = gaussTail(xc, s);
        float t = 1f / Math.fma(a, 0.5f, 1f);
        float q = Math.fma(t, Q9, Q8);
        q = Math.fma(q, t, Q7);
        q = Math.fma(q, t, Q6);
        q = Math.fma(q, t, Q5);
        q = Math.fma(q, t, Q4);
        q = Math.fma(q, t, Q3);
        q = Math.fma(q, t, Q2);
        q = Math.fma(q, t, Q1);
        q = Math.fma(q, t, Q0);
        float tail = e * t * q;
        float far = xc > 0f ? 1f - tail : tail;
        float p = Math.fma(s, P6, P5);
        p = Math.fma(p, s, P4);
        p = Math.fma(p, s, P3);
        p = Math.fma(p, s, P2);
        p = Math.fma(p, s, P1);
        p = Math.fma(p, s, P0);
        return a <= GELU_CENTRAL_F ? Math.fma(xc, p, 0.5f) : far;
    }

    /** e^{−x²/2} for the clamped x, s = x·x rounded: the scalar twin of {@link #geluRow}'s exp. */
    private static float gaussTail(float xc, float s) {
        float l = Math.fma(xc, xc, -s);
        float e = exp(Math.max(s * -0.5f, EXP_LO_F));
        return Math.fma(l * -0.5f, e, e);
    }

    /** Φ(x) + x·φ(x) given Φ(x): GELU's slope, the scalar twin of {@link #geluRow}'s. */
    private static float geluSlope(float x, float cdf) {
        float xc = Math.min(Math.max(x, -GELU_CLAMP_F), GELU_CLAMP_F);
        return Math.fma(xc * gaussTail(xc, xc * xc), INV_SQRT_2PI_F, cdf);
    }
}
