package dev.descent.onnx;

import dev.descent.core.Tensor;
import dev.descent.core.autograd.GradMode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Conv whose only reader multiplies it by a scalar s, optionally followed by an Add of a scalar t that is the
 * product's only reader (PP-LCNet's learnable affine after each convolution, as Paddle2ONNX writes it), becomes one
 * step. With gradients off the multiply and the add run in the convolution's output loop
 * ({@link dev.descent.core.ops.FusedConvolution.Activation#beforeAffine}), rounded as the separate ops round them:
 * folding s into the weights instead, as ONNX Runtime does, moved PP-OCRv4 detection's output 2.5 times further from
 * ONNX Runtime's (9.8e-5 against 3.8e-5 relative, the bound being 1e-4). With gradients on, the convolution, the Mul and
 * the Add as before. The step is again a convolution, so an activation after it fuses too. s and t must hold one
 * element each (checked at load, where they are known, and on every call).
 */
final class ConvAffineFusion {
    private ConvAffineFusion() {}

    /**
     * The steps with each Conv → Mul(scalar) [→ Add(scalar)] chain merged into one step at the last node's place.
     *
     * @param steps        the steps in run order
     * @param graphOutputs the graph's outputs (an intermediate that is one of them is not fused away)
     * @param known        the values known at load, by name
     * @return the new list (the same list where nothing fuses)
     */
    static List<OnnxModel.Step> fuse(List<OnnxModel.Step> steps, Set<String> graphOutputs, Map<String, Tensor> known) {
        StepIndex index = new StepIndex(steps, graphOutputs);
        OnnxModel.Step[] out = steps.toArray(new OnnxModel.Step[0]);
        boolean any = false;
        for (int k = 0; k < steps.size(); k++) {
            OnnxModel.Step conv = steps.get(k);
            OnnxFile.Node cn = conv.node();
            // a plain Conv (x, w[, b]) with its own output, not one with a normalization folded in
            if (out[k] == null || !cn.domain().isEmpty() || !cn.opType().equals("Conv") || !(conv.kernel() instanceof ConvActivationFusion.ConvKernel ck)
                    || conv.inputs().size() > 3 || conv.outputs().size() != 1 || !conv.outputs().equals(cn.outputs())) continue;
            String y = conv.outputs().get(0);
            Integer mk = index.soleReader(y);
            if (mk == null || out[mk] == null) continue;
            OnnxModel.Step mul = steps.get(mk);
            int yAt = binaryWithScalar(mul, "Mul", y, known);
            if (yAt < 0) continue;
            String s = mul.inputs().get(1 - yAt);
            Integer ak = index.soleReader(mul.outputs().get(0));
            OnnxModel.Step add = ak == null || out[ak] == null ? null : steps.get(ak);
            int mAt = add == null ? -1 : binaryWithScalar(add, "Add", mul.outputs().get(0), known);
            if (mAt < 0) add = null;
            List<String> inputs = new ArrayList<>(conv.inputs());
            while (inputs.size() < 3) inputs.add("");
            inputs.add(s);
            if (add != null) inputs.add(add.inputs().get(1 - mAt));
            OnnxOps.Kernel mulK = mul.kernel(), addK = add == null ? null : add.kernel();
            int convInputs = conv.inputs().size(), mulY = yAt, addM = mAt;
            ConvActivationFusion.ConvKernel fused = (in, act) -> {
                Tensor x = in[0], w = in[1], b = in[2], sv = in[3], tv = addK == null ? null : in[4];
                boolean scalars = sv != null && sv.numel() == 1 && (addK == null || (tv != null && tv.numel() == 1));
                if (!GradMode.isEnabled() && scalars) {
                    return ck.apply(java.util.Arrays.copyOf(in, convInputs), act.beforeAffine(sv.item(), tv == null ? 0 : tv.item()));
                }
                Tensor c = ck.apply(java.util.Arrays.copyOf(in, convInputs))[0];
                Tensor m = mulK.apply(mulY == 0 ? new Tensor[] {c, sv} : new Tensor[] {sv, c})[0];
                Tensor r = addK == null ? m : addK.apply(addM == 0 ? new Tensor[] {m, tv} : new Tensor[] {tv, m})[0];
                return new Tensor[] {act.apply(r)};
            };
            int last = add != null ? ak : mk;
            out[last] = new OnnxModel.Step(cn, fused, List.copyOf(inputs), (add != null ? add : mul).outputs());
            out[k] = null;
            if (add != null) out[mk] = null;
            any = true;
        }
        return any ? StepIndex.kept(out) : steps;
    }


    /** Where v is among the two inputs of a binary step of that type whose other input is known as one float element; −1 if not so. */
    static int binaryWithScalar(OnnxModel.Step s, String type, String v, Map<String, Tensor> known) {
        OnnxFile.Node n = s.node();
        if (!n.domain().isEmpty() || !n.opType().equals(type) || s.inputs().size() != 2 || s.outputs().size() != 1) return -1;
        int at = s.inputs().get(0).equals(v) ? 0 : s.inputs().get(1).equals(v) ? 1 : -1;
        if (at < 0 || s.inputs().get(1 - at).equals(v)) return -1;
        Tensor c = known.get(s.inputs().get(1 - at));
        return c != null && c.dtype().isFloatingPoint() && c.numel() == 1 ? at : -1;
    }
}
