package dev.descent.core.kernel;

/**
 * Iteration over a contiguous output of a given shape with up to three strided operands (stride 0 on
 * a broadcast dimension). Adjacent dimensions that every operand walks contiguously are merged, so
 * that the innermost row is as long as possible; each row goes to a {@link Row} body, which
 * vectorises when its strides are 1 (or 0, a broadcast scalar). Large outputs are split across the
 * pool at fixed boundaries.
 */
public final class Loops {
    private Loops() {}

    /** Work below this many elements runs on the calling thread. */
    public static final int PARALLEL_GRAIN = 1 << 15;

    /** One innermost row: {@code n} outputs from {@code outOff}, operand k starting at offK with stride sK. */
    @FunctionalInterface
    public interface Row {
        void run(int outOff, int aOff, int aStride, int bOff, int bStride, int cOff, int cStride, int n);
    }

    /**
     * Visits every row of a contiguous output of shape {@code shape}. Operand strides must have the
     * output's rank; pass {@code null} for an absent operand.
     */
    public static void forEachRow(int[] shape, int[] sa, int oa, int[] sb, int ob, int[] sc, int oc, Row body) {
        int rank = shape.length;
        int numel = 1;
        for (int d : shape) numel *= d;
        if (numel == 0) return;
        int[] zero = new int[rank];
        sa = sa == null ? zero : sa;
        sb = sb == null ? zero : sb;
        sc = sc == null ? zero : sc;
        // Coalesce: drop size-1 dims, merge dim i into i+1 when every operand (and the output) is contiguous across them.
        int[] cs = new int[rank], ca = new int[rank], cb = new int[rank], cc = new int[rank];
        int r = 0;
        for (int i = 0; i < rank; i++) {
            if (shape[i] == 1) continue;
            if (r > 0 && ca[r - 1] == sa[i] * shape[i] && cb[r - 1] == sb[i] * shape[i] && cc[r - 1] == sc[i] * shape[i]) {
                cs[r - 1] *= shape[i];
                ca[r - 1] = sa[i];
                cb[r - 1] = sb[i];
                cc[r - 1] = sc[i];
            } else {
                cs[r] = shape[i];
                ca[r] = sa[i];
                cb[r] = sb[i];
                cc[r] = sc[i];
                r++;
            }
        }
        if (r == 0) { // a single element
            body.run(0, oa, 0, ob, 0, oc, 0, 1);
            return;
        }
        final int R = r;
        final int inner = cs[R - 1];
        final int as = ca[R - 1], bs = cb[R - 1], css = cc[R - 1];
        if (R == 1) { // one long row: split it
            final int foa = oa, fob = ob, foc = oc;
            Parallel.forRange(inner, PARALLEL_GRAIN, 64, (from, to) ->
                    body.run(from, foa + from * as, as, fob + from * bs, bs, foc + from * css, css, to - from));
            return;
        }
        int rows = numel / inner;
        final int foa = oa, fob = ob, foc = oc;
        int grainRows = Math.max(1, PARALLEL_GRAIN / inner);
        Parallel.forRange(rows, grainRows, (from, to) -> {
            // Decompose the first row index into outer coordinates, then step an odometer.
            int[] idx = new int[R - 1];
            int rem = from, pa = foa, pb = fob, pc = foc;
            for (int d = R - 2; d >= 0; d--) {
                idx[d] = rem % cs[d];
                rem /= cs[d];
                pa += idx[d] * ca[d];
                pb += idx[d] * cb[d];
                pc += idx[d] * cc[d];
            }
            for (int row = from; row < to; row++) {
                body.run(row * inner, pa, as, pb, bs, pc, css, inner);
                for (int d = R - 2; d >= 0; d--) {
                    if (++idx[d] < cs[d]) {
                        pa += ca[d];
                        pb += cb[d];
                        pc += cc[d];
                        break;
                    }
                    idx[d] = 0;
                    pa -= ca[d] * (cs[d] - 1);
                    pb -= cb[d] * (cs[d] - 1);
                    pc -= cc[d] * (cs[d] - 1);
                }
            }
        });
    }
}
