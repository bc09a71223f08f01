package dev.descent.core.kernel;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Matrix multiply C = A·B (or C += A·B) for strided A and B, BLIS-style for float32.
 *
 * <p>Loops, outermost first: columns of B in blocks of {@link #NC}; depth in blocks of {@link #KC},
 * whose B panel is packed once into {@link #NR}-wide micro-panels and shared by every thread; rows in
 * {@link #MR}-row micro-panels cut across threads at fixed boundaries, each thread packing its own A
 * block of at most {@link #MC} rows; then the register-blocked micro-kernel, which keeps an
 * MR×NR tile of C in 2·MR vector registers and streams packed A and B through FMAs. Because the depth
 * blocking never depends on the thread split, every C element is summed in the same order whatever
 * the thread count: results are bitwise identical across thread counts.
 *
 * <p>Packing reads A and B through arbitrary row and column strides, so transposed operands cost
 * nothing extra. The micro-kernel is one flat method: a helper that took or returned vectors and was
 * not inlined would make the JIT box every vector.
 */
public final class Gemm {
    private Gemm() {}

    private static final VectorSpecies<Float> S = Vectors.F;
    private static final int L = S.length();
    /** Rows of the register tile. */
    public static final int MR = 6;
    /** Columns of the register tile: two vectors. */
    public static final int NR = 2 * L;
    /** Depth of a packed block (A micro-panel + B micro-panel fit in L1). */
    public static final int KC = 256;
    /** Rows of a packed A block (fits in L2); a multiple of MR. */
    public static final int MC = 72;
    /** Columns of a packed B block (fits in L3); a multiple of NR. */
    public static final int NC = 3072;

    private static final ThreadLocal<float[]> A_PACK = ThreadLocal.withInitial(() -> new float[MC * KC]);
    private static final ThreadLocal<float[]> B_PACK = ThreadLocal.withInitial(() -> new float[0]);

    /**
     * C[i*ldc + j] (+)= Σ_p A[i,p]·B[p,j] with A[i,p] = a[ao + i*ars + p*acs], B[p,j] = b[bo + p*brs + j*bcs].
     * C rows are contiguous from {@code co} with leading dimension {@code ldc}.
     */
    public static void sgemm(int m, int n, int k,
                             float[] a, int ao, int ars, int acs,
                             float[] b, int bo, int brs, int bcs,
                             float[] c, int co, int ldc, boolean accumulate) {
        if (m == 0 || n == 0) return;
        if (k == 0 || !Vectors.ENABLED) {
            sgemmReference(m, n, k, a, ao, ars, acs, b, bo, brs, bcs, c, co, ldc, accumulate);
            return;
        }
        Vectors.count();
        for (int jc = 0; jc < n; jc += NC) {
            final int nc = Math.min(NC, n - jc);
            final int nPanels = (nc + NR - 1) / NR;
            for (int pc = 0; pc < k; pc += KC) {
                final int kc = Math.min(KC, k - pc);
                float[] bp = B_PACK.get();
                if (bp.length < nPanels * NR * kc) {
                    bp = new float[nPanels * NR * kc];
                    B_PACK.set(bp);
                }
                final float[] bpack = bp;
                final int fjc = jc, fpc = pc;
                long flopsPerPanel = 2L * NR * kc * MR;
                int packGrain = Math.max(1, (int) (1_000_000 / Math.max(1, (long) NR * kc)));
                Parallel.forRange(nPanels, packGrain, (from, to) -> {
                    for (int jr = from; jr < to; jr++) packB(b, bo, brs, bcs, fpc, kc, fjc + jr * NR, Math.min(NR, nc - jr * NR), bpack, jr * NR * kc);
                });
                final boolean first = pc == 0 && !accumulate;
                int mPanels = (m + MR - 1) / MR;
                int grain = (int) Math.max(1, 4_000_000 / Math.max(1, flopsPerPanel * nPanels));
                Parallel.forRange(mPanels, grain, (from, to) -> {
                    float[] ap = A_PACK.get();
                    for (int ip = from; ip < to; ip += MC / MR) {
                        int panels = Math.min(MC / MR, to - ip);
                        for (int q = 0; q < panels; q++) {
                            int row = (ip + q) * MR;
                            packA(a, ao, ars, acs, row, Math.min(MR, m - row), fpc, kc, ap, q * MR * kc);
                        }
                        for (int jr = 0; jr < nPanels; jr++) {
                            int col = fjc + jr * NR;
                            int nr = Math.min(NR, n - col);
                            for (int q = 0; q < panels; q++) {
                                int row = (ip + q) * MR;
                                int mr = Math.min(MR, m - row);
                                int cOff = co + row * ldc + col;
                                if (mr == MR && nr == NR) {
                                    kernel(kc, ap, q * MR * kc, bpack, jr * NR * kc, c, cOff, ldc, first);
                                } else {
                                    kernelEdge(kc, ap, q * MR * kc, bpack, jr * NR * kc, c, cOff, ldc, first, mr, nr);
                                }
                            }
                        }
                    }
                });
            }
        }
    }

    /** Packs rows [row, row+mr) × depth [pc, pc+kc) of A as kc groups of MR values (zero-padded). */
    private static void packA(float[] a, int ao, int ars, int acs, int row, int mr, int pc, int kc, float[] ap, int apo) {
        int base = ao + row * ars + pc * acs;
        if (mr == MR && acs == 1) {
            for (int i = 0; i < MR; i++) {
                int src = base + i * ars;
                for (int p = 0; p < kc; p++) ap[apo + p * MR + i] = a[src + p];
            }
            return;
        }
        for (int p = 0; p < kc; p++) {
            int dst = apo + p * MR;
            int src = base + p * acs;
            for (int i = 0; i < mr; i++) ap[dst + i] = a[src + i * ars];
            for (int i = mr; i < MR; i++) ap[dst + i] = 0f;
        }
    }

    /** Packs depth [pc, pc+kc) × columns [col, col+nr) of B as kc rows of NR values (zero-padded). */
    private static void packB(float[] b, int bo, int brs, int bcs, int pc, int kc, int col, int nr, float[] bp, int bpo) {
        for (int p = 0; p < kc; p++) {
            int src = bo + (pc + p) * brs + col * bcs;
            int dst = bpo + p * NR;
            if (bcs == 1) {
                System.arraycopy(b, src, bp, dst, nr);
            } else {
                for (int j = 0; j < nr; j++) bp[dst + j] = b[src + j * bcs];
            }
            for (int j = nr; j < NR; j++) bp[dst + j] = 0f;
        }
    }

    /** The 6×(2 vectors) register tile: C tile (+)= Apanel·Bpanel over kc. Flat on purpose. */
    private static void kernel(int kc, float[] ap, int apo, float[] bp, int bpo, float[] c, int co, int ldc, boolean first) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        int pa = apo, pb = bpo;
        for (int p = 0; p < kc; p++, pa += MR, pb += NR) {
            FloatVector b0 = FloatVector.fromArray(S, bp, pb);
            FloatVector b1 = FloatVector.fromArray(S, bp, pb + L);
            FloatVector a0 = FloatVector.broadcast(S, ap[pa]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, ap[pa + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, ap[pa + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, ap[pa + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(S, ap[pa + 4]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(S, ap[pa + 5]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
        }
        if (!first) {
            c00 = c00.add(FloatVector.fromArray(S, c, co));
            c01 = c01.add(FloatVector.fromArray(S, c, co + L));
            c10 = c10.add(FloatVector.fromArray(S, c, co + ldc));
            c11 = c11.add(FloatVector.fromArray(S, c, co + ldc + L));
            c20 = c20.add(FloatVector.fromArray(S, c, co + 2 * ldc));
            c21 = c21.add(FloatVector.fromArray(S, c, co + 2 * ldc + L));
            c30 = c30.add(FloatVector.fromArray(S, c, co + 3 * ldc));
            c31 = c31.add(FloatVector.fromArray(S, c, co + 3 * ldc + L));
            c40 = c40.add(FloatVector.fromArray(S, c, co + 4 * ldc));
            c41 = c41.add(FloatVector.fromArray(S, c, co + 4 * ldc + L));
            c50 = c50.add(FloatVector.fromArray(S, c, co + 5 * ldc));
            c51 = c51.add(FloatVector.fromArray(S, c, co + 5 * ldc + L));
        }
        c00.intoArray(c, co);
        c01.intoArray(c, co + L);
        c10.intoArray(c, co + ldc);
        c11.intoArray(c, co + ldc + L);
        c20.intoArray(c, co + 2 * ldc);
        c21.intoArray(c, co + 2 * ldc + L);
        c30.intoArray(c, co + 3 * ldc);
        c31.intoArray(c, co + 3 * ldc + L);
        c40.intoArray(c, co + 4 * ldc);
        c41.intoArray(c, co + 4 * ldc + L);
        c50.intoArray(c, co + 5 * ldc);
        c51.intoArray(c, co + 5 * ldc + L);
    }

    private static final ThreadLocal<float[]> EDGE = ThreadLocal.withInitial(() -> new float[MR * NR]);

    /** A partial tile (mr < MR or nr < NR): the same sums, in the same order, through a scratch tile. */
    private static void kernelEdge(int kc, float[] ap, int apo, float[] bp, int bpo, float[] c, int co, int ldc,
                                   boolean first, int mr, int nr) {
        float[] t = EDGE.get();
        kernel(kc, ap, apo, bp, bpo, t, 0, NR, true);
        for (int i = 0; i < mr; i++) {
            int ci = co + i * ldc;
            for (int j = 0; j < nr; j++) c[ci + j] = first ? t[i * NR + j] : c[ci + j] + t[i * NR + j];
        }
    }

    /** The scalar reference: plain triple loop in float, summing p in ascending order. */
    public static void sgemmReference(int m, int n, int k,
                                      float[] a, int ao, int ars, int acs,
                                      float[] b, int bo, int brs, int bcs,
                                      float[] c, int co, int ldc, boolean accumulate) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float s = 0;
                for (int p = 0; p < k; p++) s += a[ao + i * ars + p * acs] * b[bo + p * brs + j * bcs];
                int ci = co + i * ldc + j;
                c[ci] = accumulate ? c[ci] + s : s;
            }
        }
    }

    /**
     * Double-precision C (+)= A·B for strided A and B: row-by-row axpy over a contiguous copy of B,
     * vectorised along the columns. float64 serves checking and science, so simplicity wins here.
     */
    public static void dgemm(int m, int n, int k,
                             double[] a, int ao, int ars, int acs,
                             double[] b, int bo, int brs, int bcs,
                             double[] c, int co, int ldc, boolean accumulate) {
        if (m == 0 || n == 0) return;
        double[] bc;
        if (bcs == 1 && brs == n) {
            bc = null;
        } else {
            bc = new double[k * n];
            for (int p = 0; p < k; p++) for (int j = 0; j < n; j++) bc[p * n + j] = b[bo + p * brs + j * bcs];
        }
        final double[] bb = bc == null ? b : bc;
        final int bbo = bc == null ? bo : 0;
        final boolean vector = Vectors.ENABLED;
        if (vector) Vectors.count();
        int grain = (int) Math.max(1, 1_000_000L / Math.max(1, 2L * n * k));
        Parallel.forRange(m, grain, (from, to) -> {
            var DS = Vectors.D;
            int DLn = DS.length();
            for (int i = from; i < to; i++) {
                int ci = co + i * ldc;
                if (!accumulate) java.util.Arrays.fill(c, ci, ci + n, 0d);
                for (int p = 0; p < k; p++) {
                    double aip = a[ao + i * ars + p * acs];
                    int bi = bbo + p * n;
                    int j = 0;
                    if (vector) {
                        DoubleVector va = DoubleVector.broadcast(DS, aip);
                        int upper = DS.loopBound(n);
                        for (; j < upper; j += DLn) {
                            va.fma(DoubleVector.fromArray(DS, bb, bi + j), DoubleVector.fromArray(DS, c, ci + j)).intoArray(c, ci + j);
                        }
                    }
                    for (; j < n; j++) c[ci + j] = Math.fma(aip, bb[bi + j], c[ci + j]);
                }
            }
        });
    }
}
