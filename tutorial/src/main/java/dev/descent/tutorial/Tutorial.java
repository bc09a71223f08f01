package dev.descent.tutorial;

import dev.descent.core.autograd.GraphDot;
import dev.descent.tutorial.docs.Captured;
import dev.descent.tutorial.docs.MarkdownIncludes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * The tutorial's command line and its table of contents: {@code docs/tutorial/run 3} runs chapter 3,
 * {@code docs/tutorial/run regenerate} rewrites every chapter's code and output blocks from these
 * sources (and the graph picture), {@code docs/tutorial/run list} lists the chapters.
 */
public final class Tutorial {
    private Tutorial() {}

    /**
     * One chapter: its Markdown file under {@code docs/tutorial/}, its example class, and the run
     * whose output the Markdown shows.
     *
     * @param number the chapter's number, from 1
     * @param file the Markdown file's name, e.g. {@code 01-tensors.md}
     * @param title the chapter's title
     * @param main the example's {@code main}, which takes the chapter's optional arguments
     * @param run the run the text shows (no arguments), returning what the text claims
     */
    public record Chapter(int number, String file, String title, Main main, Callable<?> run) {}

    /** A chapter's {@code main} method. */
    @FunctionalInterface
    public interface Main {
        /**
         * Runs the chapter.
         *
         * @param args the chapter's arguments
         * @throws Exception when the chapter fails
         */
        void main(String[] args) throws Exception;
    }

    /** Every chapter, in reading order. */
    public static final List<Chapter> CHAPTERS = List.of(
            new Chapter(1, "01-tensors.md", "Tensors and broadcasting", Ch01Tensors::main, Ch01Tensors::run),
            new Chapter(2, "02-backward.md", "Building a graph and calling backward", Ch02Backward::main, Ch02Backward::run),
            new Chapter(3, "03-engine.md", "What the engine does", Ch03Engine::main, Ch03Engine::run),
            new Chapter(4, "04-gradcheck.md", "Checking gradients", Ch04GradCheck::main, Ch04GradCheck::run),
            new Chapter(5, "05-custom-op.md", "Writing a custom op", Ch05CustomOp::main, Ch05CustomOp::run),
            new Chapter(6, "06-mlp.md", "An MLP from scratch", Ch06Mlp::main, Ch06Mlp::run),
            new Chapter(7, "07-cnn.md", "A CNN with the library's layers", Ch07Cnn::main, Ch07Cnn::run),
            new Chapter(8, "08-optimizers.md", "Choosing an optimizer", Ch08Optimizers::main, Ch08Optimizers::run),
            new Chapter(9, "09-forward-reverse.md", "Forward and reverse mode", Ch09Modes::main, Ch09Modes::run),
            new Chapter(10, "10-verify-op.md", "Verify your own op", Ch10VerifyOp::main, Ch10VerifyOp::run),
            new Chapter(11, "11-gpt.md", "From bigram counts to a small GPT", Ch11Gpt::main, Ch11Gpt::run));

    /** Where the chapters live, relative to the repository's root. */
    public static final String DOCS = "docs/tutorial";

    /** The committed graph picture of chapter 2 (the tiny MLP's loss) as DOT, relative to the repository's root. */
    public static final String PICTURE_DOT = DOCS + "/images/tiny-mlp-loss.dot";

    /** The same picture rendered by Graphviz ({@code dot -Tsvg}). */
    public static final String PICTURE_SVG = DOCS + "/images/tiny-mlp-loss.svg";

    /**
     * Prints the header {@code --- name ---} that starts an output section a chapter's text can show.
     *
     * @param name the section's name
     */
    public static void section(String name) {
        System.out.println("--- " + name + " ---");
    }

    /**
     * The chapter with the given number.
     *
     * @param number from 1
     * @return the chapter
     * @throws IllegalArgumentException when there is no such chapter
     */
    public static Chapter chapter(int number) {
        for (Chapter c : CHAPTERS) if (c.number() == number) return c;
        throw new IllegalArgumentException("there is no chapter " + number + "; the chapters are 1 to " + CHAPTERS.size());
    }

