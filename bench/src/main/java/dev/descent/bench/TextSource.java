package dev.descent.bench;

import dev.descent.data.DataFileException;
import dev.descent.data.Fortunes;
import dev.descent.data.TextDataset;
import dev.descent.data.TextFiles;
import dev.descent.data.Vocabulary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * The text a {@code --data} value names for a text model, as tokens of a vocabulary fitted on it: Debian's
 * fortunes (the default when installed), any UTF-8 file, or a generated text when neither is asked for and
 * fortunes is not installed (so {@code descent train --model gpt} runs anywhere, and says so). {@code descent
 * train} loads its text here, as it loads images through {@link ImageSource}.
 *
 * <p>A file that is not UTF-8 or is empty is the caller's mistake: an {@link IllegalArgumentException} whose
 * message names the file and the byte offset (the command line exits with 2).
 *
 * @param description what was loaded, for the run record
 * @param vocabulary  the tokens' symbols
 * @param tokens      the whole text as tokens
 * @param generated   true for the generated text
 */
public record TextSource(String description, Vocabulary vocabulary, int[] tokens, boolean generated) {

    /** What {@code --data} accepts for a text model. */
    public static final String FORMS = "fortunes[:DIR], text:PATH, generated, auto";

    /** The share of the text, at its end, held out for validation. */
    public static final double VALIDATION_FRACTION = 0.1;

    /**
     * The spec {@link #load} will load: for {@code auto}, {@code fortunes} when it is installed, else {@code generated}.
     *
     * @param spec one of {@link #FORMS}
     * @return the spec without {@code auto}
     * @throws IOException when the fortunes folder exists but cannot be listed
     */
    public static String resolve(String spec) throws IOException {
        return spec.equals("auto") ? Fortunes.installed() ? "fortunes" : "generated" : spec;
    }

    /**
     * Loads and tokenises the text {@code spec} names.
     *
     * @param spec  one of {@link #FORMS}
     * @param bytes byte tokens (the 256 byte values; any file, UTF-8 or not) instead of characters
     * @param seed  the seed of the generated text
     * @return the text as tokens
     * @throws IllegalArgumentException for an unknown spec, a missing file, an empty or (for characters) non-UTF-8 file
     * @throws IOException when a file cannot be read
     */
    public static TextSource load(String spec, boolean bytes, long seed) throws IOException {
        String kind = spec.contains(":") ? spec.substring(0, spec.indexOf(':')) : spec;
        String arg = spec.contains(":") ? spec.substring(spec.indexOf(':') + 1) : null;
        try {
            return switch (kind) {
                case "auto" -> load(resolve(spec), bytes, seed);
                case "fortunes" -> {
                    Path dir = arg == null ? Fortunes.SYSTEM_DIR : Path.of(arg);
                    if (!Files.isDirectory(dir)) {
                        throw new ImageSource.MissingDataException("fortunes not found: no folder " + dir + ". To get it: apt-get install fortunes (puts it under "
                                + Fortunes.SYSTEM_DIR + "), or pass any UTF-8 file with --data text:PATH");
                    }
                    yield of("Debian fortunes (" + dir + ")", Fortunes.text(dir), bytes, false);
                }
                case "text" -> {
                    if (arg == null || arg.isEmpty()) throw new IllegalArgumentException("text needs a file: --data text:PATH");
                    Path file = Path.of(arg);
                    if (!Files.isRegularFile(file)) throw new ImageSource.MissingDataException("text file not found: " + file);
                    if (bytes) {
                        byte[] b = TextFiles.readBytes(file);
                        int[] t = new int[b.length];
                        for (int i = 0; i < b.length; i++) t[i] = b[i] & 0xFF;
                        yield new TextSource(file.toString(), Vocabulary.bytes(), t, false);
                    }
                    yield of(file.toString(), TextFiles.read(file), false, false);
                }
                case "generated" -> of("generated sayings (seed " + seed + ")", generate(seed, 200_000), bytes, true);
                default -> throw new IllegalArgumentException("unknown text data '" + spec + "' (known: " + FORMS + ")");
            };
        } catch (DataFileException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private static TextSource of(String description, String text, boolean bytes, boolean generated) {
        Vocabulary v = bytes ? Vocabulary.bytes() : Vocabulary.characters(text);
        return new TextSource(description, v, v.encode(text), generated);
    }

    /**
     * The training and validation windows: the last {@link #VALIDATION_FRACTION} of the text validates.
     *
     * @param context tokens per window
     * @return both sets of windows
     * @throws IllegalArgumentException naming the sizes when the text is too short for the context
     */
    public TextDataset.Split split(int context) {
        try {
            return TextDataset.split(tokens, context, VALIDATION_FRACTION);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(description + ": " + e.getMessage() + "; use a longer text or a smaller --context", e);
        }
    }

    /**
     * A text of short sayings, about {@code chars} characters, from a fixed word list and a seeded generator, in the
     * fortune files' layout (each saying followed by a {@code %} line), so that a text model has something with
     * structure to learn when no corpus is installed.
     *
     * @param seed  the generator's seed
     * @param chars the length to reach
     * @return the text
     */
    public static String generate(long seed, int chars) {
        String[] subjects = {"the cat", "a wise man", "your computer", "the early bird", "every program", "a rolling stone", "the moon", "my dog"};
        String[] verbs = {"knows", "gathers", "eats", "forgets", "finds", "never sees", "always wants", "breaks"};
        String[] objects = {"the worm", "no moss", "its bugs", "the answer", "a second chance", "the last word", "what it deserves", "more coffee"};
        String[] authors = {"Anonymous", "Murphy", "Confucius", "Mark Twain"};
        SplittableRandom r = new SplittableRandom(seed);
        StringBuilder s = new StringBuilder();
        while (s.length() < chars) {
            String saying = subjects[r.nextInt(subjects.length)] + " " + verbs[r.nextInt(verbs.length)] + " " + objects[r.nextInt(objects.length)];
            s.append(Character.toUpperCase(saying.charAt(0))).append(saying, 1, saying.length()).append(r.nextInt(4) == 0 ? "!" : ".").append('\n');
            if (r.nextInt(3) == 0) s.append("\t\t-- ").append(authors[r.nextInt(authors.length)]).append('\n');
            s.append("%\n");
        }
        return s.toString();
    }
}
