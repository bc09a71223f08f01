package dev.descent.optim;

import dev.descent.core.DType;
import dev.descent.core.Parameter;
import dev.descent.core.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A convex quadratic f(θ) = ½·θᵀAθ + bᵀθ over a list of parameters viewed as one vector, with its
 * gradient Aθ + b written as plain float64 loops: the test problem whose gradients both the
 * optimizers and the independent references see.
 */
final class Quadratic {
    final int n;
    final double[][] a;
    final double[] b;

    Quadratic(double[][] a, double[] b) {
        this.n = b.length;
        this.a = a;
        this.b = b;
    }

    /** A random well-conditioned quadratic: A = I·lo + QᵀQ·(hi − lo)/n-ish, b ~ N(0, 1). */
    static Quadratic random(SplittableRandom rng, int n, double lo, double hi) {
        double[][] q = new double[n][n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) q[i][j] = rng.nextGaussian() / Math.sqrt(n);
        double[][] a = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int k = 0; k < n; k++) s += q[k][i] * q[k][j];
                a[i][j] = s * (hi - lo) / 4 + (i == j ? lo : 0);
            }
        }
        double[] b = new double[n];
        for (int i = 0; i < n; i++) b[i] = rng.nextGaussian();
        return new Quadratic(a, b);
    }

    /** Aθ + b. */
    double[] grad(double[] theta) {
        double[] g = new double[n];
        for (int i = 0; i < n; i++) {
            double s = b[i];
            for (int j = 0; j < n; j++) s += a[i][j] * theta[j];
            g[i] = s;
        }
        return g;
    }

    /** ½θᵀAθ + bᵀθ. */
    double value(double[] theta) {
        double s = 0;
        double[] at = grad(theta);
        for (int i = 0; i < n; i++) s += 0.5 * (at[i] - b[i]) * theta[i] + b[i] * theta[i];
        return s;
    }

    /** The minimiser −A⁻¹b, by Gaussian elimination. */
    double[] minimiser() {
        double[][] m = new double[n][n + 1];
        for (int i = 0; i < n; i++) {
            System.arraycopy(a[i], 0, m[i], 0, n);
            m[i][n] = -b[i];
        }
        for (int c = 0; c < n; c++) {
            int piv = c;
            for (int r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[piv][c])) piv = r;
            double[] t = m[c];
            m[c] = m[piv];
            m[piv] = t;
            for (int r = 0; r < n; r++) {
                if (r == c) continue;
                double f = m[r][c] / m[c][c];
                for (int k = c; k <= n; k++) m[r][k] -= f * m[c][k];
            }
        }
        double[] x = new double[n];
        for (int i = 0; i < n; i++) x[i] = m[i][n] / m[i][i];
        return x;
    }

    /** Sets each parameter's gradient from the current values of all of them (in list order). */
    void setGrads(List<Parameter> params) {
        double[] g = grad(flat(params));
        int at = 0;
        for (Parameter p : params) {
            double[] part = new double[p.numel()];
            System.arraycopy(g, at, part, 0, part.length);
            at += part.length;
            p.setGrad(Tensor.of(part, p.shape()).to(p.dtype()));
        }
    }

    /** The values of the parameters, concatenated. */
    static double[] flat(List<? extends Tensor> params) {
        int n = 0;
        for (Tensor p : params) n += p.numel();
        double[] out = new double[n];
        int at = 0;
        for (Tensor p : params) {
            double[] v = p.toDoubleArray();
            System.arraycopy(v, 0, out, at, v.length);
            at += v.length;
        }
        return out;
    }

    /** Parameters of the given shapes and dtype holding {@code values} in order. */
    static List<Parameter> params(double[] values, DType dtype, int[]... shapes) {
        List<Parameter> out = new ArrayList<>();
        int at = 0;
        for (int[] shape : shapes) {
            int n = 1;
            for (int d : shape) n *= d;
            double[] part = new double[n];
            System.arraycopy(values, at, part, 0, n);
            at += n;
            out.add(new Parameter("p" + out.size(), Tensor.of(part, shape).to(dtype)));
        }
        if (at != values.length) throw new IllegalArgumentException("shapes cover " + at + " of " + values.length + " values");
        return out;
    }

    /** n standard normal values. */
    static double[] gaussian(SplittableRandom rng, int n, double scale) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = rng.nextGaussian() * scale;
        return v;
    }
}
