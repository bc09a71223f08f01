// A CSV table of raw numbers, written atomically with full double precision.
package dev.descent.bench.reproduce;

import dev.descent.bench.train.MetricsLog;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A CSV table: a header and rows of the same width. Doubles are written with {@link Double#toString}
 * (the shortest text that reads back to the same double), so every raw number survives exactly;
 * strings holding a comma, a quote or a line break are quoted as RFC 4180 says.
 */
public final class CsvTable {
    private final List<String> columns;
    private final List<String> lines = new ArrayList<>();

    /**
     * An empty table.
     *
     * @param columns the column names, at least one
     */
    public CsvTable(String... columns) {
        if (columns.length == 0) throw new IllegalArgumentException("a CSV table needs at least one column");
        this.columns = List.of(columns);
    }

    /**
     * Appends a row.
     *
     * @param values one value per column: numbers, strings, booleans
     * @return this table
     * @throws IllegalArgumentException when the row's width differs from the header's
     */
    public CsvTable row(Object... values) {
        if (values.length != columns.size()) {
            throw new IllegalArgumentException("row has " + values.length + " values for " + columns.size() + " columns " + columns + ": "
                    + Arrays.toString(values));
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < values.length; i++) sb.append(i == 0 ? "" : ",").append(cell(values[i]));
        lines.add(sb.toString());
        return this;
    }

    /**
     * The number of rows, the header not counted.
     *
     * @return the row count
     */
    public int rows() {
        return lines.size();
    }

    /**
     * The column names.
     *
     * @return the header
     */
    public List<String> columns() {
        return columns;
    }

    /**
     * The table as CSV text.
     *
     * @return header and rows, each ending with a line feed
     */
    public String text() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < columns.size(); i++) sb.append(i == 0 ? "" : ",").append(cell(columns.get(i)));
        sb.append('\n');
        for (String l : lines) sb.append(l).append('\n');
        return sb.toString();
    }

    /**
     * Writes the table, replacing the file atomically.
     *
     * @param file the CSV file
     * @throws IOException when it cannot be written
     */
    public void write(Path file) throws IOException {
        MetricsLog.writeText(file, text());
    }

    private static String cell(Object v) {
        if (v == null) return "";
        if (v instanceof Double d) return Double.toString(d);
        if (v instanceof Float f) return Double.toString(f);
        String s = v.toString();
        if (s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r")) return "\"" + s.replace("\"", "\"\"") + "\"";
        return s;
    }
}
