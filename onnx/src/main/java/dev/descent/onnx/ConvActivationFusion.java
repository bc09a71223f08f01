package dev.descent.onnx;

import dev.descent.core.Tensor;
import dev.descent.core.autograd.GradMode;
import dev.descent.core.ops.FusedConvolution;
import dev.descent.core.ops.FusedConvolution.Activation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Conv (or a Conv with its BatchNormalization folded, {@link ConvBatchNormFusion}) whose only reader is an activation
 * becomes one step: with gradients off, one {@link FusedConvolution#conv2d} that applies the bias and the activation
 * to each image's output while it is in cache (as ONNX Runtime fuses them); with gradients on, the convolution and then
 * the activation's own node, as before. The activations: Relu, Sigmoid, HardSwish, HardSigmoid with α = 1/6 and β = ½
 * (PyTorch's), Clip (Relu6 and any other bounds, attributes before opset 11, inputs from it), and a hard swish that
 * {@link HardSwishFusion} recognised (when its constants hold on the call; otherwise its chain runs after the
 * convolution). A scalar Mul, and a scalar Add after it, that read the activation alone (PP-LCNet's learnable affine)
 * join the same output loop. The convolution's output, read by nothing else, is never stored.
 */
final class ConvActivationFusion {
    private ConvActivationFusion() {}

    /** A convolution kernel that can apply an activation to its output (only when no gradient is recorded; see FusedConvolution). */
    @FunctionalInterface
    interface ConvKernel extends OnnxOps.Kernel {
        /**
         * The convolution followed by act.
         *
         * @param in  the Conv's inputs (x, w, optional bias; more for a folded normalization)
         * @param act the activation
         * @return the activated output
         */
        Tensor[] apply(Tensor[] in, Activation act);

        @Override
        default Tensor[] apply(Tensor[] in) {
            return apply(in, Activation.NONE);
        }
    }

    /**
     * The steps with each fusable convolution → activation pair merged into one step at the activation's place.
     *
     * @param steps        the steps in run order
     * @param graphOutputs the graph's outputs (a Conv output that is one of them is not fused away)
     * @param known        the values known at load, by name (the affine map's scalars)
     * @param opset        the model's opset of the default domain
     * @return the new list (the same list where nothing fuses)
     */
    static List<OnnxModel.Step> fuse(List<OnnxModel.Step> steps, Set<String> graphOutputs, Map<String, Tensor> known, long opset) {
        StepIndex index = new StepIndex(steps, graphOutputs);
        OnnxModel.Step[] out = steps.toArray(new OnnxModel.Step[0]);
        boolean any = false;
        for (int j = 0; j < steps.size(); j++) {
            OnnxModel.Step act = steps.get(j);
            ActivationOf kind = activation(act, opset);
            if (kind == null || act.inputs().isEmpty() || act.outputs().size() != 1) continue;
            String y = act.inputs().get(0);
            Integer k = index.soleProducer(y);
            if (k == null || out[k] == null) continue;
            OnnxModel.Step conv = steps.get(k);
            if (!(conv.kernel() instanceof ConvKernel ck) || conv.outputs().size() != 1) continue;
            int convInputs = conv.inputs().size(), actExtra = act.inputs().size() - 1;
            List<String> inputs = new ArrayList<>(conv.inputs());
            inputs.addAll(act.inputs().subList(1, act.inputs().size()));
            // a scalar Mul (and a scalar Add) reading the activation alone: PP-LCNet's affine after it, into the same loop
            String a0 = act.outputs().get(0);
            Integer mk = index.soleReader(a0);
            OnnxModel.Step mul = mk == null || out[mk] == null ? null : steps.get(mk);
            int aAt = mul == null ? -1 : ConvAffineFusion.binaryWithScalar(mul, "Mul", a0, known);
            if (aAt < 0) mul = null;
            String m0 = mul == null ? null : mul.outputs().get(0);
            Integer ak = m0 == null ? null : index.soleReader(m0);
            OnnxModel.Step add = ak == null || out[ak] == null ? null : steps.get(ak);
            int mAt = add == null ? -1 : ConvAffineFusion.binaryWithScalar(add, "Add", m0, known);
            if (mAt < 0) add = null;
            if (mul != null) inputs.add(mul.inputs().get(1 - aAt));
            if (add != null) inputs.add(add.inputs().get(1 - mAt));
            OnnxOps.Kernel actKernel = act.kernel(), mulK = mul == null ? null : mul.kernel(), addK = add == null ? null : add.kernel();
            int mulX = aAt, addX = mAt;
            OnnxOps.Kernel fused = in -> {
                Tensor[] convIn = java.util.Arrays.copyOf(in, convInputs);
                Tensor[] extra = java.util.Arrays.copyOfRange(in, convInputs, convInputs + actExtra);
                Tensor sv = mulK == null ? null : in[convInputs + actExtra], tv = addK == null ? null : in[convInputs + actExtra + 1];
                Activation a = GradMode.isEnabled() ? null : kind.resolve(extra);
                if (a != null && (sv == null || sv.numel() == 1) && (tv == null || tv.numel() == 1)) {
                    if (sv != null) a = a.thenAffine(sv.item(), tv == null ? 0 : tv.item());
                    return ck.apply(convIn, a);
                }
                Tensor[] actIn = new Tensor[1 + extra.length];
                actIn[0] = ck.apply(convIn)[0];
                System.arraycopy(extra, 0, actIn, 1, extra.length);
                Tensor r = actKernel.apply(actIn)[0];
                if (mulK != null) r = mulK.apply(mulX == 0 ? new Tensor[] {r, sv} : new Tensor[] {sv, r})[0];
                if (addK != null) r = addK.apply(addX == 0 ? new Tensor[] {r, tv} : new Tensor[] {tv, r})[0];
                return new Tensor[] {r};
            };
            int last = add != null ? ak : mul != null ? mk : j;
            out[last] = new OnnxModel.Step(conv.node(), fused, List.copyOf(inputs), (add != null ? add : mul != null ? mul : act).outputs());
            if (last != j) out[j] = null;
            if (add != null) out[mk] = null;
            out[k] = null;
            any = true;
        }
        return any ? StepIndex.kept(out) : steps;
    }

    /** An activation node's fused form, given the node's inputs after x on a call (null: run the node itself). */
    @FunctionalInterface
    private interface ActivationOf {
        Activation resolve(Tensor[] extra);
    }

    /** The fusable activation a step computes, or null. */
    private static ActivationOf activation(OnnxModel.Step s, long opset) {
        if (s.kernel() instanceof HardSwishFusion.Fused f) {
            return extra -> {
                Tensor[] in = new Tensor[1 + extra.length];
                System.arraycopy(extra, 0, in, 1, extra.length);
                return f.constantsHold(in, dev.descent.core.DType.FLOAT32, 4) ? Activation.HARDSWISH : null;
            };
        }
        OnnxFile.Node n = s.node();
        if (!n.domain().isEmpty()) return null;
        return switch (n.opType()) {
            case "Relu" -> extra -> Activation.RELU;
            case "Sigmoid" -> extra -> Activation.SIGMOID;
            case "HardSwish" -> extra -> Activation.HARDSWISH;
            case "HardSigmoid" -> attribute(n, "alpha", 0.2f) == 1f / 6 && attribute(n, "beta", 0.5f) == 0.5f ? extra -> Activation.HARDSIGMOID : null;
            case "Clip" -> opset < 11
                    ? clip(attribute(n, "min", Float.NEGATIVE_INFINITY), attribute(n, "max", Float.POSITIVE_INFINITY))
                    : extra -> {
                        Tensor lo = extra.length > 0 ? extra[0] : null, hi = extra.length > 1 ? extra[1] : null;
                        if ((lo != null && lo.numel() != 1) || (hi != null && hi.numel() != 1)) return null;
                        double min = lo == null ? Double.NEGATIVE_INFINITY : lo.item(), max = hi == null ? Double.POSITIVE_INFINITY : hi.item();
                        return min <= max ? Activation.clamp(min, max) : null;
                    };
            default -> null;
        };
    }

    private static ActivationOf clip(float min, float max) {
        return min <= max ? extra -> Activation.clamp(min, max) : null;
    }

    private static float attribute(OnnxFile.Node n, String name, float otherwise) {
        OnnxFile.Attribute a = n.attributes().get(name);
        return a == null || !(a.value() instanceof Float f) ? otherwise : f;
    }
}
