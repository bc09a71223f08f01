package dev.descent.onnx;

import dev.descent.core.Tensor;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A node's weight in the forms its kernels read (Winograd filter transforms, channel-blocked packings), kept while the
 * weight's shape and values stay the same. The object's identity is not enough: an optimizer updates a parameter in
 * place (inference after a few fine-tuning steps must see the new values), and the folding of a BatchNormalization
 * makes a new weight with the same values on every call. The check reads the weight once (Arrays.equals, vectorized):
 * O·C·k² floats against the convolution's O·C·k² multiply-adds per output pixel.
 *
 * <p>Packed afresh on every call, the blocked layout's 1×1 and depthwise weights were ~2.3 MB of new arrays per M-LSD
 * run (no measurable time: docs/benchmarks.md, "Session of 2026-12-04, evening"). Thread-safe: a form computed twice
 * by racing threads gives equal arrays, either kept.
 */
final class PackedWeights {
    /** The forms; each is kept on its own (a node whose input size varies may take both Winograd tile sizes). */
    enum Form {
        /** U of F(2×2, 3×3): 16 matrices [O, C] ({@link WinogradConv#transformFilter}). */
        WINOGRAD_2X2,
        /** U of F(4×4, 3×3): 36 matrices [O, C] ({@link Winograd43#transformFilter}). */
        WINOGRAD_4X4,
        /** The channel-blocked layout's packing of a depthwise 3×3 or 1×1 weight ({@link Blocked#pack}). */
        BLOCKED
    }

    private record Entry(int[] shape, float[] weight, float[] packed) {}

    private final AtomicReferenceArray<Entry> entries = new AtomicReferenceArray<>(Form.values().length);

    /**
     * {@return the weight in the given form} computed again only when the weight's shape or values changed since the last
     * call for that form.
     *
     * @param w    the weight, float32
     * @param form the form
     */
    float[] of(Tensor w, Form form) {
        Entry e = entries.get(form.ordinal());
        if (e != null && holds(e, w)) return e.packed;
        float[] values = w.detach().contiguous().toFloatArray(); // before the packing: a change meanwhile is seen next call
        float[] packed = switch (form) {
            case WINOGRAD_2X2 -> WinogradConv.transformFilter(w);
            case WINOGRAD_4X4 -> Winograd43.transformFilter(w);
            case BLOCKED -> Blocked.pack(values, w.shape());
        };
        entries.set(form.ordinal(), new Entry(w.shape(), values, packed));
        return packed;
    }

    private static boolean holds(Entry e, Tensor w) {
        if (!Arrays.equals(e.shape, w.shape())) return false;
        if (!w.isContiguous()) return Arrays.equals(e.weight, w.detach().contiguous().toFloatArray());
        int at = w.storageOffset();
        return Arrays.equals(e.weight, 0, e.weight.length, w.storage().floats(), at, at + e.weight.length);
    }
}
