package dev.descent.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.descent.core.DType;
import dev.descent.core.Parameter;
import dev.descent.core.Storage;
import dev.descent.core.Tensor;
import dev.descent.core.Threads;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The per-element loops of the update rules: Lion's and Rprop's vector loops against their scalar loops, bit for bit
 * (edge values included), and every optimizer's steps on one and on two kernel threads, bit for bit.
 */
class ElementwiseLoopsTest {
    private static Flat flat(float[] a, int offset, int n) {
        return Flat.of(Tensor.wrap(Storage.of(a), offset, new int[] {n}, new int[] {1}));
    }

    /** A value of any kind a rule meets: ordinary, tiny, zero of either sign, huge, subnormal, infinite, NaN. */
    private static float value(SplittableRandom r) {
        return switch (r.nextInt(11)) {
            case 0 -> 0f;
            case 1 -> -0f;
            case 2 -> (float) (r.nextGaussian() * 1e-30);
            case 3 -> (float) (r.nextGaussian() * 1e30);
            case 4 -> Float.MIN_VALUE * r.nextInt(1, 1000) * (r.nextBoolean() ? 1 : -1);
            case 5 -> r.nextInt(50) == 0 ? Float.NaN : r.nextBoolean() ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY;
            default -> (float) r.nextGaussian();
        };
    }

    private static float[][] arrays(SplittableRandom r, int count, int length) {
        float[][] a = new float[count][length];
        for (float[] x : a) for (int i = 0; i < length; i++) x[i] = value(r);
        return a;
    }

    private static float[][] copy(float[][] a) {
        float[][] c = new float[a.length][];
        for (int k = 0; k < a.length; k++) c[k] = a[k].clone();
        return c;
    }

    private static void assertSameBits(float[][] want, float[][] got, String what) {
        for (int k = 0; k < want.length; k++) {
            for (int i = 0; i < want[k].length; i++) {
                assertEquals(Float.floatToRawIntBits(want[k][i]), Float.floatToRawIntBits(got[k][i]),
                        what + ": array " + k + " element " + i + ", want " + want[k][i] + " got " + got[k][i]);
            }
        }
    }

    @Test
    void lionsVectorLoopGivesItsScalarLoopsBits() {
        assumeTrue(Elementwise.VECTOR, "the vector loop does not run on this machine");
        qt().forAll(integers().between(1, 69), integers().between(0, 4), longs().all()).checkAssert((n, off, seed) -> {
            SplittableRandom r = new SplittableRandom(seed);
            float[][] vec = arrays(r, 3, off + n), ref = copy(vec);
            double lr = r.nextBoolean() ? 1e-4 : r.nextDouble(), beta1 = r.nextDouble(), beta2 = r.nextDouble();
            double wd = r.nextBoolean() ? 0 : r.nextDouble(0.1);
            int done = Lion.updateVector(flat(vec[0], off, n), flat(vec[1], off, n), flat(vec[2], off, n), lr, beta1, beta2, wd, 0, n);
            assertTrue(done >= n - 3 && done <= n, "the vector loop stops within a vector of the end: " + done + " of " + n);
            Lion.updateScalar(flat(vec[0], off, n), flat(vec[1], off, n), flat(vec[2], off, n), lr, beta1, beta2, wd, done, n);
            Lion.updateScalar(flat(ref[0], off, n), flat(ref[1], off, n), flat(ref[2], off, n), lr, beta1, beta2, wd, 0, n);
            assertSameBits(ref, vec, "Lion, seed " + seed);
        });
    }

