package dev.descent.core.ops;

import dev.descent.core.DType;
import dev.descent.core.Shape;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.Autograd;
import dev.descent.core.kernel.SymmetricEigen;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Linear algebra with gradients, the {@code torch.linalg} of Descent: static functions over matrices in the last two
 * dimensions, with any leading batch dimensions ({@code solve} broadcasts them between its operands).
 *
 * <p>Every function reads float32 or float64 tensors, computes each matrix in double precision with a plain,
 * readable algorithm, and returns its result in the input's dtype: LU with partial pivoting ({@link #solve},
 * {@link #inverse}, {@link #det}, {@link #slogdet}), Cholesky–Banachiewicz ({@link #cholesky}), Householder reflections
 * ({@link #qr}), Householder tridiagonalisation and implicit QR steps with Wilkinson shifts ({@link #eigh}), and one-sided
 * Jacobi rotations (Hestenes; {@link #svd},
 * {@link #svdvals}). These are O(n³) like LAPACK's but unblocked and single-threaded per matrix: correct and
 * exact to rounding first; their speed at n = 256 is measured beside numpy in docs/benchmarks.md.
 *
 * <p>Each backward rule is written with differentiable tensor ops (matmul, this class's {@link #solve}, elementwise
 * arithmetic), so gradients of gradients work. The rules, for an upstream gradient Ḡ of each output:
 * <ul>
 *   <li>X = A⁻¹B: Ḡ_B = A⁻ᵀḠ, Ḡ_A = −Ḡ_B Xᵀ. Y = A⁻¹: Ḡ_A = −YᵀḠYᵀ.
 *   <li>det A: Ḡ_A = ḡ·det A·A⁻ᵀ; log|det A|: Ḡ_A = ḡ·A⁻ᵀ.
 *   <li>A = LLᵀ: with P = Φ(LᵀḠ) (lower triangle, diagonal halved), S = L⁻ᵀPL⁻¹, Ḡ_A = ½(S + Sᵀ) (Murray 2016).
 *   <li>A = QR (m ≥ n): with M = RḠ_Rᵀ − Ḡ_QᵀQ, Ḡ_A = (Ḡ_Q + Q·copyltu(M))R⁻ᵀ, copyltu(M) the symmetric matrix with
 *       M's lower triangle (Walter and Lehmann 2018).
 *   <li>A = VΛVᵀ: with F_ij = 1/(λ_j − λ_i) off the diagonal, Ḡ_A = sym(V(diag(ḡ_λ) + F∘(VᵀḠ_V))Vᵀ) (Giles 2008).
 *   <li>A = USVᵀ (reduced): Townsend's (2016) formula, F_ij = 1/(s_j² − s_i²):
 *       Ḡ_A = U[(F∘(UᵀḠ_U − Ḡ_UᵀU))S + diag(ḡ_S) + S(F∘(VᵀḠ_V − Ḡ_VᵀV))]Vᵀ + (I − UUᵀ)Ḡ_US⁻¹Vᵀ + US⁻¹Ḡ_Vᵀ(I − VVᵀ).
 * </ul>
 *
 * <p>Each op's forward-mode (JVP) rule sits beside its backward rule and is its transpose, for a tangent dA of the input:
 * <ul>
 *   <li>X = A⁻¹B: dX = A⁻¹(dB − dA·X). Y = A⁻¹: dY = −Y·dA·Y.
 *   <li>det A: d det = det A·tr(A⁻¹dA); log|det A|: tr(A⁻¹dA).
 *   <li>A = LLᵀ: dL = L·Φ(L⁻¹dA_sL⁻ᵀ), dA_s = ½(dA + dAᵀ) (the backward's gradient is symmetric, so its transpose reads
 *       the symmetric part of the tangent).
 *   <li>A = QR: with C = QᵀdA·R⁻¹ and Ω = tril(C, −1) − tril(C, −1)ᵀ, dR = (C − Ω)R and dQ = dA·R⁻¹ − Q(C − Ω).
 *   <li>A = VΛVᵀ: with M = VᵀdA_sV, dλ = diag(M) and dV = V(F∘M).
 *   <li>A = USVᵀ: with dP = UᵀdA·V, dS = diag(dP), dU = U(F∘(dP·S + S·dPᵀ)) + (I − UUᵀ)dA·V·S⁻¹ and
 *       dV = V(F∘(S·dP + dPᵀS)) + (I − VVᵀ)dAᵀU·S⁻¹.
 * </ul>
 *
 * <p>Degenerate inputs get an {@link IllegalArgumentException} that names the op, the matrix's index in the batch and
 * why, never silent garbage: a matrix singular to working precision in {@code solve}/{@code inverse} (a pivot at most
 * n·2⁻⁵²·max|a_ij|), a matrix that is not positive definite in {@code cholesky}, {@code qr} with fewer rows than columns,
 * and, in backward only, eigenvector gradients at (near-)repeated eigenvalues, singular-vector gradients at repeated
 * or zero singular values, and the gradient of {@code det} at a singular matrix. Eigenvalue and singular-value
 * gradients alone are defined at repeated values and are computed there. In forward mode the same cases give the same
 * error for {@code det} and, for {@code eigh} and {@code svd} (whose eigen-/singular-value tangents stay defined), a
 * NaN tangent of the eigenvectors or singular vectors: the caller may use only the values, so the rule cannot throw.
 *
 * <p>Conventions: {@code eigh} returns eigenvalues in ascending order and {@code svd} singular values in descending
 * order (as PyTorch); each eigenvector (each right singular vector, with its left one) has its largest-magnitude
 * component positive, so results are deterministic. {@code eigh} reads the symmetric part ½(A + Aᵀ) where PyTorch
 * reads one triangle: the two agree on symmetric input, and the gradient here is that of the function computed.
 */
public final class Linalg {
    private Linalg() {}

    /** 2⁻⁵², the spacing of doubles at 1. */
    private static final double EPS = Math.ulp(1.0);

    /**
     * The eigendecomposition of a symmetric matrix.
     *
     * @param eigenvalues  (..., n), ascending
     * @param eigenvectors (..., n, n), orthonormal columns: column i belongs to eigenvalue i
     */
    public record Eigh(Tensor eigenvalues, Tensor eigenvectors) {}

    /**
     * A reduced QR decomposition, A = QR.
     *
     * @param q (..., m, n) with orthonormal columns
     * @param r (..., n, n), upper triangular with a non-negative diagonal
     */
    public record QR(Tensor q, Tensor r) {}

    /**
     * A reduced singular value decomposition, A = U·diag(S)·Vh with k = min(m, n).
     *
     * @param u  (..., m, k), orthonormal columns
     * @param s  (..., k), descending, non-negative
     * @param vh (..., k, n), orthonormal rows (Vᵀ)
     */
    public record SVD(Tensor u, Tensor s, Tensor vh) {}

    /**
     * The sign and the logarithm of the absolute value of a determinant.
     *
     * @param sign      (...): −1, 0 or +1
     * @param logAbsDet (...): log|det A| (−∞ for a singular matrix)
     */
    public record SignLogDet(Tensor sign, Tensor logAbsDet) {}

    // ------------------------------------------------------------------ solve, inverse, det

    /**
     * The solution X of AX = B, as {@code torch.linalg.solve}. B is a batch of matrices (..., n, k), or of vectors
     * (..., n) when it has one dimension fewer than A; batch dimensions broadcast.
     *
     * @param a square matrices (..., n, n)
     * @param b right-hand sides (..., n, k) or (..., n)
     * @return X, of B's shape with broadcast batch dimensions
     * @throws IllegalArgumentException for non-square A, mismatched sizes (both shapes named), or a singular A
     */
    public static Tensor solve(Tensor a, Tensor b) {
        requireSquare("solve", a);
        if (b.dim() == a.dim() - 1) return solve(a, b.unsqueeze(-1)).squeeze(-1);
        if (b.dim() < 2) throw new IllegalArgumentException("solve: B needs 1 or more dims and one fewer than A's for vectors; shapes " + shapes(a, b));
        int n = a.size(-1);
        if (b.size(-2) != n) throw new IllegalArgumentException("solve: A is n×n with n = " + n + " but B has " + b.size(-2) + " rows; shapes " + shapes(a, b));
        DType dt = floatType("solve", a, b);
        int[] batch = Shape.broadcast("solve (batch dims)", batchOf(a), batchOf(b));
        int k = b.size(-1);
        Tensor ae = a.to(dt).expand(Shape.concat(batch, n, n)), be = b.to(dt).expand(Shape.concat(batch, n, k));
        double[] av = values(ae), bv = values(be);
        int count = Shape.numel(batch);
        double[] x = new double[count * n * k];
        for (int m = 0; m < count; m++) {
            double[] lu = Arrays.copyOfRange(av, m * n * n, (m + 1) * n * n);
            int[] perm = new int[n];
            luDecompose(lu, n, perm, "solve", m, true);
            luSolve(lu, n, perm, bv, m * n * k, k, x, m * n * k);
        }
        Tensor out = make(x, dt, Shape.concat(batch, n, k));
        return Autograd.record("solve", out, g -> {
            Tensor gb = solve(ae.transpose(-1, -2), g);
            return new Tensor[] {gb.matmul(out.transpose(-1, -2)).neg(), gb};
        }, t -> solve(ae, Tangents.sum(out.shape(), t[1], t[0] == null ? null : t[0].matmul(out).neg())), ae, be); // dX = A⁻¹(dB − dA·X)
    }

    /**
     * The inverse A⁻¹, as {@code torch.linalg.inv}.
     *
     * @param a square matrices (..., n, n)
     * @return A⁻¹, same shape
     * @throws IllegalArgumentException for a non-square or singular matrix
     */
    public static Tensor inverse(Tensor a) {
        requireSquare("inverse", a);
        DType dt = floatType("inverse", a);
        int n = a.size(-1), count = Shape.numel(batchOf(a));
        double[] av = values(a), y = new double[av.length], eye = new double[n * n];
        for (int i = 0; i < n; i++) eye[i * n + i] = 1;
        for (int m = 0; m < count; m++) {
            double[] lu = Arrays.copyOfRange(av, m * n * n, (m + 1) * n * n);
            int[] perm = new int[n];
            luDecompose(lu, n, perm, "inverse", m, true);
            luSolve(lu, n, perm, eye, 0, n, y, m * n * n);
        }
        Tensor out = make(y, dt, a.shape());
        return Autograd.record("inverse", out, g -> {
            Tensor yt = out.transpose(-1, -2);
            return new Tensor[] {yt.matmul(g).matmul(yt).neg()};
        }, t -> out.matmul(t[0]).matmul(out).neg(), a); // dY = −Y·dA·Y
    }

    /**
     * The determinant, as {@code torch.linalg.det}. Its gradient is ḡ·det A·A⁻ᵀ; at a singular matrix backward throws.
     *
     * @param a square matrices (..., n, n)
     * @return det A, of shape (...)
     */
    public static Tensor det(Tensor a) {
        requireSquare("det", a);
        DType dt = floatType("det", a);
        int n = a.size(-1);
        int[] batch = batchOf(a);
        double[] av = values(a), d = new double[Shape.numel(batch)];
        for (int m = 0; m < d.length; m++) d[m] = luDeterminant(Arrays.copyOfRange(av, m * n * n, (m + 1) * n * n), n, m)[0];
        Tensor out = make(d, dt, batch);
        return Autograd.record("det", out, g -> {
            for (int m = 0; m < d.length; m++) {
                if (d[m] == 0) throw new IllegalArgumentException("det backward: matrix " + m + " of the batch is singular; the gradient det·A⁻ᵀ is undefined there");
            }
            return new Tensor[] {g.mul(out).unsqueeze(-1).unsqueeze(-1).mul(inverse(a).transpose(-1, -2))};
        }, t -> {
            for (int m = 0; m < d.length; m++) {
                if (d[m] == 0) throw new IllegalArgumentException("det forward mode: matrix " + m + " of the batch is singular; the tangent det·tr(A⁻¹dA) is undefined there");
            }
            return out.mul(traceOfInverseTimes(a, t[0])); // d det = det·tr(A⁻¹dA)
        }, a);
    }

    /**
     * The sign and log-absolute-value of the determinant, as {@code torch.linalg.slogdet}: stable where det over- or
     * underflows. The gradient flows through {@code logAbsDet} only: ḡ·A⁻ᵀ.
     *
     * @param a square matrices (..., n, n)
     * @return the sign and log|det A|, each of shape (...)
     */
    public static SignLogDet slogdet(Tensor a) {
        requireSquare("slogdet", a);
        DType dt = floatType("slogdet", a);
        int n = a.size(-1);
        int[] batch = batchOf(a);
        double[] av = values(a), sign = new double[Shape.numel(batch)], log = new double[sign.length];
        for (int m = 0; m < sign.length; m++) {
            double[] r = luDeterminant(Arrays.copyOfRange(av, m * n * n, (m + 1) * n * n), n, m);
            sign[m] = r[1];
            log[m] = r[2];
        }
        Tensor out = make(log, dt, batch);
        Tensor logAbs = Autograd.record("slogdet", out, g -> new Tensor[] {g.unsqueeze(-1).unsqueeze(-1).mul(inverse(a).transpose(-1, -2))},
                t -> traceOfInverseTimes(a, t[0]), a); // d log|det A| = tr(A⁻¹dA)
        return new SignLogDet(make(sign, dt, batch), logAbs);
    }

    /**
     * log|det A| alone ({@link #slogdet}'s second result), for callers who need only it.
     *
     * @param a square matrices (..., n, n)
     * @return log|det A|, of shape (...)
     */
    public static Tensor logAbsDet(Tensor a) {
        return slogdet(a).logAbsDet();
    }

    // ------------------------------------------------------------------ cholesky, qr

    /**
     * The lower-triangular Cholesky factor L with A = LLᵀ, as {@code torch.linalg.cholesky}. Reads the lower triangle.
     *
     * @param a symmetric positive-definite matrices (..., n, n)
     * @return L, same shape
     * @throws IllegalArgumentException when a matrix is not positive definite (its failing leading minor named)
     */
    public static Tensor cholesky(Tensor a) {
        requireSquare("cholesky", a);
        DType dt = floatType("cholesky", a);
        int n = a.size(-1), count = Shape.numel(batchOf(a));
        double[] av = values(a), l = new double[av.length];
        for (int m = 0; m < count; m++) {
            int o = m * n * n;
            for (int j = 0; j < n; j++) {
                double s = av[o + j * n + j];
                for (int k = 0; k < j; k++) s -= l[o + j * n + k] * l[o + j * n + k];
                if (!(s > 0)) {
                    throw new IllegalArgumentException("cholesky: matrix " + m + " of the batch is not positive definite (its leading minor of order " + (j + 1)
                            + " is not positive)");
                }
                double d = Math.sqrt(s);
                l[o + j * n + j] = d;
                for (int i = j + 1; i < n; i++) {
                    double t = av[o + i * n + j];
                    for (int k = 0; k < j; k++) t -= l[o + i * n + k] * l[o + j * n + k];
                    l[o + i * n + j] = t / d;
                }
            }
        }
        Tensor out = make(l, dt, a.shape());
        return Autograd.record("cholesky", out, g -> {
            Tensor lt = out.transpose(-1, -2);
            Tensor p = lt.matmul(g).mul(phiMask(n, dt));
            Tensor x = solve(lt, p);                                     // L⁻ᵀP
            Tensor s = solve(lt, x.transpose(-1, -2)).transpose(-1, -2);  // L⁻ᵀPL⁻¹
            return new Tensor[] {s.add(s.transpose(-1, -2)).mul(0.5)};
        }, t -> {
            // dL = L·Φ(L⁻¹·dA_s·L⁻ᵀ), dA_s = ½(dA + dAᵀ): the rule the backward above is the transpose of
            Tensor x = solve(out, symmetricPart(t[0]));                            // L⁻¹dA_s
            Tensor inner = solve(out, x.transpose(-1, -2)).transpose(-1, -2);     // L⁻¹dA_sL⁻ᵀ
            return out.matmul(inner.mul(phiMask(n, dt)));
        }, a);
    }

    /**
     * The reduced QR decomposition A = QR by Householder reflections, as {@code torch.linalg.qr(mode='reduced')} for
     * m ≥ n, with R's diagonal made non-negative (which makes the factors unique for full-rank A).
     *
     * @param a matrices (..., m, n) with m ≥ n
     * @return Q (..., m, n) and R (..., n, n)
     * @throws IllegalArgumentException when m &lt; n
     */
    public static QR qr(Tensor a) {
        requireMatrix("qr", a);
        DType dt = floatType("qr", a);
        int m = a.size(-2), n = a.size(-1);
        if (m < n) throw new IllegalArgumentException("qr: needs at least as many rows as columns (m ≥ n), got shape " + Shape.format(a.shape()));
        int[] batch = batchOf(a);
        int count = Shape.numel(batch);
        double[] av = values(a), q = new double[count * m * n], r = new double[count * n * n];
        for (int b = 0; b < count; b++) householder(av, b * m * n, m, n, q, b * m * n, r, b * n * n);
        Tensor[] outs = recordMulti("qr", dt, batch, new double[][] {q, r}, new int[][] {{m, n}, {n, n}}, (outputs, grads) -> {
            Tensor qq = outputs[0], rr = outputs[1], gq = grads[0], gr = grads[1];
            Tensor mm = rr.matmul(gr.transpose(-1, -2)).sub(gq.transpose(-1, -2).matmul(qq));
            Tensor lower = mm.mul(strictLowerMask(n, dt));
            Tensor copyltu = lower.add(lower.transpose(-1, -2)).add(mm.mul(Tensor.eye(n, dt)));
            Tensor z = gq.add(qq.matmul(copyltu));
            return new Tensor[] {solve(rr, z.transpose(-1, -2)).transpose(-1, -2)}; // Z R⁻ᵀ
        }, (outputs, da) -> {
            // dA = dQ·R + Q·dR with QᵀdQ = Ω antisymmetric and dR·R⁻¹ upper triangular: C = Qᵀ·dA·R⁻¹ splits into
            // Ω = tril(C, −1) − tril(C, −1)ᵀ and dR·R⁻¹ = C − Ω; then dR = (C − Ω)·R and dQ = dA·R⁻¹ − Q·(C − Ω).
            Tensor qq = outputs[0], rr = outputs[1];
            Tensor daRinv = solve(rr.transpose(-1, -2), da.transpose(-1, -2)).transpose(-1, -2); // dA·R⁻¹
            Tensor c = qq.transpose(-1, -2).matmul(daRinv);
            Tensor lower = c.mul(strictLowerMask(n, dt));
            Tensor upper = c.sub(lower.sub(lower.transpose(-1, -2)));                           // C − Ω
            return new Tensor[] {daRinv.sub(qq.matmul(upper)), upper.matmul(rr)};
        }, a);
        return new QR(outs[0], outs[1]);
    }

    // ------------------------------------------------------------------ eigh, svd

    /**
     * The eigenvalues and eigenvectors of the symmetric part ½(A + Aᵀ), as {@code torch.linalg.eigh}.
     *
     * @param a square matrices (..., n, n)
     * @return ascending eigenvalues (..., n) and eigenvectors (..., n, n) as columns
     */
    public static Eigh eigh(Tensor a) {
        requireSquare("eigh", a);
        DType dt = floatType("eigh", a);
        int n = a.size(-1);
        int[] batch = batchOf(a);
        int count = Shape.numel(batch);
        double[] av = values(a), lam = new double[count * n], vec = new double[count * n * n];
        for (int b = 0; b < count; b++) symmetricEigen(av, b * n * n, n, lam, b * n, vec, b * n * n);
        Tensor[] outs = recordMulti("eigh", dt, batch, new double[][] {lam, vec}, new int[][] {{n}, {n, n}}, (outputs, grads) -> {
            Tensor l = outputs[0], v = outputs[1], gl = grads[0], gv = grads[1];
            Tensor inner = Tensor.eye(n, dt).mul(gl.unsqueeze(-2));
            if (anyNonZero(gv)) {
                requireGaps("eigh backward: eigenvector gradients", lam, n, false);
                inner = inner.add(gapMatrix(l, n, dt).mul(v.transpose(-1, -2).matmul(gv)));
            }
            Tensor ga = v.matmul(inner).matmul(v.transpose(-1, -2));
            return new Tensor[] {ga.add(ga.transpose(-1, -2)).mul(0.5)};
        }, (outputs, da) -> {
            // With M = Vᵀ·dA_s·V (dA_s = ½(dA + dAᵀ), the symmetric part eigh reads): dλ = diag(M), dV = V·(F∘M).
            Tensor l = outputs[0], v = outputs[1];
            Tensor mm = v.transpose(-1, -2).matmul(symmetricPart(da)).matmul(v);
            Tensor dl = mm.mul(Tensor.eye(n, dt)).sum(-1);
            Tensor dv = gapProblem("", lam, n, false) == null ? v.matmul(gapMatrix(l, n, dt).mul(mm)) : nans(v); // undefined at repeated eigenvalues
            return new Tensor[] {dl, dv};
        }, a);
        return new Eigh(outs[0], outs[1]);
    }

    /**
     * The eigenvalues of {@link #eigh} alone, ascending; their gradient is defined at repeated eigenvalues.
     *
     * @param a square matrices (..., n, n)
     * @return eigenvalues (..., n)
     */
    public static Tensor eigvalsh(Tensor a) {
        return eigh(a).eigenvalues();
    }

    /**
     * The reduced singular value decomposition, as {@code torch.linalg.svd(full_matrices=False)}.
     *
     * @param a matrices (..., m, n)
     * @return U (..., m, k), S (..., k) descending, Vh (..., k, n), k = min(m, n)
     */
    public static SVD svd(Tensor a) {
        requireMatrix("svd", a);
        DType dt = floatType("svd", a);
        int m = a.size(-2), n = a.size(-1), k = Math.min(m, n);
        int[] batch = batchOf(a);
        int count = Shape.numel(batch);
        double[] av = values(a), u = new double[count * m * k], s = new double[count * k], vh = new double[count * k * n];
        for (int b = 0; b < count; b++) jacobiSvd(av, b * m * n, m, n, u, b * m * k, s, b * k, vh, b * k * n);
        Tensor[] outs = recordMulti("svd", dt, batch, new double[][] {u, s, vh}, new int[][] {{m, k}, {k}, {k, n}}, (outputs, grads) -> {
            Tensor uu = outputs[0], ss = outputs[1], vv = outputs[2].transpose(-1, -2), gu = grads[0], gs = grads[1], gv = grads[2].transpose(-1, -2);
            Tensor eyeK = Tensor.eye(k, dt);
            Tensor sMat = eyeK.mul(ss.unsqueeze(-2));
            Tensor inner = eyeK.mul(gs.unsqueeze(-2));
            Tensor ga;
            boolean needU = anyNonZero(gu), needV = anyNonZero(gv);
            if (needU || needV) requireGaps("svd backward: singular-vector gradients", s, k, true);
            if (needU || needV) {
                Tensor f = gapMatrix(ss.mul(ss), k, dt);
                Tensor sInv = eyeK.mul(Tensor.onesLike(ss).div(ss).unsqueeze(-2));
                if (needU) {
                    Tensor ut = uu.transpose(-1, -2).matmul(gu);
                    inner = inner.add(f.mul(ut.sub(ut.transpose(-1, -2))).matmul(sMat));
                }
                if (needV) {
                    Tensor vt = vv.transpose(-1, -2).matmul(gv);
                    inner = inner.add(sMat.matmul(f.mul(vt.sub(vt.transpose(-1, -2)))));
                }
                ga = uu.matmul(inner).matmul(vv.transpose(-1, -2));
                if (needU && m > k) {
                    Tensor proj = Tensor.eye(m, dt).sub(uu.matmul(uu.transpose(-1, -2)));
                    ga = ga.add(proj.matmul(gu).matmul(sInv).matmul(vv.transpose(-1, -2)));
                }
                if (needV && n > k) {
                    Tensor proj = Tensor.eye(n, dt).sub(vv.matmul(vv.transpose(-1, -2)));
                    ga = ga.add(uu.matmul(sInv).matmul(gv.transpose(-1, -2)).matmul(proj));
                }
            } else {
                ga = uu.matmul(inner).matmul(vv.transpose(-1, -2));
            }
            return new Tensor[] {ga};
        }, (outputs, da) -> {
            // Townsend (2016), forward: with dP = Uᵀ·dA·V and F as above, dS = diag(dP),
            // dU = U(F∘(dP·S + S·dPᵀ)) + (I − UUᵀ)·dA·V·S⁻¹, dV = V(F∘(S·dP + dPᵀ·S)) + (I − VVᵀ)·dAᵀ·U·S⁻¹.
            Tensor uu = outputs[0], ss = outputs[1], vv = outputs[2].transpose(-1, -2);
            Tensor eyeK = Tensor.eye(k, dt);
            Tensor dp = uu.transpose(-1, -2).matmul(da).matmul(vv);
            Tensor ds = dp.mul(eyeK).sum(-1);
            if (gapProblem("", s, k, true) != null) return new Tensor[] {nans(uu), ds, nans(outputs[2])}; // undefined at repeated or zero values
            Tensor sMat = eyeK.mul(ss.unsqueeze(-2));
            Tensor sInv = eyeK.mul(Tensor.onesLike(ss).div(ss).unsqueeze(-2));
            Tensor f = gapMatrix(ss.mul(ss), k, dt);
            Tensor du = uu.matmul(f.mul(dp.matmul(sMat).add(sMat.matmul(dp.transpose(-1, -2)))));
            Tensor dv = vv.matmul(f.mul(sMat.matmul(dp).add(dp.transpose(-1, -2).matmul(sMat))));
            if (m > k) du = du.add(da.sub(uu.matmul(uu.transpose(-1, -2)).matmul(da)).matmul(vv).matmul(sInv));
            if (n > k) {
                Tensor dat = da.transpose(-1, -2);
                dv = dv.add(dat.sub(vv.matmul(vv.transpose(-1, -2)).matmul(dat)).matmul(uu).matmul(sInv));
            }
            return new Tensor[] {du, ds, dv.transpose(-1, -2)};
        }, a);
        return new SVD(outs[0], outs[1], outs[2]);
    }

    /**
     * The singular values alone, descending, as {@code torch.linalg.svdvals}; their gradient U·diag(ḡ)·Vᵀ is defined
     * at repeated singular values.
     *
     * @param a matrices (..., m, n)
     * @return S (..., min(m, n))
     */
    public static Tensor svdvals(Tensor a) {
        return svd(a).s();
    }

    /**
     * A matrix norm, as {@code torch.linalg.matrix_norm}: {@code "fro"} (Frobenius), {@code "nuc"} (nuclear: the sum of
     * the singular values) or {@code "2"} (spectral: the largest singular value).
     *
     * @param a   matrices (..., m, n)
     * @param ord "fro", "nuc" or "2"
     * @return the norms, of shape (...)
     * @throws IllegalArgumentException for another {@code ord}
     */
    public static Tensor matrixNorm(Tensor a, String ord) {
        requireMatrix("matrixNorm", a);
        return switch (ord) {
            case "fro" -> a.mul(a).sum(-1).sum(-1).sqrt();
            case "nuc" -> svdvals(a).sum(-1);
            case "2" -> svdvals(a).narrow(-1, 0, 1).squeeze(-1);
            default -> throw new IllegalArgumentException("matrixNorm: ord must be \"fro\", \"nuc\" or \"2\", was \"" + ord + "\"");
        };
    }

    // ------------------------------------------------------------------ trace, diagonal, outer, einsum

    /**
     * The diagonal of the last two dimensions, as {@code torch.diagonal(a, 0, -2, -1)}; {@code offset} &gt; 0 above it,
     * &lt; 0 below. Backward places the gradient back on that diagonal ({@link #diagEmbed}).
     *
     * @param a      a tensor of rank ≥ 2
     * @param offset which diagonal
     * @return (..., length of that diagonal)
     */
    public static Tensor diagonal(Tensor a, int offset) {
        requireMatrix("diagonal", a);
        int rows = a.size(-2), cols = a.size(-1);
        int len = Math.max(0, offset >= 0 ? Math.min(rows, cols - offset) : Math.min(rows + offset, cols));
        int r0 = Math.max(0, -offset), c0 = Math.max(0, offset);
        int[] st = a.strides();
        int[] shape = Shape.concat(batchOf(a), len);
        int[] strides = Arrays.copyOf(st, shape.length);
        strides[shape.length - 1] = st[st.length - 2] + st[st.length - 1];
        Tensor view = Tensor.wrap(a.storage(), a.storageOffset() + (len == 0 ? 0 : r0 * st[st.length - 2] + c0 * st[st.length - 1]), shape, strides);
        Tensor out = view.contiguous().detach();
        return Autograd.record("diagonal", out, g -> new Tensor[] {diagEmbed(g, offset, rows, cols)}, t -> diagonal(t[0], offset), a);
    }

    /**
     * The inverse of {@link #diagonal}: a zero tensor (..., rows, cols) with {@code v} on diagonal {@code offset}.
     *
     * @param v      the diagonals (..., len)
     * @param offset which diagonal
     * @param rows   rows of the result
     * @param cols   columns of the result
     * @return the matrices
     */
    public static Tensor diagEmbed(Tensor v, int offset, int rows, int cols) {
        if (v.dim() < 1) throw new IllegalArgumentException("diagEmbed: needs at least 1 dim, got shape " + Shape.format(v.shape()));
        int len = Math.max(0, offset >= 0 ? Math.min(rows, cols - offset) : Math.min(rows + offset, cols));
        if (v.size(-1) != len) {
            throw new IllegalArgumentException("diagEmbed: diagonal " + offset + " of a " + rows + "×" + cols + " matrix has " + len + " entries, got shape "
                    + Shape.format(v.shape()));
        }
        int[] batch = Arrays.copyOf(v.shape(), v.dim() - 1);
        int count = Shape.numel(batch);
        double[] vv = values(v), out = new double[count * rows * cols];
        int r0 = Math.max(0, -offset), c0 = Math.max(0, offset);
        for (int b = 0; b < count; b++) for (int i = 0; i < len; i++) out[b * rows * cols + (r0 + i) * cols + c0 + i] = vv[b * len + i];
        DType dt = v.dtype().isFloatingPoint() ? v.dtype() : DType.FLOAT32;
        Tensor res = make(out, dt, Shape.concat(batch, rows, cols));
        return Autograd.record("diagEmbed", res, g -> new Tensor[] {diagonal(g, offset)}, t -> diagEmbed(t[0], offset, rows, cols), v);
    }

    /**
     * {@code torch.diag}: the diagonal of a matrix as a vector, or a square matrix with a vector on its diagonal.
     *
     * @param a a vector or a matrix
     * @return the matrix or the vector
     */
    public static Tensor diag(Tensor a) {
        if (a.dim() == 1) return diagEmbed(a, 0, a.size(0), a.size(0));
        if (a.dim() == 2) return diagonal(a, 0);
        throw new IllegalArgumentException("diag: needs a vector or a matrix, got shape " + Shape.format(a.shape()));
    }

    /**
     * The trace of each matrix, the sum of its diagonal.
     *
     * @param a matrices (..., n, m)
     * @return (...)
     */
    public static Tensor trace(Tensor a) {
        return diagonal(a, 0).sum(-1);
    }

    /**
     * The outer product of two vectors, a·bᵀ.
     *
     * @param a a vector (m)
     * @param b a vector (n)
     * @return (m, n)
     */
    public static Tensor outer(Tensor a, Tensor b) {
        if (a.dim() != 1 || b.dim() != 1) throw new IllegalArgumentException("outer: needs two vectors, got shapes " + shapes(a, b));
        return a.unsqueeze(1).mul(b.unsqueeze(0));
    }

    /**
     * Einstein summation over one or two operands, as {@code torch.einsum} without ellipses or repeated indices within an
     * operand: {@code "ij,jk->ik"}, {@code "bij,bjk->bik"}, {@code "i,j->ij"}, {@code "ij->ji"}, {@code "ij->"}. An index
     * in both operands and the output is a batch index, one in both operands only is contracted, one in one operand
     * only and not in the output is summed first. The work is a batched matmul over permuted, reshaped operands, so
     * the gradient comes from those ops. Without {@code ->}, the output lists the indices that occur once, sorted.
     *
     * @param equation the subscripts
     * @param operands one or two tensors
     * @return the result
     * @throws IllegalArgumentException for a malformed equation, a size mismatch (both shapes named), or an
     *         unsupported form
     */
    public static Tensor einsum(String equation, Tensor... operands) {
        if (HalfCompute.any(operands)) {
            Tensor[] wide = new Tensor[operands.length];
            for (int i = 0; i < wide.length; i++) wide[i] = HalfCompute.widen(operands[i]);
            return HalfCompute.round(einsum(equation, wide), HalfCompute.storeAs(operands));
        }
        String eq = equation.replace(" ", "");
        String[] io = eq.split("->", -1);
        if (io.length > 2) throw new IllegalArgumentException("einsum: more than one '->' in \"" + equation + "\"");
        String[] ins = io[0].split(",", -1);
        if (ins.length != operands.length || ins.length < 1 || ins.length > 2) {
            throw new IllegalArgumentException("einsum: \"" + equation + "\" names " + ins.length + " operands, got " + operands.length + " (1 or 2 supported)");
        }
        int[] sizes = new int[128];
        Arrays.fill(sizes, -1);
        int[] counts = new int[128];
        for (int o = 0; o < ins.length; o++) {
            String s = ins[o];
            if (s.length() != operands[o].dim()) {
                throw new IllegalArgumentException("einsum: subscripts \"" + s + "\" name " + s.length() + " dims, operand " + o + " has shape "
                        + Shape.format(operands[o].shape()));
            }
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (!Character.isLetter(c) || c >= 128) throw new IllegalArgumentException("einsum: subscripts must be letters, got '" + c + "' in \"" + equation + "\"");
                if (s.indexOf(c) != i) throw new IllegalArgumentException("einsum: repeated index '" + c + "' within one operand (diagonals) is not supported: \"" + equation + "\"");
                int size = operands[o].size(i);
                if (sizes[c] >= 0 && sizes[c] != size) {
                    throw new IllegalArgumentException("einsum: index '" + c + "' has size " + sizes[c] + " and " + size + "; shapes "
                            + (operands.length == 2 ? shapes(operands[0], operands[1]) : Shape.format(operands[0].shape())));
                }
                sizes[c] = size;
                counts[c]++;
            }
        }
        String out;
        if (io.length == 2) {
            out = io[1];
            for (int i = 0; i < out.length(); i++) {
                char c = out.charAt(i);
                if (c >= 128 || sizes[c] < 0) throw new IllegalArgumentException("einsum: output index '" + c + "' is in no operand: \"" + equation + "\"");
                if (out.indexOf(c) != i) throw new IllegalArgumentException("einsum: output index '" + c + "' repeated: \"" + equation + "\"");
            }
        } else {
            StringBuilder sb = new StringBuilder();
            for (char c = 0; c < 128; c++) if (counts[c] == 1) sb.append(c);
            out = sb.toString();
        }
        // Sum away indices that appear in one operand only and not in the output.
        Tensor[] ops = operands.clone();
        String[] subs = ins.clone();
        for (int o = 0; o < ops.length; o++) {
            String other = ops.length == 2 ? subs[1 - o] : "";
            StringBuilder kept = new StringBuilder();
            List<Integer> drop = new ArrayList<>();
            for (int i = 0; i < subs[o].length(); i++) {
                char c = subs[o].charAt(i);
                if (out.indexOf(c) < 0 && other.indexOf(c) < 0) drop.add(i);
                else kept.append(c);
            }
            if (!drop.isEmpty()) {
                ops[o] = ops[o].sum(drop.stream().mapToInt(Integer::intValue).toArray(), false);
                subs[o] = kept.toString();
            }
        }
        if (ops.length == 1) return permuteTo(ops[0], subs[0], out);
        String a = subs[0], b = subs[1];
        StringBuilder batchIdx = new StringBuilder(), aKept = new StringBuilder(), bKept = new StringBuilder(), contracted = new StringBuilder();
        for (char c : a.toCharArray()) {
            boolean inB = b.indexOf(c) >= 0, inOut = out.indexOf(c) >= 0;
            if (inB && inOut) batchIdx.append(c);
            else if (inB) contracted.append(c);
            else aKept.append(c);
        }
        for (char c : b.toCharArray()) if (a.indexOf(c) < 0) bKept.append(c);
        int bs = product(sizes, batchIdx), ms = product(sizes, aKept), ks = product(sizes, contracted), ns = product(sizes, bKept);
        Tensor left = permuteTo(ops[0], a, "" + batchIdx + aKept + contracted).reshape(bs, ms, ks);
        Tensor right = permuteTo(ops[1], b, "" + batchIdx + contracted + bKept).reshape(bs, ks, ns);
        String resultIdx = "" + batchIdx + aKept + bKept;
        int[] resultShape = new int[resultIdx.length()];
        for (int i = 0; i < resultShape.length; i++) resultShape[i] = sizes[resultIdx.charAt(i)];
        return permuteTo(left.matmul(right).reshape(resultShape), resultIdx, out);
    }

    private static int product(int[] sizes, CharSequence idx) {
        int p = 1;
        for (int i = 0; i < idx.length(); i++) p *= sizes[idx.charAt(i)];
        return p;
    }

    /** Permutes t, whose dims are named by {@code from}, into the order {@code to} (the same letters). */
    private static Tensor permuteTo(Tensor t, String from, String to) {
        if (from.equals(to)) return t;
        int[] order = new int[to.length()];
        for (int i = 0; i < order.length; i++) order[i] = from.indexOf(to.charAt(i));
        return t.permute(order);
    }

    // ------------------------------------------------------------------ algorithms (double, one matrix)

    /**
     * LU with partial pivoting of the row-major n×n matrix {@code lu}, in place (L below the diagonal with unit
     * diagonal, U on and above); {@code perm[i]} is the original row now at row i. Returns the permutation's sign, or 0
     * when the matrix is singular to working precision; then throws if {@code strict}.
     */
    private static int luDecompose(double[] lu, int n, int[] perm, String op, int index, boolean strict) {
        double scale = 0;
        for (double v : lu) scale = Math.max(scale, Math.abs(v));
        double tiny = n * EPS * scale;
        int sign = 1;
        for (int i = 0; i < n; i++) perm[i] = i;
        for (int col = 0; col < n; col++) {
            int p = col;
            for (int r = col + 1; r < n; r++) if (Math.abs(lu[r * n + col]) > Math.abs(lu[p * n + col])) p = r;
            if (!(Math.abs(lu[p * n + col]) > tiny)) {
                if (strict) {
                    throw new IllegalArgumentException(op + ": matrix " + index + " of the batch is singular to working precision (no pivot above " + tiny
                            + " in column " + col + ")");
                }
                return 0;
            }
            if (p != col) {
                for (int c = 0; c < n; c++) {
                    double t = lu[p * n + c];
                    lu[p * n + c] = lu[col * n + c];
                    lu[col * n + c] = t;
                }
                int t = perm[p];
                perm[p] = perm[col];
                perm[col] = t;
                sign = -sign;
            }
            double piv = lu[col * n + col];
            for (int r = col + 1; r < n; r++) {
                double f = lu[r * n + col] / piv;
                lu[r * n + col] = f;
                if (f != 0) for (int c = col + 1; c < n; c++) lu[r * n + c] -= f * lu[col * n + c];
            }
        }
        return sign;
    }

    /** Solves LU·X = P·B for k right-hand sides: B at {@code bOff} (n×k row-major), X written at {@code xOff}. */
    private static void luSolve(double[] lu, int n, int[] perm, double[] b, int bOff, int k, double[] x, int xOff) {
        for (int i = 0; i < n; i++) System.arraycopy(b, bOff + perm[i] * k, x, xOff + i * k, k);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < i; j++) {
                double f = lu[i * n + j];
                if (f != 0) for (int c = 0; c < k; c++) x[xOff + i * k + c] -= f * x[xOff + j * k + c];
            }
        }
        for (int i = n - 1; i >= 0; i--) {
            for (int j = i + 1; j < n; j++) {
                double f = lu[i * n + j];
                if (f != 0) for (int c = 0; c < k; c++) x[xOff + i * k + c] -= f * x[xOff + j * k + c];
            }
            double d = lu[i * n + i];
            for (int c = 0; c < k; c++) x[xOff + i * k + c] /= d;
        }
    }

    /** {det, sign, log|det|} of one matrix by exact LU (no singularity threshold: an exact zero pivot gives 0). */
    private static double[] luDeterminant(double[] a, int n, int index) {
        int sign = 1;
        double log = 0;
        for (int col = 0; col < n; col++) {
            int p = col;
            for (int r = col + 1; r < n; r++) if (Math.abs(a[r * n + col]) > Math.abs(a[p * n + col])) p = r;
            double piv = a[p * n + col];
            if (piv == 0) return new double[] {0, 0, Double.NEGATIVE_INFINITY};
            if (p != col) {
                for (int c = 0; c < n; c++) {
                    double t = a[p * n + c];
                    a[p * n + c] = a[col * n + c];
                    a[col * n + c] = t;
                }
                sign = -sign;
            }
            if (piv < 0) sign = -sign;
            log += Math.log(Math.abs(piv));
            for (int r = col + 1; r < n; r++) {
                double f = a[r * n + col] / piv;
                if (f != 0) for (int c = col + 1; c < n; c++) a[r * n + c] -= f * a[col * n + c];
            }
        }
        return new double[] {sign * Math.exp(log), sign, log};
    }

    /** Householder QR of the m×n matrix at a[aOff]: Q (m×n) to q[qOff], R (n×n) to r[rOff], diag(R) ≥ 0. */
    private static void householder(double[] a, int aOff, int m, int n, double[] q, int qOff, double[] r, int rOff) {
        double[] w = Arrays.copyOfRange(a, aOff, aOff + m * n);
        double[][] vs = new double[n][];
        for (int j = 0; j < n; j++) {
            double norm = 0;
            for (int i = j; i < m; i++) norm += w[i * n + j] * w[i * n + j];
            norm = Math.sqrt(norm);
            double[] v = new double[m - j];
            if (norm == 0) {
                vs[j] = v; // a zero column: no reflection
                continue;
            }
            double alpha = w[j * n + j] > 0 ? -norm : norm;
            for (int i = j; i < m; i++) v[i - j] = w[i * n + j];
            v[0] -= alpha;
            double vv = 0;
            for (double x : v) vv += x * x;
            if (vv == 0) {
                vs[j] = new double[m - j];
                continue;
            }
            double inv = 1 / Math.sqrt(vv);
            for (int i = 0; i < v.length; i++) v[i] *= inv;
            vs[j] = v;
            for (int c = j; c < n; c++) {
                double d = 0;
                for (int i = j; i < m; i++) d += v[i - j] * w[i * n + c];
                for (int i = j; i < m; i++) w[i * n + c] -= 2 * d * v[i - j];
            }
        }
        // Q = H_0 H_1 … H_{n−1} applied to the first n columns of the identity.
        double[] qq = new double[m * n];
        for (int i = 0; i < n; i++) qq[i * n + i] = 1;
        for (int j = n - 1; j >= 0; j--) {
            double[] v = vs[j];
            for (int c = 0; c < n; c++) {
                double d = 0;
                for (int i = j; i < m; i++) d += v[i - j] * qq[i * n + c];
                if (d != 0) for (int i = j; i < m; i++) qq[i * n + c] -= 2 * d * v[i - j];
            }
        }
        for (int i = 0; i < n; i++) {
            double s = w[i * n + i] < 0 ? -1 : 1;
            for (int c = 0; c < n; c++) r[rOff + i * n + c] = c >= i ? s * w[i * n + c] : 0;
            for (int row = 0; row < m; row++) q[qOff + row * n + i] = s * qq[row * n + i];
        }
    }

    /**
     * The eigendecomposition of ½(A + Aᵀ) at a[aOff] (n×n): Householder reduction to tridiagonal form T = QᵀSQ, then
     * implicit QR steps with Wilkinson shifts on T (bulge chasing by Givens rotations, accumulated into Q), with deflation
     * where an off-diagonal falls below the rounding of its neighbours. Ascending eigenvalues to lam[lOff], eigenvector
     * columns to vec[vOff]. The algorithm and its vector loops are {@code SymmetricEigen}'s (core.kernel).
     */
    private static void symmetricEigen(double[] a, int aOff, int n, double[] lam, int lOff, double[] vec, int vOff) {
        SymmetricEigen.decompose(a, aOff, n, lam, lOff, vec, vOff);
    }

    /** +1 or −1: the sign that makes column {@code col} of the rows×cols row-major matrix have its largest-magnitude entry positive. */
    private static double largestPositive(double[] m, int col, int rows, int cols) {
        int best = 0;
        for (int k = 1; k < rows; k++) if (Math.abs(m[k * cols + col]) > Math.abs(m[best * cols + col])) best = k;
        return m[best * cols + col] < 0 ? -1 : 1;
    }

    /** One-sided Jacobi SVD of the m×n matrix at a[aOff]: U (m×k), S (k, descending), Vh (k×n), k = min(m, n). */
    private static void jacobiSvd(double[] a, int aOff, int m, int n, double[] u, int uOff, double[] s, int sOff, double[] vh, int vOff) {
        boolean wide = m < n;
        int rows = wide ? n : m, cols = wide ? m : n; // work on W (rows × cols, rows ≥ cols): A, or Aᵀ when wide
        double[] w = new double[rows * cols], v = new double[cols * cols];
        for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) w[i * cols + j] = wide ? a[aOff + j * n + i] : a[aOff + i * n + j];
        for (int i = 0; i < cols; i++) v[i * cols + i] = 1;
        for (int sweep = 0; sweep < 100; sweep++) {
            boolean rotated = false;
            for (int i = 0; i < cols; i++) {
                for (int j = i + 1; j < cols; j++) {
                    double alpha = 0, beta = 0, gamma = 0;
                    for (int k = 0; k < rows; k++) {
                        double wi = w[k * cols + i], wj = w[k * cols + j];
                        alpha += wi * wi;
                        beta += wj * wj;
                        gamma += wi * wj;
                    }
                    if (gamma == 0 || Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta)) continue;
                    rotated = true;
                    double zeta = (beta - alpha) / (2 * gamma);
                    double t = Math.signum(zeta) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
                    if (zeta == 0) t = 1;
                    double c = 1 / Math.sqrt(1 + t * t), sn = c * t;
                    for (int k = 0; k < rows; k++) {
                        double wi = w[k * cols + i], wj = w[k * cols + j];
                        w[k * cols + i] = c * wi - sn * wj;
                        w[k * cols + j] = sn * wi + c * wj;
                    }
                    for (int k = 0; k < cols; k++) {
                        double vi = v[k * cols + i], vj = v[k * cols + j];
                        v[k * cols + i] = c * vi - sn * vj;
                        v[k * cols + j] = sn * vi + c * vj;
                    }
                }
            }
            if (!rotated) break;
        }
        double[] sigma = new double[cols];
        for (int j = 0; j < cols; j++) {
            double t = 0;
            for (int k = 0; k < rows; k++) t += w[k * cols + j] * w[k * cols + j];
            sigma[j] = Math.sqrt(t);
        }
        Integer[] order = new Integer[cols];
        for (int i = 0; i < cols; i++) order[i] = i;
        Arrays.sort(order, (x, y) -> Double.compare(sigma[y], sigma[x]));
        double scale = sigma.length == 0 ? 0 : sigma[order[0]];
        // Left vectors (of W): w_j/σ_j; columns with σ_j at rounding level are completed to an orthonormal set.
        double[] left = new double[rows * cols], right = new double[cols * cols];
        for (int i = 0; i < cols; i++) {
            int src = order[i];
            for (int k = 0; k < cols; k++) right[k * cols + i] = v[k * cols + src];
            if (sigma[src] > rows * EPS * scale && sigma[src] > 0) {
                for (int k = 0; k < rows; k++) left[k * cols + i] = w[k * cols + src] / sigma[src];
            } else {
                completeColumn(left, rows, cols, i);
            }
        }
        for (int i = 0; i < cols; i++) {
            double sign = largestPositive(right, i, cols, cols);
            s[sOff + i] = sigma[order[i]];
            for (int k = 0; k < cols; k++) right[k * cols + i] *= sign;
            for (int k = 0; k < rows; k++) left[k * cols + i] *= sign;
        }
        // A = W (tall) = left·S·rightᵀ; A = Wᵀ (wide) = right·S·leftᵀ.
        int k = cols;
        if (!wide) {
            System.arraycopy(left, 0, u, uOff, m * k);
            for (int i = 0; i < k; i++) for (int j = 0; j < n; j++) vh[vOff + i * n + j] = right[j * cols + i];
        } else {
            System.arraycopy(right, 0, u, uOff, m * k);
            for (int i = 0; i < k; i++) for (int j = 0; j < n; j++) vh[vOff + i * n + j] = left[j * cols + i];
        }
    }

    /** Sets column {@code col} of the rows×cols matrix to a unit vector orthogonal to columns 0..col−1 (Gram–Schmidt on e_0, e_1, …). */
    private static void completeColumn(double[] m, int rows, int cols, int col) {
        for (int e = 0; e < rows; e++) {
            double[] x = new double[rows];
            x[e] = 1;
            for (int pass = 0; pass < 2; pass++) {
                for (int j = 0; j < col; j++) {
                    double d = 0;
                    for (int k = 0; k < rows; k++) d += m[k * cols + j] * x[k];
                    for (int k = 0; k < rows; k++) x[k] -= d * m[k * cols + j];
                }
            }
            double norm = 0;
            for (double t : x) norm += t * t;
            norm = Math.sqrt(norm);
            if (norm > 0.5) {
                for (int k = 0; k < rows; k++) m[k * cols + col] = x[k] / norm;
                return;
            }
        }
    }

    // ------------------------------------------------------------------ backward helpers

    /** F with F_ij = 1/(λ_j − λ_i) off the diagonal and 0 on it, from a differentiable (..., n) tensor; no infinities on the diagonal. */
    private static Tensor gapMatrix(Tensor lam, int n, DType dt) {
        Tensor eye = Tensor.eye(n, dt);
        Tensor d = lam.unsqueeze(-2).sub(lam.unsqueeze(-1)).add(eye); // λ_j − λ_i, 1 on the diagonal
        return Tensor.onesLike(d).div(d).mul(Tensor.ones(dt, n, n).sub(eye));
    }

    /** Throws when two values of a batch entry are closer than the gradient can bear (or, for singular values, one is zero). */
    private static void requireGaps(String what, double[] vals, int n, boolean singular) {
        String problem = gapProblem(what, vals, n, singular);
        if (problem != null) throw new IllegalArgumentException(problem);
    }

    /** Why two values of a batch entry are closer than a derivative can bear (or, for singular values, one is zero), or null. */
    private static String gapProblem(String what, double[] vals, int n, boolean singular) {
        for (int b = 0; b < vals.length / Math.max(1, n); b++) {
            double scale = 0;
            for (int i = 0; i < n; i++) scale = Math.max(scale, Math.abs(vals[b * n + i]));
            double tol = Math.max(1e-300, 1e3 * n * EPS * scale);
            for (int i = 0; i < n; i++) {
                if (singular && vals[b * n + i] <= tol) {
                    return what + " are undefined at a zero singular value (matrix " + b + " of the batch, value " + vals[b * n + i] + ")";
                }
                for (int j = i + 1; j < n; j++) {
                    double gap = Math.abs(vals[b * n + i] - vals[b * n + j]);
                    if (gap <= tol) {
                        return what + " are undefined where two values coincide (matrix " + b + " of the batch: values " + i + " and " + j
                                + " are " + vals[b * n + i] + " and " + vals[b * n + j] + ", gap " + gap + " ≤ " + tol + ")";
                    }
                }
            }
        }
        return null;
    }

    private static boolean anyNonZero(Tensor g) {
        for (double v : values(g)) if (v != 0) return true;
        return false;
    }

    /** The n×n mask of the lower triangle with ½ on the diagonal (Φ of the Cholesky backward). */
    private static Tensor phiMask(int n, DType dt) {
        double[] m = new double[n * n];
        for (int i = 0; i < n; i++) for (int j = 0; j <= i; j++) m[i * n + j] = i == j ? 0.5 : 1;
        return make(m, dt, n, n);
    }

    /** The n×n mask of the strictly lower triangle. */
    private static Tensor strictLowerMask(int n, DType dt) {
        double[] m = new double[n * n];
        for (int i = 0; i < n; i++) for (int j = 0; j < i; j++) m[i * n + j] = 1;
        return make(m, dt, n, n);
    }

    /** ½(X + Xᵀ) over the last two dimensions. */
    private static Tensor symmetricPart(Tensor x) {
        return x.add(x.transpose(-1, -2)).mul(0.5);
    }

    /** tr(A⁻¹·dA) per matrix, written as Σ A⁻ᵀ∘dA like the backward rules' A⁻ᵀ. */
    private static Tensor traceOfInverseTimes(Tensor a, Tensor da) {
        return inverse(a).transpose(-1, -2).mul(da).sum(-1).sum(-1);
    }

    /** A tensor of t's shape and dtype filled with NaN: the documented tangent where a derivative is undefined. */
    private static Tensor nans(Tensor t) {
        return Tensor.full(Double.NaN, t.dtype(), t.shape());
    }

    /** Rule of an op with several outputs: its outputs (as the caller sees them) and their gradients to input gradients. */
    @FunctionalInterface
    private interface MultiBackward {
        Tensor[] apply(Tensor[] outputs, Tensor[] gradients);
    }

    /** Forward-mode rule of an op with several outputs: its outputs' values and its input's tangent to each output's tangent. */
    @FunctionalInterface
    private interface MultiJvp {
        Tensor[] apply(Tensor[] outputs, Tensor inputTangent);
    }

    /**
     * Records an op with several outputs as one node: the outputs are packed side by side along a last dimension, the
     * node is attached to the pack, and each output is a differentiable slice of it. The backward rule receives each
     * output's gradient (zeros for an output the loss does not use). The forward-mode rule gives each output's tangent,
     * packed the same way, from views of the pack (so a tangent can itself be differentiated in reverse mode).
     */
    private static Tensor[] recordMulti(String op, DType dt, int[] batch, double[][] outs, int[][] tails, MultiBackward rule, MultiJvp jvp,
                                        Tensor input) {
        int count = Shape.numel(batch), total = 0;
        int[] sizes = new int[outs.length], offsets = new int[outs.length];
        for (int i = 0; i < outs.length; i++) {
            sizes[i] = Shape.numel(tails[i]);
            offsets[i] = total;
            total += sizes[i];
        }
        double[] packed = new double[count * total];
        for (int b = 0; b < count; b++) for (int i = 0; i < outs.length; i++) System.arraycopy(outs[i], b * sizes[i], packed, b * total + offsets[i], sizes[i]);
        Tensor pack = make(packed, dt, Shape.concat(batch, total));
        Tensor[] views = new Tensor[outs.length];
        Autograd.record(op, pack, g -> {
            Tensor[] gs = new Tensor[outs.length];
            for (int i = 0; i < outs.length; i++) gs[i] = g.narrow(-1, offsets[i], sizes[i]).reshape(Shape.concat(batch, tails[i]));
            return rule.apply(views, gs);
        }, t -> {
            Tensor[] values = new Tensor[outs.length]; // views of the pack, which already holds its node: the tangent is differentiable
            for (int i = 0; i < outs.length; i++) values[i] = pack.narrow(-1, offsets[i], sizes[i]).reshape(Shape.concat(batch, tails[i]));
            Tensor[] tangents = jvp.apply(values, t[0]);
            List<Tensor> flat = new ArrayList<>();
            for (int i = 0; i < outs.length; i++) flat.add(tangents[i].reshape(Shape.concat(batch, sizes[i])));
            return Tensor.cat(flat, batch.length);
        }, input);
        for (int i = 0; i < outs.length; i++) views[i] = pack.narrow(-1, offsets[i], sizes[i]).reshape(Shape.concat(batch, tails[i]));
        return views;
    }

    // ------------------------------------------------------------------ small helpers

    private static void requireMatrix(String op, Tensor a) {
        if (a.dim() < 2) throw new IllegalArgumentException(op + ": needs matrices (at least 2 dims), got shape " + Shape.format(a.shape()));
    }

    private static void requireSquare(String op, Tensor a) {
        requireMatrix(op, a);
        if (a.size(-1) != a.size(-2)) throw new IllegalArgumentException(op + ": needs square matrices, got shape " + Shape.format(a.shape()));
    }

    private static DType floatType(String op, Tensor... ts) {
        DType dt = DType.FLOAT32;
        for (Tensor t : ts) {
            if (!t.dtype().isFloatingPoint()) throw new IllegalArgumentException(op + ": needs float32 or float64 tensors, got " + t.dtype());
            if (t.dtype().isHalf()) throw dev.descent.core.HalfFloats.unsupported(op, t.dtype());
            if (t.dtype() == DType.FLOAT64) dt = DType.FLOAT64;
        }
        return dt;
    }

    private static int[] batchOf(Tensor a) {
        return Arrays.copyOf(a.shape(), a.dim() - 2);
    }


    private static String shapes(Tensor a, Tensor b) {
        return Shape.format(a.shape()) + " and " + Shape.format(b.shape());
    }

    /** The values of t in row-major order as doubles, read without recording. */
    private static double[] values(Tensor t) {
        return t.detach().toDoubleArray();
    }

    private static Tensor make(double[] v, DType dt, int... shape) {
        Tensor t = Tensor.of(v, v.length).reshape(shape);
        return dt == DType.FLOAT64 ? t : t.to(dt);
    }
}
