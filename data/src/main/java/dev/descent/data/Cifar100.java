package dev.descent.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * CIFAR-100 (Krizhevsky, 2009) in its binary version: 60,000 32×32 colour images, each labelled with a
 * coarse class (20 superclasses) and a fine class (100). {@code train.bin} (50,000) and {@code test.bin}
 * (10,000) hold records of 2 label bytes (coarse, then fine) then 3,072 pixel bytes;
 * {@code coarse_label_names.txt} and {@code fine_label_names.txt} name the classes. Point the loader at
 * the extracted folder, the folder that contains it, or the downloaded {@code cifar-100-binary.tar.gz}.
 *
 * <pre>{@code
 * ImageDataset train = Cifar100.train(Path.of("cifar-100-binary"), Cifar100.Labels.FINE);
 * }</pre>
 */
public final class Cifar100 {
    private Cifar100() {}

    /** Which of the two labels a dataset uses. */
    public enum Labels {
        /** The 20 superclasses (the first label byte). */
        COARSE,
        /** The 100 classes (the second label byte). */
        FINE
    }

    /** The folder the official archive unpacks to. */
    public static final String FOLDER = "cifar-100-binary";
    /** The official archive's file name. */
    public static final String ARCHIVE = "cifar-100-binary.tar.gz";
    /** The training file. */
    public static final String TRAIN_FILE = "train.bin";
    /** The test file. */
    public static final String TEST_FILE = "test.bin";
    /** The coarse class names (optional). */
    public static final String COARSE_NAMES_FILE = "coarse_label_names.txt";
    /** The fine class names (optional). */
    public static final String FINE_NAMES_FILE = "fine_label_names.txt";

    private static final CifarFormat.Labels LABELS = new CifarFormat.Labels(List.of("coarse label", "fine label"), new int[] {20, 100});
    private static final CifarFormat.Layout LAYOUT = new CifarFormat.Layout(FOLDER, ARCHIVE);

    /**
     * The 50,000 training images, with fine labels.
     *
     * @param path the extracted {@value #FOLDER} folder, a folder containing it, or the {@value #ARCHIVE}
     *        archive
     * @return images of [3, 32, 32] in 100 classes
     * @throws DataFileException naming the file, the byte offset and what was expected, when a file is
     *         malformed
     * @throws IOException when a file is missing or reading fails
     */
    public static ImageDataset train(Path path) throws IOException {
        return train(path, Labels.FINE);
    }

    /**
     * The training images with the chosen labels, from a folder or the archive at {@code path}.
     *
     * @param path the extracted {@value #FOLDER} folder, a folder containing it, or the {@value #ARCHIVE}
     *        archive
     * @param labels coarse (20 classes) or fine (100 classes)
     * @return images of [3, 32, 32]
     * @throws DataFileException naming the file, the byte offset and what was expected, when a file is
     *         malformed
     * @throws IOException when a file is missing or reading fails
     */
    public static ImageDataset train(Path path, Labels labels) throws IOException {
        return load(path, TRAIN_FILE, labels);
    }

    /**
     * The 10,000 test images, with fine labels.
     *
     * @param path the extracted {@value #FOLDER} folder, a folder containing it, or the {@value #ARCHIVE}
     *        archive
     * @return images of [3, 32, 32] in 100 classes
     * @throws DataFileException naming the file, the byte offset and what was expected, when a file is
     *         malformed
     * @throws IOException when a file is missing or reading fails
     */
    public static ImageDataset test(Path path) throws IOException {
        return test(path, Labels.FINE);
    }

    /**
     * The test images with the chosen labels, from a folder or the archive at {@code path}.
     *
     * @param path the extracted {@value #FOLDER} folder, a folder containing it, or the {@value #ARCHIVE}
     *        archive
     * @param labels coarse (20 classes) or fine (100 classes)
     * @return images of [3, 32, 32]
     * @throws DataFileException naming the file, the byte offset and what was expected, when a file is
     *         malformed
     * @throws IOException when a file is missing or reading fails
     */
    public static ImageDataset test(Path path, Labels labels) throws IOException {
        return load(path, TEST_FILE, labels);
    }

