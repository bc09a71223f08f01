package dev.descent.cli;

import dev.descent.bench.ImageSource;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.GradMode;
import dev.descent.core.io.Json;
import dev.descent.data.Batch;
import dev.descent.data.Dataset;
import dev.descent.data.ImageDataset;
import dev.descent.data.Normalize;
import dev.descent.nn.Sequential;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code descent eval MODEL}: accuracy, loss and confusion matrix of a saved model on a test set. */
@Command(name = "eval", mixinStandardHelpOptions = true, description = "Evaluate a saved model (a model.safetensors, or a run folder) on a test set.")
public final class EvalCommand implements Callable<Integer> {
    @Parameters(paramLabel = "MODEL", description = "model.safetensors written by descent train, or its run folder")
    Path model;
    @Option(names = "--data", description = "data to evaluate on (default: the run's, from config.json beside the model)")
    String data;

    @Override
    public Integer call() throws Exception {
        Path file = Files.isDirectory(model) ? model.resolve("model.safetensors") : model;
        if (!Files.exists(file)) throw new IllegalArgumentException("no model at " + file);
        ModelFile saved = ModelFile.read(file);
        String spec = data;
        Path config = file.toAbsolutePath().getParent().resolve("config.json");
        if (spec == null && Files.exists(config)) spec = dataOf(config);
        if (spec == null) throw new IllegalArgumentException("which data? pass --data (no config.json beside " + file + ")");
        ImageSource td = ImageSource.load(spec, 0);
        ImageDataset test = td.test();
        String arch = saved.model();
        int c = saved.channels(), h = saved.height(), w = saved.width(), k = saved.classes();
        if (test.channels() != c || test.height() != h || test.width() != w || test.numClasses() != k) {
            throw new IllegalArgumentException("the model expects " + c + "×" + h + "×" + w + " images and " + k + " classes; " + td.description() + " has "
                    + test.channels() + "×" + test.height() + "×" + test.width() + " and " + test.numClasses());
        }
        Sequential net = saved.build();
        Dataset set = test.transform(new Normalize(saved.mean(), saved.std()));
        net.eval();
        long[][] confusion = new long[k][k];
        double loss = 0;
        try (var _ = GradMode.noGrad()) {
            for (int from = 0; from < test.size(); from += 500) {
                int[] idx = new int[Math.min(500, test.size() - from)];
                for (int i = 0; i < idx.length; i++) idx[i] = from + i;
                Batch b = set.batch(idx, new SplittableRandom(0));
                Tensor logits = net.forward(b.x());
                loss += dev.descent.core.ops.Losses.crossEntropy(logits, b.y(), dev.descent.core.ops.Losses.Reduction.SUM, 0).item();
                long[] p = logits.argmax(1, false).toLongArray(), y = b.y().toLongArray();
                for (int i = 0; i < p.length; i++) confusion[(int) y[i]][(int) p[i]]++;
            }
        }
        long correct = 0;
        for (int i = 0; i < k; i++) correct += confusion[i][i];
        System.out.printf(Locale.ROOT, "%s on %s: accuracy %.2f%% (%d/%d), mean loss %.4f%n", arch, td.description(), 100.0 * correct / test.size(), correct,
                test.size(), loss / test.size());
        System.out.println("confusion matrix (rows: true class, columns: predicted):");
        int width = 6;
        StringBuilder head = new StringBuilder(String.format("%-14s", ""));
        for (int j = 0; j < k; j++) head.append(String.format("%" + width + "d", j));
        System.out.println(head);
        for (int i = 0; i < k; i++) {
            String name = i < test.classNames().size() ? test.classNames().get(i) : Integer.toString(i);
            StringBuilder row = new StringBuilder(String.format("%-14s", i + " " + (name.length() > 11 ? name.substring(0, 11) : name)));
            for (int j = 0; j < k; j++) row.append(String.format("%" + width + "d", confusion[i][j]));
            System.out.println(row);
        }
        return 0;
    }

    /** The data a run trained on, from its config.json. */
    private static String dataOf(Path config) throws java.io.IOException {
        Object json;
        try {
            json = Json.parse(Files.readString(config));
        } catch (Json.ParseException | java.nio.charset.MalformedInputException e) {
            throw new IllegalArgumentException(config + " is not valid JSON (" + e.getMessage() + "); pass --data to say which data to evaluate on");
        }
        if (json instanceof Map<?, ?> m && m.get("data") instanceof String d) return d;
        throw new IllegalArgumentException(config + " names no data (no string 'data'); pass --data to say which data to evaluate on");
    }
}
