package dev.descent.nn;

import dev.descent.core.Shape;
import dev.descent.core.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Average pooling to a fixed output size {@code [oh, ow]} whatever the input's, as
 * {@code torch.nn.AdaptiveAvgPool2d}: output cell (i, j) averages input rows ⌊i·H/oh⌋ … ⌈(i+1)·H/oh⌉ − 1 and the
 * columns likewise (windows may overlap when the size does not divide). Composed from narrow and mean.
 */
public final class AdaptiveAvgPool2d extends Module {
    private final int oh, ow;

    /**
     * Pooling to a square output.
     *
     * @param size the output height and width, ≥ 1
     * @throws IllegalArgumentException when the size is below 1
     */
    public AdaptiveAvgPool2d(int size) {
        this(size, size);
    }

    /**
     * Pooling to {@code oh × ow}.
     *
     * @param oh the output height, ≥ 1
     * @param ow the output width, ≥ 1
     * @throws IllegalArgumentException when a size is below 1
     */
    public AdaptiveAvgPool2d(int oh, int ow) {
        if (oh < 1 || ow < 1) throw new IllegalArgumentException("AdaptiveAvgPool2d: output size must be >= 1, was " + oh + "×" + ow);
        this.oh = oh;
        this.ow = ow;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() != 4 && x.dim() != 3) {
            throw new IllegalArgumentException(this + ": input must be [N, C, H, W] or [C, H, W], got " + Shape.format(x.shape()));
        }
        int hd = x.dim() - 2, wd = x.dim() - 1, h = x.size(hd), w = x.size(wd);
        if (h < 1 || w < 1) throw new IllegalArgumentException(this + ": input " + Shape.format(x.shape()) + " has an empty image");
        List<Tensor> rows = new ArrayList<>();
        for (int i = 0; i < oh; i++) {
            int r0 = Math.floorDiv(i * h, oh), r1 = -Math.floorDiv(-(i + 1) * h, oh);
            Tensor band = x.narrow(hd, r0, r1 - r0);
            List<Tensor> cells = new ArrayList<>();
            for (int j = 0; j < ow; j++) {
                int c0 = Math.floorDiv(j * w, ow), c1 = -Math.floorDiv(-(j + 1) * w, ow);
                cells.add(band.narrow(wd, c0, c1 - c0).mean(new int[] {hd, wd}, true));
            }
            rows.add(Tensor.cat(cells, wd));
        }
        return Tensor.cat(rows, hd);
    }

    @Override
    public String toString() {
        return "AdaptiveAvgPool2d(" + oh + ", " + ow + ")";
    }
}
