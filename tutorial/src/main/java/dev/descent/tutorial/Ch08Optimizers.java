package dev.descent.tutorial;

import dev.descent.data.DataLoader;
import dev.descent.data.TwoSpirals;
import dev.descent.nn.Linear;
import dev.descent.nn.Sequential;
import dev.descent.nn.Tanh;
import dev.descent.optim.Adam;
import dev.descent.optim.ClipByGlobalNorm;
import dev.descent.optim.ClippedSGD;
import dev.descent.optim.Optimizer;
import dev.descent.optim.ParamGroup;
import dev.descent.optim.SGD;
import dev.descent.optim.SteinRuleAdam;
import dev.descent.train.EpochMetrics;
import dev.descent.train.TrainResult;
import dev.descent.train.Trainer;
import java.io.IOException;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

/** Chapter 8 of the tutorial: SGD, momentum, Adam, gradient clipping and Stein-rule Adam on one problem, side by side, one Trainer each. */
public final class Ch08Optimizers {
    private Ch08Optimizers() {}

    /** Epochs each optimizer trains for. */
    static final int EPOCHS = 20;

    /**
     * One optimizer's run.
     *
     * @param name the optimizer and its settings
     * @param losses the mean training loss of each epoch
     * @param testAccuracy the fraction of test points classified correctly at the end
     * @param note what else the run reports (SR-Adam's last shrinkage factor), or ""
     */
    public record Run(String name, List<Double> losses, double testAccuracy, String note) {}

    /**
     * What the chapter computes, for the tests that hold the text to it.
     *
     * @param runs every optimizer's run, in the order of the table
     */
    public record Result(List<Run> runs) {
        /**
         * The run of the named optimizer.
         *
         * @param name the name as in the table
         * @return its run
         */
        public Run run(String name) {
            return runs.stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow(() -> new IllegalArgumentException(name));
        }
    }

    /**
     * Runs the chapter.
     *
     * @param args ignored
     * @throws IOException declared by {@code Trainer.fit} for checkpoints, which these trainers do not write
     */
    public static void main(String[] args) throws IOException {
        run();
    }

    /**
     * Runs the chapter.
     *
     * @return the values the text claims
     * @throws IOException declared by {@code Trainer.fit} for checkpoints, which these trainers do not write
     */
    public static Result run() throws IOException {
        Tutorial.section("compare");
        // tag::compare[]
        List<Run> runs = List.of(
                fit("SGD lr 0.5", m -> new SGD(List.of(ParamGroup.of(m.parameters())), 0.5)),
                fit("SGD lr 0.1, momentum 0.9", m -> new SGD(List.of(ParamGroup.of(m.parameters()).with("momentum", 0.9)), 0.1)),
                fit("Adam lr 0.01", m -> new Adam(List.of(ParamGroup.of(m.parameters())), 0.01)),
                fit("SGD lr 5", m -> new SGD(List.of(ParamGroup.of(m.parameters())), 5)),
                fit("SGD lr 5, clip norm 0.1", m -> new SGD(List.of(ParamGroup.of(m.parameters())), 5)
                        .addGradientTransform(new ClipByGlobalNorm(0.1))),                   // rescale g when ||g|| > 0.1
                fit("ClippedSGD lr 5, γ 0.1", m -> new ClippedSGD(List.of(ParamGroup.of(m.parameters())), 5, 0.1)),
                fit("SR-Adam lr 0.01", m -> new SteinRuleAdam(List.of(
                        ParamGroup.of(m.parameters(name -> name.endsWith("weight"))).with("shrink", true),   // shrunk
                        ParamGroup.of(m.parameters(name -> name.endsWith("bias"))).with("shrink", false)),  // plain Adam
                        0.01)));
        System.out.printf("%-26s %9s %9s %9s %9s%n", "optimizer", "epoch 1", "epoch 5", "epoch 20", "test acc");
        for (Run r : runs) {
            System.out.printf("%-26s %9.4f %9.4f %9.4f %8.1f%% %s%n", r.name(), r.losses().getFirst(), r.losses().get(4),
                    r.losses().getLast(), 100 * r.testAccuracy(), r.note());
        }
        // end::compare[]
        return new Result(runs);
    }

    /**
     * Trains the same network from the same start on the same batches with the optimizer {@code make}
     * builds, through one {@link Trainer}.
     *
     * @param name the optimizer and its settings, for the table
     * @param make builds the optimizer over the model's parameters
     * @return the run
     * @throws IOException declared by {@code Trainer.fit} for checkpoints, which this trainer does not write
     */
    // tag::fit[]
    static Run fit(String name, Function<Sequential, Optimizer> make) throws IOException {
        var rng = new SplittableRandom(42);
        TwoSpirals.Data train = TwoSpirals.generate(1000, 1.0, 0.02, rng), test = TwoSpirals.generate(500, 1.0, 0.02, rng);
        var model = new Sequential(new Linear(2, 32, rng), new Tanh(), new Linear(32, 32, rng), new Tanh(), new Linear(32, 2, rng));
        Optimizer opt = make.apply(model);
        var loader = new DataLoader(train.dataset(), 50, 7);          // the same seed: every optimizer sees the same batches
        TrainResult result = Trainer.builder(model, opt, loader).epochs(EPOCHS).evaluateOn(test.dataset()).build().fit();
        List<Double> losses = result.history().stream().map(EpochMetrics::trainLoss).toList();
        String note = opt instanceof SteinRuleAdam sr ? String.format("(last c: %.2f)", sr.lastShrinkage(0)) : "";
        return new Run(name, losses, result.history().getLast().testAccuracy(), note);
    }
    // end::fit[]
}
