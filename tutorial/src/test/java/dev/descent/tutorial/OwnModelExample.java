package dev.descent.tutorial;

// tag::imports[]
import dev.descent.core.Tensor;
import dev.descent.core.autograd.GradMode;
import dev.descent.data.DataLoader;
import dev.descent.data.ImageDataset;
import dev.descent.data.SyntheticImages;
import dev.descent.nn.*;
import dev.descent.nn.Module;   // needed: java.lang.Module is imported too, and "Module" alone would be ambiguous
import dev.descent.optim.AdamW;
import dev.descent.optim.ParamGroup;
import dev.descent.train.Evaluation;
import dev.descent.train.Loss;
import dev.descent.train.Trainer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
// end::imports[]

/** docs/own-model.md's example, compiled and run by {@code OwnModelPageTest}, which holds the page's copy to it. */
final class OwnModelExample {
    private OwnModelExample() {}

    // tag::model[]
    /** Two convolutions and a classifier; the layers are fields, registered under the field names. */
    static final class SmallCnn extends Module {
        final Conv2d conv1, conv2;
        final MaxPool2d pool = new MaxPool2d(2);
        final Dropout dropout = new Dropout(0.1);
        final Linear fc;

        SmallCnn(int classes, RandomGenerator rng) {
            conv1 = new Conv2d(1, 8, 3, 1, 1, rng);       // in, out, kernel, stride, padding
            conv2 = new Conv2d(8, 16, 3, 1, 1, rng);
            fc = new Linear(16 * 7 * 7, classes, rng);
        }

        @Override
        public Tensor forward(Tensor x) {                   // x: [N, 1, 28, 28]
            x = pool.forward(conv1.forward(x).relu());       // [N, 8, 14, 14]
            x = pool.forward(conv2.forward(x).relu());       // [N, 16, 7, 7]
            return fc.forward(dropout.forward(x.flatten(1, -1)));   // logits [N, classes]
        }
    }
    // end::model[]

    /** What the example computed, for the test. */
    record Result(SmallCnn model, List<String> parameterNames, Evaluation evaluation, long[] predicted, long[] truth, Tensor restoredLogits,
                  Tensor trainedLogits) {}

    static Result run(Path dir) throws IOException {
        // tag::train[]
        var rng = new SplittableRandom(42);
        ImageDataset train = SyntheticImages.generate(3000, 1), test = SyntheticImages.generate(1000, 2);
        var model = new SmallCnn(train.numClasses(), rng);
        System.out.println(model.namedParameters().keySet());   // [conv1.weight, conv1.bias, conv2.weight, …]
        var optimizer = new AdamW(List.of(ParamGroup.of(model.parameters()).with("beta2", 0.99)), 1e-3);
        var trainer = Trainer.builder(model, optimizer, new DataLoader(train, 64, rng))
                .epochs(3)
                .loss(Loss.crossEntropy())
                .build();
        trainer.fit();
        // end::train[]

        // tag::evaluate[]
        Evaluation evaluation = Evaluation.run(model, test, Loss.crossEntropy());   // in eval mode, without a graph
        System.out.printf("test loss %.3f, accuracy %.1f%%%n", evaluation.loss(), 100 * evaluation.accuracy());
        // end::evaluate[]

        // tag::save[]
        Path file = dir.resolve("small-cnn.safetensors");
        model.save(file);
        var restored = new SmallCnn(test.numClasses(), new SplittableRandom(7));   // other weights: load replaces them
        restored.load(file);
        // end::save[]

        // tag::predict[]
        restored.eval();                                     // dropout off
        var examples = test.first(8).all();
        try (var _ = GradMode.noGrad()) {                   // PyTorch's with torch.no_grad():
            Tensor predicted = restored.forward(examples.x()).argmax(1);   // class indices, int64 [8]
            System.out.println("predicted " + Arrays.toString(predicted.toLongArray()));
            System.out.println("true      " + Arrays.toString(examples.y().toLongArray()));
        }
        // end::predict[]

        model.eval();
        try (var _ = GradMode.noGrad()) {
            Tensor restoredLogits = restored.forward(examples.x());
            return new Result(model, List.copyOf(model.namedParameters().keySet()), evaluation, restoredLogits.argmax(1).toLongArray(),
                    examples.y().toLongArray(), restoredLogits, model.forward(examples.x()));
        }
    }
}
