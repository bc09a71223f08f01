package dev.descent.train;

import dev.descent.core.io.AtomicFile;
import dev.descent.core.io.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The per-epoch metrics of a run, written after every epoch as {@code metrics.csv} and
 * {@code metrics.json} in the run's folder. Both are replaced atomically, so a reader never sees half a
 * table. Add it to a {@link Trainer}'s callbacks.
 */
public final class MetricsLog implements Callback {
    private final Path dir;

    /**
     * A log in {@code dir}.
     *
     * @param dir the run's folder
     */
    public MetricsLog(Path dir) {
        this.dir = dir;
    }

    @Override
    public void onEpochEnd(Trainer trainer, EpochMetrics metrics) {
        try {
            write(trainer.history());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot write the metrics log in " + dir, e);
        }
    }

    /**
     * Writes {@code metrics.csv} and {@code metrics.json} for these epochs.
     *
     * @param rows the epochs so far
     * @throws IOException when a file cannot be written
     */
    public void write(List<EpochMetrics> rows) throws IOException {
        StringBuilder csv = new StringBuilder("epoch,train_loss,train_accuracy,test_loss,test_accuracy,seconds,lr,steps\n");
        List<Object> json = new ArrayList<>();
        for (EpochMetrics m : rows) {
            csv.append(String.format(Locale.ROOT, "%d,%.6f,%.6f,%.6f,%.6f,%.3f,%.6g,%d%n", m.epoch(), m.trainLoss(), m.trainAccuracy(), m.testLoss(),
                    m.testAccuracy(), m.seconds(), m.lr(), m.steps()));
            json.add(toMap(m));
        }
        AtomicFile.writeString(dir.resolve("metrics.csv"), csv.toString());
        AtomicFile.writeString(dir.resolve("metrics.json"), Json.write(json) + "\n");
    }

    /**
     * One epoch as a JSON-ready map (snake_case keys, as in the CSV header).
     *
     * @param m the epoch
     * @return the map
     */
    public static Map<String, Object> toMap(EpochMetrics m) {
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

    /**
     * Reads back a {@code metrics.json}.
     *
     * @param file the file
     * @return its epochs (none when the file does not exist)
     * @throws IOException when it is not a metrics file (named in the message)
     */
    public static List<EpochMetrics> read(Path file) throws IOException {
        if (!Files.exists(file)) return new ArrayList<>();
        try {
            return fromJson(Json.parse(Files.readString(file)));
        } catch (Json.ParseException | IllegalArgumentException e) {
            throw new IOException(file + ": not a metrics file written by descent (" + e.getMessage() + ")", e);
        }
    }

    /**
     * Epoch rows from parsed JSON (a list of objects as {@link #toMap} writes them).
     *
     * @param parsed what {@link Json#parse} returned
     * @return the epochs
     * @throws IllegalArgumentException when it is not such a list
     */
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

}
