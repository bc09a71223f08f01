package dev.descent.cli;

import dev.descent.bench.ModelFactory;
import dev.descent.nn.Sequential;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code descent summary}: a model's layer table (output shapes, parameter counts, total). */
@Command(name = "summary", mixinStandardHelpOptions = true, description = "Print a model's layers with output shapes and parameter counts.")
public final class SummaryCommand implements Callable<Integer> {
    @Option(names = "--model", description = "mlp, simplecnn (default), resnet32")
    String model = "simplecnn";
    @Option(names = "--input", split = ",", description = "input shape C,H,W (default: 3,32,32)")
    int[] input = {3, 32, 32};
    @Option(names = "--classes", description = "number of classes (default: ${DEFAULT-VALUE})")
    int classes = 10;

    @Override
    public Integer call() {
        if (input.length != 3) throw new IllegalArgumentException("--input must be C,H,W, got " + input.length + " numbers");
        Sequential m = ModelFactory.create(model, input[0], input[1], input[2], classes, new SplittableRandom(0));
        System.out.print(m.summary(1, input[0], input[1], input[2]));
        return 0;
    }
}
