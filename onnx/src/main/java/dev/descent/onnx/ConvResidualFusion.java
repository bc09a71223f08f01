package dev.descent.onnx;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.Autograd;
import dev.descent.core.autograd.GradMode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Set;

/**
 * A convolution whose only reader is an Add of a residual of the same shape, optionally followed by a Relu that reads
 * the sum alone, becomes one step (a ResNet or BlazeFace block's end). The residual may be a Concat along the channels
 * of a value and zeros, read by the Add alone: BlazeFace widens its shortcut so, tf2onnx writing the zeros as a
 * ConstantOfShape. With gradients off the convolution's output, a fresh tensor, takes the residual and the Relu in
 * place, in one pass per channel plane while it is in cache: {@code y + r} (for the zero channels {@code y + 0}), then
 * Relu, the float32 operations of the separate ops, so the result has their bits, without the Concat's, the Add's and
 * the Relu's tensors and passes. With gradients on, or when a call's values do not fit (another dtype or shape, zeros
 * that are not zeros), the original steps run.
 */
final class ConvResidualFusion {
    private ConvResidualFusion() {}

    /**
     * The steps with each Conv → Add [→ Relu] chain (and a zero-padding Concat feeding the Add) merged into one step
     * at the last node's place.
     *
     * @param steps        the steps in run order
     * @param graphOutputs the graph's outputs (an intermediate that is one of them is not fused away)
     * @return the new list (the same list where nothing fuses)
     */
    static List<OnnxModel.Step> fuse(List<OnnxModel.Step> steps, Set<String> graphOutputs) {
        StepIndex index = new StepIndex(steps, graphOutputs);
        OnnxModel.Step[] out = steps.toArray(new OnnxModel.Step[0]);
        boolean any = false;
        for (int j = 0; j < steps.size(); j++) {
            OnnxModel.Step add = steps.get(j);
            if (out[j] == null || !plain(add, "Add") || add.inputs().size() != 2) continue;
            int yAt = -1;
            for (int a = 0; a < 2 && yAt < 0; a++) {
                Integer k = index.producer(add.inputs().get(a));
                if (k != null && out[k] != null && k < j && steps.get(k).kernel() instanceof ConvActivationFusion.ConvKernel && steps.get(k).outputs().size() == 1
                        && index.single(add.inputs().get(a))) yAt = a;
            }
            if (yAt < 0 || add.inputs().get(0).equals(add.inputs().get(1))) continue;
            int k = index.producer(add.inputs().get(yAt));
            OnnxModel.Step conv = steps.get(k);
            String r = add.inputs().get(1 - yAt);
            // the residual: a Concat of a value and (zeros) along axis 1, read by the Add alone
            Integer ck = index.soleProducer(r);
            OnnxModel.Step concat = ck != null && out[ck] != null && isChannelConcat(steps.get(ck)) ? steps.get(ck) : null;
            // a Relu reading the sum alone
            String s = add.outputs().get(0);
            Integer rk = index.soleReader(s);
            OnnxModel.Step relu = rk != null && out[rk] != null && plain(steps.get(rk), "Relu") ? steps.get(rk) : null;
            List<String> inputs = new ArrayList<>(conv.inputs());
            int convInputs = inputs.size();
            if (concat != null) inputs.addAll(concat.inputs());
            else inputs.add(r);
            OnnxOps.Kernel convK = conv.kernel(), concatK = concat == null ? null : concat.kernel(), addK = add.kernel(), reluK = relu == null ? null : relu.kernel();
            int convAt = yAt;
            OnnxOps.Kernel fused = in -> {
                Tensor[] convIn = java.util.Arrays.copyOf(in, convInputs);
                Tensor y = convK.apply(convIn)[0];
                Tensor res = concatK == null ? in[convInputs] : null;
                if (!GradMode.isEnabled() && fresh(y) && !Autograd.isRecording(in)) {
                    Tensor head = concatK == null ? res : in[convInputs], zeros = concatK == null ? null : in[convInputs + 1];
                    if (fits(y, head, zeros)) {
                        Tensor hc = head.contiguous();
                        // a channel-blocked y and head (Blocked): the same layout, added element by element as planes of one block each
                        int n = y.dim() == 5 ? y.size(0) * y.size(1) : y.size(0), c = y.dim() == 5 ? 1 : y.size(1), hcc = y.dim() == 5 ? 1 : hc.size(1);
                        InferenceKernels.addResidual(y.storage().floats(), n, c, Math.toIntExact(y.numel() / ((long) n * c)), hc.storage().floats(), hc.storageOffset(),
                                hcc, reluK != null);
                        return new Tensor[] {y};
                    }
                }
                if (concatK != null) res = concatK.apply(java.util.Arrays.copyOfRange(in, convInputs, in.length))[0];
                Tensor sum = addK.apply(convAt == 0 ? new Tensor[] {y, res} : new Tensor[] {res, y})[0];
                return reluK == null ? new Tensor[] {sum} : reluK.apply(new Tensor[] {sum});
            };
            int last = relu != null ? rk : j;
            out[last] = new OnnxModel.Step(conv.node(), new Residual(fused, convInputs, concat != null), List.copyOf(inputs), (relu != null ? relu : add).outputs());
            if (last != j) out[j] = null;
            if (concat != null) out[ck] = null;
            out[k] = null;
            any = true;
        }
        return any ? StepIndex.kept(out) : steps;
    }

