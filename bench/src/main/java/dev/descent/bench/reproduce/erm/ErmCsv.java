// The ERM reproduction's CSV files: every gap measurement and every unseen codeword, written exactly and read back.
package dev.descent.bench.reproduce.erm;

import dev.descent.bench.reproduce.CsvTable;
import dev.descent.bench.reproduce.erm.ErmOutcome.Exact;
import dev.descent.bench.reproduce.erm.ErmOutcome.Instance;
import dev.descent.bench.reproduce.erm.ErmOutcome.Point;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code erm-gap.csv} (one row per seed, instance, η and T) and {@code erm-exact.csv} (one row per
 * seed and unseen codeword). Every double is written exactly, so what {@link #readPoints} and
 * {@link #readExact} return equals what was written.
 */
public final class ErmCsv {
    private ErmCsv() {}

    /** The file names. */
    public static final String GAP = "erm-gap.csv", EXACT = "erm-exact.csv";

    static void write(List<Point> points, List<Exact> exact, Path out) throws IOException {
        CsvTable gapCsv = new CsvTable("seed", "noise", "lambda", "lr", "steps", "eta_t", "empirical_risk", "population_risk", "gap", "norm");
        for (Point p : points) {
            gapCsv.row(p.seed(), p.instance().noise(), p.instance().lambda(), p.lr(), p.steps(), p.lr() * p.steps(), p.empirical(), p.population(),
                    p.gap(), p.norm());
        }
        gapCsv.write(out.resolve(GAP));
        CsvTable exactCsv = new CsvTable("seed", "codeword", "empirical_loss", "population_loss", "empirical_loss_at_0", "population_loss_at_0");
        for (Exact e : exact) exactCsv.row(e.seed(), e.codeword(), e.empirical(), e.population(), e.empiricalAtZero(), e.populationAtZero());
        exactCsv.write(out.resolve(EXACT));
    }

    /**
     * The gap measurements of {@code erm-gap.csv}.
     *
     * @param out the output folder
     * @return the points, in file order
     * @throws IOException when the file cannot be read
     */
    public static List<Point> readPoints(Path out) throws IOException {
        List<Point> points = new ArrayList<>();
        for (Map<String, String> r : CsvTable.read(out.resolve(GAP))) {
            points.add(new Point(Long.parseLong(r.get("seed")), new Instance(d(r, "noise"), d(r, "lambda")), d(r, "lr"), Integer.parseInt(r.get("steps")),
                    d(r, "empirical_risk"), d(r, "population_risk"), d(r, "norm")));
        }
        return points;
    }

    /**
     * The unseen codewords of {@code erm-exact.csv}.
     *
     * @param out the output folder
     * @return the rows, in file order
     * @throws IOException when the file cannot be read
     */
    public static List<Exact> readExact(Path out) throws IOException {
        List<Exact> exact = new ArrayList<>();
        for (Map<String, String> r : CsvTable.read(out.resolve(EXACT))) {
            exact.add(new Exact(Long.parseLong(r.get("seed")), Integer.parseInt(r.get("codeword")), d(r, "empirical_loss"), d(r, "population_loss"),
                    d(r, "empirical_loss_at_0"), d(r, "population_loss_at_0")));
        }
        return exact;
    }

    private static double d(Map<String, String> row, String column) {
        return Double.parseDouble(row.get(column));
    }
}
