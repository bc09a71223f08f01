package dev.descent.onnx;

import dev.descent.core.Tensor;
import dev.descent.core.autograd.GradMode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Hard swish spelled out in the graph becomes one step running {@link Tensor#hardswish()}: one pass over x instead of
 * four. Two spellings are recognised, with x the same value throughout and every intermediate read by the next node
 * only:
 * <ul>
 *   <li>Paddle2ONNX's {@code Div(Mul(x, Clip(Add(x, 3), 0, 6)), 6)} (either operand order of Add and Mul; Clip's bounds
 *       as attributes before opset 11, as inputs from it), which {@code hardswish} computes with the same roundings;
 *   <li>{@code Mul(x, HardSigmoid(x))} with α = 1/6 and β = ½ (the float32 values), x·max(0, min(1, x/6 + ½)), which
 *       equals hard swish up to float32 rounding.
 * </ul>
 * The constants must equal 3, 0, 6 and 6 exactly at load (one element each); the step checks them again on every call
 * (they may be parameters that fine-tuning changed) and runs the original nodes one by one when they differ, when x is
 * not floating point, or when gradients are on and a constant requires one (so it still receives its gradient).
 */
final class HardSwishFusion {
    private HardSwishFusion() {}

    /**
     * The steps with each recognised chain replaced by one step at the place of its last node.
     *
     * @param steps        the steps in run order
     * @param graphOutputs the graph's outputs (an intermediate that is one of them is not fused away)
     * @param known        the values known at load (initializers and Constant nodes' values), by name
     * @param opset        the model's opset of the default domain (Clip's bounds are attributes before 11)
     * @return the new list (the same list where nothing fuses)
     */
    static List<OnnxModel.Step> fuse(List<OnnxModel.Step> steps, Set<String> graphOutputs, Map<String, Tensor> known, long opset) {
        StepIndex index = new StepIndex(steps, graphOutputs);
        OnnxModel.Step[] out = steps.toArray(new OnnxModel.Step[0]);
        Chains chains = new Chains(steps, out, index, known, opset);
        boolean any = false;
        for (int j = 0; j < steps.size(); j++) any |= chains.paddle(j) || chains.hardSigmoid(j);
        return any ? StepIndex.kept(out) : steps;
    }

    /** The matching state over one plan. */
    private record Chains(List<OnnxModel.Step> steps, OnnxModel.Step[] out, StepIndex index, Map<String, Tensor> known, long opset) {

        /** Div(Mul(x, Clip(Add(x, 3), 0, 6)), 6) ending at step j. */
        boolean paddle(int j) {
            OnnxModel.Step div = steps.get(j);
            if (out[j] == null || !is(div, "Div", 2) || !equals(div.inputs().get(1), 6)) return false;
            Integer mk = single(div.inputs().get(0));
            if (mk == null || !is(steps.get(mk), "Mul", 2)) return false;
            OnnxModel.Step mul = steps.get(mk);
            for (int side = 0; side < 2; side++) {
                String x = mul.inputs().get(side);
                Integer ck = single(mul.inputs().get(1 - side));
                if (ck == null || !is(steps.get(ck), "Clip", -1) || !clipsTo0And6(steps.get(ck))) continue;
                OnnxModel.Step clip = steps.get(ck);
                Integer ak = single(clip.inputs().get(0));
                if (ak == null || !is(steps.get(ak), "Add", 2)) continue;
                OnnxModel.Step add = steps.get(ak);
                int xAt = add.inputs().get(0).equals(x) ? 0 : add.inputs().get(1).equals(x) ? 1 : -1;
                if (xAt < 0 || !equals(add.inputs().get(1 - xAt), 3)) continue;
                // inputs: x, the 3, the 6, then Clip's bound inputs if any; the chain's own kernels run it when the fused op may not
                List<String> inputs = new ArrayList<>(List.of(x, add.inputs().get(1 - xAt), div.inputs().get(1)));
                List<String> bounds = clip.inputs().subList(1, clip.inputs().size());
                inputs.addAll(bounds);
                double[] want = new double[inputs.size()];
                want[1] = 3;
                want[2] = 6;
                if (bounds.size() > 1) want[4] = 6;
                OnnxOps.Kernel addK = add.kernel(), clipK = clip.kernel(), mulK = mul.kernel(), divK = div.kernel();
                int xSide = side, addX = xAt;
                OnnxOps.Kernel chain = in -> {
                    Tensor[] addIn = addX == 0 ? new Tensor[] {in[0], in[1]} : new Tensor[] {in[1], in[0]};
                    Tensor[] clipIn = new Tensor[1 + bounds.size()];
                    clipIn[0] = addK.apply(addIn)[0];
                    for (int b = 0; b < bounds.size(); b++) clipIn[1 + b] = in[3 + b];
                    Tensor c = clipK.apply(clipIn)[0];
                    Tensor m = mulK.apply(xSide == 0 ? new Tensor[] {in[0], c} : new Tensor[] {c, in[0]})[0];
                    return divK.apply(new Tensor[] {m, in[2]});
                };
                out[j] = new OnnxModel.Step(div.node(), new Fused(want, chain), List.copyOf(inputs), div.outputs());
                out[mk] = out[ck] = out[ak] = null;
                return true;
            }
            return false;
        }

