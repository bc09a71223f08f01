// The images a network experiment trains on: CIFAR-10 when given, otherwise a named substitute.
package dev.descent.bench.reproduce;

import dev.descent.bench.train.TrainingData;
import dev.descent.data.Dataset;
import dev.descent.data.GaussianNoise;
import dev.descent.data.HorizontalFlip;
import dev.descent.data.ImageDataset;
import dev.descent.data.Normalize;
import dev.descent.data.RandomCrop;
import dev.descent.data.Transform;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Training and test images for the SR-Adam and clipping experiments, with the transforms of the
 * papers' setups. The papers ran on CIFAR-10; {@code auto} uses CIFAR-10 only when a path is given,
 * otherwise Fashion-MNIST when installed, otherwise generated images, and {@link #substitute()} says
 * so, for the report to state it plainly.
 *
 * @param train       the (subset of the) training images
 * @param test        the (first) test images
 * @param description what was loaded
 * @param cifar10     true when the images are CIFAR-10, the papers' dataset
 * @param generated   true for generated images (whose horizontal flip would change the class)
 */
public record ImageData(ImageDataset train, ImageDataset test, String description, boolean cifar10, boolean generated) {

    /**
     * Loads the images {@code spec} names and takes a class-stratified training subset.
     *
     * @param spec        {@code auto}, {@code cifar10:DIR|ARCHIVE}, {@code fashion-mnist[:DIR]}, {@code synthetic}, or any form
     *                    {@code descent train --data} accepts
     * @param trainSubset training images to keep (0: all)
     * @param testSubset  test images to keep, the first ones (0: all)
     * @param subsetSeed  seed of the stratified subset
     * @return the data
     * @throws IOException when the files cannot be read
     */
    public static ImageData load(String spec, int trainSubset, int testSubset, long subsetSeed) throws IOException {
        TrainingData d = TrainingData.load(spec, subsetSeed);
        ImageDataset train = d.train(), test = d.test();
        if (trainSubset > 0 && trainSubset < train.size()) train = train.stratifiedSubset(trainSubset, new SplittableRandom(subsetSeed));
        if (testSubset > 0 && testSubset < test.size()) test = test.first(testSubset);
        return new ImageData(train, test, d.description(), spec.startsWith("cifar10:"), d.generated());
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
     * The training transforms: random crop (padding 4 at 32 pixels and more, else 2, as {@code descent train}), horizontal flip
     * (not for generated images, whose class is the bar's angle), per-channel normalisation fitted on the training subset, then
     * Gaussian noise on the normalised images when {@code noiseStd > 0}.
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
        t.add(Normalize.fit(train));
        if (noiseStd > 0) t.add(new GaussianNoise(noiseStd));
        return train.transform(t.toArray(new Transform[0]));
    }

    /**
     * The test set, normalised with the training subset's statistics (no augmentation, no noise).
     *
     * @return the transformed test set
     */
    public Dataset testSet() {
        return test.transform(Normalize.fit(train));
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
}
