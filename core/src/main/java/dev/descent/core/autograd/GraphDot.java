package dev.descent.core.autograd;

import dev.descent.core.Shape;
import dev.descent.core.Tensor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The autodiff graph behind a tensor as Graphviz DOT text. Op results are boxes labelled with the op,
 * shape and dtype; leaves that require a gradient (parameters) are ellipses labelled with their name;
 * constants (inputs that need no gradient) are grey. Edges follow the data, from inputs to the op
 * that reads them. Render with {@code dot -Tsvg graph.dot -o graph.svg}.
 */
public final class GraphDot {
    private GraphDot() {}

    /**
     * DOT text for the graph that produced {@code root}: every tensor reachable through recorded nodes, and
     * an edge from each input to the tensor its op produced.
     *
     * @param root the tensor whose history to draw (a leaf gives a one-node graph)
     * @return a {@code digraph} ready for Graphviz
     */
    public static String of(Tensor root) {
        Map<Tensor, String> ids = new IdentityHashMap<>();
        List<String> nodes = new ArrayList<>(), edges = new ArrayList<>();
        ArrayDeque<Tensor> todo = new ArrayDeque<>();
        id(root, ids, nodes, todo);
        while (!todo.isEmpty()) {
            Tensor t = todo.pop();
            Node n = t.gradFn();
            if (n == null) continue;
            for (Tensor in : n.inputs()) {
                if (in == null) continue;
                edges.add("  " + id(in, ids, nodes, todo) + " -> " + ids.get(t) + ";");
            }
        }
        StringBuilder sb = new StringBuilder("digraph autodiff {\n  rankdir=BT;\n  node [fontname=\"Helvetica\", fontsize=10];\n");
        nodes.forEach(s -> sb.append(s).append('\n'));
        edges.forEach(s -> sb.append(s).append('\n'));
        return sb.append("}\n").toString();
    }

    private static String id(Tensor t, Map<Tensor, String> ids, List<String> nodes, ArrayDeque<Tensor> todo) {
        String id = ids.get(t);
        if (id != null) return id;
        id = "t" + ids.size();
        ids.put(t, id);
        String shape = Shape.format(t.shape()) + " " + t.dtype().name().toLowerCase(Locale.ROOT);
        if (t.gradFn() != null) {
            nodes.add("  " + id + " [shape=box, style=filled, fillcolor=\"#dbe9f6\", label=\"" + escape(t.gradFn().op()) + "\\n" + shape + "\"];");
            todo.push(t);
        } else if (t.requiresGrad()) {
            String name = t.name() != null ? t.name() : "leaf";
            nodes.add("  " + id + " [shape=ellipse, style=filled, fillcolor=\"#fde9c9\", label=\"" + escape(name) + "\\n" + shape + "\"];");
        } else {
            String name = t.name() != null ? t.name() : (t.numel() == 1 ? "const " + formatScalar(t) : "const");
            nodes.add("  " + id + " [shape=note, color=gray50, fontcolor=gray30, label=\"" + escape(name) + "\\n" + shape + "\"];");
        }
        return id;
    }

    private static String formatScalar(Tensor t) {
        double v = t.item();
        return v == Math.rint(v) && Math.abs(v) < 1e9 ? Long.toString((long) v) : String.format(Locale.ROOT, "%.4g", v);
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
