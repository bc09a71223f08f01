package dev.descent.tutorial.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.tutorial.Tutorial;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/** Cutting tagged regions and single methods out of Java sources, as the chapters include them. */
class SourceRegionsTest {
    private static final String TAGGED = """
            class A {
                void f() {
                    // tag::outer[]
                    int a = 1;

                    // tag::inner[]
                    int b = 2;
                    // end::inner[]
                    int c = 3;
                    // end::outer[]
                }
            }
            """;

    @Test
    void aTaggedRegionIsDedentedAndLosesNestedTagLines() {
        assertEquals("int a = 1;\n\nint b = 2;\nint c = 3;\n", SourceRegions.tagged(TAGGED, "outer"));
        assertEquals("int b = 2;\n", SourceRegions.tagged(TAGGED, "inner"));
    }

    @Test
    void aMissingOrBrokenTagIsAnErrorNamingIt() {
        var missing = assertThrows(IllegalArgumentException.class, () -> SourceRegions.tagged(TAGGED, "other"));
        assertTrue(missing.getMessage().contains("tag::other[]"), missing.getMessage());
        var open = assertThrows(IllegalArgumentException.class, () -> SourceRegions.tagged("// tag::x[]\nint a;\n", "x"));
        assertTrue(open.getMessage().contains("never closed"), open.getMessage());
        var twice = assertThrows(IllegalArgumentException.class, () -> SourceRegions.tagged("// tag::x[]\n// tag::x[]\n// end::x[]\n", "x"));
        assertTrue(twice.getMessage().contains("opened twice"), twice.getMessage());
        var empty = assertThrows(IllegalArgumentException.class, () -> SourceRegions.tagged("// tag::x[]\n\n// end::x[]\n", "x"));
        assertTrue(empty.getMessage().contains("empty"), empty.getMessage());
    }

    private static final String METHODS = """
            class B {
                int g() {
                    return f(1) + h(f(2));            // calls, not declarations
                }

                /** Javadoc is left out. */
                @SuppressWarnings("unused")
                static int f(int x) {
                    String s = "}{ not a brace";      // braces in strings,
                    char c = '}';                     // characters
                    /* and comments { */              // do not count
                    Runnable r = () -> f(0);
                    if (x > 0) {
                        return x;
                    }
                    return 0;
                }

                abstract int h(int y);
            }
            """;

    @Test
    void aMethodIsItsDeclarationAndBodyWithAnnotationsButWithoutJavadoc() {
        String f = SourceRegions.member(METHODS, "f");
        assertTrue(f.startsWith("@SuppressWarnings(\"unused\")\nstatic int f(int x) {\n"), f);
        assertTrue(f.endsWith("    return 0;\n}\n"), f);
        assertEquals(11, f.lines().count(), f);
    }

    @Test
    void callsAreNotMistakenForDeclarationsAndABodilessMethodEndsAtItsSemicolon() {
        assertEquals("abstract int h(int y);\n", SourceRegions.member(METHODS, "h"));
        var e = assertThrows(IllegalArgumentException.class, () -> SourceRegions.member(METHODS, "r"));
        assertTrue(e.getMessage().contains("'r'"), e.getMessage());
    }

    @Test
    void theEngineMethodsChapterThreeQuotesAreFoundWhole() throws Exception {
        String engine = Files.readString(Tutorial.root().resolve("core/src/main/java/dev/descent/core/autograd/Engine.java"));
        String walk = SourceRegions.member(engine, "walk");
        assertTrue(walk.startsWith("private static void walk("), walk);
        assertEquals(walk.chars().filter(c -> c == '{').count(), walk.chars().filter(c -> c == '}').count(), walk);
        assertTrue(SourceRegions.member(engine, "topologicalOrder").contains("return postOrder;"));
    }
}
