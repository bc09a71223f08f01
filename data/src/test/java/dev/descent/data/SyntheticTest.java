package dev.descent.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Teacher–student data, Feldman's code instance and the two spirals. */
class SyntheticTest {
    // ------------------------------------------------------------------ teacher–student

    @Test
    void hermitePolynomialsMatchTheirClosedForms() {
        for (double z : new double[] {-2.5, -1, 0, 0.3, 1.7, 4}) {
            assertEquals(1, TeacherStudent.hermite(0, z), 1e-12);
            assertEquals(z, TeacherStudent.hermite(1, z), 1e-12);
            assertEquals((z * z - 1) / Math.sqrt(2), TeacherStudent.hermite(2, z), 1e-12);
            assertEquals((z * z * z - 3 * z) / Math.sqrt(6), TeacherStudent.hermite(3, z), 1e-12);
            assertEquals((Math.pow(z, 4) - 6 * z * z + 3) / Math.sqrt(24), TeacherStudent.hermite(4, z), 1e-12);
        }
    }

    @Test
    void targetsAreTheTeacherOfTheProjectionOnTheUnitDirection() {
        TeacherStudent t = new TeacherStudent(16, new double[] {0.1, 1, 0.5, -0.3}, new SplittableRandom(1));
        assertEquals(1, Math.sqrt(t.theta().square().sum().item()), 1e-12);
        for (DType dtype : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
            Batch b = t.sample(50, dtype, new SplittableRandom(2));
            assertEquals(dtype, b.x().dtype());
            assertArrayEquals(new int[] {50, 16}, b.x().shape());
            double[] z = b.x().to(DType.FLOAT64).matmul(t.theta()).toDoubleArray();
            double[] y = b.y().toDoubleArray();
            for (int i = 0; i < 50; i++) {
                double expected = 0.1 + z[i] + 0.5 * (z[i] * z[i] - 1) / Math.sqrt(2) - 0.3 * (z[i] * z[i] * z[i] - 3 * z[i]) / Math.sqrt(6);
                assertEquals(expected, y[i], dtype == DType.FLOAT64 ? 1e-12 : 1e-5 * (1 + Math.abs(expected)));
            }
        }
        assertTrue(t.sample(5, new SplittableRandom(3)).x().contentEquals(t.sample(5, new SplittableRandom(3)).x()), "seeded");
    }

    /** Monte Carlo: inputs are standard normal and the targets' Hermite coefficients are the c_k given. */
    @Test
    void hermiteCoefficientsAreRecoveredByProjection() {
        double[] c = {0.2, 0.8, -0.6, 0.4};
        TeacherStudent t = new TeacherStudent(new double[] {3, 4, 0, 0, 0, 0, 0, 0}, c);
        int n = 200_000;
        Batch b = t.sample(n, DType.FLOAT64, new SplittableRandom(4));
        double[] x = b.x().toDoubleArray(), y = b.y().toDoubleArray();
        double[] proj = new double[c.length], proj2 = new double[c.length];
        double mean = 0, var = 0, energy = 0;
        for (int i = 0; i < n; i++) {
            double z = 0.6 * x[i * 8] + 0.8 * x[i * 8 + 1];
            for (int k = 0; k < c.length; k++) {
                double p = y[i] * TeacherStudent.hermite(k, z);
                proj[k] += p / n;
                proj2[k] += p * p / n;
            }
            mean += x[i * 8 + 5] / n;
            var += x[i * 8 + 5] * x[i * 8 + 5] / n;
            energy += y[i] * y[i] / n;
        }
        for (int k = 0; k < c.length; k++) {
            double standardError = Math.sqrt((proj2[k] - proj[k] * proj[k]) / n);
            assertEquals(c[k], proj[k], 5 * standardError, "c" + k + " (standard error " + standardError + ")");
        }
        assertEquals(0, mean, 0.01);
        assertEquals(1, var, 0.02);
        assertEquals(0.04 + 0.64 + 0.36 + 0.16, energy, 0.05, "E[y²] = Σ c_k²");
        TeacherStudent noisy = t.withLabelNoise(0.5);
        Batch nb = noisy.sample(20_000, DType.FLOAT64, new SplittableRandom(5));
        double[] nx = nb.x().toDoubleArray(), ny = nb.y().toDoubleArray();
        double r2 = 0;
        for (int i = 0; i < ny.length; i++) {
            double r = ny[i] - t.activation(0.6 * nx[i * 8] + 0.8 * nx[i * 8 + 1]);
            r2 += r * r / ny.length;
        }
        assertEquals(0.5, Math.sqrt(r2), 0.02);
    }

    @Test
    void alignmentIsOneForTheTeacherAndSmallForRandomWeights() {
        TeacherStudent t = new TeacherStudent(64, new double[] {0, 1}, new SplittableRandom(6));
        Tensor theta = t.theta();
        assertEquals(1, t.alignment(Tensor.stack(java.util.List.of(theta, theta.mul(-2)), 0)), 1e-12);
        double random = t.alignment(Tensor.randn(DType.FLOAT64, new SplittableRandom(7), 2000, 64));
        assertEquals(Math.sqrt(2 / (Math.PI * 64)), random, 0.01);
        assertThrows(IllegalArgumentException.class, () -> t.alignment(Tensor.zeros(3, 5)));
    }

    // ------------------------------------------------------------------ Feldman's code

