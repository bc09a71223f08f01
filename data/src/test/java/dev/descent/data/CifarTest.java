package dev.descent.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CIFAR-10 and CIFAR-100: hand-laid-out records, the writer's bytes, round trips through folders and archives, and the errors. */
class CifarTest {
    @TempDir
    Path dir;

    static final List<String> NAMES = List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck");

    private static int value(int i, int c, int y, int x) {
        return (i * 7 + c * 50 + y * 3 + x * 11) & 0xff;
    }

    /** A CIFAR-10 file laid out by hand from the format's description: label, red plane, green, blue. */
    @Test
    void readsHandMadeRecordsChannelMajorRowMajor() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int i = 0; i < 3; i++) {
            b.write(9 - i);
            for (int c = 0; c < 3; c++) for (int y = 0; y < 32; y++) for (int x = 0; x < 32; x++) b.write(value(i, c, y, x));
        }
        Path folder = Files.createDirectories(dir.resolve("hand"));
        Files.write(folder.resolve("test_batch.bin"), b.toByteArray());
        ImageDataset d = Cifar10.test(folder);
        assertEquals(3, d.size());
        assertEquals(ImageDataset.numberedClasses(10), d.classNames(), "no batches.meta.txt: numbered classes");
        Batch all = d.all();
        for (int i = 0; i < 3; i++) {
            assertEquals(9 - i, d.label(i));
            assertEquals(9 - i, all.y().getLong(i));
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < 32; y++) {
                    for (int x = 0; x < 32; x++) {
                        assertEquals(value(i, c, y, x), d.pixel(i, c, y, x));
                        assertEquals(value(i, c, y, x) / 255f, (float) all.x().get(i, c, y, x));
                    }
                }
            }
        }
    }

    @Test
    void writerProducesTheDocumentedRecordsAndNames() throws IOException {
        SplittableRandom rng = new SplittableRandom(4);
        ImageDataset train = SampleImages.cifar(12, 10, rng).withClassNames(NAMES), test = SampleImages.cifar(3, 10, rng).withClassNames(NAMES);
        Path folder = dir.resolve("w");
        Cifar10.write(folder, train, test);
        // 12 images over five batches: 2, 2, 2, 3, 3 (k·n/5 boundaries)
        int[] sizes = {2, 2, 3, 2, 3};
        int first = 0;
        for (int k = 0; k < 5; k++) {
            byte[] b = Files.readAllBytes(folder.resolve("data_batch_" + (k + 1) + ".bin"));
            int n = (k + 1) * 12 / 5 - k * 12 / 5;
            assertEquals(sizes[k], n);
            assertEquals(n * 3073, b.length);
            for (int r = 0; r < n; r++) {
                int i = first + r;
                assertEquals(train.label(i), b[r * 3073] & 0xff);
                for (int c = 0; c < 3; c++) for (int y = 0; y < 32; y++) for (int x = 0; x < 32; x++) {
                    assertEquals(train.pixel(i, c, y, x), b[r * 3073 + 1 + c * 1024 + y * 32 + x] & 0xff);
                }
            }
            first += n;
        }
        assertEquals(12, first);
        List<String> lines = Files.readAllLines(folder.resolve("batches.meta.txt"));
        assertEquals(NAMES, lines.subList(0, 10));
    }

    @Test
    void cifar10WrittenAsFolderAndArchiveLoadsBackIdentically() throws IOException {
        SplittableRandom rng = new SplittableRandom(5);
        ImageDataset train = SampleImages.cifar(25, 10, rng).withClassNames(NAMES), test = SampleImages.cifar(7, 10, rng).withClassNames(NAMES);
        Path parent = Files.createDirectories(dir.resolve("parent"));
        Path folder = parent.resolve(Cifar10.FOLDER);
        Path archive = dir.resolve(Cifar10.ARCHIVE), tar = dir.resolve("cifar-10-binary.tar");
        Cifar10.write(folder, train, test);
        Cifar10.write(archive, train, test);
        Cifar10.write(tar, train, test);
        Path holdsArchive = Files.createDirectories(dir.resolve("downloads"));
        Files.copy(archive, holdsArchive.resolve(Cifar10.ARCHIVE));
        for (Path p : List.of(folder, parent, archive, tar, holdsArchive)) {
            ImageDataset tr = Cifar10.train(p), te = Cifar10.test(p);
            assertTrue(tr.contentEquals(train), "train from " + p);
            assertTrue(te.contentEquals(test), "test from " + p);
            assertEquals(NAMES, tr.classNames());
        }
    }

    @Test
    void cifar100WrittenAsFolderAndArchiveLoadsBackWithFineAndCoarseLabels() throws IOException {
        SplittableRandom rng = new SplittableRandom(6);
        ImageDataset train = SampleImages.cifar(40, 100, rng), test = SampleImages.cifar(9, 100, rng);
        int[] coarseOf = new int[100];
        for (int f = 0; f < 100; f++) coarseOf[f] = rng.nextInt(20);
        List<String> coarseNames = new ArrayList<>();
        for (int c = 0; c < 20; c++) coarseNames.add("super " + c);
        Path folder = dir.resolve(Cifar100.FOLDER), archive = dir.resolve(Cifar100.ARCHIVE);
        Cifar100.write(folder, train, test, coarseOf, coarseNames);
        Cifar100.write(archive, train, test, coarseOf, coarseNames);
        for (Path p : List.of(folder, archive, dir)) {
            assertTrue(Cifar100.train(p).contentEquals(train), "fine train from " + p);
            assertTrue(Cifar100.test(p, Cifar100.Labels.FINE).contentEquals(test), "fine test from " + p);
            ImageDataset coarse = Cifar100.train(p, Cifar100.Labels.COARSE);
            assertEquals(coarseNames, coarse.classNames());
            for (int i = 0; i < train.size(); i++) {
                assertEquals(coarseOf[train.label(i)], coarse.label(i));
                assertEquals(train.pixel(i, 2, 31, 0), coarse.pixel(i, 2, 31, 0));
            }
        }
        byte[] raw = Files.readAllBytes(folder.resolve("test.bin"));
        assertEquals(9 * 3074, raw.length);
        assertEquals(coarseOf[test.label(1)], raw[3074] & 0xff, "coarse label first");
        assertEquals(test.label(1), raw[3074 + 1] & 0xff, "then the fine label");
        assertEquals(test.pixel(1, 0, 0, 0), raw[3074 + 2] & 0xff);
    }

    @Test
    void badRecordFilesNameTheOffset() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("bad"));
        Path f = folder.resolve("test_batch.bin");
        Files.write(f, new byte[2 * 3073 + 5]);
        DataFileException e = assertThrows(DataFileException.class, () -> Cifar10.test(folder));
        assertEquals(2 * 3073, e.offset());
        assertTrue(e.getMessage().contains("whole number of 3073-byte records"), e.getMessage());

        byte[] labelOut = new byte[3 * 3073];
        labelOut[3073] = 10;
        Files.write(f, labelOut);
        e = assertThrows(DataFileException.class, () -> Cifar10.test(folder));
        assertEquals(3073, e.offset());
        assertTrue(e.getMessage().contains("found 10"), e.getMessage());

        Files.write(f, new byte[0]);
        e = assertThrows(DataFileException.class, () -> Cifar10.test(folder));
        assertTrue(e.getMessage().contains("at least one"), e.getMessage());

        Path f100 = folder.resolve("test.bin");
        byte[] fineOut = new byte[2 * 3074];
        fineOut[3074 + 1] = 100;
        Files.write(f100, fineOut);
        e = assertThrows(DataFileException.class, () -> Cifar100.test(folder));
        assertEquals(3074 + 1, e.offset());
        assertTrue(e.getMessage().contains("fine label below 100"), e.getMessage());

        Files.write(f, new byte[3073]);
        Files.writeString(folder.resolve("batches.meta.txt"), "a\nb\nc\n\n");
        e = assertThrows(DataFileException.class, () -> Cifar10.test(folder));
        assertTrue(e.getMessage().contains("10 class names") && e.getMessage().contains("found 3"), e.getMessage());
        Files.delete(folder.resolve("batches.meta.txt"));

        assertThrows(NoSuchFileException.class, () -> Cifar10.train(folder), "a folder without the training batches");
    }

    @Test
    void anArchiveWithoutTheExpectedMembersOrWithDuplicatesIsRejected() throws IOException {
        Path archive = dir.resolve("partial.tar.gz");
        writeArchive(archive, List.of("cifar-10-batches-bin/data_batch_1.bin", "cifar-10-batches-bin/data_batch_2.bin", "cifar-10-batches-bin/test_batch.bin"));
        assertEquals(1, Cifar10.test(archive).size());
        DataFileException e = assertThrows(DataFileException.class, () -> Cifar10.train(archive));
        assertEquals(archive, e.file());
        assertTrue(e.getMessage().contains("data_batch_3.bin") && e.getMessage().contains("decompressed archive"), e.getMessage());

        writeArchive(archive, List.of("cifar-10-batches-bin/test_batch.bin", "other/test_batch.bin"));
        e = assertThrows(DataFileException.class, () -> Cifar10.test(archive));
        assertTrue(e.getMessage().contains("one member named test_batch.bin"), e.getMessage());
    }

    @Test
    void errorsInsideAnArchiveMemberNameTheMember() throws IOException {
        Path archive = dir.resolve("bad-member.tar.gz");
        byte[] bad = new byte[2 * 3073];
        bad[3073] = (byte) 200;
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(archive))) {
            TarOutput tar = new TarOutput(out);
            tar.file("cifar-10-batches-bin/test_batch.bin", bad.length, o -> o.write(bad));
            tar.finish();
        }
        DataFileException e = assertThrows(DataFileException.class, () -> Cifar10.test(archive));
        assertEquals(3073, e.offset());
        assertEquals("member cifar-10-batches-bin/test_batch.bin of the decompressed archive", e.within());
    }

    private static void writeArchive(Path archive, List<String> members) throws IOException {
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(archive))) {
            TarOutput tar = new TarOutput(out);
            for (String m : members) tar.file(m, 3073, o -> o.write(new byte[3073]));
            tar.file("cifar-10-batches-bin/batches.meta.txt", 20, o -> o.write("0\n1\n2\n3\n4\n5\n6\n7\n8\n9\n".getBytes(StandardCharsets.US_ASCII)));
            tar.finish();
        }
    }

    @Test
    void rejectsBadWriterArguments() {
        SplittableRandom rng = new SplittableRandom(7);
        ImageDataset small = SampleImages.random(5, 3, 8, 8, 10, rng);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cifar10.write(dir.resolve("x"), small, small));
        assertTrue(e.getMessage().contains("[3, 32, 32]") && e.getMessage().contains("[3, 8, 8]"), e.getMessage());
        ImageDataset four = SampleImages.cifar(4, 10, rng);
        e = assertThrows(IllegalArgumentException.class, () -> Cifar10.write(dir.resolve("x"), four, four));
        assertTrue(e.getMessage().contains("at least 5"), e.getMessage());
    }
}
