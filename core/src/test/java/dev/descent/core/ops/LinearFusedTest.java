package dev.descent.core.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.Autograd;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link Affine#linear} and layerNorm's affine part: the composed {@code x.matmul(w.t()).add(b)} bit for bit, in value and in gradients. */
class LinearFusedTest {
    @Test
    void equalsTheComposedMatmulAndAddBitForBitInValueAndGradients() {
        SplittableRandom rng = new SplittableRandom(31);
        for (DType dt : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (int[] xs : new int[][] {{128, 784}, {7, 33}, {4, 9, 64}, {2, 3, 5, 17}, {17}}) {
                int in = xs[xs.length - 1], out = 1 + rng.nextInt(70);
                Tensor x = Tensor.randn(dt, rng, xs), w = Tensor.randn(dt, rng, out, in).mul(0.1), b = Tensor.randn(dt, rng, out);
                Tensor x1 = x.detach().requiresGrad(true), w1 = w.detach().requiresGrad(true), b1 = b.detach().requiresGrad(true);
                Tensor x2 = x.detach().requiresGrad(true), w2 = w.detach().requiresGrad(true), b2 = b.detach().requiresGrad(true);
                Tensor fused = Affine.linear(x1, w1, b1), composed = x2.matmul(w2.t()).add(b2);
                assertArrayEquals(composed.shape(), fused.shape());
                assertBits(composed, fused, dt + " value " + java.util.Arrays.toString(xs));
                Tensor up = Tensor.randn(dt, rng, composed.shape());
                List<Tensor> g1 = Autograd.grad(fused, List.of(x1, w1, b1), up, false), g2 = Autograd.grad(composed, List.of(x2, w2, b2), up, false);
                for (int i = 0; i < 3; i++) assertBits(g2.get(i), g1.get(i), dt + " gradient " + i + " " + java.util.Arrays.toString(xs));
            }
        }
    }

    @Test
    void layerNormsAffineEqualsTheComposedMulAndAddBitForBitInValueAndGradients() {
        // layerNorm adds its bias into the fresh product x̂·w: the same bits as x̂.mul(w).add(b) composed by hand
        SplittableRandom rng = new SplittableRandom(33);
        for (DType dt : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (int[] xs : new int[][] {{32, 64, 64}, {5, 19}, {3, 4, 6}}) {
                int[] ns = {xs[xs.length - 1]};
                Tensor x = Tensor.randn(dt, rng, xs), w = Tensor.randn(dt, rng, ns), b = Tensor.randn(dt, rng, ns);
                Tensor x1 = x.detach().requiresGrad(true), w1 = w.detach().requiresGrad(true), b1 = b.detach().requiresGrad(true);
                Tensor x2 = x.detach().requiresGrad(true), w2 = w.detach().requiresGrad(true), b2 = b.detach().requiresGrad(true);
                Tensor fused = Normalization.layerNorm(x1, ns, w1, b1, 1e-5);
                Tensor composed = Normalization.layerNorm(x2, ns, null, null, 1e-5).mul(w2).add(b2);
                assertBits(composed, fused, dt + " value " + java.util.Arrays.toString(xs));
                Tensor up = Tensor.randn(dt, rng, xs);
                List<Tensor> g1 = Autograd.grad(fused, List.of(x1, w1, b1), up, false), g2 = Autograd.grad(composed, List.of(x2, w2, b2), up, false);
                for (int i = 0; i < 3; i++) assertBits(g2.get(i), g1.get(i), dt + " gradient " + i + " " + java.util.Arrays.toString(xs));
            }
        }
    }

    @Test
    void withoutBiasIsTheProductAndABiasOfAnotherDtypePromotes() {
        SplittableRandom rng = new SplittableRandom(32);
        Tensor x = Tensor.randn(rng, 3, 4), w = Tensor.randn(rng, 5, 4), b64 = Tensor.randn(DType.FLOAT64, rng, 5);
        assertBits(x.matmul(w.t()), Affine.linear(x, w, null), "no bias");
        Tensor y = Affine.linear(x, w, b64);
        assertEquals(DType.FLOAT64, y.dtype());
        assertTrue(y.allClose(x.matmul(w.t()).add(b64), 0, 0));
    }

    @Test
    void badShapesNameBothShapes() {
        Tensor x = Tensor.zeros(3, 4);
        var e = assertThrows(IllegalArgumentException.class, () -> Affine.linear(x, Tensor.zeros(5, 3), null));
        assertTrue(e.getMessage().contains("[3,4]") && e.getMessage().contains("[5,3]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Affine.linear(x, Tensor.zeros(5, 4), Tensor.zeros(4)));
        assertTrue(e.getMessage().contains("[4]") && e.getMessage().contains("[5,4]"), e.getMessage());
    }

    private static void assertBits(Tensor want, Tensor got, String what) {
        assertArrayEquals(want.shape(), got.shape(), what);
        double[] a = want.toDoubleArray(), b = got.toDoubleArray();
        for (int i = 0; i < a.length; i++) {
            assertEquals(Double.doubleToLongBits(a[i]), Double.doubleToLongBits(b[i]), what + " at " + i);
        }
    }
}
