package dev.descent.bench;

import dev.descent.data.Cifar10;
import dev.descent.data.Cifar100;
import dev.descent.data.Dataset;
import dev.descent.data.FashionMnist;
import dev.descent.data.GaussianNoise;
import dev.descent.data.HorizontalFlip;
import dev.descent.data.ImageDataset;
import dev.descent.data.Mnist;
import dev.descent.data.Normalize;
import dev.descent.data.RandomCrop;
import dev.descent.data.SyntheticImages;
import dev.descent.data.Transform;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The training and test images a {@code --data} value names, loaded from the files a user already
 * has, and the transforms a run puts in front of them. {@code descent train} and the reproductions
 * both load their images here. A missing source says which files were looked for and how to get them.
 *
 * @param train       training images
 * @param test        test images
 * @param description what was loaded, for the run record and reports
 * @param cifar10     true when the images are CIFAR-10, the papers' dataset
 * @param generated   true for generated (not real) data, whose horizontal flip would change the class
 */
public record ImageSource(ImageDataset train, ImageDataset test, String description, boolean cifar10, boolean generated) {

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

    /**
     * The spec {@link #load(String, long)} will load: for {@code auto}, {@code fashion-mnist} when it is installed,
     * else {@code synthetic}; any other spec as given. A run records this, so it names the data it used.
     *
     * @param spec one of {@link #FORMS}
     * @return the spec without {@code auto}
     */
    public static String resolve(String spec) {
        return spec.equals("auto") ? fashionMnistInstalled() ? "fashion-mnist" : "synthetic" : spec;
    }

    /**
     * Loads the data {@code spec} names.
     *
     * @param spec one of {@link #FORMS}
     * @param seed the seed of generated images
     * @return the training and test images
     * @throws IOException when a file cannot be read (or is not what it claims)
     */
    public static ImageSource load(String spec, long seed) throws IOException {
        String kind = spec.contains(":") ? spec.substring(0, spec.indexOf(':')) : spec;
        String arg = spec.contains(":") ? spec.substring(spec.indexOf(':') + 1) : null;
        return switch (kind) {
            case "auto" -> load(resolve(spec), seed);
            case "fashion-mnist" -> {
                Path dir = arg == null ? FashionMnist.SYSTEM_DIR : Path.of(arg);
                requireIdx(dir, "Fashion-MNIST", "apt-get install dataset-fashion-mnist (puts it under " + FashionMnist.SYSTEM_DIR
                        + "), or download the four .gz files from https://github.com/zalandoresearch/fashion-mnist into one folder");
                yield new ImageSource(FashionMnist.train(dir), FashionMnist.test(dir), "Fashion-MNIST (" + dir + ")", false, false);
            }
            case "mnist" -> {
                if (arg == null) throw new MissingDataException("mnist needs a folder: --data mnist:DIR");
                Path dir = Path.of(arg);
                requireIdx(dir, "MNIST", "put train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte"
                        + " (optionally .gz) into that folder");
                yield new ImageSource(Mnist.train(dir), Mnist.test(dir), "MNIST (" + dir + ")", false, false);
            }
            case "cifar10" -> {
                if (arg == null) throw new MissingDataException("cifar10 needs a folder or archive: --data cifar10:DIR|ARCHIVE");
                Path p = Path.of(arg);
                require(p, "CIFAR-10", "the folder " + Cifar10.FOLDER + " (data_batch_1.bin … data_batch_5.bin, test_batch.bin) or the archive "
                        + Cifar10.ARCHIVE + " from https://www.cs.toronto.edu/~kriz/cifar.html (binary version)");
                yield new ImageSource(Cifar10.train(p), Cifar10.test(p), "CIFAR-10 (" + p + ")", true, false);
            }
            case "cifar100" -> {
                if (arg == null) throw new MissingDataException("cifar100 needs a folder or archive: --data cifar100:DIR|ARCHIVE[:coarse]");
                boolean coarse = arg.endsWith(":coarse");
                Path p = Path.of(coarse ? arg.substring(0, arg.length() - 7) : arg.endsWith(":fine") ? arg.substring(0, arg.length() - 5) : arg);
                require(p, "CIFAR-100", "the folder " + Cifar100.FOLDER + " (train.bin, test.bin) or the archive " + Cifar100.ARCHIVE
                        + " from https://www.cs.toronto.edu/~kriz/cifar.html (binary version)");
                Cifar100.Labels labels = coarse ? Cifar100.Labels.COARSE : Cifar100.Labels.FINE;
                yield new ImageSource(Cifar100.train(p, labels), Cifar100.test(p, labels), "CIFAR-100 " + labels.name().toLowerCase() + " (" + p + ")", false, false);
            }
            case "synthetic" -> new ImageSource(SyntheticImages.generate(6000, seed), SyntheticImages.generate(1000, seed + 1),
                    "synthetic 1×28×28 images, 10 classes (generated)", false, true);
            default -> throw new IllegalArgumentException("unknown data '" + spec + "' (known: " + FORMS + ")");
        };
    }

