package dev.descent.core.check;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.Autograd;
import dev.descent.core.autograd.GradMode;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Checks an op's backward rule against central finite differences, in float64.
 *
 * <p>Floating-point inputs are copied to float64 leaves; other inputs (int64 indices, bool masks)
 * pass through unchanged. In the default mode every entry of the Jacobian is compared: one backward
 * pass per output element against two forward passes per input element. A failure names the op, the
 * output element, the input, the input element, and both values. For large tensors the fast mode
 * compares random projections {@code wᵀ·J·u} instead (a few forward and backward passes in all).
 *
 * <pre>{@code
 * GradCheck.check(t -> t.mul(t).add(t.exp()), Tensor.of(2.0));
 * GradCheck.check("matmul", in -> in[0].matmul(in[1]), a, b);
 * }</pre>
 */
public final class GradCheck {
    private GradCheck() {}

    /**
     * Tolerances and mode. A value passes when |numerical − analytical| ≤ atol + rtol·|numerical|.
     *
     * @param eps the finite-difference step h in (f(x + h) − f(x − h)) / 2h
     * @param atol the absolute tolerance
     * @param rtol the relative tolerance, relative to the numerical value
     * @param fast compare random projections wᵀ·J·u instead of the full Jacobian
     * @param projections how many projections in fast mode (at least one is made)
     * @param seed the seed of the projections' random vectors
     */
    public record Options(double eps, double atol, double rtol, boolean fast, int projections, long seed) {
        /**
         * eps 1e-6, atol 1e-5, rtol 1e-3, full Jacobian: tight enough to catch a wrong rule in float64, loose
         * enough for the truncation error of central differences.
         *
         * @return the default options
         */
        public static Options defaults() {
            return new Options(1e-6, 1e-5, 1e-3, false, 0, 0);
        }

        /**
         * These options with another finite-difference step.
         *
         * @param e the step h
         * @return a copy with {@code eps = e}
         */
        public Options withEps(double e) {
            return new Options(e, atol, rtol, fast, projections, seed);
        }

        /**
         * These options with other tolerances.
         *
         * @param absolute the new atol
         * @param relative the new rtol
         * @return a copy with the given tolerances
         */
        public Options withTolerance(double absolute, double relative) {
            return new Options(eps, absolute, relative, fast, projections, seed);
        }

        /**
         * Random projections instead of the full Jacobian: {@code count} of them, drawn from {@code seed}.
         *
         * @param count the number of projections
         * @param seed the seed of the random vectors w and u
         * @return a copy in fast mode
         */
        public Options withFastMode(int count, long seed) {
            return new Options(eps, atol, rtol, true, count, seed);
        }
    }

    /** Raised when analytical and numerical gradients disagree. */
    public static final class GradCheckFailure extends AssertionError {
        private static final long serialVersionUID = 1L;

        GradCheckFailure(String message) {
            super(message);
        }
    }

    /**
     * Checks a one-input function with default options.
     *
     * @param f the function, written with tensor ops
     * @param input the point to check at (copied to a float64 leaf; not modified)
     * @throws GradCheckFailure naming the output element, the input element and both values when a gradient
     *         is wrong
     * @throws IllegalArgumentException when {@code input} is not floating point
     */
    public static void check(UnaryOperator<Tensor> f, Tensor input) {
        check("function", in -> f.apply(in[0]), input);
    }

    /**
     * Checks {@code f} at {@code inputs} with default options.
     *
     * @param op the name used in failure messages
     * @param f the function of all inputs, written with tensor ops
     * @param inputs the point to check at: floating-point inputs are copied to float64 leaves and checked;
     *        int64 and bool inputs pass through unchanged
     * @throws GradCheckFailure naming the op, the output element, the input and its element, and both values
     *         when a gradient is wrong
     * @throws IllegalArgumentException when no input is floating point
     * @throws IllegalStateException when {@code f} does not return float64 for float64 inputs
     */
    public static void check(String op, Function<Tensor[], Tensor> f, Tensor... inputs) {
        check(Options.defaults(), op, f, inputs);
    }

    /**
     * Checks {@code f} at {@code inputs}: every entry of the Jacobian (two forward passes per input element,
     * one backward pass per output element) or, in fast mode, random projections of it.
     *
     * @param options tolerances and mode
     * @param op the name used in failure messages
     * @param f the function of all inputs, written with tensor ops
     * @param inputs the point to check at: floating-point inputs are copied to float64 leaves and checked;
     *        int64 and bool inputs pass through unchanged
     * @return the largest absolute difference seen between numerical and analytical values
     * @throws GradCheckFailure naming the op, the output element, the input and its element, and both values
     *         when a gradient is wrong
     * @throws IllegalArgumentException when no input is floating point
     * @throws IllegalStateException when {@code f} does not return float64 for float64 inputs (full mode)
     */
    public static double check(Options options, String op, Function<Tensor[], Tensor> f, Tensor... inputs) {
        Tensor[] x = new Tensor[inputs.length];
        List<Integer> diff = new ArrayList<>();
        for (int i = 0; i < inputs.length; i++) {
            if (inputs[i].dtype().isFloatingPoint()) {
                try (var _ = GradMode.noGrad()) {
                    x[i] = inputs[i].detach().to(DType.FLOAT64).clone().requiresGrad(true);
                }
                diff.add(i);
            } else {
                x[i] = inputs[i];
            }
        }
        if (diff.isEmpty()) throw new IllegalArgumentException("GradCheck: '" + op + "' has no floating-point input to check");
        return options.fast() ? checkProjected(options, op, f, x, diff) : checkFull(options, op, f, x, diff);
    }

