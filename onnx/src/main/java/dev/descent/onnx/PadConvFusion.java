package dev.descent.onnx;

import dev.descent.core.Tensor;
import dev.descent.core.autograd.Autograd;
import dev.descent.core.autograd.GradMode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A constant Pad (opset 11 on: pads and value as inputs) whose only reader is a Conv, as tf2onnx writes TensorFlow's
 * explicit padding before a stride-2 convolution, becomes one convolution step. With gradients off, when the call's
 * pads add zeros to the two spatial axes only, the convolution runs with its own paddings plus the Pad's (asymmetric
 * ones through {@link OnnxOps#asymmetricConv}: the depthwise kernel reads them from its own zero-padded buffer, so the
 * padded copy of the input, as large as the input, is never written). The sums are the same products as over the
 * padded tensor. With gradients on, or other pads or value, the Pad and then the Conv run as before. The step is a
 * convolution, so an activation after it fuses too ({@link ConvActivationFusion}).
 */
final class PadConvFusion {
    private PadConvFusion() {}

    /**
     * The steps with each Pad → Conv pair merged into one step at the Conv's place.
     *
     * @param steps        the steps in run order
     * @param graphOutputs the graph's outputs (a Pad output that is one of them is not fused away)
     * @param opset        the model's opset of the default domain
     * @return the new list (the same list where nothing fuses)
     */
    static List<OnnxModel.Step> fuse(List<OnnxModel.Step> steps, Set<String> graphOutputs, long opset) {
        if (opset < 11) return steps;
        StepIndex index = new StepIndex(steps, graphOutputs);
        OnnxModel.Step[] out = steps.toArray(new OnnxModel.Step[0]);
        boolean any = false;
        for (int j = 0; j < steps.size(); j++) {
            OnnxModel.Step conv = steps.get(j);
            OnnxFile.Node cn = conv.node();
            if (!cn.domain().isEmpty() || !cn.opType().equals("Conv") || !(conv.kernel() instanceof ConvActivationFusion.ConvKernel ck)
                    || !conv.inputs().equals(cn.inputs()) || !conv.outputs().equals(cn.outputs()) || conv.inputs().size() < 2) continue;
            ConvAttributes a = ConvAttributes.of(cn);
            if (a == null) continue;
            String x = conv.inputs().get(0);
            Integer k = index.soleProducer(x);
            if (k == null || out[k] == null) continue;
            OnnxModel.Step pad = steps.get(k);
            OnnxFile.Node pn = pad.node();
            OnnxFile.Attribute mode = pn.attributes().get("mode");
            boolean constant = mode == null || "constant".equals(mode.value());
            if (!pn.domain().isEmpty() || !pn.opType().equals("Pad") || !constant || !pad.inputs().equals(pn.inputs()) || !pad.outputs().equals(pn.outputs())
                    || pad.inputs().size() < 2 || pad.inputs().size() > 3) continue;
            List<String> inputs = new ArrayList<>(pad.inputs()); // x, pads[, value]
            while (inputs.size() < 3) inputs.add("");
            inputs.addAll(conv.inputs().subList(1, conv.inputs().size())); // w[, b]
            OnnxOps.Kernel padK = pad.kernel();
            int padInputs = pad.inputs().size();
            PackedWeights packed = new PackedWeights();
            ConvActivationFusion.ConvKernel fused = (in, act) -> {
                Tensor px = in[0], pads = in[1], value = in[2], w = in[3], b = in.length > 4 ? in[4] : null;
                int[] p = GradMode.isEnabled() || Autograd.isRecording(px, w, b) ? null : spatialZeroPads(px, pads, value);
                if (p != null && a.fits(w)) {
                    return new Tensor[] {OnnxOps.asymmetricConv(px, w, b, a.pads[0] + p[0], a.pads[1] + p[1], a.pads[2] + p[2], a.pads[3] + p[3], a.strides,
                            a.dilations, a.group, act, packed)};
                }
                boolean blocked = Blocked.isBlocked(px); // ChannelBlocking's layout, and a Pad other than zeros on the plane: on planes
                Tensor[] padIn = java.util.Arrays.copyOf(in, padInputs);
                if (blocked) padIn[0] = Blocked.planes(px, Math.multiplyExact(a.group, w.size(1)));
                Tensor[] convIn = new Tensor[in.length - 2];
                convIn[0] = padK.apply(padIn)[0];
                System.arraycopy(in, 3, convIn, 1, in.length - 3);
                Tensor[] y = ck.apply(convIn, act);
                if (blocked) y[0] = Blocked.block(y[0]);
                return y;
            };
            out[j] = new OnnxModel.Step(cn, fused, List.copyOf(inputs), conv.outputs());
            out[k] = null;
            any = true;
        }
        return any ? StepIndex.kept(out) : steps;
    }

