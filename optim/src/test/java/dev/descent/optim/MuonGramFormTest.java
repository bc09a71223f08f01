package dev.descent.optim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Muon's float32 Gram-form Newton–Schulz ({@link Muon#orthogonaliseGram}) against the float64 X-form iteration
 * ({@link Muon#orthogonalise} on float64, which MuonTest holds to the reference loop at 1e-12), on SimpleCNN's shapes
 * (the 128×4096 dense layer, the 64×288 and 32×27 conv weights reshaped, the 10×128 output layer) and on four kinds of
 * input: Gaussian entries, singular values spread log-evenly over 1e-4…1, rank-deficient (a quarter of full rank), and
 * rank 4 plus noise 1e-3 below it. The float32 X form is measured beside it. The Gram form's error (max |O − R| over
 * max |R|) must stay inside 1e-3 where {@link Muon#gramForm} chooses it and inside 2e-3 everywhere, half of bfloat16's
 * ε ≈ 3.9e-3 (the reference runs in bfloat16); it is larger than the float32 X form's (up to about 7e-5), because
 * A₀'s float32 rounding is carried through the steps (with A₀ computed exactly, in float64, the Gram form's error was
 * measured at the X form's level: the rounding of A₀ is the whole difference). It must also stay below the error of
 * the reference's own arithmetic, the X form in bfloat16 (simulated: every tensor rounded to bfloat16 after each
 * operation). Prints the three max-norm and Frobenius relative errors.
 */
class MuonGramFormTest {

    /** Direct timings on one thread (not a test): min over N of Muon.step on SimpleCNN's dense layer, both forms. */
    public static void main(String[] args) {
        var r = new SplittableRandom(5);
        Tensor x = Tensor.of(Quadratic.gaussian(r, 128 * 4096, 0.01), 128, 4096).to(DType.FLOAT32);
        int reps = args.length > 0 ? Integer.parseInt(args[0]) : 40;
        for (int round = 0; round < 3; round++) {
            long bestX = Long.MAX_VALUE, bestG = Long.MAX_VALUE;
            for (int i = 0; i < reps; i++) {
                long t0 = System.nanoTime();
                Muon.orthogonalise(x, 5, 1e-7);
                long t1 = System.nanoTime();
                Muon.orthogonaliseGram(x, 5, 1e-7);
                long t2 = System.nanoTime();
                bestX = Math.min(bestX, t1 - t0);
                bestG = Math.min(bestG, t2 - t1);
            }
            System.out.printf("128×4096 float32, min of %d: X form %.2f ms, Gram form %.2f ms%n", reps, bestX / 1e6, bestG / 1e6);
        }
    }

    /** Rows m×n of an m×m orthogonal matrix times diag(s) times an m×n matrix with orthonormal rows: U·diag(s)·Vᵀ. */
    static double[] withSpectrum(SplittableRandom r, int m, int n, double[] s) {
        double[] u = orthonormalRows(r, m, m), v = orthonormalRows(r, m, n), g = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int k = 0; k < m; k++) {
                double w = u[i * m + k] * s[k];
                if (w == 0) continue;
                for (int j = 0; j < n; j++) g[i * n + j] += w * v[k * n + j];
            }
        }
        return g;
    }

    /** m orthonormal rows of length n ≥ m: Gaussian rows, modified Gram–Schmidt run twice, in float64. */
    static double[] orthonormalRows(SplittableRandom r, int m, int n) {
        double[] q = Quadratic.gaussian(r, m * n, 1);
        for (int pass = 0; pass < 2; pass++) {
            for (int i = 0; i < m; i++) {
                for (int k = 0; k < i; k++) {
                    double d = 0;
                    for (int j = 0; j < n; j++) d += q[i * n + j] * q[k * n + j];
                    for (int j = 0; j < n; j++) q[i * n + j] -= d * q[k * n + j];
                }
                double norm = 0;
                for (int j = 0; j < n; j++) norm += q[i * n + j] * q[i * n + j];
                norm = Math.sqrt(norm);
                for (int j = 0; j < n; j++) q[i * n + j] /= norm;
            }
        }
        return q;
    }

    /** {max |o − ref| / max |ref|, ‖o − ref‖_F / ‖ref‖_F}. */
    static double[] errors(double[] ref, double[] o) {
        double maxDiff = 0, maxRef = 0, diff2 = 0, ref2 = 0;
        for (int i = 0; i < ref.length; i++) {
            double d = o[i] - ref[i];
            maxDiff = Math.max(maxDiff, Math.abs(d));
            maxRef = Math.max(maxRef, Math.abs(ref[i]));
            diff2 += d * d;
            ref2 += ref[i] * ref[i];
        }
        return new double[] {maxDiff / maxRef, Math.sqrt(diff2 / ref2)};
    }

    @Test
    void gramFormFollowsTheFloat64IterationAsCloselyAsTheFloat32XForm() {
        var r = new SplittableRandom(17);
        // [rows, cols] as the optimizer sees them; a tall one goes in transposed, as Muon does
        int[][] shapes = {{128, 4096}, {64, 288}, {32, 27}, {10, 128}};
        String[] kinds = {"gaussian", "log-spread 1e-4..1", "rank m/4", "rank 4 + 1e-3 noise"};
        double worstGram = 0, worstX = 0;
        for (int[] shape : shapes) {
            int m = Math.min(shape[0], shape[1]), n = Math.max(shape[0], shape[1]);
            for (String kind : kinds) {
                double[] g = switch (kind) {
                    case "gaussian" -> Quadratic.gaussian(r, m * n, 0.01);
                    case "log-spread 1e-4..1" -> withSpectrum(r, m, n, spectrum(m, m));
                    case "rank m/4" -> withSpectrum(r, m, n, spectrum(m, Math.max(1, m / 4)));
                    default -> {
                        double[] low = withSpectrum(r, m, n, spectrum(m, 4)), noise = Quadratic.gaussian(r, m * n, 1e-3 / Math.sqrt(n));
                        for (int i = 0; i < low.length; i++) low[i] += noise[i];
                        yield low;
                    }
                };
                Tensor x32 = Tensor.of(g, m, n).to(DType.FLOAT32);
                double[] ref = Muon.orthogonalise(x32.to(DType.FLOAT64), 5, 1e-7).toDoubleArray();
                double[] gram = Muon.orthogonaliseGram(x32, 5, 1e-7).to(DType.FLOAT64).toDoubleArray();
                double[] xForm = Muon.orthogonalise(x32, 5, 1e-7).to(DType.FLOAT64).toDoubleArray();
                double[] eg = errors(ref, gram), ex = errors(ref, xForm), eb = errors(ref, bfloat16XForm(x32.to(DType.FLOAT64).toDoubleArray(), m, n));
                System.out.printf("%d×%d %-22s Gram form: max %.2e, Frobenius %.2e; X form: max %.2e, Frobenius %.2e; bfloat16 X form: max %.2e, Frobenius %.2e%n",
                        m, n, kind, eg[0], eg[1], ex[0], ex[1], eb[0], eb[1]);
                assertTrue(eg[0] < eb[0], m + "×" + n + " " + kind + ": Gram form " + eg[0] + " not below the bfloat16 iteration's " + eb[0]);
                worstGram = Math.max(worstGram, eg[0]);
                worstX = Math.max(worstX, ex[0]);
                assertTrue(eg[0] <= (Muon.gramForm(m, n) ? 1e-3 : 2e-3),
                        m + "×" + n + " " + kind + ": Gram form max relative error " + eg[0] + " (X form " + ex[0] + ")");
            }
        }
        System.out.printf("worst max relative error: Gram form %.2e, float32 X form %.2e%n", worstGram, worstX);
    }

    @Test
    void gramFormHoldsAtEveryScale() {
        // 1/‖X‖ is folded into the m×m side when X·Xᵀ is safely inside float32's range, and X is divided first
        // otherwise: both paths, against the float64 iteration on the same input (Gaussian: the forms agree to ~3e-6).
        var r = new SplittableRandom(23);
        double[] g = Quadratic.gaussian(r, 64 * 1024, 0.01);
        for (double eps : new double[] {1e-7, 0}) {
            for (double scale : new double[] {1e-20, 1e-9, 1, 1e9, 1e18}) {
                double[] scaled = new double[g.length];
                for (int i = 0; i < g.length; i++) scaled[i] = g[i] * scale;
                Tensor x32 = Tensor.of(scaled, 64, 1024).to(DType.FLOAT32);
                double[] ref = Muon.orthogonalise(x32.to(DType.FLOAT64), 5, eps).toDoubleArray();
                double[] e = errors(ref, Muon.orthogonaliseGram(x32, 5, eps).to(DType.FLOAT64).toDoubleArray());
                assertTrue(e[0] <= 1e-4, "scale " + scale + ", eps " + eps + ": Gram form max relative error " + e[0]);
            }
        }
    }

    /** x rounded to bfloat16 (8 significant bits, round to nearest even), element by element. */
    static double[] bf16(double[] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            int bits = Float.floatToRawIntBits((float) x[i]);
            bits = (bits + 0x7FFF + ((bits >>> 16) & 1)) & 0xFFFF0000;
            y[i] = Float.intBitsToFloat(bits);
        }
        return y;
    }

    static double[] product(double[] x, int rows, int inner, double[] y, int cols, boolean transposeY) {
        Tensor ty = transposeY ? Tensor.of(y, cols, inner).t() : Tensor.of(y, inner, cols);
        return Tensor.of(x, rows, inner).matmul(ty).contiguous().toDoubleArray();
    }

    /**
     * The reference's iteration as it runs in bfloat16: every tensor rounded to bfloat16 after each operation, the
     * products accumulated in float64 (standing in for bfloat16 GEMMs' float32 accumulation) and then rounded.
     */
    static double[] bfloat16XForm(double[] g, int m, int n) {
        double[] x = bf16(g);
        double norm = 0;
        for (double v : x) norm += v * v;
        norm = Math.sqrt(norm) + 1e-7;
        for (int i = 0; i < x.length; i++) x[i] /= norm;
        x = bf16(x);
        for (int step = 0; step < 5; step++) {
            double[] a = bf16(product(x, m, n, x, m, true)), aa = bf16(product(a, m, m, a, m, false)), b = new double[m * m];
            double[] ba = new double[m * m], caa = new double[m * m];
            for (int i = 0; i < b.length; i++) {
                ba[i] = Muon.B * a[i];
                caa[i] = Muon.C * aa[i];
            }
            ba = bf16(ba);
            caa = bf16(caa);
            for (int i = 0; i < b.length; i++) b[i] = ba[i] + caa[i];
            b = bf16(b);
            double[] bx = bf16(product(b, m, m, x, n, false)), ax = new double[x.length];
            for (int i = 0; i < x.length; i++) ax[i] = Muon.A * x[i];
            ax = bf16(ax);
            for (int i = 0; i < x.length; i++) x[i] = ax[i] + bx[i];
            x = bf16(x);
        }
        return x;
    }

    /** m singular values: the first {@code rank} log-evenly from 1 down to 1e-4, the rest 0. */
    static double[] spectrum(int m, int rank) {
        double[] s = new double[m];
        for (int i = 0; i < rank; i++) s[i] = rank == 1 ? 1 : Math.pow(10, -4.0 * i / (rank - 1));
        return s;
    }
}
