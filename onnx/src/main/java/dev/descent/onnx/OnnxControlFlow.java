package dev.descent.onnx;

import dev.descent.core.DType;
import dev.descent.core.Shape;
import dev.descent.core.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * ONNX control flow, {@code If} and {@code Loop} (opsets 11 to 21), whose graph attributes are subgraphs compiled once
 * at load like the main graph. A subgraph reads values of the scopes around it by name (outer-scope capture): the node
 * that holds it reads them too ({@link #captured}), so the run orders it after their producers and keeps them alive
 * until it has run. Every op of a subgraph is a Descent op, so gradients flow through the branch taken and through each
 * iteration of a loop, back to the captured values and the loop's initial values.
 *
 * <p>{@code If}: a one-element condition picks {@code then_branch} or {@code else_branch}, graphs without inputs whose
 * outputs are the node's. {@code Loop}: inputs trip count {@code M} and condition {@code cond} (each optional, not both
 * omitted: that loop would never end) and N loop-carried initial values; the body takes the iteration number (an int64
 * scalar), the condition (a bool scalar) and the N carried values, and returns the next condition, the N next values and
 * K scan outputs; the node returns the N final values and the K scan outputs, each stacked along a new first axis. A
 * loop that runs no iteration returns scan outputs of size 0 along that axis, of the type and static dims the body
 * declares for them. Sequence- and optional-typed values, and these ops before opset 11, fail at load.
 */
final class OnnxControlFlow {
    private OnnxControlFlow() {}

    /** Compiles a subgraph of a node (the model does: it owns the parameters a subgraph's initializers become). */
    @FunctionalInterface
    interface Subgraphs {
        Body compile(OnnxFile.Graph graph, NodeContext owner) throws OnnxException;
    }

    /**
     * A compiled subgraph: its steps in a topological order, its constants, and the names of its inputs and outputs.
     * {@link #run} takes the values of its inputs and of the outer-scope names it reads.
     */
    static final class Body {
        private final String where;
        private final Map<String, Tensor> constants;
        private final List<OnnxModel.Step> steps;
        final List<String> inputs, outputs;
        final List<OnnxFile.ValueInfo> outputInfo;

        Body(String where, Map<String, Tensor> constants, List<OnnxModel.Step> steps, List<String> inputs, List<OnnxFile.ValueInfo> outputInfo) {
            this.where = where;
            this.constants = constants;
            this.steps = steps;
            this.inputs = inputs;
            this.outputInfo = outputInfo;
            List<String> outs = new ArrayList<>();
            for (OnnxFile.ValueInfo v : outputInfo) outs.add(v.name());
            this.outputs = List.copyOf(outs);
        }

        Tensor[] run(Map<String, Tensor> scope) {
            Map<String, Tensor> values = new HashMap<>(constants);
            values.putAll(scope);
            for (OnnxModel.Step s : steps) {
                List<String> ins = s.inputs();
                Tensor[] in = new Tensor[ins.size()];
                for (int j = 0; j < in.length; j++) in[j] = ins.get(j).isEmpty() ? null : values.get(ins.get(j));
                Tensor[] out;
                try {
                    out = s.kernel().apply(in);
                } catch (IllegalArgumentException | ArithmeticException e) {
                    throw new IllegalArgumentException(where + ", node '" + s.node().name() + "' (op " + s.node().opType() + "): " + e.getMessage(), e);
                }
                List<String> outs = s.outputs();
                for (int j = 0; j < outs.size() && j < out.length; j++) if (!outs.get(j).isEmpty()) values.put(outs.get(j), out[j]);
            }
            Tensor[] r = new Tensor[outputs.size()];
            for (int k = 0; k < r.length; k++) {
                r[k] = values.get(outputs.get(k));
                if (r[k] == null) throw new IllegalArgumentException(where + ": output '" + outputs.get(k) + "' was not computed");
            }
            return r;
        }
    }

    /**
     * The names a graph reads from the scopes around it: what its nodes (and their subgraphs, recursively) and its
     * outputs name that it does not define itself (as an input, an initializer or a node's output), in first-use order.
     */
    static List<String> outerReads(OnnxFile.Graph g) {
        Set<String> defined = new HashSet<>(g.initializers().keySet());
        for (OnnxFile.ValueInfo v : g.inputs()) defined.add(v.name());
        for (OnnxFile.Node n : g.nodes()) defined.addAll(n.outputs());
        Set<String> reads = new LinkedHashSet<>();
        for (OnnxFile.Node n : g.nodes()) {
            for (String in : n.inputs()) if (!in.isEmpty() && !defined.contains(in)) reads.add(in);
            for (String in : captured(n)) if (!defined.contains(in)) reads.add(in);
        }
        for (OnnxFile.ValueInfo v : g.outputs()) if (!defined.contains(v.name())) reads.add(v.name());
        return List.copyOf(reads);
    }

    /** The outer-scope names a node's subgraphs read (none for a node without graph attributes), in a fixed order. */
    static List<String> captured(OnnxFile.Node n) {
        Set<String> names = null;
        for (OnnxFile.Attribute a : n.attributes().values()) {
            if (a.type() != OnnxFile.AttributeType.GRAPH || !(a.value() instanceof OnnxFile.Graph g)) continue;
            if (names == null) names = new LinkedHashSet<>();
            names.addAll(outerReads(g));
        }
        return names == null ? List.of() : List.copyOf(names);
    }

    /** What a node reads when it runs: its inputs, then what its subgraphs capture. */
    static List<String> reads(OnnxFile.Node n) {
        List<String> captured = captured(n);
        if (captured.isEmpty()) return n.inputs();
        List<String> all = new ArrayList<>(n.inputs());
        all.addAll(captured);
        return List.copyOf(all);
    }

    private static OnnxFile.Graph required(NodeContext c, String name) throws OnnxException {
        if (c.subgraphs == null) throw c.unsupported(c.node.opType() + " is not supported here (subgraphs are compiled only inside a model)");
        OnnxFile.Graph g = c.graph(name);
        if (g == null) throw c.unsupported("attribute '" + name + "' (a graph) is required");
        return g;
    }

    private static void checkOpset(NodeContext c) throws OnnxException {
        if (c.opset < 11) throw c.unsupported(c.node.opType() + " is supported from opset 11 (to 21)");
        if (!c.node.domain().isEmpty()) throw c.unsupported("domain '" + c.node.domain() + "'");
    }

    /** The values of the captured names: they follow the node's own inputs in what the kernel receives. */
    private static Map<String, Tensor> scope(List<String> captured, Tensor[] in, int from) {
        Map<String, Tensor> scope = new HashMap<>();
        for (int k = 0; k < captured.size(); k++) scope.put(captured.get(k), in[from + k]);
        return scope;
    }

    private static boolean truth(String what, Tensor t) {
        if (t == null) throw new IllegalArgumentException(what + " is missing");
        if (t.numel() != 1) throw new IllegalArgumentException(what + " should hold one element, has shape " + Shape.format(t.shape()));
        Tensor c = t.contiguous();
        return c.dtype() == DType.BOOL ? c.toBooleanArray()[0] : c.item() != 0;
    }

    static OnnxOps.Kernel ifOp(NodeContext c) throws OnnxException {
        checkOpset(c);
        c.arity(1, 1, 1, Integer.MAX_VALUE);
        OnnxFile.Graph thenG = required(c, "then_branch"), elseG = required(c, "else_branch");
        int outs = c.node.outputs().size();
        for (OnnxFile.Graph g : List.of(thenG, elseG)) {
            String which = g == thenG ? "then_branch" : "else_branch";
            if (!g.inputs().isEmpty()) throw c.unsupported(which + " has " + g.inputs().size() + " inputs (a branch takes none)");
            if (g.outputs().size() != outs) throw c.unsupported(which + " has " + g.outputs().size() + " outputs for the node's " + outs);
        }
        Body thenB = c.subgraphs.compile(thenG, c), elseB = c.subgraphs.compile(elseG, c);
        List<String> captured = captured(c.node);
        return in -> {
            Map<String, Tensor> scope = scope(captured, in, 1);
            return (truth("If: the condition", in[0]) ? thenB : elseB).run(scope);
        };
    }

    static OnnxOps.Kernel loop(NodeContext c) throws OnnxException {
        checkOpset(c);
        c.arity(0, Integer.MAX_VALUE, 1, Integer.MAX_VALUE); // M and cond are optional but hold their places
        if (c.node.inputs().size() < 2) throw c.unsupported("2 or more inputs expected (M, cond, then the loop-carried values), " + c.node.inputs().size() + " given");
        OnnxFile.Graph g = required(c, "body");
        int carried = c.node.inputs().size() - 2;
        if (g.inputs().size() != 2 + carried) {
            throw c.unsupported("the body has " + g.inputs().size() + " inputs; it should take the iteration number, the condition and the " + carried + " loop-carried values");
        }
        int scans = g.outputs().size() - 1 - carried;
        if (scans < 0) throw c.unsupported("the body has " + g.outputs().size() + " outputs; it should return the condition and the " + carried + " loop-carried values, then scan outputs");
        int outs = c.node.outputs().size();
        if (outs > carried + scans) throw c.unsupported(outs + " outputs for " + carried + " loop-carried values and " + scans + " scan outputs");
        boolean hasM = c.hasInput(0), hasCond = c.hasInput(1);
        if (!hasM && !hasCond) throw c.unsupported("neither a trip count M nor a condition: the loop would never end");
        Body body = c.subgraphs.compile(g, c);
        List<String> captured = captured(c.node);
        int from = c.node.inputs().size();
        return in -> {
            long m = Long.MAX_VALUE;
            if (hasM) {
                if (in[0].numel() != 1) throw new IllegalArgumentException("Loop: the trip count M should hold one element, has shape " + Shape.format(in[0].shape()));
                m = in[0].contiguous().toLongArray()[0];
            }
            boolean cond = !hasCond || truth("Loop: the condition", in[1]);
            Tensor[] v = new Tensor[carried];
            for (int j = 0; j < carried; j++) {
                v[j] = in[2 + j];
                if (v[j] == null) throw new IllegalArgumentException("Loop: loop-carried value " + j + " has no initial value");
            }
            List<List<Tensor>> scanned = new ArrayList<>();
            for (int k = 0; k < scans; k++) scanned.add(new ArrayList<>());
            Map<String, Tensor> scope = scope(captured, in, from);
            for (long i = 0; i < m && cond; i++) {
                scope.put(body.inputs.get(0), Tensor.of(new long[] {i}).reshape());
                scope.put(body.inputs.get(1), Tensor.of(new boolean[] {cond}).reshape());
                for (int j = 0; j < carried; j++) scope.put(body.inputs.get(2 + j), v[j]);
                Tensor[] r = body.run(scope);
                if (hasCond) cond = truth("Loop: the body's condition output", r[0]);
                System.arraycopy(r, 1, v, 0, carried);
                for (int k = 0; k < scans; k++) scanned.get(k).add(r[1 + carried + k]);
            }
            Tensor[] out = new Tensor[outs];
            for (int j = 0; j < outs; j++) {
                if (j < carried) {
                    out[j] = v[j];
                } else {
                    int k = j - carried;
                    List<Tensor> s = scanned.get(k);
                    out[j] = s.isEmpty() ? emptyScan(body.outputInfo.get(1 + j)) : stack(s, k);
                }
            }
            return out;
        };
    }

    private static Tensor stack(List<Tensor> s, int k) {
        int[] first = s.get(0).shape();
        for (Tensor t : s) {
            if (!java.util.Arrays.equals(first, t.shape())) {
                throw new IllegalArgumentException("Loop: scan output " + k + " changes shape across iterations (" + Shape.format(first) + " and " + Shape.format(t.shape()) + ")");
            }
        }
        return Tensor.stack(s, 0);
    }

    /** A scan output of a loop that ran no iteration: size 0 along the new axis, the body's declared type and static dims (else 0). */
    private static Tensor emptyScan(OnnxFile.ValueInfo v) {
        DType d = ShapeFolding.dtype(v.elemType());
        int[] shape = new int[1 + (v.shape() == null ? 0 : v.shape().size())];
        for (int k = 1; k < shape.length; k++) shape[k] = (int) Math.max(0, Math.min(Integer.MAX_VALUE, v.shape().get(k - 1).value()));
        return Tensor.zeros(d == null ? DType.FLOAT32 : d, shape);
    }
}
