package dev.descent.nn;

import dev.descent.core.Tensor;
import java.util.List;

/** Modules applied one after another; children are named "0", "1", … as in PyTorch. */
public final class Sequential extends Module {

    public Sequential(Module... layers) {
        this(List.of(layers));
    }

    public Sequential(List<? extends Module> layers) {
        for (int i = 0; i < layers.size(); i++) addModule(Integer.toString(i), layers.get(i));
    }

    @Override
    public Tensor forward(Tensor x) {
        for (Module m : namedChildren().values()) x = m.forward(x);
        return x;
    }

    /** The i-th layer. */
    public Module get(int i) {
        Module m = namedChildren().get(Integer.toString(i));
        if (m == null) throw new IndexOutOfBoundsException("layer " + i + " of a Sequential with " + size() + " layers");
        return m;
    }

    /** The number of layers. */
    public int size() {
        return namedChildren().size();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Sequential(\n");
        namedChildren().forEach((k, v) -> sb.append("  (").append(k).append("): ").append(v.toString().replace("\n", "\n  ")).append('\n'));
        return sb.append(')').toString();
    }
}
