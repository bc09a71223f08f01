package dev.descent.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CIFAR-10 (Krizhevsky, 2009) in its binary version: 60,000 32×32 colour images in 10 classes.
 * Each of {@code data_batch_1.bin} … {@code data_batch_5.bin} (training) and {@code test_batch.bin}
 * holds records of 1 label byte then 3,072 pixel bytes (red, green, blue planes, rows top to bottom);
 * {@code batches.meta.txt} names the classes. Point the loader at the extracted folder, the folder
 * that contains it, or the downloaded {@code cifar-10-binary.tar.gz} itself (read without extracting).
 *
 * <pre>{@code
 * ImageDataset train = Cifar10.train(Path.of("cifar-10-batches-bin"));
 * ImageDataset test = Cifar10.test(Path.of("cifar-10-binary.tar.gz"));
 * }</pre>
 */
public final class Cifar10 {
    private Cifar10() {}

    /** The folder the official archive unpacks to. */
    public static final String FOLDER = "cifar-10-batches-bin";
    /** The official archive's file name. */
    public static final String ARCHIVE = "cifar-10-binary.tar.gz";
    /** The training files, in order. */
    public static final List<String> TRAIN_FILES = List.of("data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin");
    /** The test file. */
    public static final String TEST_FILE = "test_batch.bin";
    /** The class-name file (optional: without it the classes are named "0" … "9"). */
    public static final String META_FILE = "batches.meta.txt";

    private static final CifarFormat.Labels LABELS = new CifarFormat.Labels(List.of("label"), new int[] {10});
    private static final CifarFormat.Layout LAYOUT = new CifarFormat.Layout(FOLDER, ARCHIVE);

    /**
     * The training images (all five batches, in order) from a folder or the archive at {@code path}.
     *
     * @param path the extracted {@value #FOLDER} folder, a folder containing it, or the {@value #ARCHIVE}
     *        archive
     * @return 50,000 images of [3, 32, 32] in 10 classes (fewer for a smaller file written by {@link #write})
     * @throws DataFileException naming the file, the byte offset and what was expected, when a file is
     *         malformed (wrong length, label out of range, broken gzip or tar)
     * @throws java.nio.file.NoSuchFileException when a required file is missing
     * @throws IOException when reading fails
     */
    public static ImageDataset train(Path path) throws IOException {
        return load(path, TRAIN_FILES);
    }

    /**
     * The test images from a folder or the archive at {@code path}.
     *
     * @param path the extracted {@value #FOLDER} folder, a folder containing it, or the {@value #ARCHIVE}
     *        archive
     * @return 10,000 images of [3, 32, 32] in 10 classes
     * @throws DataFileException naming the file, the byte offset and what was expected, when a file is
     *         malformed
     * @throws java.nio.file.NoSuchFileException when a required file is missing
     * @throws IOException when reading fails
     */
    public static ImageDataset test(Path path) throws IOException {
        return load(path, List.of(TEST_FILE));
    }

    private static ImageDataset load(Path path, List<String> files) throws IOException {
        Map<String, CifarFormat.Parser<?>> required = new LinkedHashMap<>();
        for (String f : files) required.put(f, in -> CifarFormat.readRecords(in, LABELS, CifarFormat.BATCH_RECORDS));
        Map<String, CifarFormat.Parser<?>> optional = Map.of(META_FILE, in -> CifarFormat.readNames(in, 10));
        Map<String, Object> read = CifarFormat.read(path, LAYOUT, required, optional);
        List<CifarFormat.Records> records = new ArrayList<>();
        for (String f : files) records.add((CifarFormat.Records) read.get(f));
        @SuppressWarnings("unchecked")
        List<String> names = (List<String>) read.getOrDefault(META_FILE, ImageDataset.numberedClasses(10));
        return CifarFormat.toDataset(records, 0, names);
    }

    /**
     * Writes {@code train} (at least 5 images, split as evenly as possible into the five batches) and
     * {@code test} in the official layout: into the folder {@code target}, or, if {@code target} ends
     * in {@code .tar.gz} (or {@code .tar}), as an archive whose members sit in {@code cifar-10-batches-bin/}.
     * Both must be [3, 32, 32] images in 10 classes under the same names. Used to make test fixtures.
     *
     * @param target a folder, or an archive path ending in {@code .tar.gz} or {@code .tar}
     * @param train the training images
     * @param test the test images
     * @throws IllegalArgumentException when the datasets do not have CIFAR-10's shape, classes or names, either is empty,
     *         train has fewer than 5 or more than 50,000 images, or test more than 10,000
     * @throws IOException when writing fails
     */
    public static void write(Path target, ImageDataset train, ImageDataset test) throws IOException {
        CifarFormat.checkWritable("train", train, 10);
        CifarFormat.checkWritable("test", test, 10);
        if (train.size() < 5) throw new IllegalArgumentException("CIFAR-10 has five training batches: need at least 5 training images, got " + train.size());
        if (train.size() > 5 * CifarFormat.BATCH_RECORDS || test.size() > CifarFormat.BATCH_RECORDS) {
            throw new IllegalArgumentException("a CIFAR-10 file holds at most " + CifarFormat.BATCH_RECORDS + " images (50,000 for training, 10,000 for test), got "
                    + train.size() + " and " + test.size());
        }
        if (!train.classNames().equals(test.classNames())) throw new IllegalArgumentException("train and test class names differ: " + train.classNames() + " vs " + test.classNames());
        int n = train.size();
        List<CifarFormat.Member> batches = new ArrayList<>();
        for (int k = 0; k < 5; k++) {
            batches.add(CifarFormat.records(TRAIN_FILES.get(k), new byte[][] {train.labelBytes()}, train, (int) ((long) k * n / 5), (int) ((long) (k + 1) * n / 5)));
        }
        // The members in the order the official archive lists them (readers must not depend on it).
        List<CifarFormat.Member> members = List.of(batches.get(0), CifarFormat.names(META_FILE, train.classNames()), batches.get(2), batches.get(3),
                CifarFormat.records(TEST_FILE, new byte[][] {test.labelBytes()}, test, 0, test.size()),
                CifarFormat.text("readme.html", README), batches.get(1), batches.get(4));
        CifarFormat.write(target, FOLDER, members);
    }

    private static final String README = "<html><body><p>CIFAR-10, binary version, written by Descent's CIFAR writer "
            + "(dev.descent.data.Cifar10.write) in the official layout.</p></body></html>\n";
}
