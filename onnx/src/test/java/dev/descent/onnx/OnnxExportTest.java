package dev.descent.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import dev.descent.core.DType;
import dev.descent.core.Shape;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.GradMode;
import dev.descent.nn.AdaptiveAvgPool2d;
import dev.descent.nn.AvgPool2d;
import dev.descent.nn.BatchNorm1d;
import dev.descent.nn.BatchNorm2d;
import dev.descent.nn.BigramLanguageModel;
import dev.descent.nn.Conv1d;
import dev.descent.nn.Conv2d;
import dev.descent.nn.ConvTranspose2d;
import dev.descent.nn.Dropout;
import dev.descent.nn.ELU;
import dev.descent.nn.Flatten;
import dev.descent.nn.GELU;
import dev.descent.nn.GPT;
import dev.descent.nn.GRU;
import dev.descent.nn.GRUCell;
import dev.descent.nn.GroupNorm;
import dev.descent.nn.LSTM;
import dev.descent.nn.LSTMCell;
import dev.descent.nn.LayerNorm;
import dev.descent.nn.LeakyReLU;
import dev.descent.nn.Linear;
import dev.descent.nn.MaxPool2d;
import dev.descent.nn.Models;
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
import dev.descent.nn.TransformerEncoderLayer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Export → {@link OnnxModel#read} → the same outputs as Descent's forward (eval mode), to 1e-5 relative (the largest
 * difference over the largest magnitude of Descent's output), on random inputs with batch sizes other than the
 * example's. The importer's kernels are a separate path (ONNX ops mapped one by one), so this checks the translation.
 */
class OnnxExportTest {
    @TempDir
    Path dir;

    /** max |a − b| ≤ 1e-5 · max |expected| (and both shapes equal). */
    static void assertClose(Tensor expected, Tensor actual, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        double[] e = expected.to(DType.FLOAT64).contiguous().toDoubleArray(), a = actual.to(DType.FLOAT64).contiguous().toDoubleArray();
        double scale = 0, diff = 0;
        for (int i = 0; i < e.length; i++) {
            scale = Math.max(scale, Math.abs(e[i]));
            diff = Math.max(diff, Math.abs(e[i] - a[i]));
            assertFalse(Double.isNaN(a[i]), what + ": NaN at " + i);
        }
        assertTrue(diff <= 1e-5 * Math.max(scale, 1e-30), what + ": largest difference " + diff + " over largest magnitude " + scale);
    }

    /** Exports with {@code example}, reads the file back, and compares with Descent on every input. */
    private OnnxModel roundTrip(Module m, Tensor example, long opset, Tensor... inputs) throws IOException {
        m.eval();
        Path f = dir.resolve("model-" + opset + ".onnx");
        OnnxExport.write(m, example, f, opset);
        OnnxModel back = OnnxModel.read(f);
        OnnxFile.Graph g = back.model().graph();
        for (OnnxFile.Node n : g.nodes()) assertTrue(n.domain().isEmpty() && OnnxOps.SUPPORTED.contains(n.opType()), "op " + n.opType() + " is one the importer loads");
        // The weights come back as trainable parameters (batch norm's statistics as buffers), each once.
        assertEquals(m.parameterCount(), back.parameterCount(), "parameter count after the round trip");
        try (var _ = GradMode.noGrad()) {
            for (Tensor x : Stream.concat(Stream.of(example), Stream.of(inputs)).toList()) {
                Tensor expected = m.forward(x);
                String what = m.getClass().getSimpleName() + " on " + Shape.format(x.shape()) + " (opset " + opset + ")";
                // Runtimes that check the declared shapes (ONNX Runtime does) accept this input and this output.
                assertFits(g.inputs().get(0), x, what + ": input");
                assertFits(g.outputs().get(0), expected, what + ": output");
                assertClose(expected, back.forward(x), what);
            }
        }
        return back;
    }

    /** The tensor's shape fits the declared one: the same rank, and the same size at every fixed dim. */
    static void assertFits(OnnxFile.ValueInfo declared, Tensor t, String what) {
        assertEquals(declared.shape().size(), t.dim(), what + ": rank");
        for (int k = 0; k < t.dim(); k++) {
            long d = declared.shape().get(k).value();
            assertTrue(d < 0 || d == t.size(k), what + ": dim " + k + " is " + t.size(k) + ", declared " + d);
        }
    }

    /** Replaces every batch norm's weight, bias, running mean and running variance by random values (variance in [0.5, 2.5)). */
    private static void randomizeBatchNorms(Module m, RandomGenerator rng) {
        Map<String, Tensor> state = new HashMap<>(m.stateDict());
        for (Map.Entry<String, Tensor> e : m.stateDict().entrySet()) {
            String k = e.getKey();
            int[] s = e.getValue().shape();
            if (k.endsWith("running_var")) state.put(k, Tensor.rand(rng, s).mul(2).add(0.5));
            else if (k.endsWith("running_mean")) state.put(k, Tensor.randn(rng, s).mul(0.5));
            else if ((k.endsWith("weight") || k.endsWith("bias")) && s.length == 1 && k.contains("bn")) state.put(k, Tensor.randn(rng, s).mul(0.3).add(k.endsWith("weight") ? 1 : 0));
        }
        m.loadStateDict(state);
    }

    private static Tensor tokens(RandomGenerator rng, int vocab, int b, int t) {
        return Tensor.randint(0, vocab, rng, b, t);
    }

    @Test
    void simpleCnnRoundTrips() throws IOException {
        RandomGenerator rng = new SplittableRandom(1);
        Sequential m = Models.simpleCnn(3, 16, 10, rng);
        roundTrip(m, Tensor.randn(rng, 2, 3, 16, 16), OnnxExport.DEFAULT_OPSET, Tensor.randn(rng, 1, 3, 16, 16), Tensor.randn(rng, 5, 3, 16, 16));
    }

    @Test
    void resnetWithRunningStatisticsRoundTrips() throws IOException {
        RandomGenerator rng = new SplittableRandom(2);
        Sequential m = Models.cifarResNet(1, 10, rng); // ResNet-8: every stage entry (stride 2, channel padding) appears
        randomizeBatchNorms(m, rng);
        // The statistics really are not the defaults (so batch norm is not the identity).
        Tensor var = m.stateDict().get("1.running_var");
        assertTrue(Math.abs(var.sum().item() - 16) > 0.5, "running variance was randomised");
        roundTrip(m, Tensor.randn(rng, 2, 3, 16, 16), OnnxExport.DEFAULT_OPSET, Tensor.randn(rng, 1, 3, 16, 16), Tensor.randn(rng, 3, 3, 16, 16));
    }

    @Test
    void resnet32RoundTrips() throws IOException {
        RandomGenerator rng = new SplittableRandom(3);
        Sequential m = Models.resnet32(10, rng);
        randomizeBatchNorms(m, rng);
        roundTrip(m, Tensor.randn(rng, 2, 3, 16, 16), OnnxExport.DEFAULT_OPSET, Tensor.randn(rng, 1, 3, 16, 16));
    }

    @Test
    void mlpsRoundTrip() throws IOException {
        RandomGenerator rng = new SplittableRandom(4);
        // descent train's "mlp": flatten, 256, ReLU, classes.
        Sequential mlp = new Sequential(new Flatten(), new Linear(3 * 8 * 8, 256, rng), new ReLU(), new Linear(256, 10, rng));
        roundTrip(mlp, Tensor.randn(rng, 4, 3, 8, 8), OnnxExport.DEFAULT_OPSET, Tensor.randn(rng, 1, 3, 8, 8), Tensor.randn(rng, 7, 3, 8, 8));
        // Every activation, batch norm over features, a residual, dropout (inference: none) and a layer without bias.
        Sequential deep = new Sequential(new Linear(12, 16, rng), new BatchNorm1d(16), new LeakyReLU(0.1), new Dropout(0.3, rng),
                new Residual(new Sequential(new Linear(16, 16, rng), new Tanh())), new Linear(16, 16, false, rng), new Sigmoid(),
                new Linear(16, 16, rng), new SiLU(), new Linear(16, 16, rng), new GELU(), new Linear(16, 16, rng), new GELU(true),
                new LayerNorm(16), new Linear(16, 3, rng));
        Map<String, Tensor> state = new HashMap<>(deep.stateDict());
        state.put("1.running_mean", Tensor.randn(rng, 16));
        state.put("1.running_var", Tensor.rand(rng, 16).add(0.5));
        deep.loadStateDict(state);
        for (long opset : new long[] {17, 18, 20, 21}) {
            roundTrip(deep, Tensor.randn(rng, 5, 12), opset, Tensor.randn(rng, 1, 12), Tensor.randn(rng, 9, 12));
        }
    }

    @Test
    void convolutionOptionsAndPoolsRoundTrip() throws IOException {
        RandomGenerator rng = new SplittableRandom(5);
        Sequential m = new Sequential(new Conv2d(2, 6, 3, 2, 1, 2, 2, true, rng), new BatchNorm2d(6), new ReLU(), new AvgPool2d(3, 1, 1),
                new Conv2d(6, 4, 1, 1, 0, rng), new MaxPool2d(3, 2, 1), new Flatten(), new Linear(4 * 3 * 3, 5, rng));
        randomizeBatchNorms(m, rng);
        roundTrip(m, Tensor.randn(rng, 2, 2, 11, 11), OnnxExport.DEFAULT_OPSET, Tensor.randn(rng, 3, 2, 11, 11));
        Sequential up = new Sequential(new ConvTranspose2d(3, 4, 3, 2, 1, 1, 1, 1, true, rng), new ReLU(), new ConvTranspose2d(4, 2, 2, 1, 0, 0, 2, 2, false, rng));
        roundTrip(up, Tensor.randn(rng, 2, 3, 4, 5), OnnxExport.DEFAULT_OPSET, Tensor.randn(rng, 1, 3, 4, 5));
        Sequential oneD = new Sequential(new Conv1d(3, 4, 3, 2, 1, rng), new ReLU(), new Conv1d(4, 4, 3, 1, 2, 2, 2, false, rng), new Flatten(), new Linear(4 * 4, 2, rng));
        roundTrip(oneD, Tensor.randn(rng, 2, 3, 8), OnnxExport.DEFAULT_OPSET, Tensor.randn(rng, 5, 3, 8));
    }

    @Test
    void encoderLayersAndAdaptivePoolingRoundTrip() throws IOException {
        RandomGenerator rng = new SplittableRandom(12);
        Sequential post = new Sequential(new TransformerEncoderLayer(8, 2, 16, 0.1, "relu", false, false, rng), new TransformerEncoderLayer(8, 4, 12, 0, "gelu", false, false, rng));
        roundTrip(post, Tensor.randn(rng, 5, 2, 8), OnnxExport.DEFAULT_OPSET, Tensor.randn(rng, 3, 4, 8));
        Sequential pre = new Sequential(new TransformerEncoderLayer(8, 2, 16, 0, "gelu", true, true, rng), new LayerNorm(8));
        roundTrip(pre, Tensor.randn(rng, 2, 5, 8), 20, Tensor.randn(rng, 3, 1, 8));
        for (int[] size : new int[][] {{1, 1}, {2, 3}, {3, 4}}) { // global; dividing 6×9 (AveragePool); not dividing (windows)
            Sequential m = new Sequential(new Conv2d(2, 3, 3, 1, 1, rng), new AdaptiveAvgPool2d(size[0], size[1]), new Flatten(), new Linear(3 * size[0] * size[1], 2, rng));
            for (long opset : new long[] {17, 18}) roundTrip(m, Tensor.randn(rng, 2, 2, 6, 9), opset, Tensor.randn(rng, 3, 2, 6, 9));
        }
    }

    @Test
    void gptRoundTripsAtOtherBatchesAndLengths() throws IOException {
        RandomGenerator rng = new SplittableRandom(6);
        GPT m = Models.gpt(13, 8, 2, 2, 16, rng);
        // GPT-2's initialisation (std 0.02) makes attention nearly uniform; larger weights make every position's weights differ.
        Map<String, Tensor> state = new HashMap<>();
        m.stateDict().forEach((k, v) -> state.put(k, v.dtype().isFloatingPoint() ? v.add(Tensor.randn(rng, v.shape()).mul(0.3)) : v));
        m.loadStateDict(state);
        for (long opset : new long[] {17, 20}) {
            roundTrip(m, tokens(rng, 13, 2, 5), opset, tokens(rng, 13, 1, 8), tokens(rng, 13, 3, 3), tokens(rng, 13, 4, 1));
        }
    }

    @Test
    void attentionAndBigramRoundTrip() throws IOException {
        RandomGenerator rng = new SplittableRandom(7);
        // Time-major attention (PyTorch's default layout), non-causal, between linears.
        Sequential timeMajor = new Sequential(new Linear(6, 8, rng), new MultiheadAttention(8, 2, rng), new Linear(8, 3, rng));
        roundTrip(timeMajor, Tensor.randn(rng, 4, 2, 6), OnnxExport.DEFAULT_OPSET, Tensor.randn(rng, 4, 5, 6), Tensor.randn(rng, 7, 1, 6));
        assertEquals(List.of("T", "N", "3"), dimsAsText(OnnxFile.read(dir.resolve("model-17.onnx")).graph().outputs().get(0)));
        Sequential batchFirst = new Sequential(new MultiheadAttention(8, 4, 0, false, true, rng), new LayerNorm(8));
        roundTrip(batchFirst, Tensor.randn(rng, 3, 5, 8), OnnxExport.DEFAULT_OPSET, Tensor.randn(rng, 1, 5, 8));
        assertEquals(List.of("N", "T", "8"), dimsAsText(OnnxFile.read(dir.resolve("model-17.onnx")).graph().outputs().get(0)));
        BigramLanguageModel bigram = new BigramLanguageModel(7);
        bigram.loadStateDict(Map.of("table", Tensor.randn(rng, 7, 7)));
        roundTrip(bigram, tokens(rng, 7, 2, 4), OnnxExport.DEFAULT_OPSET, tokens(rng, 7, 5, 9));
    }

    @Test
    void recurrentModelsRoundTrip() throws IOException {
        RandomGenerator rng = new SplittableRandom(11);
        Module charLstm = Models.charLstm(9, 6, 5, 2, rng);
        roundTrip(charLstm, tokens(rng, 9, 2, 4), OnnxExport.DEFAULT_OPSET, tokens(rng, 9, 1, 7), tokens(rng, 9, 3, 1));
        // Time-major, two bidirectional layers, between linears.
        Sequential lstm = new Sequential(new Linear(3, 4, rng), new LSTM(4, 5, 2, true, false, 0, true, rng), new Linear(10, 2, rng));
        roundTrip(lstm, Tensor.randn(rng, 6, 2, 3), OnnxExport.DEFAULT_OPSET, Tensor.randn(rng, 3, 4, 3));
        // GRU: batch first, bidirectional, two layers; and one without biases.
        Sequential gru = new Sequential(new GRU(3, 4, 2, true, true, 0, true, rng), new Tanh());
        roundTrip(gru, Tensor.randn(rng, 2, 5, 3), OnnxExport.DEFAULT_OPSET, Tensor.randn(rng, 4, 2, 3));
        OnnxFile.Model file = OnnxFile.read(dir.resolve("model-17.onnx"));
        assertTrue(file.graph().initializers().containsKey("0.weight_ih_l1_reverse"), file.graph().initializers().keySet().toString());
        Sequential cells = new Sequential(new LSTMCell(3, 5, rng), new GRUCell(5, 4, rng), new GRUCell(4, 4, false, rng), new LSTMCell(4, 2, false, rng));
        roundTrip(cells, Tensor.randn(rng, 2, 3), OnnxExport.DEFAULT_OPSET, Tensor.randn(rng, 5, 3));
        Sequential plain = new Sequential(new GRU(3, 4, 1, false, true, rng), new LSTM(4, 3, 1, false, true, rng));
        roundTrip(plain, Tensor.randn(rng, 2, 5, 3), 21, Tensor.randn(rng, 1, 8, 3));
    }

    @Test
    void initializersAreTheStateDictNamesAndDimensionsAreSymbolic() throws IOException {
        RandomGenerator rng = new SplittableRandom(8);
        Sequential cnn = Models.simpleCnn(1, 8, 4, rng);
        Path f = dir.resolve("cnn.onnx");
        OnnxExport.write(cnn, Tensor.randn(rng, 2, 1, 8, 8), f);
        OnnxFile.Model m = OnnxFile.read(f);
        assertEquals(OnnxExport.DEFAULT_OPSET, m.opsets().get(""));
        assertEquals(cnn.namedParameters().keySet(), m.graph().initializers().keySet());
        for (Map.Entry<String, Tensor> e : m.graph().initializers().entrySet()) {
            assertArrayEquals(cnn.namedParameters().get(e.getKey()).toFloatArray(), e.getValue().toFloatArray(), e.getKey());
        }
        OnnxFile.ValueInfo in = m.graph().inputs().get(0), out = m.graph().outputs().get(0);
        assertEquals(OnnxExport.INPUT, in.name());
        assertEquals(List.of(new OnnxFile.Dim(-1, "N"), new OnnxFile.Dim(1, ""), new OnnxFile.Dim(8, ""), new OnnxFile.Dim(8, "")), dims(in));
        assertEquals(OnnxExport.OUTPUT, out.name());
        assertEquals(List.of("N", "4"), dimsAsText(out));
        for (OnnxFile.Node n : m.graph().nodes()) assertTrue(OnnxOps.SUPPORTED.contains(n.opType()), n.opType());

        GPT gpt = Models.gpt(5, 6, 1, 1, 4, rng);
        Path g = dir.resolve("gpt.onnx");
        OnnxExport.write(gpt, tokens(rng, 5, 1, 3), g);
        OnnxFile.Model gm = OnnxFile.read(g);
        // The tied output projection is wte.weight itself: stored once.
        assertEquals(gpt.namedParameters().keySet(), gm.graph().initializers().keySet());
        assertEquals(OnnxFile.INT64, gm.graph().inputs().get(0).elemType());
        assertEquals(List.of("N", "T"), dimsAsText(gm.graph().inputs().get(0)));
        assertEquals(List.of("N", "T", "5"), dimsAsText(gm.graph().outputs().get(0)));

        // Batch norm: the running statistics are initializers too, under their state-dict names.
        Sequential bn = new Sequential(new Linear(3, 4, rng), new BatchNorm1d(4));
        Path b = dir.resolve("bn.onnx");
        OnnxExport.write(bn, Tensor.randn(rng, 2, 3), b);
        assertEquals(Set.of("0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var"), OnnxFile.read(b).graph().initializers().keySet());
    }

    private static List<OnnxFile.Dim> dims(OnnxFile.ValueInfo v) {
        return v.shape().stream().map(d -> d.value() >= 0 ? new OnnxFile.Dim(d.value(), "") : new OnnxFile.Dim(-1, d.param())).toList();
    }

    private static List<String> dimsAsText(OnnxFile.ValueInfo v) {
        return v.shape().stream().map(d -> d.value() >= 0 ? Long.toString(d.value()) : d.param()).toList();
    }

    @Test
    void anUnsupportedModuleIsRefusedByClassAndPath() throws IOException {
        RandomGenerator rng = new SplittableRandom(9);
        Path f = dir.resolve("refused.onnx");
        Files.writeString(f, "previous content");
        Sequential m = new Sequential(new Linear(4, 4, rng), new Sequential(new ReLU(), new Square()), new Linear(4, 2, rng));
        OnnxException e = assertThrows(OnnxException.class, () -> OnnxExport.write(m, Tensor.randn(rng, 2, 4), f));
        assertTrue(e.getMessage().contains("'1.1'") && e.getMessage().contains("dev.descent.onnx.OnnxExportTest$Square"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line");
        assertEquals("previous content", Files.readString(f), "a refused export leaves the file as it was");
        try (var files = Files.list(dir)) {
            assertEquals(List.of(f), files.toList(), "no temporary file is left behind");
        }

        Module top = new Square();
        OnnxException r = assertThrows(OnnxException.class, () -> OnnxExport.write(top, Tensor.randn(rng, 2, 2, 5), dir.resolve("rms.onnx")));
        assertTrue(r.getMessage().contains("the model") && r.getMessage().contains("Square"), r.getMessage());
        Sequential inner = new Sequential(new Linear(3, 4, rng), new Square());
        OnnxException s = assertThrows(OnnxException.class, () -> OnnxExport.write(inner, Tensor.randn(rng, 2, 3), dir.resolve("gn.onnx")));
        assertTrue(s.getMessage().contains("'1'") && s.getMessage().contains("Square"), s.getMessage());
        assertFalse(Files.exists(dir.resolve("rms.onnx")) || Files.exists(dir.resolve("gn.onnx")));
        assertThrows(IllegalArgumentException.class, () -> OnnxExport.write(m, Tensor.randn(rng, 2, 4), f, 16));
    }

    /** A random stack of feature layers (widths 1 to 7), drawn from {@code rng}. */
    private static Sequential randomMlp(RandomGenerator rng, int in) {
        Sequential m = new Sequential();
        int width = in, layers = 1 + rng.nextInt(5);
        for (int l = 0; l < layers; l++) {
            int out = 1 + rng.nextInt(7);
            m.add(new Linear(width, out, rng.nextBoolean(), rng));
            width = out;
            m.add(switch (rng.nextInt(14)) {
                case 0 -> new ReLU();
                case 1 -> new Tanh();
                case 2 -> new Sigmoid();
                case 3 -> new LeakyReLU(rng.nextDouble() - 0.5);
                case 4 -> new GELU(rng.nextBoolean());
                case 5 -> new SiLU();
                case 6 -> new ELU(0.5 + rng.nextDouble());
                case 7 -> new Softplus(0.5 + 2 * rng.nextDouble(), 1 + 10 * rng.nextDouble());
                case 8 -> new LayerNorm(new int[] {width}, rng.nextBoolean() ? 1e-5 : 1e-3);
                case 9 -> new RMSNorm(new int[] {width}, rng.nextBoolean() ? Double.NaN : 1e-4, rng.nextBoolean());
                case 10 -> new BatchNorm1d(width);
                case 11 -> new Dropout(0.5, rng);
                case 12 -> new Residual(new Sequential(new Linear(width, width, rng), new Tanh()));
                default -> new Sequential(new Linear(width, width, rng), new ReLU());
            });
        }
        // Every floating-point state entry random (BatchNorm's variance positive), so no layer is an identity by accident.
        Map<String, Tensor> state = new HashMap<>(m.stateDict());
        m.stateDict().forEach((k, v) -> {
            if (!v.dtype().isFloatingPoint()) return;
            state.put(k, k.endsWith("running_var") ? Tensor.rand(rng, v.shape()).add(0.5) : Tensor.randn(rng, v.shape()));
        });
        m.loadStateDict(state);
        return m;
    }

    @Test
    void randomMlpsRoundTripAtRandomBatches() {
        qt().withExamples(40).forAll(integers().between(0, Integer.MAX_VALUE)).checkAssert(seed -> {
            RandomGenerator rng = new SplittableRandom(seed);
            int in = 1 + rng.nextInt(6);
            Sequential m = randomMlp(rng, in);
            long opset = OnnxExport.MIN_OPSET + rng.nextInt((int) (OnnxExport.MAX_OPSET - OnnxExport.MIN_OPSET + 1));
            try {
                roundTrip(m, Tensor.randn(rng, 1 + rng.nextInt(4), in).mul(2), opset, Tensor.randn(rng, 1 + rng.nextInt(6), in).mul(2));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    /** A module of the user's own, which the export does not know. */
    static final class Square extends Module {
        @Override
        public Tensor forward(Tensor x) {
            return x.mul(x);
        }
    }

    @Test
    void moreActivationsAndNormalisationsRoundTrip() throws IOException {
        RandomGenerator rng = new SplittableRandom(13);
        Sequential m = new Sequential(new Linear(6, 8, rng), new ELU(0.7), new Linear(8, 8, rng), new Softplus(2, 3), new Linear(8, 8, rng),
                new Softplus(), new RMSNorm(8), new Linear(8, 8, rng), new RMSNorm(new int[] {8}, 1e-3, false), new Linear(8, 8, rng), new GroupNorm(2, 8));
        Map<String, Tensor> state = new HashMap<>(m.stateDict());
        state.put("6.weight", Tensor.randn(rng, 8));
        state.put("10.weight", Tensor.randn(rng, 8));
        state.put("10.bias", Tensor.randn(rng, 8));
        m.loadStateDict(state);
        for (long opset : new long[] {17, 18}) roundTrip(m, Tensor.randn(rng, 4, 6).mul(3), opset, Tensor.randn(rng, 1, 6).mul(3), Tensor.randn(rng, 7, 6));
        Sequential conv = new Sequential(new Conv2d(2, 6, 3, 1, 1, rng), new GroupNorm(3, 6), new ELU(), new GroupNorm(1, 6, 1e-3, false), new Flatten());
        roundTrip(conv, Tensor.randn(rng, 2, 2, 5, 4), 18, Tensor.randn(rng, 3, 2, 5, 4));
    }

    @Test
    void exportLeavesTheModelAsItWas() throws IOException {
        RandomGenerator rng = new SplittableRandom(10);
        Sequential m = Models.cifarResNet(1, 3, rng);
        m.train();
        m.get(1).eval(); // a frozen batch norm inside a training model stays frozen
        Map<String, Tensor> before = new HashMap<>();
        m.stateDict().forEach((k, v) -> before.put(k, v.clone()));
        OnnxExport.write(m, Tensor.randn(rng, 2, 3, 8, 8), dir.resolve("r.onnx"));
        assertTrue(m.isTraining() && m.get(0).isTraining() && m.get(3).isTraining(), "the training flags are restored");
        assertFalse(m.get(1).isTraining(), "a module in eval mode stays in eval mode");
        m.stateDict().forEach((k, v) -> assertArrayEquals(before.get(k).to(DType.FLOAT64).toDoubleArray(), v.to(DType.FLOAT64).toDoubleArray(), k));
    }
}
