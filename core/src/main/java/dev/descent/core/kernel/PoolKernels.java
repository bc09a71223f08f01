package dev.descent.core.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Max pooling over the common 2×2, stride 2, unpadded window of one float plane: each window's maximum
 * and its position in the plane (the first in window order on ties; a NaN wins over a number, the
 * first NaN over later ones).
 *
 * <p>The scalar loop branches on every comparison, and on real activations those branches are a coin
 * toss: mispredictions, not arithmetic, set its speed. The vector twin compares L windows at once with
 * masks and blends, no branch on data: each input row's even and odd columns are read with two gathers.
 *
 * <p>Not a two-vector {@code rearrange} of contiguous loads: on AVX2 that ran in the Vector API's Java
 * fallback and allocated its vectors, about 22 MB per SimpleCNN pooling call. The comparisons are
 * written out rather than called through a helper that returns a mask, for the same reason (see
 * shared/STYLE.md on boxed vectors).
 */
public final class PoolKernels {
    private PoolKernels() {}

    private static final VectorSpecies<Float> S = Vectors.F;
    private static final VectorSpecies<Integer> I = Vectors.I;
    private static final int L = S.length();
    /** Gather offsets of the even and of the odd columns of 2L consecutive floats. */
    private static final int[] EVEN = new int[L], ODD = new int[L];

    static {
        for (int i = 0; i < L; i++) {
            EVEN[i] = 2 * i;
            ODD[i] = 2 * i + 1;
        }
    }

    /**
     * The plane at {@code in} ({@code 2·ho} rows of width {@code w}, w ≥ 2·wo): y[yOff + k] = the maximum of
     * window k, index[iOff + k] = its position in the plane.
     */
    public static void max2x2F(float[] x, int in, int w, int ho, int wo, float[] y, int yOff, int[] index, int iOff, boolean vector) {
        int vecEnd = vector && I.length() == L ? wo / L * L : 0;
        if (vecEnd > 0) Vectors.count();
        IntVector twice = vecEnd > 0 ? IntVector.zero(I).addIndex(2) : null;
        for (int oh = 0; oh < ho; oh++) {
            int r0 = in + 2 * oh * w, r1 = r0 + w, o = oh * wo, pos = 2 * oh * w;
            for (int ow = 0; ow < vecEnd; ow += L) {
                int c = 2 * ow;
                FloatVector a = FloatVector.fromArray(S, x, r0 + c, EVEN, 0), b = FloatVector.fromArray(S, x, r0 + c, ODD, 0);
                FloatVector d = FloatVector.fromArray(S, x, r1 + c, EVEN, 0), e = FloatVector.fromArray(S, x, r1 + c, ODD, 0);
                IntVector at = twice.add(pos + c);
                FloatVector best = a;
                IntVector where = at;
                // A candidate wins where it is greater, or NaN while the best so far is not.
                VectorMask<Float> t = b.compare(VectorOperators.GT, best).or(b.test(VectorOperators.IS_NAN).andNot(best.test(VectorOperators.IS_NAN)));
                best = best.blend(b, t);
                where = where.blend(at.add(1), t.cast(I));
                t = d.compare(VectorOperators.GT, best).or(d.test(VectorOperators.IS_NAN).andNot(best.test(VectorOperators.IS_NAN)));
                best = best.blend(d, t);
                where = where.blend(at.add(w), t.cast(I));
                t = e.compare(VectorOperators.GT, best).or(e.test(VectorOperators.IS_NAN).andNot(best.test(VectorOperators.IS_NAN)));
                best = best.blend(e, t);
                where = where.blend(at.add(w + 1), t.cast(I));
                best.intoArray(y, yOff + o + ow);
                where.intoArray(index, iOff + o + ow);
            }
            for (int ow = vecEnd; ow < wo; ow++) {
                int c = 2 * ow;
                float a = x[r0 + c], b = x[r0 + c + 1], d = x[r1 + c], e = x[r1 + c + 1];
                int best = pos + c;
                float bv = a;
                if (b > bv || (b != b && bv == bv)) {
                    bv = b;
                    best = pos + c + 1;
                }
                if (d > bv || (d != d && bv == bv)) {
                    bv = d;
                    best = pos + w + c;
                }
                if (e > bv || (e != e && bv == bv)) {
                    bv = e;
                    best = pos + w + c + 1;
                }
                y[yOff + o + ow] = bv;
                index[iOff + o + ow] = best;
            }
        }
    }
}
