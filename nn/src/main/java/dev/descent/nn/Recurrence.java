package dev.descent.nn;

import dev.descent.core.Parameter;
import dev.descent.core.Shape;
import dev.descent.core.Tensor;
import java.util.random.RandomGenerator;

/** What the recurrent layers share: size checks, PyTorch's uniform initialisation, x·Wᵀ + b, state checks. */
final class Recurrence {
    private Recurrence() {}

    static void checkSizes(String layer, int inputSize, int hiddenSize, int numLayers) {
        if (inputSize < 1 || hiddenSize < 1 || numLayers < 1) {
            throw new IllegalArgumentException(layer + ": sizes must be >= 1, were input=" + inputSize + ", hidden=" + hiddenSize + ", layers=" + numLayers);
        }
    }

    /** Every parameter of m uniform in ±1/√hidden, in registration order (PyTorch's {@code reset_parameters}). */
    static void initUniform(Module m, int hiddenSize, RandomGenerator rng) {
        double bound = 1 / Math.sqrt(hiddenSize);
        for (Parameter p : m.parameters()) Init.uniform(p, bound, rng);
    }

    /** x·Wᵀ + b over the last dim (b may be null). */
    static Tensor affine(Tensor x, Tensor w, Tensor b) {
        Tensor y = x.matmul(w.t());
        return b == null ? y : y.add(b);
    }

    /** An unbatched state {@code [..., H]} with a batch dim of one inserted before its last dim. */
    static Tensor batchOfOne(Module layer, String name, Tensor t) {
        if (t.dim() < 1) throw new IllegalArgumentException(layer + ": unbatched state " + name + " must have a hidden dim, got a 0-d tensor");
        return t.unsqueeze(t.dim() - 1);
    }

    static Tensor checkState(Module layer, String name, Tensor t, int... shape) {
        if (!java.util.Arrays.equals(t.shape(), shape)) {
            throw new IllegalArgumentException(layer + ": state " + name + " must be " + Shape.format(shape) + ", got " + Shape.format(t.shape()));
        }
        return t;
    }
}