    /**
     * The repository's root: the nearest folder at or above the working directory (or the system
     * property {@code descent.home}) that holds {@code docs/tutorial}.
     *
     * @return the root folder
     * @throws IllegalStateException when none is found
     */
    public static Path root() {
        String home = System.getProperty("descent.home");
        Path start = Path.of(home != null ? home : System.getProperty("user.dir")).toAbsolutePath();
        for (Path p = start; p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve(DOCS)) && Files.isRegularFile(p.resolve("pom.xml"))) return p;
        }
        throw new IllegalStateException("no folder at or above " + start + " holds " + DOCS + "; run from inside the Descent repository");
    }

    /**
     * The chapter's Markdown as the generator writes it, given what the chapter printed.
     *
     * @param root the repository's root
     * @param chapter the chapter
     * @param output what its run printed
     * @return the regenerated Markdown
     * @throws IOException when the chapter or an included source cannot be read
     */
    public static String regenerate(Path root, Chapter chapter, String output) throws IOException {
        String markdown = Files.readString(root.resolve(DOCS).resolve(chapter.file()));
        return MarkdownIncludes.render(markdown, path -> Files.readString(root.resolve(path)), output);
    }

    /**
     * {@code N [args]} runs chapter N; {@code regenerate} rewrites the chapters and the picture;
     * {@code list} lists the chapters.
     *
     * @param args the command
     * @throws Exception when a chapter fails or a file cannot be written
     */
    public static void main(String[] args) throws Exception {
        String command = args.length == 0 ? "list" : args[0];
        switch (command) {
            case "list" -> {
                for (Chapter c : CHAPTERS) System.out.printf("%2d  %-28s %s%n", c.number(), c.file(), c.title());
                System.out.println("run one with: docs/tutorial/run N");
            }
            case "regenerate" -> regenerateAll(root());
            default -> {
                Chapter chapter;
                try {
                    chapter = chapter(Integer.parseInt(command));
                } catch (IllegalArgumentException e) { // NumberFormatException included
                    System.err.println("tutorial: expected a chapter number from 1 to " + CHAPTERS.size() + ", 'list' or 'regenerate'; got '"
                            + command + "'");
                    System.exit(2);
                    return;
                }
                chapter.main().main(Arrays.copyOfRange(args, 1, args.length));
            }
        }
    }

    private static void regenerateAll(Path root) throws IOException, InterruptedException {
        for (Chapter c : CHAPTERS) {
            long start = System.nanoTime();
            Captured<?> run = Captured.run(c.run());
            Path file = root.resolve(DOCS).resolve(c.file());
            String before = Files.readString(file), after = regenerate(root, c, run.output());
            if (!after.equals(before)) Files.writeString(file, after);
            System.out.printf("%s %s (ran in %.1f s)%n", after.equals(before) ? "unchanged" : "updated  ", root.relativize(file),
                    (System.nanoTime() - start) / 1e9);
        }
        regeneratePicture(root);
    }

    /** Writes the tiny MLP's graph as DOT and renders it to SVG with Graphviz, when {@code dot} is installed. */
    private static void regeneratePicture(Path root) throws IOException, InterruptedException {
        Path dot = root.resolve(PICTURE_DOT), svg = root.resolve(PICTURE_SVG);
        String text = GraphDot.of(Ch02Backward.tinyMlpLoss());
        boolean changed = !Files.exists(dot) || !Files.readString(dot).equals(text);
        if (changed) Files.writeString(dot, text);
        System.out.println((changed ? "updated   " : "unchanged ") + root.relativize(dot));
        try {
            Process p = new ProcessBuilder("dot", "-Tsvg", dot.toString(), "-o", svg.toString()).inheritIO().start();
            if (p.waitFor() != 0) throw new IOException("dot -Tsvg " + dot + " failed with exit code " + p.exitValue());
            System.out.println("rendered  " + root.relativize(svg) + " (dot -Tsvg " + root.relativize(dot) + " -o " + root.relativize(svg) + ")");
        } catch (IOException noDot) {
            if (noDot.getMessage() != null && noDot.getMessage().startsWith("dot -Tsvg")) throw noDot;
            System.out.println("not rendered: no 'dot' program (apt-get install graphviz), so " + root.relativize(svg) + " may be stale");
        }
    }
}
