package dev.descent.onnx;

import dev.descent.core.DType;
import dev.descent.core.Shape;
import dev.descent.core.Tensor;
import dev.descent.core.Threads;
import dev.descent.core.autograd.Autograd;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * ONNX's Pad and Resize, over any rank, as Descent ops (index selection, concatenation and weighted sums), so
 * gradients flow through them. Compiled at load like the ops of {@link OnnxOps}: an attribute value not
 * implemented fails there, naming the node, op and opset.
 */
final class Resampling {
    private Resampling() {}

    /**
     * Pad: {@code pads} as an attribute (before opset 11) or input ([begin per axis..., end per axis...]; negative
     * values crop), the fill value as an attribute or input, the axes input from opset 18; modes constant, reflect,
     * edge and (from opset 19) wrap.
     */
    static OnnxOps.Kernel pad(NodeContext c) throws OnnxException {
        String mode = c.s("mode", "constant");
        Set<String> modes = c.opset >= 19 ? Set.of("constant", "reflect", "edge", "wrap") : Set.of("constant", "reflect", "edge");
        if (!modes.contains(mode)) throw c.unsupported("mode '" + mode + "' is not supported (" + String.join(", ", new java.util.TreeSet<>(modes)) + ")");
        long[] attrPads = null;
        double attrValue = 0;
        if (c.opset < 11) {
            c.arity(1, 1, 1, 1);
            attrPads = c.longs("pads");
            if (attrPads == null) throw c.unsupported("attribute 'pads' is required");
            attrValue = c.f("value", 0f);
        } else {
            c.arity(2, c.opset >= 18 ? 4 : 3, 1, 1);
        }
        long[] fixedPads = attrPads;
        double fixedValue = attrValue;
        return in -> {
            Tensor x = in[0];
            int r = x.dim();
            long[] pads = fixedPads != null ? fixedPads : in[1].toLongArray();
            double value = fixedPads != null ? fixedValue : in.length > 2 && in[2] != null ? constantValue(in[2]) : 0;
            long[] axes = in.length > 3 && in[3] != null ? in[3].toLongArray() : null;
            int[] dims;
            if (axes == null) {
                dims = new int[r];
                for (int k = 0; k < r; k++) dims[k] = k;
            } else {
                dims = new int[axes.length];
                for (int k = 0; k < axes.length; k++) {
                    long a = axes[k] < 0 ? axes[k] + r : axes[k];
                    if (a < 0 || a >= r) throw new IllegalArgumentException("Pad: axis " + axes[k] + " out of range for input " + Shape.format(x.shape()));
                    dims[k] = (int) a;
                }
            }
            if (pads.length != 2 * dims.length) {
                throw new IllegalArgumentException("Pad: " + pads.length + " pads " + Arrays.toString(pads) + " for " + dims.length + " axes of input "
                        + Shape.format(x.shape()) + " (2 per axis expected)");
            }
            if (mode.equals("constant") && spatialOnly(x, dims, pads)) { // the usual [N, C, H, W] zero padding, one pass
                int nd = dims.length;
                return new Tensor[] {InferenceKernels.pad(x, (int) pads[nd - 2], (int) pads[2 * nd - 2], (int) pads[nd - 1], (int) pads[2 * nd - 1], (float) value)};
            }
            for (int k = 0; k < dims.length; k++) x = padAxis(x, dims[k], pads[k], pads[k + dims.length], mode, value);
            return new Tensor[] {x};
        };
    }

