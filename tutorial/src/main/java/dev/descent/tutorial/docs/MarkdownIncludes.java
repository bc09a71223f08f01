package dev.descent.tutorial.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The generator that keeps a chapter's code and printed output equal to the compiled examples: it
 * fills every marked block of a Markdown file from the sources, or from what the chapter printed.
 *
 * <p>Two markers, each closed by {@code <!-- end -->}; whatever lies between is replaced:
 * <pre>
 * &lt;!-- include: tutorial/src/main/java/dev/descent/tutorial/Ch01Tensors.java#broadcast --&gt;
 *     the region between "// tag::broadcast[]" and "// end::broadcast[]", as a java code block
 * &lt;!-- include: core/src/main/java/dev/descent/core/autograd/Engine.java#walk() --&gt;
 *     the method walk, declaration and body
 * &lt;!-- output: broadcast --&gt;
 *     the lines the chapter printed under its header "--- broadcast ---" ("&lt;!-- output --&gt;": all of it)
 * </pre>
 * Paths are relative to the repository's root. Rendering is a pure function of the Markdown, the
 * sources and the output, so a test can regenerate a chapter and compare it with the committed file.
 */
public final class MarkdownIncludes {
    private MarkdownIncludes() {}

    private static final Pattern INCLUDE = Pattern.compile("<!-- include: (\\S+?)(?:#(\\S+))? -->");
    private static final Pattern OUTPUT = Pattern.compile("<!-- output(?:: (\\S+))? -->");
    private static final String END = "<!-- end -->";
    private static final Pattern SECTION = Pattern.compile("--- (.+) ---");

    /** Reads a source file by its path from the repository's root. */
    @FunctionalInterface
    public interface Sources {
        /**
         * The text of a file.
         *
         * @param path relative to the repository's root, with forward slashes
         * @return the file's text
         * @throws IOException when it cannot be read
         */
        String read(String path) throws IOException;
    }

    /**
     * The Markdown with every marked block regenerated.
     *
     * @param markdown the chapter as committed
     * @param sources where included files are read from
     * @param output what the chapter printed, or null to leave output blocks as they are
     * @return the chapter as the generator writes it
     * @throws IllegalArgumentException naming the line of a marker that is not closed, or that names
     *     a missing file, tag, method or output section
     */
    public static String render(String markdown, Sources sources, String output) {
        List<String> lines = markdown.lines().toList();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            sb.append(line).append('\n');
            Matcher inc = INCLUDE.matcher(line.trim()), out = OUTPUT.matcher(line.trim());
            boolean isInclude = inc.matches(), isOutput = out.matches();
            if (!isInclude && !isOutput) continue;
            int end = closing(lines, i);
            String where = "line " + (i + 1) + " (" + line.trim() + ")";
            if (isInclude) {
                sb.append(codeBlock(include(sources, inc.group(1), inc.group(2), where), language(inc.group(1))));
            } else if (output == null) {
                for (String kept : lines.subList(i + 1, end)) sb.append(kept).append('\n');
            } else {
                sb.append(codeBlock(section(output, out.group(1), where), "text"));
            }
            sb.append(END).append('\n');
            i = end;
        }
        return sb.toString();
    }

    /**
     * The line numbers (1-based) of fenced code blocks that are not inside a generated block: code a
     * chapter would show without it being compiled. Shell commands ({@code sh}, {@code bash}) and
     * plain fences are allowed; {@code java} and {@code text} fences are not.
     *
     * @param markdown a chapter
     * @return the offending fences' line numbers, empty when every such block is generated
     */
    public static List<Integer> handWrittenCodeBlocks(String markdown) {
        List<String> lines = markdown.lines().toList();
        List<Integer> bad = new ArrayList<>();
        boolean generated = false, inFence = false;
        for (int i = 0; i < lines.size(); i++) {
            String t = lines.get(i).trim();
            if (INCLUDE.matcher(t).matches() || OUTPUT.matcher(t).matches()) generated = true;
            else if (t.equals(END)) generated = false;
            else if (t.startsWith("```")) {
                if (!inFence && !generated && (t.startsWith("```java") || t.startsWith("```text"))) bad.add(i + 1);
                inFence = !inFence;
            }
        }
        return bad;
    }

    /**
     * The lines a chapter printed under the header {@code --- name ---}, up to the next header; the
     * whole output when {@code name} is null. Trailing blank lines are dropped.
     *
     * @param output everything the chapter printed
     * @param name the section's name, or null
     * @return the section, ending with a newline
     * @throws IllegalArgumentException when there is no such section
     */
    public static String section(String output, String name) {
        return section(output, name, "section '" + name + "'");
    }

    private static String section(String output, String name, String where) {
        List<String> lines = output.lines().toList();
        List<String> picked = new ArrayList<>();
        boolean in = name == null, found = name == null;
        for (String line : lines) {
            Matcher h = SECTION.matcher(line);
            if (h.matches()) {
                in = name == null || h.group(1).equals(name);
                found |= in;
                if (name != null) continue;
            }
            if (in) picked.add(line);
        }
        if (!found) throw new IllegalArgumentException(where + ": the chapter printed no section '--- " + name + " ---'");
        while (!picked.isEmpty() && picked.getLast().isBlank()) picked.removeLast();
        while (!picked.isEmpty() && picked.getFirst().isBlank()) picked.removeFirst();
        StringBuilder sb = new StringBuilder();
        for (String l : picked) sb.append(l.stripTrailing()).append('\n');
        return sb.toString();
    }

    private static int closing(List<String> lines, int from) {
        for (int j = from + 1; j < lines.size(); j++) {
            String t = lines.get(j).trim();
            if (t.equals(END)) return j;
            if (INCLUDE.matcher(t).matches() || OUTPUT.matcher(t).matches()) break;
        }
        throw new IllegalArgumentException("line " + (from + 1) + ": '" + lines.get(from).trim() + "' has no '" + END + "' before the next marker");
    }

    private static String include(Sources sources, String path, String fragment, String where) {
        String text;
        try {
            text = sources.read(path);
        } catch (IOException e) {
            throw new UncheckedIOException(where + ": cannot read " + path, e);
        }
        try {
            if (fragment == null) return text.endsWith("\n") ? text : text + "\n";
            if (fragment.endsWith("()")) return SourceRegions.member(text, fragment.substring(0, fragment.length() - 2));
            return SourceRegions.tagged(text, fragment);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + path + ": " + e.getMessage(), e);
        }
    }

    private static String language(String path) {
        return path.endsWith(".java") ? "java" : path.endsWith(".md") ? "markdown" : "";
    }

    private static String codeBlock(String body, String language) {
        return "```" + language + "\n" + body + "```\n";
    }
}
