package dev.descent.onnx;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.Autograd;
import dev.descent.core.kernel.ConvEpilogue;
import dev.descent.core.kernel.Gemm;
import dev.descent.core.kernel.Parallel;
import dev.descent.core.kernel.Vectors;
import dev.descent.core.ops.FusedConvolution;

/**
 * Inference-only 1×1 convolution (stride 1, no padding, one group), in blocks of pixels. Each block by
 * {@link PointwiseKernel}'s register tiles (see {@link #tiled} for where), or else, for large expansions, one product
 * {@code Y[:, block] = W · X[:, block]} by core's GEMM written in place into the output planes, then bias and
 * activation over the block while it is still in cache. The whole-image kernels apply the epilogue once the image is done, a
 * second pass over an output that at batch 1 is the whole tensor (M-LSD's 16→96 at 160×160 writes 9.8 MB); here the
 * blocks are also the unit of work, at least two per thread, whatever the batch. Its sums (k in order) may round
 * differently from the implicit kernel's, so only where no gradient is recorded.
 */
final class PointwiseConv {
    private PointwiseConv() {}

    /**
     * The most pixels per block: 16 column panels of the GEMM kernel (1024 at 512 bits; 96 channels of it, 384 KB, stay
     * in L2). Measured on M-LSD (one thread, runs alternating with the path off, thread CPU, load 6): blocks of 4, 8, 16
     * and 32 panels saved 0.6, 1.1, 2.0 and 1.0 ms of 47.
     */
    private static final int MAX_BLOCK = 16 * Gemm.NR;

    /**
     * The least output elements of one image for the blocked form (smaller outputs stay in cache anyway). Only
     * expansions (at least 4 outputs per input channel) take it: on M-LSD (one thread, CPU time under load 8) its 24→144
     * and 32→192 convolutions took 1.47 and 0.67 ms against 1.72 and 0.78, while projections (32→16, 64→32 and the
     * like, whose short output rows gain little from the epilogue in cache) were 10–40% slower.
     */
    static volatile int minOutput = 1 << 17;

    /**
     * The convolution when it qualifies (float32, no gradient recorded, 1×1, stride 1, no padding, one group, at least
     * four times as many outputs as inputs, an output of at least {@link #minOutput} elements per image), else null.
     *
     * @param x   the input [N, C, H, W]
     * @param w   the weight [O, C, 1, 1]
     * @param b   the bias [O], or null
     * @param pads [top, left, bottom, right]
     * @param strides the strides
     * @param groups the groups
     * @param act the fused activation
     * @return the output [N, O, H, W], or null
     */
    static Tensor tryConv(Tensor x, Tensor w, Tensor b, int[] pads, int[] strides, int groups, FusedConvolution.Activation act) {
        if (!enabled || x.dim() != 4 || w.dim() != 4 || w.size(2) != 1 || w.size(3) != 1 || groups != 1 || strides[0] != 1 || strides[1] != 1
                || pads[0] != 0 || pads[1] != 0 || pads[2] != 0 || pads[3] != 0 || x.size(1) != w.size(1) || x.dtype() != DType.FLOAT32
                || w.dtype() != DType.FLOAT32 || (b != null && (b.dtype() != DType.FLOAT32 || b.dim() != 1 || b.size(0) != w.size(0)))
                || !sized(x.size(1), w.size(0), x.size(2) * x.size(3)) || Autograd.isRecording(x, w, b)) {
            return null;
        }
        return forward(x, w, WinogradConv.epilogue(b, act));
    }

    /**
     * Whether a 1×1 convolution of c to o channels over the given pixels per image takes this path: by the register
     * tiles ({@link #tiled}), or by the GEMM when it is an expansion of at least {@link #minOutput} elements.
     *
     * @param c      input channels
     * @param o      output channels
     * @param pixels pixels per image
     * @return whether {@link #tryConv} computes it
     */
    static boolean sized(int c, int o, int pixels) {
        return tiled(o, pixels) || (o >= 4 * c && (long) o * pixels >= minOutput);
    }

