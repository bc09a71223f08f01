package dev.descent.bench.train;

import dev.descent.data.Cifar10;
import dev.descent.data.Cifar100;
import dev.descent.data.FashionMnist;
import dev.descent.data.ImageDataset;
import dev.descent.data.Mnist;
import dev.descent.data.SyntheticImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The training and test images a {@code --data} value names, loaded from the files a user already
 * has. A missing source says which files were looked for and how to get them.
 *
 * @param train       training images
 * @param test        test images
 * @param description what was loaded, for the run record and reports
 * @param generated   true for generated (not real) data
 */
public record TrainingData(ImageDataset train, ImageDataset test, String description, boolean generated) {

    /** What {@code --data} accepts. */
    public static final String FORMS = "fashion-mnist[:DIR], mnist:DIR, cifar10:DIR|ARCHIVE, cifar100:DIR|ARCHIVE[:coarse], synthetic, auto";

    /** Raised when the data a run asks for is not there; the message says where it looked and what to do. */
    public static final class MissingDataException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        MissingDataException(String message) {
            super(message);
        }
    }

    /** True when the Debian package's Fashion-MNIST files are installed. */
    public static boolean fashionMnistInstalled() {
        return Files.isRegularFile(FashionMnist.SYSTEM_DIR.resolve("train-images-idx3-ubyte.gz"));
    }

    /** Loads the data {@code spec} names. */
    public static TrainingData load(String spec, long seed) throws IOException {
        String kind = spec.contains(":") ? spec.substring(0, spec.indexOf(':')) : spec;
        String arg = spec.contains(":") ? spec.substring(spec.indexOf(':') + 1) : null;
        return switch (kind) {
            case "auto" -> fashionMnistInstalled() ? load("fashion-mnist", seed) : load("synthetic", seed);
            case "fashion-mnist" -> {
                Path dir = arg == null ? FashionMnist.SYSTEM_DIR : Path.of(arg);
                requireIdx(dir, "Fashion-MNIST", "apt-get install dataset-fashion-mnist (puts it under " + FashionMnist.SYSTEM_DIR
                        + "), or download the four .gz files from https://github.com/zalandoresearch/fashion-mnist into one folder");
                yield new TrainingData(FashionMnist.train(dir), FashionMnist.test(dir), "Fashion-MNIST (" + dir + ")", false);
            }
            case "mnist" -> {
                if (arg == null) throw new MissingDataException("mnist needs a folder: --data mnist:DIR");
                Path dir = Path.of(arg);
                requireIdx(dir, "MNIST", "put train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte"
                        + " (optionally .gz) into that folder");
                yield new TrainingData(Mnist.train(dir), Mnist.test(dir), "MNIST (" + dir + ")", false);
            }
            case "cifar10" -> {
                if (arg == null) throw new MissingDataException("cifar10 needs a folder or archive: --data cifar10:DIR|ARCHIVE");
                Path p = Path.of(arg);
                require(p, "CIFAR-10", "the folder " + Cifar10.FOLDER + " (data_batch_1.bin … data_batch_5.bin, test_batch.bin) or the archive "
                        + Cifar10.ARCHIVE + " from https://www.cs.toronto.edu/~kriz/cifar.html (binary version)");
                yield new TrainingData(Cifar10.train(p), Cifar10.test(p), "CIFAR-10 (" + p + ")", false);
            }
            case "cifar100" -> {
                if (arg == null) throw new MissingDataException("cifar100 needs a folder or archive: --data cifar100:DIR|ARCHIVE[:coarse]");
                boolean coarse = arg.endsWith(":coarse");
                Path p = Path.of(coarse ? arg.substring(0, arg.length() - 7) : arg.endsWith(":fine") ? arg.substring(0, arg.length() - 5) : arg);
                require(p, "CIFAR-100", "the folder " + Cifar100.FOLDER + " (train.bin, test.bin) or the archive " + Cifar100.ARCHIVE
                        + " from https://www.cs.toronto.edu/~kriz/cifar.html (binary version)");
                Cifar100.Labels labels = coarse ? Cifar100.Labels.COARSE : Cifar100.Labels.FINE;
                yield new TrainingData(Cifar100.train(p, labels), Cifar100.test(p, labels), "CIFAR-100 " + labels.name().toLowerCase() + " (" + p + ")", false);
            }
            case "synthetic" -> new TrainingData(SyntheticImages.generate(6000, seed), SyntheticImages.generate(1000, seed + 1),
                    "synthetic 1×28×28 images, 10 classes (generated)", true);
            default -> throw new IllegalArgumentException("unknown data '" + spec + "' (known: " + FORMS + ")");
        };
    }

    private static void require(Path p, String what, String how) {
        if (!Files.exists(p)) throw new MissingDataException(what + " not found at " + p + ". Needed: " + how + ".");
    }

    private static void requireIdx(Path dir, String what, String how) {
        List<String> files = List.of("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");
        for (String f : files) {
            if (!Files.exists(dir.resolve(f)) && !Files.exists(dir.resolve(f + ".gz"))) {
                throw new MissingDataException(what + " not found: looked for " + files + " (or .gz) in " + dir + ". To get it: " + how + ".");
            }
        }
    }
}
