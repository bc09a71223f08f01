package dev.descent.data;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import java.util.random.RandomGenerator;

/**
 * Random crop with zero padding, per image: pads each side by {@code padding} zeros, then keeps a
 * {@code size}×{@code size} window at a uniformly random position (drawn per image: the top row, then
 * the left column). With size 32 and padding 4 this is the standard CIFAR augmentation; put it before
 * {@link Normalize} so the padding is black, as in torchvision.
 */
public final class RandomCrop implements Transform {
    private final int size, padding;

    /**
     * A {@code size}×{@code size} crop of images padded by {@code padding} on every side.
     *
     * @param size the side of the crop, ≥ 1 (at most the padded image's side, checked per batch)
     * @param padding the zeros added on each side, ≥ 0
     * @throws IllegalArgumentException when {@code size < 1} or {@code padding < 0}
     */
    public RandomCrop(int size, int padding) {
        if (size <= 0) throw new IllegalArgumentException("crop size must be > 0, was " + size);
        if (padding < 0) throw new IllegalArgumentException("padding must be >= 0, was " + padding);
        this.size = size;
        this.padding = padding;
    }

    @Override
    public Batch apply(Batch batch, RandomGenerator rng) {
        BatchArrays.requireImages(batch.x(), "RandomCrop");
        Tensor x = BatchArrays.contiguousFloats(batch.x(), 4, "RandomCrop");
        int n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
        if (size > h + 2 * padding || size > w + 2 * padding) {
            throw new IllegalArgumentException("cannot crop " + size + "×" + size + " from " + h + "×" + w + " images padded by " + padding);
        }
        Tensor out = Tensor.zeros(DType.FLOAT32, n, c, size, size);
        float[] src = x.storage().floats(), dst = out.storage().floats();
        int base = x.storageOffset();
        for (int b = 0; b < n; b++) {
            int top = rng.nextInt(h + 2 * padding - size + 1) - padding;   // window origin in image coordinates
            int left = rng.nextInt(w + 2 * padding - size + 1) - padding;
            int x0 = Math.max(0, -left), x1 = Math.min(size, w - left);     // columns of the window inside the image
            if (x1 <= x0) continue;
            for (int ch = 0; ch < c; ch++) {
                for (int y = 0; y < size; y++) {
                    int sy = top + y;
                    if (sy < 0 || sy >= h) continue;
                    System.arraycopy(src, base + ((b * c + ch) * h + sy) * w + left + x0, dst, ((b * c + ch) * size + y) * size + x0, x1 - x0);
                }
            }
        }
        return new Batch(out, batch.y());
    }

    @Override
    public String toString() {
        return "RandomCrop(" + size + ", padding " + padding + ")";
    }
}
