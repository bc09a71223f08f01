package dev.descent.bench.train;

import dev.descent.bench.report.LinePlot;
import dev.descent.core.io.AtomicFile;
import dev.descent.core.io.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The per-epoch metrics of a run, written after every epoch as {@code metrics.csv} and
 * {@code metrics.json}, with loss and accuracy plots ({@code loss.png}, {@code accuracy.png}). All
 * files are replaced atomically, so a reader never sees half a table.
 */
public final class MetricsLog {
    private final Path dir;
    private final List<EpochMetrics> rows = new ArrayList<>();

    public MetricsLog(Path dir) {
        this.dir = dir;
    }

    /** The epochs recorded so far. */
    public List<EpochMetrics> rows() {
        return List.copyOf(rows);
    }

    /** Restores the rows of a resumed run. */
    public void restore(List<EpochMetrics> earlier) {
        rows.clear();
        rows.addAll(earlier);
    }

    /** Adds an epoch and rewrites the files and plots. */
    public void add(EpochMetrics m) throws IOException {
        rows.add(m);
        write();
    }

    private void write() throws IOException {
        StringBuilder csv = new StringBuilder("epoch,train_loss,train_accuracy,test_loss,test_accuracy,seconds,lr,steps\n");
        List<Object> json = new ArrayList<>();
        for (EpochMetrics m : rows) {
            csv.append(String.format(Locale.ROOT, "%d,%.6f,%.6f,%.6f,%.6f,%.3f,%.6g,%d%n", m.epoch(), m.trainLoss(), m.trainAccuracy(), m.testLoss(),
                    m.testAccuracy(), m.seconds(), m.lr(), m.steps()));
            json.add(toMap(m));
        }
        writeText(dir.resolve("metrics.csv"), csv.toString());
        writeText(dir.resolve("metrics.json"), Json.write(json) + "\n");
        double[] e = rows.stream().mapToDouble(EpochMetrics::epoch).toArray();
        new LinePlot("Loss", "epoch", "cross-entropy loss")
                .add("train", e, rows.stream().mapToDouble(EpochMetrics::trainLoss).toArray())
                .add("test", e, rows.stream().mapToDouble(EpochMetrics::testLoss).toArray())
                .write(dir.resolve("loss.png"));
        new LinePlot("Accuracy", "epoch", "accuracy (%)")
                .add("train", e, rows.stream().mapToDouble(m -> 100 * m.trainAccuracy()).toArray())
                .add("test", e, rows.stream().mapToDouble(m -> 100 * m.testAccuracy()).toArray())
                .write(dir.resolve("accuracy.png"));
    }

    static Map<String, Object> toMap(EpochMetrics m) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("epoch", m.epoch());
        o.put("train_loss", m.trainLoss());
        o.put("train_accuracy", m.trainAccuracy());
        o.put("test_loss", m.testLoss());
        o.put("test_accuracy", m.testAccuracy());
        o.put("seconds", m.seconds());
        o.put("lr", m.lr());
        o.put("steps", m.steps());
        return o;
    }

    /** Reads back {@code metrics.json}. */
    public static List<EpochMetrics> read(Path file) throws IOException {
        if (!Files.exists(file)) return new ArrayList<>();
        try {
            return fromJson(Json.parse(Files.readString(file)));
        } catch (Json.ParseException | IllegalArgumentException e) {
            throw new IOException(file + ": not a metrics file written by descent (" + e.getMessage() + ")", e);
        }
    }

    /** Epoch rows from parsed JSON (a list of objects as {@link #toMap} writes them). */
    public static List<EpochMetrics> fromJson(Object parsed) {
        List<EpochMetrics> out = new ArrayList<>();
        try {
            for (Object o : (List<?>) parsed) {
                Map<?, ?> m = (Map<?, ?>) o;
                out.add(new EpochMetrics(num(m, "epoch").intValue(), num(m, "train_loss").doubleValue(), num(m, "train_accuracy").doubleValue(),
                        num(m, "test_loss").doubleValue(), num(m, "test_accuracy").doubleValue(), num(m, "seconds").doubleValue(),
                        num(m, "lr").doubleValue(), num(m, "steps").longValue()));
            }
        } catch (ClassCastException | NullPointerException e) {
            throw new IllegalArgumentException("not a list of epoch metrics (" + e + ")", e);
        }
        return out;
    }

    private static Number num(Map<?, ?> m, String k) {
        Object v = m.get(k);
        return v == null ? Double.NaN : (Number) v;
    }

    /** Writes a text file atomically. */
    public static void writeText(Path file, String text) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        AtomicFile.write(file, ch -> {
            ByteBuffer buf = ByteBuffer.wrap(b);
            while (buf.hasRemaining()) ch.write(buf);
        });
    }
}
