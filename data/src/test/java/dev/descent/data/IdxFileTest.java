package dev.descent.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** IDX files and MNIST-style loading: hand-made files, the writer's layout, gzip handling and the errors. */
class IdxFileTest {
    @TempDir
    Path dir;

    /** An IDX file laid out byte by byte from the format's description, independent of our writer. */
    private static byte[] handMade(int n, int rows, int cols, byte[] data) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(new byte[] {0, 0, 0x08, 3});
        for (int d : new int[] {n, rows, cols}) b.writeBytes(new byte[] {(byte) (d >> 24), (byte) (d >> 16), (byte) (d >> 8), (byte) d});
        b.writeBytes(data);
        return b.toByteArray();
    }

    private static byte[] gzip(byte[] b) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(b);
        }
        return out.toByteArray();
    }

    @Test
    void readsAHandMadeFilePlainAndGzipped() throws IOException {
        byte[] data = new byte[2 * 3 * 300];
        new SplittableRandom(1).nextBytes(data);
        Files.write(dir.resolve("a-idx3-ubyte"), handMade(2, 3, 300, data));
        Files.write(dir.resolve("a-idx3-ubyte.gz"), gzip(handMade(2, 3, 300, data)));
        for (String name : List.of("a-idx3-ubyte", "a-idx3-ubyte.gz")) {
            IdxFile f = IdxFile.read(dir.resolve(name));
            assertArrayEquals(new int[] {2, 3, 300}, f.dims(), name);
            assertArrayEquals(data, f.data(), name);
        }
    }

    @Test
    void writesTheDocumentedLayout() throws IOException {
        byte[] data = {5, 6, 7, (byte) 200, 9, 10};
        Path plain = dir.resolve("w-idx2-ubyte"), gz = dir.resolve("w-idx2-ubyte.gz");
        IdxFile.write(plain, new int[] {2, 3}, data);
        IdxFile.write(gz, new int[] {2, 3}, data);
        byte[] expected = {0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3, 5, 6, 7, (byte) 200, 9, 10};
        assertArrayEquals(expected, Files.readAllBytes(plain));
        try (GZIPInputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
            assertArrayEquals(expected, in.readAllBytes());
        }
    }

    @Test
    void errorsNameTheFileTheOffsetAndWhatWasExpected() throws IOException {
        byte[] good = handMade(2, 2, 2, new byte[8]);
        Path f = dir.resolve("bad-idx3-ubyte");

        byte[] magic = good.clone();
        magic[1] = 1;
        assertError(f, magic, 0, "magic");
        byte[] type = good.clone();
        type[2] = 0x0d;
        assertError(f, type, 2, "0x08");
        assertError(f, Arrays.copyOf(good, good.length - 3), good.length - 3, "8 bytes");
        assertError(f, Arrays.copyOf(good, good.length + 5), good.length, "5 extra bytes");
        byte[] huge = good.clone();
        huge[4] = 0x7f; // 2 billion images of 2×2
        assertError(f, huge, 8, "at most");
    }

    @Test
    void gzipErrorsAreFormatErrorsToo() throws IOException {
        byte[] gz = gzip(handMade(2, 2, 2, new byte[8]));
        Path f = dir.resolve("bad-idx3-ubyte.gz");
        byte[] crc = gz.clone();
        crc[gz.length - 6] ^= 1;
        DataFileException e = assertError(f, crc, gz.length - 8, "CRC-32");
        assertEquals("", e.within(), "gzip framing errors count bytes of the file");
        byte[] longer = Arrays.copyOf(gz, gz.length + 3);
        longer[gz.length] = 7;
        assertError(f, longer, gz.length, "the end of the file or another gzip member");
        assertError(f, Arrays.copyOf(gz, gz.length - 9), -1, "");
        Files.write(f, handMade(2, 2, 2, new byte[8]));
        DataFileException notGzip = assertThrows(DataFileException.class, () -> IdxFile.read(f));
        assertTrue(notGzip.getMessage().contains("1f 8b"), notGzip.getMessage());
        // content errors inside a gzip file count decompressed bytes and say so
        byte[] shortContent = gzip(Arrays.copyOf(handMade(2, 2, 2, new byte[8]), 18));
        DataFileException inner = assertError(f, shortContent, 18, "8 bytes");
        assertEquals("the decompressed stream", inner.within());
        assertTrue(inner.getMessage().contains("of the decompressed stream"), inner.getMessage());
    }

    @Test
    void concatenatedGzipMembersAreOneStream() throws IOException {
        byte[] whole = handMade(1, 2, 2, new byte[] {1, 2, 3, 4});
        ByteArrayOutputStream two = new ByteArrayOutputStream();
        two.writeBytes(gzip(Arrays.copyOf(whole, 10)));
        two.writeBytes(gzip(Arrays.copyOfRange(whole, 10, whole.length)));
        Path f = dir.resolve("two-idx3-ubyte.gz");
        Files.write(f, two.toByteArray());
        assertArrayEquals(new byte[] {1, 2, 3, 4}, IdxFile.read(f).data());
    }

    private static DataFileException assertError(Path f, byte[] content, long offset, String expectedPart) throws IOException {
        Files.write(f, content);
        DataFileException e = assertThrows(DataFileException.class, () -> IdxFile.read(f));
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
        if (offset >= 0) assertEquals(offset, e.offset(), e.getMessage());
        assertTrue(e.getMessage().contains(expectedPart), e.getMessage());
        return e;
    }

    @Test
    void mnistWriterAndLoaderRoundTripPlainAndGzipped() throws IOException {
        SplittableRandom rng = new SplittableRandom(2);
        ImageDataset train = SampleImages.random(30, 1, 28, 28, 10, rng), test = SampleImages.random(7, 1, 28, 28, 10, rng);
        for (boolean gz : new boolean[] {false, true}) {
            Path d = dir.resolve("mnist-" + gz);
            Mnist.write(d, train, test, gz);
            assertTrue(Files.exists(d.resolve("train-images-idx3-ubyte" + (gz ? ".gz" : ""))));
            assertTrue(Mnist.train(d).contentEquals(train));
            assertTrue(Mnist.test(d).contentEquals(test));
            assertEquals(FashionMnist.CLASS_NAMES, FashionMnist.train(d).classNames());
        }
    }

    @Test
    void imageAndLabelCountsMustAgreeAndLabelsMustBeInRange() throws IOException {
        SplittableRandom rng = new SplittableRandom(3);
        Path d = dir.resolve("m");
        Mnist.write(d, SampleImages.random(5, 1, 4, 4, 10, rng), SampleImages.random(3, 1, 4, 4, 10, rng), false);
        Path labels = d.resolve("t10k-labels-idx1-ubyte");
        IdxFile.write(labels, new int[] {4}, new byte[] {1, 2, 3, 4});
        DataFileException e = assertThrows(DataFileException.class, () -> Mnist.test(d));
        assertEquals(labels, e.file());
        assertEquals(4, e.offset());
        assertTrue(e.getMessage().contains("3 labels") && e.getMessage().contains("found 4 labels"), e.getMessage());
        IdxFile.write(labels, new int[] {3}, new byte[] {1, 10, 3});
        e = assertThrows(DataFileException.class, () -> Mnist.test(d));
        assertEquals(9, e.offset());
        assertTrue(e.getMessage().contains("below 10") && e.getMessage().contains("found 10"), e.getMessage());
    }

    @Test
    void mnistImagesWithoutRowsOrColumnsAreRefusedNamingTheFileAndOffset() throws IOException {
        Path labels = dir.resolve("labels-idx1-ubyte");
        IdxFile.write(labels, new int[] {3}, new byte[3]);
        for (int[] dims : new int[][] {{3, 0, 0}, {3, 0, 28}, {3, 28, 0}}) {
            Path images = dir.resolve("images-idx3-ubyte");
            IdxFile.write(images, dims, new byte[0]);
            DataFileException e = assertThrows(DataFileException.class, () -> Mnist.load(images, labels, ImageDataset.numberedClasses(10)));
            String where = dims[1] == 0 ? "at byte 8: expected images of at least one row, found 0 rows" : "at byte 12: expected images of at least one column, found 0 columns";
            assertEquals(images + ": " + where, e.getMessage());
        }
    }
}
