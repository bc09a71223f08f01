package dev.descent.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What a PyTorch user reaches for first: {@code argmax(dim)}, {@code sum(0, 1)}, {@code torch.tensor([1, 2])}, {@code x.size()}. */
class PyTorchConveniencesTest {

    @Test
    void argmaxAndArgminOverADimDropTheDimension() {
        Tensor x = Tensor.of(new float[] {1, 5, 2, 7, 0, 3}, 2, 3);
        assertArrayEquals(new long[] {1, 0}, x.argmax(1).toLongArray());
        assertArrayEquals(new int[] {2}, x.argmax(1).shape());
        assertTrue(x.argmax(-1).contentEquals(x.argmax(1, false)));
        assertArrayEquals(new long[] {0, 1}, x.argmin(1).toLongArray());
        assertTrue(x.argmin(0).contentEquals(x.argmin(0, false)));
    }

    @Test
    void sumOverSeveralDimsByVarargs() {
        Tensor x = Tensor.arange(24).reshape(2, 3, 4).to(DType.FLOAT64);
        assertTrue(x.sum(0, 2).contentEquals(x.sum(new int[] {0, 2}, false)));
        assertArrayEquals(new int[] {3}, x.sum(0, 2).shape());
        assertTrue(x.sum(new int[0]).contentEquals(x.sum()), "no dims: all of them, as sum(int[], keepdim)");
        assertTrue(x.sum(1).contentEquals(x.sum(1, false)));
    }

    @Test
    void tensorOfIntsIsInt64AsTorchTensorOfInts() {
        Tensor y = Tensor.of(new int[] {3, 1, 4, 1, 5, 9}, 2, 3);
        assertEquals(DType.INT64, y.dtype());
        assertArrayEquals(new int[] {2, 3}, y.shape());
        assertArrayEquals(new long[] {3, 1, 4, 1, 5, 9}, y.toLongArray());
        assertTrue(Tensor.of(new int[] {7, 8}).contentEquals(Tensor.ofIndices(new int[] {7, 8})));
        assertThrows(IllegalArgumentException.class, () -> Tensor.of(new int[] {1, 2, 3}, 2, 2));
    }

    @Test
    void sizeIsAReadableShape() {
        Tensor x = Tensor.zeros(2, 3);
        assertEquals("[2, 3]", x.size().toString());
        assertEquals(List.of(2, 3), x.size());
        assertEquals(List.of(), Tensor.of(1.0).size());
        assertThrows(UnsupportedOperationException.class, () -> x.size().set(0, 5));
    }
}
