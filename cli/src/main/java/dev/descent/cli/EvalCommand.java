package dev.descent.cli;

import dev.descent.bench.ImageSource;
import dev.descent.bench.ModelFactory;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.GradMode;
import dev.descent.core.io.Json;
import dev.descent.core.io.Safetensors;
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
        Map<String, String> meta = Safetensors.load(file).metadata();
        String arch = meta.get("descent.model");
        if (arch == null) throw new IllegalArgumentException(file + " has no descent.model metadata: it was not written by descent train");
        String spec = data;
        Path config = file.toAbsolutePath().getParent().resolve("config.json");
        if (spec == null && Files.exists(config)) spec = ((Map<?, ?>) Json.parse(Files.readString(config))).get("data").toString();
        if (spec == null) throw new IllegalArgumentException("which data? pass --data (no config.json beside " + file + ")");
        ImageSource td = ImageSource.load(spec, 0);
        ImageDataset test = td.test();
        String[] in = meta.get("descent.input").split(",");
        int c = Integer.parseInt(in[0]), h = Integer.parseInt(in[1]), w = Integer.parseInt(in[2]), k = Integer.parseInt(meta.get("descent.classes"));
        if (test.channels() != c || test.height() != h || test.width() != w || test.numClasses() != k) {
            throw new IllegalArgumentException("the model expects " + c + "×" + h + "×" + w + " images and " + k + " classes; " + td.description() + " has "
                    + test.channels() + "×" + test.height() + "×" + test.width() + " and " + test.numClasses());
        }
        Sequential net = ModelFactory.create(arch, c, h, w, k, new SplittableRandom(0));
        net.load(file);
        Dataset set = test.transform(new Normalize(parse(meta.get("descent.normalize.mean")), parse(meta.get("descent.normalize.std"))));
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

    private static double[] parse(String s) {
        String[] p = s.split(",");
        double[] v = new double[p.length];
        for (int i = 0; i < p.length; i++) v[i] = Double.parseDouble(p[i]);
        return v;
    }
}