    @Test
    void rpropsVectorLoopGivesItsScalarLoopsBits() {
        assumeTrue(Elementwise.VECTOR, "the vector loop does not run on this machine");
        qt().forAll(integers().between(1, 69), integers().between(0, 4), longs().all()).checkAssert((n, off, seed) -> {
            SplittableRandom r = new SplittableRandom(seed);
            // θ, g, prev, step size; prev often ±g or 0 so that every branch runs.
            float[][] vec = arrays(r, 4, off + n);
            for (int i = 0; i < off + n; i++) {
                switch (r.nextInt(4)) {
                    case 0 -> vec[2][i] = vec[1][i];
                    case 1 -> vec[2][i] = -vec[1][i];
                    case 2 -> vec[2][i] = 0;
                    default -> { }
                }
                vec[3][i] = r.nextInt(10) == 0 ? (r.nextBoolean() ? 0f : Float.MIN_VALUE) : (float) Math.exp(r.nextDouble(-20, 5));
            }
            float[][] ref = copy(vec);
            double etaMinus = r.nextDouble(0.01, 1), etaPlus = r.nextDouble(1, 3);
            double stepMin = r.nextBoolean() ? 0 : Math.exp(r.nextDouble(-20, 0)), stepMax = stepMin + (r.nextBoolean() ? 50 : r.nextDouble());
            int done = Rprop.updateVector(flat(vec[0], off, n), flat(vec[1], off, n), flat(vec[2], off, n), flat(vec[3], off, n), etaMinus, etaPlus,
                    stepMin, stepMax, 0, n);
            assertTrue(done >= n - 3 && done <= n, "the vector loop stops within a vector of the end: " + done + " of " + n);
            Rprop.updateScalar(flat(vec[0], off, n), flat(vec[1], off, n), flat(vec[2], off, n), flat(vec[3], off, n), etaMinus, etaPlus,
                    stepMin, stepMax, done, n);
            Rprop.updateScalar(flat(ref[0], off, n), flat(ref[1], off, n), flat(ref[2], off, n), flat(ref[3], off, n), etaMinus, etaPlus,
                    stepMin, stepMax, 0, n);
            assertSameBits(ref, vec, "Rprop, seed " + seed);
        });
    }

