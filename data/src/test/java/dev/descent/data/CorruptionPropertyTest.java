package dev.descent.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.quicktheories.QuickTheory.qt;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * Random damage to valid IDX and CIFAR files (plain, gzip, in a folder, in a .tar or .tar.gz),
 * drawn as a short list of {@link Damage}s so that a failure shrinks to a small case: loading
 * either succeeds — and then what was loaded is exactly what the damaged bytes say — or throws
 * {@link DataFileException} naming the file; never another exception, and never an allocation
 * beyond a small multiple of the data actually present.
 */
class CorruptionPropertyTest {
    private static final int EXAMPLES = 300;
    private static final com.sun.management.ThreadMXBean MX = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @TempDir
    Path dir;

    /** Loads the files; returns the canonical bytes of what it loaded (to compare with the damaged content), or null. */
    @FunctionalInterface
    interface Load {
        byte[] load() throws IOException;
    }

    // ------------------------------------------------------------------ the formats

    @Test
    void idxFilesPlainAndGzipped() throws IOException {
        SplittableRandom rng = new SplittableRandom(11);
        ImageDataset d = SampleImages.random(40, 1, 28, 28, 10, rng);
        for (boolean gz : new boolean[] {false, true}) {
            String ext = gz ? ".gz" : "";
            Path images = dir.resolve("train-images-idx3-ubyte" + ext), labels = dir.resolve("train-labels-idx1-ubyte" + ext);
            Mnist.writePair(images, labels, d);
            // damage the images file; the result must be the images file re-encoded
            property(images, gz, new int[] {0, 4}, () -> {
                IdxFile f = IdxFile.read(images);
                return idxBytes(f.dims(), f.data());
            });
            property(labels, gz, new int[] {0, 4}, () -> {
                ImageDataset back = Mnist.load(images, labels, ImageDataset.numberedClasses(10));
                return idxBytes(new int[] {back.size()}, back.labelBytes());
            });
        }
    }

    @Test
    void cifarRecordFilesInAFolder() throws IOException {
        SplittableRandom rng = new SplittableRandom(12);
        Path c10 = dir.resolve("c10"), c100 = dir.resolve("c100");
        Cifar10.write(c10, SampleImages.cifar(5, 10, rng), SampleImages.cifar(6, 10, rng));
        int[] coarse = new int[100];
        Arrays.setAll(coarse, f -> f / 5);
        Cifar100.write(c100, SampleImages.cifar(3, 100, rng), SampleImages.cifar(5, 100, rng), coarse, ImageDataset.numberedClasses(20));
        property(c10.resolve("test_batch.bin"), false, new int[] {0, 1}, () -> records(Cifar10.test(c10), null));
        property(c10.resolve("batches.meta.txt"), false, new int[] {0, 1}, () -> {
            Cifar10.test(c10);
            return null;
        });
        property(c100.resolve("test.bin"), false, new int[] {0, 2}, () -> {
            ImageDataset fine = Cifar100.test(c100, Cifar100.Labels.FINE), co = Cifar100.test(c100, Cifar100.Labels.COARSE);
            return records(fine, co);
        });
    }

    @Test
    void cifarArchivesTarAndTarGz() throws IOException {
        SplittableRandom rng = new SplittableRandom(13);
        ImageDataset train = SampleImages.cifar(5, 10, rng), test = SampleImages.cifar(2, 10, rng);
        for (String name : new String[] {"cifar-10-binary.tar", "cifar-10-binary.tar.gz"}) {
            Path archive = dir.resolve(name);
            Cifar10.write(archive, train, test);
            // the tar magic "ustar" of the directory member and of the first file
            property(archive, name.endsWith(".gz"), new int[] {257, 6}, () -> {
                Cifar10.train(archive);
                Cifar10.test(archive);
                return null;
            });
        }
    }

