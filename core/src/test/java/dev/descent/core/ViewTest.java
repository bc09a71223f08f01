package dev.descent.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ViewTest {
    private static Tensor grid() {
        return Tensor.arange(0, 12, 1).reshape(3, 4);
    }

    @Test
    void viewsShareStorage() {
        Tensor x = grid();
        for (Tensor v : new Tensor[] {x.transpose(0, 1), x.narrow(1, 1, 2), x.select(0, 2), x.reshape(4, 3), x.unsqueeze(0),
                x.slice(1, 0, 4, 2), x.expand(2, 3, 4), x.flatten(), x.permute(1, 0)}) {
            assertSame(x.storage(), v.storage());
        }
        x.set(100, 2, 1);
        assertEquals(100.0, x.select(0, 2).get(1));
        assertEquals(100.0, x.transpose(0, 1).get(1, 2));
    }

    @Test
    void contiguousCopiesOnlyWhenNeeded() {
        Tensor x = grid();
        assertSame(x, x.contiguous());
        Tensor t = x.transpose(0, 1);
        assertFalse(t.isContiguous());
        Tensor c = t.contiguous();
        assertNotSame(t.storage(), c.storage());
        assertTrue(c.isContiguous());
        assertTrue(c.allClose(t, 0, 0));
        assertSame(x.storage(), x.narrow(0, 1, 2).contiguous().storage(), "a row slice is already contiguous");
    }

    @Test
    void viewRefusesWhatReshapeCopies() {
        Tensor t = grid().transpose(0, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.view(12));
        assertTrue(e.getMessage().contains("reshape"), e.getMessage());
        Tensor r = t.reshape(12);
        assertEquals(4.0, r.get(1));
        assertArrayEquals(new int[] {4, 3}, grid().view(4, 3).shape());
        // A view across dims that stay contiguous among themselves works on a non-contiguous tensor.
        Tensor s = Tensor.arange(0, 24, 1).reshape(2, 3, 4).narrow(2, 0, 2); // [2,3,2], rows of 4 with gaps
        assertArrayEquals(new int[] {6, 2}, s.view(6, 2).shape());
        assertSame(s.storage(), s.view(6, 2).storage());
    }

    @Test
    void expandUsesStrideZero() {
        Tensor x = Tensor.of(new float[] {1, 2, 3}).reshape(3, 1);
        Tensor e = x.expand(3, 5);
        assertEquals(0, e.stride(1));
        assertEquals(2.0, e.get(1, 4));
        assertThrows(IllegalArgumentException.class, () -> x.expand(4, 5));
    }

    @Test
    void indexingErrorsNameTheValue() {
        Tensor x = grid();
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> x.select(1, 4));
        assertTrue(e.getMessage().contains("4") && e.getMessage().contains("size 4"), e.getMessage());
        assertEquals(11.0, x.select(-1, -1).get(2));
        assertThrows(IllegalArgumentException.class, () -> x.narrow(1, 3, 2));
        IndexOutOfBoundsException g = assertThrows(IndexOutOfBoundsException.class, () -> x.gather(1, Tensor.of(new long[] {0, 4, 1}, 3, 1)));
        assertTrue(g.getMessage().contains("index 4"), g.getMessage());
    }

    @Test
    void creationAndConversion() {
        assertArrayEquals(new int[] {}, Tensor.of(2.0).shape());
        assertEquals(DType.FLOAT64, Tensor.of(2.0).dtype());
        assertEquals(DType.FLOAT32, Tensor.of(2f).dtype());
        assertEquals(DType.INT64, Tensor.arange(4).dtype());
        assertArrayEquals(new long[] {0, 1, 2, 3}, Tensor.arange(4).toLongArray());
        assertArrayEquals(new float[] {0.5f, 1f, 1.5f}, Tensor.arange(0.5, 2, 0.5).toFloatArray());
        assertEquals(7.0, Tensor.full(7, 2, 2).sum().item() / 4);
        assertEquals(3.0, Tensor.eye(3, DType.FLOAT32).sum().item());
        assertArrayEquals(new long[] {0, 0, 1, 0, 1, 0}, Tensor.of(new long[] {2, 1}).oneHot(3).toLongArray());
        assertThrows(IllegalArgumentException.class, () -> Tensor.of(new float[] {1, 2, 3}, 2, 2));
        assertEquals(DType.FLOAT64, Tensor.ones(2).add(Tensor.ones(DType.FLOAT64, 2)).dtype(), "float32 + float64 promotes");
        assertEquals(DType.FLOAT32, Tensor.ones(2).mul(Tensor.of(2.0)).dtype(), "a 0-d float64 does not promote a float32 tensor (PyTorch's rule)");
        assertEquals(DType.FLOAT64, Tensor.of(2f).mul(Tensor.of(2.0)).dtype(), "two 0-d tensors promote as usual");
        assertEquals(DType.FLOAT32, Tensor.arange(3).mul(Tensor.of(2.0)).dtype(), "an int64 tensor times a 0-d float is float32");
        assertEquals(DType.FLOAT32, Tensor.arange(3).mul(0.5).dtype(), "int64 times a double is float");
        assertArrayEquals(new long[] {0, 2, 4}, Tensor.arange(3).add(Tensor.arange(3)).toLongArray(), "int64 arithmetic stays int64");
    }

    @Test
    void randomTensorsComeFromTheCallersGenerator() {
        Tensor a = Tensor.randn(new java.util.SplittableRandom(9), 3, 3), b = Tensor.randn(new java.util.SplittableRandom(9), 3, 3);
        assertTrue(a.contentEquals(b));
        Tensor u = Tensor.uniform(-2, 3, DType.FLOAT64, new java.util.SplittableRandom(1), 1000);
        assertTrue(u.min().item() >= -2 && u.max().item() < 3);
    }

    @Test
    void stableSoftmaxAndLossAtMagnitude1e4() {
        Tensor logits = Tensor.of(new float[] {1e4f, -1e4f, 0f, 5e3f, 1e4f, 1e4f}).reshape(2, 3).requiresGrad(true);
        Tensor lp = logits.logSoftmax(1);
        Tensor loss = lp.gather(1, Tensor.of(new long[] {1, 0}, 2, 1)).mean().neg();
        loss.backward();
        assertTrue(Double.isFinite(loss.item()), "loss " + loss);
        for (float g : logits.grad().toFloatArray()) assertTrue(Float.isFinite(g), "gradient " + logits.grad());
        assertEquals(1.0, logits.softmax(1).sum(1).get(0), 1e-6);
        assertTrue(Double.isFinite(logits.logsumexp(1, false).get(0)));
    }
}
