package dev.descent.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Strict UTF-8 reading: valid text round-trips; a malformed sequence is reported at its byte offset; an empty file is an error. */
class TextFilesTest {
    @TempDir
    Path dir;

    /** Code points of every UTF-8 length: 1, 2, 3 and 4 bytes. */
    private static final int[] POOL = {'a', 'Z', ' ', '\n', '%', 0xE9, 0x3B1, 0x20AC, 0x4E2D, 0x1F600, 0x10348};

    /** The invalid sequences inserted: a lone continuation byte, 0xFF, an overlong '/', an encoded surrogate, a cut-off 3-byte sequence. */
    private static final byte[][] BAD = {{(byte) 0x80}, {(byte) 0xFF}, {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
        {(byte) 0xE2, (byte) 0x82}};

    private static String randomText(SplittableRandom r, int n) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n; i++) s.appendCodePoint(POOL[r.nextInt(POOL.length)]);
        return s.toString();
    }

    @Test
    void validTextReadsBackExactly() {
        qt().forAll(integers().between(1, 200), longs().all()).checkAssert((n, seed) -> {
            String text = randomText(new SplittableRandom(seed), n);
            try {
                Path f = dir.resolve("ok.txt");
                Files.write(f, text.getBytes(StandardCharsets.UTF_8));
                assertEquals(text, TextFiles.read(f));
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
    }

    @Test
    void aMalformedSequenceIsReportedAtItsByteOffset() {
        qt().forAll(integers().between(0, 60), integers().between(0, 60), integers().between(0, BAD.length - 1), longs().all())
                .checkAssert((before, after, kind, seed) -> {
                    SplittableRandom r = new SplittableRandom(seed);
                    byte[] head = randomText(r, before).getBytes(StandardCharsets.UTF_8);
                    // a cut-off sequence followed by ASCII is malformed too; at the very end it is truncated
                    byte[] tail = (kind == 4 && after > 0 ? "x" + randomText(r, after) : randomText(r, after)).getBytes(StandardCharsets.UTF_8);
                    ByteArrayOutputStream b = new ByteArrayOutputStream();
                    b.writeBytes(head);
                    b.writeBytes(BAD[kind]);
                    b.writeBytes(tail);
                    Path f = dir.resolve("bad.txt");
                    try {
                        Files.write(f, b.toByteArray());
                        DataFileException e = assertThrows(DataFileException.class, () -> TextFiles.read(f));
                        assertEquals(head.length, e.offset(), e.getMessage());
                        assertEquals(f, e.file());
                        assertTrue(e.getMessage().contains("at byte " + head.length) && e.getMessage().contains("UTF-8"), e.getMessage());
                        assertTrue(e.getMessage().contains(String.format("%02x", BAD[kind][0] & 0xFF)), e.getMessage());
                    } catch (IOException ex) {
                        throw new AssertionError(ex);
                    }
                });
    }

    @Test
    void anEmptyFileIsAnErrorNamingIt() throws IOException {
        Path f = dir.resolve("empty.txt");
        Files.write(f, new byte[0]);
        DataFileException e = assertThrows(DataFileException.class, () -> TextFiles.read(f));
        assertEquals(0, e.offset());
        assertTrue(e.getMessage().contains("empty.txt") && e.getMessage().contains("an empty file"), e.getMessage());
        assertThrows(DataFileException.class, () -> TextFiles.readAll(List.of(f)));
    }

    @Test
    void readAllConcatenatesInTheGivenOrder() throws IOException {
        List<Path> files = new ArrayList<>();
        String[] parts = {"abc\n", "é€\n", "%\n"};
        for (int i = 0; i < parts.length; i++) {
            Path f = dir.resolve("p" + i);
            Files.writeString(f, parts[i]);
            files.add(f);
        }
        assertEquals("abc\né€\n%\n", TextFiles.readAll(files));
        assertEquals("%\nabc\n", TextFiles.readAll(List.of(files.get(2), files.get(0))));
    }
}
