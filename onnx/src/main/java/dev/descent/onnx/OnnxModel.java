package dev.descent.onnx;

import dev.descent.core.Shape;
import dev.descent.core.Storage;
import dev.descent.core.Tensor;
import dev.descent.core.Workspace;
import dev.descent.core.autograd.GradMode;
import dev.descent.nn.Module;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An ONNX model as a Descent {@link Module}: the graph's nodes run in topological order, each as Descent ops,
 * so gradients flow through it. Floating-point initializers are {@link dev.descent.core.Parameter}s (trainable,
 * in {@link #parameters()}), and so are the float values of rank ≥ 1 of Constant nodes (where some exporters keep
 * weights); integer initializers and BatchNormalization's running mean and variance are buffers; their names are the ONNX names with {@code '.'} replaced by
 * {@code '_'} (a module name holds no dot).
 *
 * <p>Everything is checked when the model is loaded: an op, attribute or attribute value Descent does not
 * support, an opset outside what is implemented, or a value no node produces is an {@link OnnxException} whose
 * one-line message names the node, the op and the opset. Supported ops (default domain): Abs, Add, AveragePool (2-D),
 * BatchNormalization (inference), Cast (to float, double, int64, int32 as int64, bool), Clip, Concat, Constant, ConstantOfShape,
 * Conv (2-D), ConvTranspose (2-D, symmetric pads), Div, Dropout (inference), Equal, Erf, Exp, Expand, Flatten, Gather,
 * Gelu (20, none and tanh), Gemm, GlobalAveragePool, Greater, HardSigmoid, HardSwish, Identity, InstanceNormalization,
 * LayerNormalization (17, the Y output), LeakyRelu, Less, Log, LogSoftmax, MatMul, MaxPool (2-D), Mul, Neg, Not,
 * Pad (constant, reflect, edge, wrap), Pow, Range, ReduceMax, ReduceMean, ReduceSum, Relu, Reshape, Resize (nearest and
 * linear, any rank; half_pixel, pytorch_half_pixel, align_corners, asymmetric, half_pixel_symmetric, tf_half_pixel_for_nn),
 * Shape, Sigmoid, Size, Slice, Softmax, Split, Sqrt, Squeeze, Sub, Tanh, Tile, Transpose, Unsqueeze, Where.
 * LSTM, GRU and RNN (every direction and layout, sequence_lens, LSTM's peepholes; no clip, input_forget or activations with alpha/beta).
 * If and Loop (opsets 11 to 21; M and cond optional, loop-carried values, scan outputs): subgraphs compile at load, read values of
 * the scopes around them by name, and their initializers are parameters too.
 *
 * <p>At load, nodes that compute shapes and small index tensors from what is known then (integer initializers, Constant
 * nodes, and the shapes of inputs whose shape is fixed: declared fully static in the file, or given to
 * {@link #read(Path, Map)}) are evaluated once and do not run again. A model folded for a shape given to {@code read}
 * refuses inputs of another shape; one folded for the shape the file declares runs every node for another shape.
 *
 * <p>{@code OnnxModel.read(path)} loads a file. {@link #run} takes and returns values by their graph names; {@link #forward} is the call for a model with
 * one input and one output. Running holds no state between calls: concurrent calls are safe as long as no one
 * changes the parameters meanwhile.
 */
public final class OnnxModel extends Module {
    /** Default-domain opset versions that load (the ops' semantics are implemented for these). */
    public static final long MIN_OPSET = 7, MAX_OPSET = 21;

    private final transient OnnxFile.Model model;
    private final transient Map<String, Tensor> constants = new LinkedHashMap<>();
    private final transient List<Step> steps = new ArrayList<>();
    private final transient List<String> inputNames = new ArrayList<>();
    private final transient List<String> outputNames = new ArrayList<>();
    /**
     * Outputs of the nodes folded at load (they do not run), and the input shapes those values were computed for; the
     * unfolded plan runs for other shapes of inputs whose shapes came from the file, those given to read are required.
     */
    private final transient Map<String, Tensor> folded = new LinkedHashMap<>();
    private final transient Map<String, int[]> foldedFor = new LinkedHashMap<>();
    private final transient Set<String> givenShapes = new HashSet<>();
    private final transient List<Step> allSteps = new ArrayList<>();
    /** The nodes of the folded plan, before the inference shortcuts fuse some of them into one step. */
    private final transient List<OnnxFile.Node> runtimeNodes = new ArrayList<>();
    private final transient Set<String> foldedFrom = new HashSet<>();
    private final transient int foldedNodes;

    /** One step of a run: a node's kernel, the values it reads and the values it writes (the node's own, unless fused). */
    record Step(OnnxFile.Node node, OnnxOps.Kernel kernel, List<String> inputs, List<String> outputs) {
        Step(OnnxFile.Node node, OnnxOps.Kernel kernel) {
            this(node, kernel, node.inputs(), node.outputs());
        }
    }

    /** For each step of the folded plan, the values dropped after it runs (see deadValues); deadAfterAll for the full plan. */
    private final transient List<List<String>> deadAfter = new ArrayList<>();
    private final transient List<List<String>> deadAfterAll = new ArrayList<>();

    private OnnxModel(String file, OnnxFile.Model model, Map<String, int[]> inputShapes) throws OnnxException {
        this.model = model;
        OnnxFile.Graph g = model.graph();
        Long version = model.opsets().get("");
        if (version == null) throw new OnnxException(file + ": the model imports no opset of the default domain (ai.onnx)");
        long opset = version;
        if (opset < MIN_OPSET || opset > MAX_OPSET) {
            throw new OnnxException(file + ": opset " + opset + " of ai.onnx is not supported (" + MIN_OPSET + " to " + MAX_OPSET + ")");
        }
        Set<String> taken = new HashSet<>(), statistics = statistics(g);
        for (Map.Entry<String, Tensor> e : g.initializers().entrySet()) {
            Tensor t = e.getValue();
            boolean trainable = t.dtype().isFloatingPoint() && !statistics.contains(e.getKey());
            constants.put(e.getKey(), register(e.getKey(), t, trainable, taken));
        }
        for (OnnxFile.ValueInfo v : g.inputs()) if (!constants.containsKey(v.name())) inputNames.add(v.name());
        for (OnnxFile.ValueInfo v : g.outputs()) outputNames.add(v.name());
        Map<String, Tensor> known = new HashMap<>(constants);
        Map<String, Tensor> variables = new HashMap<>(); // values known at load that must not be folded from: parameters, float buffers
        Set<String> available = new HashSet<>(constants.keySet());
        available.addAll(inputNames);
        steps.addAll(compileNodes(file, order(file, g.nodes(), available), opset, known, variables, statistics, taken));
        Set<String> produced = new HashSet<>(constants.keySet());
        produced.addAll(inputNames);
        for (Step s : steps) produced.addAll(s.node.outputs());
        for (String out : outputNames) if (!produced.contains(out)) throw new OnnxException(file + ": graph output '" + out + "' is produced by no node");
        foldedNodes = fold(g, inputShapes, variables);
        // Inference shortcuts on both plans (the folded one and the full one run for other input shapes).
        Set<String> graphOutputs = new HashSet<>(outputNames);
        List<Step> fusedFolded = inferenceShortcuts(List.copyOf(steps), graphOutputs, known, opset);
        steps.clear();
        steps.addAll(fusedFolded);
        List<Step> fusedAll = inferenceShortcuts(List.copyOf(allSteps), graphOutputs, known, opset);
        allSteps.clear();
        allSteps.addAll(fusedAll);
        deadAfter.addAll(deadValues(steps));
        deadAfterAll.addAll(deadValues(allSteps));
    }

    /** The names BatchNormalization nodes read as running statistics (buffers, not parameters). */
    private static Set<String> statistics(OnnxFile.Graph g) {
        Set<String> statistics = new HashSet<>();
        for (OnnxFile.Node node : g.nodes()) {
            if (node.opType().equals("BatchNormalization")) statistics.addAll(node.inputs().subList(Math.min(3, node.inputs().size()), node.inputs().size()));
        }
        return statistics;
    }

    /** Registers a tensor of the file as a parameter or a buffer, under its ONNX name without dots, made unique. */
    private Tensor register(String onnxName, Tensor t, boolean trainable, Set<String> taken) {
        String name = onnxName.replace('.', '_');
        if (name.isEmpty()) name = "_";
        while (!taken.add(name)) name = name + "_";
        return trainable ? addParameter(name, t) : addBuffer(name, t);
    }

    /**
     * Compiles nodes in a topological order into steps. A float Constant of rank ≥ 1 becomes a parameter (some exporters,
     * Paddle2ONNX, store every weight so); a control-flow node's subgraphs compile here too, recursively.
     */
    private List<Step> compileNodes(String file, List<OnnxFile.Node> nodes, long opset, Map<String, Tensor> known, Map<String, Tensor> variables,
                                    Set<String> statistics, Set<String> taken) throws OnnxException {
        OnnxControlFlow.Subgraphs subgraphs = (sub, owner) -> compileBody(file, sub, opset, owner, taken);
        List<Step> out = new ArrayList<>();
        for (OnnxFile.Node node : nodes) {
            NodeContext c = new NodeContext(file, node, opset, known, subgraphs);
            if (node.domain().isEmpty() && node.opType().equals("Constant")) {
                Tensor v = OnnxOps.constantValue(new NodeContext(file, node, opset, known));
                if (v.dtype().isFloatingPoint() && v.dim() >= 1) {
                    Tensor p = register(node.outputs().get(0), v, !statistics.contains(node.outputs().get(0)), taken);
                    known.put(node.outputs().get(0), p);
                    variables.put(node.outputs().get(0), p);
                    out.add(new Step(node, in -> new Tensor[] {p}));
                    continue;
                }
                known.put(node.outputs().get(0), v);
            }
            out.add(new Step(node, OnnxOps.compile(c), OnnxControlFlow.reads(node), node.outputs()));
        }
        return out;
    }

    /** Compiles a subgraph of {@code owner}: its initializers are parameters or buffers of this model, as the main graph's. */
    private OnnxControlFlow.Body compileBody(String file, OnnxFile.Graph g, long opset, NodeContext owner, Set<String> taken) throws OnnxException {
        Set<String> statistics = statistics(g);
        Map<String, Tensor> known = new HashMap<>(owner.known());
        List<String> inputs = new ArrayList<>();
        for (OnnxFile.ValueInfo v : g.inputs()) {
            inputs.add(v.name());
            known.remove(v.name()); // an input shadows an outer value of the same name
        }
        for (OnnxFile.Node n : g.nodes()) for (String o : n.outputs()) known.remove(o);
        Map<String, Tensor> consts = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : g.initializers().entrySet()) {
            Tensor t = e.getValue();
            Tensor p = register(e.getKey(), t, t.dtype().isFloatingPoint() && !statistics.contains(e.getKey()), taken);
            consts.put(e.getKey(), p);
            known.put(e.getKey(), p);
        }
        Set<String> available = new HashSet<>(consts.keySet());
        available.addAll(inputs);
        available.addAll(OnnxControlFlow.outerReads(g));
        String where = "node '" + owner.node.name() + "' (op " + owner.node.opType() + "), subgraph '" + g.name() + "'";
        List<Step> body = compileNodes(file + " (" + where + ")", order(file + " (" + where + ")", g.nodes(), available), opset, known, new HashMap<>(), statistics, taken);
        return new OnnxControlFlow.Body(where, consts, body, List.copyOf(inputs), g.outputs());
    }

    /**
     * The plan with the inference shortcuts merged in, in this order: hard swish chains into one op, Conv with a
     * following BatchNormalization, Conv with a following scalar Mul and Add, a zero Pad with the Conv reading it, then
     * any of those convolutions with the activation after it, then a convolution with a residual Add and Relu after it (each keeps the separate ops when
     * gradients are on); last, runs of depthwise and 1×1 convolutions in the channel-blocked layout ({@link ChannelBlocking}).
     */
    private static List<Step> inferenceShortcuts(List<Step> plan, Set<String> graphOutputs, Map<String, Tensor> known, long opset) {
        List<Step> p = HardSwishFusion.fuse(plan, graphOutputs, known, opset);
        p = ConvBatchNormFusion.fuse(p, graphOutputs);
        p = ConvAffineFusion.fuse(p, graphOutputs, known);
        p = PadConvFusion.fuse(p, graphOutputs, opset);
        p = ConvActivationFusion.fuse(p, graphOutputs, known, opset);
        p = ConvResidualFusion.fuse(p, graphOutputs);
        return ChannelBlocking.apply(p, graphOutputs, known);
    }

    /**
     * For each step of a plan, the values no later step reads and that are no graph output or constant: a run drops
     * them after that step, so it holds only the live intermediates (a batch of 32 through a deep model would otherwise
     * keep every activation until the end).
     */
    private List<List<String>> deadValues(List<Step> plan) {
        Map<String, Integer> last = new HashMap<>();
        for (int k = 0; k < plan.size(); k++) {
            for (String in : plan.get(k).inputs()) if (!in.isEmpty()) last.put(in, k);
            for (String o : plan.get(k).outputs()) if (!o.isEmpty()) last.putIfAbsent(o, k);
        }
        List<List<String>> dead = new ArrayList<>();
        for (int k = 0; k < plan.size(); k++) dead.add(new ArrayList<>());
        Set<String> keep = new HashSet<>(outputNames);
        keep.addAll(constants.keySet());
        for (Map.Entry<String, Integer> e : last.entrySet()) if (!keep.contains(e.getKey())) dead.get(e.getValue()).add(e.getKey());
        return dead;
    }

    /** Folds what is known at load (see {@link ShapeFolding}); returns the number of nodes folded. */
    private int fold(OnnxFile.Graph g, Map<String, int[]> given, Map<String, Tensor> variables) {
        Map<String, Tensor> values = new HashMap<>();
        Set<String> overridable = new HashSet<>(); // initializers listed as graph inputs: run() may replace them
        for (OnnxFile.ValueInfo v : g.inputs()) if (constants.containsKey(v.name())) overridable.add(v.name());
        for (Map.Entry<String, Tensor> e : constants.entrySet()) {
            if (overridable.contains(e.getKey())) continue;
            if (e.getValue().dtype().isFloatingPoint()) variables.put(e.getKey(), e.getValue());
            else values.put(e.getKey(), e.getValue());
        }
        Map<String, int[]> shapes = new LinkedHashMap<>();
        Map<String, dev.descent.core.DType> types = new HashMap<>();
        for (OnnxFile.ValueInfo v : g.inputs()) {
            if (!inputNames.contains(v.name())) continue;
            int[] s = given.containsKey(v.name()) ? given.get(v.name()) : ShapeFolding.staticShape(v);
            dev.descent.core.DType d = ShapeFolding.dtype(v.elemType());
            if (s == null || (d == null && v.elemType() != 0)) continue;
            if (!given.containsKey(v.name()) && ShapeFolding.tooLarge(s)) continue; // a shape in the file does not make load allocate much
            shapes.put(v.name(), s.clone());
            if (d != null) types.put(v.name(), d);
        }
        List<OnnxFile.Node> nodes = new ArrayList<>();
        List<OnnxOps.Kernel> kernels = new ArrayList<>();
        for (Step s : steps) {
            nodes.add(s.node);
            kernels.add(s.kernel);
        }
        ShapeFolding.Result r = ShapeFolding.fold(nodes, kernels, values, variables, shapes, types);
        allSteps.addAll(steps);
        givenShapes.addAll(given.keySet());
        List<Step> kept = new ArrayList<>();
        for (int k = 0; k < steps.size(); k++) if (!r.folded()[k]) kept.add(steps.get(k));
        steps.clear();
        steps.addAll(kept);
        for (Step st : kept) runtimeNodes.add(st.node);
        folded.putAll(r.values());
        foldedFor.putAll(r.reliedOn());
        foldedFrom.addAll(r.consumed());
        return r.count();
    }

    /** Checks the shapes given to {@link #read(Path, Map)} against the graph's inputs. */
    private static Map<String, int[]> checkShapes(OnnxFile.Model model, Map<String, int[]> shapes) {
        Map<String, OnnxFile.ValueInfo> declared = new LinkedHashMap<>();
        for (OnnxFile.ValueInfo v : model.graph().inputs()) if (!model.graph().initializers().containsKey(v.name())) declared.put(v.name(), v);
        for (Map.Entry<String, int[]> e : shapes.entrySet()) {
            OnnxFile.ValueInfo v = declared.get(e.getKey());
            if (v == null) throw new IllegalArgumentException("'" + e.getKey() + "' is not an input of the model; its inputs are " + declared.keySet());
            int[] s = e.getValue();
            for (int d : s) if (d < 0) throw new IllegalArgumentException("input '" + e.getKey() + "': shape " + Shape.format(s) + " has a negative size");
            if (v.shape() == null) continue;
            boolean agrees = v.shape().size() == s.length;
            for (int k = 0; agrees && k < s.length; k++) {
                OnnxFile.Dim d = v.shape().get(k);
                agrees = d.value() < 0 || !d.param().isEmpty() || d.value() == s[k];
            }
            if (!agrees) {
                throw new IllegalArgumentException("input '" + e.getKey() + "': shape " + Shape.format(s) + " does not fit the declared shape " + declaredShape(v));
            }
        }
        return shapes;
    }

    private static String declaredShape(OnnxFile.ValueInfo v) {
        List<String> dims = new ArrayList<>();
        for (OnnxFile.Dim d : v.shape()) dims.add(!d.param().isEmpty() ? d.param() : d.value() < 0 ? "?" : Long.toString(d.value()));
        return "[" + String.join(",", dims) + "]";
    }

    /** The nodes in an order where each one's inputs come first (the file's own order when it is already one). */
    private static List<OnnxFile.Node> order(String file, List<OnnxFile.Node> nodes, Set<String> given) throws OnnxException {
        Set<String> available = new HashSet<>(given);
        available.add("");
        Map<String, List<Integer>> consumers = new HashMap<>();
        int n = nodes.size();
        int[] missing = new int[n];
        for (int k = 0; k < n; k++) {
            for (String in : new HashSet<>(OnnxControlFlow.reads(nodes.get(k)))) {
                if (available.contains(in)) continue;
                missing[k]++;
                consumers.computeIfAbsent(in, x -> new ArrayList<>()).add(k);
            }
        }
        ArrayDeque<Integer> ready = new ArrayDeque<>();
        for (int k = 0; k < n; k++) if (missing[k] == 0) ready.add(k);
        List<OnnxFile.Node> out = new ArrayList<>(n);
        Set<String> made = new HashSet<>();
        java.util.PriorityQueue<Integer> queue = new java.util.PriorityQueue<>(ready); // smallest index first: file order when possible
        while (!queue.isEmpty()) {
            int k = queue.poll();
            OnnxFile.Node node = nodes.get(k);
            out.add(node);
            for (String o : node.outputs()) {
                if (o.isEmpty()) continue;
                if (!made.add(o) || available.contains(o)) throw new OnnxException(file + ": value '" + o + "' is produced twice (second time by node '" + node.name() + "', op " + node.opType() + ")");
                for (int j : consumers.getOrDefault(o, List.of())) if (--missing[j] == 0) queue.add(j);
            }
        }
        if (out.size() < n) {
            for (int k = 0; k < n; k++) {
                if (missing[k] == 0) continue;
                OnnxFile.Node node = nodes.get(k);
                for (String in : OnnxControlFlow.reads(node)) {
                    if (!available.contains(in) && !made.contains(in)) {
                        throw new OnnxException(file + ": node '" + node.name() + "' (op " + node.opType() + ") reads '" + in
                                + "', which no node, input or initializer provides (or the graph has a cycle)");
                    }
                }
            }
        }
        return out;
    }

    /**
     * Loads a model file and checks that every node can run. (Named {@code read}, not {@code load}:
     * {@link Module#load(Path)} is the instance method that loads a state dict into a module.)
     *
     * @param file the {@code .onnx} file
     * @return the model, in inference mode ({@link #eval()})
     * @throws dev.descent.core.io.FileFormatException when the file is not a valid ONNX file (naming the byte offset)
     * @throws OnnxException when the model uses an op, attribute or opset Descent does not support (naming the node)
     * @throws IOException when the file cannot be read
     */
    public static OnnxModel read(Path file) throws IOException {
        return of(file.toString(), OnnxFile.read(file));
    }

    /**
     * Loads a model held in memory (a class-path resource, a download) and checks that every node can run; a tensor
     * whose data is in an external file is refused (there is no folder to find it in: use {@link #read(Path)}).
     *
     * @param name the name to give in errors (for example the resource's)
     * @param bytes the model's bytes
     * @return the model, in inference mode ({@link #eval()})
     * @throws dev.descent.core.io.FileFormatException when the bytes are not a valid ONNX model (naming the byte offset)
     * @throws OnnxException when the model uses an op, attribute or opset Descent does not support (naming the node)
     */
    public static OnnxModel read(String name, byte[] bytes) throws dev.descent.core.io.FileFormatException, OnnxException {
        return of(name, OnnxFile.read(name, bytes));
    }

    /**
     * Loads a model file for inputs of the given shapes: shape computations that depend on them (Shape → Gather →
     * Concat → Reshape and the like) are evaluated once here and do not run again. The model then accepts inputs of
     * exactly these shapes ({@link #run} refuses others, naming both shapes). Inputs left out of the map keep the
     * shape the file declares: when it is fully static, folding assumes it too, and a run with another shape runs
     * every node (nothing folded from that shape is used), as {@link #read(Path)} does.
     *
     * @param file the {@code .onnx} file
     * @param inputShapes a shape for some or all of {@link #inputNames()}
     * @return the model, in inference mode ({@link #eval()})
     * @throws IllegalArgumentException when a name is not an input, or a shape disagrees with the one the file declares
     * @throws dev.descent.core.io.FileFormatException when the file is not a valid ONNX file (naming the byte offset)
     * @throws OnnxException when the model uses an op, attribute or opset Descent does not support (naming the node)
     * @throws IOException when the file cannot be read
     */
    public static OnnxModel read(Path file, Map<String, int[]> inputShapes) throws IOException {
        return of(file.toString(), OnnxFile.read(file), inputShapes);
    }

    /**
     * A runnable model from a file already read.
     *
     * @param name the name to give in errors (the file's)
     * @param model the model
     * @return the model, in inference mode
     * @throws OnnxException when the model uses an op, attribute or opset Descent does not support (naming the node)
     */
    public static OnnxModel of(String name, OnnxFile.Model model) throws OnnxException {
        return of(name, model, Map.of());
    }

    /**
     * A runnable model from a file already read, for inputs of the given shapes (see {@link #read(Path, Map)}).
     *
     * @param name the name to give in errors (the file's)
     * @param model the model
     * @param inputShapes a shape for some or all of the graph's inputs
     * @return the model, in inference mode
     * @throws IllegalArgumentException when a name is not an input, or a shape disagrees with the one the file declares
     * @throws OnnxException when the model uses an op, attribute or opset Descent does not support (naming the node)
     */
    public static OnnxModel of(String name, OnnxFile.Model model, Map<String, int[]> inputShapes) throws OnnxException {
        OnnxModel m = new OnnxModel(name, model, checkShapes(model, inputShapes));
        m.eval();
        return m;
    }

    /** The number of nodes that run at run time (those not folded at load; a fused pair counts as its two nodes). */
    int runtimeNodeCount() {
        return runtimeNodes.size();
    }

    /** The number of steps a run of the folded plan takes (after the inference shortcuts merged some nodes into one step). */
    int stepCount() {
        return steps.size();
    }

    /** The op type of each step of the folded plan, in run order ("Reorder" for {@link ChannelBlocking}'s). */
    List<String> stepOps() {
        List<String> ops = new ArrayList<>();
        for (Step s : steps) ops.add(s.node().opType());
        return ops;
    }

    /** How many nodes of each op type run at run time. */
    Map<String, Integer> runtimeOps() {
        Map<String, Integer> ops = new java.util.TreeMap<>();
        for (OnnxFile.Node n : runtimeNodes) ops.merge(n.opType(), 1, Integer::sum);
        return ops;
    }

    /** The number of nodes folded at load. */
    int foldedNodeCount() {
        return foldedNodes;
    }

    /**
     * The model as read from the file.
     *
     * @return the model's graph, opsets and producer
     */
    public OnnxFile.Model model() {
        return model;
    }

    /**
     * The names of the inputs {@link #run} needs, in the graph's order (initializers listed as inputs are left out).
     *
     * @return an unmodifiable list
     */
    public List<String> inputNames() {
        return Collections.unmodifiableList(inputNames);
    }

    /**
     * The names of the outputs {@link #run} returns, in the graph's order.
     *
     * @return an unmodifiable list
     */
    public List<String> outputNames() {
        return Collections.unmodifiableList(outputNames);
    }

    /**
     * Runs the graph. Without gradients, a run takes its intermediate arrays from a {@link Workspace} per thread and
     * gives each back after its last reader (a kernel's temporaries after its step), so that later steps and the next run
     * on this thread reuse it: allocating and zeroing them afresh cost a quarter of BlazeFace's time, at batch 32 the fresh
     * arrays' zeroing and collection kept a second thread from speeding PaddleOCR's classifier up at all, and PaddleOCR's
     * recognizer at batch 32 (249 M elements allocated per run) spent two thirds of its time in collections. Between runs
     * the workspaces of all models and threads keep at most a quarter of the maximum heap (see {@link RunWorkspaces}).
     * The returned tensors are the caller's; a caller's own open workspace scope on this thread takes precedence (nothing
     * is recycled early then).
     *
     * @param inputs a tensor for every name of {@link #inputNames()} (and optionally replacements for initializers, except
     *         integer ones that shape computations folded at load read)
     * @return the graph's outputs by name, in the graph's order
     * @throws IllegalArgumentException when an input is missing or a name is not an input, when an input's shape differs
     *         from the one given to {@link #read(Path, Map)}, or when an op rejects its inputs' shapes (naming the node)
     */
    public Map<String, Tensor> run(Map<String, Tensor> inputs) {
        if (!recyclable(inputs)) return runPlan(inputs, false);
        Workspace ws = workspaces.get();
        Map<String, Tensor> result;
        Workspace.Scope scope;
        try {
            scope = ws.open();
        } catch (IllegalStateException e) { // the caller has a scope of its own open on this thread: allocate as it says
            return runPlan(inputs, false);
        }
        try (scope) {
            result = runPlan(inputs, true);
            for (Tensor t : result.values()) Workspace.keep(t);
        }
        workspaces.settle();
        return result;
    }

    /** Each thread's workspace for this model's runs (a model is used from several threads at once). */
    private final transient RunWorkspaces workspaces = new RunWorkspaces();

    /**
     * Whether a run may recycle its intermediates: never with gradients or tangents (a backward pass reads what the
     * forward saved).
     */
    private static boolean recyclable(Map<String, Tensor> inputs) {
        if (GradMode.isEnabled()) return false;
        for (Tensor t : inputs.values()) if (t.tangent() != null) return false;
        return true;
    }

    /** Elements this thread's workspace for this model handed out again (tests: whether runs recycle). */
    long reusedElementsOnThisThread() {
        return workspaces.get().reusedElements();
    }

    /** Elements this thread's workspace for this model keeps for its next run (tests: that runs give arrays back early). */
    long heldElementsOnThisThread() {
        return workspaces.get().heldElements();
    }

    /** What a profiling run tells before and after each step (the step, its inputs and outputs): the profiler takes the times. */
    interface StepTimer {
        void before(Step step);

        void after(Step step, Tensor[] in, Tensor[] out);
    }

    /** A run of the folded plan that reports each step's time to timer (for profiling; see NodeProfile in the tests). */
    Map<String, Tensor> runTimed(Map<String, Tensor> inputs, StepTimer timer) {
        this.timer = timer;
        try {
            return run(inputs);
        } finally {
            this.timer = null;
        }
    }

    private transient volatile StepTimer timer;

    /**
     * Runs the plan; with recycleDead (inside this model's own workspace scope, without gradients), gives the arrays of
     * a kernel's temporaries back to the workspace after its step, and each step output's once no live value is over
     * its storage (views share it).
     */
    private Map<String, Tensor> runPlan(Map<String, Tensor> inputs, boolean recycleDead) {
        StepTimer timer = this.timer;
        for (String name : inputs.keySet()) {
            if (!inputNames.contains(name) && !constants.containsKey(name)) {
                throw new IllegalArgumentException("'" + name + "' is not an input of the model; its inputs are " + inputNames);
            }
            if (foldedFrom.contains(name)) {
                throw new IllegalArgumentException("initializer '" + name + "' was folded into constants when the model was loaded and cannot be replaced at run time"
                        + " (it is not listed among the graph's inputs)");
            }
        }
        Map<String, Tensor> values = new HashMap<>(constants);
        boolean foldedPlan = true;
        for (String name : inputNames) {
            Tensor t = inputs.get(name);
            if (t == null) throw new IllegalArgumentException("input '" + name + "' is missing; the model's inputs are " + inputNames);
            int[] fixed = foldedFor.get(name);
            if (fixed != null && !java.util.Arrays.equals(fixed, t.shape())) {
                if (givenShapes.contains(name)) {
                    throw new IllegalArgumentException("input '" + name + "' is " + Shape.format(t.shape()) + " but the model was loaded for " + Shape.format(fixed)
                            + " (shape computations were evaluated at load for the shape given to read(path, shapes))");
                }
                foldedPlan = false; // another shape than the file declares: run every node, as if nothing were folded
            }
            values.put(name, t);
        }
        if (foldedPlan) values.putAll(folded);
        for (Map.Entry<String, Tensor> e : inputs.entrySet()) values.put(e.getKey(), e.getValue());
        List<Step> plan = foldedPlan ? steps : allSteps;
        List<List<String>> dropAfter = foldedPlan ? deadAfter : deadAfterAll;
        Map<Storage, int[]> readers = recycleDead ? new IdentityHashMap<>() : null; // step outputs' storages: live values over each
        for (int k = 0; k < plan.size(); k++) {
            Step s = plan.get(k);
            List<String> ins = s.inputs();
            Tensor[] in = new Tensor[ins.size()];
            for (int j = 0; j < in.length; j++) in[j] = ins.get(j).isEmpty() ? null : values.get(ins.get(j));
            Tensor[] out;
            if (timer != null) timer.before(s);
            int mark = Workspace.allocations();
            try {
                out = s.kernel.apply(in);
                if (timer != null) timer.after(s, in, out);
            } catch (IllegalArgumentException | ArithmeticException e) {
                throw new IllegalArgumentException("node '" + s.node.name() + "' (op " + s.node.opType() + ") on inputs " + shapes(in) + ": " + e.getMessage(), e);
            }
            if (readers != null) Workspace.recycleAllocatedSince(mark, out); // the kernel's own temporaries
            List<String> outs = s.outputs();
            for (int j = 0; j < outs.size() && j < out.length; j++) {
                if (outs.get(j).isEmpty()) continue;
                values.put(outs.get(j), out[j]);
                if (readers != null && out[j] != null) readers.computeIfAbsent(out[j].storage(), st -> new int[1])[0]++;
            }
            for (String dead : dropAfter.get(k)) {
                Tensor t = values.remove(dead);
                if (readers == null || t == null) continue;
                int[] live = readers.get(t.storage());
                if (live != null && --live[0] == 0) Workspace.recycle(t); // inputs, constants, folded values: not counted, kept
            }
        }
        Map<String, Tensor> result = new LinkedHashMap<>();
        for (String name : outputNames) result.put(name, values.get(name));
        return result;
    }

    private static String shapes(Tensor[] in) {
        List<String> s = new ArrayList<>();
        for (Tensor t : in) s.add(t == null ? "none" : Shape.format(t.shape()));
        return s.toString();
    }

    /**
     * Runs a model with one input and one output.
     *
     * @param x the input
     * @return the output
     * @throws IllegalStateException when the model has more than one input or output (use {@link #run})
     */
    @Override
    public Tensor forward(Tensor x) {
        if (inputNames.size() != 1 || outputNames.size() != 1) {
            throw new IllegalStateException("forward(Tensor) needs one input and one output; this model has inputs " + inputNames
                    + " and outputs " + outputNames + ": use run(Map)");
        }
        return run(Map.of(inputNames.get(0), x)).get(outputNames.get(0));
    }
}
