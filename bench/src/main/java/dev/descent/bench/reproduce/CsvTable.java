// A CSV table of raw numbers, written atomically with full double precision.
package dev.descent.bench.reproduce;

import dev.descent.core.io.AtomicFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
        AtomicFile.writeString(file, text());
    }

    /**
     * Reads a CSV file written by {@link #write}: a header, then rows, with RFC 4180 quoting.
     *
     * @param file the CSV file
     * @return one map per row, column name → cell text, in file order
     * @throws IOException when the file cannot be read or a row's width differs from the header's
     */
    public static List<Map<String, String>> read(Path file) throws IOException {
        List<List<String>> records = parse(Files.readString(file));
        if (records.isEmpty()) throw new IOException(file + ": empty, expected a CSV header");
        List<String> header = records.getFirst();
        List<Map<String, String>> rows = new ArrayList<>();
        for (int i = 1; i < records.size(); i++) {
            List<String> r = records.get(i);
            if (r.size() != header.size()) throw new IOException(file + ": row " + i + " has " + r.size() + " cells, the header " + header.size());
            Map<String, String> m = new LinkedHashMap<>();
            for (int c = 0; c < r.size(); c++) m.put(header.get(c), r.get(c));
            rows.add(m);
        }
        return rows;
    }

    /** Splits CSV text into records of cells; quoted cells may hold commas, doubled quotes and line breaks. */
    static List<List<String>> parse(String text) {
        List<List<String>> records = new ArrayList<>();
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false, any = false;
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (quoted) {
                if (ch == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                    cell.append('"');
                    i++;
                } else if (ch == '"') {
                    quoted = false;
                } else {
                    cell.append(ch);
                }
            } else if (ch == '"') {
                quoted = true;
                any = true;
            } else if (ch == ',') {
                cells.add(cell.toString());
                cell.setLength(0);
                any = true;
            } else if (ch == '\n') {
                cells.add(cell.toString());
                records.add(cells);
                cells = new ArrayList<>();
                cell.setLength(0);
                any = false;
            } else if (ch != '\r') {
                cell.append(ch);
                any = true;
            }
        }
        if (any || cell.length() > 0) {
            cells.add(cell.toString());
            records.add(cells);
        }
        return records;
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
