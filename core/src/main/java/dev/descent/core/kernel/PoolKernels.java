package dev.descent.core.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Max pooling over the common 2×2, stride 2, unpadded window of one float plane: each window's maximum
 * and its position in the plane (the first in window order on ties; a NaN wins over a number, the
 * first NaN over later ones).
 *
 * <p>The scalar loop branches on every comparison, and on real activations those branches are a coin
 * toss: mispredictions, not arithmetic, set its speed. The vector twin compares L windows at once with
 * masks and blends, no branch on data: the four corners of L windows are read with four gathers.
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
    /**
     * Gather tables of a group of planes (see {@link #max2x2F}), kept per geometry: a network's pooling layers each have one,
     * called every step.
     *
     * @param start each output's window's top-left, from the group's first input
     * @param pos   that top-left's position in its own plane
     */
    private record Tables(int[] start, int[] pos) {}

    /** planeStride, w, ho, wo → tables; emptied when it holds more than {@link #MAX_TABLES} geometries. */
    private static final java.util.concurrent.ConcurrentHashMap<java.util.List<Integer>, Tables> TABLES = new java.util.concurrent.ConcurrentHashMap<>();
    private static final int MAX_TABLES = 64;

    /** Outputs of a group: whole planes, a multiple of L outputs when that takes at most L planes of at most 8,192 outputs, else one plane. */
    private static Tables tables(int planeStride, int w, int ho, int wo) {
        java.util.List<Integer> key = java.util.List.of(planeStride, w, ho, wo);
        Tables t = TABLES.get(key);
        if (t != null) return t;
        int plane = ho * wo, planes = L / gcd(plane, L);
        if ((long) planes * plane > 8192) planes = 1;
        int[] start = new int[planes * plane], pos = new int[planes * plane];
        for (int k = 0; k < start.length; k++) {
            int p = k / plane, oh = k % plane / wo, ow = k % wo;
            pos[k] = 2 * oh * w + 2 * ow;
            start[k] = p * planeStride + pos[k];
        }
        if (TABLES.size() >= MAX_TABLES) TABLES.clear();
        TABLES.put(key, t = new Tables(start, pos));
        return t;
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    /**
     * Consecutive planes, the first at {@code in}, each {@code 2·ho} rows of width {@code w} (w ≥ 2·wo), {@code planeStride}
     * floats apart: y[yOff + k] = the maximum of window k (windows numbered plane by plane, row by row), index[iOff + k] =
     * its position in its plane.
     *
     * <p>The vector path reads L windows at once by gathers from a table of window corners over a group of planes whose
     * outputs are a multiple of L, so a plane of 14×14 or 7×7 outputs (Fashion-MNIST's SimpleCNN; narrower than L) is
     * vectorised too, across its rows and planes. The outputs after the last whole vector are the scalar loop's.
     */
    public static void max2x2F(float[] x, int in, int planeStride, int w, int ho, int wo, int planes, float[] y, int yOff, int[] index, int iOff,
                               boolean vector) {
        int plane = ho * wo, total = planes * plane;
        if (total == 0) return;
        if (vector && I.length() == L && ROWS && wo % L == 0) {
            max2x2Rows(x, in, planeStride, w, ho, wo, planes, y, yOff, index, iOff);
            return;
        }
        Tables t = tables(planeStride, w, ho, wo);
        int group = t.start.length, groupPlanes = group / plane;
        int k = 0;
        if (vector && I.length() == L && total >= L) {
            Vectors.count();
            int[] start = t.start, pos = t.pos;
            for (int g = 0; g + L <= total; g += group) {
                int base = in + g / plane * planeStride, end = Math.min(group, total - g) / L * L;
                for (int kk = 0; kk < end; kk += L) {
                    FloatVector a = FloatVector.fromArray(S, x, base, start, kk), b = FloatVector.fromArray(S, x, base + 1, start, kk);
                    FloatVector d = FloatVector.fromArray(S, x, base + w, start, kk), e = FloatVector.fromArray(S, x, base + w + 1, start, kk);
                    winners(a, b, d, e, IntVector.fromArray(I, pos, kk), w, y, yOff + g + kk, index, iOff + g + kk);
                }
                k = g + end;
            }
        }
        for (; k < total; k++) {
            int p = k / plane, oh = k % plane / wo, ow = k % wo;
            int at = 2 * oh * w + 2 * ow, r0 = in + p * planeStride + at, r1 = r0 + w;
            float a = x[r0], b = x[r0 + 1], d = x[r1], e = x[r1 + 1];
            int best = at;
            float bv = a;
            if (b > bv || (b != b && bv == bv)) {
                bv = b;
                best = at + 1;
            }
            if (d > bv || (d != d && bv == bv)) {
                bv = d;
                best = at + w;
            }
            if (e > bv || (e != e && bv == bv)) {
                bv = e;
                best = at + w + 1;
            }
            y[yOff + k] = bv;
            index[iOff + k] = best;
        }
    }

    /** Switch for the measurements: {@code -Ddescent.pool.rows=false} keeps the gathers. */
    private static final boolean ROWS = !"false".equals(System.getProperty("descent.pool.rows"));
    /** Lane i takes lane 2i mod L: the even lanes of a vector in its lower half (and again in its upper). */
    private static final VectorShuffle<Float> EVEN = shuffle(0);
    /** Lane i takes lane 2i + 1 mod L: the odd lanes. */
    private static final VectorShuffle<Float> ODD = shuffle(1);
    /** The upper half of the lanes. */
    private static final VectorMask<Float> UPPER = S.indexInRange(-L / 2, L / 2);
    /** 2i in lane i: the columns of L windows' top-left corners from the first. */
    private static final IntVector TWICE = IntVector.fromArray(I, twice(), 0);

    private static VectorShuffle<Float> shuffle(int phase) {
        int[] lanes = new int[L];
        for (int i = 0; i < L; i++) lanes[i] = (2 * i + phase) % L;
        return VectorShuffle.fromArray(S, lanes, 0);
    }

    private static int[] twice() {
        int[] a = new int[Math.max(L, I.length())];
        for (int i = 0; i < a.length; i++) a[i] = 2 * i;
        return a;
    }

    /**
     * {@link #max2x2F}'s vector path for planes whose output rows are whole vectors: along each output row, L windows
     * from two contiguous vectors of each of their two input rows, split into even and odd columns by one single-vector
     * permutation of each and a blend, instead of four gathers. The same values and indices as the scalar loop. Measured
     * (one thread, 512 bits, 4096 planes of 32×32 → 16×16): 1.24–1.33 against 4.54–4.61 ms by the gathers. Rows that end
     * in a partial vector stay with the gathers: with masked loads and stores for the last windows, 16×16 → 8×8 at 512
     * bits took 2.9–3.2 against 2.1 ms, 28×28 → 14×14 3.8–3.9 against 4.2–4.3.
     */
    private static void max2x2Rows(float[] x, int in, int planeStride, int w, int ho, int wo, int planes, float[] y, int yOff,
                                   int[] index, int iOff) {
        Vectors.count();
        for (int p = 0; p < planes; p++) {
            for (int oh = 0; oh < ho; oh++) {
                int row = 2 * oh * w, r0 = in + p * planeStride + row, r1 = r0 + w, out = (p * ho + oh) * wo;
                for (int ow = 0; ow < wo; ow += L) {
                    int c0 = r0 + 2 * ow, c1 = r1 + 2 * ow;
                    FloatVector u0 = FloatVector.fromArray(S, x, c0), u1 = FloatVector.fromArray(S, x, c0 + L);
                    FloatVector l0 = FloatVector.fromArray(S, x, c1), l1 = FloatVector.fromArray(S, x, c1 + L);
                    FloatVector a = u0.rearrange(EVEN).blend(u1.rearrange(EVEN), UPPER);
                    FloatVector b = u0.rearrange(ODD).blend(u1.rearrange(ODD), UPPER);
                    FloatVector d = l0.rearrange(EVEN).blend(l1.rearrange(EVEN), UPPER);
                    FloatVector e = l0.rearrange(ODD).blend(l1.rearrange(ODD), UPPER);
                    winners(a, b, d, e, TWICE.add(row + 2 * ow), w, y, yOff + out + ow, index, iOff + out + ow);
                }
            }
        }
    }

    /**
     * The L windows whose corners are a (top left, at position at), b (at + 1), d (at + w) and e (at + w + 1): each
     * one's maximum to y[yo + lane] and its position to index[io + lane]. A candidate wins where it is greater, or NaN
     * while the best so far is not. Nothing returned (a returned vector or mask could be boxed where the call is not
     * inlined: shared/STYLE.md).
     */
    private static void winners(FloatVector a, FloatVector b, FloatVector d, FloatVector e, IntVector at, int w,
                                float[] y, int yo, int[] index, int io) {
        FloatVector best = a;
        IntVector where = at;
        VectorMask<Float> m = b.compare(VectorOperators.GT, best).or(b.test(VectorOperators.IS_NAN).andNot(best.test(VectorOperators.IS_NAN)));
        best = best.blend(b, m);
        where = where.blend(at.add(1), m.cast(I));
        m = d.compare(VectorOperators.GT, best).or(d.test(VectorOperators.IS_NAN).andNot(best.test(VectorOperators.IS_NAN)));
        best = best.blend(d, m);
        where = where.blend(at.add(w), m.cast(I));
        m = e.compare(VectorOperators.GT, best).or(e.test(VectorOperators.IS_NAN).andNot(best.test(VectorOperators.IS_NAN)));
        best = best.blend(e, m);
        where = where.blend(at.add(w + 1), m.cast(I));
        best.intoArray(y, yo);
        where.intoArray(index, io);
    }
}