    /** Archives made by GNU tar with a folder name too long for ustar: GNU long-name ('L') and pax ('x') headers under damage. */
    @Test
    void cifarArchivesWithGnuAndPaxHeaders() throws IOException, InterruptedException {
        assumeTrue(haveTar(), "no tar command on this machine: the GNU and pax archives cannot be made");
        SplittableRandom rng = new SplittableRandom(14);
        String longFolder = "cifar-10-batches-bin-" + "x".repeat(100);
        Cifar10.write(dir.resolve(longFolder), SampleImages.cifar(5, 10, rng), SampleImages.cifar(2, 10, rng));
        for (String format : new String[] {"gnu", "pax"}) {
            Path archive = dir.resolve(format + ".tar");
            Process p = new ProcessBuilder("tar", "--format=" + format, "-cf", archive.toString(), longFolder).directory(dir.toFile()).start();
            assertTrue(p.waitFor() == 0, "tar --format=" + format);
            property(archive, false, new int[] {0, 512}, () -> {
                Cifar10.train(archive);
                Cifar10.test(archive);
                return null;
            });
        }
    }

    /** Whether a tar command runs here (as TarTest asks). */
    private static boolean haveTar() {
        try {
            return new ProcessBuilder("tar", "--version").redirectErrorStream(true).start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    // ------------------------------------------------------------------ gzip bombs

    /**
     * A gzip file of {@code head}, then {@code mib} MiB of {@code fill}, then {@code tail}: one gzip member each (a
     * file of concatenated members is one stream), so 600 MiB cost some 600 KB of file and one compression of 1 MiB.
     */
    private static byte[] bomb(byte[] head, int mib, byte fill, byte[] tail) {
        byte[] block = new byte[1 << 20];
        Arrays.fill(block, fill);
        byte[] one = gzip(block);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (head.length > 0) out.writeBytes(gzip(head));
        for (int i = 0; i < mib; i++) out.writeBytes(one);
        if (tail.length > 0) out.writeBytes(gzip(tail));
        return out.toByteArray();
    }

    /** Runs {@code load}, which must fail with exactly {@code message}, allocating less than {@code bound} bytes. */
    private static void failsWithin(org.junit.jupiter.api.function.Executable load, String message, long bound) {
        System.gc();
        long before = MX.getCurrentThreadAllocatedBytes();
        DataFileException e = org.junit.jupiter.api.Assertions.assertThrows(DataFileException.class, load);
        long allocated = MX.getCurrentThreadAllocatedBytes() - before;
        org.junit.jupiter.api.Assertions.assertEquals(message, e.getMessage());
        assertTrue(allocated < bound, "allocated " + allocated + " bytes (bound " + bound + ") before: " + message);
    }

    /** The most bytes reading a CIFAR-10 file may allocate: the 10,000 records it may hold, grown by doubling, and change. */
    private static final long CIFAR10_FILE_BOUND = 3L * CifarFormat.BATCH_RECORDS * 3073 + (8 << 20);

    @Test
    void aGzippedCifarBatchIsCheckedWhileItStreamsAndCappedAtWhatTheFormatHolds() throws IOException {
        Path c10 = dir.resolve("c10");
        Cifar10.write(c10, SampleImages.cifar(5, 10, new SplittableRandom(15)), SampleImages.cifar(2, 10, new SplittableRandom(16)));
        Path batch = c10.resolve("test_batch.bin");
        // 600 MiB of valid records (label 0, black pixels): refused at the first record past the 10,000 a batch holds
        Files.write(batch, bomb(new byte[0], 600, (byte) 0, new byte[0]));
        failsWithin(() -> Cifar10.test(c10), batch + ": at byte 30730000 of the decompressed stream: expected at most 10000 records of 3073 bytes"
                + " (what a CIFAR file of this name holds), found more", CIFAR10_FILE_BOUND);
        // 600 MiB of 0x0a: label 10 of the first record is refused before anything else is read
        Files.write(batch, bomb(new byte[0], 600, (byte) 10, new byte[0]));
        failsWithin(() -> Cifar10.test(c10), batch + ": at byte 0 of the decompressed stream: expected a label below 10 (record 0), found 10", 4 << 20);
        // a valid record, then 600 MiB of 0xff: refused at the second record's label
        byte[] record = new byte[3073];
        Files.write(batch, bomb(record, 600, (byte) 0xff, new byte[0]));
        failsWithin(() -> Cifar10.test(c10), batch + ": at byte 3073 of the decompressed stream: expected a label below 10 (record 1), found 255", 4 << 20);
    }

    @Test
    void aCifarBatchBombInsideATarGzIsCappedAtWhatTheFormatHolds() throws IOException {
        Path archive = dir.resolve("cifar-10-binary.tar.gz");
        String member = "cifar-10-batches-bin/test_batch.bin";
        long size = 600L << 20;
        Files.write(archive, bomb(tarHeader(member, size), 600, (byte) 0, new byte[1024]));
        failsWithin(() -> Cifar10.test(archive), archive + ": at byte 30730000 of member " + member + " of the decompressed archive: expected at most"
                + " 10000 records of 3073 bytes (what a CIFAR file of this name holds), found more", CIFAR10_FILE_BOUND);
    }

    @Test
    void aGzippedIdxFileThatPromisesMoreThanItHoldsCostsNoMemory() throws IOException {
        Path images = dir.resolve("train-images-idx3-ubyte.gz");
        // a header claiming 800,000 images of 28 x 28 (627 MB), then 590 MiB of zeros: short by some 8 MB
        byte[] header = {0, 0, 8, 3, 0, 0x0c, 0x35, 0x00, 0, 0, 0, 28, 0, 0, 0, 28};
        Files.write(images, bomb(header, 590, (byte) 0, new byte[0]));
        long held = 590L << 20;
        failsWithin(() -> IdxFile.read(images), images + ": at byte " + (16 + held) + " of the decompressed stream: expected 627200000 bytes of IDX data for"
                + " dimensions [800000, 28, 28] (from byte 16), found the end of the decompressed stream after " + held, 8 << 20);
        Path labels = dir.resolve("train-labels-idx1-ubyte.gz");
        IdxFile.write(labels, new int[] {800_000}, new byte[800_000]);
        failsWithin(() -> Mnist.load(images, labels, ImageDataset.numberedClasses(10)), images + ": at byte " + (16 + held) + " of the decompressed stream: expected"
                + " 627200000 bytes of IDX data for dimensions [800000, 28, 28] (from byte 16), found the end of the decompressed stream after " + held, 8 << 20);
    }

    /** A ustar header block for a regular file {@code name} of {@code size} bytes (POSIX.1-1988), checksum included. */
    private static byte[] tarHeader(String name, long size) {
        byte[] h = new byte[512];
        byte[] n = name.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        System.arraycopy(n, 0, h, 0, n.length);
        octal(h, 100, 8, 0644);
        octal(h, 108, 8, 0);
        octal(h, 116, 8, 0);
        octal(h, 124, 12, size);
        octal(h, 136, 12, 0);
        h[156] = '0';
        System.arraycopy("ustar\u000000".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, h, 257, 8);
        Arrays.fill(h, 148, 156, (byte) ' ');
        int sum = 0;
        for (byte b : h) sum += b & 0xff;
        octal(h, 148, 7, sum);
        return h;
    }

    /** {@code v} in octal, zero-padded to {@code len - 1} digits and a NUL. */
    private static void octal(byte[] h, int at, int len, long v) {
        String s = Long.toOctalString(v);
        s = "0".repeat(len - 1 - s.length()) + s;
        System.arraycopy(s.getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, h, at, len - 1);
        h[at + len - 1] = 0;
    }

    // ------------------------------------------------------------------ the property

    /**
     * Damages {@code file}, {@link #EXAMPLES} times, restoring it after each; {@code magic} is
     * {offset, length} of the bytes a "change the magic" damage rewrites (in the content). A gzip
     * file is damaged either in its compressed bytes or in its content, which is then recompressed.
     */
    private void property(Path file, boolean gzip, int[] magic, Load load) throws IOException {
        byte[] valid = Files.readAllBytes(file);
        byte[] content = gzip ? gunzip(valid) : valid;
        byte[] reference = load.load();
        if (reference != null) assertArrayEquals(content, reference, "the undamaged " + file.getFileName() + " loads as written");
        Gen<Attack> attacks = Damage.some(content.length, magic).map(d -> new Attack(false, d));
        if (gzip) attacks = Generate.oneOf(attacks, Damage.some(valid.length, new int[] {0, 2}).map(d -> new Attack(true, d)));
        qt().withExamples(EXAMPLES).forAll(attacks).checkAssert(attack -> {
            byte[] damaged;
            if (attack.compressed()) damaged = Damage.apply(valid, attack.damages());
            else damaged = gzip ? gzip(Damage.apply(content, attack.damages())) : Damage.apply(content, attack.damages());
            String what = file.getFileName() + " damaged by " + attack;
            try {
                Files.write(file, damaged);
                byte[] damagedContent = gzip ? lenientGunzip(damaged) : damaged;
                long size = Math.max(content.length, damagedContent == null ? 0 : damagedContent.length);
                long before = MX.getCurrentThreadAllocatedBytes();
                try {
                    byte[] loaded = load.load();
                    if (loaded != null) {
                        assertTrue(damagedContent != null, "loaded a file the JDK cannot decompress: " + what);
                        assertArrayEquals(damagedContent, loaded, "what was loaded is what the damaged file says: " + what);
                    }
                } catch (DataFileException expected) {
                    assertTrue(!Arrays.equals(valid, damaged), "an undamaged file was rejected: " + expected.getMessage());
                    assertTrue(expected.getMessage().contains(file.getFileName().toString()), expected.getMessage() + " (" + what + ")");
                } catch (Exception other) {
                    fail("loading " + what + " threw " + other, other);
                }
                long allocated = MX.getCurrentThreadAllocatedBytes() - before;
                assertTrue(allocated < 8 * size + (2 << 20), "allocated " + allocated + " bytes for " + size + " bytes of data: " + what);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                try {
                    Files.write(file, valid);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        });
    }

    /** Damage to a file's content, or (for gzip) to its compressed bytes. */
    private record Attack(boolean compressed, List<Damage> damages) {
        @Override
        public String toString() {
            return (compressed ? "in the compressed bytes: " : "") + damages;
        }
    }

    // ------------------------------------------------------------------ canonical encodings, written here from the formats' descriptions

    private static byte[] idxBytes(int[] dims, byte[] data) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(new byte[] {0, 0, 8, (byte) dims.length});
        for (int d : dims) b.writeBytes(new byte[] {(byte) (d >>> 24), (byte) (d >>> 16), (byte) (d >>> 8), (byte) d});
        b.writeBytes(data);
        return b.toByteArray();
    }

    /** CIFAR records: (coarse label if given) label, then the 3,072 pixels, image after image. */
    private static byte[] records(ImageDataset fine, ImageDataset coarse) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int i = 0; i < fine.size(); i++) {
            if (coarse != null) b.write(coarse.label(i));
            b.write(fine.label(i));
            for (int c = 0; c < 3; c++) for (int y = 0; y < 32; y++) for (int x = 0; x < 32; x++) b.write(fine.pixel(i, c, y, x));
        }
        return b.toByteArray();
    }

    private static byte[] gzip(byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(b);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static byte[] gunzip(byte[] b) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(b))) {
            return in.readAllBytes();
        }
    }

    /** What the JDK's (lenient) decoder makes of it, or null if even it fails. */
    private static byte[] lenientGunzip(byte[] b) {
        try {
            return gunzip(b);
        } catch (IOException e) {
            return null;
        }
    }
}
