package dev.descent.tutorial.docs;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Cuts the part of a Java source that a chapter shows: a region between tag comments
 * ({@code // tag::name[]} … {@code // end::name[]}), or one method or constructor by name.
 */
public final class SourceRegions {
    private SourceRegions() {}

    /**
     * The lines between {@code // tag::name[]} and {@code // end::name[]}, without any tag comment
     * lines (of this or nested tags), with their common indentation removed.
     *
     * @param source the file's text
     * @param tag the tag's name
     * @return the region, ending with a newline
     * @throws IllegalArgumentException when the tag is missing, opened twice, or never closed
     */
    public static String tagged(String source, String tag) {
        List<String> lines = source.lines().toList();
        int start = -1, end = -1;
        for (int i = 0; i < lines.size(); i++) {
            String t = lines.get(i).trim();
            if (t.equals("// tag::" + tag + "[]")) {
                if (start >= 0) throw new IllegalArgumentException("tag '" + tag + "' is opened twice (lines " + (start + 1) + " and " + (i + 1) + ")");
                start = i;
            } else if (t.equals("// end::" + tag + "[]")) {
                if (start < 0) throw new IllegalArgumentException("tag '" + tag + "' is closed at line " + (i + 1) + " before it is opened");
                if (end >= 0) throw new IllegalArgumentException("tag '" + tag + "' is closed twice");
                end = i;
            }
        }
        if (start < 0) throw new IllegalArgumentException("no '// tag::" + tag + "[]' in the source");
        if (end < 0) throw new IllegalArgumentException("tag '" + tag + "' opened at line " + (start + 1) + " is never closed");
        List<String> out = new ArrayList<>();
        for (String line : lines.subList(start + 1, end)) {
            String t = line.trim();
            if (!(t.startsWith("// tag::") || t.startsWith("// end::"))) out.add(line);
        }
        while (!out.isEmpty() && out.getFirst().isBlank()) out.removeFirst();
        while (!out.isEmpty() && out.getLast().isBlank()) out.removeLast();
        if (out.isEmpty()) throw new IllegalArgumentException("tag '" + tag + "' is empty");
        return dedent(out);
    }

    /**
     * The declaration and body of the first method or constructor called {@code name} (its
     * annotations included, its Javadoc not), with its common indentation removed.
     *
     * @param source the file's text
     * @param name the member's simple name
     * @return the member, ending with a newline
     * @throws IllegalArgumentException when no such member is declared
     */
    public static String member(String source, String name) {
        List<String> lines = source.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            if (!declares(lines.get(i), name)) continue;
            int first = i;
            while (first > 0 && lines.get(first - 1).trim().startsWith("@")) first--;
            int last = closingLine(lines, i);
            return dedent(lines.subList(first, last + 1));
        }
        throw new IllegalArgumentException("no method or constructor '" + name + "' is declared in the source");
    }

    /** Modifiers, type parameters and a type: what may stand before a member's name in its declaration. */
    private static final Pattern BEFORE_NAME = Pattern.compile("[\\w<>\\[\\],? ]+");

    /** Words that can precede "name(" in a statement but never start a declaration. */
    private static final Set<String> STATEMENT_WORDS = Set.of("return", "new", "throw", "else", "case", "yield", "assert");

    /** True when {@code line} starts a declaration of {@code name}: modifiers and a type, then the name and "(". */
    private static boolean declares(String line, String name) {
        String t = line.trim();
        if (t.startsWith("//") || t.startsWith("*") || t.startsWith("/*")) return false;
        int at = t.indexOf(" " + name + "(");
        if (at < 0) return false;
        String before = t.substring(0, at).trim();
        if (before.isEmpty() || !BEFORE_NAME.matcher(before).matches()) return false;
        String lastWord = before.substring(before.lastIndexOf(' ') + 1);
        String firstWord = before.split(" ")[0];
        return !STATEMENT_WORDS.contains(lastWord) && !STATEMENT_WORDS.contains(firstWord);
    }

    /** The line holding the brace that closes the first "{" at or after line {@code from} (or the ";" of a bodiless declaration). */
    private static int closingLine(List<String> lines, int from) {
        int depth = 0;
        boolean opened = false, blockComment = false;
        for (int i = from; i < lines.size(); i++) {
            String s = lines.get(i);
            for (int k = 0; k < s.length(); k++) {
                char c = s.charAt(k);
                if (blockComment) {
                    if (c == '*' && k + 1 < s.length() && s.charAt(k + 1) == '/') {
                        blockComment = false;
                        k++;
                    }
                } else if (c == '/' && k + 1 < s.length() && s.charAt(k + 1) == '/') {
                    break; // line comment: the rest of the line is text
                } else if (c == '/' && k + 1 < s.length() && s.charAt(k + 1) == '*') {
                    blockComment = true;
                    k++;
                } else if (c == '"' || c == '\'') {
                    k = skipLiteral(s, k);
                } else if (c == ';' && !opened) {
                    return i; // an abstract or interface method: the declaration is all there is
                } else if (c == '{') {
                    depth++;
                    opened = true;
                } else if (c == '}') {
                    depth--;
                    if (opened && depth == 0) return i;
                }
            }
        }
        throw new IllegalArgumentException("the member declared at line " + (from + 1) + " has no closing brace");
    }

    /** The index of the quote that ends the string or char literal opened at {@code k}. */
    private static int skipLiteral(String s, int k) {
        char quote = s.charAt(k);
        for (int j = k + 1; j < s.length(); j++) {
            if (s.charAt(j) == '\\') j++;
            else if (s.charAt(j) == quote) return j;
        }
        return s.length();
    }

    /** The lines without their common leading spaces, each ending with a newline; blank lines stay empty. */
    static String dedent(List<String> lines) {
        int common = Integer.MAX_VALUE;
        for (String l : lines) {
            if (l.isBlank()) continue;
            int n = 0;
            while (n < l.length() && l.charAt(n) == ' ') n++;
            common = Math.min(common, n);
        }
        StringBuilder sb = new StringBuilder();
        for (String l : lines) sb.append(l.isBlank() ? "" : l.substring(common).stripTrailing()).append('\n');
        return sb.toString();
    }
}