        /** Mul(x, HardSigmoid(x)) with α = 1/6, β = ½, ending at step j. */
        boolean hardSigmoid(int j) {
            OnnxModel.Step mul = steps.get(j);
            if (out[j] == null || !is(mul, "Mul", 2)) return false;
            for (int side = 0; side < 2; side++) {
                String x = mul.inputs().get(side);
                Integer hk = single(mul.inputs().get(1 - side));
                if (hk == null || !is(steps.get(hk), "HardSigmoid", 1)) continue;
                OnnxModel.Step hs = steps.get(hk);
                if (!hs.inputs().get(0).equals(x) || attribute(hs, "alpha", 0.2f) != 1f / 6 || attribute(hs, "beta", 0.5f) != 0.5f) continue;
                OnnxOps.Kernel hsK = hs.kernel(), mulK = mul.kernel();
                int xSide = side;
                OnnxOps.Kernel chain = in -> {
                    Tensor h = hsK.apply(new Tensor[] {in[0]})[0];
                    return mulK.apply(xSide == 0 ? new Tensor[] {in[0], h} : new Tensor[] {h, in[0]});
                };
                out[j] = new OnnxModel.Step(mul.node(), new Fused(new double[1], chain), List.of(x), mul.outputs());
                out[hk] = null;
                return true;
            }
            return false;
        }

        /** Whether the step is a node of the default domain of that type with one output and n inputs, none omitted (any number if n < 0). */
        private static boolean is(OnnxModel.Step s, String type, int n) {
            OnnxFile.Node node = s.node();
            return node.domain().isEmpty() && node.opType().equals(type) && (n < 0 || s.inputs().size() == n) && s.outputs().size() == 1
                    && s.inputs().stream().noneMatch(String::isEmpty);
        }

        /** The step producing this value when the value has exactly one reader and is not a graph output; else null. */
        private Integer single(String value) {
            Integer k = index.soleProducer(value);
            return k == null || out[k] == null ? null : k;
        }

        /** Whether the value is known at load as one element equal to v. */
        private boolean equals(String value, double v) {
            Tensor t = known.get(value);
            return t != null && t.dtype().isFloatingPoint() && t.numel() == 1 && t.item() == v;
        }

        /** Whether a Clip clips to [0, 6] (attributes before opset 11, constant inputs from it). */
        private boolean clipsTo0And6(OnnxModel.Step clip) {
            if (opset < 11) return clip.inputs().size() == 1 && attribute(clip, "min", Float.NEGATIVE_INFINITY) == 0f && attribute(clip, "max", Float.POSITIVE_INFINITY) == 6f;
            return clip.inputs().size() == 3 && equals(clip.inputs().get(1), 0) && equals(clip.inputs().get(2), 6);
        }

        private static float attribute(OnnxModel.Step s, String name, float otherwise) {
            OnnxFile.Attribute a = s.node().attributes().get(name);
            return a == null || !(a.value() instanceof Float f) ? otherwise : f;
        }
    }

    /**
     * The fused step's kernel: in[0] is x, in[k] for k ≥ 1 a constant that must equal want[k]. Hard swish in one pass
     * when they do (and the chain need not run for their gradients), else the chain.
     *
     * @param want  the constants' required values (want[0] unused)
     * @param chain the original nodes, one after the other
     */
    record Fused(double[] want, OnnxOps.Kernel chain) implements OnnxOps.Kernel {
        @Override
        public Tensor[] apply(Tensor[] in) {
            Tensor x = in[0];
            return x != null && constantsHold(in, x.dtype(), x.dim()) ? new Tensor[] {x.hardswish()} : chain.apply(in);
        }

        /** Whether in[1..] are the constants the fused op stands for, for an x of this dtype and rank. */
        boolean constantsHold(Tensor[] in, dev.descent.core.DType xType, int xRank) {
            if (!xType.isFloatingPoint()) return false;
            for (int k = 1; k < in.length; k++) {
                Tensor c = in[k];
                boolean ok = c != null && c.numel() == 1 && c.dim() <= xRank && c.dtype() == xType && !(c.requiresGrad() && GradMode.isEnabled())
                        && c.item() == want[k];
                if (!ok) return false;
            }
            return true;
        }
    }
}
