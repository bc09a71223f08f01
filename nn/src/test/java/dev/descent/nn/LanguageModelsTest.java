package dev.descent.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.Parameter;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.GradMode;
import dev.descent.core.ops.Losses;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Models.gpt and Models.charLstm: shapes, the tied output weight, and learning a short repeated sequence. */
class LanguageModelsTest {
    static final int VOCAB = 11;

    /** Adam (Kingma &amp; Ba 2015) written out here: nn's tests do not depend on optim. */
    static final class Adam {
        final List<Parameter> params;
        final Map<Parameter, Tensor> m = new IdentityHashMap<>(), v = new IdentityHashMap<>();
        final double lr;
        int t;

        Adam(List<Parameter> params, double lr) {
            this.params = params;
            this.lr = lr;
        }

        void step() {
            t++;
            try (var _ = GradMode.noGrad()) {
                for (Parameter p : params) {
                    if (p.grad() == null) continue;
                    Tensor g = p.grad();
                    Tensor mt = m.computeIfAbsent(p, k -> Tensor.zerosLike(k)).mulInPlace(0.9).addInPlace(g, 0.1);
                    Tensor vt = v.computeIfAbsent(p, k -> Tensor.zerosLike(k)).mulInPlace(0.999).addInPlace(g.square(), 0.001);
                    Tensor step = mt.div(1 - Math.pow(0.9, t)).div(vt.div(1 - Math.pow(0.999, t)).sqrt().add(1e-8));
                    p.addInPlace(step, -lr);
                }
            }
        }
    }

    /** A repeating pattern of tokens: windows of length t, the targets shifted by one. */
    static Tensor[] batch(int b, int t) {
        int[] pattern = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3, 2, 3, 8, 4, 6, 2, 6, 4, 3, 3, 8, 3, 2, 7, 9, 5, 0, 2, 8, 8, 4, 1, 9, 7};
        long[] x = new long[b * t], y = new long[b * t];
        for (int i = 0; i < b; i++) for (int j = 0; j < t; j++) {
            x[i * t + j] = pattern[(3 * i + j) % pattern.length] % VOCAB;
            y[i * t + j] = pattern[(3 * i + j + 1) % pattern.length] % VOCAB;
        }
        return new Tensor[] {Tensor.of(x, b, t), Tensor.of(y, b * t)};
    }

    static double train(Module model, int steps, double lr) {
        Adam adam = new Adam(model.parameters(), lr);
        Tensor[] xy = batch(8, 12);
        double loss = Double.NaN;
        for (int s = 0; s < steps; s++) {
            Tensor logits = model.forward(xy[0]);
            Tensor l = Losses.crossEntropy(logits.reshape(-1, VOCAB), xy[1]);
            model.zeroGrad();
            l.backward();
            adam.step();
            loss = l.item();
        }
        return loss;
    }

    @Test
    void gptShapesAndTiedWeights() {
        GPT gpt = Models.gpt(VOCAB, 16, 2, 2, 16, new SplittableRandom(1));
        Tensor logits = gpt.forward(batch(3, 7)[0]);
        assertArrayEquals(new int[] {3, 7, VOCAB}, logits.shape());
        assertSame(gpt.tokenEmbedding().weight(), gpt.outputWeight());
        // One parameter, listed once: no separate output matrix.
        List<Parameter> ps = gpt.parameters();
        assertEquals(ps.size(), new IdentityHashMap<Parameter, Boolean>() {{ ps.forEach(p -> put(p, true)); }}.size());
        int w = 16, blocks = 2;
        long perBlock = 2 * 2 * w + (3 * w * w + 3 * w) + (w * w + w) + (4 * w * w + 4 * w) + (4 * w * w + w);
        assertEquals((long) VOCAB * w + 16L * w + blocks * perBlock + 2L * w, gpt.parameterCount());
        assertTrue(gpt.stateDict().containsKey("h.1.attn.in_proj_weight") && gpt.stateDict().containsKey("ln_f.weight"));
        // The output projection's gradient reaches the embedding: a token never fed in still gets one.
        Tensor tokens = Tensor.of(new long[] {1, 2, 3}, 1, 3);
        Losses.crossEntropy(gpt.forward(tokens).reshape(-1, VOCAB), Tensor.of(new long[] {2, 3, 4})).backward();
        assertTrue(gpt.outputWeight().grad().select(0, 9).abs().sum().item() > 0, "row of an unseen token got no gradient from the output projection");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> gpt.forward(batch(1, 17)[0]));
        assertTrue(e.getMessage().contains("17") && e.getMessage().contains("16"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> gpt.forward(Tensor.zeros(1, 3)));
    }

    @Test
    void charLstmShapesAndCarriedState() {
        CharLSTM m = Models.charLstm(VOCAB, 8, 12, 2, new SplittableRandom(2));
        Tensor x = batch(3, 5)[0];
        assertArrayEquals(new int[] {3, 5, VOCAB}, m.forward(x).shape());
        // Running the sequence in two halves with the state carried equals running it at once.
        LSTM.Output first = m.forward(x.narrow(1, 0, 2), null);
        LSTM.Output second = m.forward(x.narrow(1, 2, 3), first.state());
        assertTrue(m.forward(x).narrow(1, 2, 3).allClose(second.output(), 1e-6, 1e-6));
        assertArrayEquals(new int[] {2, 3, 12}, second.state().h().shape());
        assertEquals(List.of("embed.weight", "lstm.weight_ih_l0", "lstm.weight_hh_l0", "lstm.bias_ih_l0", "lstm.bias_hh_l0", "lstm.weight_ih_l1",
                "lstm.weight_hh_l1", "lstm.bias_ih_l1", "lstm.bias_hh_l1", "head.weight", "head.bias"), List.copyOf(m.stateDict().keySet()));
    }

    @Test
    void bothLearnARepeatedSequence() {
        double chance = Math.log(VOCAB);
        double gpt = train(Models.gpt(VOCAB, 16, 2, 2, 32, new SplittableRandom(3)), 60, 3e-3);
        assertTrue(gpt < 0.25 * chance, "GPT loss " + gpt + " after 60 Adam steps, log(vocab) = " + chance);
        double lstm = train(Models.charLstm(VOCAB, 16, 32, 1, new SplittableRandom(4)), 60, 1e-2);
        assertTrue(lstm < 0.25 * chance, "char LSTM loss " + lstm + " after 60 Adam steps, log(vocab) = " + chance);
    }
}
