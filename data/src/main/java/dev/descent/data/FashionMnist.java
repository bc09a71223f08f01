package dev.descent.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017): 70,000 28×28 grey images of clothing in 10
 * classes, in MNIST's IDX files and layout. On Debian-like systems {@code apt-get install
 * dataset-fashion-mnist} puts them under {@link #SYSTEM_DIR}.
 */
public final class FashionMnist {
    private FashionMnist() {}

    /** Where the Debian package {@code dataset-fashion-mnist} installs the files. */
    public static final Path SYSTEM_DIR = Path.of("/usr/share/datasets/fashion-mnist");

    /** The class names, indexed by label, as the dataset's authors give them. */
    public static final List<String> CLASS_NAMES = List.of(
            "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    /**
     * The 60,000 training images from the folder {@code dir}.
     *
     * @param dir the folder holding the IDX files, e.g. {@link #SYSTEM_DIR}
     * @return images of [1, 28, 28] in the 10 classes of {@link #CLASS_NAMES}
     * @throws DataFileException naming the file, the byte offset and what was expected, when a file is
     *         malformed
     * @throws java.nio.file.NoSuchFileException naming every name tried, when a file is missing
     * @throws IOException when reading fails
     */
    public static ImageDataset train(Path dir) throws IOException {
        return Mnist.load(Mnist.find(dir, "train-images", "idx3"), Mnist.find(dir, "train-labels", "idx1"), CLASS_NAMES);
    }

    /**
     * The 10,000 test images from the folder {@code dir}.
     *
     * @param dir the folder holding the IDX files, e.g. {@link #SYSTEM_DIR}
     * @return images of [1, 28, 28] in the 10 classes of {@link #CLASS_NAMES}
     * @throws DataFileException naming the file, the byte offset and what was expected, when a file is
     *         malformed
     * @throws java.nio.file.NoSuchFileException naming every name tried, when a file is missing
     * @throws IOException when reading fails
     */
    public static ImageDataset test(Path dir) throws IOException {
        return Mnist.load(Mnist.find(dir, "t10k-images", "idx3"), Mnist.find(dir, "t10k-labels", "idx1"), CLASS_NAMES);
    }
}