    @Test
    void theGreedyCodeHasUnitSignVectorsWithInnerProductsAtMostOneHalf() {
        FeldmanCode code = FeldmanCode.greedy(36, 64, new SplittableRandom(8));
        assertEquals(64, code.size());
        Tensor v = code.codewords(DType.FLOAT64);
        for (double e : v.toDoubleArray()) assertEquals(1 / 6.0, Math.abs(e), 1e-15);
        double[] gram = v.matmul(v.t()).toDoubleArray();
        for (int i = 0; i < 64; i++) {
            assertEquals(1, gram[i * 64 + i], 1e-12);
            for (int j = 0; j < 64; j++) {
                if (i != j) assertTrue(gram[i * 64 + j] <= 0.5 + 1e-12, "w" + i + "·w" + j + " = " + gram[i * 64 + j]);
                assertEquals(gram[i * 64 + j], code.innerProduct(i, j), 1e-12);
            }
        }
        assertTrue(v.contentEquals(FeldmanCode.greedy(36, 64, new SplittableRandom(8)).codewords(DType.FLOAT64)), "seeded");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FeldmanCode.greedy(4, 50, new SplittableRandom(1)));
        assertTrue(e.getMessage().contains("found only"), e.getMessage());
    }

    @Test
    void theLossIsConvexOneLipschitzAndAtLeastOneHalf() {
        FeldmanCode code = FeldmanCode.greedy(24, 30, new SplittableRandom(9));
        Tensor samples = code.sample(8, new SplittableRandom(10));
        qt().withExamples(200).forAll(longs().all()).checkAssert(seed -> {
            SplittableRandom rng = new SplittableRandom(seed);
            Tensor x = inBall(24, rng), y = inBall(24, rng);
            double[] fx = code.losses(x, samples).toDoubleArray(), fy = code.losses(y, samples).toDoubleArray();
            double[] fm = code.losses(x.add(y).mul(0.5), samples).toDoubleArray();
            double dist = Math.sqrt(x.sub(y).square().sum().item());
            for (int r = 0; r < 8; r++) {
                assertTrue(fx[r] >= 0.5 && fy[r] >= 0.5);
                assertTrue(fm[r] <= (fx[r] + fy[r]) / 2 + 1e-12, "convex");
                assertTrue(Math.abs(fx[r] - fy[r]) <= dist + 1e-12, "1-Lipschitz");
            }
        });
        assertEquals(0.5, code.empiricalLoss(Tensor.zeros(DType.FLOAT64, 24), samples).item());
        assertEquals(0.5, code.populationLoss(Tensor.zeros(DType.FLOAT64, 24)), 1e-15);
    }

    private static Tensor inBall(int d, SplittableRandom rng) {
        Tensor g = Tensor.randn(DType.FLOAT64, rng, d);
        return g.div(Math.sqrt(g.square().sum().item())).mul(rng.nextDouble());
    }

    /** The overfitting mechanism: a codeword in no sample has empirical loss 1/2 but population loss 3/4. */
    @Test
    void anUnseenCodewordHasEmpiricalLossOneHalfAndPopulationLossThreeQuarters() {
        FeldmanCode code = FeldmanCode.greedy(30, 200, new SplittableRandom(11));
        Tensor samples = code.sample(5, new SplittableRandom(12));
        boolean[] mask = samples.toBooleanArray();
        int unseen = -1;
        for (int i = 0; i < code.size() && unseen < 0; i++) {
            boolean seen = false;
            for (int r = 0; r < 5; r++) seen |= mask[r * code.size() + i];
            if (!seen) unseen = i;
        }
        assertTrue(unseen >= 0, "with 200 codewords and 5 samples some codeword is unseen");
        Tensor w = code.codewords(DType.FLOAT64).select(0, unseen);
        assertEquals(0.5, code.empiricalLoss(w, samples).item(), 1e-12);
        assertEquals(0.75, code.populationLoss(w), 1e-12);
    }

    @Test
    void populationLossIsTheMeanLossOverRandomSubsets() {
        FeldmanCode code = FeldmanCode.greedy(18, 12, new SplittableRandom(13));
        Tensor x = inBall(18, new SplittableRandom(14)).mul(3);      // outside the ball too: more codewords above 1/2
        Tensor many = code.sample(40_000, new SplittableRandom(15));
        assertEquals(code.populationLoss(x), code.empiricalLoss(x, many).item(), 0.01);
    }

    @Test
    void autodiffGivesTheSubgradientOfTheActiveCodeword() {
        FeldmanCode code = FeldmanCode.greedy(20, 16, new SplittableRandom(16));
        Tensor samples = code.sample(6, new SplittableRandom(17));
        Tensor x = inBall(20, new SplittableRandom(18)).mul(2).requiresGrad(true);
        code.empiricalLoss(x, samples).backward();
        double[] g = x.grad().toDoubleArray(), xs = x.detach().toDoubleArray();
        double h = 1e-6;
        for (int j = 0; j < 20; j++) {                               // almost surely no ties: the loss is smooth here
            double[] up = xs.clone(), down = xs.clone();
            up[j] += h;
            down[j] -= h;
            double numeric = (code.empiricalLoss(Tensor.of(up), samples).item() - code.empiricalLoss(Tensor.of(down), samples).item()) / (2 * h);
            assertEquals(numeric, g[j], 1e-6, "coordinate " + j);
        }
    }

    // ------------------------------------------------------------------ two spirals

    @Test
    void twoSpiralsHasBalancedClassesAndIsSeeded() {
        TwoSpirals.Data a = TwoSpirals.generate(400, 1.5, 0.05, new SplittableRandom(19));
        assertArrayEquals(new int[] {400, 2}, a.x().shape());
        long ones = 0;
        for (long v : a.y().toLongArray()) ones += v;
        assertEquals(200, ones);
        assertTrue(a.x().contentEquals(TwoSpirals.generate(400, 1.5, 0.05, new SplittableRandom(19)).x()));
        DataLoader loader = new DataLoader(a.dataset(), 64, 1L);
        int seen = 0;
        for (Batch b : loader) seen += b.size();
        assertEquals(400, seen);
    }
}
