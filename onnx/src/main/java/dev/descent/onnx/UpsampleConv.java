package dev.descent.onnx;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.Autograd;
import dev.descent.core.kernel.Parallel;
import dev.descent.core.kernel.Vectors;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Inference-only ConvTranspose with a 2×2 kernel and stride 2 (no padding, dilation, output padding or groups): every
 * output pixel takes exactly one tap, {@code y[o, 2r + i, 2q + j] = b[o] + Σ_c w[c, o, i, j]·x[c, r, q]}, so it is four
 * 1×1 convolutions (one per tap (i, j), by {@link PointwiseKernel}'s register tiles) whose outputs interleave: rows
 * 2r + i zip the planes of taps (i, 0) and (i, 1). PP-OCR det's decoder upsamples twice this way. Its sums (c in order,
 * one fused chain) may round differently from core's transposed convolution: only where no gradient is recorded.
 */
final class UpsampleConv {
    private UpsampleConv() {}

    private static final VectorSpecies<Float> S = Vectors.F;
    private static final int L = S.length();

    /** On unless -Ddescent.onnx.upsample=false. */
    static volatile boolean enabled = !"false".equals(System.getProperty("descent.onnx.upsample"));

    /**
     * The transposed convolution when it qualifies (float32, no gradient recorded, weight [C, O, 2, 2], stride 2, no
     * padding, dilation 1, one group, no output padding, the register tiles' sizes), else null.
     *
     * @param x   the input [N, C, H, W]
     * @param w   the weight [C, O, 2, 2]
     * @param b   the bias [O], or null
     * @param sh  vertical stride
     * @param sw  horizontal stride
     * @param pads [top, left, bottom, right]
     * @param dh  vertical dilation
     * @param dw  horizontal dilation
     * @param groups the groups
     * @param oph vertical output padding
     * @param opw horizontal output padding
     * @return [N, O, 2H, 2W], or null
     */
    static Tensor tryConv(Tensor x, Tensor w, Tensor b, int sh, int sw, int[] pads, int dh, int dw, int groups, int oph, int opw) {
        if (!enabled || !Vectors.ENABLED || x.dim() != 4 || w.dim() != 4 || w.size(2) != 2 || w.size(3) != 2 || sh != 2 || sw != 2 || dh != 1 || dw != 1 || groups != 1
                || oph != 0 || opw != 0 || pads[0] != 0 || pads[1] != 0 || pads[2] != 0 || pads[3] != 0 || x.size(1) != w.size(0) || x.dtype() != DType.FLOAT32
                || w.dtype() != DType.FLOAT32 || (b != null && (b.dtype() != DType.FLOAT32 || b.dim() != 1 || b.size(0) != w.size(1)))
                || !PointwiseConv.tiled(w.size(1), x.size(2) * x.size(3)) || Autograd.isRecording(x, w, b)) {
            return null;
        }
        return forward(x, w, b);
    }

    private static Tensor forward(Tensor x, Tensor w, Tensor b) {
        Tensor xc = x.detach().contiguous(), wc = w.detach().contiguous();
        float[] xa = xc.storage().floats(), wa = wc.storage().floats();
        int n = x.size(0), c = x.size(1), h = x.size(2), wd = x.size(3), o = w.size(1), pixels = h * wd, xo = xc.storageOffset(), wo = wc.storageOffset();
        // the four taps' [O, C] matrices: taps[(2i + j)·O·C + o·C + c] = w[c, o, i, j]
        float[] taps = new float[4 * o * c];
        for (int ci = 0; ci < c; ci++) for (int oi = 0; oi < o; oi++) for (int t = 0; t < 4; t++) taps[(t * o + oi) * c + ci] = wa[wo + (ci * o + oi) * 4 + t];
        PointwiseKernel.Finish f = PointwiseKernel.Finish.of(WinogradConv.epilogue(b, dev.descent.core.ops.FusedConvolution.Activation.NONE));
        Tensor planes = Tensor.empty(DType.FLOAT32, n, 4, o, h, wd);
        float[] pa = planes.storage().floats();
        int block = Math.min(PointwiseKernel.STRIP * 16, (pixels + PointwiseKernel.STRIP - 1) / PointwiseKernel.STRIP * PointwiseKernel.STRIP);
        int blocks = (pixels + block - 1) / block;
        Parallel.forRange(n * 4 * blocks, 1, (from, to) -> {
            for (int k = from; k < to; k++) {
                int img = k / (4 * blocks), t = (k / blocks) % 4, p0 = (k % blocks) * block;
                PointwiseKernel.block(xa, xo + img * c * pixels, c, pixels, p0, Math.min(block, pixels - p0), taps, t * o * c, o, pa, (img * 4 + t) * o * pixels, f);
            }
        });
        Tensor out = Tensor.empty(DType.FLOAT32, n, o, 2 * h, 2 * wd);
        float[] ya = out.storage().floats();
        Parallel.forRange(n * o, Math.max(1, (1 << 13) / pixels), (from, to) -> {
            for (int p = from; p < to; p++) {
                int img = p / o, oi = p % o;
                for (int r = 0; r < h; r++) {
                    for (int i = 0; i < 2; i++) {
                        int left = ((img * 4 + 2 * i) * o + oi) * pixels + r * wd, right = left + o * pixels, at = (p * 2 * h + 2 * r + i) * 2 * wd, q = 0;
                        for (; q + L <= wd; q += L) WinogradConv.zip(FloatVector.fromArray(S, pa, left + q), FloatVector.fromArray(S, pa, right + q), ya, at + 2 * q, 2 * L);
                        for (; q < wd; q++) {
                            ya[at + 2 * q] = pa[left + q];
                            ya[at + 2 * q + 1] = pa[right + q];
                        }
                    }
                }
            }
        });
        return out;
    }
}