    /**
     * Whether a constant Pad of x is for {@link InferenceKernels#pad}: float32 [N, C, H, W] recording no gradient, all
     * four axes listed in order, padding only the last two, by non-negative amounts that keep the size an int.
     */
    private static boolean spatialOnly(Tensor x, int[] dims, long[] pads) {
        if (x.dtype() != DType.FLOAT32 || x.dim() != 4 || dims.length != 4 || Autograd.isRecording(x)) return false;
        for (int k = 0; k < 4; k++) if (dims[k] != k) return false;
        if (pads[0] != 0 || pads[1] != 0 || pads[4] != 0 || pads[5] != 0) return false;
        for (long p : pads) if (p < 0 || p > 1 << 20) return false;
        return (long) x.size(2) + pads[2] + pads[6] < 1L << 24 && (long) x.size(3) + pads[3] + pads[7] < 1L << 24
                && (long) x.size(0) * x.size(1) * (x.size(2) + pads[2] + pads[6]) * (x.size(3) + pads[3] + pads[7]) <= Integer.MAX_VALUE - 8;
    }

    private static double constantValue(Tensor t) {
        if (t.numel() != 1) throw new IllegalArgumentException("Pad: constant_value should be one value, got " + Shape.format(t.shape()));
        return t.item();
    }

    private static Tensor padAxis(Tensor x, int d, long before, long after, String mode, double value) {
        int n = x.size(d);
        if (before < -n || after < -n || before + after < -n || before > Integer.MAX_VALUE / 4 || after > Integer.MAX_VALUE / 4) {
            throw new IllegalArgumentException("Pad: pads " + before + ", " + after + " invalid for axis " + d + " of size " + n);
        }
        if (before < 0 || after < 0) { // negative pads crop
            int from = (int) Math.max(0, -before), to = (int) (n - Math.max(0, -after));
            x = x.narrow(d, from, to - from);
            n = to - from;
            before = Math.max(0, before);
            after = Math.max(0, after);
        }
        if (before == 0 && after == 0) return x;
        int b = (int) before, e = (int) after;
        if (mode.equals("constant")) {
            List<Tensor> parts = new ArrayList<>();
            int[] s = x.shape().clone();
            if (b > 0) {
                s[d] = b;
                parts.add(Tensor.full(value, x.dtype(), s.clone()));
            }
            parts.add(x);
            if (e > 0) {
                s[d] = e;
                parts.add(Tensor.full(value, x.dtype(), s.clone()));
            }
            return Tensor.cat(parts, d);
        }
        if (n == 0) throw new IllegalArgumentException("Pad: mode '" + mode + "' cannot pad an empty axis " + d);
        long[] idx = new long[n + b + e];
        for (int j = 0; j < idx.length; j++) {
            long i = j - b;
            idx[j] = switch (mode) {
                case "edge" -> Math.clamp(i, 0, n - 1);
                case "wrap" -> Math.floorMod(i, n);
                default -> reflect(i, n);
            };
        }
        return x.indexSelect(d, Tensor.of(idx, idx.length));
    }

    /** Index i mirrored into [0, n) without repeating the edge (numpy's "reflect"), repeatedly if needed. */
    private static long reflect(long i, int n) {
        if (n == 1) return 0;
        long period = 2L * (n - 1);
        long m = Math.floorMod(i, period);
        return m < n ? m : period - m;
    }

    /** The coordinate transformation modes Resize implements, by opset. */
    private static Set<String> coordinateModes(long opset) {
        Set<String> s = new java.util.TreeSet<>(List.of("half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric"));
        if (opset < 13) s.add("tf_half_pixel_for_nn");
        if (opset >= 19) s.add("half_pixel_symmetric");
        return s;
    }

