package dev.descent.onnx;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.Autograd;
import dev.descent.core.autograd.GradMode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The last inference pass: connected runs of convolutions that {@link Blocked} has kernels for (depthwise 3×3, 1×1;
 * with whatever the fusions before merged into them) exchange their values in the channel-blocked layout, with one
 * reorder where a region starts ({@link Blocked#block}) and one after each value that something outside it reads, or
 * that is a graph output ({@link Blocked#planes}). A value a blocked step produces is renamed (its name and
 * {@link #SUFFIX}); the reorder back produces the original name, so every other step reads what it read before.
 *
 * <p>Regions of fewer than {@link #minRegion} convolutions, or of fewer than {@link #perReorder} per reorder, stay in
 * planes: the reorders and the padded channels would cost what the kernels gain. With gradients recorded the reorder into blocks passes its input through, so every convolution runs on planes
 * and the steps after the region read planes: the path changes nothing that trains.
 */
final class ChannelBlocking {
    private ChannelBlocking() {}

    /** Appended to the name of a value in the blocked layout. */
    static final String SUFFIX = "\u0000blocked";

    /**
     * The fewest convolutions a region needs to be blocked. Measured (one thread, 512 bits, alternated in one process
     * with the plan in planes): M-LSD's backbone (31 convolutions, 4 reorders) 7–10% faster for the whole model,
     * PP-OCRv4's detector and recognizer (regions of 16 and 12, 4 and 2 reorders) within noise; PP-LCNet's classifier
     * (a region of 8 at 2 reorders) 15–28% slower and BlazeFace's (10 at 3) 16–24% slower: their maps are small and
     * their channel counts are padded to whole blocks.
     */
    static volatile int minRegion = 12;

    /** The least convolutions per reorder a region needs to be blocked (PP-LCNet's regions of 10 and 6 each need as many). */
    static volatile int perReorder = 4;

    private static final boolean DEBUG = Boolean.getBoolean("descent.onnx.blockedDebug");

    /**
     * The plan with its regions blocked (the same plan when there are none, or when {@link Blocked#enabled} is off).
     *
     * @param plan         the steps in run order, after the other fusions
     * @param graphOutputs the graph's outputs
     * @param known        the values known at load (the weights)
     * @return the new plan
     */
    static List<OnnxModel.Step> apply(List<OnnxModel.Step> plan, Set<String> graphOutputs, Map<String, Tensor> known) {
        if (!Blocked.enabled) return plan;
        int n = plan.size();
        int[] channels = new int[n]; // a capable step's output channels, else 0
        int[][] positions = new int[n][]; // the inputs of a capable step that take the blocked layout
        for (int k = 0; k < n; k++) {
            positions[k] = capable(plan.get(k), known);
            if (positions[k] != null) channels[k] = known.get(plan.get(k).node().inputs().get(1)).size(0);
        }
        StepIndex index = new StepIndex(plan, graphOutputs);
        int[] root = new int[n];
        for (int k = 0; k < n; k++) root[k] = k;
        for (int k = 0; k < n; k++) {
            if (positions[k] == null) continue;
            for (int at : positions[k]) {
                Integer p = index.producer(plan.get(k).inputs().get(at));
                if (p != null && positions[p] != null) root[find(root, k)] = find(root, p);
            }
        }
        int[] size = new int[n];
        for (int k = 0; k < n; k++) if (positions[k] != null) size[find(root, k)]++;
        // the reorders each region would need: values from outside read in blocks, and its values read in planes (or leaving the graph)
        int[] reorders = new int[n];
        Set<String> readInBlocks = new HashSet<>(); // "region value"
        for (int k = 0; k < n; k++) {
            if (positions[k] == null) continue;
            for (int at : positions[k]) {
                String v = plan.get(k).inputs().get(at);
                Integer p = index.producer(v);
                if ((p == null || positions[p] == null) && readInBlocks.add(find(root, k) + " " + v)) reorders[find(root, k)]++;
            }
        }
        Set<String> readInPlanes = new HashSet<>(); // capable steps' outputs read in planes: a step reading them from its blocked input position is in their region
        for (int j = 0; j < n; j++) {
            List<String> ins = plan.get(j).inputs();
            for (int i = 0; i < ins.size(); i++) {
                Integer p = index.producer(ins.get(i));
                if (p != null && positions[p] != null && !contains(positions[j], i) && readInPlanes.add(ins.get(i))) reorders[find(root, p)]++;
            }
        }
        for (String o : graphOutputs) {
            Integer p = index.producer(o);
            if (p != null && positions[p] != null && readInPlanes.add(o)) reorders[find(root, p)]++;
        }
        boolean[] blocked = new boolean[n];
        boolean any = false;
        for (int k = 0; k < n; k++) {
            int r = find(root, k);
            any |= blocked[k] = positions[k] != null && size[r] >= minRegion && size[r] >= perReorder * reorders[r];
        }
        if (DEBUG) {
            for (int k = 0; k < n; k++) {
                if (positions[k] != null && find(root, k) == k) System.err.println("region " + k + ": " + size[k] + " convolutions, " + reorders[k] + " reorders");
            }
        }
        if (!any) return plan;

        List<OnnxModel.Step> out = new ArrayList<>();
        Map<String, String> blockedName = new HashMap<>();
        for (int k = 0; k < n; k++) {
            OnnxModel.Step s = plan.get(k);
            if (!blocked[k]) {
                out.add(s);
                continue;
            }
            List<String> inputs = new ArrayList<>(s.inputs());
            for (int at : positions[k]) {
                String v = inputs.get(at);
                String b = blockedName.get(v);
                if (b == null) {
                    b = v + SUFFIX;
                    out.add(new OnnxModel.Step(reorder("to blocks", v, b), ChannelBlocking::toBlocks, List.of(v), List.of(b)));
                    blockedName.put(v, b);
                }
                inputs.set(at, b);
            }
            String o = s.outputs().get(0), b = o + SUFFIX;
            out.add(new OnnxModel.Step(s.node(), s.kernel(), List.copyOf(inputs), List.of(b)));
            blockedName.put(o, b);
            if (readInPlanes.contains(o)) {
                int c = channels[k];
                out.add(new OnnxModel.Step(reorder("to planes", b, o), in -> new Tensor[] {Blocked.isBlocked(in[0]) ? Blocked.planes(in[0], c) : in[0]},
                        List.of(b), List.of(o)));
            }
        }
        return out;
    }

    /**
     * The input positions of a step that take a blocked value (x, and a residual), when the step is a Conv (alone or
     * fused) with a known float32 weight that {@link Blocked#supports}; else null.
     */
    private static int[] capable(OnnxModel.Step s, Map<String, Tensor> known) {
        OnnxFile.Node node = s.node();
        if (!node.domain().isEmpty() || !node.opType().equals("Conv") || node.inputs().size() < 2 || s.outputs().size() != 1 || s.inputs().isEmpty()) return null;
        Tensor w = known.get(node.inputs().get(1));
        PadConvFusion.ConvAttributes a = PadConvFusion.ConvAttributes.of(node);
        if (w == null || a == null || w.dtype() != DType.FLOAT32 || !a.fits(w)) return null;
        boolean padFused = !s.inputs().get(1).equals(node.inputs().get(1)); // PadConvFusion's (x, pads, value, w, b): more padding, known on a call
        boolean depthwise = w.size(1) == 1 && w.size(2) == 3 && w.size(3) == 3 && a.group() == w.size(0);
        if (padFused && !depthwise) return null;
        if (!Blocked.supports(w.shape(), a.group(), a.strides(), a.dilations(), a.pads())) return null;
        if (s.kernel() instanceof ConvResidualFusion.Residual r) return r.zeros() ? null : new int[] {0, r.at()};
        return new int[] {0};
    }

    private static OnnxFile.Node reorder(String what, String from, String to) {
        return new OnnxFile.Node(from.replace(SUFFIX, "") + " " + what, "Reorder", "dev.descent", List.of(from), List.of(to), Map.of());
    }

    /** The reorder into blocks: planes pass through while gradients are recorded (and for any other dtype or rank). */
    private static Tensor[] toBlocks(Tensor[] in) {
        Tensor x = in[0];
        if (GradMode.isEnabled() || Autograd.isRecording(x) || x.dtype() != DType.FLOAT32 || x.dim() != 4) return new Tensor[] {x};
        return new Tensor[] {Blocked.block(x)};
    }

    private static boolean contains(int[] a, int v) {
        if (a == null) return false;
        for (int x : a) if (x == v) return true;
        return false;
    }

    private static int find(int[] root, int k) {
        while (root[k] != k) k = root[k] = root[root[k]];
        return k;
    }
}