    private static ImageDataset load(Path path, String file, Labels labels) throws IOException {
        boolean fine = labels == Labels.FINE;
        int k = fine ? 100 : 20;
        String namesFile = fine ? FINE_NAMES_FILE : COARSE_NAMES_FILE;
        int maxRecords = file.equals(TRAIN_FILE) ? CifarFormat.CIFAR100_TRAIN_RECORDS : CifarFormat.BATCH_RECORDS;
        Map<String, Object> read = CifarFormat.read(path, LAYOUT, Map.of(file, in -> CifarFormat.readRecords(in, LABELS, maxRecords)),
                Map.of(namesFile, in -> CifarFormat.readNames(in, k)));
        @SuppressWarnings("unchecked")
        List<String> names = (List<String>) read.getOrDefault(namesFile, ImageDataset.numberedClasses(k));
        return CifarFormat.toDataset(List.of((CifarFormat.Records) read.get(file)), fine ? 1 : 0, names);
    }

    /**
     * Writes {@code train} and {@code test} (fine-labelled: [3, 32, 32] images, 100 classes, same names)
     * in the official layout, into the folder {@code target} or, if it ends in {@code .tar.gz} (or
     * {@code .tar}), as an archive with members in {@code cifar-100-binary/}. Each image's coarse label is
     * {@code coarseOfFine[fine label]}, named by {@code coarseNames} (20 of them), as in the real data
     * where every fine class belongs to one superclass. Used to make test fixtures.
     *
     * @param target a folder, or an archive path ending in {@code .tar.gz} or {@code .tar}
     * @param train the training images, fine-labelled
     * @param test the test images, fine-labelled
     * @param coarseOfFine the superclass (0–19) of each of the 100 fine classes
     * @param coarseNames the 20 superclass names
     * @throws IllegalArgumentException when the datasets do not have CIFAR-100's shape, classes or names, train has
     *         more than 50,000 images or test more than 10,000, or the coarse mapping or names are not 100 values in
     *         0–19 and 20 names
     * @throws IOException when writing fails
     */
    public static void write(Path target, ImageDataset train, ImageDataset test, int[] coarseOfFine, List<String> coarseNames) throws IOException {
        CifarFormat.checkWritable("train", train, 100);
        CifarFormat.checkWritable("test", test, 100);
        if (!train.classNames().equals(test.classNames())) throw new IllegalArgumentException("train and test class names differ");
        if (train.size() > CifarFormat.CIFAR100_TRAIN_RECORDS || test.size() > CifarFormat.BATCH_RECORDS) {
            throw new IllegalArgumentException("CIFAR-100's train.bin holds at most 50,000 images and test.bin 10,000, got " + train.size() + " and " + test.size());
        }
        if (coarseNames.size() != 20) throw new IllegalArgumentException("CIFAR-100 has 20 coarse classes, got " + coarseNames.size() + " names");
        if (coarseOfFine.length != 100) throw new IllegalArgumentException("coarseOfFine must map all 100 fine classes, has " + coarseOfFine.length);
        for (int f = 0; f < 100; f++) {
            if (coarseOfFine[f] < 0 || coarseOfFine[f] >= 20) throw new IllegalArgumentException("coarseOfFine[" + f + "] = " + coarseOfFine[f] + " is not a coarse class 0..19");
        }
        List<CifarFormat.Member> members = List.of(
                CifarFormat.names(COARSE_NAMES_FILE, coarseNames),
                CifarFormat.records(TRAIN_FILE, columns(train, coarseOfFine), train, 0, train.size()),
                CifarFormat.names(FINE_NAMES_FILE, train.classNames()),
                CifarFormat.records(TEST_FILE, columns(test, coarseOfFine), test, 0, test.size()));
        CifarFormat.write(target, FOLDER, members);
    }

    private static byte[][] columns(ImageDataset d, int[] coarseOfFine) {
        byte[] fine = d.labelBytes(), coarse = new byte[fine.length];
        for (int i = 0; i < fine.length; i++) coarse[i] = (byte) coarseOfFine[fine[i] & 0xff];
        return new byte[][] {coarse, fine};
    }
}