    /**
     * Resize (opset 11 on), modes nearest (every nearest_mode) and linear (separable: bilinear, trilinear, …), the
     * coordinate transformation modes of {@link #coordinateModes}; sizes from {@code scales} (⌊size · scale⌋) or
     * {@code sizes}, over every axis or those of the {@code axes} attribute (opset 18). Linear clamps the source
     * coordinate into the input, as ONNX Runtime does.
     */
    static OnnxOps.Kernel resize(NodeContext c) throws OnnxException {
        if (c.opset < 11) throw c.unsupported("Resize before opset 11 is not supported");
        c.arity(1, 4, 1, 1);
        String mode = c.s("mode", "nearest"), coords = c.s("coordinate_transformation_mode", "half_pixel");
        String nearest = c.s("nearest_mode", "round_prefer_floor");
        if (!mode.equals("nearest") && !mode.equals("linear")) throw c.unsupported("mode '" + mode + "' is not supported (nearest, linear)");
        if (!coordinateModes(c.opset).contains(coords)) {
            throw c.unsupported("coordinate_transformation_mode '" + coords + "' is not supported (" + String.join(", ", coordinateModes(c.opset)) + ")");
        }
        if (mode.equals("nearest") && !Set.of("round_prefer_floor", "round_prefer_ceil", "floor", "ceil").contains(nearest)) {
            throw c.unsupported("nearest_mode '" + nearest + "' is not supported (round_prefer_floor, round_prefer_ceil, floor, ceil)");
        }
        c.ignore("cubic_coeff_a", "exclude_outside", "extrapolation_value"); // cubic and tf_crop_and_resize only, both refused
        long[] axesGiven = null;
        if (c.opset >= 18) { // antialias, keep_aspect_ratio_policy and axes are defined from 18: before, they fail as unknown attributes
            if (c.i("antialias", 0) != 0) throw c.unsupported("antialias = 1 is not supported");
            String policy = c.s("keep_aspect_ratio_policy", "stretch");
            if (!policy.equals("stretch")) throw c.unsupported("keep_aspect_ratio_policy '" + policy + "' is not supported (stretch only)");
            axesGiven = c.longs("axes");
        }
        long[] axesAttr = axesGiven;
        boolean linear = mode.equals("linear");
        return in -> {
            Tensor x = in[0];
            int r = x.dim();
            int[] axes;
            if (axesAttr == null) {
                axes = new int[r];
                for (int k = 0; k < r; k++) axes[k] = k;
            } else {
                axes = new int[axesAttr.length];
                for (int k = 0; k < axes.length; k++) {
                    long a = axesAttr[k] < 0 ? axesAttr[k] + r : axesAttr[k];
                    if (a < 0 || a >= r) throw new IllegalArgumentException("Resize: axis " + axesAttr[k] + " out of range for input " + Shape.format(x.shape()));
                    axes[k] = (int) a;
                }
            }
            Tensor scales = in.length > 2 && in[2] != null && in[2].numel() > 0 ? in[2] : null;
            Tensor sizes = in.length > 3 && in[3] != null && in[3].numel() > 0 ? in[3] : null;
            if ((scales == null) == (sizes == null)) throw new IllegalArgumentException("Resize: exactly one of scales and sizes should be given");
            double[] sc = new double[axes.length];
            int[] out = new int[axes.length];
            double[] outExact = new double[axes.length];
            if (sizes != null) {
                long[] v = sizes.toLongArray();
                if (v.length != axes.length) throw new IllegalArgumentException("Resize: sizes " + Arrays.toString(v) + " should have " + axes.length + " values");
                for (int k = 0; k < axes.length; k++) {
                    if (v[k] < 1 || v[k] > Integer.MAX_VALUE / 2) throw new IllegalArgumentException("Resize: invalid size " + v[k] + " in " + Arrays.toString(v));
                    out[k] = (int) v[k];
                    sc[k] = (double) v[k] / x.size(axes[k]);
                    outExact[k] = v[k];
                }
            } else {
                double[] v = scales.to(DType.FLOAT32).to(DType.FLOAT64).toDoubleArray();
                if (v.length != axes.length) throw new IllegalArgumentException("Resize: scales " + Arrays.toString(v) + " should have " + axes.length + " values");
                for (int k = 0; k < axes.length; k++) {
                    double o = Math.floor(x.size(axes[k]) * v[k]);
                    if (!(v[k] > 0) || o < 1 || o > Integer.MAX_VALUE / 2) throw new IllegalArgumentException("Resize: invalid scale " + v[k] + " in " + Arrays.toString(v));
                    sc[k] = v[k];
                    out[k] = (int) o;
                    outExact[k] = x.size(axes[k]) * v[k];
                }
            }
            Tensor y = x;
            int[][] picks = new int[x.dim()][]; // nearest: the input index each output index reads, per resized axis
            boolean direct = x.dtype() == DType.FLOAT32 && x.dim() == 4 && !Autograd.isRecording(x);
            double[][] linearSrc = new double[Math.max(4, x.dim())][]; // linear, direct: the source coordinates of each resized axis
            boolean spatial = true; // whether only axes 2 and 3 change
            for (int k = 0; k < axes.length; k++) if (axes[k] < 2 && !(out[k] == x.size(axes[k]) && sc[k] == 1)) spatial = false;
            for (int k = 0; k < axes.length; k++) {
                int d = axes[k], n = x.size(d), m = out[k];
                if (m == n && sc[k] == 1) continue; // every mode maps i to i
                double[] src = new double[m];
                for (int i = 0; i < m; i++) src[i] = source(coords, i, sc[k], n, m, outExact[k]);
                if (direct && linear && spatial && d >= 2 && (k == 0 || axes[k - 1] < d)) {
                    linearSrc[d] = src;
                    continue;
                }
                if (direct && !linear && d >= 2) {
                    picks[d] = nearestIndices(src, n, nearest);
                    continue;
                }
                y = linear ? linearAxis(y, d, src) : nearestAxis(y, d, src, nearest);
            }
            if (direct && (picks[2] != null || picks[3] != null)) y = nearestPlanes(y, picks[2], picks[3]);
            if (linearSrc[2] != null || linearSrc[3] != null) y = linearPlanes(y, linearSrc[2], linearSrc[3]);
            return new Tensor[] {y};
        };
    }

