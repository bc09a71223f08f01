package dev.descent.onnx;

import dev.descent.core.Tensor;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One node being compiled: its attributes (each read at most once, so that one never read is known to be
 * unsupported), the opset it is read under, the values known at load time, and errors that name the node.
 */
final class NodeContext {
    final OnnxFile.Node node;
    final long opset;
    private final String file;
    private final Map<String, Tensor> known;
    private final Set<String> read = new HashSet<>();

    /** Compiles the subgraphs of control-flow nodes (null where there is none to compile: such nodes are refused). */
    final OnnxControlFlow.Subgraphs subgraphs;

    NodeContext(String file, OnnxFile.Node node, long opset, Map<String, Tensor> known) {
        this(file, node, opset, known, null);
    }

    NodeContext(String file, OnnxFile.Node node, long opset, Map<String, Tensor> known, OnnxControlFlow.Subgraphs subgraphs) {
        this.file = file;
        this.node = node;
        this.opset = opset;
        this.known = known;
        this.subgraphs = subgraphs;
    }

    /** An error naming the file, node, op and opset: "FILE: node 'n' (op Conv, opset 13): MESSAGE". */
    OnnxException unsupported(String message) {
        String name = node.name().isEmpty() ? "#" + String.join(",", node.outputs()) : "'" + node.name() + "'";
        return new OnnxException(file + ": node " + name + " (op " + node.opType() + (node.domain().isEmpty() ? "" : ", domain " + node.domain())
                + ", opset " + opset + "): " + message);
    }

    /** Checks the numbers of inputs and outputs (omitted optional trailing values included). */
    void arity(int minIn, int maxIn, int minOut, int maxOut) throws OnnxException {
        int in = node.inputs().size(), out = node.outputs().size();
        if (in < minIn || in > maxIn) throw unsupported(range(minIn, maxIn) + " inputs expected, " + in + " given");
        if (out < minOut || out > maxOut) throw unsupported(range(minOut, maxOut) + " outputs supported, " + out + " given");
        for (int k = 0; k < minIn; k++) if (node.inputs().get(k).isEmpty()) throw unsupported("input " + k + " is required but empty");
    }

    private static String range(int lo, int hi) {
        return lo == hi ? Integer.toString(lo) : lo + " to " + hi;
    }

    boolean hasInput(int k) {
        return k < node.inputs().size() && !node.inputs().get(k).isEmpty();
    }

    /** Whether output k is asked for. */
    boolean hasOutput(int k) {
        return k < node.outputs().size() && !node.outputs().get(k).isEmpty();
    }

    /** A context for another node in the same place (file, opset, subgraph compiler), with the given known values. */
    NodeContext with(OnnxFile.Node other, Map<String, Tensor> knownValues) {
        return new NodeContext(file, other, opset, knownValues, subgraphs);
    }

    /** The values known at load where this node is (initializers and Constant outputs of its graph and those around it). */
    Map<String, Tensor> known() {
        return known;
    }

    /** Input k's value when known at load (an initializer or a Constant's output), else null. */
    Tensor constant(int k) {
        return hasInput(k) ? known.get(node.inputs().get(k)) : null;
    }

    private OnnxFile.Attribute attr(String name, OnnxFile.AttributeType type) throws OnnxException {
        read.add(name);
        OnnxFile.Attribute a = node.attributes().get(name);
        if (a != null && a.type() != type) throw unsupported("attribute '" + name + "' should be " + type + ", is " + a.type());
        return a;
    }

    boolean has(String name) {
        return node.attributes().containsKey(name);
    }

    long i(String name, long dflt) throws OnnxException {
        OnnxFile.Attribute a = attr(name, OnnxFile.AttributeType.INT);
        return a == null ? dflt : (Long) a.value();
    }

    int int32(String name, long dflt) throws OnnxException {
        long v = i(name, dflt);
        if (v != (int) v) throw unsupported("attribute '" + name + "' = " + v + " does not fit an int");
        return (int) v;
    }

    float f(String name, float dflt) throws OnnxException {
        OnnxFile.Attribute a = attr(name, OnnxFile.AttributeType.FLOAT);
        return a == null ? dflt : (Float) a.value();
    }

    String s(String name, String dflt) throws OnnxException {
        OnnxFile.Attribute a = attr(name, OnnxFile.AttributeType.STRING);
        return a == null ? dflt : (String) a.value();
    }

    /** An INTS attribute as ints, or null when absent. */
    int[] ints(String name) throws OnnxException {
        OnnxFile.Attribute a = attr(name, OnnxFile.AttributeType.INTS);
        if (a == null) return null;
        long[] v = (long[]) a.value();
        int[] r = new int[v.length];
        for (int k = 0; k < v.length; k++) {
            if (v[k] != (int) v[k]) throw unsupported("attribute '" + name + "' holds " + v[k] + ", which does not fit an int");
            r[k] = (int) v[k];
        }
        return r;
    }

    float[] floats(String name) throws OnnxException {
        OnnxFile.Attribute a = attr(name, OnnxFile.AttributeType.FLOATS);
        return a == null ? null : (float[]) a.value();
    }

    long[] longs(String name) throws OnnxException {
        OnnxFile.Attribute a = attr(name, OnnxFile.AttributeType.INTS);
        return a == null ? null : (long[]) a.value();
    }

    Tensor tensor(String name) throws OnnxException {
        OnnxFile.Attribute a = attr(name, OnnxFile.AttributeType.TENSOR);
        return a == null ? null : (Tensor) a.value();
    }

    /** A GRAPH attribute, or null when absent. */
    OnnxFile.Graph graph(String name) throws OnnxException {
        OnnxFile.Attribute a = attr(name, OnnxFile.AttributeType.GRAPH);
        return a == null ? null : (OnnxFile.Graph) a.value();
    }

    /** Marks attributes that are accepted and have no effect on inference. */
    void ignore(String... names) {
        read.addAll(Arrays.asList(names));
    }

    /** Fails on the first attribute no one read: an attribute this op's implementation does not know. */
    void done() throws OnnxException {
        for (String name : node.attributes().keySet()) {
            if (!read.contains(name)) throw unsupported("attribute '" + name + "' is not supported");
        }
    }

    List<String> inputs() {
        return node.inputs();
    }
}