    /**
     * Adafactor's rule as plain serial loops in the order the math reads (row sums along j, column sums along i, Σ θ² and
     * Σ u² in index order, decay, then the step): the reference for the threaded passes, which must give its bits.
     */
    private static void adafactorSerial(double[] theta, boolean float32, double[] grad, int[] shape, double[] row, double[] col, double[] variance,
            double lr, double beta2Decay, double eps1, double eps2, double d, double weightDecay, long t) {
        int numel = theta.length;
        java.util.function.DoubleUnaryOperator store = x -> float32 ? (double) (float) x : x;
        double oneMinusBeta2 = Math.pow(t, beta2Decay), rho = Math.min(lr, 1 / Math.sqrt(t));
        double thetaSq = 0;
        for (double x : theta) thetaSq += x * x;
        double alpha = Math.max(eps2, Math.sqrt(thetaSq) / Math.sqrt(numel)) * rho;
        double[] u = new double[numel];
        if (shape.length >= 2) {
            int m = shape[shape.length - 2], n = shape[shape.length - 1], batches = numel / (m * n);
            for (int b = 0; b < batches; b++) {
                for (int i = 0; i < m; i++) {
                    double sum = 0;
                    for (int j = 0; j < n; j++) sum += grad[(b * m + i) * n + j] * grad[(b * m + i) * n + j];
                    row[b * m + i] = store.applyAsDouble(row[b * m + i] + oneMinusBeta2 * (sum / n - row[b * m + i]));
                }
                for (int j = 0; j < n; j++) {
                    double sum = 0;
                    for (int i = 0; i < m; i++) sum += grad[(b * m + i) * n + j] * grad[(b * m + i) * n + j];
                    col[b * n + j] = store.applyAsDouble(col[b * n + j] + oneMinusBeta2 * (sum / m - col[b * n + j]));
                }
                double rowMean = 0;
                for (int i = 0; i < m; i++) rowMean += row[b * m + i];
                double den = Math.max(rowMean / m, eps1);
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        int e = (b * m + i) * n + j;
                        u[e] = grad[e] / Math.sqrt(Math.max(row[b * m + i] * col[b * n + j] / den, eps1 * eps1));
                    }
                }
            }
        } else {
            for (int i = 0; i < numel; i++) {
                variance[i] = store.applyAsDouble(variance[i] + oneMinusBeta2 * (grad[i] * grad[i] - variance[i]));
                u[i] = grad[i] / Math.sqrt(Math.max(variance[i], eps1 * eps1));
            }
        }
        double uu = 0;
        for (double x : u) uu += x * x;
        double step = alpha / Math.max(1, Math.sqrt(uu) / (Math.sqrt(numel) * d));
        for (int i = 0; i < numel; i++) {
            if (weightDecay != 0) theta[i] = store.applyAsDouble(theta[i] * (1 - lr * weightDecay));
            theta[i] = store.applyAsDouble(theta[i] - step * u[i]);
        }
    }

    @Test
    void adafactorsThreadedPassesGiveTheSerialLoopsBits() {
        // A 3-D tensor whose column blocks start inside a batch, a matrix, a vector; float32 and float64; both thread counts.
        for (int[] shape : List.of(new int[] {12, 70, 90}, new int[] {130, 260}, new int[] {40_003})) {
            for (DType dtype : List.of(DType.FLOAT32, DType.FLOAT64)) {
                for (int threads = 1; threads <= 2; threads++) {
                    try (var _ = Threads.limit(threads)) {
                        SplittableRandom r = new SplittableRandom(5);
                        Tensor th = Tensor.randn(r, shape).to(dtype);
                        int numel = th.numel(), rows = shape.length >= 2 ? numel / shape[shape.length - 1] : 0;
                        int cols = shape.length >= 2 ? numel / shape[shape.length - 2] : 0;
                        Tensor row = Tensor.zeros(dtype, Math.max(rows, 1)), col = Tensor.zeros(dtype, Math.max(cols, 1)), var = Tensor.zeros(dtype, numel);
                        double[] wantTheta = th.toDoubleArray(), wantRow = new double[Math.max(rows, 1)], wantCol = new double[Math.max(cols, 1)];
                        double[] wantVar = new double[numel];
                        double eps1 = dtype == DType.FLOAT32 ? Math.ulp(1f) : Math.ulp(1.0);
                        for (long t = 1; t <= 3; t++) {
                            Tensor g = Tensor.randn(r, shape).to(dtype);
                            Adafactor.update(Flat.of(th), Flat.of(g), shape, shape.length >= 2 ? Flat.of(row) : null, shape.length >= 2 ? Flat.of(col) : null,
                                    shape.length >= 2 ? null : Flat.of(var), 1e-2, -0.8, -1, 1e-3, 1, 0.01, t);
                            adafactorSerial(wantTheta, dtype == DType.FLOAT32, g.toDoubleArray(), shape, wantRow, wantCol, wantVar,
                                    1e-2, -0.8, eps1, 1e-3, 1, 0.01, t);
                        }
                        String what = "Adafactor " + java.util.Arrays.toString(shape) + " " + dtype + " on " + threads + " thread(s)";
                        assertArrayEquals(wantTheta, th.toDoubleArray(), what + ": θ");
                        if (shape.length >= 2) {
                            assertArrayEquals(wantRow, row.toDoubleArray(), what + ": row_var");
                            assertArrayEquals(wantCol, col.toDoubleArray(), what + ": col_var");
                        } else {
                            assertArrayEquals(wantVar, var.toDoubleArray(), what + ": variance");
                        }
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------------ one thread against two

    /** Every optimizer over a vector and a matrix (Muon's, Shampoo's, Adafactor's 2-D path), each long enough for two chunks, the vector's boundary not a multiple of 4. */
    private static Map<String, Function<List<Parameter>, Optimizer>> optimizers() {
        Map<String, Function<List<Parameter>, Optimizer>> m = new LinkedHashMap<>();
        m.put("SGD, Nesterov momentum, weight decay", ps -> new SGD(List.of(ParamGroup.of(ps).with("momentum", 0.9).with("nesterov", true)
                .with("weight_decay", 0.01)), 0.01));
        m.put("Adam, AMSGrad", ps -> new Adam(List.of(ParamGroup.of(ps).with("amsgrad", true)), 1e-2));
        m.put("AdamW", ps -> new AdamW(ps, 1e-2));
        m.put("SteinRuleAdam", ps -> new SteinRuleAdam(ps, 1e-2));
        m.put("RMSprop, centred, momentum", ps -> new RMSprop(List.of(ParamGroup.of(ps).with("centered", true).with("momentum", 0.9)), 1e-2));
        m.put("Adagrad", ps -> new Adagrad(ps, 1e-2));
        m.put("Adamax", ps -> new Adamax(ps, 1e-2));
        m.put("NAdam, decoupled decay", ps -> new NAdam(List.of(ParamGroup.of(ps).with("weight_decay", 0.01).with("decoupled_weight_decay", true)), 1e-2));
        m.put("RAdam", ps -> new RAdam(List.of(ParamGroup.of(ps).with("weight_decay", 0.01)), 1e-2));
        m.put("Adadelta", ps -> new Adadelta(ps, 1.0));
        m.put("Rprop", ps -> new Rprop(ps, 1e-2));
        m.put("Lion, weight decay", ps -> new Lion(List.of(ParamGroup.of(ps).with("weight_decay", 0.1)), 1e-3));
        m.put("ASGD, averaging from step 2", ps -> new ASGD(List.of(ParamGroup.of(ps).with("t0", 2.0)), 1e-2));
        m.put("LAMB", ps -> new LAMB(ps, 1e-2));
        m.put("LARS, momentum", ps -> new LARS(List.of(ParamGroup.of(ps).with("momentum", 0.9)), 1e-2));
        m.put("ClippedSGD", ps -> new ClippedSGD(ps, 1e-2, 1));
        m.put("NormalizedSGD", ps -> new NormalizedSGD(ps, 1e-2));
        m.put("ClippingFramework", ps -> new ClippingFramework(ps, 1e-2, 1, 0.9, 0.5));
        m.put("ProjectedGradientDescent, ball", ps -> new ProjectedGradientDescent(ps, 1e-2, Ball.origin(50)));
        m.put("SAM over SGD", ps -> new SAM(new SGD(List.of(ParamGroup.of(ps).with("momentum", 0.9)), 1e-2)));
        m.put("ScheduleFreeAdamW", ps -> new ScheduleFreeAdamW(List.of(ParamGroup.of(ps).with("warmup_steps", 2.0)), 1e-2));
        m.put("ScheduleFreeSGD", ps -> new ScheduleFreeSGD(ps, 1e-2));
        m.put("Adafactor, weight decay", ps -> new Adafactor(List.of(ParamGroup.of(ps).with("weight_decay", 0.01)), 1e-2));
        m.put("Muon, AdamW for the vector", ps -> new Muon(List.of(ParamGroup.of(ps.subList(1, 2)).with("weight_decay", 0.01),
                ParamGroup.of(ps.subList(0, 1)).with("use_muon", false).with("lr", 1e-3))));
        m.put("Shampoo", ps -> new Shampoo(List.of(ParamGroup.of(ps)), 1e-2));
        m.put("LBFGS", ps -> new LBFGS(ps));
        return m;
    }

    /** θ after three steps on {@code threads} threads; each step's gradient is θ/2 plus fixed noise (of the loss below). */
    private static List<double[]> run(Function<List<Parameter>, Optimizer> build, DType dtype, int threads) {
        try (var _ = Threads.limit(threads)) {
            SplittableRandom r = new SplittableRandom(17);
            List<Parameter> ps = List.of(new Parameter(Tensor.randn(r, 40_003).to(dtype)), new Parameter(Tensor.randn(r, 130, 260).to(dtype)));
            Optimizer opt = build.apply(ps);
            for (int step = 0; step < 3; step++) {
                List<Tensor> noise = new ArrayList<>();
                for (Parameter p : ps) noise.add(Tensor.randn(r, p.shape()).to(dtype));
                Supplier<Tensor> closure = () -> {
                    double loss = 0;
                    for (int k = 0; k < ps.size(); k++) {
                        Parameter p = ps.get(k);
                        double[] th = p.toDoubleArray(), e = noise.get(k).toDoubleArray();
                        for (int i = 0; i < th.length; i++) loss += 0.25 * th[i] * th[i] + e[i] * th[i];
                        p.setGrad(p.detach().mul(0.5).add(noise.get(k)));
                    }
                    return Tensor.of(loss);
                };
                if (opt.requiresClosure()) {
                    opt.step(closure);
                } else {
                    closure.get();
                    opt.step();
                }
            }
            List<double[]> out = new ArrayList<>();
            for (Parameter p : ps) out.add(p.toDoubleArray());
            return out;
        }
    }

    @Test
    void everyOptimizerStepsToTheSameBitsOnOneAndTwoThreads() {
        assumeTrue(Threads.poolSize() >= 2, "one kernel thread: nothing to compare");
        for (DType dtype : List.of(DType.FLOAT32, DType.FLOAT64)) {
            for (var e : optimizers().entrySet()) {
                List<double[]> one = run(e.getValue(), dtype, 1), two = run(e.getValue(), dtype, 2);
                for (int k = 0; k < one.size(); k++) {
                    assertTrue(java.util.Arrays.stream(one.get(k)).allMatch(Double::isFinite), e.getKey() + " " + dtype + ": a non-finite θ");
                    assertArrayEquals(one.get(k), two.get(k), e.getKey() + ", " + dtype + ", parameter " + k + ": 1 and 2 threads differ");
                }
            }
        }
    }
}
