package dev.descent.onnx;

import dev.descent.core.DType;
import dev.descent.core.Shape;
import dev.descent.core.Tensor;
import dev.descent.core.ops.Convolution;
import dev.descent.core.ops.FusedConvolution;
import dev.descent.core.ops.Normalization;
import dev.descent.core.ops.Pooling;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The ONNX ops Descent runs, each compiled once at load: attributes are read and checked (an unknown one fails
 * through {@link NodeContext#done}), and what is left is a {@link Kernel} of Descent ops, so gradients flow
 * through an imported model. Semantics follow the ONNX operator specification for opsets 7 to 21.
 */
final class OnnxOps {
    private OnnxOps() {}

    /** A compiled node: its inputs (null for an omitted optional input) to its outputs. */
    @FunctionalInterface
    interface Kernel {
        Tensor[] apply(Tensor[] in);
    }

    /** The op types of the default domain that compile. */
    static final Set<String> SUPPORTED = new TreeSet<>(List.of("Abs", "Add", "AveragePool", "BatchNormalization", "Cast", "Clip", "Concat",
            "Constant", "ConstantOfShape", "Conv", "ConvTranspose", "Div", "Dropout", "Equal", "Erf", "Exp", "Expand", "Flatten", "Gather", "Gelu",
            "Gemm", "GlobalAveragePool", "Greater", "HardSigmoid", "HardSwish", "Identity", "InstanceNormalization", "LayerNormalization",
            "LeakyRelu", "Less", "Log", "LogSoftmax", "MatMul", "MaxPool", "Mul", "Neg", "Not", "Pad", "Pow", "Range", "ReduceMax",
            "ReduceMean", "ReduceSum", "Relu", "Reshape", "Resize", "Shape", "Sigmoid", "Slice", "Softmax", "Split", "Sqrt", "Squeeze", "Sub",
            "Tanh", "Tile", "Transpose", "Unsqueeze", "Where",
            "GRU", "LSTM", "RNN", "If", "Loop", "Size"));

    static Kernel compile(NodeContext c) throws OnnxException {
        if (!c.node.domain().isEmpty()) throw c.unsupported("the domain '" + c.node.domain() + "' is not supported (only ai.onnx)");
        Kernel k = switch (c.node.opType()) {
            case "Relu" -> unary(c, Tensor::relu);
            case "Sigmoid" -> unary(c, Tensor::sigmoid);
            case "Tanh" -> unary(c, Tensor::tanh);
            case "Identity" -> unary(c, x -> x);
            case "Sqrt" -> unary(c, Tensor::sqrt);
            case "Neg" -> unary(c, Tensor::neg);
            case "Abs" -> unary(c, Tensor::abs);
            case "Exp" -> unary(c, Tensor::exp);
            case "Log" -> unary(c, Tensor::log);
            case "Erf" -> unary(c, Tensor::erf);
            case "LeakyRelu" -> leakyRelu(c);
            case "Equal" -> binary(c, Tensor::eq);
            case "Less" -> binary(c, Tensor::lt);
            case "Greater" -> binary(c, Tensor::gt);
            case "Where" -> where(c);
            case "Gather" -> gather(c);
            case "Expand" -> expand(c);
            case "ReduceSum" -> reduce(c, 13, (x, d, keep) -> x.sum(d, keep));
            case "ReduceMax" -> reduce(c, 18, (x, d, keep) -> x.max(d, keep));
            case "LogSoftmax" -> softmax(c, true);
            case "Pow" -> binary(c, (a, b) -> a.pow(b.dtype() == a.dtype() ? b : b.to(a.dtype())));
            case "HardSigmoid" -> hardSigmoid(c);
            case "Clip" -> clip(c);
            case "Cast" -> cast(c);
            case "Shape" -> shape(c);
            case "Squeeze" -> squeeze(c, true);
            case "Unsqueeze" -> squeeze(c, false);
            case "ReduceMean" -> reduce(c, 18, (x, d, keep) -> x.mean(d, keep));
            case "Slice" -> slice(c);
            case "ConvTranspose" -> convTranspose(c);
            case "Resize" -> Resampling.resize(c);
            case "Add" -> binary(c, Tensor::add);
            case "Sub" -> binary(c, Tensor::sub);
            case "Mul" -> binary(c, Tensor::mul);
            case "Div" -> binary(c, OnnxOps::div);
            case "MatMul" -> binary(c, Tensor::matmul);
            case "Gemm" -> gemm(c);
            case "Reshape" -> reshape(c);
            case "Flatten" -> flatten(c);
            case "Transpose" -> transpose(c);
            case "Concat" -> concat(c);
            case "Softmax" -> softmax(c, false);
            case "Constant" -> constant(c);
            case "Dropout" -> dropout(c);
            case "Conv" -> OnnxConv1d.applies(c) ? OnnxConv1d.conv(c) : conv(c);
            case "MaxPool" -> pool(c, true);
            case "AveragePool" -> pool(c, false);
            case "GlobalAveragePool" -> globalAveragePool(c);
            case "BatchNormalization" -> batchNorm(c);
            case "InstanceNormalization" -> instanceNorm(c);
            case "LayerNormalization" -> layerNorm(c);
            case "HardSwish" -> hardSwish(c);
            case "Gelu" -> gelu(c);
            case "Not" -> not(c);
            case "Split" -> split(c);
            case "Tile" -> tile(c);
            case "Range" -> range(c);
            case "ConstantOfShape" -> constantOfShape(c);
            case "Pad" -> Resampling.pad(c);
            case "LSTM" -> OnnxRecurrent.lstm(c);
            case "GRU" -> OnnxRecurrent.gru(c);
            case "RNN" -> OnnxRecurrent.rnn(c);
            case "Size" -> unary(c, x -> Tensor.of(new long[] {x.numel()}).reshape());
            case "If" -> OnnxControlFlow.ifOp(c);
            case "Loop" -> OnnxControlFlow.loop(c);
            default -> throw c.unsupported(c.node.opType() + " is not supported (supported: " + String.join(", ", SUPPORTED) + ")");
        };
        c.done();
        return k;
    }

    private static Kernel unary(NodeContext c, java.util.function.UnaryOperator<Tensor> f) throws OnnxException {
        c.arity(1, 1, 1, 1);
        return in -> new Tensor[] {f.apply(in[0])};
    }

    private static Kernel binary(NodeContext c, java.util.function.BinaryOperator<Tensor> f) throws OnnxException {
        c.arity(2, 2, 1, 1);
        return in -> new Tensor[] {f.apply(in[0], in[1])};
    }

    private static Kernel hardSigmoid(NodeContext c) throws OnnxException {
        c.arity(1, 1, 1, 1);
        double alpha = c.f("alpha", 0.2f), beta = c.f("beta", 0.5f);
        if (alpha == 1f / 6 && beta == 0.5) return in -> new Tensor[] {in[0].hardsigmoid()}; // PyTorch's hardsigmoid, one pass
        return in -> new Tensor[] {in[0].mul(alpha).add(beta).clamp(0, 1)};
    }

    private static Kernel clip(NodeContext c) throws OnnxException {
        if (c.opset < 11) {
            c.arity(1, 1, 1, 1);
            double lo = c.f("min", Float.NEGATIVE_INFINITY), hi = c.f("max", Float.POSITIVE_INFINITY);
            return in -> new Tensor[] {in[0].clamp(lo, hi)};
        }
        c.arity(1, 3, 1, 1);
        return in -> {
            double lo = in.length > 1 && in[1] != null ? in[1].item() : Double.NEGATIVE_INFINITY;
            double hi = in.length > 2 && in[2] != null ? in[2].item() : Double.POSITIVE_INFINITY;
            return new Tensor[] {in[0].clamp(lo, hi)};
        };
    }

    private static Kernel cast(NodeContext c) throws OnnxException {
        c.arity(1, 1, 1, 1);
        if (!c.has("to")) throw c.unsupported("attribute 'to' is required");
        long to = c.i("to", 0);
        c.ignore("saturate"); // only for float8 targets, which are refused below
        DType d = switch ((int) to) {
            case OnnxFile.FLOAT -> DType.FLOAT32;
            case OnnxFile.DOUBLE -> DType.FLOAT64;
            case OnnxFile.INT64, OnnxFile.INT32 -> DType.INT64; // int32 is held as int64, Descent's integer type
            case OnnxFile.BOOL -> DType.BOOL;
            case OnnxFile.FLOAT16 -> DType.FLOAT16;
            case OnnxFile.BFLOAT16 -> DType.BFLOAT16;
            case OnnxFile.INT8 -> DType.INT8;
            case OnnxFile.UINT8 -> DType.UINT8;
            default -> throw c.unsupported("Cast to data type " + to + " is not supported (FLOAT, DOUBLE, INT64, INT32, BOOL, FLOAT16, BFLOAT16, INT8, UINT8)");
        };
        return in -> new Tensor[] {in[0].to(d)};
    }

    private static Kernel shape(NodeContext c) throws OnnxException {
        c.arity(1, 1, 1, 1);
        long start = c.i("start", 0), end = c.has("end") ? c.i("end", 0) : Long.MAX_VALUE;
        return in -> {
            int[] s = in[0].shape();
            int r = s.length;
            int a = (int) Math.clamp(start < 0 ? start + r : start, 0, r), b = (int) Math.clamp(end < 0 ? end + r : end, 0, r);
            long[] v = new long[Math.max(0, b - a)];
            for (int k = 0; k < v.length; k++) v[k] = s[a + k];
            return new Tensor[] {Tensor.of(v, v.length)};
        };
    }

    /** Squeeze or Unsqueeze: axes as an attribute before opset 13, as an input from 13. */
    private static Kernel squeeze(NodeContext c, boolean squeeze) throws OnnxException {
        long[] attrAxes;
        if (c.opset < 13) {
            c.arity(1, 1, 1, 1);
            attrAxes = c.longs("axes");
            if (!squeeze && attrAxes == null) throw c.unsupported("attribute 'axes' is required");
        } else {
            c.arity(squeeze ? 1 : 2, 2, 1, 1);
            attrAxes = null;
        }
        return in -> {
            long[] axes = attrAxes != null ? attrAxes : in.length > 1 && in[1] != null ? in[1].toLongArray() : null;
            Tensor x = in[0];
            int[] s = x.shape();
            if (squeeze) {
                boolean[] drop = new boolean[s.length];
                if (axes == null) {
                    for (int k = 0; k < s.length; k++) drop[k] = s[k] == 1;
                } else {
                    for (long a : axes) {
                        int k = (int) (a < 0 ? a + s.length : a);
                        if (k < 0 || k >= s.length || s[k] != 1) throw new IllegalArgumentException("Squeeze: axis " + a + " is not a dimension of size 1 in " + Shape.format(s));
                        drop[k] = true;
                    }
                }
                List<Integer> keep = new ArrayList<>();
                for (int k = 0; k < s.length; k++) if (!drop[k]) keep.add(s[k]);
                return new Tensor[] {x.reshape(keep.stream().mapToInt(Integer::intValue).toArray())};
            }
            int r = s.length + axes.length;
            boolean[] added = new boolean[r];
            for (long a : axes) {
                int k = (int) (a < 0 ? a + r : a);
                if (k < 0 || k >= r || added[k]) throw new IllegalArgumentException("Unsqueeze: axes " + Arrays.toString(axes) + " invalid for input " + Shape.format(s));
                added[k] = true;
            }
            int[] out = new int[r];
            for (int k = 0, j = 0; k < r; k++) out[k] = added[k] ? 1 : s[j++];
            return new Tensor[] {x.reshape(out)};
        };
    }

    /** A reduction over dimensions, given a tensor, its dims and keepdim. */
    @FunctionalInterface
    private interface Reduction {
        Tensor apply(Tensor x, int[] dims, boolean keepdim);
    }

    /** ReduceSum, ReduceMean, ReduceMax: axes as an attribute before {@code inputSince}, as an optional input from it. */
    private static Kernel reduce(NodeContext c, long inputSince, Reduction f) throws OnnxException {
        long[] attrAxes = null;
        boolean noopEmpty = false;
        if (c.opset < inputSince) {
            c.arity(1, 1, 1, 1);
            attrAxes = c.longs("axes");
        } else {
            c.arity(1, 2, 1, 1);
            noopEmpty = c.i("noop_with_empty_axes", 0) != 0;
        }
        boolean keep = c.i("keepdims", 1) != 0;
        long[] fixed = attrAxes;
        boolean noop = noopEmpty;
        return in -> {
            long[] axes = fixed != null ? fixed : in.length > 1 && in[1] != null ? in[1].toLongArray() : new long[0];
            Tensor x = in[0];
            if (axes.length == 0) {
                if (noop) return new Tensor[] {x};
                axes = new long[x.dim()];
                for (int k = 0; k < axes.length; k++) axes[k] = k;
            }
            int[] dims = new int[axes.length];
            for (int k = 0; k < dims.length; k++) dims[k] = (int) (axes[k] < 0 ? axes[k] + x.dim() : axes[k]);
            return new Tensor[] {f.apply(x, dims, keep)};
        };
    }

    private static Kernel leakyRelu(NodeContext c) throws OnnxException {
        c.arity(1, 1, 1, 1);
        double alpha = c.f("alpha", 0.01f);
        return in -> new Tensor[] {in[0].leakyRelu(alpha)};
    }

    private static Kernel where(NodeContext c) throws OnnxException {
        c.arity(3, 3, 1, 1);
        return in -> new Tensor[] {Tensor.where(in[0], in[1], in[2])};
    }

    /** Gather: out[..., idx..., ...] = data[..., index[idx...], ...] along axis; negative indices count from the end. */
    private static Kernel gather(NodeContext c) throws OnnxException {
        c.arity(2, 2, 1, 1);
        long axis = c.i("axis", 0);
        return in -> {
            Tensor x = in[0], index = in[1];
            int r = x.dim(), a = (int) (axis < 0 ? axis + r : axis);
            if (a < 0 || a >= r) throw new IllegalArgumentException("Gather: axis " + axis + " out of range for data " + Shape.format(x.shape()));
            long[] idx = index.toLongArray();
            int n = x.size(a);
            for (int k = 0; k < idx.length; k++) {
                long v = idx[k] < 0 ? idx[k] + n : idx[k];
                if (v < 0 || v >= n) throw new IllegalArgumentException("Gather: index " + idx[k] + " out of range for size " + n);
                idx[k] = v;
            }
            Tensor picked = x.indexSelect(a, Tensor.of(idx, idx.length));
            int[] xs = x.shape(), is = index.shape(), out = new int[r - 1 + is.length];
            System.arraycopy(xs, 0, out, 0, a);
            System.arraycopy(is, 0, out, a, is.length);
            System.arraycopy(xs, a + 1, out, a + is.length, r - a - 1);
            return new Tensor[] {picked.reshape(out)};
        };
    }

    /** Expand: broadcast both ways, to the broadcast of the input's shape and the given one. */
    private static Kernel expand(NodeContext c) throws OnnxException {
        c.arity(2, 2, 1, 1);
        return in -> {
            long[] spec = in[1].toLongArray();
            int[] target = new int[spec.length];
            for (int k = 0; k < spec.length; k++) {
                if (spec[k] < 0 || spec[k] > Integer.MAX_VALUE) throw new IllegalArgumentException("Expand: invalid size " + spec[k]);
                target[k] = (int) spec[k];
            }
            return new Tensor[] {in[0].expand(Shape.broadcast("Expand", in[0].shape(), target))};
        };
    }

    private static Kernel slice(NodeContext c) throws OnnxException {
        long[] aStarts = null, aEnds = null, aAxes = null;
        if (c.opset < 10) {
            c.arity(1, 1, 1, 1);
            aStarts = c.longs("starts");
            aEnds = c.longs("ends");
            aAxes = c.longs("axes");
            if (aStarts == null || aEnds == null) throw c.unsupported("attributes 'starts' and 'ends' are required");
        } else {
            c.arity(3, 5, 1, 1);
            Tensor steps = c.constant(4);
            if (steps != null) for (long st : steps.toLongArray()) if (st == 0) throw c.unsupported("Slice with step 0 is invalid");
            if (c.hasInput(4) && steps == null) throw c.unsupported("Slice steps not known at load are not supported (checked at load)");
        }
        long[] fs = aStarts, fe = aEnds, fa = aAxes;
        return in -> {
            long[] starts = fs != null ? fs : in[1].toLongArray(), ends = fe != null ? fe : in[2].toLongArray();
            long[] axes = fa != null ? fa : in.length > 3 && in[3] != null ? in[3].toLongArray() : null;
            long[] steps = in.length > 4 && in[4] != null ? in[4].toLongArray() : null;
            Tensor x = in[0];
            if (starts.length != ends.length) throw new IllegalArgumentException("Slice: " + starts.length + " starts but " + ends.length + " ends");
            for (int k = 0; k < starts.length; k++) {
                int d = axes == null ? k : (int) (axes[k] < 0 ? axes[k] + x.dim() : axes[k]);
                long n = x.size(d);
                long a = starts[k] < 0 ? starts[k] + n : starts[k], b = ends[k] < 0 ? ends[k] + n : ends[k];
                if (steps != null && steps[k] < 0) {
                    x = x.indexSelect(d, backwardIndices(a, b, steps[k], n)); // start clamped to [0, n-1], end to [-1, n-1]
                    continue;
                }
                a = Math.clamp(a, 0, n);
                b = Math.clamp(b, a, n);
                x = x.slice(d, (int) a, (int) b, steps == null ? 1 : (int) steps[k]);
            }
            return new Tensor[] {x};
        };
    }

    /** The indices a Slice with a negative step takes: from start down to (not including) end, start clamped to [0, n−1], end to [−1, n−1]. */
    private static Tensor backwardIndices(long start, long end, long step, long n) {
        long a = Math.clamp(start, 0, n - 1), b = Math.clamp(end, -1, n - 1);
        int count = a > b ? (int) ((a - b - 1) / -step + 1) : 0;
        long[] idx = new long[count];
        for (int k = 0; k < count; k++) idx[k] = a + k * step;
        return Tensor.of(idx, count);
    }

    private static Kernel convTranspose(NodeContext c) throws OnnxException {
        c.arity(2, 3, 1, 1);
        Tensor w = c.constant(1);
        if (w != null && w.dim() != 4) throw c.unsupported("a weight of rank " + w.dim() + " (" + (w.dim() - 2) + "-D ConvTranspose) is not supported (2-D only)");
        Spatial sp = spatial(c, w != null ? 2 : -1);
        if (!sp.autoPad().equals("NOTSET")) throw c.unsupported("auto_pad '" + sp.autoPad() + "' is not supported for ConvTranspose (explicit pads only)");
        if (c.has("output_shape")) throw c.unsupported("attribute 'output_shape' is not supported (use pads and output_padding)");
        int[] p = sp.pads();
        if (p[0] != p[2] || p[1] != p[3]) throw c.unsupported("asymmetric pads " + Arrays.toString(p) + " are not supported for ConvTranspose");
        int[] op = c.ints("output_padding");
        if (op != null && op.length != 2) throw c.unsupported("output_padding should have 2 values, has " + op.length);
        int oph = op == null ? 0 : op[0], opw = op == null ? 0 : op[1];
        int groups = c.int32("group", 1);
        if (groups < 1) throw c.unsupported("group = " + groups + " should be >= 1");
        Convolution.Params cp = new Convolution.Params(sp.strides()[0], sp.strides()[1], p[0], p[1], sp.dilations()[0], sp.dilations()[1], groups);
        return in -> {
            Tensor wt = in[1];
            if (sp.kernel() != null && wt.dim() == 4 && (sp.kernel()[0] != wt.size(2) || sp.kernel()[1] != wt.size(3))) {
                throw new IllegalArgumentException("ConvTranspose: kernel_shape " + Arrays.toString(sp.kernel()) + " disagrees with weight " + Shape.format(wt.shape()));
            }
            Tensor fast = UpsampleConv.tryConv(in[0], wt, in.length > 2 ? in[2] : null, cp.sh(), cp.sw(), p, cp.dh(), cp.dw(), groups, oph, opw);
            if (fast != null) return new Tensor[] {fast};
            return new Tensor[] {Convolution.convTranspose2d(in[0], wt, in.length > 2 ? in[2] : null, cp, oph, opw)};
        };
    }

    /** Div: integer division truncates toward zero (as C), floats divide. */
    private static Tensor div(Tensor a, Tensor b) {
        if (a.dtype() != DType.INT64 || b.dtype() != DType.INT64) return a.div(b);
        int[] shape = Shape.broadcast("Div", a.shape(), b.shape());
        long[] x = a.expand(shape).contiguous().toLongArray(), y = b.expand(shape).contiguous().toLongArray(), r = new long[x.length];
        for (int i = 0; i < r.length; i++) {
            if (y[i] == 0) throw new ArithmeticException("Div: integer division by zero");
            r[i] = x[i] / y[i];
        }
        return Tensor.of(r, r.length).reshape(shape);
    }

    private static Kernel gemm(NodeContext c) throws OnnxException {
        c.arity(2, 3, 1, 1);
        double alpha = c.f("alpha", 1f), beta = c.f("beta", 1f);
        boolean ta = c.i("transA", 0) != 0, tb = c.i("transB", 0) != 0;
        if (c.opset < 7) c.ignore("broadcast");
        return in -> {
            Tensor a = ta ? in[0].t() : in[0], b = tb ? in[1].t() : in[1];
            Tensor y = a.matmul(b);
            if (alpha != 1) y = y.mul(alpha);
            if (in.length > 2 && in[2] != null && beta != 0) y = y.add(beta == 1 ? in[2] : in[2].mul(beta));
            return new Tensor[] {y};
        };
    }

    private static Kernel reshape(NodeContext c) throws OnnxException {
        if (c.opset < 5) throw c.unsupported("Reshape before opset 5 (shape as an attribute) is not supported");
        c.arity(2, 2, 1, 1);
        boolean allowZero = c.i("allowzero", 0) != 0;
        return in -> new Tensor[] {in[0].reshape(reshapeTarget(in[0].shape(), in[1].toLongArray(), allowZero))};
    }

    /** Reshape's target: 0 copies the input's size at that position (unless allowzero), one -1 is inferred. */
    static int[] reshapeTarget(int[] from, long[] spec, boolean allowZero) {
        int[] to = new int[spec.length];
        int infer = -1;
        long known = 1, total = 1;
        for (int d : from) total *= d;
        for (int k = 0; k < spec.length; k++) {
            long v = spec[k];
            if (v == -1) {
                if (infer >= 0) throw new IllegalArgumentException("Reshape: more than one -1 in shape " + Arrays.toString(spec));
                infer = k;
                continue;
            }
            if (v == 0 && !allowZero) {
                if (k >= from.length) throw new IllegalArgumentException("Reshape: 0 at position " + k + " of " + Arrays.toString(spec) + " but the input " + Shape.format(from) + " has no such dimension");
                v = from[k];
            }
            if (v < 0 || v > Integer.MAX_VALUE) throw new IllegalArgumentException("Reshape: invalid size " + v + " in shape " + Arrays.toString(spec));
            to[k] = (int) v;
            known *= v;
        }
        if (infer >= 0) {
            if (known == 0 || total % known != 0) throw new IllegalArgumentException("Reshape: cannot infer -1 in " + Arrays.toString(spec) + " for input " + Shape.format(from));
            to[infer] = (int) (total / known);
        }
        return to;
    }

    private static Kernel flatten(NodeContext c) throws OnnxException {
        c.arity(1, 1, 1, 1);
        long axis = c.i("axis", 1);
        return in -> {
            int[] s = in[0].shape();
            int a = (int) (axis < 0 ? axis + s.length : axis);
            if (a < 0 || a > s.length) throw new IllegalArgumentException("Flatten: axis " + axis + " out of range for input " + Shape.format(s));
            int outer = 1, inner = 1;
            for (int k = 0; k < s.length; k++) {
                if (k < a) outer *= s[k];
                else inner *= s[k];
            }
            return new Tensor[] {in[0].reshape(outer, inner)};
        };
    }

    private static Kernel transpose(NodeContext c) throws OnnxException {
        c.arity(1, 1, 1, 1);
        int[] perm = c.ints("perm");
        return in -> {
            int[] p = perm;
            if (p == null) {
                p = new int[in[0].dim()];
                for (int k = 0; k < p.length; k++) p[k] = p.length - 1 - k;
            }
            return new Tensor[] {in[0].permute(p)};
        };
    }

    private static Kernel concat(NodeContext c) throws OnnxException {
        c.arity(1, Integer.MAX_VALUE, 1, 1);
        if (!c.has("axis")) throw c.unsupported("attribute 'axis' is required");
        long axis = c.i("axis", 0);
        return in -> {
            int rank = in[0].dim();
            int a = (int) (axis < 0 ? axis + rank : axis);
            return new Tensor[] {Tensor.cat(Arrays.asList(in), a)};
        };
    }

    private static Kernel softmax(NodeContext c, boolean log) throws OnnxException {
        c.arity(1, 1, 1, 1);
        boolean coerce = c.opset < 13; // before 13: flatten to 2-D at axis, softmax over the whole second part
        long axis = c.i("axis", coerce ? 1 : -1);
        return in -> {
            Tensor x = in[0];
            int[] s = x.shape();
            int a = (int) (axis < 0 ? axis + s.length : axis);
            if (a < 0 || a >= Math.max(s.length, 1)) throw new IllegalArgumentException("Softmax: axis " + axis + " out of range for input " + Shape.format(s));
            if (!coerce) return new Tensor[] {log ? x.logSoftmax(a) : x.softmax(a)};
            int outer = 1, inner = 1;
            for (int k = 0; k < s.length; k++) {
                if (k < a) outer *= s[k];
                else inner *= s[k];
            }
            Tensor flat = x.reshape(outer, inner);
            return new Tensor[] {(log ? flat.logSoftmax(1) : flat.softmax(1)).reshape(s)};
        };
    }

    /** The value of a Constant node (computed at load). */
    static Tensor constantValue(NodeContext c) throws OnnxException {
        c.arity(0, 0, 1, 1);
        List<Tensor> found = new ArrayList<>();
        Tensor t = c.tensor("value");
        if (t != null) found.add(t);
        if (c.has("value_float")) found.add(Tensor.of(c.f("value_float", 0)));
        if (c.has("value_floats")) {
            float[] f = c.floats("value_floats");
            found.add(Tensor.of(f, f.length));
        }
        if (c.has("value_int")) found.add(Tensor.of(new long[] {c.i("value_int", 0)}, 1).reshape());
        if (c.has("value_ints")) {
            long[] v = c.longs("value_ints");
            found.add(Tensor.of(v, v.length));
        }
        c.done();
        if (found.size() != 1) throw c.unsupported("exactly one of value, value_float, value_floats, value_int, value_ints expected, " + found.size() + " given");
        return found.get(0);
    }

    private static Kernel constant(NodeContext c) throws OnnxException {
        Tensor v = constantValue(c);
        return in -> new Tensor[] {v};
    }

    private static Kernel dropout(NodeContext c) throws OnnxException {
        c.arity(1, 3, 1, 2);
        c.ignore("ratio", "seed"); // inference: no effect
        if (c.opset < 7 && c.i("is_test", 0) == 0) throw c.unsupported("Dropout in training mode (is_test = 0) is not supported");
        if (c.hasInput(2)) {
            Tensor mode = c.constant(2);
            if (mode == null) throw c.unsupported("a training_mode input not known at load is not supported");
            if (mode.toLongArray().length != 1 || mode.toLongArray()[0] != 0) throw c.unsupported("Dropout in training mode is not supported");
        }
        boolean mask = c.hasOutput(1);
        return in -> mask ? new Tensor[] {in[0], Tensor.ones(DType.BOOL, in[0].shape())} : new Tensor[] {in[0]};
    }

    private static Kernel globalAveragePool(NodeContext c) throws OnnxException {
        c.arity(1, 1, 1, 1);
        return in -> {
            int r = in[0].dim();
            if (r < 3) throw new IllegalArgumentException("GlobalAveragePool: input must be [N, C, ...], got " + Shape.format(in[0].shape()));
            int[] dims = new int[r - 2];
            for (int k = 0; k < dims.length; k++) dims[k] = k + 2;
            return new Tensor[] {in[0].mean(dims, true)};
        };
    }

    private static Kernel instanceNorm(NodeContext c) throws OnnxException {
        c.arity(3, 3, 1, 1);
        double eps = c.f("epsilon", 1e-5f);
        return in -> {
            Tensor x = in[0];
            int r = x.dim();
            if (r < 3) throw new IllegalArgumentException("InstanceNormalization: input must be [N, C, ...], got " + Shape.format(x.shape()));
            int ch = x.size(1);
            if (in[1].numel() != ch || in[2].numel() != ch) {
                throw new IllegalArgumentException("InstanceNormalization: scale " + Shape.format(in[1].shape()) + " and bias " + Shape.format(in[2].shape())
                        + " should hold " + ch + " values, one per channel of " + Shape.format(x.shape()));
            }
            int[] dims = new int[r - 2], perChannel = new int[r - 1];
            for (int k = 0; k < dims.length; k++) dims[k] = k + 2;
            Arrays.fill(perChannel, 1);
            perChannel[0] = ch;
            Tensor centered = x.sub(x.mean(dims, true));
            Tensor y = centered.div(centered.square().mean(dims, true).add(eps).sqrt());
            return new Tensor[] {y.mul(in[1].reshape(perChannel)).add(in[2].reshape(perChannel))};
        };
    }

    /** LayerNormalization (opset 17): normalise over the dimensions from {@code axis} on, then scale and shift (broadcast). */
    private static Kernel layerNorm(NodeContext c) throws OnnxException {
        if (c.opset < 17) throw c.unsupported("LayerNormalization is defined from opset 17");
        c.arity(2, 3, 1, 1); // the optional Mean and InvStdDev outputs are not supported
        long axis = c.i("axis", -1);
        double eps = c.f("epsilon", 1e-5f);
        long stash = c.i("stash_type", 1);
        if (stash != 1) throw c.unsupported("stash_type = " + stash + " is not supported (1, float, only)");
        return in -> {
            Tensor x = in[0];
            int r = x.dim(), a = (int) (axis < 0 ? axis + r : axis);
            if (a < 0 || a >= r) throw new IllegalArgumentException("LayerNormalization: axis " + axis + " out of range for input " + Shape.format(x.shape()));
            int[] dims = new int[r - a];
            for (int k = 0; k < dims.length; k++) dims[k] = a + k;
            Tensor centered = x.sub(x.mean(dims, true));
            Tensor y = centered.div(centered.square().mean(dims, true).add(eps).sqrt()).mul(in[1]);
            return new Tensor[] {in.length > 2 && in[2] != null ? y.add(in[2]) : y};
        };
    }

    private static Kernel hardSwish(NodeContext c) throws OnnxException {
        if (c.opset < 14) throw c.unsupported("HardSwish is defined from opset 14");
        c.arity(1, 1, 1, 1);
        return in -> new Tensor[] {in[0].hardswish()};
    }

    private static Kernel gelu(NodeContext c) throws OnnxException {
        if (c.opset < 20) throw c.unsupported("Gelu is defined from opset 20");
        c.arity(1, 1, 1, 1);
        String approx = c.s("approximate", "none");
        if (!approx.equals("none") && !approx.equals("tanh")) throw c.unsupported("approximate '" + approx + "' is not supported (none, tanh)");
        boolean tanh = approx.equals("tanh");
        return in -> new Tensor[] {tanh ? in[0].geluTanh() : in[0].gelu()};
    }

    private static Kernel not(NodeContext c) throws OnnxException {
        c.arity(1, 1, 1, 1);
        return in -> {
            if (in[0].dtype() != DType.BOOL) throw new IllegalArgumentException("Not: input should be bool, is " + in[0].dtype());
            return new Tensor[] {in[0].eq(0)};
        };
    }

    /**
     * Split along {@code axis}: sizes from the {@code split} attribute (before opset 13) or input (from 13); else equal parts, one
     * per output (before 18) or {@code num_outputs} parts of ⌈n / num_outputs⌉, the last smaller (from 18).
     */
    private static Kernel split(NodeContext c) throws OnnxException {
        int outs = c.node.outputs().size();
        long axis = c.i("axis", 0);
        long[] attrSplit = null;
        long numOutputs = -1;
        if (c.opset < 13) {
            c.arity(1, 1, 1, Integer.MAX_VALUE);
            attrSplit = c.longs("split");
        } else {
            c.arity(1, 2, 1, Integer.MAX_VALUE);
            if (c.opset >= 18) {
                if (c.has("num_outputs")) {
                    numOutputs = c.i("num_outputs", 0);
                    if (c.hasInput(1)) throw c.unsupported("both the 'split' input and the 'num_outputs' attribute are given");
                    if (numOutputs != outs) throw c.unsupported("num_outputs = " + numOutputs + " but the node has " + outs + " outputs");
                } else if (!c.hasInput(1)) {
                    throw c.unsupported("either the 'split' input or the 'num_outputs' attribute is required");
                }
            }
        }
        if (attrSplit != null && attrSplit.length != outs) throw c.unsupported("split " + Arrays.toString(attrSplit) + " has " + attrSplit.length + " sizes for " + outs + " outputs");
        long[] fixed = attrSplit;
        boolean ceilParts = numOutputs > 0;
        return in -> {
            Tensor x = in[0];
            int r = x.dim(), a = (int) (axis < 0 ? axis + r : axis);
            if (a < 0 || a >= r) throw new IllegalArgumentException("Split: axis " + axis + " out of range for input " + Shape.format(x.shape()));
            int n = x.size(a);
            long[] sizes = fixed != null ? fixed : in.length > 1 && in[1] != null ? in[1].toLongArray() : null;
            if (sizes == null) {
                sizes = new long[outs];
                if (ceilParts) {
                    long part = (n + outs - 1) / outs;
                    for (int k = 0; k < outs; k++) sizes[k] = Math.max(0, Math.min(part, n - k * part));
                } else {
                    if (n % outs != 0) throw new IllegalArgumentException("Split: size " + n + " of axis " + a + " does not divide into " + outs + " equal parts");
                    Arrays.fill(sizes, n / outs);
                }
            }
            if (sizes.length != outs) throw new IllegalArgumentException("Split: " + sizes.length + " sizes " + Arrays.toString(sizes) + " for " + outs + " outputs");
            long total = 0;
            for (long s : sizes) {
                if (s < 0) throw new IllegalArgumentException("Split: negative size in " + Arrays.toString(sizes));
                total += s;
            }
            if (total != n) throw new IllegalArgumentException("Split: sizes " + Arrays.toString(sizes) + " add up to " + total + ", not the size " + n + " of axis " + a);
            Tensor[] out = new Tensor[outs];
            int at = 0;
            for (int k = 0; k < outs; k++) {
                out[k] = x.narrow(a, at, (int) sizes[k]);
                at += (int) sizes[k];
            }
            return out;
        };
    }

    private static Kernel tile(NodeContext c) throws OnnxException {
        c.arity(2, 2, 1, 1);
        return in -> {
            long[] reps = in[1].toLongArray();
            if (reps.length != in[0].dim()) throw new IllegalArgumentException("Tile: " + reps.length + " repeats for input " + Shape.format(in[0].shape()) + " (one per dimension expected)");
            int[] r = new int[reps.length];
            for (int k = 0; k < r.length; k++) {
                if (reps[k] < 0 || reps[k] > Integer.MAX_VALUE) throw new IllegalArgumentException("Tile: invalid repeat " + reps[k] + " in " + Arrays.toString(reps));
                r[k] = (int) reps[k];
            }
            return new Tensor[] {in[0].repeat(r)};
        };
    }

    /** Range: ⌈(limit − start) / delta⌉ values start + i·delta (at least none), of start's type. */
    private static Kernel range(NodeContext c) throws OnnxException {
        c.arity(3, 3, 1, 1);
        return in -> {
            for (Tensor t : in) if (t.numel() != 1) throw new IllegalArgumentException("Range: start, limit and delta should be scalars, got " + Shape.format(t.shape()));
            DType d = in[0].dtype();
            if (d == DType.INT64) {
                long start = in[0].toLongArray()[0], limit = in[1].toLongArray()[0], delta = in[2].toLongArray()[0];
                if (delta == 0) throw new IllegalArgumentException("Range: delta is 0");
                long n = Math.max(0, Math.ceilDiv(limit - start, delta));
                if (n > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("Range: " + n + " values are too many");
                long[] v = new long[(int) n];
                for (int k = 0; k < v.length; k++) v[k] = start + k * delta;
                return new Tensor[] {Tensor.of(v, v.length)};
            }
            double start = in[0].item(), limit = in[1].item(), delta = in[2].item();
            if (delta == 0 || Double.isNaN(delta)) throw new IllegalArgumentException("Range: delta is " + delta);
            double n = Math.max(0, Math.ceil((limit - start) / delta));
            if (!(n <= Integer.MAX_VALUE - 8)) throw new IllegalArgumentException("Range: " + n + " values are too many");
            return new Tensor[] {Tensor.arange(start, limit, delta, d)};
        };
    }

    private static Kernel constantOfShape(NodeContext c) throws OnnxException {
        c.arity(1, 1, 1, 1);
        Tensor value = c.tensor("value");
        if (value != null && value.numel() != 1) throw c.unsupported("attribute 'value' should hold one element, holds " + value.numel());
        Tensor v = value == null ? Tensor.of(0f) : value;
        double fill = v.item();
        DType d = v.dtype();
        return in -> {
            long[] spec = in[0].toLongArray();
            int[] shape = new int[spec.length];
            long count = 1;
            for (int k = 0; k < spec.length; k++) {
                if (spec[k] < 0 || spec[k] > Integer.MAX_VALUE) throw new IllegalArgumentException("ConstantOfShape: invalid size " + spec[k] + " in " + Arrays.toString(spec));
                shape[k] = (int) spec[k];
                count *= spec[k];
                if (count > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("ConstantOfShape: shape " + Arrays.toString(spec) + " is too large");
            }
            return new Tensor[] {Tensor.full(fill, d, shape)};
        };
    }

    private static Kernel batchNorm(NodeContext c) throws OnnxException {
        c.arity(5, 5, 1, 1);
        double eps = c.f("epsilon", 1e-5f);
        c.ignore("momentum"); // only training updates running statistics
        if (c.i("training_mode", 0) != 0) throw c.unsupported("training_mode = 1 is not supported (inference only)");
        if (c.opset < 9 && c.i("spatial", 1) != 1) throw c.unsupported("spatial = 0 is not supported");
        if (c.opset < 7) c.ignore("is_test", "consumed_inputs");
        return in -> new Tensor[] {InferenceBatchNorm.apply(in[0], in[1], in[2], in[3], in[4], eps)};
    }

    /** Spatial settings of Conv and the pools, 2-D. */
    private record Spatial(int[] kernel, int[] strides, int[] dilations, int[] pads, String autoPad) {
        /** [top, left, bottom, right] for an input of height h and width w. */
        int[] padsFor(int h, int w, int kh, int kw) {
            if (autoPad.equals("NOTSET")) return pads;
            if (autoPad.equals("VALID")) return new int[4];
            int[] size = {h, w}, k = {kh, kw}, p = new int[4];
            for (int d = 0; d < 2; d++) {
                int out = (size[d] + strides[d] - 1) / strides[d];
                int total = Math.max(0, (out - 1) * strides[d] + (k[d] - 1) * dilations[d] + 1 - size[d]);
                int small = total / 2;
                p[d] = autoPad.equals("SAME_UPPER") ? small : total - small;
                p[d + 2] = total - p[d];
            }
            return p;
        }
    }

    private static Spatial spatial(NodeContext c, int rankFromWeight) throws OnnxException {
        int[] kernel = c.ints("kernel_shape"), strides = c.ints("strides"), dil = c.ints("dilations"), pads = c.ints("pads");
        String autoPad = c.s("auto_pad", "NOTSET");
        if (!Set.of("NOTSET", "VALID", "SAME_UPPER", "SAME_LOWER").contains(autoPad)) throw c.unsupported("auto_pad '" + autoPad + "' is not supported");
        if (autoPad.equals("NOTSET") && pads == null) pads = new int[4];
        int spatial = kernel != null ? kernel.length : strides != null ? strides.length : dil != null ? dil.length : pads != null && !autoPad.equals("NOTSET") ? pads.length / 2 : rankFromWeight;
        if (spatial != 2 && spatial != -1) throw c.unsupported(spatial + "-D " + c.node.opType() + " is not supported (2-D only)");
        if ((kernel != null && kernel.length != 2) || (strides != null && strides.length != 2) || (dil != null && dil.length != 2)
                || (pads != null && pads.length != 4)) {
            throw c.unsupported("kernel_shape, strides, dilations and pads should describe 2 spatial dimensions (2, 2, 2 and 4 values)");
        }
        if (pads != null) for (int p : pads) if (p < 0) throw c.unsupported("negative pads " + Arrays.toString(pads) + " are not supported");
        if (strides != null) for (int s : strides) if (s < 1) throw c.unsupported("strides " + Arrays.toString(strides) + " should be >= 1");
        if (dil != null) for (int d : dil) if (d < 1) throw c.unsupported("dilations " + Arrays.toString(dil) + " should be >= 1");
        if (kernel != null) for (int k : kernel) if (k < 1) throw c.unsupported("kernel_shape " + Arrays.toString(kernel) + " should be >= 1");
        return new Spatial(kernel, strides == null ? new int[] {1, 1} : strides, dil == null ? new int[] {1, 1} : dil,
                pads == null ? new int[4] : pads, autoPad);
    }

    private static Kernel conv(NodeContext c) throws OnnxException {
        c.arity(2, 3, 1, 1);
        Tensor w = c.constant(1);
        if (w != null && w.dim() != 4) throw c.unsupported("a weight of rank " + w.dim() + " (" + (w.dim() - 2) + "-D Conv) is not supported (2-D only)");
        Spatial sp = spatial(c, w != null ? 2 : -1);
        int groups = c.int32("group", 1);
        if (groups < 1) throw c.unsupported("group = " + groups + " should be >= 1");
        PackedWeights packed = new PackedWeights(); // this node's weight as its kernels read it
        return (ConvActivationFusion.ConvKernel) (in, act) -> {
            Tensor x = in[0], wt = in[1], b = in.length > 2 ? in[2] : null;
            boolean blocked = Blocked.isBlocked(x); // ChannelBlocking's layout: [N, C/B, H, W, B]
            if ((x.dim() != 4 && !blocked) || wt.dim() != 4) {
                throw new IllegalArgumentException("Conv: input " + Shape.format(x.shape()) + " and weight " + Shape.format(wt.shape()) + " should be 4-D");
            }
            int kh = wt.size(2), kw = wt.size(3);
            if (sp.kernel() != null && (sp.kernel()[0] != kh || sp.kernel()[1] != kw)) {
                throw new IllegalArgumentException("Conv: kernel_shape " + Arrays.toString(sp.kernel()) + " disagrees with weight " + Shape.format(wt.shape()));
            }
            int[] p = sp.padsFor(x.size(2), x.size(3), kh, kw);
            if (blocked) return new Tensor[] {Blocked.conv(x, wt, b, p, sp.strides(), sp.dilations(), groups, act, packed)};
            Tensor fast = WinogradConv.tryConv(x, wt, b, p[0], p[1], p[2], p[3], sp.strides(), sp.dilations(), groups, act, packed);
            if (fast == null) fast = PointwiseConv.tryConv(x, wt, b, p, sp.strides(), groups, act);
            if (fast == null) fast = StemConv.tryConv(x, wt, b, p, sp.strides(), sp.dilations(), groups, act);
            if (fast != null) return new Tensor[] {fast};
            return new Tensor[] {asymmetricConv(x, wt, b, p[0], p[1], p[2], p[3], sp.strides(), sp.dilations(), groups, act, packed)};
        };
    }

    /**
     * Conv with paddings [top, left, bottom, right]. Asymmetric ones (TensorFlow's SAME at stride 2): a depthwise or
     * few-channel convolution, and any convolution with gradients, through FusedConvolution's asymmetric form (the
     * direct kernels read the padding from their own buffer, no padded copy); any other without gradients pads in one
     * pass first. Without gradients: direct depthwise, fused activation. A channel-blocked input ({@link Blocked}) takes
     * its weight from packed, the node's {@link PackedWeights} (null: packed for this call).
     */
    static Tensor asymmetricConv(Tensor x, Tensor wt, Tensor b, int top, int left, int bottom, int right, int[] strides, int[] dilations, int groups,
                                 FusedConvolution.Activation act, PackedWeights packed) {
        if (Blocked.isBlocked(x)) return Blocked.conv(x, wt, b, new int[] {top, left, bottom, right}, strides, dilations, groups, act, packed);
        if (top == bottom && left == right) {
            return FusedConvolution.conv2d(x, wt, b, new Convolution.Params(strides[0], strides[1], top, left, dilations[0], dilations[1], groups), act);
        }
        boolean direct = x.dim() == 4 && wt.dim() == 4 && ((groups == x.size(1) && wt.size(1) == 1) || (groups == 1 && x.size(1) <= 4));
        if (!direct && !dev.descent.core.autograd.Autograd.isRecording(x, wt, b)) {
            return FusedConvolution.conv2d(pad(x, top, bottom, left, right, 0), wt, b, new Convolution.Params(strides[0], strides[1], 0, 0, dilations[0], dilations[1], groups), act);
        }
        return FusedConvolution.conv2d(x, wt, b, new Convolution.Params(strides[0], strides[1], top, left, dilations[0], dilations[1], groups), bottom, right, act);
    }

    private static Kernel pool(NodeContext c, boolean max) throws OnnxException {
        c.arity(1, 1, 1, 1); // MaxPool's Indices output is not supported
        if (!c.has("kernel_shape")) throw c.unsupported("attribute 'kernel_shape' is required");
        Spatial sp = spatial(c, 2);
        if (sp.dilations()[0] != 1 || sp.dilations()[1] != 1) throw c.unsupported("dilations " + Arrays.toString(sp.dilations()) + " are not supported (1 only)");
        boolean ceil = c.i("ceil_mode", 0) != 0;
        if (ceil && !max) throw c.unsupported("AveragePool with ceil_mode = 1 is not supported");
        boolean countPad = !max && c.i("count_include_pad", 0) != 0;
        if (max) c.ignore("storage_order"); // only changes the Indices output
        int kh = sp.kernel()[0], kw = sp.kernel()[1], sh = sp.strides()[0], sw = sp.strides()[1];
        return in -> {
            Tensor x = in[0];
            if (x.dim() != 4) throw new IllegalArgumentException(c.node.opType() + ": input must be [N, C, H, W], got " + Shape.format(x.shape()));
            int h = x.size(2), w = x.size(3);
            int[] p = sp.padsFor(h, w, kh, kw).clone();
            if (ceil) {
                int[] size = {h, w}, k = {kh, kw}, s = {sh, sw};
                for (int d = 0; d < 2; d++) {
                    int span = size[d] + p[d] + p[d + 2] - k[d];
                    if (span < 0) continue; // the window does not fit: the op reports it
                    int out = (span + s[d] - 1) / s[d] + 1;
                    if ((out - 1) * s[d] >= size[d] + p[d]) out--; // the last window must start inside the input or its leading pad
                    p[d + 2] += Math.max(0, (out - 1) * s[d] + k[d] - (size[d] + p[d] + p[d + 2]));
                }
            }
            boolean plain = p[0] == p[2] && p[1] == p[3] && 2 * p[0] <= kh && 2 * p[1] <= kw;
            if (max) {
                // Inference at stride 1 (M-LSD's 3×3 pool): no indices kept, a vector of output columns per step. Strided
                // pools stay with core's kernel: through this one's scalar loop BlazeFace's 2×2 stride-2 pools took it
                // from 1.5 to 13 ms (1 thread).
                if (sw == 1 && x.dtype() == DType.FLOAT32 && !dev.descent.core.autograd.Autograd.isRecording(x)) {
                    Tensor y = InferenceKernels.maxPool(x, kh, kw, sh, sw, p[0], p[1], p[2], p[3]);
                    if (y != null) return new Tensor[] {y};
                }
                if (plain) return new Tensor[] {Pooling.maxPool2d(x, new Pooling.Window(kh, kw, sh, sw, p[0], p[1]))};
                return new Tensor[] {Pooling.maxPool2d(pad(x, p[0], p[2], p[1], p[3], Double.NEGATIVE_INFINITY), new Pooling.Window(kh, kw, sh, sw, 0, 0))};
            }
            boolean noPad = p[0] == 0 && p[1] == 0 && p[2] == 0 && p[3] == 0;
            Pooling.Window win = new Pooling.Window(kh, kw, sh, sw, 0, 0);
            if (noPad) return new Tensor[] {Pooling.avgPool2d(x, win)};
            Tensor y = Pooling.avgPool2d(pad(x, p[0], p[2], p[1], p[3], 0), win);
            if (!countPad) {
                // Divide by the number of cells inside the image rather than the window size: the mean of a padded all-ones plane.
                Tensor ones = pad(Tensor.ones(x.dtype(), 1, 1, h, w), p[0], p[2], p[1], p[3], 0);
                y = y.div(Pooling.avgPool2d(ones, win));
            }
            return new Tensor[] {y};
        };
    }

    /** x [N, C, H, W] with {@code value} added above, below, left and right. */
    static Tensor pad(Tensor x, int top, int bottom, int left, int right, double value) {
        if (x.dtype() == DType.FLOAT32 && !dev.descent.core.autograd.Autograd.isRecording(x)) return InferenceKernels.pad(x, top, bottom, left, right, (float) value);
        int n = x.size(0), ch = x.size(1), h = x.size(2), w = x.size(3);
        List<Tensor> rows = new ArrayList<>();
        if (top > 0) rows.add(Tensor.full(value, x.dtype(), n, ch, top, w));
        rows.add(x);
        if (bottom > 0) rows.add(Tensor.full(value, x.dtype(), n, ch, bottom, w));
        Tensor y = rows.size() == 1 ? x : Tensor.cat(rows, 2);
        int hp = h + top + bottom;
        List<Tensor> cols = new ArrayList<>();
        if (left > 0) cols.add(Tensor.full(value, x.dtype(), n, ch, hp, left));
        cols.add(y);
        if (right > 0) cols.add(Tensor.full(value, x.dtype(), n, ch, hp, right));
        return cols.size() == 1 ? y : Tensor.cat(cols, 3);
    }
}
