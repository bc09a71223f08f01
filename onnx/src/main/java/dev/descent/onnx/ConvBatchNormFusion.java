package dev.descent.onnx;

import dev.descent.core.Tensor;
import dev.descent.core.autograd.GradMode;
import dev.descent.core.ops.FusedConvolution;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Set;

/**
 * A Conv whose only reader is a BatchNormalization becomes one step. With gradients off (inference) it runs one
 * convolution with the normalization folded into its weight and bias: {@code s = scale / √(var + eps)},
 * {@code w' = w · s} per output channel, {@code b' = b · s + B − mean · s}, as ONNX Runtime does; the folding is
 * computed on every call from the current parameters (a few thousand values beside the convolution's work), so the
 * file's parameters stay what is trained. With gradients on, the step runs the convolution and then the normalization
 * as two ops, as before. Either way it returns the normalization's output under its name; the convolution's output,
 * read by nothing else, is never stored.
 */
final class ConvBatchNormFusion {
    private ConvBatchNormFusion() {}

    /**
     * The steps with each fusable Conv → BatchNormalization pair merged into one step at the Conv's place.
     *
     * @param steps        the steps in run order
     * @param graphOutputs the graph's outputs (a Conv output that is one of them is not fused away)
     * @return the new list (the same steps where nothing fuses)
     */
    static List<OnnxModel.Step> fuse(List<OnnxModel.Step> steps, Set<String> graphOutputs) {
        StepIndex index = new StepIndex(steps, graphOutputs);
        OnnxModel.Step[] out = steps.toArray(new OnnxModel.Step[0]);
        boolean any = false;
        for (int j = 0; j < steps.size(); j++) {
            OnnxModel.Step bn = steps.get(j);
            OnnxFile.Node n = bn.node();
            if (!n.domain().isEmpty() || !n.opType().equals("BatchNormalization") || bn.inputs().size() != 5) continue;
            if (bn.outputs().size() != 1 || bn.outputs().get(0).isEmpty()) continue;
            String y = bn.inputs().get(0);
            Integer k = index.soleProducer(y);
            if (k == null || out[k] == null) continue;
            OnnxModel.Step conv = steps.get(k);
            OnnxFile.Node cn = conv.node();
            if (!cn.domain().isEmpty() || !cn.opType().equals("Conv") || conv.outputs().size() != 1) continue;
            boolean ready = true;
            for (String p : bn.inputs().subList(1, 5)) {
                Integer at = index.producer(p);
                ready &= !p.isEmpty() && (at == null || at < k);
            }
            if (!ready) continue;
            OnnxFile.Attribute epsAttr = n.attributes().get("epsilon");
            double eps = epsAttr == null ? 1e-5 : (Float) epsAttr.value();
            List<String> inputs = new ArrayList<>(conv.inputs());
            while (inputs.size() < 3) inputs.add("");
            inputs.addAll(bn.inputs().subList(1, 5));
            OnnxOps.Kernel convKernel = conv.kernel(), bnKernel = bn.kernel();
            out[k] = new OnnxModel.Step(cn, (ConvActivationFusion.ConvKernel) (in, act) -> run(in, eps, convKernel, bnKernel, act), List.copyOf(inputs),
                    bn.outputs());
            out[j] = null;
            any = true;
        }
        return any ? StepIndex.kept(out) : steps;
    }

    /** in: x, w, b (or null), scale, B, mean, var; act applied to the result (fused into the convolution without gradients). */
    private static Tensor[] run(Tensor[] in, double eps, OnnxOps.Kernel conv, OnnxOps.Kernel bn, FusedConvolution.Activation act) {
        Tensor x = in[0], w = in[1], b = in[2];
        Tensor[] convIn = b == null ? new Tensor[] {x, w} : new Tensor[] {x, w, b};
        if (GradMode.isEnabled()) {
            Tensor y = conv.apply(convIn)[0];
            return new Tensor[] {act.apply(bn.apply(new Tensor[] {y, in[3], in[4], in[5], in[6]})[0])};
        }
        int co = w.size(0);
        for (int i = 3; i < 7; i++) {
            if (in[i].dim() != 1 || in[i].size(0) != co) {
                throw new IllegalArgumentException("BatchNormalization after Conv: per-channel input of shape " + Arrays.toString(in[i].shape())
                        + " should be [" + co + "] for the convolution's " + co + " output channels");
            }
        }
        Tensor s = in[3].to(w.dtype()).div(in[6].to(w.dtype()).add(eps).sqrt());
        Tensor t = in[4].to(w.dtype()).sub(in[5].to(w.dtype()).mul(s));
        int[] perOut = new int[w.dim()];
        Arrays.fill(perOut, 1);
        perOut[0] = co;
        Tensor wf = w.mul(s.reshape(perOut));
        Tensor bf = b == null ? t : b.to(w.dtype()).mul(s).add(t);
        Tensor[] folded = {x, wf, bf};
        return conv instanceof ConvActivationFusion.ConvKernel ck ? ck.apply(folded, act) : new Tensor[] {act.apply(conv.apply(folded)[0])};
    }
}
