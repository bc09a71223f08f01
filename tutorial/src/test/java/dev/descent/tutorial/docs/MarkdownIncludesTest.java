package dev.descent.tutorial.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The generator that fills a chapter's code and output blocks, and the drift it must detect. */
class MarkdownIncludesTest {
    private static final Map<String, String> FILES = Map.of("src/A.java", """
            class A {
                static int twice(int x) {
                    return 2 * x;
                }

                void run() {
                    // tag::call[]
                    System.out.println(twice(21));
                    // end::call[]
                }
            }
            """);

    private static String read(String path) throws IOException {
        String text = FILES.get(path);
        if (text == null) throw new NoSuchFileException(path);
        return text;
    }

    private static final String OUTPUT = "--- first ---\n42\n\n--- second ---\nhello   \nworld\n";

    private static final String CHAPTER = """
            # A chapter

            <!-- include: src/A.java#call -->
            <!-- end -->

            <!-- include: src/A.java#twice() -->
            ```java
            stale code
            ```
            <!-- end -->

            <!-- output: second -->
            <!-- end -->
            """;

    @Test
    void includesAndOutputsAreFilledAndStaleContentIsReplaced() {
        String md = MarkdownIncludes.render(CHAPTER, MarkdownIncludesTest::read, OUTPUT);
        assertEquals("""
                # A chapter

                <!-- include: src/A.java#call -->
                ```java
                System.out.println(twice(21));
                ```
                <!-- end -->

                <!-- include: src/A.java#twice() -->
                ```java
                static int twice(int x) {
                    return 2 * x;
                }
                ```
                <!-- end -->

                <!-- output: second -->
                ```text
                hello
                world
                ```
                <!-- end -->
                """, md);
    }

    @Test
    void renderingIsIdempotentAndDetectsDrift() {
        String once = MarkdownIncludes.render(CHAPTER, MarkdownIncludesTest::read, OUTPUT);
        assertEquals(once, MarkdownIncludes.render(once, MarkdownIncludesTest::read, OUTPUT));
        String edited = once.replace("return 2 * x;", "return x + x;");    // someone retyped the code in the text
        assertNotEquals(edited, MarkdownIncludes.render(edited, MarkdownIncludesTest::read, OUTPUT));
        String otherOutput = OUTPUT.replace("world", "there");                // the program now prints something else
        assertNotEquals(once, MarkdownIncludes.render(once, MarkdownIncludesTest::read, otherOutput));
    }

    @Test
    void withoutAnOutputTheOutputBlocksAreKept() {
        String once = MarkdownIncludes.render(CHAPTER, MarkdownIncludesTest::read, OUTPUT);
        assertEquals(once, MarkdownIncludes.render(once, MarkdownIncludesTest::read, null));
    }

    @Test
    void sectionsSplitTheOutputAtTheirHeaders() {
        assertEquals("42\n", MarkdownIncludes.section(OUTPUT, "first"));
        assertEquals(OUTPUT.replace("hello   ", "hello"), MarkdownIncludes.section(OUTPUT, null));
        var e = assertThrows(IllegalArgumentException.class, () -> MarkdownIncludes.section(OUTPUT, "third"));
        assertTrue(e.getMessage().contains("--- third ---"), e.getMessage());
    }

    @Test
    void brokenMarkersAreErrorsNamingTheLine() {
        var unclosed = assertThrows(IllegalArgumentException.class,
                () -> MarkdownIncludes.render("text\n<!-- include: src/A.java#call -->\n```java\n", MarkdownIncludesTest::read, null));
        assertTrue(unclosed.getMessage().startsWith("line 2:"), unclosed.getMessage());
        var noTag = assertThrows(IllegalArgumentException.class,
                () -> MarkdownIncludes.render("<!-- include: src/A.java#nope -->\n<!-- end -->\n", MarkdownIncludesTest::read, null));
        assertTrue(noTag.getMessage().contains("line 1") && noTag.getMessage().contains("src/A.java") && noTag.getMessage().contains("nope"),
                noTag.getMessage());
        var noFile = assertThrows(java.io.UncheckedIOException.class,
                () -> MarkdownIncludes.render("<!-- include: src/B.java#x -->\n<!-- end -->\n", MarkdownIncludesTest::read, null));
        assertTrue(noFile.getMessage().contains("src/B.java"), noFile.getMessage());
    }

    @Test
    void handWrittenJavaAndTextBlocksAreFoundButShellCommandsAreAllowed() {
        String md = MarkdownIncludes.render(CHAPTER, MarkdownIncludesTest::read, OUTPUT);
        assertEquals(List.of(), MarkdownIncludes.handWrittenCodeBlocks(md));
        String withCommand = md + "\n```sh\ndocs/tutorial/run 1\n```\n";
        assertEquals(List.of(), MarkdownIncludes.handWrittenCodeBlocks(withCommand));
        String withRetyped = withCommand + "\n```java\nint x = 1;\n```\n";
        int line = (int) withCommand.lines().count() + 2;
        assertEquals(List.of(line), MarkdownIncludes.handWrittenCodeBlocks(withRetyped));
    }
}
