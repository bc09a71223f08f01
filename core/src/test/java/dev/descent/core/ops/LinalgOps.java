package dev.descent.core.ops;

import static dev.descent.core.check.TensorGen.Values.NORMAL;

import dev.descent.core.DType;
import dev.descent.core.Ref;
import dev.descent.core.Ref.Expected;
import dev.descent.core.Shape;
import dev.descent.core.Tensor;
import dev.descent.core.check.TensorGen;
import dev.descent.core.ops.OpRegistry.Case;
import dev.descent.core.ops.OpRegistry.OpInfo;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * Registry entries for {@link Linalg}. Each reference is a different algorithm from the op's, written plainly over
 * double arrays: Gauss–Jordan elimination (solve, inverse), the Leibniz formula (det), Cholesky–Crout on the formed
 * product, modified Gram–Schmidt (qr), the unshifted QR iteration (eigenvalues, singular values), a Taylor series
 * (a matrix function through eigh), products of the input (through svd), and loops over index assignments (einsum).
 *
 * <p>Well-conditioned inputs: square matrices get ±(n + 1) added to the diagonal (diagonally dominant, so invertible
 * with condition number below about 2n + 1); eigh and svd get a small random part (0.25·N(0, 1)) over the
 * diagonal 2, 5, 8, 11, so eigenvalues and singular values stay at least about 1 apart and above 1 (Weyl's inequality),
 * where their gradients are defined and finite differences are accurate.
 */
final class LinalgOps {
    private LinalgOps() {}

    private static final int MAX_N = 4, MAX_DIM = 4;

    static void addTo(List<OpInfo> ops) {
        ops.add(new OpInfo("solve", Set.of("solve"), true, true, (rng, dt, grad) -> {
            int n = 1 + rng.nextInt(MAX_N), k = 1 + rng.nextInt(3);
            int[][] batches = TensorGen.broadcastPair(rng, 2, 2);
            boolean vector = rng.nextInt(4) == 0;
            Tensor a = dominant(rng, dt, batches[0], n);
            // A batch of vectors has exactly one dim fewer than A (torch's rule), so its batch dims are A's.
            // A matrix B with exactly one dim fewer than A would read as a batch of vectors: give it a leading 1.
            int[] bBatch = !vector && batches[1].length == batches[0].length - 1 ? Shape.concat(new int[] {1}, batches[1]) : batches[1];
            Tensor b = TensorGen.tensor(rng, dt, vector ? Shape.concat(batches[0], n) : Shape.concat(bBatch, n, k), NORMAL);
            return new Case("solve A " + OpRegistry.fmt(a.shape()) + " B " + OpRegistry.fmt(b.shape()), new Tensor[] {a, b},
                    in -> Linalg.solve(in[0], in[1]), in -> {
                        Tensor bb = vector ? in[1].unsqueeze(-1) : in[1];
                        int[] batch = Ref.broadcastShape(Arrays.copyOf(in[0].shape(), in[0].dim() - 2), Arrays.copyOf(bb.shape(), bb.dim() - 2));
                        int cols = bb.size(-1);
                        double[] out = new double[numel(batch) * n * cols];
                        for (int m = 0; m < numel(batch); m++) {
                            int[] idx = Ref.unravel(m, batch);
                            double[] x = gaussJordan(matrix(in[0], idx, n, n), matrix(bb, idx, n, cols), n, cols);
                            System.arraycopy(x, 0, out, m * n * cols, n * cols);
                        }
                        return new Expected(vector ? Shape.concat(batch, n) : Shape.concat(batch, n, cols), out);
                    });
        }));
        ops.add(new OpInfo("inverse", Set.of("inverse"), true, true, (rng, dt, grad) -> {
            int n = 1 + rng.nextInt(MAX_N);
            Tensor a = dominant(rng, dt, TensorGen.shape(rng, 0, 2, 2), n);
            return new Case("inverse " + OpRegistry.fmt(a.shape()), new Tensor[] {a}, in -> Linalg.inverse(in[0]),
                    in -> perMatrix(in[0], n, n, (m, rows, cols) -> gaussJordan(m, identity(n), n, n), new int[] {n, n}));
        }));
        ops.add(new OpInfo("det", Set.of("det"), true, true, (rng, dt, grad) -> {
            int n = 1 + rng.nextInt(MAX_N);
            Tensor a = grad ? dominant(rng, dt, TensorGen.shape(rng, 0, 2, 2), n) : TensorGen.tensor(rng, dt, Shape.concat(TensorGen.shape(rng, 0, 2, 2), n, n), NORMAL);
            return new Case("det " + OpRegistry.fmt(a.shape()), new Tensor[] {a}, in -> Linalg.det(in[0]),
                    in -> perMatrix(in[0], n, n, (m, rows, cols) -> new double[] {leibniz(m, n)}, new int[0]));
        }));
        ops.add(new OpInfo("logAbsDet", Set.of("logAbsDet", "slogdet"), true, true, (rng, dt, grad) -> {
            int n = 1 + rng.nextInt(MAX_N);
            Tensor a = dominant(rng, dt, TensorGen.shape(rng, 0, 2, 2), n);
            return new Case("logAbsDet " + OpRegistry.fmt(a.shape()), new Tensor[] {a}, in -> Linalg.logAbsDet(in[0]),
                    in -> perMatrix(in[0], n, n, (m, rows, cols) -> new double[] {Math.log(Math.abs(leibniz(m, n)))}, new int[0]));
        }));
        ops.add(new OpInfo("cholesky", Set.of("cholesky"), true, true, (rng, dt, grad) -> {
            int n = 1 + rng.nextInt(MAX_N);
            Tensor x = TensorGen.tensor(rng, dt, Shape.concat(TensorGen.shape(rng, 0, 2, 2), n, n), NORMAL);
            return new Case("cholesky of X·Xᵀ + n·I, X " + OpRegistry.fmt(x.shape()), new Tensor[] {x},
                    in -> Linalg.cholesky(in[0].matmul(in[0].transpose(-1, -2)).add(Tensor.eye(n, in[0].dtype()).mul(n))),
                    in -> perMatrix(in[0], n, n, (m, rows, cols) -> {
                        double[] spd = new double[n * n];
                        for (int i = 0; i < n; i++) {
                            for (int j = 0; j < n; j++) {
                                double s = i == j ? n : 0;
                                for (int k = 0; k < n; k++) s += m[i * n + k] * m[j * n + k];
                                spd[i * n + j] = s;
                            }
                        }
                        return crout(spd, n);
                    }, new int[] {n, n}));
        }));
        ops.add(new OpInfo("qr", Set.of("qr"), true, true, (rng, dt, grad) -> {
            int n = 1 + rng.nextInt(MAX_N), m = n + rng.nextInt(3);
            int[] batch = TensorGen.shape(rng, 0, 1, 2);
            Tensor a = TensorGen.tensor(rng, DType.FLOAT64, Shape.concat(batch, m, n), NORMAL);
            a = a.add(rectangularDiagonal(m, n, n + 1, 0)).to(dt); // top block diagonally dominant: full column rank, well conditioned
            boolean wantQ = rng.nextBoolean();
            return new Case("qr " + (wantQ ? "Q " : "R ") + OpRegistry.fmt(a.shape()), new Tensor[] {a},
                    in -> wantQ ? Linalg.qr(in[0]).q() : Linalg.qr(in[0]).r(),
                    in -> perMatrix(in[0], m, n, (mat, rows, cols) -> gramSchmidt(mat, m, n, wantQ), wantQ ? new int[] {m, n} : new int[] {n, n}));
        }));
        ops.add(new OpInfo("eigh", Set.of("eigh", "eigvalsh"), true, true, (rng, dt, grad) -> {
            int n = 1 + rng.nextInt(MAX_N);
            Tensor a = spread(rng, dt, TensorGen.shape(rng, 0, 1, 2), n, n);
            boolean values = rng.nextBoolean();
            if (values) {
                return new Case("eigvalsh " + OpRegistry.fmt(a.shape()), new Tensor[] {a}, in -> Linalg.eigvalsh(in[0]),
                        in -> perMatrix(in[0], n, n, (m, rows, cols) -> {
                            double[] sym = symmetricPart(m, n);
                            double[] ev = qrIterationEigenvalues(sym, n);
                            Arrays.sort(ev);
                            return ev;
                        }, new int[] {n}));
            }
            // exp(S/4) = V·diag(exp(λ/4))·Vᵀ: uses the eigenvalues and the eigenvectors; the reference is a Taylor series.
            return new Case("V·diag(exp(λ/4))·Vᵀ " + OpRegistry.fmt(a.shape()), new Tensor[] {a}, in -> {
                Linalg.Eigh e = Linalg.eigh(in[0]);
                return e.eigenvectors().mul(e.eigenvalues().mul(0.25).exp().unsqueeze(-2)).matmul(e.eigenvectors().transpose(-1, -2));
            }, in -> perMatrix(in[0], n, n, (m, rows, cols) -> expm(scale(symmetricPart(m, n), 0.25), n), new int[] {n, n}));
        }));
        ops.add(new OpInfo("svd", Set.of("svd", "svdvals", "matrixNorm"), true, true, (rng, dt, grad) -> {
            int m = 1 + rng.nextInt(MAX_N), n = 1 + rng.nextInt(MAX_N), k = Math.min(m, n);
            Tensor a = spread(rng, dt, TensorGen.shape(rng, 0, 1, 2), m, n);
            int variant = rng.nextInt(4);
            String what = new String[] {"U·diag(S³)·Vh", "svdvals", "matrixNorm nuc", "matrixNorm 2"}[variant];
            return new Case(what + " " + OpRegistry.fmt(a.shape()), new Tensor[] {a}, in -> switch (variant) {
                case 0 -> {
                    Linalg.SVD s = Linalg.svd(in[0]);
                    yield s.u().mul(s.s().mul(s.s()).mul(s.s()).unsqueeze(-2)).matmul(s.vh());
                }
                case 1 -> Linalg.svdvals(in[0]);
                case 2 -> Linalg.matrixNorm(in[0], "nuc");
                default -> Linalg.matrixNorm(in[0], "2");
            }, in -> switch (variant) {
                case 0 -> perMatrix(in[0], m, n, (mat, rows, cols) -> mul(mul(mat, transpose(mat, m, n), m, n, m), mat, m, m, n), new int[] {m, n});
                case 1 -> perMatrix(in[0], m, n, (mat, rows, cols) -> singularValues(mat, m, n), new int[] {k});
                case 2 -> perMatrix(in[0], m, n, (mat, rows, cols) -> new double[] {Arrays.stream(singularValues(mat, m, n)).sum()}, new int[0]);
                default -> perMatrix(in[0], m, n, (mat, rows, cols) -> new double[] {singularValues(mat, m, n)[0]}, new int[0]);
            });
        }));
        ops.add(new OpInfo("diagonal", Set.of("diagonal", "trace"), true, false, (rng, dt, grad) -> {
            int[] shape = TensorGen.shape(rng, 2, 4, MAX_DIM);
            int rows = shape[shape.length - 2], cols = shape[shape.length - 1];
            boolean trace = rng.nextInt(3) == 0;
            int offset = trace ? 0 : -rows + 1 + rng.nextInt(rows + cols - 1);
            Tensor a = TensorGen.tensor(rng, dt, shape, NORMAL);
            int len = Math.max(0, offset >= 0 ? Math.min(rows, cols - offset) : Math.min(rows + offset, cols));
            int[] batch = Arrays.copyOf(shape, shape.length - 2);
            return new Case((trace ? "trace " : "diagonal " + offset + " ") + OpRegistry.fmt(shape), new Tensor[] {a},
                    in -> trace ? Linalg.trace(in[0]) : Linalg.diagonal(in[0], offset), in -> trace
                            ? Ref.build(batch, c -> {
                                double s = 0;
                                for (int i = 0; i < Math.min(rows, cols); i++) s += in[0].get(Shape.concat(c, i, i));
                                return s;
                            })
                            : Ref.build(Shape.concat(batch, len), c -> {
                                int i = c[c.length - 1];
                                int[] at = Arrays.copyOf(c, c.length + 1);
                                at[c.length - 1] = i + Math.max(0, -offset);
                                at[c.length] = i + Math.max(0, offset);
                                return in[0].get(at);
                            }));
        }));
        ops.add(new OpInfo("diagEmbed", Set.of("diagEmbed", "diag"), true, false, (rng, dt, grad) -> {
            int rows = 1 + rng.nextInt(MAX_DIM), cols = 1 + rng.nextInt(MAX_DIM), offset = -rows + 1 + rng.nextInt(rows + cols - 1);
            int len = Math.max(0, offset >= 0 ? Math.min(rows, cols - offset) : Math.min(rows + offset, cols));
            boolean viaDiag = rng.nextInt(3) == 0;
            int[] batch = viaDiag ? new int[0] : TensorGen.shape(rng, 0, 2, 3);
            Tensor v = TensorGen.tensor(rng, dt, Shape.concat(batch, viaDiag ? len : len), NORMAL);
            if (viaDiag) {
                return new Case("diag of a vector " + len, new Tensor[] {v}, in -> Linalg.diag(in[0]),
                        in -> Ref.build(new int[] {len, len}, c -> c[0] == c[1] ? in[0].get(c[0]) : 0));
            }
            return new Case("diagEmbed " + OpRegistry.fmt(v.shape()) + " into " + rows + "×" + cols + " offset " + offset, new Tensor[] {v},
                    in -> Linalg.diagEmbed(in[0], offset, rows, cols), in -> Ref.build(Shape.concat(batch, rows, cols), c -> {
                        int i = c[c.length - 2], j = c[c.length - 1];
                        if (j - i != offset) return 0;
                        int[] at = Arrays.copyOf(c, c.length - 1);
                        at[at.length - 1] = Math.min(i, j);
                        return in[0].get(at);
                    }));
        }));
        ops.add(new OpInfo("outer", Set.of("outer"), true, false, (rng, dt, grad) -> {
            Tensor a = TensorGen.tensor(rng, dt, new int[] {1 + rng.nextInt(MAX_DIM)}, NORMAL), b = TensorGen.tensor(rng, dt, new int[] {1 + rng.nextInt(MAX_DIM)}, NORMAL);
            return new Case("outer " + a.size(0) + "×" + b.size(0), new Tensor[] {a, b}, in -> Linalg.outer(in[0], in[1]),
                    in -> Ref.build(new int[] {a.size(0), b.size(0)}, c -> in[0].get(c[0]) * in[1].get(c[1])));
        }));
        ops.add(new OpInfo("einsum", Set.of("einsum"), true, true, (rng, dt, grad) -> {
            String[] equations = {"ij,jk->ik", "bij,bjk->bik", "i,j->ij", "ij->ji", "ij->", "bij,jk->bik", "ijk,ik->j", "i,i->", "ij,ij->i", "ij,jk",
                "ijk->kj", "ab,cd->dbca", "iaj,jb->ba"};
            String eq = equations[rng.nextInt(equations.length)];
            int[] sizes = new int[128];
            for (char c = 'a'; c <= 'z'; c++) sizes[c] = 1 + rng.nextInt(3);
            String[] ins = eq.split("->")[0].split(",");
            Tensor[] operands = new Tensor[ins.length];
            for (int o = 0; o < ins.length; o++) {
                int[] shape = new int[ins[o].length()];
                for (int i = 0; i < shape.length; i++) shape[i] = sizes[ins[o].charAt(i)];
                operands[o] = TensorGen.tensor(rng, dt, shape, NORMAL);
            }
            return new Case("einsum " + eq, operands, in -> Linalg.einsum(eq, in), in -> einsumReference(eq, in, sizes));
        }));
    }

    // ------------------------------------------------------------ input builders

    /** A batch of diagonally dominant n×n matrices ({@link TensorGen#wellConditioned}). */
    private static Tensor dominant(RandomGenerator rng, DType dt, int[] batch, int n) {
        return TensorGen.wellConditioned(rng, dt, batch, n);
    }

    /** 0.25·N(0, 1) over the rectangular diagonal 2, 5, 8, 11: eigen-/singular values at least about 1 apart and above 1. */
    private static Tensor spread(RandomGenerator rng, DType dt, int[] batch, int m, int n) {
        return TensorGen.tensor(rng, DType.FLOAT64, Shape.concat(batch, m, n), NORMAL).mul(0.25).add(rectangularDiagonal(m, n, 2, 3)).to(dt);
    }

    /** The m×n matrix with first + step·i at (i, i). */
    private static Tensor rectangularDiagonal(int m, int n, double first, double step) {
        double[] d = new double[m * n];
        for (int i = 0; i < Math.min(m, n); i++) d[i * n + i] = first + step * i;
        return Tensor.of(d, m, n);
    }

    // ------------------------------------------------------------ references (plain double arrays)

    @FunctionalInterface
    interface MatrixFn {
        double[] apply(double[] matrix, int rows, int cols);
    }

    /** Applies f to each rows×cols matrix of t's batch; the result has t's batch shape followed by {@code tail}. */
    static Expected perMatrix(Tensor t, int rows, int cols, MatrixFn f, int[] tail) {
        int[] batch = Arrays.copyOf(t.shape(), t.dim() - 2);
        int per = numel(tail);
        double[] out = new double[numel(batch) * per];
        for (int b = 0; b < numel(batch); b++) System.arraycopy(f.apply(matrix(t, Ref.unravel(b, batch), rows, cols), rows, cols), 0, out, b * per, per);
        return new Expected(Shape.concat(batch, tail), out);
    }

    /** The rows×cols matrix of t at batch index idx (broadcast: size-1 batch dims stretch). */
    static double[] matrix(Tensor t, int[] idx, int rows, int cols) {
        int tb = t.dim() - 2;
        double[] m = new double[rows * cols];
        int[] at = new int[t.dim()];
        for (int d = 0; d < tb; d++) at[d] = t.size(d) == 1 ? 0 : idx[idx.length - tb + d];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                at[tb] = i;
                at[tb + 1] = j;
                m[i * cols + j] = t.get(at);
            }
        }
        return m;
    }

    /** X with A·X = B by Gauss–Jordan elimination with partial pivoting on [A | B]. */
    static double[] gaussJordan(double[] a, double[] b, int n, int k) {
        double[][] aug = new double[n][n + k];
        for (int i = 0; i < n; i++) {
            System.arraycopy(a, i * n, aug[i], 0, n);
            System.arraycopy(b, i * k, aug[i], n, k);
        }
        for (int c = 0; c < n; c++) {
            int p = c;
            for (int r = c + 1; r < n; r++) if (Math.abs(aug[r][c]) > Math.abs(aug[p][c])) p = r;
            double[] t = aug[p];
            aug[p] = aug[c];
            aug[c] = t;
            double piv = aug[c][c];
            for (int j = 0; j < n + k; j++) aug[c][j] /= piv;
            for (int r = 0; r < n; r++) {
                if (r == c) continue;
                double f = aug[r][c];
                for (int j = 0; j < n + k; j++) aug[r][j] -= f * aug[c][j];
            }
        }
        double[] x = new double[n * k];
        for (int i = 0; i < n; i++) System.arraycopy(aug[i], n, x, i * k, k);
        return x;
    }

    static double[] identity(int n) {
        double[] e = new double[n * n];
        for (int i = 0; i < n; i++) e[i * n + i] = 1;
        return e;
    }

    /** det A = Σ over permutations σ of sign(σ)·Π a_{i,σ(i)}. */
    static double leibniz(double[] a, int n) {
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) perm[i] = i;
        return permutations(a, n, perm, 0);
    }

    private static double permutations(double[] a, int n, int[] perm, int k) {
        if (k == n) {
            double p = 1;
            for (int i = 0; i < n; i++) p *= a[i * n + perm[i]];
            int inversions = 0;
            for (int i = 0; i < n; i++) for (int j = i + 1; j < n; j++) if (perm[i] > perm[j]) inversions++;
            return inversions % 2 == 0 ? p : -p;
        }
        double s = 0;
        for (int i = k; i < n; i++) {
            int t = perm[k];
            perm[k] = perm[i];
            perm[i] = t;
            s += permutations(a, n, perm, k + 1);
            perm[i] = perm[k];
            perm[k] = t;
        }
        return s;
    }

    /** Cholesky–Crout: L column by column. */
    static double[] crout(double[] a, int n) {
        double[] l = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double s = a[i * n + j];
                for (int k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k];
                l[i * n + j] = i == j ? Math.sqrt(s) : s / l[j * n + j];
            }
        }
        return l;
    }

    /** Modified Gram–Schmidt: Q (m×n) when {@code wantQ}, else R = QᵀA (n×n); R's diagonal is positive by construction. */
    static double[] gramSchmidt(double[] a, int m, int n, boolean wantQ) {
        double[] q = a.clone(), r = new double[n * n];
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < j; i++) {
                double d = 0;
                for (int k = 0; k < m; k++) d += q[k * n + i] * q[k * n + j];
                r[i * n + j] = d;
                for (int k = 0; k < m; k++) q[k * n + j] -= d * q[k * n + i];
            }
            double norm = 0;
            for (int k = 0; k < m; k++) norm += q[k * n + j] * q[k * n + j];
            norm = Math.sqrt(norm);
            r[j * n + j] = norm;
            for (int k = 0; k < m; k++) q[k * n + j] /= norm;
        }
        return wantQ ? q : r;
    }

    static double[] symmetricPart(double[] a, int n) {
        double[] s = new double[n * n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) s[i * n + j] = 0.5 * (a[i * n + j] + a[j * n + i]);
        return s;
    }

    /** Eigenvalues of a symmetric positive-definite matrix with distinct eigenvalues: 3,000 unshifted QR steps, A ← RQ. */
    static double[] qrIterationEigenvalues(double[] s, int n) {
        double[] a = s.clone();
        for (int it = 0; it < 3000; it++) {
            double[] q = gramSchmidt(a, n, n, true), r = gramSchmidt(a, n, n, false);
            a = mul(r, q, n, n, n);
        }
        double[] ev = new double[n];
        for (int i = 0; i < n; i++) ev[i] = a[i * n + i];
        return ev;
    }

    /** Singular values, descending: square roots of the eigenvalues of the smaller of AᵀA and AAᵀ. */
    static double[] singularValues(double[] a, int m, int n) {
        double[] at = transpose(a, m, n);
        double[] g = m >= n ? mul(at, a, n, m, n) : mul(a, at, m, n, m);
        int k = Math.min(m, n);
        double[] ev = qrIterationEigenvalues(g, k);
        for (int i = 0; i < k; i++) ev[i] = Math.sqrt(ev[i]);
        Arrays.sort(ev);
        for (int i = 0; i < k / 2; i++) {
            double t = ev[i];
            ev[i] = ev[k - 1 - i];
            ev[k - 1 - i] = t;
        }
        return ev;
    }

    /** exp(A) by scaling by 2⁻⁶, a 30-term Taylor series, and six squarings. */
    static double[] expm(double[] a, int n) {
        double[] x = scale(a, 1.0 / 64), sum = identity(n), term = identity(n);
        for (int k = 1; k <= 30; k++) {
            term = scale(mul(term, x, n, n, n), 1.0 / k);
            for (int i = 0; i < n * n; i++) sum[i] += term[i];
        }
        for (int i = 0; i < 6; i++) sum = mul(sum, sum, n, n, n);
        return sum;
    }

    static double[] scale(double[] a, double f) {
        double[] r = a.clone();
        for (int i = 0; i < r.length; i++) r[i] *= f;
        return r;
    }

    static double[] mul(double[] a, double[] b, int m, int k, int n) {
        double[] c = new double[m * n];
        for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) {
            double s = 0;
            for (int p = 0; p < k; p++) s += a[i * k + p] * b[p * n + j];
            c[i * n + j] = s;
        }
        return c;
    }

    static double[] transpose(double[] a, int m, int n) {
        double[] t = new double[m * n];
        for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) t[j * m + i] = a[i * n + j];
        return t;
    }

    /** Einstein summation by brute force over every assignment of every index. */
    static Expected einsumReference(String eq, Tensor[] in, int[] sizes) {
        String[] io = eq.split("->", -1);
        String[] ins = io[0].split(",");
        String out;
        if (io.length == 2) {
            out = io[1];
        } else {
            StringBuilder sb = new StringBuilder();
            String all = String.join("", ins);
            for (char c = 'a'; c <= 'z'; c++) if (all.indexOf(c) == all.lastIndexOf(c) && all.indexOf(c) >= 0) sb.append(c);
            out = sb.toString();
        }
        StringBuilder letters = new StringBuilder();
        for (String s : ins) for (char c : s.toCharArray()) if (letters.indexOf("" + c) < 0) letters.append(c);
        int[] outShape = new int[out.length()];
        for (int i = 0; i < outShape.length; i++) outShape[i] = sizes[out.charAt(i)];
        double[] result = new double[numel(outShape)];
        int[] letterShape = new int[letters.length()];
        for (int i = 0; i < letterShape.length; i++) letterShape[i] = sizes[letters.charAt(i)];
        for (int flat = 0; flat < numel(letterShape); flat++) {
            int[] value = Ref.unravel(flat, letterShape);
            double p = 1;
            for (int o = 0; o < ins.length; o++) {
                int[] at = new int[ins[o].length()];
                for (int i = 0; i < at.length; i++) at[i] = value[letters.indexOf("" + ins[o].charAt(i))];
                p *= in[o].get(at);
            }
            int pos = 0;
            for (int i = 0; i < out.length(); i++) pos = pos * outShape[i] + value[letters.indexOf("" + out.charAt(i))];
            result[pos] += p;
        }
        return new Expected(outShape, result);
    }

    static int numel(int[] s) {
        int n = 1;
        for (int d : s) n *= d;
        return n;
    }

}
