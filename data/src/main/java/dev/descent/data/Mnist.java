package dev.descent.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * MNIST handwritten digits from the four IDX files as distributed ({@code train-images-idx3-ubyte},
 * {@code train-labels-idx1-ubyte}, {@code t10k-images-idx3-ubyte}, {@code t10k-labels-idx1-ubyte},
 * each plain or {@code .gz}): 28×28 grey images, labels 0–9. Fashion-MNIST uses the same files and
 * layout ({@link FashionMnist}); {@link #load} reads any such pair of IDX files.
 */
public final class Mnist {
    private Mnist() {}

    /**
     * The 60,000 training images from the folder {@code dir}.
     *
     * @param dir the folder holding {@code train-images-idx3-ubyte} and {@code train-labels-idx1-ubyte} (or
     *        {@code train-images.idx3-ubyte}, each plain or {@code .gz})
     * @return images of [1, 28, 28] in classes "0" … "9"
     * @throws DataFileException naming the file, the byte offset and what was expected, when a file is
     *         malformed
     * @throws java.nio.file.NoSuchFileException naming every name tried, when a file is missing
     * @throws IOException when reading fails
     */
    public static ImageDataset train(Path dir) throws IOException {
        return load(find(dir, "train-images", "idx3"), find(dir, "train-labels", "idx1"), ImageDataset.numberedClasses(10));
    }

    /**
     * The 10,000 test images from the folder {@code dir}.
     *
     * @param dir the folder holding {@code t10k-images-idx3-ubyte} and {@code t10k-labels-idx1-ubyte} (each
     *        plain or {@code .gz})
     * @return images of [1, 28, 28] in classes "0" … "9"
     * @throws DataFileException naming the file, the byte offset and what was expected, when a file is
     *         malformed
     * @throws java.nio.file.NoSuchFileException naming every name tried, when a file is missing
     * @throws IOException when reading fails
     */
    public static ImageDataset test(Path dir) throws IOException {
        return load(find(dir, "t10k-images", "idx3"), find(dir, "t10k-labels", "idx1"), ImageDataset.numberedClasses(10));
    }

    /**
     * Images from an IDX file of rank 3 ([N, rows, columns]) and labels from an IDX file of rank 1 ([N]),
     * each label below {@code classNames.size()}; the two counts must agree.
     *
     * @param images the images file, plain or gzip
     * @param labels the labels file, plain or gzip
     * @param classNames the class names, indexed by label
     * @return single-channel images
     * @throws DataFileException naming the file and offset when a file is malformed, has the wrong rank, images have
     *         no rows or no columns, the counts differ, or a label is not below {@code classNames.size()}
     * @throws IOException when a file is missing or reading fails
     */
    public static ImageDataset load(Path images, Path labels, List<String> classNames) throws IOException {
        IdxFile img = IdxFile.read(images, (in, d) -> {
            if (d.length != 3) throw in.error(3, "rank 3 ([images, rows, columns])", "rank " + d.length);
            if (d[1] == 0) throw in.error(8, "images of at least one row", "0 rows");
            if (d[2] == 0) throw in.error(12, "images of at least one column", "0 columns");
        });
        int n = img.dims()[0];
        IdxFile lab = IdxFile.read(labels, (in, d) -> {
            if (d.length != 1) throw in.error(3, "rank 1 ([labels])", "rank " + d.length);
            if (d[0] != n) throw in.error(4, n + " labels, as " + images.getFileName() + " has " + n + " images", d[0] + " labels");
        });
        byte[] l = lab.dataArray();
        for (int i = 0; i < l.length; i++) {
            if ((l[i] & 0xff) >= classNames.size()) throw lab.error(8 + i, "a label below " + classNames.size(), String.valueOf(l[i] & 0xff));
        }
        int[] d = img.dims();
        return new ImageDataset(img.dataArray(), l, 1, d[1], d[2], classNames);
    }

    /**
     * Writes {@code train} and {@code test} (single-channel images) into {@code dir} as the four
     * MNIST IDX files, gzip-compressed ({@code .gz} names) if {@code gzip}. Used to make test fixtures.
     *
     * @param dir the folder (created when missing)
     * @param train the training images
     * @param test the test images
     * @param gzip whether to compress
     * @throws IllegalArgumentException when a dataset has more than one channel
     * @throws IOException when writing fails
     */
    public static void write(Path dir, ImageDataset train, ImageDataset test, boolean gzip) throws IOException {
        String ext = gzip ? ".gz" : "";
        writePair(dir.resolve("train-images-idx3-ubyte" + ext), dir.resolve("train-labels-idx1-ubyte" + ext), train);
        writePair(dir.resolve("t10k-images-idx3-ubyte" + ext), dir.resolve("t10k-labels-idx1-ubyte" + ext), test);
    }

    /**
     * Writes one dataset as an images file (rank 3) and a labels file (rank 1), each gzip-compressed when its
     * name ends in {@code .gz}.
     *
     * @param images the images file to create or replace
     * @param labels the labels file to create or replace
     * @param data single-channel images
     * @throws IllegalArgumentException when the dataset has more than one channel
     * @throws IOException when writing fails
     */
    public static void writePair(Path images, Path labels, ImageDataset data) throws IOException {
        if (data.channels() != 1) throw new IllegalArgumentException("IDX images have one channel, not " + data.channels());
        Files.createDirectories(images.toAbsolutePath().getParent());
        IdxFile.write(images, new int[] {data.size(), data.height(), data.width()}, data.pixelBytes());
        IdxFile.write(labels, new int[] {data.size()}, data.labelBytes());
    }

    /** The first of {@code stem-kind-ubyte}, {@code stem.kind-ubyte} (each plain or .gz) that exists in {@code dir}. */
    static Path find(Path dir, String stem, String kind) throws IOException {
        List<String> tried = new ArrayList<>();
        for (String name : Arrays.asList(stem + "-" + kind + "-ubyte", stem + "." + kind + "-ubyte")) {
            for (String ext : Arrays.asList("", ".gz")) {
                Path p = dir.resolve(name + ext);
                if (Files.isRegularFile(p)) return p;
                tried.add(name + ext);
            }
        }
        throw new NoSuchFileException(dir.toString(), null, "no " + String.join(" or ", tried) + " in this folder");
    }
}
