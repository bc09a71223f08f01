package dev.descent.tutorial;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Test helper that holds a chapter's committed Markdown to what the generator writes from the sources and the chapter's output. */
final class ChapterDocs {
    private ChapterDocs() {}

    /** Fails, naming the first differing line, when chapter {@code number}'s Markdown is not what the generator would write. */
    static void assertUpToDate(int number, String output) {
        Tutorial.Chapter chapter = Tutorial.chapter(number);
        Path root = Tutorial.root();
        try {
            String committed = Files.readString(root.resolve(Tutorial.DOCS).resolve(chapter.file()));
            String regenerated = Tutorial.regenerate(root, chapter, output);
            String difference = firstDifference(committed, regenerated);
            if (difference != null) {
                fail(Tutorial.DOCS + "/" + chapter.file() + " differs from what its sources and its run produce, " + difference
                        + "\nIf the change is intended, run docs/tutorial/run regenerate and commit the result.");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A description of the first line where the two texts differ, or null when they are equal. */
    static String firstDifference(String committed, String regenerated) {
        if (committed.equals(regenerated)) return null;
        List<String> a = committed.lines().toList(), b = regenerated.lines().toList();
        for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
            String x = i < a.size() ? a.get(i) : "(end of file)", y = i < b.size() ? b.get(i) : "(end of file)";
            if (!x.equals(y)) return "at line " + (i + 1) + ":\n  committed:   " + x + "\n  regenerated: " + y;
        }
        return "in the line ends";
    }
}
