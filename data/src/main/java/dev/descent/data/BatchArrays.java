package dev.descent.data;

import dev.descent.core.DType;
import dev.descent.core.Shape;
import dev.descent.core.Tensor;

/** Raw float access to a batch's inputs for the transforms, which work in place on arrays. */
final class BatchArrays {
    private BatchArrays() {}

    /**
     * {@code x} itself when it is a float32 tensor laid out contiguously, else a contiguous float32 copy;
     * at least {@code minDims} dimensions (the first is the batch).
     */
    static Tensor contiguousFloats(Tensor x, int minDims, String who) {
        if (x.dtype() != DType.FLOAT32) throw new IllegalArgumentException(who + " needs float32 inputs, got " + x.dtype());
        if (x.dim() < minDims) throw new IllegalArgumentException(who + " needs inputs of at least " + minDims + " dimensions, got " + Shape.format(x.shape()));
        return x.isContiguous() ? x : x.contiguous();
    }

    /** Checks {@code [B, C, H, W]}. */
    static void requireImages(Tensor x, String who) {
        if (x.dim() != 4) throw new IllegalArgumentException(who + " needs images [B, C, H, W], got " + Shape.format(x.shape()));
    }
}
