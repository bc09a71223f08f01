package dev.descent.tutorial;

import dev.descent.data.DataLoader;
import dev.descent.data.FashionMnist;
import dev.descent.data.ImageDataset;
import dev.descent.data.SyntheticImages;
import dev.descent.nn.Conv2d;
import dev.descent.nn.Flatten;
import dev.descent.nn.Linear;
import dev.descent.nn.MaxPool2d;
import dev.descent.nn.ReLU;
import dev.descent.nn.Sequential;
import dev.descent.optim.ParamGroup;
import dev.descent.optim.SGD;
import dev.descent.train.Callback;
import dev.descent.train.EpochMetrics;
import dev.descent.train.Loss;
import dev.descent.train.TrainResult;
import dev.descent.train.Trainer;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.SplittableRandom;

/** Chapter 7 of the tutorial: a small CNN from the library's layers, trained by the Trainer on generated images (or Fashion-MNIST). */
public final class Ch07Cnn {
    private Ch07Cnn() {}

    /**
     * What the chapter computes, for the tests that hold the text to it.
     *
     * @param parameterCount the model's number of trained scalars
     * @param parameterNames the dotted names of its parameters
     * @param losses the mean training loss of each epoch
     * @param testAccuracy the fraction of test images classified correctly after training
     */
    public record Result(long parameterCount, List<String> parameterNames, List<Double> losses, double testAccuracy) {}

    /**
     * Runs the chapter on generated images; {@code fashion} trains on Fashion-MNIST instead when its
     * files are installed ({@code apt-get install dataset-fashion-mnist}).
     *
     * @param args nothing, or {@code fashion}
     * @throws IOException when the Fashion-MNIST files exist but cannot be read
     */
    public static void main(String[] args) throws IOException {
        if (args.length == 1 && args[0].equals("fashion")) {
            // tag::fashion[]
            if (Files.isDirectory(FashionMnist.SYSTEM_DIR)) {
                var rng = new SplittableRandom(3);
                ImageDataset train = FashionMnist.train(FashionMnist.SYSTEM_DIR).stratifiedSubset(6000, rng);
                ImageDataset test = FashionMnist.test(FashionMnist.SYSTEM_DIR).stratifiedSubset(2000, rng);
                train(train, test, 3);
            } else {
                System.out.println("no Fashion-MNIST under " + FashionMnist.SYSTEM_DIR + " (apt-get install dataset-fashion-mnist);"
                        + " using generated images");
                run();
            }
            // end::fashion[]
        } else if (args.length == 0) {
            run();
        } else {
            throw new IllegalArgumentException("chapter 7 takes no arguments, or 'fashion'");
        }
    }

    /**
     * Runs the chapter on generated images.
     *
     * @return the values the text claims
     * @throws IOException declared by {@code Trainer.fit} for checkpoints, which this trainer does not write
     */
    public static Result run() throws IOException {
        Tutorial.section("data");
        // tag::data[]
        ImageDataset train = SyntheticImages.generate(3000, 1);       // 1×28×28 grey images of bars, 10 angles
        ImageDataset test = SyntheticImages.generate(1000, 2);        // another seed: images never seen in training
        System.out.println(train + "; classes " + train.classNames());
        // end::data[]
        return train(train, test, 3);
    }

    /**
     * Builds the CNN and trains it with SGD and momentum.
     *
     * @param train the training images
     * @param test the test images
     * @param epochs passes over the training images
     * @return what the training achieved
     * @throws IOException declared by {@code Trainer.fit} for checkpoints, which this trainer does not write
     */
    static Result train(ImageDataset train, ImageDataset test, int epochs) throws IOException {
        Tutorial.section("model");
        // tag::model[]
        var rng = new SplittableRandom(1);
        var model = new Sequential(
                new Conv2d(1, 8, 3, 1, 1, rng), new ReLU(), new MaxPool2d(2),    // 8 filters of 3×3, padding 1: [N, 8, 14, 14]
                new Conv2d(8, 16, 3, 1, 1, rng), new ReLU(), new MaxPool2d(2),   // [N, 16, 7, 7]
                new Flatten(), new Linear(16 * 7 * 7, 10, rng));                  // one score per class
        System.out.print(model.summary(1, 1, 28, 28));
        System.out.println("parameters: " + model.namedParameters().keySet());
        // end::model[]

        Tutorial.section("train");
        // tag::train[]
        var opt = new SGD(List.of(ParamGroup.of(model.parameters()).with("momentum", 0.9)), 0.05);
        var loader = new DataLoader(train, 64, 11);                         // shuffled mini-batches of 64, seeded
        Callback epochLine = new Callback() {                               // runs beside the loop: here, after each epoch
            @Override
            public void onEpochEnd(Trainer trainer, EpochMetrics m) {
                System.out.printf("epoch %d  train loss %.4f  test accuracy %5.1f%%%n", m.epoch(), m.trainLoss(), 100 * m.testAccuracy());
            }
        };
        TrainResult result = Trainer.builder(model, opt, loader)
                .epochs(epochs)
                .loss(Loss.crossEntropy())                                  // the default, written out
                .evaluateOn(test)                                           // loss and accuracy on the test images after each epoch
                .callbacks(epochLine)
                .build()
                .fit();
        // end::train[]
        List<Double> losses = result.history().stream().map(EpochMetrics::trainLoss).toList();
        return new Result(model.parameterCount(), List.copyOf(model.namedParameters().keySet()), losses, result.history().getLast().testAccuracy());
    }
}