    /**
     * [top, left, bottom, right] when the Pad adds zeros (the value absent or 0) to the last two axes of a 4-D input
     * (or of the planes a channel-blocked one holds) only, by non-negative amounts; null otherwise.
     */
    private static int[] spatialZeroPads(Tensor x, Tensor pads, Tensor value) {
        if ((x.dim() != 4 && !Blocked.isBlocked(x)) || pads == null || pads.dim() != 1 || pads.numel() != 8 || pads.dtype().isFloatingPoint()) return null;
        if (value != null && (value.numel() != 1 || value.item() != 0)) return null;
        long[] p = pads.toLongArray();
        if (p[0] != 0 || p[1] != 0 || p[4] != 0 || p[5] != 0) return null;
        for (long v : p) if (v < 0 || v > 1 << 16) return null;
        return new int[] {(int) p[2], (int) p[3], (int) p[6], (int) p[7]};
    }

    /** A Conv node's spatial attributes when they are the plain kind this fusion handles (explicit pads), else null. */
    record ConvAttributes(int[] kernel, int[] strides, int[] dilations, int[] pads, int group) {
        static ConvAttributes of(OnnxFile.Node n) {
            Map<String, OnnxFile.Attribute> at = n.attributes();
            for (String name : at.keySet()) {
                if (!Set.of("kernel_shape", "strides", "dilations", "pads", "group", "auto_pad").contains(name)) return null;
            }
            OnnxFile.Attribute autoPad = at.get("auto_pad");
            if (autoPad != null && !"NOTSET".equals(autoPad.value())) return null;
            int[] kernel = ints(at.get("kernel_shape"), null), strides = ints(at.get("strides"), new int[] {1, 1});
            int[] dilations = ints(at.get("dilations"), new int[] {1, 1}), pads = ints(at.get("pads"), new int[4]);
            OnnxFile.Attribute g = at.get("group");
            int group = g == null ? 1 : g.value() instanceof Long l && l >= 1 && l <= Integer.MAX_VALUE ? (int) (long) l : -1;
            if (group < 1 || strides == null || strides.length != 2 || dilations == null || dilations.length != 2 || pads == null || pads.length != 4
                    || (kernel != null && kernel.length != 2)) return null;
            for (int v : strides) if (v < 1) return null;
            for (int v : dilations) if (v < 1) return null;
            for (int v : pads) if (v < 0) return null;
            return new ConvAttributes(kernel, strides, dilations, pads, group);
        }

        /** Whether the weight is 4-D and agrees with kernel_shape (else the Conv's own kernel runs and says so). */
        boolean fits(Tensor w) {
            return w.dim() == 4 && (kernel == null || (kernel[0] == w.size(2) && kernel[1] == w.size(3)));
        }

        private static int[] ints(OnnxFile.Attribute a, int[] otherwise) {
            if (a == null) return otherwise;
            if (!(a.value() instanceof long[] v)) return null;
            int[] r = new int[v.length];
            for (int i = 0; i < v.length; i++) {
                if (v[i] < Integer.MIN_VALUE || v[i] > Integer.MAX_VALUE) return null;
                r[i] = (int) v[i];
            }
            return r;
        }
    }
}