    /**
     * Loads the images {@code spec} names and keeps subsets of them.
     *
     * @param spec        as {@link #load(String, long)}
     * @param trainSubset training images to keep, a class-stratified subset (0: all)
     * @param testSubset  test images to keep, the first ones (0: all)
     * @param subsetSeed  seed of generated images and of the stratified subset
     * @return the data
     * @throws IOException when the files cannot be read
     */
    public static ImageSource load(String spec, int trainSubset, int testSubset, long subsetSeed) throws IOException {
        return load(spec, subsetSeed).subsets(trainSubset, testSubset, new SplittableRandom(subsetSeed));
    }

    /**
     * Keeps a class-stratified subset of the training images and the first test images.
     *
     * @param trainSubset training images to keep (0, or at least the size: all)
     * @param testSubset  test images to keep (0, or at least the size: all)
     * @param rng         draws the training subset
     * @return the smaller data
     */
    public ImageSource subsets(int trainSubset, int testSubset, SplittableRandom rng) {
        ImageDataset tr = trainSubset > 0 && trainSubset < train.size() ? train.stratifiedSubset(trainSubset, rng) : train;
        ImageDataset te = testSubset > 0 && testSubset < test.size() ? test.first(testSubset) : test;
        return new ImageSource(tr, te, description, cifar10, generated);
    }

    /**
     * Replaces a fraction of the training labels by uniformly drawn other classes.
     *
     * @param rate the fraction, in [0, 1]
     * @param rng  draws which labels and their new classes
     * @return the data with noisy training labels (unchanged when {@code rate} is 0)
     */
    public ImageSource withLabelNoise(double rate, SplittableRandom rng) {
        return rate > 0 ? new ImageSource(train.withSymmetricLabelNoise(rate, rng), test, description, cifar10, generated) : this;
    }

    /**
     * Whether this is not the papers' dataset.
     *
     * @return true unless the images are CIFAR-10
     */
    public boolean substitute() {
        return !cifar10;
    }

    /**
     * The sentence a report prints about the dataset.
     *
     * @return a plain statement, naming the substitute when there is one
     */
    public String statement() {
        if (cifar10) return "Dataset: " + description + ", the paper's dataset.";
        return "**Substitute dataset.** This run used " + description + ", not CIFAR-10 (the paper's dataset, which was not given;"
                + " pass `--data cifar10:PATH` to use it). The network is adapted to " + train.channels() + "×" + train.height() + "×" + train.width()
                + " inputs. The paper's numbers are CIFAR-10 numbers: only the direction of each comparison carries over, not the values.";
    }

    /**
     * The training transforms: random crop (padding 4 at 32 pixels and more, else 2), horizontal flip (not for generated
     * images, whose class is the bar's angle), per-channel normalisation fitted on the training images, then Gaussian noise
     * on the normalised images when {@code noiseStd > 0}.
     *
     * @param augment  whether to crop and flip
     * @param noiseStd the input noise's standard deviation
     * @return the transformed training set
     */
    public Dataset trainingSet(boolean augment, double noiseStd) {
        List<Transform> t = new ArrayList<>();
        if (augment) {
            t.add(new RandomCrop(train.height(), cropPadding()));
            if (!generated) t.add(new HorizontalFlip());
        }
        t.add(normalization());
        if (noiseStd > 0) t.add(new GaussianNoise(noiseStd));
        return train.transform(t.toArray(new Transform[0]));
    }

    /**
     * The test set, normalised with the training images' statistics (no augmentation, no noise).
     *
     * @return the transformed test set
     */
    public Dataset testSet() {
        return test.transform(normalization());
    }

    /**
     * The per-channel normalisation fitted on the training images.
     *
     * @return the transform
     */
    public Normalize normalization() {
        return Normalize.fit(train);
    }

    /**
     * The random crop's padding.
     *
     * @return 4 for images of 32 pixels and more, 2 for smaller ones
     */
    public int cropPadding() {
        return train.height() >= 32 ? 4 : 2;
    }

    /**
     * The augmentation in words, for the setup list.
     *
     * @param augment whether crop and flip are on
     * @param noiseStd the input noise
     * @return e.g. {@code random crop (padding 2), horizontal flip, per-channel normalisation, Gaussian noise std 0.05}
     */
    public String transformsDescription(boolean augment, double noiseStd) {
        List<String> parts = new ArrayList<>();
        if (augment) {
            parts.add("random crop " + train.height() + " (padding " + cropPadding() + ")");
            parts.add(generated ? "no horizontal flip (it would change a generated image's class)" : "horizontal flip");
        }
        parts.add("per-channel normalisation (fitted on the training subset)");
        if (noiseStd > 0) parts.add("additive Gaussian noise std " + noiseStd + " on the normalised training images (test images clean)");
        return String.join(", ", parts);
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
