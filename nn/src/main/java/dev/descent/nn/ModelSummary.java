package dev.descent.nn;

import dev.descent.core.Shape;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.GradMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Builds the layer table of {@link Module#summary(int...)}. */
final class ModelSummary {
    private ModelSummary() {}

    private record Row(String name, String type, int[] shape, long params) {}

    static String of(Module model, int[] inputShape) {
        boolean wasTraining = model.isTraining();
        List<Row> rows = new ArrayList<>();
        model.eval();
        try (var _ = GradMode.noGrad()) {
            Tensor x = Tensor.zeros(inputShape);
            if (model instanceof Sequential seq) walk(seq, "", x, rows);
            else rows.add(new Row("", model.getClass().getSimpleName(), model.forward(x).shape(), model.parameterCount()));
        } finally {
            model.train(wasTraining);
        }
        int nameWidth = "Layer (type)".length(), shapeWidth = "Output shape".length();
        for (Row r : rows) {
            nameWidth = Math.max(nameWidth, label(r).length());
            shapeWidth = Math.max(shapeWidth, Shape.format(r.shape()).length());
        }
        String fmt = "%-" + nameWidth + "s  %-" + shapeWidth + "s  %,12d%n";
        StringBuilder sb = new StringBuilder();
        String header = String.format("%-" + nameWidth + "s  %-" + shapeWidth + "s  %12s%n", "Layer (type)", "Output shape", "Params");
        sb.append(header).append("-".repeat(header.length() - 1)).append('\n');
        sb.append(String.format("%-" + nameWidth + "s  %s%n", "input", Shape.format(inputShape)));
        for (Row r : rows) sb.append(String.format(fmt, label(r), Shape.format(r.shape()), r.params()));
        sb.append("-".repeat(header.length() - 1)).append('\n');
        sb.append(String.format("Total parameters: %,d%n", model.parameterCount()));
        return sb.toString();
    }

    private static String label(Row r) {
        return r.name() + " (" + r.type() + ")";
    }

    private static Tensor walk(Sequential seq, String prefix, Tensor x, List<Row> rows) {
        for (Map.Entry<String, Module> e : seq.namedChildren().entrySet()) {
            String name = Module.join(prefix, e.getKey());
            Module m = e.getValue();
            if (m instanceof Sequential inner) {
                x = walk(inner, name, x, rows);
            } else {
                x = m.forward(x);
                rows.add(new Row(name, m.getClass().getSimpleName(), x.shape(), m.parameterCount()));
            }
        }
        return x;
    }
}
