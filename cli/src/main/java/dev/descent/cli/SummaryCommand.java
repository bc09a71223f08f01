package dev.descent.cli;

import dev.descent.bench.ModelFactory;
import dev.descent.bench.report.Count;
import dev.descent.nn.Sequential;
import dev.descent.train.Checkpoints;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code descent summary}: a model's layer table (output shapes, parameter counts, total), of a model name or a trained run. */
@Command(name = "summary", mixinStandardHelpOptions = true, description = {"Print a model's layers with output shapes and parameter counts.",
    "Of a trained run (its folder or model file) or of a model by name (--model, --input, --classes)."})
public final class SummaryCommand implements Callable<Integer> {
    @Parameters(paramLabel = "RUN", arity = "0..1", description = "a run folder of descent train, its model.safetensors, or a model name (default: --model)")
    Path run;
    @Option(names = "--model", description = "mlp, simplecnn (default), resnet32")
    String model = "simplecnn";
    @Option(names = "--input", split = ",", description = "input shape C,H,W (default: 3,32,32)")
    int[] input = {3, 32, 32};
    @Option(names = "--classes", description = "number of classes (default: ${DEFAULT-VALUE})")
    int classes = 10;

    @Override
    public Integer call() throws IOException {
        if (run != null && !Files.exists(run) && run.toString().matches("mlp|simplecnn|resnet[0-9]+")) { // a model name in RUN's place
            model = run.toString();
            run = null;
        }
        if (run != null) {
            ModelFile saved = ModelFile.read(modelFile(run));
            System.out.printf("%s, %d×%d×%d images, %d classes, from %s%n", saved.model(), saved.channels(), saved.height(), saved.width(),
                    saved.classes(), saved.file());
            System.out.print(saved.build().summary(1, saved.channels(), saved.height(), saved.width()));
            return 0;
        }
        if (input.length != 3) throw new IllegalArgumentException("--input must be C,H,W, got " + Count.of(input.length, "number"));
        Sequential m = ModelFactory.create(model, input[0], input[1], input[2], classes, new SplittableRandom(0));
        System.out.print(m.summary(1, input[0], input[1], input[2]));
        return 0;
    }

    /** The model file of a run: its final model, else its latest checkpoint's (a run still training or stopped). */
    static Path modelFile(Path run) throws IOException {
        if (!Files.exists(run)) throw new IllegalArgumentException("no run folder or model file at " + run);
        if (!Files.isDirectory(run)) return run;
        Path last = run.resolve("model.safetensors");
        if (Files.exists(last)) return last;
        Path ckpt = new Checkpoints(run).latest();
        if (ckpt != null) return ckpt.resolve("model.safetensors");
        throw new IllegalArgumentException(run + " holds no model.safetensors and no checkpoint: is it a run folder of descent train?");
    }
}
