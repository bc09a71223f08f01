package dev.descent.onnxreference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.descent.core.DType;
import dev.descent.core.Shape;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.GradMode;
import dev.descent.nn.AdaptiveAvgPool2d;
import dev.descent.nn.Conv1d;
import dev.descent.nn.Conv2d;
import dev.descent.nn.ConvTranspose2d;
import dev.descent.nn.ELU;
import dev.descent.nn.Flatten;
import dev.descent.nn.GELU;
import dev.descent.nn.GRU;
import dev.descent.nn.GRUCell;
import dev.descent.nn.GroupNorm;
import dev.descent.nn.LSTM;
import dev.descent.nn.LSTMCell;
import dev.descent.nn.LayerNorm;
import dev.descent.nn.Linear;
import dev.descent.nn.Models;
import dev.descent.nn.Module;
import dev.descent.nn.MultiheadAttention;
import dev.descent.nn.RMSNorm;
import dev.descent.nn.ReLU;
import dev.descent.nn.Sequential;
import dev.descent.nn.Softplus;
import dev.descent.nn.Tanh;
import dev.descent.nn.TransformerEncoderLayer;
import dev.descent.onnx.OnnxExport;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The export's round trip through ONNX Runtime (1.22, CPU, all graph optimizations, one thread): a model written by
 * {@link OnnxExport} runs in ONNX Runtime with outputs equal to Descent's own forward (eval mode) to 1e-5 in the norm
 * {@code max |ort − descent| / max |descent|}, on seeded random inputs, at the example's batch and at others (and, for
 * sequence models, at other lengths). ONNX Runtime checks the declared input shapes, so this also checks which
 * dimensions the export declares symbolic.
 */
class ExportRoundTripTest {
    /** The bound on {@code max |ort − descent| / max |descent|}. */
    static final double TOLERANCE = 1e-5;

    @TempDir
    Path dir;

    private final OrtEnvironment env = OrtEnvironment.getEnvironment();

