// A reproduction report in Markdown, assembled from run data only.
package dev.descent.bench.reproduce;

import dev.descent.core.io.AtomicFile;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A Markdown report: title, a quick-mode notice, setup lists, tables, plots, verdicts, machine and
 * wall time. Experiments fill it from their runs, so nothing in it is typed by hand; the fixed text
 * (claims, criteria, the papers' numbers) comes from constants that cite {@code docs/papers.md}.
 */
public final class Report {
    /** The first line of every quick-mode report; tests look for it. */
    public static final String QUICK_NOTICE = "> **Quick mode.** This run used toy sizes to check that the pipeline works end to end."
            + " It claims nothing about the paper: the verdicts below are computed the same way, on numbers too small to mean anything.";

    private final StringBuilder md = new StringBuilder();

    /**
     * A report with a title.
     *
     * @param title the first heading
     * @param quick whether the run was in quick mode (adds {@link #QUICK_NOTICE})
     */
    public Report(String title, boolean quick) {
        md.append("# ").append(title).append("\n\n");
        if (quick) md.append(QUICK_NOTICE).append("\n\n");
    }

    /**
     * Starts a section.
     *
     * @param title the section's heading (level 2)
     * @return this report
     */
    public Report section(String title) {
        md.append("## ").append(title).append("\n\n");
        return this;
    }

    /**
     * Starts a subsection.
     *
     * @param title the heading (level 3)
     * @return this report
     */
    public Report subsection(String title) {
        md.append("### ").append(title).append("\n\n");
        return this;
    }

    /**
     * Adds a paragraph.
     *
     * @param text the paragraph (Markdown)
     * @return this report
     */
    public Report paragraph(String text) {
        md.append(text.strip()).append("\n\n");
        return this;
    }

    /**
     * Adds a bulleted list of settings.
     *
     * @param settings label → value, in order
     * @return this report
     */
    public Report settings(Map<String, ?> settings) {
        for (Map.Entry<String, ?> e : settings.entrySet()) md.append("- **").append(e.getKey()).append("**: ").append(e.getValue()).append('\n');
        md.append('\n');
        return this;
    }

    /**
     * Adds a bulleted list.
     *
     * @param items the items (Markdown)
     * @return this report
     */
    public Report bullets(List<String> items) {
        for (String s : items) md.append("- ").append(s).append('\n');
        md.append('\n');
        return this;
    }

    /**
     * Adds a table.
     *
     * @param header the column names
     * @param rows the rows, each as wide as the header
     * @return this report
     * @throws IllegalArgumentException for a row of another width
     */
    public Report table(List<String> header, List<List<String>> rows) {
        md.append(row(header)).append('|');
        for (int i = 0; i < header.size(); i++) md.append("---|");
        md.append('\n');
        for (List<String> r : rows) {
            if (r.size() != header.size()) throw new IllegalArgumentException("table row has " + r.size() + " cells for " + header.size() + " columns: " + r);
            md.append(row(r));
        }
        md.append('\n');
        return this;
    }

    private static String row(List<String> cells) {
        StringBuilder sb = new StringBuilder("|");
        for (String c : cells) sb.append(' ').append(c == null ? "" : c.replace("|", "\\|").replace('\n', ' ')).append(" |");
        return sb.append('\n').toString();
    }

    /**
     * Adds a plot written next to the report.
     *
     * @param caption what it shows
     * @param file the PNG's file name, relative to the report
     * @return this report
     */
    public Report image(String caption, String file) {
        md.append("![").append(caption).append("](").append(file).append(")\n\n");
        return this;
    }

    /**
     * Adds the verdicts, one list item each.
     *
     * @param verdicts the verdicts
     * @return this report
     */
    public Report verdicts(List<Verdict> verdicts) {
        for (Verdict v : verdicts) md.append(v.markdown()).append('\n');
        md.append('\n');
        return this;
    }

    /**
     * Adds the closing section: machine, wall time, the command, the date.
     *
     * @param machine where it ran
     * @param command the command line that produced the report
     * @param wallSeconds the wall time of the whole experiment
     * @return this report
     */
    public Report provenance(Machine machine, String command, double wallSeconds) {
        section("Provenance");
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("command", "`" + command + "`");
        m.put("code", codeVersion());
        m.put("wall time", wallTime(wallSeconds));
        m.putAll(machine.asMap());
        m.put("finished", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        return settings(m);
    }

    /**
     * The code that wrote the report, as the launcher passes it ({@code descent.commit}: a commit, with "+changes" when
     * the working tree differed from it).
     *
     * @return e.g. {@code commit 0123456789ab}, or "not recorded" outside the launcher
     */
    static String codeVersion() {
        String commit = System.getProperty("descent.commit");
        return commit == null || commit.isBlank() || commit.equals("unknown") ? "not recorded (run outside ./descent or a git checkout)" : "commit " + commit;
    }

    /**
     * A wall time as a reader wants it.
     *
     * @param seconds the duration
     * @return e.g. {@code 12.3 s} or {@code 1 h 02 min (3,720 s)}
     */
    public static String wallTime(double seconds) {
        if (seconds < 120) return String.format(Locale.ROOT, "%.1f s", seconds);
        long s = Math.round(seconds);
        if (s < 3600) return String.format(Locale.ROOT, "%d min %02d s (%,d s)", s / 60, s % 60, s);
        return String.format(Locale.ROOT, "%d h %02d min (%,d s)", s / 3600, (s % 3600) / 60, s);
    }

    /**
     * The Markdown text.
     *
     * @return the report so far
     */
    public String markdown() {
        return md.toString().stripTrailing() + "\n";
    }

    /**
     * Writes the report atomically.
     *
     * @param file the Markdown file
     * @throws IOException when it cannot be written
     */
    public void write(Path file) throws IOException {
        AtomicFile.writeString(file, markdown());
    }
}