    private static double checkFull(Options o, String op, Function<Tensor[], Tensor> f, Tensor[] x, List<Integer> diff) {
        Tensor y = f.apply(x);
        if (y.dtype() != DType.FLOAT64) {
            throw new IllegalStateException("GradCheck: '" + op + "' returned " + y.dtype() + " for float64 inputs");
        }
        int outN = y.numel();
        List<Tensor> wrt = new ArrayList<>();
        for (int i : diff) wrt.add(x[i]);
        // analytical[k][input][element] = ∂y_k/∂x
        double[][][] analytical = new double[outN][][];
        for (int k = 0; k < outN; k++) {
            analytical[k] = new double[diff.size()][];
            if (!y.requiresGrad()) {
                for (int j = 0; j < diff.size(); j++) analytical[k][j] = new double[x[diff.get(j)].numel()];
                continue;
            }
            double[] e = new double[outN];
            e[k] = 1;
            List<Tensor> g = Autograd.grad(y, wrt, Tensor.of(e).reshape(y.shape()), false);
            for (int j = 0; j < diff.size(); j++) analytical[k][j] = g.get(j).toDoubleArray();
        }
        double worst = 0;
        for (int j = 0; j < diff.size(); j++) {
            int inputIndex = diff.get(j);
            Tensor xi = x[inputIndex];
            double[] data = xi.storage().doubles();
            for (int e = 0; e < xi.numel(); e++) {
                double saved = data[e];
                double[] plus, minus;
                try (var _ = GradMode.noGrad()) {
                    data[e] = saved + o.eps();
                    plus = f.apply(x).toDoubleArray();
                    data[e] = saved - o.eps();
                    minus = f.apply(x).toDoubleArray();
                } finally {
                    data[e] = saved;
                }
                for (int k = 0; k < outN; k++) {
                    double numerical = (plus[k] - minus[k]) / (2 * o.eps());
                    double a = analytical[k][j][e];
                    double err = Math.abs(numerical - a);
                    if (!(err <= o.atol() + o.rtol() * Math.abs(numerical)) && !(Double.isNaN(numerical) && Double.isNaN(a))) {
                        throw new GradCheckFailure("GradCheck failed for '" + op + "': d(output[" + k + "])/d(input " + inputIndex + "[" + e
                                + "]) numerical " + numerical + " vs analytical " + a + " (|diff| " + err + " > atol " + o.atol() + " + rtol "
                                + o.rtol() + "·|numerical|); input " + inputIndex + " has shape " + dev.descent.core.Shape.format(xi.shape()));
                    }
                    if (err > worst) worst = err;
                }
            }
        }
        return worst;
    }

    private static double checkProjected(Options o, String op, Function<Tensor[], Tensor> f, Tensor[] x, List<Integer> diff) {
        SplittableRandom rng = new SplittableRandom(o.seed());
        double worst = 0;
        for (int p = 0; p < Math.max(1, o.projections()); p++) {
            Tensor y = f.apply(x);
            Tensor w = Tensor.randn(DType.FLOAT64, rng, y.shape());
            List<Tensor> u = new ArrayList<>();
            List<Tensor> wrt = new ArrayList<>();
            for (int i : diff) {
                u.add(Tensor.randn(DType.FLOAT64, rng, x[i].shape()));
                wrt.add(x[i]);
            }
            double analytical = 0;
            if (y.requiresGrad()) {
                List<Tensor> g = Autograd.grad(y, wrt, w, false);
                for (int j = 0; j < diff.size(); j++) analytical += dot(g.get(j).toDoubleArray(), u.get(j).toDoubleArray());
            }
            double plus, minus;
            List<double[]> saved = new ArrayList<>();
            try (var _ = GradMode.noGrad()) {
                for (int j = 0; j < diff.size(); j++) saved.add(x[diff.get(j)].storage().doubles().clone());
                shift(x, diff, u, saved, o.eps());
                plus = dot(f.apply(x).toDoubleArray(), w.toDoubleArray());
                shift(x, diff, u, saved, -o.eps());
                minus = dot(f.apply(x).toDoubleArray(), w.toDoubleArray());
            } finally {
                shift(x, diff, u, saved, 0);
            }
            double numerical = (plus - minus) / (2 * o.eps());
            double err = Math.abs(numerical - analytical);
            if (!(err <= o.atol() + o.rtol() * Math.abs(numerical))) {
                throw new GradCheckFailure("GradCheck (fast mode, projection " + p + ", seed " + o.seed() + ") failed for '" + op + "': wᵀJu numerical "
                        + numerical + " vs analytical " + analytical + " (|diff| " + err + ")");
            }
            worst = Math.max(worst, err);
        }
        return worst;
    }

    private static void shift(Tensor[] x, List<Integer> diff, List<Tensor> u, List<double[]> saved, double eps) {
        for (int j = 0; j < diff.size(); j++) {
            double[] data = x[diff.get(j)].storage().doubles();
            double[] dir = u.get(j).toDoubleArray(), base = saved.get(j);
            for (int e = 0; e < data.length; e++) data[e] = base[e] + eps * dir[e];
        }
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }
}
