package dev.descent.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.descent.core.io.FileFormatException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Character and byte vocabularies: symbols against a sorted-set reference, encode/decode, the file and hostile files. */
class VocabularyTest {
    @TempDir
    Path dir;

    private static final int[] POOL = {'\n', ' ', 'a', 'b', 'z', '%', 0xE9, 0x3B1, 0x20AC, 0x1F600};

    private static String randomText(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n; i++) s.appendCodePoint(POOL[r.nextInt(POOL.length)]);
        return s.toString();
    }

    @Test
    void characterTokensAreTheRanksOfTheSortedDistinctCodePoints() {
        qt().forAll(integers().between(1, 300), longs().all()).checkAssert((n, seed) -> {
            String text = randomText(seed, n);
            TreeSet<Integer> set = new TreeSet<>();
            text.codePoints().forEach(set::add);
            Vocabulary v = Vocabulary.characters(text);
            assertEquals(set.size(), v.size());
            int rank = 0;
            for (int cp : set) {
                assertEquals(cp, v.symbol(rank));
                assertEquals(rank, v.token(cp));
                rank++;
            }
            int[] tokens = v.encode(text);
            assertEquals(text.codePointCount(0, text.length()), tokens.length);
            int[] cps = text.codePoints().toArray();
            for (int i = 0; i < tokens.length; i++) assertEquals(cps[i], v.symbol(tokens[i]));
            assertEquals(text, v.decode(tokens));
        });
    }

    @Test
    void byteTokensAreTheUtf8Bytes() {
        qt().forAll(integers().between(0, 200), longs().all()).checkAssert((n, seed) -> {
            String text = randomText(seed, n);
            byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
            int[] tokens = Vocabulary.bytes().encode(text);
            assertEquals(utf8.length, tokens.length);
            for (int i = 0; i < utf8.length; i++) assertEquals(utf8[i] & 0xFF, tokens[i]);
            assertEquals(text, Vocabulary.bytes().decode(tokens));
        });
        assertEquals(256, Vocabulary.bytes().size());
    }

    @Test
    void aCharacterOutsideTheVocabularyIsNamedWithItsPosition() {
        Vocabulary v = Vocabulary.characters("hello world");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> v.encode("hello Zoë"));
        assertTrue(e.getMessage().contains("'Z' (U+005A)") && e.getMessage().contains("position 6"), e.getMessage());
        IllegalArgumentException tab = assertThrows(IllegalArgumentException.class, () -> v.encode("he\tlo"));
        assertTrue(tab.getMessage().contains("U+0009"), tab.getMessage());
        assertThrows(IllegalArgumentException.class, () -> v.decode(new int[] {v.size()}));
        assertThrows(IllegalArgumentException.class, () -> Vocabulary.characters(""));
    }

    @Test
    void savesAndLoadsBothModes() throws IOException {
        qt().forAll(integers().between(1, 300), longs().all()).checkAssert((n, seed) -> {
            Vocabulary v = Vocabulary.characters(randomText(seed, n) + "\"\\\u0000");
            Path f = dir.resolve("vocabulary.json");
            try {
                v.save(f);
                assertEquals(v, Vocabulary.load(f));
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
        Path f = dir.resolve("bytes.json");
        Vocabulary.bytes().save(f);
        assertEquals(Vocabulary.bytes(), Vocabulary.load(f));
    }

    @Test
    void hostileFilesAreRejectedNamingTheFileAndOffset() throws IOException {
        assertRejected("", 0, "JSON");
        assertRejected("{\"format\": \"descent-vocabulary\", \"version\": 1, \"mode\": \"characters\", \"symbols\": [97, 98,]}", 88, "JSON");
        // the offset counts bytes: é takes two
        assertRejected("{\"format\": \"é\" x}", 16, "JSON");
        assertRejected("[1, 2]", 0, "object");
        assertRejected("{\"format\": \"descent-vocabulary\", \"version\": 1, \"mode\": \"characters\"}", 0, "keys");
        assertRejected("{\"format\": \"other\", \"version\": 1, \"mode\": \"characters\", \"symbols\": [97]}", 0, "format");
        assertRejected("{\"format\": \"descent-vocabulary\", \"version\": 2, \"mode\": \"characters\", \"symbols\": [97]}", 0, "version 1");
        assertRejected("{\"format\": \"descent-vocabulary\", \"version\": 1, \"mode\": \"words\", \"symbols\": [97]}", 0, "mode");
        assertRejected("{\"format\": \"descent-vocabulary\", \"version\": 1, \"mode\": \"characters\", \"symbols\": [98, 97]}", 0, "not above");
        assertRejected("{\"format\": \"descent-vocabulary\", \"version\": 1, \"mode\": \"characters\", \"symbols\": [97, 97]}", 0, "not above");
        assertRejected("{\"format\": \"descent-vocabulary\", \"version\": 1, \"mode\": \"characters\", \"symbols\": [55296]}", 0, "scalar");
        assertRejected("{\"format\": \"descent-vocabulary\", \"version\": 1, \"mode\": \"characters\", \"symbols\": [1114112]}", 0, "whole number");
        assertRejected("{\"format\": \"descent-vocabulary\", \"version\": 1, \"mode\": \"characters\", \"symbols\": [1.5]}", 0, "whole number");
        assertRejected("{\"format\": \"descent-vocabulary\", \"version\": 1, \"mode\": \"characters\", \"symbols\": []}", 0, "at least one");
        assertRejected("{\"format\": \"descent-vocabulary\", \"version\": 1, \"mode\": \"bytes\", \"symbols\": [0, 1]}", 0, "256");

        Path bad = dir.resolve("utf8.json");
        Files.write(bad, new byte[] {'{', '"', (byte) 0xC3, '"', '}'});
        FileFormatException e = assertThrows(FileFormatException.class, () -> Vocabulary.load(bad));
        assertEquals(2, e.offset(), e.getMessage());

        Path huge = dir.resolve("huge.json");
        try (RandomAccessFile f = new RandomAccessFile(huge.toFile(), "rw")) {
            f.setLength(Vocabulary.MAX_FILE_BYTES + 1);
        }
        FileFormatException h = assertThrows(FileFormatException.class, () -> Vocabulary.load(huge));
        assertTrue(h.getMessage().contains("huge.json") && h.getMessage().contains("at most"), h.getMessage());
    }

    private void assertRejected(String content, long offset, String says) throws IOException {
        Path f = dir.resolve("vocabulary.json");
        Files.writeString(f, content);
        FileFormatException e = assertThrows(FileFormatException.class, () -> Vocabulary.load(f), content);
        assertEquals(offset, e.offset(), e.getMessage());
        assertTrue(e.getMessage().contains("vocabulary.json") && e.getMessage().contains(says), e.getMessage());
        assertArrayEquals(content.getBytes(StandardCharsets.UTF_8), Files.readAllBytes(f));
    }
}