    /** The input coordinate output index i reads, before rounding or clamping. */
    static double source(String mode, int i, double scale, int in, int out, double outExact) {
        return switch (mode) {
            case "asymmetric" -> i / scale;
            case "align_corners" -> out == 1 ? 0 : (double) i * (in - 1) / (out - 1);
            case "pytorch_half_pixel" -> out > 1 ? (i + 0.5) / scale - 0.5 : 0;
            case "tf_half_pixel_for_nn" -> (i + 0.5) / scale;
            case "half_pixel_symmetric" -> {
                double adjustment = out / outExact, center = in / 2.0;
                yield center * (1 - adjustment) + (i + 0.5) / scale - 0.5;
            }
            default -> (i + 0.5) / scale - 0.5; // half_pixel
        };
    }

    private static Tensor nearestAxis(Tensor x, int d, double[] src, String rounding) {
        int[] picked = nearestIndices(src, x.size(d), rounding);
        long[] idx = new long[picked.length];
        for (int i = 0; i < idx.length; i++) idx[i] = picked[i];
        return x.indexSelect(d, Tensor.of(idx, idx.length));
    }

    /** The input index (in [0, n)) nearest to each source coordinate, by the rounding mode. */
    private static int[] nearestIndices(double[] src, int n, String rounding) {
        int[] idx = new int[src.length];
        for (int i = 0; i < idx.length; i++) {
            double s = src[i];
            double v = switch (rounding) {
                case "floor" -> Math.floor(s);
                case "ceil" -> Math.ceil(s);
                case "round_prefer_ceil" -> Math.floor(s + 0.5);
                default -> Math.ceil(s - 0.5); // round_prefer_floor: halves go down
            };
            idx[i] = (int) Math.clamp(v, 0, n - 1);
        }
        return idx;
    }

