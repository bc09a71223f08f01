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
 * masks and blends, no branch on data. Where output rows fill most of a vector, the corners of L windows
 * come from contiguous loads split into even and odd columns by single-vector permutations and a blend;
 * on narrower rows, by four gathers from a table of corners across rows and planes.
 *
 * <p>Not a two-vector {@code rearrange}: on AVX2 that ran in the Vector API's Java fallback and allocated
 * its vectors, about 22 MB per SimpleCNN pooling call. The single-vector rearranges of the row path are
 * compiled to permutations there too (measured with -XX:UseAVX=2: as fast as at the 256-bit width of
 * AVX-512). The comparisons are in a helper that returns nothing, for the same reason (see
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
     * <p>The vector path reads L windows at once: along the rows ({@link #max2x2Rows}) when they fill at least 5/8 of
     * their vectors, else by gathers from a table of window corners over a group of planes whose outputs are a multiple
     * of L, so a plane of 7×7 outputs (Fashion-MNIST's SimpleCNN at 512 bits; narrower than L) is vectorised too,
     * across its rows and planes; the outputs after the last whole vector are then the scalar loop's.
     */
    public static void max2x2F(float[] x, int in, int planeStride, int w, int ho, int wo, int planes, float[] y, int yOff, int[] index, int iOff,
                               boolean vector) {
        int plane = ho * wo, total = planes * plane;
        if (total == 0) return;
        if (vector && I.length() == L && ROWS && 8 * wo >= 5 * ((wo + L - 1) / L * L)) {
            max2x2Rows(x, in, planeStride, w, ho, wo, planes, plane, total, y, yOff, index, iOff);
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
        scalarWindows(x, in, planeStride, w, wo, plane, y, yOff, index, iOff, k, total);
    }

    /** Windows [from, to) of {@link #max2x2F} by the scalar loop. */
    private static void scalarWindows(float[] x, int in, int planeStride, int w, int wo, int plane, float[] y, int yOff, int[] index,
                                      int iOff, int from, int to) {
        for (int k = from; k < to; k++) {
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
     * {@link #max2x2F}'s vector path for planes whose output rows fill at least 5/8 of their vectors: along each output
     * row, L windows from two contiguous vectors of each of their two input rows, split into even and odd columns by one
     * single-vector permutation of each and a blend, instead of four gathers. A row's last vector may run past the row:
     * its extra lanes are junk windows written where the next windows go, which are computed later and overwrite them
     * (the call's very last vector, and one that would read past x, go by the scalar loop). The same values and indices
     * as the scalar loop. Measured (one thread, 128 images, ms a call, rows / gathers): 512 bits 32 channels of 32×32
     * 0.95–1.3 / 4.1–4.6, of 28×28 1.2–1.3 / 3.0–3.3, 64 of 20×20 1.45–1.55 / 3.0–3.2, 64 of 16×16 1.22–1.32 / 1.4–1.8,
     * but 64 of 14×14 (7 windows of 16 lanes) 1.08–1.12 / 0.73–0.74 and 128 of 8×8 2.0 / 0.48; 256 bits 28×28 1.2 / 3.2–3.5,
     * 64 of 14×14 1.0 / 1.2–1.3, 128 of 10×10 1.36–1.45 / 1.45–1.57, but 128 of 8×8 (4 windows of 8 lanes) 1.1 / 0.63.
     * (Masked loads and stores for a row's last windows instead of the junk lanes: 64 of 16×16 at 512 bits 2.9–3.2 ms.)
     */
    private static void max2x2Rows(float[] x, int in, int planeStride, int w, int ho, int wo, int planes, int plane, int total,
                                   float[] y, int yOff, int[] index, int iOff) {
        Vectors.count();
        for (int p = 0; p < planes; p++) {
            for (int oh = 0; oh < ho; oh++) {
                int row = 2 * oh * w, r0 = in + p * planeStride + row, r1 = r0 + w, out = (p * ho + oh) * wo;
                for (int ow = 0; ow < wo; ow += L) {
                    int c0 = r0 + 2 * ow, c1 = r1 + 2 * ow;
                    // A row's last vector may hold windows past its end: their junk goes to the next windows' places,
                    // which come later and overwrite it; but not past the last window of the call, nor reading past x.
                    if (ow + L > wo && (out + ow + L > total || c1 + 2 * L > x.length)) {
                        scalarWindows(x, in, planeStride, w, wo, plane, y, yOff, index, iOff, out + ow, out + wo);
                        break;
                    }
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
