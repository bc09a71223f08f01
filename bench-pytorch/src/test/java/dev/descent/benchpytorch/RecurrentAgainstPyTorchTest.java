package dev.descent.benchpytorch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.descent.core.DType;
import dev.descent.core.Tensor;
import dev.descent.nn.GRU;
import dev.descent.nn.LSTM;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Descent's LSTM and GRU against PyTorch's own {@code torch.lstm}/{@code torch.gru} kernels (libtorch through DJL's
 * PyTorch engine): the same PyTorch-layout weights (Descent's state dict, in its order, is PyTorch's flat weight list;
 * they reach the layer under test through a safetensors file),
 * the same input and initial states, outputs and final states equal to 1e-5. Runs only with {@code -Ppytorch}
 * (this module is built only then).
 */
class RecurrentAgainstPyTorchTest {
    private static final int IN = 5, HIDDEN = 7, LAYERS = 2, T = 6, B = 3;

    private static NDArray nd(NDManager m, Tensor t) {
        return m.create(t.toFloatArray(), new Shape(Arrays.stream(t.shape()).asLongStream().toArray()));
    }

    private static NDList weights(NDManager m, Map<String, Tensor> state) {
        NDList params = new NDList();
        state.values().forEach(t -> params.add(nd(m, t)));
        return params;
    }

    @TempDir
    static Path dir;

    private static void loadThroughFile(dev.descent.nn.Module from, dev.descent.nn.Module into) {
        try {
            Path f = dir.resolve("weights-" + System.nanoTime() + ".safetensors");
            from.save(f);
            into.load(f);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void close(Tensor ours, NDArray theirs, String what) {
        assertArrayEquals(ours.shape(), Arrays.stream(theirs.getShape().getShape()).mapToInt(Math::toIntExact).toArray(), what + ": shape");
        float[] a = ours.toFloatArray(), b = theirs.toFloatArray();
        double worst = 0;
        for (int i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / (1 + Math.abs(b[i])));
        assertTrue(worst <= 1e-5, what + ": worst relative difference " + worst);
    }

    @Test
    void lstmEqualsTorchLstm() {
        for (boolean bidirectional : new boolean[] {false, true}) {
            for (boolean batchFirst : new boolean[] {false, true}) {
                SplittableRandom rng = new SplittableRandom(bidirectional ? 3 : 4);
                int d = bidirectional ? 2 : 1;
                LSTM source = new LSTM(IN, HIDDEN, LAYERS, true, batchFirst, 0, bidirectional, rng);
                // The weights reach the layer under test through a safetensors file, as PyTorch-trained weights would.
                LSTM lstm = new LSTM(IN, HIDDEN, LAYERS, true, batchFirst, 0, bidirectional, new SplittableRandom(99));
                loadThroughFile(source, lstm);
                lstm.eval();
                Tensor x = Tensor.randn(DType.FLOAT32, rng, batchFirst ? new int[] {B, T, IN} : new int[] {T, B, IN});
                Tensor h0 = Tensor.randn(DType.FLOAT32, rng, d * LAYERS, B, HIDDEN), c0 = Tensor.randn(DType.FLOAT32, rng, d * LAYERS, B, HIDDEN);
                LSTM.Output ours = lstm.forward(x, new LSTM.State(h0, c0));
                try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                    NDArray xa = nd(m, x);
                    NDList out = xa.getNDArrayInternal().lstm(xa, new NDList(nd(m, h0), nd(m, c0)), weights(m, lstm.stateDict()), true, LAYERS, 0, false,
                            bidirectional, batchFirst);
                    String what = "LSTM bidirectional=" + bidirectional + " batchFirst=" + batchFirst;
                    close(ours.output(), out.get(0), what + " output");
                    close(ours.state().h(), out.get(1), what + " h");
                    close(ours.state().c(), out.get(2), what + " c");
                }
            }
        }
    }

    @Test
    void gruEqualsTorchGru() {
        for (boolean bidirectional : new boolean[] {false, true}) {
            for (boolean batchFirst : new boolean[] {false, true}) {
                SplittableRandom rng = new SplittableRandom(bidirectional ? 5 : 6);
                int d = bidirectional ? 2 : 1;
                GRU source = new GRU(IN, HIDDEN, LAYERS, true, batchFirst, 0, bidirectional, rng);
                GRU gru = new GRU(IN, HIDDEN, LAYERS, true, batchFirst, 0, bidirectional, new SplittableRandom(99));
                loadThroughFile(source, gru);
                gru.eval();
                Tensor x = Tensor.randn(DType.FLOAT32, rng, batchFirst ? new int[] {B, T, IN} : new int[] {T, B, IN});
                Tensor h0 = Tensor.randn(DType.FLOAT32, rng, d * LAYERS, B, HIDDEN);
                GRU.Output ours = gru.forward(x, h0);
                try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                    NDArray xa = nd(m, x);
                    NDList out = xa.getNDArrayInternal().gru(xa, nd(m, h0), weights(m, gru.stateDict()), true, LAYERS, 0, false, bidirectional, batchFirst);
                    String what = "GRU bidirectional=" + bidirectional + " batchFirst=" + batchFirst;
                    close(ours.output(), out.get(0), what + " output");
                    close(ours.h(), out.get(1), what + " h");
                }
            }
        }
    }
}