    /**
     * Nearest resize of the last two axes of a float32 [N, C, H, W] tensor without gradients, in one pass (two
     * indexSelects wrote the tensor twice): out[n, c, i, j] = x[n, c, rows[i], cols[j]], null meaning the identity. An
     * output row reading the same input row as the one before is a copy of it.
     */
    private static Tensor nearestPlanes(Tensor x, int[] rows, int[] cols) {
        int planes = x.size(0) * x.size(1), h = x.size(2), w = x.size(3);
        int[] r = rows != null ? rows : java.util.stream.IntStream.range(0, h).toArray();
        int[] c = cols != null ? cols : java.util.stream.IntStream.range(0, w).toArray();
        int ho = r.length, wo = c.length;
        Tensor xc = x.detach().contiguous();
        Tensor y = Tensor.empty(DType.FLOAT32, x.size(0), x.size(1), ho, wo);
        float[] xa = xc.storage().floats(), ya = y.storage().floats();
        int xo = xc.storageOffset();
        Threads.forRange(planes, Math.max(1, (1 << 15) / Math.max(1, ho * wo)), (from, to) -> {
            for (int p = from; p < to; p++) {
                int src = xo + p * h * w, dst = p * ho * wo;
                for (int i = 0; i < ho; i++) {
                    int row = dst + i * wo;
                    if (i > 0 && r[i] == r[i - 1]) {
                        System.arraycopy(ya, row - wo, ya, row, wo);
                        continue;
                    }
                    int in = src + r[i] * w;
                    for (int j = 0; j < wo; j++) ya[row + j] = xa[in + c[j]];
                }
            }
        });
        return y;
    }

    /**
     * Linear resize of the last two axes of a float32 [N, C, H, W] tensor without gradients (null: the axis keeps its
     * size): {@link InferenceKernels#linearPlanes}, the same lower and upper indices and float32 weights as
     * {@link #linearAxis}, rows first, so the same values as the two indexSelect/sub/mul/add passes.
     */
    private static Tensor linearPlanes(Tensor x, double[] rowSrc, double[] colSrc) {
        int h = x.size(2), w = x.size(3);
        int[][] rows = linearTaps(rowSrc, h), cols = linearTaps(colSrc, w);
        return InferenceKernels.linearPlanes(x, rows[0], rows[1], weights(rowSrc, rows[0], h), cols[0], cols[1], weights(colSrc, cols[0], w));
    }

    /** Lower and upper input index per output index of an axis of size n (nulls when src is null: the axis is kept). */
    private static int[][] linearTaps(double[] src, int n) {
        if (src == null) return new int[2][];
        int m = src.length;
        int[] lo = new int[m], hi = new int[m];
        for (int i = 0; i < m; i++) {
            double s = Math.clamp(src[i], 0, n - 1);
            lo[i] = (int) Math.floor(s);
            hi[i] = Math.min(lo[i] + 1, n - 1);
        }
        return new int[][] {lo, hi};
    }

    /** The float32 weight of the upper index, as linearAxis rounds it (null where the axis keeps its size). */
    private static float[] weights(double[] src, int[] lo, int n) {
        if (src == null) return null;
        float[] t = new float[lo.length];
        for (int i = 0; i < t.length; i++) t[i] = (float) (Math.clamp(src[i], 0, n - 1) - lo[i]);
        return t;
    }

    private static Tensor linearAxis(Tensor x, int d, double[] src) {
        int n = x.size(d), m = src.length;
        long[] lo = new long[m], hi = new long[m];
        double[] w = new double[m];
        for (int i = 0; i < m; i++) {
            double s = Math.clamp(src[i], 0, n - 1);
            lo[i] = (long) Math.floor(s);
            hi[i] = Math.min(lo[i] + 1, n - 1);
            w[i] = s - lo[i];
        }
        int[] wShape = new int[x.dim()];
        Arrays.fill(wShape, 1);
        wShape[d] = m;
        DType t = x.dtype().isFloatingPoint() ? x.dtype() : DType.FLOAT32;
        Tensor wt = Tensor.of(w, m).to(t).reshape(wShape);
        Tensor a = x.indexSelect(d, Tensor.of(lo, m)), b = x.indexSelect(d, Tensor.of(hi, m));
        return a.add(b.sub(a).mul(wt));
    }
}
