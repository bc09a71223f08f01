package dev.descent.data;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Labelled images held compactly in memory: one unsigned byte per pixel (channel-major
 * [N, C, H, W], like CIFAR's records) and one byte per label. Batches are converted to float32 on
 * request, pixel values scaled to [0, 1]; normalisation and augmentation are {@link Transform}s.
 *
 * <p>Immutable: subsets and relabelled copies are new datasets (the pixels are shared when they do
 * not change).
 */
public final class ImageDataset implements Dataset {
    private static final float[] UNIT = new float[256];

    static {
        for (int i = 0; i < 256; i++) UNIT[i] = i / 255f;
    }

    private final byte[] pixels;
    private final byte[] labels;
    private final int n, channels, height, width, numClasses;
    private final List<String> classNames;

    /** Takes ownership of the arrays (package code only); see {@link #of} for the checked, copying form. */
    ImageDataset(byte[] pixels, byte[] labels, int channels, int height, int width, List<String> classNames) {
        this.pixels = pixels;
        this.labels = labels;
        this.n = labels.length;
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.numClasses = classNames.size();
        this.classNames = List.copyOf(classNames);
    }

    /**
     * A dataset over copies of {@code pixels} (N·C·H·W unsigned bytes, image after image, each
     * channel after channel, each row after row) and {@code labels} (N unsigned bytes, each below
     * {@code classNames.size()}).
     *
     * @param pixels the pixel values 0–255 as unsigned bytes (copied)
     * @param labels one label per image as an unsigned byte (copied); N is its length
     * @param channels C, ≥ 1
     * @param height H, ≥ 1
     * @param width W, ≥ 1
     * @param classNames the class names, indexed by label: 1 to 256 of them
     * @return the dataset
     * @throws IllegalArgumentException when a size is not positive, there are not 1 to 256 classes, the pixel
     *         count is not N·C·H·W, or a label is not below the number of classes
     */
    public static ImageDataset of(byte[] pixels, byte[] labels, int channels, int height, int width, List<String> classNames) {
        if (channels <= 0 || height <= 0 || width <= 0) {
            throw new IllegalArgumentException("image shape must be positive, was [" + channels + ", " + height + ", " + width + "]");
        }
        int k = classNames.size();
        if (k < 1 || k > 256) throw new IllegalArgumentException("need 1 to 256 classes (labels are bytes), was " + k);
        long want = (long) labels.length * channels * height * width;
        if (pixels.length != want) {
            throw new IllegalArgumentException(labels.length + " images of [" + channels + ", " + height + ", " + width + "] need " + want
                    + " pixel bytes, got " + pixels.length);
        }
        for (int i = 0; i < labels.length; i++) {
            if ((labels[i] & 0xff) >= k) throw new IllegalArgumentException("label " + (labels[i] & 0xff) + " of image " + i + " is not below " + k + " classes");
        }
        return new ImageDataset(pixels.clone(), labels.clone(), channels, height, width, classNames);
    }

    /**
     * The class names "0", "1", ..., for data that comes without names.
     *
     * @param k the number of classes
     * @return an unmodifiable list of k names
     */
    public static List<String> numberedClasses(int k) {
        List<String> names = new ArrayList<>(k);
        for (int i = 0; i < k; i++) names.add(Integer.toString(i));
        return List.copyOf(names);
    }

    @Override
    public int size() {
        return n;
    }

    /**
     * Channels per image (3 for CIFAR, 1 for MNIST).
     *
     * @return C
     */
    public int channels() {
        return channels;
    }

    /**
     * Rows per image.
     *
     * @return H
     */
    public int height() {
        return height;
    }

    /**
     * Columns per image.
     *
     * @return W
     */
    public int width() {
        return width;
    }

    /**
     * The number of classes; every label is below it.
     *
     * @return the number of class names
     */
    public int numClasses() {
        return numClasses;
    }

    /**
     * The class names, indexed by label.
     *
     * @return an unmodifiable list
     */
    public List<String> classNames() {
        return classNames;
    }

    /**
     * The label of image {@code i}.
     *
     * @param i the image index
     * @return its class, in {@code [0, numClasses())}
     * @throws IndexOutOfBoundsException when i is outside {@code [0, size())}
     */
    public int label(int i) {
        return labels[checkIndex(i)] & 0xff;
    }

    /**
     * All labels, in order.
     *
     * @return a new array of {@link #size()} labels
     */
    public int[] labels() {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) out[i] = labels[i] & 0xff;
        return out;
    }

    /**
     * The raw value (0–255) of one pixel.
     *
     * @param image the image index
     * @param channel the channel, in {@code [0, channels())}
     * @param row the row, in {@code [0, height())}
     * @param column the column, in {@code [0, width())}
     * @return the unsigned byte value
     * @throws IndexOutOfBoundsException when a coordinate is out of range
     */
    public int pixel(int image, int channel, int row, int column) {
        checkIndex(image);
        if (channel < 0 || channel >= channels || row < 0 || row >= height || column < 0 || column >= width) {
            throw new IndexOutOfBoundsException("pixel [" + channel + ", " + row + ", " + column + "] outside images of [" + channels + ", " + height + ", " + width + "]");
        }
        return pixels[((image * channels + channel) * height + row) * width + column] & 0xff;
    }

    /**
     * How many images each class has.
     *
     * @return a new array indexed by label
     */
    public int[] classCounts() {
        int[] counts = new int[numClasses];
        for (byte b : labels) counts[b & 0xff]++;
        return counts;
    }

    /**
     * Images at {@code indices} as float32 [B, C, H, W] scaled to [0, 1] (value/255), labels as int64 [B];
     * {@code rng} is unused (it may be null).
     *
     * @param indices the images, in order (repeats allowed)
     * @param rng unused
     * @return a batch in fresh storage
     * @throws IndexOutOfBoundsException when an index is outside {@code [0, size())}
     */
    @Override
    public Batch batch(int[] indices, RandomGenerator rng) {
        int per = channels * height * width;
        Tensor x = Tensor.zeros(DType.FLOAT32, indices.length, channels, height, width);
        Tensor y = Tensor.zeros(DType.INT64, indices.length);
        float[] xs = x.storage().floats();
        long[] ys = y.storage().longs();
        for (int b = 0; b < indices.length; b++) {
            int i = checkIndex(indices[b]);
            int src = i * per, dst = b * per;
            for (int j = 0; j < per; j++) xs[dst + j] = UNIT[pixels[src + j] & 0xff];
            ys[b] = labels[i] & 0xff;
        }
        return new Batch(x, y);
    }

    /**
     * Every image, as one batch in file order.
     *
     * @return a batch of {@link #size()} images (N·C·H·W floats: mind the memory for large sets)
     */
    public Batch all() {
        int[] idx = new int[n];
        Arrays.setAll(idx, i -> i);
        return batch(idx, null);
    }

    /**
     * The first {@code count} images.
     *
     * @param count how many, in {@code [0, size()]}
     * @return a new dataset
     * @throws IllegalArgumentException when count is out of range
     */
    public ImageDataset first(int count) {
        if (count < 0 || count > n) throw new IllegalArgumentException("cannot take the first " + count + " of " + n + " images");
        int per = channels * height * width;
        return new ImageDataset(Arrays.copyOf(pixels, count * per), Arrays.copyOf(labels, count), channels, height, width, classNames);
    }

    /**
     * The images at {@code indices}, in that order (repeats allowed).
     *
     * @param indices the images to keep
     * @return a new dataset
     * @throws IndexOutOfBoundsException when an index is outside {@code [0, size())}
     */
    public ImageDataset subset(int[] indices) {
        int per = channels * height * width;
        byte[] p = new byte[Math.multiplyExact(indices.length, per)];
        byte[] l = new byte[indices.length];
        for (int b = 0; b < indices.length; b++) {
            int i = checkIndex(indices[b]);
            System.arraycopy(pixels, i * per, p, b * per, per);
            l[b] = labels[i];
        }
        return new ImageDataset(p, l, channels, height, width, classNames);
    }

    /**
     * A seeded random subset of {@code count} images whose classes keep their proportions: class k
     * gets ⌊count·N_k/N⌋ images plus one more for the classes with the largest remainders (ties to
     * the lower class), drawn uniformly without replacement within the class. The result keeps the
     * original order. With balanced classes and {@code count} a multiple of the class count, every
     * class gets exactly {@code count / numClasses()}.
     *
     * @param count how many images, in {@code [0, size()]}
     * @param rng the source of the draws
     * @return a new dataset of {@code count} images
     * @throws IllegalArgumentException when count is out of range
     */
    public ImageDataset stratifiedSubset(int count, RandomGenerator rng) {
        if (count < 0 || count > n) throw new IllegalArgumentException("cannot draw " + count + " of " + n + " images");
        int[] have = classCounts();
        int[] take = new int[numClasses];
        long[] remainder = new long[numClasses];
        int given = 0;
        for (int k = 0; k < numClasses; k++) {
            long share = (long) count * have[k];
            take[k] = (int) (share / n);
            remainder[k] = share % n;
            given += take[k];
        }
        for (int extra = count - given; extra > 0; extra--) {
            int best = -1;
            for (int k = 0; k < numClasses; k++) {
                if (take[k] < have[k] && (best < 0 || remainder[k] > remainder[best])) best = k;
            }
            take[best]++;
            remainder[best] = -1;
        }
        boolean[] chosen = new boolean[n];
        for (int k = 0; k < numClasses; k++) {
            int[] members = new int[have[k]];
            int m = 0;
            for (int i = 0; i < n; i++) if ((labels[i] & 0xff) == k) members[m++] = i;
            for (int j = 0; j < take[k]; j++) {                 // partial Fisher–Yates
                int r = j + rng.nextInt(m - j);
                int t = members[j];
                members[j] = members[r];
                members[r] = t;
                chosen[members[j]] = true;
            }
        }
        int[] idx = new int[count];
        for (int i = 0, m = 0; i < n; i++) if (chosen[i]) idx[m++] = i;
        return subset(idx);
    }

    /**
     * A copy whose labels carry symmetric noise, drawn once: each label, independently with
     * probability {@code rate}, is replaced by one of the other {@code numClasses() − 1} classes chosen
     * uniformly (so a fraction {@code rate} of labels is wrong, in expectation). Pixels are shared.
     *
     * @param rate the probability of corrupting each label, in [0, 1]
     * @param rng the source of the draws (one or two per image)
     * @return a new dataset with the noisy labels
     * @throws IllegalArgumentException when rate is outside [0, 1], or positive with fewer than 2 classes
     */
    public ImageDataset withSymmetricLabelNoise(double rate, RandomGenerator rng) {
        if (!(rate >= 0 && rate <= 1)) throw new IllegalArgumentException("label noise rate must be in [0, 1], was " + rate);
        if (numClasses < 2 && rate > 0) throw new IllegalArgumentException("label noise needs at least 2 classes, have " + numClasses);
        byte[] noisy = labels.clone();
        for (int i = 0; i < n; i++) {
            if (rng.nextDouble() < rate) {
                int other = rng.nextInt(numClasses - 1);
                int clean = labels[i] & 0xff;
                noisy[i] = (byte) (other >= clean ? other + 1 : other);
            }
        }
        return new ImageDataset(pixels, noisy, channels, height, width, classNames);
    }

    /**
     * The same images under other class names (as many as there are classes).
     *
     * @param names the new names, indexed by label
     * @return a new dataset sharing pixels and labels
     * @throws IllegalArgumentException when the number of names differs from {@link #numClasses()}
     */
    public ImageDataset withClassNames(List<String> names) {
        if (names.size() != numClasses) throw new IllegalArgumentException("need " + numClasses + " class names, got " + names.size());
        return new ImageDataset(pixels, labels, channels, height, width, names);
    }

    /**
     * Per-channel mean of the pixel values scaled to [0, 1], over every image (exact integer sums).
     *
     * @return a new array of C means
     * @throws IllegalStateException when the dataset has no images
     */
    public double[] channelMean() {
        double[] mean = new double[channels];
        long[][] s = channelSums();
        for (int c = 0; c < channels; c++) mean[c] = s[0][c] / (255.0 * count());
        return mean;
    }

    /**
     * Per-channel standard deviation (population, divisor N·H·W) of the pixel values scaled to [0, 1].
     *
     * @return a new array of C standard deviations
     * @throws IllegalStateException when the dataset has no images
     */
    public double[] channelStd() {
        double[] std = new double[channels];
        long[][] s = channelSums();
        for (int c = 0; c < channels; c++) {
            double m = s[0][c] / (double) count(), m2 = s[1][c] / (double) count();
            std[c] = Math.sqrt(Math.max(0, m2 - m * m)) / 255.0;
        }
        return std;
    }

    private long count() {
        return (long) n * height * width;
    }

    /** Exact integer sums of v and v² per channel. */
    private long[][] channelSums() {
        if (n == 0) throw new IllegalStateException("no images to take statistics of");
        long[][] s = new long[2][channels];
        int plane = height * width;
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < channels; c++) {
                long a = 0, b = 0;
                for (int j = 0, p = (i * channels + c) * plane; j < plane; j++) {
                    int v = pixels[p + j] & 0xff;
                    a += v;
                    b += v * v;
                }
                s[0][c] += a;
                s[1][c] += b;
            }
        }
        return s;
    }

    /**
     * True when both hold the same images, labels, shapes and class names.
     *
     * @param other the dataset to compare with
     * @return whether the two are equal byte for byte
     */
    public boolean contentEquals(ImageDataset other) {
        return n == other.n && channels == other.channels && height == other.height && width == other.width
                && classNames.equals(other.classNames) && Arrays.equals(labels, other.labels) && Arrays.equals(pixels, other.pixels);
    }

    @Override
    public String toString() {
        return "ImageDataset[" + n + " images of [" + channels + ", " + height + ", " + width + "], " + numClasses + " classes]";
    }

    byte[] pixelBytes() {
        return pixels;
    }

    byte[] labelBytes() {
        return labels;
    }

    /** The datasets one after the other; all must share image shape and class names. */
    static ImageDataset concat(List<ImageDataset> parts) {
        ImageDataset first = parts.getFirst();
        if (parts.size() == 1) return first;
        long total = 0;
        for (ImageDataset p : parts) total += p.n;
        int per = first.channels * first.height * first.width;
        byte[] px = new byte[Math.toIntExact(total * per)];
        byte[] lb = new byte[(int) total];
        int at = 0;
        for (ImageDataset p : parts) {
            if (p.channels != first.channels || p.height != first.height || p.width != first.width || !p.classNames.equals(first.classNames)) {
                throw new IllegalArgumentException("cannot join " + p + " to " + first);
            }
            System.arraycopy(p.pixels, 0, px, at * per, p.n * per);
            System.arraycopy(p.labels, 0, lb, at, p.n);
            at += p.n;
        }
        return new ImageDataset(px, lb, first.channels, first.height, first.width, first.classNames);
    }

    private int checkIndex(int i) {
        if (i < 0 || i >= n) throw new IndexOutOfBoundsException("image index " + i + " outside a dataset of " + n);
        return i;
    }
}
