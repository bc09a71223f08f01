package dev.descent.nn;

import dev.descent.core.Tensor;
import java.util.List;

/** Modules applied one after another; children are named "0", "1", … as in PyTorch. */
public final class Sequential extends Module {

    /**
     * The given layers, in order.
     *
     * @param layers the modules, named "0", "1", …
     */
    public Sequential(Module... layers) {
        this(List.of(layers));
    }

    /**
     * The given layers, in list order.
     *
     * @param layers the modules, named "0", "1", …
     */
    public Sequential(List<? extends Module> layers) {
        for (int i = 0; i < layers.size(); i++) addModule(Integer.toString(i), layers.get(i));
    }

    /**
     * Appends a layer, named by its position ({@code "3"} for the fourth), as PyTorch's
     * {@code Sequential.append}. Add layers before an optimizer is built from {@link #parameters()}: it keeps
     * the list it was given.
     *
     * @param layer the module to run after the current last one
     * @return this container, so that calls chain
     */
    public Sequential add(Module layer) {
        addModule(Integer.toString(size()), layer);
        return this;
    }

    @Override
    public Tensor forward(Tensor x) {
        for (Module m : namedChildren().values()) x = m.call(x);
        return x;
    }

    /**
     * The i-th layer.
     *
     * @param i the index, from 0
     * @return the layer
     * @throws IndexOutOfBoundsException when there is no layer {@code i}
     */
    public Module get(int i) {
        Module m = namedChildren().get(Integer.toString(i));
        if (m == null) throw new IndexOutOfBoundsException("layer " + i + " of a Sequential with " + size() + " layers");
        return m;
    }

    /**
     * The number of layers.
     *
     * @return the number of direct children
     */
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
