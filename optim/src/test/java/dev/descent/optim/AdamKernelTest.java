package dev.descent.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.descent.core.Parameter;
import dev.descent.core.Storage;
import dev.descent.core.Tensor;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The vector loop of the Adam-family update against its scalar reference, bit for bit. */
class AdamKernelTest {
    private static Flat flat(float[] a, int offset, int n) {
        return Flat.of(Tensor.wrap(Storage.of(a), offset, new int[] {n}, new int[] {1}));
    }

    /** θ, g, m, v from four arrays, without AMSGrad. */
    private static AdamFamily.Operands operands(float[][] a, int offset, int n) {
        return new AdamFamily.Operands(flat(a[0], offset, n), flat(a[1], offset, n), flat(a[2], offset, n), flat(a[3], offset, n), null);
    }

    /** A value of any kind the update meets: ordinary, tiny, zero of either sign, huge, subnormal. */
    private static float value(SplittableRandom r) {
        return switch (r.nextInt(8)) {
            case 0 -> 0f;
            case 1 -> -0f;
            case 2 -> (float) (r.nextGaussian() * 1e-30);
            case 3 -> (float) (r.nextGaussian() * 1e30);
            case 4 -> Float.MIN_VALUE * r.nextInt(1, 1000);
            default -> (float) r.nextGaussian();
        };
    }

    @Test
    void theVectorLoopGivesTheScalarLoopsBits() {
        // Length and offset shrink; the values and hyperparameters (edge-heavy, many) come from the seed.
        qt().forAll(integers().between(1, 69), integers().between(0, 4), longs().all()).checkAssert((n, off, seed) -> {
            SplittableRandom r = new SplittableRandom(seed);
            float[][] vec = new float[4][off + n], ref = new float[4][];
            for (float[] a : vec) for (int i = 0; i < a.length; i++) a[i] = value(r);
            for (int i = 0; i < off + n; i++) vec[3][i] = Math.abs(vec[3][i]); // v ≥ 0
            for (int k = 0; k < 4; k++) ref[k] = vec[k].clone();
            double c = r.nextBoolean() ? 1 : r.nextDouble(), beta1 = r.nextDouble(0.5, 1), beta2 = r.nextDouble(0.9, 1);
            double eps = r.nextBoolean() ? 1e-8 : r.nextDouble(), wd = r.nextBoolean() ? 0 : r.nextDouble(0.1);
            double dd = r.nextBoolean() ? 0 : r.nextDouble(0.1), lr = r.nextDouble(0.1), keep = 1 - lr * dd;
            double stepSize = lr / r.nextDouble(0.01, 1), bc2Sqrt = r.nextDouble(0.01, 1);
            boolean paper = r.nextBoolean();
            var step = new AdamFamily.Step(c, beta1, beta2, eps, wd, dd, keep, stepSize, bc2Sqrt, paper);
            int done = AdamFamily.updateVector(operands(vec, off, n), step, 0, n);
            assertTrue(done >= n - 3 && done <= n, "the vector loop stops within a vector of the end: " + done + " of " + n);
            AdamFamily.updateScalar(operands(vec, off, n), step, done, n);
            AdamFamily.updateScalar(operands(ref, off, n), step, 0, n);
            for (int k = 0; k < 4; k++) assertArrayEquals(ref[k], vec[k], "array " + k + ", seed " + seed);
        });
    }

    @Test
    void adamStepsAreTheSameOnOneAndTwoThreads() {
        float[][] results = new float[2][];
        for (int threads = 1; threads <= 2; threads++) {
            try (var _ = dev.descent.core.Threads.limit(threads)) {
                SplittableRandom r = new SplittableRandom(3);
                Parameter p = new Parameter(Tensor.randn(r, 100_003));
                Adam adam = new Adam(List.of(ParamGroup.of(List.of(p))), 1e-2);
                for (int step = 0; step < 5; step++) {
                    p.setGrad(Tensor.randn(r, 100_003));
                    adam.step();
                }
                results[threads - 1] = p.toFloatArray();
            }
        }
        assertArrayEquals(results[0], results[1]);
    }

    @Test
    void aGroupOfTensorsCutAcrossTensorsOnTwoThreadsGivesEachTensorsOwnUpdate() {
        // updateEachParameter splits the group's elements end to end (chunks cut tensors in the middle); each tensor's
        // result must be the per-tensor update's (AdamFamily.update, the reference) bit for bit
        int[] sizes = {5, 16_385, 3, 40_001, 64, 1, 20_000};
        float[][] grouped = new float[sizes.length][], alone = new float[sizes.length][];
        try (var _ = dev.descent.core.Threads.limit(2)) {
            SplittableRandom r = new SplittableRandom(4);
            List<Parameter> ps = new java.util.ArrayList<>();
            for (int n : sizes) ps.add(new Parameter(Tensor.randn(r, n)));
            Adam adam = new Adam(List.of(ParamGroup.of(ps)), 1e-2);
            float[][][] ref = new float[sizes.length][4][];
            for (int step = 1; step <= 3; step++) {
                for (int q = 0; q < sizes.length; q++) ps.get(q).setGrad(Tensor.randn(r, sizes[q]));
                if (step == 3) {
                    // the reference: step 3 on copies of θ, g, m, v, one tensor at a time
                    for (int q = 0; q < sizes.length; q++) {
                        Parameter p = ps.get(q);
                        ref[q][0] = p.toFloatArray();
                        ref[q][1] = p.grad().toFloatArray();
                        ref[q][2] = adam.buffer(0, q, "exp_avg").toFloatArray();
                        ref[q][3] = adam.buffer(0, q, "exp_avg_sq").toFloatArray();
                        var st = AdamFamily.Step.of(adam.groups().get(0), AdamFamily.Decay.L2, false, 1, 3);
                        AdamFamily.update(operands(ref[q], 0, sizes[q]), st);
                        alone[q] = ref[q][0];
                    }
                }
                adam.step();
            }
            for (int q = 0; q < sizes.length; q++) grouped[q] = ps.get(q).toFloatArray();
        }
        for (int q = 0; q < sizes.length; q++) assertArrayEquals(alone[q], grouped[q], "tensor " + q + " of " + sizes[q]);
    }
}
