package dev.descent.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Parameter;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.GradMode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every layer added for sequences and attention survives Module.save/load: same state, same outputs. */
class NewLayersFileTest {
    @TempDir
    Path dir;

    record Example(String name, Function<RandomGenerator, Module> make, Function<RandomGenerator, Tensor> input) {}

    static Tensor tokens(RandomGenerator rng, int vocab, int b, int t) {
        long[] v = new long[b * t];
        for (int i = 0; i < v.length; i++) v[i] = rng.nextInt(vocab);
        return Tensor.of(v, b, t);
    }

    static final List<Example> EXAMPLES = List.of(
            new Example("Embedding", r -> new Embedding(7, 4, 0, r), r -> tokens(r, 7, 2, 3)),
            new Example("RMSNorm", r -> new RMSNorm(5), r -> Tensor.randn(r, 2, 5)),
            new Example("GroupNorm", r -> new GroupNorm(2, 4), r -> Tensor.randn(r, 2, 4, 3)),
            new Example("Conv1d", r -> new Conv1d(3, 4, 3, 1, 1, r), r -> Tensor.randn(r, 2, 3, 6)),
            new Example("ConvTranspose2d", r -> new ConvTranspose2d(3, 2, 3, 2, 1, r), r -> Tensor.randn(r, 1, 3, 4, 4)),
            new Example("LSTMCell", r -> new LSTMCell(3, 4, r), r -> Tensor.randn(r, 2, 3)),
            new Example("GRUCell", r -> new GRUCell(3, 4, r), r -> Tensor.randn(r, 2, 3)),
            new Example("LSTM", r -> new LSTM(3, 4, 2, true, true, r), r -> Tensor.randn(r, 2, 5, 3)),
            new Example("GRU", r -> new GRU(3, 4, 2, r), r -> Tensor.randn(r, 5, 2, 3)),
            new Example("LSTM with dropout", r -> new LSTM(3, 4, 3, true, false, 0.3, true, r), r -> Tensor.randn(r, 5, 2, 3)),
            new Example("MultiheadAttention", r -> new MultiheadAttention(8, 2, r), r -> Tensor.randn(r, 3, 2, 8)),
            new Example("TransformerEncoderLayer", r -> new TransformerEncoderLayer(8, 2, 16, 0.1, "gelu", false, true, r), r -> Tensor.randn(r, 2, 3, 8)),
            new Example("TransformerBlock", r -> new TransformerBlock(8, 2, 0.1, r), r -> Tensor.randn(r, 2, 3, 8)),
            new Example("GPT", r -> Models.gpt(9, 8, 2, 2, 8, r), r -> tokens(r, 9, 2, 5)),
            new Example("CharLSTM", r -> Models.charLstm(9, 4, 6, 2, r), r -> tokens(r, 9, 2, 5)));

    @Test
    void everyNewLayerRoundTrips() throws IOException {
        for (Example ex : EXAMPLES) {
            Module a = ex.make().apply(new SplittableRandom(1));
            // Move every parameter off its initial values (also the embedding's padding row, which load must restore too).
            try (var _ = GradMode.noGrad()) {
                SplittableRandom r = new SplittableRandom(2);
                for (Parameter p : a.parameters()) p.addInPlace(Tensor.randn(r, p.shape()).to(p.dtype()), 0.1);
            }
            a.forward(ex.input().apply(new SplittableRandom(3))); // dropout counters move in training
            Path f = dir.resolve(ex.name() + ".safetensors");
            a.save(f);
            Module b = ex.make().apply(new SplittableRandom(99));
            assertFalse(sameState(a.stateDict(), b.stateDict()), ex.name() + ": differently seeded copies should differ before loading");
            b.load(f);
            assertTrue(sameState(a.stateDict(), b.stateDict()), ex.name() + ": state after load");
            Tensor x = ex.input().apply(new SplittableRandom(4));
            a.eval();
            b.eval();
            assertTrue(a.forward(x).contentEquals(b.forward(x)), ex.name() + ": eval outputs differ after load");
            a.train();
            b.train();
            assertTrue(a.forward(x).contentEquals(b.forward(x)), ex.name() + ": training outputs differ after load");
        }
    }

    static boolean sameState(Map<String, Tensor> a, Map<String, Tensor> b) {
        if (!a.keySet().equals(b.keySet())) return false;
        for (String k : a.keySet()) if (!a.get(k).contentEquals(b.get(k))) return false;
        return true;
    }

    @Test
    void parameterlessLayersHaveNoState() {
        for (Module m : List.of(new SiLU(), new LeakyReLU(), new ELU(), new Softplus(), new AdaptiveAvgPool2d(2))) {
            assertEquals(0, m.stateDict().size(), m.toString());
        }
        assertEquals(DType.FLOAT32, new LSTM(2, 3, 1, new SplittableRandom(1)).parameters().getFirst().dtype());
    }
}
