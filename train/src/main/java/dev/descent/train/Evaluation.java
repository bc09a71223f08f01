package dev.descent.train;

import dev.descent.core.autograd.GradMode;
import dev.descent.core.Tensor;
import dev.descent.core.Workspace;
import dev.descent.core.ops.Losses;
import dev.descent.data.Batch;
import dev.descent.data.Dataset;
import dev.descent.nn.Module;
import java.util.SplittableRandom;

/**
 * A model's loss and accuracy on a dataset, computed in eval mode without a graph.
 *
 * @param loss     the mean loss per example
 * @param accuracy the fraction of examples whose largest output is the label (NaN when the output is not
 *                 {@code [N, classes]} with int64 labels)
 * @param examples how many examples were evaluated
 */
public record Evaluation(double loss, double accuracy, int examples) {
    /** Examples per evaluation batch. The loss is a sum over examples, so this changes nothing but memory. */
    public static final int BATCH = 500;

    /**
     * Evaluates {@code model} on every example of {@code data}, in order, in batches of {@link #BATCH}. The
     * model's train/eval mode is restored afterwards.
     *
     * @param model the network
     * @param data  the examples
     * @param loss  the objective (summed over examples, then divided by their count)
     * @return the mean loss and the accuracy
     */
    public static Evaluation run(Module model, Dataset data, Loss loss) {
        boolean was = model.isTraining();
        model.eval();
        int size = data.size();
        double sum = 0;
        long correct = 0;
        boolean classes = true;
        Workspace workspace = new Workspace(); // each batch reuses the arrays of the one before
        try (var _ = GradMode.noGrad()) {
            for (int from = 0; from < size; from += BATCH) {
                int[] idx = new int[Math.min(BATCH, size - from)];
                for (int i = 0; i < idx.length; i++) idx[i] = from + i;
                try (var _ = workspace.open()) {
                    Batch b = data.batch(idx, new SplittableRandom(0));
                    Tensor out = model.call(b.x());
                    sum += loss.apply(out, b.y(), Losses.Reduction.SUM).item();
                    classes &= isClassification(out, b.y());
                    if (classes) correct += countCorrect(out, b.y());
                }
            }
        } finally {
            model.train(was);
        }
        return new Evaluation(sum / Math.max(size, 1), classes ? (double) correct / Math.max(size, 1) : Double.NaN, size);
    }

    /**
     * How many rows of {@code logits} have their largest value at the label.
     *
     * @param logits {@code [N, classes]}
     * @param labels {@code [N]} class indices
     * @return the count of correct predictions
     */
    public static long countCorrect(Tensor logits, Tensor labels) {
        long[] pred = logits.detach().argmax(1, false).toLongArray(), y = labels.toLongArray();
        long c = 0;
        for (int i = 0; i < y.length; i++) if (pred[i] == y[i]) c++;
        return c;
    }

    /** True when accuracy means something: {@code [N, C]} outputs and {@code [N]} int64 labels. */
    static boolean isClassification(Tensor output, Tensor target) {
        return output.dim() == 2 && target.dim() == 1 && target.dtype() == dev.descent.core.DType.INT64;
    }
}
