package dev.descent.onnx;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.GradMode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Constant folding at load: nodes whose inputs are all known then run once, and their outputs become constants that
 * the run-time loop starts from. Known at load are integer and bool initializers, Constant nodes that are not
 * parameters, the outputs of nodes folded before, and the output of a Shape node whose input's shape is known.
 *
 * <p>A shape is known for initializers and parameters, for graph inputs whose shape is fully static (declared so in
 * the file, or given by the caller), and for the outputs of a node when its output shape cannot depend on
 * anything but what is known: an op whose output shape follows from its inputs' shapes alone (elementwise ops,
 * Conv, MatMul, Concat, Gather, …) with all input shapes known, or an op like Reshape, Slice or Expand whose first
 * input's shape is known and whose other inputs are folded values. Those shapes are found by running the nodes
 * that lead to a Shape node once on placeholder inputs (zeros of the known shapes). Nothing is ever folded from a
 * value that depends on an input's values, nor from a parameter (a floating-point initializer or a float Constant
 * of rank ≥ 1 is trainable: folding it would freeze it), nor from a float buffer.
 *
 * <p>Only ops that compute shapes and small index tensors fold (see {@link #FOLDABLE}), and only when their
 * output holds at most {@link #MAX_ELEMENTS} elements, so that folding never allocates much: Conv, MatMul or
 * Resize of constants still run at run time.
 */
final class ShapeFolding {
    private ShapeFolding() {}

    /** The most elements a folded value (or an input of a node being folded) may hold. */
    static final int MAX_ELEMENTS = 1 << 16;

    /** Ops that fold when every input is known: shape arithmetic and small index tensors. */
    static final Set<String> FOLDABLE = Set.of("Abs", "Add", "Cast", "Concat", "Constant", "ConstantOfShape", "Div", "Equal", "Expand", "Flatten",
            "Gather", "Greater", "Identity", "Less", "Mul", "Neg", "Not", "Range", "ReduceMax", "ReduceMean", "ReduceSum", "Reshape", "Shape",
            "Slice", "Split", "Squeeze", "Sub", "Tile", "Transpose", "Unsqueeze", "Where");

    /** Ops whose output shapes follow from their inputs' shapes and attributes alone (not from any input's values). */
    private static final Set<String> SHAPE_FROM_SHAPES = Set.of("Abs", "Add", "AveragePool", "BatchNormalization", "Cast", "Clip", "Concat",
            "Constant", "Conv", "ConvTranspose", "Div", "Dropout", "Equal", "Erf", "Exp", "Flatten", "Gather", "Gelu", "Gemm", "GlobalAveragePool",
            "Greater", "GRU", "HardSigmoid", "HardSwish", "Identity", "InstanceNormalization", "LayerNormalization", "LeakyRelu", "Less", "Log",
            "LogSoftmax", "LSTM", "MatMul", "MaxPool", "Mul", "Neg", "Not", "Pow", "Relu", "RNN", "Shape", "Sigmoid", "Softmax", "Sqrt", "Sub", "Tanh",
            "Transpose", "Where");

    /** Ops whose output shapes follow from their first input's shape and the values of their other inputs. */
    private static final Set<String> SHAPE_FROM_FIRST_AND_VALUES = Set.of("Expand", "Pad", "ReduceMax", "ReduceMean", "ReduceSum", "Reshape",
            "Resize", "Slice", "Split", "Squeeze", "Tile", "Unsqueeze");

    /**
     * What folding found.
     *
     * @param folded for each node, whether it was folded (it does not run at run time)
     * @param values the folded nodes' outputs by name
     * @param reliedOn the graph inputs whose shapes a folded value depends on, with those shapes: a run with other
     *        shapes must fail
     * @param consumed the initializers folded nodes read: replacing one at run time would not reach them
     */
    record Result(boolean[] folded, Map<String, Tensor> values, Map<String, int[]> reliedOn, Set<String> consumed) {
        int count() {
            int n = 0;
            for (boolean f : folded) n += f ? 1 : 0;
            return n;
        }
    }

    /**
     * Folds what can be.
     *
     * @param nodes the nodes in a topological order
     * @param kernels their compiled kernels
     * @param values the values known at load that may be folded from (integer and bool initializers)
     * @param fixed values known at load that must not be folded from (parameters and float buffers; their shapes are known)
     * @param inputShapes graph inputs whose shapes are known, with their element types
     */
    static Result fold(List<OnnxFile.Node> nodes, List<OnnxOps.Kernel> kernels, Map<String, Tensor> values, Map<String, Tensor> fixed,
                       Map<String, int[]> inputShapes, Map<String, DType> inputTypes) {
        int n = nodes.size();
        boolean[] folded = new boolean[n];
        Map<String, Tensor> known = new HashMap<>(values), out = new LinkedHashMap<>();
        Map<String, int[]> shapes = new HashMap<>(inputShapes);
        Map<String, Set<String>> origins = new HashMap<>(); // for a value whose shape is known: the graph inputs it depends on
        for (String in : inputShapes.keySet()) origins.put(in, Set.of(in));
        for (Map.Entry<String, Tensor> e : values.entrySet()) shapes.put(e.getKey(), e.getValue().shape());
        for (Map.Entry<String, Tensor> e : fixed.entrySet()) shapes.put(e.getKey(), e.getValue().shape());
        Map<String, Tensor> placeholders = new HashMap<>(fixed);
        boolean[] needed = needed(nodes, fixed.keySet());
        Map<String, Integer> uses = new HashMap<>();
        for (int k = 0; k < n; k++) if (needed[k]) for (String in : nodes.get(k).inputs()) uses.merge(in, 1, Integer::sum);
        Set<String> relied = new HashSet<>(), consumed = new HashSet<>();
        try (var g = GradMode.noGrad()) {
            for (int k = 0; k < n; k++) {
                OnnxFile.Node node = nodes.get(k);
                String op = node.domain().isEmpty() ? node.opType() : "";
                List<String> ins = node.inputs();
                boolean variable = false;
                for (String o : node.outputs()) variable |= fixed.containsKey(o);
                if (variable) continue; // a Constant node that is a parameter: its shape is known already
                if (FOLDABLE.contains(op) && allIn(ins, known) && small(op, ins, known)) {
                    Tensor[] r = evaluate(kernels.get(k), ins, known);
                    if (r != null && fits(r)) {
                        folded[k] = true;
                        for (String in : ins) if (values.containsKey(in)) consumed.add(in);
                        put(node, r, known, shapes, out);
                    }
                }
                if (!folded[k] && op.equals("Shape") && !ins.isEmpty() && shapes.containsKey(ins.get(0))) {
                    Tensor like = Tensor.zeros(DType.FLOAT32).expand(shapes.get(ins.get(0))); // the kernel reads the shape only
                    Tensor[] r = evaluate(kernels.get(k), List.of("x"), Map.of("x", like));
                    if (r != null) {
                        folded[k] = true;
                        relied.addAll(origins.getOrDefault(ins.get(0), Set.of()));
                        put(node, r, known, shapes, out);
                    }
                }
                if (!folded[k] && needed[k] && shapeIsKnown(op, ins, shapes, known)) {
                    // Run on placeholders only to learn the output shapes.
                    Map<String, Tensor> args = new HashMap<>();
                    Set<String> from = new HashSet<>();
                    for (String in : ins) {
                        if (in.isEmpty()) continue;
                        Tensor v = known.containsKey(in) ? known.get(in) : placeholders.get(in);
                        if (v == null && inputShapes.containsKey(in)) {
                            v = Tensor.zeros(inputTypes.getOrDefault(in, DType.FLOAT32), inputShapes.get(in));
                            placeholders.put(in, v);
                        }
                        if (v == null) {
                            args = null;
                            break;
                        }
                        args.put(in, v);
                        from.addAll(origins.getOrDefault(in, Set.of()));
                    }
                    Tensor[] r = args == null ? null : evaluate(kernels.get(k), ins, args);
                    if (r != null) {
                        List<String> outs = node.outputs();
                        for (int j = 0; j < outs.size() && j < r.length; j++) {
                            if (outs.get(j).isEmpty() || r[j] == null) continue;
                            shapes.put(outs.get(j), r[j].shape());
                            placeholders.put(outs.get(j), r[j]);
                            origins.put(outs.get(j), from);
                        }
                    }
                }
                if (needed[k]) {
                    for (String in : ins) {
                        if (uses.merge(in, -1, Integer::sum) == 0 && !fixed.containsKey(in)) placeholders.remove(in);
                    }
                }
            }
        }
        Map<String, int[]> reliedOn = new LinkedHashMap<>();
        for (Map.Entry<String, int[]> e : inputShapes.entrySet()) if (relied.contains(e.getKey())) reliedOn.put(e.getKey(), e.getValue());
        return new Result(folded, out, reliedOn, consumed);
    }

    /** The nodes that lead to a Shape node's input (their output shapes may be wanted). */
    private static boolean[] needed(List<OnnxFile.Node> nodes, Set<String> fixed) {
        Map<String, Integer> producer = new HashMap<>();
        for (int k = 0; k < nodes.size(); k++) for (String o : nodes.get(k).outputs()) if (!o.isEmpty()) producer.put(o, k);
        ArrayDeque<String> todo = new ArrayDeque<>();
        for (OnnxFile.Node node : nodes) if (node.domain().isEmpty() && node.opType().equals("Shape") && !node.inputs().isEmpty()) todo.add(node.inputs().get(0));
        boolean[] needed = new boolean[nodes.size()];
        while (!todo.isEmpty()) {
            Integer p = producer.get(todo.pop());
            if (p == null || needed[p]) continue;
            needed[p] = true;
            for (String in : nodes.get(p).inputs()) if (!in.isEmpty() && !fixed.contains(in)) todo.add(in);
        }
        return needed;
    }

    private static boolean shapeIsKnown(String op, List<String> ins, Map<String, int[]> shapes, Map<String, Tensor> known) {
        if (SHAPE_FROM_SHAPES.contains(op)) {
            for (String in : ins) if (!in.isEmpty() && !shapes.containsKey(in)) return false;
            return true;
        }
        if (SHAPE_FROM_FIRST_AND_VALUES.contains(op)) {
            if (ins.isEmpty() || !shapes.containsKey(ins.get(0))) return false;
            for (int j = 1; j < ins.size(); j++) if (!ins.get(j).isEmpty() && !known.containsKey(ins.get(j))) return false;
            return true;
        }
        return false;
    }

    private static boolean allIn(List<String> ins, Map<String, Tensor> known) {
        for (String in : ins) if (!in.isEmpty() && !known.containsKey(in)) return false;
        return true;
    }

    /** Whether folding the node allocates little: its inputs are small and, where the output can grow, so is it. */
    private static boolean small(String op, List<String> ins, Map<String, Tensor> known) {
        List<Tensor> v = new ArrayList<>();
        for (String in : ins) {
            Tensor t = in.isEmpty() ? null : known.get(in);
            if (t != null && t.numel() > MAX_ELEMENTS) return false;
            v.add(t);
        }
        try {
            long bound = switch (op) {
                case "Add", "Sub", "Mul", "Div", "Equal", "Less", "Greater", "Where" -> {
                    long[] b = {};
                    for (Tensor t : v) if (t != null && b != null) b = broadcast(b, t.shape());
                    yield b == null ? Long.MAX_VALUE : product(b);
                }
                case "Gather" -> (long) v.get(1).numel() * v.get(0).numel(); // at most every index picks the whole data
                case "ConstantOfShape" -> product(v.get(0).toLongArray());
                case "Expand" -> {
                    long[] spec = v.get(1).toLongArray();
                    long[] b = broadcast(spec, v.get(0).shape());
                    yield b == null ? Long.MAX_VALUE : product(b);
                }
                case "Tile" -> (long) v.get(0).numel() * product(v.get(1).toLongArray());
                case "Range" -> {
                    double a = v.get(0).item(), l = v.get(1).item(), d = v.get(2).item();
                    yield d == 0 || Double.isNaN(d) ? Long.MAX_VALUE : (long) Math.min(Long.MAX_VALUE, Math.max(0, Math.ceil((l - a) / d)));
                }
                default -> 0; // the output holds no more elements than the inputs together
            };
            return bound <= MAX_ELEMENTS;
        } catch (RuntimeException e) {
            return false; // let the run-time evaluation report it
        }
    }

    /** The broadcast of two shapes, or null when they do not broadcast or a size is negative. */
    private static long[] broadcast(long[] a, int[] b) {
        int r = Math.max(a.length, b.length);
        long[] out = new long[r];
        for (int k = 0; k < r; k++) {
            long x = k - (r - a.length) >= 0 ? a[k - (r - a.length)] : 1, y = k - (r - b.length) >= 0 ? b[k - (r - b.length)] : 1;
            if (x < 0 || y < 0 || (x != y && x != 1 && y != 1)) return null;
            out[k] = x == 1 ? y : x;
        }
        return out;
    }

    /** The product of sizes, saturating at Long.MAX_VALUE; a negative size counts as too large. */
    private static long product(long[] s) {
        for (long d : s) {
            if (d < 0) return Long.MAX_VALUE;
            if (d == 0) return 0;
        }
        long p = 1;
        for (long d : s) {
            if (p > Long.MAX_VALUE / d) return Long.MAX_VALUE;
            p *= d;
        }
        return p;
    }

    private static boolean fits(Tensor[] r) {
        for (Tensor t : r) if (t != null && t.numel() > MAX_ELEMENTS) return false;
        return true;
    }

    /** The kernel on the named values, or null when it throws (the run-time call will report it, naming the node). */
    private static Tensor[] evaluate(OnnxOps.Kernel kernel, List<String> ins, Map<String, Tensor> values) {
        Tensor[] args = new Tensor[ins.size()];
        for (int j = 0; j < args.length; j++) args[j] = ins.get(j).isEmpty() ? null : values.get(ins.get(j));
        try {
            return kernel.apply(args);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static void put(OnnxFile.Node node, Tensor[] r, Map<String, Tensor> known, Map<String, int[]> shapes, Map<String, Tensor> out) {
        List<String> outs = node.outputs();
        for (int j = 0; j < outs.size() && j < r.length; j++) {
            if (outs.get(j).isEmpty() || r[j] == null) continue;
            Tensor v = r[j].contiguous();
            known.put(outs.get(j), v);
            shapes.put(outs.get(j), v.shape());
            out.put(outs.get(j), v);
        }
    }

    /**
     * Whether a placeholder of this shape is too large to allocate at load for a shape only the file declares
     * (more than 2^26 elements): a file's claims do not make loading allocate much beyond the file's size.
     */
    static boolean tooLarge(int[] shape) {
        long n = 1;
        for (int d : shape) {
            n *= d;
            if (n > 1L << 26) return true;
        }
        return false;
    }

    /** The shape of a declared graph input when every dimension is a number, else null. */
    static int[] staticShape(OnnxFile.ValueInfo v) {
        if (v.shape() == null) return null;
        int[] s = new int[v.shape().size()];
        for (int k = 0; k < s.length; k++) {
            OnnxFile.Dim d = v.shape().get(k);
            if (d.value() < 0 || !d.param().isEmpty() || d.value() > Integer.MAX_VALUE) return null;
            s[k] = (int) d.value();
        }
        return s;
    }

    /** Descent's dtype for an ONNX element type a graph input may have, or null. */
    static DType dtype(int elemType) {
        return switch (elemType) {
            case OnnxFile.FLOAT -> DType.FLOAT32;
            case OnnxFile.DOUBLE -> DType.FLOAT64;
            case OnnxFile.INT64, OnnxFile.INT32 -> DType.INT64;
            case OnnxFile.BOOL -> DType.BOOL;
            default -> null;
        };
    }
}