    /**
     * Whether the register tiles compute it: at least 1024 pixels (strips, not their tail, dominate), or at least a
     * strip and at most 64 outputs. Measured (one thread, CPU time, A/B in one process, load 7–8): on M-LSD and PP-OCR
     * det every 1×1 at 40×40 and more, and 384→64 and 192→64 at 20×20, took 0.65–0.85 of the time of core's kernels;
     * 64→384 and 192→192 at 20×20 and 384→384 at 10×10 took 1.3–1.5 times it (their GEMM packs once and has no tail).
     *
     * @param o      output channels
     * @param pixels pixels per image
     * @return whether {@link PointwiseKernel} runs it
     */
    static boolean tiled(int o, int pixels) {
        return direct && Vectors.ENABLED && pixels >= PointwiseKernel.STRIP && (pixels >= 1024 || o <= 64);
    }

    /** Register tiles straight from the planes ({@link PointwiseKernel}) unless -Ddescent.onnx.pointwiseGemm=true (core's GEMM per block). */
    static volatile boolean direct = !"true".equals(System.getProperty("descent.onnx.pointwiseGemm"));

    /** On unless -Ddescent.onnx.pointwise=false. */
    static volatile boolean enabled = !"false".equals(System.getProperty("descent.onnx.pointwise"));

    /**
     * y = w · x per image and pixel block, then the epilogue on the block.
     *
     * @param x the input [N, C, H, W] float32
     * @param w the weight [O, C, 1, 1] float32
     * @param e bias and activation, or null
     * @return [N, O, H, W]
     */
    static Tensor forward(Tensor x, Tensor w, ConvEpilogue e) {
        Tensor xc = x.detach().contiguous(), wc = w.detach().contiguous();
        int n = x.size(0), c = x.size(1), pixels = x.size(2) * x.size(3), o = w.size(0);
        float[] xa = xc.storage().floats(), wa = wc.storage().floats();
        // whole panels, at most MAX_BLOCK, and at least two blocks per thread over the batch
        boolean direct = tiled(o, pixels);
        int unit = direct ? PointwiseKernel.STRIP : Gemm.NR;
        int per = (int) Math.min(MAX_BLOCK, Math.max(unit, ((long) n * pixels / (2L * Parallel.threads()) + unit - 1) / unit * unit));
        int block = (int) Math.min(per, (pixels + unit - 1) / unit * (long) unit);
        int xo = xc.storageOffset(), wo = wc.storageOffset(), blocks = (pixels + block - 1) / block;
        Tensor out = Tensor.empty(DType.FLOAT32, n, o, x.size(2), x.size(3));
        float[] ya = out.storage().floats();
        PointwiseKernel.Finish f = direct ? PointwiseKernel.Finish.of(e) : null;
        Parallel.forRange(n * blocks, 1, (from, to) -> {
            for (int k = from; k < to; k++) {
                int img = k / blocks, p0 = (k % blocks) * block, len = Math.min(block, pixels - p0), yo = img * o * pixels + p0;
                if (f != null) {
                    PointwiseKernel.block(xa, xo + img * c * pixels, c, pixels, p0, len, wa, wo, o, ya, img * o * pixels, f);
                    continue;
                }
                if (direct) PointwiseKernel.block(xa, xo + img * c * pixels, c, pixels, p0, len, wa, wo, o, ya, img * o * pixels, PointwiseKernel.Finish.of(null));
                else Gemm.sgemm(o, len, c, wa, wo, c, 1, xa, xo + img * c * pixels + p0, pixels, 1, ya, yo, pixels, false);
                if (e != null) for (int ch = 0; ch < o; ch++) e.apply(ya, yo + ch * pixels, ch, 1, len, true);
            }
        });
        return out;
    }
}
