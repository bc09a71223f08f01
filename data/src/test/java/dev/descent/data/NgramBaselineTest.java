package dev.descent.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The unigram and bigram baselines: equal to a reference written from the smoothing formulas, and bigram below unigram on text. */
class NgramBaselineTest {
    @Test
    void equalsTheFormulasOnStrings() {
        qt().forAll(integers().between(10, 400), integers().between(1, 6), longs().all()).checkAssert((n, context, seed) -> {
            SplittableRandom r = new SplittableRandom(seed);
            StringBuilder s = new StringBuilder();
            for (int i = 0; i < n; i++) s.append("abcab ".charAt(r.nextInt(6)));
            String text = s.toString() + "abc ";
            Vocabulary v = Vocabulary.characters(text);
            int[] tokens = v.encode(text);
            int cut = (int) Math.floor(tokens.length * 0.8);
            if (cut < 2 * context || tokens.length - cut < context + 1) return;
            TextDataset.Split split = TextDataset.split(tokens, context, 0.2);
            NgramBaseline b = NgramBaseline.of(v.size(), split.train(), split.validation());

            // reference over the strings: counts in maps, the same smoothing written out
            String train = text.substring(0, cut);
            int size = v.size();
            Map<Character, Integer> c1 = new HashMap<>();
            Map<String, Integer> c2 = new HashMap<>();
            Map<Character, Integer> cPrev = new HashMap<>();
            for (int i = 0; i < train.length(); i++) {
                c1.merge(train.charAt(i), 1, Integer::sum);
                if (i > 0) {
                    c2.merge(train.substring(i - 1, i + 1), 1, Integer::sum);
                    cPrev.merge(train.charAt(i - 1), 1, Integer::sum);
                }
            }
            double uni = 0, bi = 0;
            int count = 0;
            for (int w = 0; w < split.validation().size(); w++) {
                for (int k = 0; k < context; k++) {
                    int pos = cut + w * context + k;
                    char a = text.charAt(pos), c = text.charAt(pos + 1);
                    double pc = (c1.getOrDefault(c, 0) + 1.0) / (train.length() + size);
                    uni -= Math.log(pc);
                    bi -= Math.log((c2.getOrDefault("" + a + c, 0) + size * pc) / (cPrev.getOrDefault(a, 0) + (double) size));
                    count++;
                }
            }
            assertEquals(count, b.targets());
            assertEquals(uni / count, b.unigram(), 1e-9);
            assertEquals(bi / count, b.bigram(), 1e-9);
        });
    }

    /** Fortune-like text: short sayings from a small word list, separated by % lines as in the fortune files. */
    private static String fortuneLike(long seed, int sayings) {
        String[] words = {"the", "a", "man", "who", "knows", "his", "cat", "will", "never", "be", "late", "for", "dinner", "and", "life", "is",
            "what", "happens", "when", "you", "are", "busy", "making", "other", "plans", "--", "Anonymous"};
        SplittableRandom r = new SplittableRandom(seed);
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < sayings; i++) {
            int n = 4 + r.nextInt(12);
            for (int k = 0; k < n; k++) s.append(k == 0 ? "" : r.nextInt(9) == 0 ? "\n" : " ").append(words[r.nextInt(words.length)]);
            s.append(".\n%\n");
        }
        return s.toString();
    }

    @Test
    void bigramIsBelowUnigramOnFortuneLikeText() {
        qt().withExamples(20).forAll(longs().all(), integers().between(200, 800)).checkAssert((seed, sayings) -> {
            String text = fortuneLike(seed, sayings);
            Vocabulary v = Vocabulary.characters(text);
            TextDataset.Split split = TextDataset.split(v.encode(text), 64, 0.1);
            NgramBaseline b = NgramBaseline.of(v.size(), split.train(), split.validation());
            assertTrue(b.bigram() < b.unigram(), b.toString());
            assertTrue(b.unigram() <= Math.log(v.size()) + 0.05, "unigram " + b.unigram() + " vs uniform " + Math.log(v.size()));
        });
    }

    @Test
    void bigramIsBelowUnigramOnTheInstalledFortunes() throws IOException {
        assumeTrue(Fortunes.installed(), "fortunes not installed");
        String text = Fortunes.text(Fortunes.SYSTEM_DIR);
        Vocabulary v = Vocabulary.characters(text);
        TextDataset.Split split = TextDataset.split(v.encode(text), 128, 0.1);
        NgramBaseline b = NgramBaseline.of(v.size(), split.train(), split.validation());
        assertTrue(b.bigram() < b.unigram(), b.toString());
        assertEquals(b.unigram() / Math.log(2), NgramBaseline.bits(b.unigram()), 1e-12);
    }
}