    private static boolean plain(OnnxModel.Step s, String type) {
        return s.node().domain().isEmpty() && s.node().opType().equals(type) && s.outputs().equals(s.node().outputs()) && s.outputs().size() == 1
                && s.inputs().equals(s.node().inputs());
    }

    /** A Concat of two values along axis 1 (the channels of [N, C, H, W]). */
    private static boolean isChannelConcat(OnnxModel.Step s) {
        if (!plain(s, "Concat") || s.inputs().size() != 2 || s.inputs().get(0).isEmpty() || s.inputs().get(1).isEmpty()) return false;
        OnnxFile.Attribute axis = s.node().attributes().get("axis");
        return axis != null && axis.value() instanceof Long a && a == 1;
    }

    /**
     * A fused step's kernel, which says where its residual is: {@link ChannelBlocking} gives a blocked convolution a
     * blocked residual.
     *
     * @param body  the fused computation
     * @param at    the index of the residual among the step's inputs (the convolution's inputs come first)
     * @param zeros whether the residual is a Concat of a value (at) and zeros (at + 1)
     */
    record Residual(OnnxOps.Kernel body, int at, boolean zeros) implements OnnxOps.Kernel {
        @Override
        public Tensor[] apply(Tensor[] in) {
            return body.apply(in);
        }
    }

    /** A float32 [N, C, H, W] tensor (or a channel-blocked one, rank 5) that owns its whole storage from offset 0 (a kernel's new output, safe to write). */
    private static boolean fresh(Tensor y) {
        return y.dtype() == DType.FLOAT32 && (y.dim() == 4 || Blocked.isBlocked(y)) && y.isContiguous() && y.storageOffset() == 0 && y.storage().size() == y.numel() && !y.requiresGrad();
    }

    /** Whether head (followed by zeros along the channels, when zeros is not null) has y's shape, all float32. */
    private static boolean fits(Tensor y, Tensor head, Tensor zeros) {
        if (y.dim() == 5) return zeros == null && head != null && head.dtype() == DType.FLOAT32 && java.util.Arrays.equals(head.shape(), y.shape());
        if (head == null || head.dtype() != DType.FLOAT32 || head.dim() != 4 || head.size(0) != y.size(0) || head.size(2) != y.size(2) || head.size(3) != y.size(3)) return false;
        if (zeros == null) return head.size(1) == y.size(1);
        if (zeros.dtype() != DType.FLOAT32 || zeros.dim() != 4 || zeros.size(0) != y.size(0) || zeros.size(2) != y.size(2) || zeros.size(3) != y.size(3)
                || head.size(1) + zeros.size(1) != y.size(1)) return false;
        return InferenceKernels.allPositiveZero(zeros);
    }
}
