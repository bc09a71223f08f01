package dev.descent.tutorial;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.descent.core.autograd.GraphDot;
import dev.descent.tutorial.docs.MarkdownIncludes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Checks the tutorial as a whole: the index, the links, the markers, the tags, and the committed graph picture. */
class TutorialDocsTest {
    private static final Path ROOT = Tutorial.root();
    private static final Path DOCS = ROOT.resolve(Tutorial.DOCS);

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<Path> markdownFiles() throws IOException {
        try (Stream<Path> s = Files.list(DOCS)) {
            return s.filter(p -> p.toString().endsWith(".md")).sorted().toList();
        }
    }

    @Test
    void theChaptersAreNumberedInOrderAndEachFileExists() {
        for (int i = 0; i < Tutorial.CHAPTERS.size(); i++) {
            Tutorial.Chapter c = Tutorial.CHAPTERS.get(i);
            assertEquals(i + 1, c.number());
            assertTrue(c.file().startsWith(String.format("%02d-", c.number())), c.file());
            assertTrue(Files.isRegularFile(DOCS.resolve(c.file())), c.file());
        }
    }

    @Test
    void everyChapterFileIsRegistered() throws IOException {
        Set<String> registered = new TreeSet<>();
        for (Tutorial.Chapter c : Tutorial.CHAPTERS) registered.add(c.file());
        Set<String> onDisk = new TreeSet<>();
        for (Path p : markdownFiles()) if (!p.getFileName().toString().equals("README.md")) onDisk.add(p.getFileName().toString());
        assertEquals(registered, onDisk);
    }

    @Test
    void theIndexLinksEveryChapterInOrderWithItsTitle() {
        String index = read(DOCS.resolve("README.md"));
        int at = -1;
        for (Tutorial.Chapter c : Tutorial.CHAPTERS) {
            int next = index.indexOf("[" + c.title() + "](" + c.file() + ")");
            assertTrue(next > at, "the index does not link " + c.file() + " as [" + c.title() + "] after the previous chapter");
            at = next;
        }
    }

    @Test
    void eachChapterStartsWithItsTitleAndSaysHowToRunIt() {
        for (Tutorial.Chapter c : Tutorial.CHAPTERS) {
            String md = read(DOCS.resolve(c.file()));
            assertTrue(md.startsWith("# " + c.number() + ". " + c.title() + "\n"), c.file() + " starts with " + md.lines().findFirst().orElse(""));
            assertTrue(md.contains("docs/tutorial/run " + c.number() + "\n") || md.contains("docs/tutorial/run " + c.number() + " "),
                    c.file() + " does not show the command that runs it");
        }
    }

    @Test
    void noChapterShowsJavaCodeOrOutputThatTheGeneratorDidNotWrite() throws IOException {
        List<String> bad = new ArrayList<>();
        for (Path p : markdownFiles()) {
            for (int line : MarkdownIncludes.handWrittenCodeBlocks(read(p))) bad.add(p.getFileName() + ":" + line);
        }
        assertEquals(List.of(), bad, "code blocks without an include or output marker");
    }

    @Test
    void everyRelativeLinkPointsToAFileThatExists() throws IOException {
        Pattern link = Pattern.compile("\\]\\(([^)\\s]+)\\)");
        List<String> broken = new ArrayList<>();
        for (Path p : markdownFiles()) {
            Matcher m = link.matcher(read(p));
            while (m.find()) {
                String target = m.group(1);
                if (target.startsWith("http://") || target.startsWith("https://") || target.startsWith("#")) continue;
                String file = target.contains("#") ? target.substring(0, target.indexOf('#')) : target;
                if (!Files.exists(p.getParent().resolve(file).normalize())) broken.add(p.getFileName() + " -> " + target);
            }
        }
        assertEquals(List.of(), broken);
    }

    @Test
    void everyTagInTheExamplesIsShownInSomeChapter() throws IOException {
        StringBuilder all = new StringBuilder();
        for (Path p : markdownFiles()) all.append(read(p));
        Pattern tag = Pattern.compile("// tag::([\\w-]+)\\[\\]");
        Set<String> unused = new LinkedHashSet<>();
        Path sources = ROOT.resolve("tutorial/src/main/java/dev/descent/tutorial");
        try (Stream<Path> s = Files.list(sources)) {
            for (Path f : s.filter(x -> x.getFileName().toString().startsWith("Ch")).sorted().toList()) {
                Matcher m = tag.matcher(read(f));
                String rel = ROOT.relativize(f).toString().replace('\\', '/');
                while (m.find()) if (all.indexOf("<!-- include: " + rel + "#" + m.group(1) + " -->") < 0) unused.add(rel + "#" + m.group(1));
            }
        }
        assertEquals(Set.of(), unused, "tagged regions no chapter includes");
    }

    @Test
    void theCommittedGraphPictureIsWhatGraphDotWritesToday() {
        String committed = read(ROOT.resolve(Tutorial.PICTURE_DOT));
        String today = GraphDot.of(Ch02Backward.tinyMlpLoss());
        String difference = ChapterDocs.firstDifference(committed, today);
        if (difference != null) fail(Tutorial.PICTURE_DOT + " is stale " + difference + "\nRun docs/tutorial/run regenerate (with graphviz installed).");
    }

    @Test
    void theSvgWasRenderedFromTheCommittedDot() {
        String dot = read(ROOT.resolve(Tutorial.PICTURE_DOT));
        String svg = read(ROOT.resolve(Tutorial.PICTURE_SVG)).replace("&#45;", "-").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
        assertTrue(svg.contains("<svg") && svg.contains("Generated by graphviz"), "not a Graphviz SVG");
        Matcher node = Pattern.compile("^\\s*(t\\d+) \\[.*label=\"([^\"\\\\]+)\\\\n([^\"]+)\"\\];$", Pattern.MULTILINE).matcher(dot);
        int nodes = 0;
        while (node.find()) {
            nodes++;
            assertTrue(svg.contains("<title>" + node.group(1) + "</title>"), "node " + node.group(1) + " is not in the SVG");
            assertTrue(svg.contains(">" + node.group(2) + "</text>"), "label " + node.group(2) + " is not in the SVG");
            assertTrue(svg.contains(">" + node.group(3) + "</text>"), "label " + node.group(3) + " is not in the SVG");
        }
        long edges = dot.lines().filter(l -> l.contains(" -> ")).count();
        assertEquals(nodes, count(svg, "class=\"node\""), "nodes in the SVG");
        assertEquals(edges, count(svg, "class=\"edge\""), "edges in the SVG");
        assertTrue(nodes > 10, "the DOT pattern found only " + nodes + " nodes");
    }

    @Test
    void thePictureIsShownInChapterTwoAndTheIndex() {
        assertTrue(read(DOCS.resolve("02-backward.md")).contains("](images/tiny-mlp-loss.svg)"));
        assertTrue(read(DOCS.resolve("README.md")).contains("](images/tiny-mlp-loss.svg)"));
    }

    @Test
    void theRunScriptIsExecutableAndCallsTheTutorialClass() {
        Path run = DOCS.resolve("run");
        assertTrue(Files.isExecutable(run), run + " is not executable");
        assertTrue(read(run).contains("dev.descent.tutorial.Tutorial"));
    }

    private static long count(String text, String what) {
        long n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) n++;
        return n;
    }
}
