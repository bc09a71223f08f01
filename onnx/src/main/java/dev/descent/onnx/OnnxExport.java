package dev.descent.onnx;

import dev.descent.core.DType;
import dev.descent.core.Parameter;
import dev.descent.core.Shape;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.GradMode;
import dev.descent.core.io.AtomicFile;
import dev.descent.core.ops.Convolution;
import dev.descent.core.ops.Pooling;
import dev.descent.nn.AdaptiveAvgPool2d;
import dev.descent.nn.AvgPool2d;
import dev.descent.nn.BasicBlock;
import dev.descent.nn.BatchNorm;
import dev.descent.nn.BigramLanguageModel;
import dev.descent.nn.CharLSTM;
import dev.descent.nn.Conv1d;
import dev.descent.nn.Conv2d;
import dev.descent.nn.ConvTranspose2d;
import dev.descent.nn.Dropout;
import dev.descent.nn.ELU;
import dev.descent.nn.Embedding;
import dev.descent.nn.Flatten;
import dev.descent.nn.GELU;
import dev.descent.nn.GPT;
import dev.descent.nn.GRU;
import dev.descent.nn.GRUCell;
import dev.descent.nn.GlobalAvgPool2d;
import dev.descent.nn.GroupNorm;
import dev.descent.nn.LSTM;
import dev.descent.nn.LSTMCell;
import dev.descent.nn.LayerNorm;
import dev.descent.nn.LeakyReLU;
import dev.descent.nn.Linear;
import dev.descent.nn.MaxPool2d;
import dev.descent.nn.Module;
import dev.descent.nn.MultiheadAttention;
import dev.descent.nn.RMSNorm;
import dev.descent.nn.ReLU;
import dev.descent.nn.Residual;
import dev.descent.nn.Sequential;
import dev.descent.nn.SiLU;
import dev.descent.nn.Sigmoid;
import dev.descent.nn.Softplus;
import dev.descent.nn.Tanh;
import dev.descent.nn.TransformerBlock;
import dev.descent.nn.TransformerEncoderLayer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a Descent model as an ONNX file that {@link OnnxModel} and other ONNX runtimes run with the same outputs.
 *
 * <p>The export follows the module structure, not a trace: it walks {@link Sequential}s and translates each layer
 * it knows into ONNX nodes (inference semantics: dropout is left out, batch normalization uses the running
 * statistics). Known layers: {@link Sequential}, {@link Linear}, {@link Conv2d}, {@link Conv1d}, {@link ConvTranspose2d}, {@link MaxPool2d}, {@link AvgPool2d},
 * {@link GlobalAvgPool2d}, {@link Flatten}, {@link BatchNorm} (1-d and 2-d), {@link LayerNorm}, {@link ReLU},
 * {@link LeakyReLU}, {@link Sigmoid}, {@link Tanh}, {@link SiLU}, {@link GELU} (exact and tanh), {@link Dropout},
 * {@link Residual}, {@link BasicBlock}, {@link Embedding}, {@link MultiheadAttention} (self-attention),
 * {@link ELU}, {@link Softplus}, {@link RMSNorm}, {@link GroupNorm},
 * {@link TransformerBlock}, {@link TransformerEncoderLayer} (without masks), {@link AdaptiveAvgPool2d}, {@link GPT},
 * {@link BigramLanguageModel}, {@link LSTMCell}, {@link GRUCell} (one step from the zero state), {@link LSTM} and {@link GRU} (any layers, either
 * direction, batch first or not; from a zero state, output sequence only) and {@link CharLSTM} — which covers
 * {@code Models.simpleCnn}, the CIFAR ResNets, MLPs, {@code Models.gpt} and {@code Models.charLstm}. Any other module
 * is refused with an {@link OnnxException} whose one-line message names its class and its path in the model.
 *
 * <p>Parameters and buffers the graph reads are initializers named by their state-dict names ({@code 0.weight},
 * {@code h.0.attn.in_proj_weight}, {@code 1.running_mean}); a weight used twice (GPT's tied embedding) is stored
 * once; LSTM and GRU weights are initializers under their PyTorch names too, put in ONNX's gate order by Split and
 * Concat nodes. The graph has one input, {@code input}, and one output, {@code output}. The first dimension of both is the
 * symbolic batch {@code N}; for sequence models (an attention, recurrent or embedding layer, and no Flatten, convolution
 * or pooling) the first two are the batch and the symbolic sequence length {@code T} (up to a GPT's context), in the
 * order of the first sequence layer's layout. Other dimensions are fixed to the example's.
 *
 * <p>Only ops that {@link OnnxModel} loads are written, so every exported file loads back into Descent. The default
 * opset is {@value #DEFAULT_OPSET}, the first with LayerNormalization (GPT needs it) and the one most ONNX runtimes
 * of today accept; from opset 20 an exact or tanh GELU is written as the Gelu op, before it as Erf or Tanh
 * arithmetic. The file is written atomically ({@link AtomicFile}): a crash leaves the old file or none, never a
 * partial one. Forward hooks registered on modules are not exported.
 */
public final class OnnxExport {
    private OnnxExport() {}

    /** The opset {@link #write(Module, Tensor, Path)} writes. */
    public static final long DEFAULT_OPSET = 17;

    /** The lowest opset the export writes (LayerNormalization and Shape's start and end need 17). */
    public static final long MIN_OPSET = 17;

    /** The highest opset the export writes: the highest {@link OnnxModel} loads. */
    public static final long MAX_OPSET = OnnxModel.MAX_OPSET;

    /** The name of the graph's input. */
    public static final String INPUT = "input";

    /** The name of the graph's output. */
    public static final String OUTPUT = "output";

    /** Files above this size would need ONNX's external data, which the export does not write. */
    private static final long MAX_BYTES = 2_000_000_000L;

    /**
     * Writes {@code module} as an ONNX file of opset {@value #DEFAULT_OPSET}.
     *
     * @param module the model; it runs once on {@code exampleInput} in inference mode (every module's training flag is
     *        restored afterwards; its parameters and buffers are not changed)
     * @param exampleInput an input the model accepts: float {@code [N, C, H, W]} or {@code [N, features]} for image models
     *        and MLPs, int64 tokens {@code [B, T]} for GPT; it fixes the input's dimensions other than the batch (and T)
     * @param path the file to create or replace
     * @throws OnnxException when the model holds a module the export does not translate (naming its class and path)
     * @throws IllegalArgumentException when the model rejects the example input
     * @throws IOException when the file cannot be written (the target is then left as it was)
     */
    public static void write(Module module, Tensor exampleInput, Path path) throws IOException {
        write(module, exampleInput, path, DEFAULT_OPSET);
    }

    /**
     * Writes {@code module} as an ONNX file of the given opset.
     *
     * @param module the model (see {@link #write(Module, Tensor, Path)})
     * @param exampleInput an input the model accepts
     * @param path the file to create or replace
     * @param opset the default-domain opset version, {@value #MIN_OPSET} to {@link #MAX_OPSET}
     * @throws OnnxException when the model holds a module the export does not translate (naming its class and path)
     * @throws IllegalArgumentException when the opset is out of range or the model rejects the example input
     * @throws IOException when the file cannot be written (the target is then left as it was)
     */
    public static void write(Module module, Tensor exampleInput, Path path, long opset) throws IOException {
        ProtoWriter model = build(module, exampleInput, opset);
        AtomicFile.write(path, ch -> {
            OutputStream out = Channels.newOutputStream(ch);
            model.writeTo(out);
            out.flush();
        });
    }

    /**
     * The ONNX file's bytes, as {@link #write(Module, Tensor, Path, long)} would write them.
     *
     * @param module the model
     * @param exampleInput an input the model accepts
     * @param opset the default-domain opset version, {@value #MIN_OPSET} to {@link #MAX_OPSET}
     * @return the serialized ModelProto
     * @throws OnnxException when the model holds a module the export does not translate (naming its class and path)
     * @throws IllegalArgumentException when the opset is out of range or the model rejects the example input
     */
    public static byte[] toBytes(Module module, Tensor exampleInput, long opset) throws OnnxException {
        return build(module, exampleInput, opset).toByteArray();
    }

    private static ProtoWriter build(Module module, Tensor exampleInput, long opset) throws OnnxException {
        if (opset < MIN_OPSET || opset > MAX_OPSET) {
            throw new IllegalArgumentException("OnnxExport: opset " + opset + " is outside the supported range " + MIN_OPSET + " to " + MAX_OPSET);
        }
        if (exampleInput == null || exampleInput.dim() < 1) {
            throw new IllegalArgumentException("OnnxExport: the example input must be a tensor with a batch dimension, was "
                    + (exampleInput == null ? "null" : Shape.format(exampleInput.shape())));
        }
        long bytes = 0;
        for (Parameter p : module.parameters()) bytes += (long) p.numel() * p.dtype().byteSize();
        if (bytes > MAX_BYTES) {
            throw new OnnxException("OnnxExport: the model's parameters take " + bytes + " bytes; files over 2 GB need ONNX external data, which the export does not write");
        }
        // Each module's own flag is restored (a model may keep some layers in eval mode while it trains): parents first,
        // since train(boolean) also sets the descendants.
        List<Module> modules = new ArrayList<>(module.namedModules().values());
        boolean[] training = new boolean[modules.size()];
        for (int k = 0; k < training.length; k++) training[k] = modules.get(k).isTraining();
        module.eval();
        try (var _ = GradMode.noGrad()) {
            return new Builder(module, opset).model(exampleInput);
        } finally {
            for (int k = 0; k < training.length; k++) modules.get(k).train(training[k]);
        }
    }

    /** A value of the graph: its name and Descent's value for the example input (which gives shapes and ranks). */
    private record V(String name, Tensor x) {}

    /** One export: the graph being written, the initializers taken so far, fresh names. */
    private static final class Builder {
        private final Module root;
        private final long opset;
        private final OnnxWriter.Graph graph = new OnnxWriter.Graph();
        private final IdentityHashMap<Tensor, String> stateNames = new IdentityHashMap<>();
        private final Map<String, String> written = new HashMap<>(), transposed = new HashMap<>(), constants = new HashMap<>();
        private DType floatType = DType.FLOAT32;
        private int counter;
        /** The symbols of the input's and output's leading dims: {N} or, for sequence models, {N, T} or {T, N}. */
        private final String[] leading;

        Builder(Module root, long opset) {
            this.root = root;
            this.opset = opset;
            for (Map.Entry<String, Tensor> e : root.namedBuffers().entrySet()) stateNames.putIfAbsent(e.getValue(), e.getKey());
            for (Map.Entry<String, Parameter> e : root.namedParameters().entrySet()) stateNames.putIfAbsent(e.getValue(), e.getKey());
            leading = leadingSymbols(root);
            for (Parameter p : root.parameters()) {
                if (p.dtype().isFloatingPoint()) {
                    floatType = p.dtype();
                    break;
                }
            }
        }

        ProtoWriter model(Tensor example) throws OnnxException {
            if (example.dtype().isFloatingPoint()) floatType = example.dtype();
            V out = emit(root, "", new V(INPUT, example));
            Tensor expected = root.forward(example);
            if (!java.util.Arrays.equals(expected.shape(), out.x().shape())) {
                throw new IllegalStateException("OnnxExport: the translated model's output " + Shape.format(out.x().shape()) + " differs from the model's "
                        + Shape.format(expected.shape()));
            }
            graph.node("Identity", OUTPUT, List.of(out.name()), List.of(OUTPUT));
            graph.inputs.add(valueInfo(INPUT, example));
            graph.outputs.add(valueInfo(OUTPUT, out.x()));
            return graph.model(irVersion(opset), "descent", "0.1.0", "descent", opset);
        }

        /**
         * Which leading dims are symbolic. The batch always is. A model with a sequence layer (attention, recurrence,
         * embedding) and nothing that fixes the trailing dims (Flatten, convolution, pooling) takes sequences of any length
         * too: its first two dims are {N, T}, or {T, N} when its first sequence layer is time-major.
         */
        private static String[] leadingSymbols(Module root) {
            String[] found = null;
            for (Module m : root.namedModules().values()) {
                if (m instanceof Flatten || m instanceof Conv2d || m instanceof ConvTranspose2d || m instanceof MaxPool2d || m instanceof AvgPool2d
                        || m instanceof GlobalAvgPool2d || m instanceof AdaptiveAvgPool2d) {
                    return new String[] {"N"};
                }
                if (found != null) continue;
                Boolean batchFirst = switch (m) {
                    case MultiheadAttention a -> a.batchFirst();
                    case LSTM l -> l.batchFirst();
                    case GRU g -> g.batchFirst();
                    case TransformerEncoderLayer t -> t.namedChildren().get("self_attn") instanceof MultiheadAttention a && a.batchFirst();
                    case Embedding _, GPT _, BigramLanguageModel _, CharLSTM _, TransformerBlock _ -> true;
                    default -> null;
                };
                if (batchFirst != null) found = batchFirst ? new String[] {"N", "T"} : new String[] {"T", "N"};
            }
            return found == null ? new String[] {"N"} : found;
        }

        /** The IR version of the ONNX release that introduced the opset (1.12: 17 → 8, 1.13: 18 → 8, 1.14/1.15: 19, 20 → 9, 1.16: 21 → 10). */
        private static long irVersion(long opset) {
            return opset <= 18 ? 8 : opset <= 20 ? 9 : 10;
        }

        private ProtoWriter valueInfo(String name, Tensor t) {
            int[] s = t.shape();
            long[] dims = new long[s.length];
            String[] symbols = new String[s.length];
            for (int k = 0; k < s.length; k++) dims[k] = s[k];
            for (int k = 0; k < leading.length && k < s.length; k++) symbols[k] = leading[k];
            return OnnxWriter.valueInfo(name, OnnxWriter.elemType(t.dtype()), dims, symbols);
        }

        // ---- modules ---------------------------------------------------------------------------------------

        private V emit(Module m, String path, V in) throws OnnxException {
            return switch (m) {
                case Sequential s -> {
                    V v = in;
                    for (Map.Entry<String, Module> e : s.namedChildren().entrySet()) v = emit(e.getValue(), join(path, e.getKey()), v);
                    yield v;
                }
                case Linear l -> linear(l, path, in);
                case Conv2d c -> conv(c, path, in);
                case Conv1d c -> conv1d(c, path, in);
                case ConvTranspose2d c -> convTranspose(c, path, in);
                case MaxPool2d p -> new V(pool("MaxPool", p.window(), path, in.name()), m.forward(in.x()));
                case AvgPool2d p -> new V(pool("AveragePool", p.window(), path, in.name()), m.forward(in.x()));
                case AdaptiveAvgPool2d p -> adaptiveAvgPool(p, path, in);
                case TransformerEncoderLayer t -> encoderLayer(t, path, in);
                case GlobalAvgPool2d _ -> new V(flatten(path, node("GlobalAveragePool", path, List.of(in.name()))), m.forward(in.x()));
                case Flatten _ -> in.x().dim() <= 1 ? in : new V(flatten(path, in.name()), m.forward(in.x()));
                case BatchNorm b -> batchNorm(b, path, in);
                case LayerNorm l -> layerNorm(l, path, in);
                case ReLU _ -> new V(node("Relu", path, List.of(in.name())), m.forward(in.x()));
                case Sigmoid _ -> new V(node("Sigmoid", path, List.of(in.name())), m.forward(in.x()));
                case Tanh _ -> new V(node("Tanh", path, List.of(in.name())), m.forward(in.x()));
                case SiLU _ -> new V(node("Mul", path, List.of(in.name(), node("Sigmoid", path, List.of(in.name())))), m.forward(in.x()));
                case LeakyReLU l -> new V(node("LeakyRelu", path, List.of(in.name()), OnnxWriter.attrFloat("alpha", (float) l.negativeSlope())), m.forward(in.x()));
                case GELU g -> new V(gelu(g.tanhApproximation(), path, in.name()), m.forward(in.x()));
                case ELU e -> new V(elu(e.alpha(), path, in.name()), m.forward(in.x()));
                case Softplus p -> new V(softplus(p.beta(), p.threshold(), path, in.name()), m.forward(in.x()));
                case RMSNorm r -> rmsNorm(r, path, in);
                case GroupNorm g -> groupNorm(g, path, in);
                case Dropout _ -> in; // inference: the identity
                case Residual r -> {
                    V body = emit(r.namedChildren().get("body"), join(path, "body"), in);
                    yield new V(node("Add", path, List.of(in.name(), body.name())), in.x().add(body.x()));
                }
                case BasicBlock b -> basicBlock(b, path, in);
                case Embedding e -> {
                    yield new V(node("Gather", path, List.of(init(e.weight()), in.name()), OnnxWriter.attrInt("axis", 0)), m.forward(in.x()));
                }
                case BigramLanguageModel b -> {
                    Tensor table = b.namedParameters().get("table");
                    yield new V(node("Gather", path, List.of(init(table), in.name()), OnnxWriter.attrInt("axis", 0)), m.forward(in.x()));
                }
                case MultiheadAttention a -> new V(attention(a, path, in.name(), false), a.forward(in.x()));
                case TransformerBlock t -> transformerBlock(t, path, in);
                case GPT g -> gpt(g, path, in);
                case LSTM l -> recurrent(l, "LSTM", new int[] {0, 3, 1, 2}, l.batchFirst(), path, in);
                case GRU g -> recurrent(g, "GRU", new int[] {1, 0, 2}, g.batchFirst(), path, in);
                case LSTMCell c -> cell(c, "LSTM", new int[] {0, 3, 1, 2}, path, in);
                case GRUCell c -> cell(c, "GRU", new int[] {1, 0, 2}, path, in);
                case CharLSTM c -> {
                    Map<String, Module> ch = c.namedChildren();
                    V x = emit(ch.get("embed"), join(path, "embed"), in);
                    x = emit(ch.get("lstm"), join(path, "lstm"), x);
                    yield emit(ch.get("head"), join(path, "head"), x);
                }
                default -> throw new OnnxException("OnnxExport: cannot export " + (path.isEmpty() ? "the model" : "module '" + path + "'") + " ("
                        + m.getClass().getName() + "): it is not a layer the export translates (see OnnxExport's documentation for the list)");
            };
        }

        private V linear(Linear l, String path, V in) {
            String y;
            if (in.x().dim() == 2) {
                List<String> ins = new ArrayList<>(List.of(in.name(), init(l.weight())));
                if (l.bias() != null) ins.add(init(l.bias()));
                y = node("Gemm", path, ins, OnnxWriter.attrInt("transB", 1));
            } else {
                y = linearNd(l, path, in.name());
            }
            return new V(y, l.forward(in.x()));
        }

        /** x·Wᵀ + b for x of any rank ≥ 2: MatMul with the transposed weight, then Add. */
        private String linearNd(Linear l, String path, String x) {
            String y = node("MatMul", path, List.of(x, transposedWeight(l.weight(), path)));
            return l.bias() == null ? y : node("Add", path, List.of(y, init(l.bias())));
        }

        private V conv(Conv2d c, String path, V in) {
            Convolution.Params p = c.params();
            int[] w = c.weight().shape();
            List<String> ins = new ArrayList<>(List.of(in.name(), init(c.weight())));
            if (c.bias() != null) ins.add(init(c.bias()));
            String y = node("Conv", path, ins, OnnxWriter.attrInts("kernel_shape", w[2], w[3]), OnnxWriter.attrInts("strides", p.sh(), p.sw()),
                    OnnxWriter.attrInts("pads", p.ph(), p.pw(), p.ph(), p.pw()), OnnxWriter.attrInts("dilations", p.dh(), p.dw()),
                    OnnxWriter.attrInt("group", p.groups()));
            return new V(y, c.forward(in.x()));
        }

        /** Conv1d as its 2-D convolution: the input and the weight get a height of 1 (Unsqueeze), the output loses it (Squeeze). */
        private V conv1d(Conv1d c, String path, V in) throws OnnxException {
            if (in.x().dim() != 3) {
                throw new OnnxException("OnnxExport: cannot export module '" + path + "' (" + c.getClass().getName() + ") on input " + Shape.format(in.x().shape())
                        + ": give an example [N, C, L]");
            }
            Convolution.Params p = c.params();
            String x = node("Unsqueeze", path, List.of(in.name(), ints(2)));
            List<String> ins = new ArrayList<>(List.of(x, node("Unsqueeze", path, List.of(init(c.weight()), ints(2)))));
            if (c.bias() != null) ins.add(init(c.bias()));
            String y = node("Conv", path, ins, OnnxWriter.attrInts("kernel_shape", 1, c.weight().size(2)), OnnxWriter.attrInts("strides", p.sh(), p.sw()),
                    OnnxWriter.attrInts("pads", p.ph(), p.pw(), p.ph(), p.pw()), OnnxWriter.attrInts("dilations", p.dh(), p.dw()),
                    OnnxWriter.attrInt("group", p.groups()));
            return new V(node("Squeeze", path, List.of(y, ints(2))), c.forward(in.x()));
        }

        private V convTranspose(ConvTranspose2d c, String path, V in) {
            Convolution.Params p = c.params();
            int[] w = c.weight().shape();
            List<String> ins = new ArrayList<>(List.of(in.name(), init(c.weight())));
            if (c.bias() != null) ins.add(init(c.bias()));
            String y = node("ConvTranspose", path, ins, OnnxWriter.attrInts("kernel_shape", w[2], w[3]), OnnxWriter.attrInts("strides", p.sh(), p.sw()),
                    OnnxWriter.attrInts("pads", p.ph(), p.pw(), p.ph(), p.pw()), OnnxWriter.attrInts("dilations", p.dh(), p.dw()),
                    OnnxWriter.attrInt("group", p.groups()), OnnxWriter.attrInts("output_padding", c.outputPadding(), c.outputPadding()));
            return new V(y, c.forward(in.x()));
        }

        private String pool(String op, Pooling.Window w, String path, String x) {
            List<ProtoWriter> attrs = new ArrayList<>(List.of(OnnxWriter.attrInts("kernel_shape", w.kh(), w.kw()), OnnxWriter.attrInts("strides", w.sh(), w.sw()),
                    OnnxWriter.attrInts("pads", w.ph(), w.pw(), w.ph(), w.pw())));
            if (op.equals("AveragePool")) attrs.add(OnnxWriter.attrInt("count_include_pad", 1)); // Descent divides by the full window
            return node(op, path, List.of(x), attrs.toArray(ProtoWriter[]::new));
        }

        private String flatten(String path, String x) {
            return node("Flatten", path, List.of(x), OnnxWriter.attrInt("axis", 1));
        }

        private V batchNorm(BatchNorm b, String path, V in) {
            String y = node("BatchNormalization", path, List.of(in.name(), init(b.weight()), init(b.bias()), init(b.runningMean()), init(b.runningVar())),
                    OnnxWriter.attrFloat("epsilon", (float) b.eps()));
            return new V(y, b.forward(in.x()));
        }

        private V layerNorm(LayerNorm l, String path, V in) {
            String y = node("LayerNormalization", path, List.of(in.name(), init(l.weight()), init(l.bias())),
                    OnnxWriter.attrInt("axis", -l.normalizedShape().length), OnnxWriter.attrFloat("epsilon", (float) l.eps()));
            return new V(y, l.forward(in.x()));
        }

        /** GELU: the Gelu op from opset 20; before, ½·x·(1 + erf(x/√2)) or ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
        private String gelu(boolean tanh, String path, String x) {
            if (opset >= 20) return node("Gelu", path, List.of(x), OnnxWriter.attrString("approximate", tanh ? "tanh" : "none"));
            String inner;
            if (tanh) {
                String cube = node("Mul", path, List.of(node("Mul", path, List.of(x, x)), x));
                String sum = node("Add", path, List.of(x, node("Mul", path, List.of(cube, scalar(0.044715)))));
                inner = node("Tanh", path, List.of(node("Mul", path, List.of(sum, scalar(Math.sqrt(2 / Math.PI))))));
            } else {
                inner = node("Erf", path, List.of(node("Mul", path, List.of(x, scalar(1 / Math.sqrt(2))))));
            }
            String half = node("Mul", path, List.of(x, scalar(0.5)));
            return node("Mul", path, List.of(half, node("Add", path, List.of(inner, scalar(1)))));
        }

        /** ELU: x where x &gt; 0, else α·(eˣ − 1). */
        private String elu(double alpha, String path, String x) {
            String negative = node("Mul", path, List.of(node("Sub", path, List.of(node("Exp", path, List.of(x)), scalar(1))), scalar(alpha)));
            return node("Where", path, List.of(node("Greater", path, List.of(x, scalar(0))), x, negative));
        }

        /** Softplus: x where β·x &gt; threshold, else ln(1 + e^{β·x}) / β. */
        private String softplus(double beta, double threshold, String path, String x) {
            String bx = node("Mul", path, List.of(x, scalar(beta)));
            String soft = node("Div", path, List.of(node("Log", path, List.of(node("Add", path, List.of(node("Exp", path, List.of(bx)), scalar(1))))), scalar(beta)));
            return node("Where", path, List.of(node("Greater", path, List.of(bx, scalar(threshold))), x, soft));
        }

        /** The mean over {@code axes}, kept: ReduceMean with axes as an attribute before opset 18, as an input from 18. */
        private String reduceMean(String path, String x, long... axes) {
            return opset >= 18 ? node("ReduceMean", path, List.of(x, ints(axes)), OnnxWriter.attrInt("keepdims", 1))
                    : node("ReduceMean", path, List.of(x), OnnxWriter.attrInts("axes", axes), OnnxWriter.attrInt("keepdims", 1));
        }

        /** RMSNorm: x / √(mean(x²) + eps) over the trailing dims, times the weight (eps NaN: the dtype's machine epsilon). */
        private V rmsNorm(RMSNorm r, String path, V in) {
            int k = r.normalizedShape().length;
            long[] axes = new long[k];
            for (int j = 0; j < k; j++) axes[j] = -k + j;
            double eps = !Double.isNaN(r.eps()) ? r.eps() : in.x().dtype() == DType.FLOAT64 ? Math.ulp(1.0) : Math.ulp(1.0f);
            String ms = reduceMean(path, node("Mul", path, List.of(in.name(), in.name())), axes);
            String y = node("Div", path, List.of(in.name(), node("Sqrt", path, List.of(node("Add", path, List.of(ms, scalar(eps)))))));
            Tensor w = r.namedParameters().get("weight");
            if (w != null) y = node("Mul", path, List.of(y, init(w)));
            return new V(y, r.forward(in.x()));
        }

        /** GroupNorm: [N, C, …] as [N, G, rest], normalised over rest (biased variance), back to x's shape, then weight and bias per channel. */
        private V groupNorm(GroupNorm g, String path, V in) {
            String grouped = node("Reshape", path, List.of(in.name(), ints(0, g.numGroups(), -1)));
            String centred = node("Sub", path, List.of(grouped, reduceMean(path, grouped, 2)));
            String var = reduceMean(path, node("Mul", path, List.of(centred, centred)), 2);
            String normed = node("Div", path, List.of(centred, node("Sqrt", path, List.of(node("Add", path, List.of(var, scalar(g.eps())))))));
            String y = node("Reshape", path, List.of(normed, node("Shape", path, List.of(in.name()))));
            Tensor w = g.namedParameters().get("weight"), b = g.namedParameters().get("bias");
            if (w != null) {
                long[] trailing = new long[in.x().dim() - 2];
                for (int j = 0; j < trailing.length; j++) trailing[j] = j + 1;
                String ws = trailing.length == 0 ? init(w) : node("Unsqueeze", path, List.of(init(w), ints(trailing)));
                String bs = trailing.length == 0 ? init(b) : node("Unsqueeze", path, List.of(init(b), ints(trailing)));
                y = node("Add", path, List.of(node("Mul", path, List.of(y, ws)), bs));
            }
            return new V(y, g.forward(in.x()));
        }

        /** conv–BN–ReLU–conv–BN plus the option-A shortcut (subsample by the stride, zero channels on both sides), then ReLU. */
        private V basicBlock(BasicBlock b, String path, V in) throws OnnxException {
            Map<String, Module> ch = b.namedChildren();
            Conv2d conv1 = (Conv2d) ch.get("conv1");
            V y = emit(conv1, join(path, "conv1"), in);
            y = emit(ch.get("bn1"), join(path, "bn1"), y);
            y = new V(node("Relu", path, List.of(y.name())), y.x().relu());
            y = emit(ch.get("conv2"), join(path, "conv2"), y);
            y = emit(ch.get("bn2"), join(path, "bn2"), y);
            int stride = conv1.params().sh(), out = conv1.weight().size(0), inC = conv1.weight().size(1) * conv1.params().groups();
            String s = in.name();
            if (stride != 1) {
                s = node("Slice", path, List.of(s, ints(0, 0), ints(Long.MAX_VALUE, Long.MAX_VALUE), ints(2, 3), ints(stride, stride)));
            }
            int extra = out - inC;
            if (extra > 0) {
                int before = extra / 2, after = extra - before;
                s = node("Pad", path, List.of(s, ints(0, before, 0, 0, 0, after, 0, 0)), OnnxWriter.attrString("mode", "constant"));
            }
            String sum = node("Add", path, List.of(y.name(), s));
            return new V(node("Relu", path, List.of(sum)), b.forward(in.x()));
        }

        /**
         * Self-attention of {@code x}: the in-projection, split into Q, K and V, heads, softmax(Q·Kᵀ/√d) with future
         * positions set to −∞ when causal, the heads side by side again, the out-projection.
         */
        private String attention(MultiheadAttention a, String path, String x, boolean causal) {
            if (!a.batchFirst()) x = node("Transpose", path, List.of(x), OnnxWriter.attrInts("perm", 1, 0, 2));
            int e = a.inProjWeight().size(1), h = a.numHeads(), d = e / h;
            String qkv = node("MatMul", path, List.of(x, transposedWeight(a.inProjWeight(), path)));
            if (a.inProjBias() != null) qkv = node("Add", path, List.of(qkv, init(a.inProjBias())));
            String[] parts = nodes("Split", path, List.of(qkv, ints(e, e, e)), 3, OnnxWriter.attrInt("axis", -1));
            String heads = ints(0, 0, h, d);
            String q = node("Transpose", path, List.of(node("Reshape", path, List.of(parts[0], heads))), OnnxWriter.attrInts("perm", 0, 2, 1, 3));
            String kt = node("Transpose", path, List.of(node("Reshape", path, List.of(parts[1], heads))), OnnxWriter.attrInts("perm", 0, 2, 3, 1));
            String v = node("Transpose", path, List.of(node("Reshape", path, List.of(parts[2], heads))), OnnxWriter.attrInts("perm", 0, 2, 1, 3));
            String scores = node("Mul", path, List.of(node("MatMul", path, List.of(q, kt)), scalar(1 / Math.sqrt(d))));
            if (causal) {
                String t = node("Squeeze", path, List.of(node("Shape", path, List.of(x), OnnxWriter.attrInt("start", 1), OnnxWriter.attrInt("end", 2)), ints(0)));
                String r = node("Range", path, List.of(longScalar(0), t, longScalar(1)));
                String future = node("Greater", path, List.of(node("Unsqueeze", path, List.of(r, ints(0))), node("Unsqueeze", path, List.of(r, ints(1)))));
                scores = node("Where", path, List.of(future, scalar(Double.NEGATIVE_INFINITY), scores));
            }
            String weights = node("Softmax", path, List.of(scores), OnnxWriter.attrInt("axis", -1));
            String o = node("Transpose", path, List.of(node("MatMul", path, List.of(weights, v))), OnnxWriter.attrInts("perm", 0, 2, 1, 3));
            o = node("Reshape", path, List.of(o, ints(0, 0, e)));
            o = linearNd(a.outProj(), join(path, "out_proj"), o);
            if (!a.batchFirst()) o = node("Transpose", path, List.of(o), OnnxWriter.attrInts("perm", 1, 0, 2));
            return o;
        }

        /**
         * Adaptive average pooling of a fixed [H, W] to the output's [oh, ow]: AveragePool when the sizes divide (equal
         * windows), else each cell's window [⌊i·H/oh⌋, ⌈(i+1)·H/oh⌉) × … averaged by Slice and ReduceMean, then Concat.
         */
        private V adaptiveAvgPool(AdaptiveAvgPool2d p, String path, V in) throws OnnxException {
            Tensor out = p.forward(in.x());
            if (in.x().dim() != 4) {
                throw new OnnxException("OnnxExport: cannot export module '" + path + "' (" + p.getClass().getName() + ") on unbatched input "
                        + Shape.format(in.x().shape()) + ": give an example [N, C, H, W]");
            }
            int h = in.x().size(2), w = in.x().size(3), oh = out.size(2), ow = out.size(3);
            if (oh == 1 && ow == 1) return new V(node("GlobalAveragePool", path, List.of(in.name())), out);
            if (h % oh == 0 && w % ow == 0) {
                return new V(pool("AveragePool", new Pooling.Window(h / oh, w / ow, h / oh, w / ow, 0, 0), path, in.name()), out);
            }
            List<String> rows = new ArrayList<>();
            for (int i = 0; i < oh; i++) {
                long r0 = Math.floorDiv(i * h, oh), r1 = -Math.floorDiv(-(i + 1) * h, oh);
                String band = node("Slice", path, List.of(in.name(), ints(r0), ints(r1), ints(2)));
                List<String> cells = new ArrayList<>();
                for (int j = 0; j < ow; j++) {
                    long c0 = Math.floorDiv(j * w, ow), c1 = -Math.floorDiv(-(j + 1) * w, ow);
                    String cell = node("Slice", path, List.of(band, ints(c0), ints(c1), ints(3)));
                    cells.add(opset >= 18 ? node("ReduceMean", path, List.of(cell, ints(2, 3)), OnnxWriter.attrInt("keepdims", 1))
                            : node("ReduceMean", path, List.of(cell), OnnxWriter.attrInts("axes", 2, 3), OnnxWriter.attrInt("keepdims", 1)));
                }
                rows.add(cells.size() == 1 ? cells.get(0) : node("Concat", path, cells, OnnxWriter.attrInt("axis", 3)));
            }
            return new V(rows.size() == 1 ? rows.get(0) : node("Concat", path, rows, OnnxWriter.attrInt("axis", 2)), out);
        }

        /**
         * PyTorch's encoder layer without masks: post-norm {@code norm1(x + attn(x))}, {@code norm2(x + ff(x))}, or pre-norm
         * {@code x + attn(norm1(x))}, {@code x + ff(norm2(x))}; {@code ff = linear2(act(linear1(x)))}, ReLU or exact GELU.
         */
        private V encoderLayer(TransformerEncoderLayer t, String path, V in) throws OnnxException {
            Map<String, Module> ch = t.namedChildren();
            MultiheadAttention attn = (MultiheadAttention) ch.get("self_attn");
            Module norm1 = ch.get("norm1"), norm2 = ch.get("norm2");
            V x = in;
            V a = t.normFirst() ? emit(norm1, join(path, "norm1"), x) : x;
            a = new V(attention(attn, join(path, "self_attn"), a.name(), false), attn.forward(a.x()));
            x = new V(node("Add", path, List.of(x.name(), a.name())), x.x().add(a.x()));
            if (!t.normFirst()) x = emit(norm1, join(path, "norm1"), x);
            V f = t.normFirst() ? emit(norm2, join(path, "norm2"), x) : x;
            f = emit(ch.get("linear1"), join(path, "linear1"), f);
            f = t.activation().equals("gelu") ? new V(gelu(false, path, f.name()), f.x().gelu()) : new V(node("Relu", path, List.of(f.name())), f.x().relu());
            f = emit(ch.get("linear2"), join(path, "linear2"), f);
            x = new V(node("Add", path, List.of(x.name(), f.name())), x.x().add(f.x()));
            if (!t.normFirst()) x = emit(norm2, join(path, "norm2"), x);
            return new V(x.name(), t.forward(in.x()));
        }

        /** x + attn(ln_1(x)) (causal), then + mlp(ln_2(·)). */
        private V transformerBlock(TransformerBlock b, String path, V in) throws OnnxException {
            Map<String, Module> ch = b.namedChildren();
            V h = emit(ch.get("ln_1"), join(path, "ln_1"), in);
            MultiheadAttention attn = b.attn();
            V a = new V(attention(attn, join(path, "attn"), h.name(), true), attn.forwardCausal(h.x()));
            V x = new V(node("Add", path, List.of(in.name(), a.name())), in.x().add(a.x()));
            V m = emit(b.mlp(), join(path, "mlp"), emit(ch.get("ln_2"), join(path, "ln_2"), x));
            return new V(node("Add", path, List.of(x.name(), m.name())), b.forward(in.x()));
        }

        /** Token embedding plus the first T rows of the position table, the blocks, ln_f, logits against the token embedding. */
        private V gpt(GPT g, String path, V in) throws OnnxException {
            Map<String, Module> ch = g.namedChildren();
            Embedding wte = g.tokenEmbedding(), wpe = (Embedding) ch.get("wpe");
            String tok = node("Gather", join(path, "wte"), List.of(init(wte.weight()), in.name()), OnnxWriter.attrInt("axis", 0));
            String t = node("Shape", path, List.of(in.name()), OnnxWriter.attrInt("start", 1), OnnxWriter.attrInt("end", 2));
            String pos = node("Slice", join(path, "wpe"), List.of(init(wpe.weight()), ints(0), t, ints(0)));
            Tensor ex = wte.forward(in.x()).add(wpe.forward(Tensor.arange(in.x().size(1))));
            V x = new V(node("Add", path, List.of(tok, pos)), ex);
            x = emit(ch.get("h"), join(path, "h"), x);
            x = emit(ch.get("ln_f"), join(path, "ln_f"), x);
            String logits = node("MatMul", path, List.of(x.name(), transposedWeight(wte.weight(), path)));
            return new V(logits, g.forward(in.x()));
        }

        /**
         * An LSTM or GRU layer stack: one ONNX node per layer (both directions in it), time-major. ONNX orders the gates
         * i, o, f, c (LSTM) and z, r, h (GRU), PyTorch i, f, g, o and r, z, n: the state-dict weights stay the initializers
         * and Split/Concat nodes reorder their row blocks ({@code order[k]}: the PyTorch block that is ONNX's k-th). The
         * GRU's PyTorch form applies the reset gate after the recurrent product: {@code linear_before_reset = 1}.
         */
        private V recurrent(Module r, String op, int[] order, boolean batchFirst, String path, V in) throws OnnxException {
            if (in.x().dim() != 3) {
                throw new OnnxException("OnnxExport: cannot export module '" + path + "' (" + r.getClass().getName() + ") on unbatched input "
                        + Shape.format(in.x().shape()) + ": give an example with a batch dimension");
            }
            Map<String, Parameter> p = r.namedParameters();
            int hidden = p.get("weight_hh_l0").size(1), dirs = p.containsKey("weight_ih_l0_reverse") ? 2 : 1, layers = 0;
            while (p.containsKey("weight_ih_l" + layers)) layers++;
            boolean bias = p.containsKey("bias_ih_l0");
            String x = batchFirst ? node("Transpose", path, List.of(in.name()), OnnxWriter.attrInts("perm", 1, 0, 2)) : in.name();
            for (int l = 0; l < layers; l++) {
                String[] w = new String[dirs], rr = new String[dirs], b = new String[dirs];
                for (int d = 0; d < dirs; d++) {
                    String suffix = l + (d == 1 ? "_reverse" : "");
                    w[d] = gateOrder(p.get("weight_ih_l" + suffix), order, hidden, path);
                    rr[d] = gateOrder(p.get("weight_hh_l" + suffix), order, hidden, path);
                    if (bias) {
                        b[d] = node("Concat", path, List.of(gateOrder(p.get("bias_ih_l" + suffix), order, hidden, path),
                                gateOrder(p.get("bias_hh_l" + suffix), order, hidden, path)), OnnxWriter.attrInt("axis", 0));
                    }
                }
                List<String> ins = new ArrayList<>(List.of(x, stack(w, path), stack(rr, path)));
                if (bias) ins.add(stack(b, path));
                List<ProtoWriter> attrs = new ArrayList<>(List.of(OnnxWriter.attrInt("hidden_size", hidden),
                        OnnxWriter.attrString("direction", dirs == 2 ? "bidirectional" : "forward")));
                if (op.equals("GRU")) attrs.add(OnnxWriter.attrInt("linear_before_reset", 1));
                String y = node(op, join(path, "l" + l), ins, attrs.toArray(ProtoWriter[]::new)); // Y [T, D, B, H]
                y = node("Transpose", path, List.of(y), OnnxWriter.attrInts("perm", 0, 2, 1, 3));
                x = node("Reshape", path, List.of(y, ints(0, 0, -1))); // [T, B, D·H]
            }
            String out = batchFirst ? node("Transpose", path, List.of(x), OnnxWriter.attrInts("perm", 1, 0, 2)) : x;
            return new V(out, r.forward(in.x()));
        }

        /** One step of an LSTM or GRU cell from the zero state, {@code [B, in] → h' [B, H]}: a one-step LSTM/GRU node. */
        private V cell(Module c, String op, int[] order, String path, V in) throws OnnxException {
            if (in.x().dim() != 2) {
                throw new OnnxException("OnnxExport: cannot export module '" + path + "' (" + c.getClass().getName() + ") on input " + Shape.format(in.x().shape())
                        + ": give an example [B, input]");
            }
            Map<String, Parameter> p = c.namedParameters();
            int hidden = p.get("weight_hh").size(1);
            List<String> ins = new ArrayList<>(List.of(node("Unsqueeze", path, List.of(in.name(), ints(0))),
                    stack(new String[] {gateOrder(p.get("weight_ih"), order, hidden, path)}, path),
                    stack(new String[] {gateOrder(p.get("weight_hh"), order, hidden, path)}, path)));
            if (p.containsKey("bias_ih")) {
                ins.add(stack(new String[] {node("Concat", path, List.of(gateOrder(p.get("bias_ih"), order, hidden, path),
                        gateOrder(p.get("bias_hh"), order, hidden, path)), OnnxWriter.attrInt("axis", 0))}, path));
            }
            List<ProtoWriter> attrs = new ArrayList<>(List.of(OnnxWriter.attrInt("hidden_size", hidden)));
            if (op.equals("GRU")) attrs.add(OnnxWriter.attrInt("linear_before_reset", 1));
            String y = node(op, path, ins, attrs.toArray(ProtoWriter[]::new)); // Y [1, 1, B, H]
            return new V(node("Squeeze", path, List.of(y, ints(0, 1))), c.forward(in.x()));
        }

        /** A weight or bias with its row blocks of {@code hidden} rows put in ONNX's gate order. */
        private String gateOrder(Tensor t, int[] order, int hidden, String path) {
            long[] sizes = new long[order.length];
            java.util.Arrays.fill(sizes, hidden);
            String[] parts = nodes("Split", path, List.of(init(t), ints(sizes)), order.length, OnnxWriter.attrInt("axis", 0));
            List<String> reordered = new ArrayList<>();
            for (int k : order) reordered.add(parts[k]);
            return node("Concat", path, reordered, OnnxWriter.attrInt("axis", 0));
        }

        /** The per-direction tensors stacked on a new first axis. */
        private String stack(String[] perDirection, String path) {
            List<String> parts = new ArrayList<>();
            for (String s : perDirection) parts.add(node("Unsqueeze", path, List.of(s, ints(0))));
            return parts.size() == 1 ? parts.get(0) : node("Concat", path, parts, OnnxWriter.attrInt("axis", 0));
        }

        // ---- graph building --------------------------------------------------------------------------------

        private static String join(String path, String name) {
            return path.isEmpty() ? name : path + "." + name;
        }

        /** A node with one output; returns the output's name (also the node's name). */
        private String node(String op, String path, List<String> inputs, ProtoWriter... attrs) {
            return nodes(op, path, inputs, 1, attrs)[0];
        }

        private String[] nodes(String op, String path, List<String> inputs, int outputs, ProtoWriter... attrs) {
            String name = (path.isEmpty() ? "" : path + "/") + op + "_" + counter++;
            String[] outs = new String[outputs];
            for (int k = 0; k < outputs; k++) outs[k] = outputs == 1 ? name : name + ":" + k;
            graph.node(op, name, inputs, List.of(outs), attrs);
            return outs;
        }

        /** The initializer of a parameter or buffer of the model, named by its state-dict name (written once). */
        private String init(Tensor t) {
            String name = stateNames.get(t);
            if (name == null) throw new IllegalStateException("OnnxExport: a tensor of shape " + Shape.format(t.shape()) + " is not in the model's state dict");
            if (written.putIfAbsent(name, name) == null) graph.init(name, t.detach());
            return name;
        }

        /** The transpose of a 2-d weight (a Transpose node over its initializer, made once per weight). */
        private String transposedWeight(Tensor w, String path) {
            String name = init(w);
            String t = transposed.get(name);
            if (t == null) {
                t = node("Transpose", path, List.of(name), OnnxWriter.attrInts("perm", 1, 0));
                transposed.put(name, t);
            }
            return t;
        }

        /** A Constant node holding int64 values {@code [n]} (made once per value). */
        private String ints(long... v) {
            return constant("i" + java.util.Arrays.toString(v), Tensor.of(v, v.length));
        }

        /** A Constant node holding an int64 scalar. */
        private String longScalar(long v) {
            return constant("l" + v, Tensor.of(new long[] {v}, 1).reshape());
        }

        /** A Constant node holding a scalar of the model's float type. */
        private String scalar(double v) {
            return constant("f" + v, Tensor.scalar(v, floatType));
        }

        private String constant(String key, Tensor value) {
            String name = constants.get(key);
            if (name == null) {
                name = "const_" + constants.size();
                graph.node("Constant", name, List.of(), List.of(name), OnnxWriter.attrTensor("value", value));
                constants.put(key, name);
            }
            return name;
        }
    }
}