    /** Exports {@code m} with {@code example}, then compares ONNX Runtime's output with Descent's on every input. */
    private void agree(String name, Module m, Tensor example, long opset, Tensor... inputs) throws Exception {
        m.eval();
        Path f = dir.resolve(name + "-" + opset + ".onnx");
        OnnxExport.write(m, example, f, opset);
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(1);
            o.setInterOpNumThreads(1);
            o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            try (OrtSession s = env.createSession(f.toString(), o)) {
                for (Tensor x : inputs) {
                    Tensor expected;
                    try (var _ = GradMode.noGrad()) {
                        expected = m.forward(x);
                    }
                    String what = name + " (opset " + opset + ") on " + x.dtype() + " " + Shape.format(x.shape());
                    long[] shape = new long[x.dim()];
                    for (int k = 0; k < shape.length; k++) shape[k] = x.size(k);
                    try (OnnxTensor in = x.dtype() == DType.INT64 ? OnnxTensor.createTensor(env, LongBuffer.wrap(x.contiguous().toLongArray()), shape)
                                    : OnnxTensor.createTensor(env, FloatBuffer.wrap(x.contiguous().toFloatArray()), shape);
                         OrtSession.Result r = s.run(Map.of(OnnxExport.INPUT, in))) {
                        OnnxTensor out = (OnnxTensor) r.get(OnnxExport.OUTPUT).orElseThrow();
                        long[] outShape = out.getInfo().getShape();
                        int[] os = new int[outShape.length];
                        for (int k = 0; k < os.length; k++) os[k] = (int) outShape[k];
                        assertArrayEquals(expected.shape(), os, what + ": shape");
                        FloatBuffer b = out.getFloatBuffer();
                        float[] theirs = new float[b.remaining()];
                        b.get(theirs);
                        float[] ours = expected.contiguous().toFloatArray();
                        double scale = 0, diff = 0;
                        for (int i = 0; i < ours.length; i++) {
                            scale = Math.max(scale, Math.abs(ours[i]));
                            diff = Math.max(diff, Math.abs((double) ours[i] - theirs[i]));
                        }
                        assertTrue(scale > 0, what + ": Descent's output is all zeros (a test that cannot fail)");
                        assertTrue(diff <= TOLERANCE * scale, what + ": max |ort − descent| = " + diff + " over max |descent| = " + scale);
                    }
                }
            }
        }
    }

    /** Every batch norm's running statistics, weight and bias replaced by random values (variance in [0.5, 1.5)). */
    private static void randomizeBatchNorms(Module m, RandomGenerator rng) {
        Map<String, Tensor> state = new HashMap<>(m.stateDict());
        m.stateDict().forEach((k, v) -> {
            if (k.endsWith("running_var")) state.put(k, Tensor.rand(rng, v.shape()).add(0.5));
            else if (k.endsWith("running_mean")) state.put(k, Tensor.randn(rng, v.shape()).mul(0.5));
            else if (k.contains("bn") || k.startsWith("1.")) {
                if (v.dim() == 1 && v.dtype().isFloatingPoint()) state.put(k, Tensor.randn(rng, v.shape()).mul(0.3).add(k.endsWith("weight") ? 1 : 0));
            }
        });
        m.loadStateDict(state);
    }

    private static Tensor tokens(RandomGenerator rng, int vocab, int b, int t) {
        return Tensor.randint(0, vocab, rng, b, t);
    }

    @Test
    void simpleCnnRunsInOnnxRuntime() throws Exception {
        RandomGenerator rng = new SplittableRandom(1);
        Sequential m = Models.simpleCnn(3, 32, 10, rng);
        agree("simplecnn", m, Tensor.randn(rng, 2, 3, 32, 32), OnnxExport.DEFAULT_OPSET, Tensor.randn(rng, 2, 3, 32, 32), Tensor.randn(rng, 1, 3, 32, 32),
                Tensor.randn(rng, 7, 3, 32, 32));
    }

    @Test
    void resnetsRunInOnnxRuntime() throws Exception {
        RandomGenerator rng = new SplittableRandom(2);
        Sequential resnet8 = Models.cifarResNet(1, 10, rng);
        randomizeBatchNorms(resnet8, rng);
        agree("resnet8", resnet8, Tensor.randn(rng, 2, 3, 32, 32), OnnxExport.DEFAULT_OPSET, Tensor.randn(rng, 1, 3, 32, 32), Tensor.randn(rng, 5, 3, 32, 32));
        Sequential resnet32 = Models.resnet32(10, rng);
        randomizeBatchNorms(resnet32, rng);
        agree("resnet32", resnet32, Tensor.randn(rng, 2, 3, 32, 32), 18, Tensor.randn(rng, 3, 3, 32, 32));
    }

    @Test
    void mlpsRunInOnnxRuntime() throws Exception {
        RandomGenerator rng = new SplittableRandom(3);
        // descent train's "mlp".
        Sequential mlp = new Sequential(new Flatten(), new Linear(3 * 32 * 32, 256, rng), new ReLU(), new Linear(256, 10, rng));
        agree("mlp", mlp, Tensor.randn(rng, 4, 3, 32, 32), OnnxExport.DEFAULT_OPSET, Tensor.randn(rng, 1, 3, 32, 32), Tensor.randn(rng, 9, 3, 32, 32));
        Sequential gelu = new Sequential(new Linear(20, 32, rng), new GELU(), new Linear(32, 32, rng), new GELU(true), new LayerNorm(32), new Linear(32, 5, rng));
        for (long opset : new long[] {17, 20, 21}) agree("gelu-mlp", gelu, Tensor.randn(rng, 3, 20), opset, Tensor.randn(rng, 1, 20), Tensor.randn(rng, 6, 20));
    }

    @Test
    void gptRunsInOnnxRuntime() throws Exception {
        RandomGenerator rng = new SplittableRandom(4);
        Module gpt = Models.gpt(40, 16, 2, 4, 32, rng);
        // GPT-2's initialisation (std 0.02) makes attention nearly uniform; larger weights make every position's weights differ.
        Map<String, Tensor> state = new HashMap<>();
        gpt.stateDict().forEach((k, v) -> state.put(k, v.dtype().isFloatingPoint() ? v.add(Tensor.randn(rng, v.shape()).mul(0.3)) : v));
        gpt.loadStateDict(state);
        for (long opset : new long[] {17, 20}) {
            agree("gpt", gpt, tokens(rng, 40, 2, 8), opset, tokens(rng, 40, 2, 8), tokens(rng, 40, 1, 16), tokens(rng, 40, 3, 5), tokens(rng, 40, 4, 1));
        }
    }

    @Test
    void recurrentAndAttentionModelsRunInOnnxRuntime() throws Exception {
        RandomGenerator rng = new SplittableRandom(5);
        agree("charlstm", Models.charLstm(30, 16, 24, 2, rng), tokens(rng, 30, 2, 6), OnnxExport.DEFAULT_OPSET, tokens(rng, 30, 3, 9), tokens(rng, 30, 1, 1));
        Sequential lstm = new Sequential(new Linear(3, 8, rng), new LSTM(8, 6, 2, true, false, 0, true, rng), new Linear(12, 2, rng));
        agree("bilstm", lstm, Tensor.randn(rng, 5, 2, 3), OnnxExport.DEFAULT_OPSET, Tensor.randn(rng, 7, 3, 3));
        Sequential cells = new Sequential(new LSTMCell(3, 5, rng), new GRUCell(5, 4, rng));
        agree("cells", cells, Tensor.randn(rng, 2, 3), OnnxExport.DEFAULT_OPSET, Tensor.randn(rng, 6, 3));
        Sequential gru = new Sequential(new GRU(3, 6, 2, true, true, 0, true, rng), new Tanh());
        agree("bigru", gru, Tensor.randn(rng, 2, 5, 3), OnnxExport.DEFAULT_OPSET, Tensor.randn(rng, 4, 2, 3));
        Sequential mha = new Sequential(new Linear(6, 8, rng), new MultiheadAttention(8, 2, rng), new Linear(8, 3, rng));
        agree("mha", mha, Tensor.randn(rng, 4, 2, 6), OnnxExport.DEFAULT_OPSET, Tensor.randn(rng, 6, 3, 6));
        Sequential encoder = new Sequential(new TransformerEncoderLayer(8, 2, 16, 0.1, "relu", false, true, rng),
                new TransformerEncoderLayer(8, 4, 12, 0, "gelu", true, true, rng));
        agree("encoder", encoder, Tensor.randn(rng, 2, 5, 8), OnnxExport.DEFAULT_OPSET, Tensor.randn(rng, 3, 7, 8));
    }

    @Test
    void moreActivationsAndNormalisationsRunInOnnxRuntime() throws Exception {
        RandomGenerator rng = new SplittableRandom(7);
        Sequential m = new Sequential(new Linear(6, 8, rng), new ELU(0.7), new Linear(8, 8, rng), new Softplus(2, 3), new Linear(8, 8, rng),
                new RMSNorm(8), new Linear(8, 8, rng), new GroupNorm(2, 8));
        for (long opset : new long[] {17, 18}) agree("norms", m, Tensor.randn(rng, 4, 6).mul(3), opset, Tensor.randn(rng, 1, 6).mul(3), Tensor.randn(rng, 7, 6));
        Sequential conv = new Sequential(new Conv2d(2, 6, 3, 1, 1, rng), new GroupNorm(3, 6), new ELU(), new Flatten());
        agree("groupnorm", conv, Tensor.randn(rng, 2, 2, 5, 4), OnnxExport.DEFAULT_OPSET, Tensor.randn(rng, 3, 2, 5, 4));
        Sequential up = new Sequential(new ConvTranspose2d(3, 4, 3, 2, 1, 1, 1, 1, true, rng), new ReLU(), new ConvTranspose2d(4, 2, 2, 1, 0, 0, 2, 2, false, rng));
        agree("convtranspose", up, Tensor.randn(rng, 2, 3, 4, 5), OnnxExport.DEFAULT_OPSET, Tensor.randn(rng, 1, 3, 4, 5));
        Sequential oneD = new Sequential(new Conv1d(3, 4, 3, 2, 1, rng), new ReLU(), new Conv1d(4, 4, 3, 1, 2, 2, 2, false, rng), new Flatten(),
                new Linear(4 * 4, 2, rng));
        agree("conv1d", oneD, Tensor.randn(rng, 2, 3, 8), OnnxExport.DEFAULT_OPSET, Tensor.randn(rng, 5, 3, 8));
    }

    @Test
    void adaptivePoolingRunsInOnnxRuntime() throws Exception {
        RandomGenerator rng = new SplittableRandom(6);
        for (int[] size : new int[][] {{1, 1}, {2, 3}, {3, 4}}) {
            Sequential m = new Sequential(new Conv2d(2, 3, 3, 1, 1, rng), new AdaptiveAvgPool2d(size[0], size[1]), new Flatten(),
                    new Linear(3 * size[0] * size[1], 2, rng));
            for (long opset : new long[] {17, 18}) agree("adaptive", m, Tensor.randn(rng, 2, 2, 6, 9), opset, Tensor.randn(rng, 3, 2, 6, 9));
        }
    }
}
