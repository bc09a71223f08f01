package dev.descent.core.ops;

import static dev.descent.core.check.TensorGen.Values.NORMAL;

import dev.descent.core.Ref;
import dev.descent.core.Ref.Expected;
import dev.descent.core.Tensor;
import dev.descent.core.check.TensorGen;
import dev.descent.core.ops.OpRegistry.Case;
import dev.descent.core.ops.OpRegistry.OpInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * Registry entries for sorting and scattering (sort, argsort, topk, scatter, scatterReduce), each with a reference
 * written from the definition: Java's stable list sort per slice, and scatters as loops over the index.
 */
final class SequenceOps {
    private SequenceOps() {}

    static void addTo(List<OpInfo> ops) {
        ops.add(new OpInfo("sort", Set.of("sort", "argsort"), true, false, (rng, dt, grad) -> {
            int[] shape = TensorGen.shape(rng, 1, 3, 5);
            int dim = rng.nextInt(shape.length) - (rng.nextBoolean() ? shape.length : 0);
            boolean desc = rng.nextBoolean();
            int form = grad ? 0 : rng.nextInt(3); // 0: values, 1: indices, 2: argsort (indices have no gradient)
            Tensor x = grad ? OpRegistry.distinct(rng, dt, shape) : OpRegistry.grid(rng, dt, shape); // the grid has ties: stability shows
            String d = (form == 2 ? "argsort " : form == 1 ? "sort indices " : "sort values ") + OpRegistry.fmt(shape) + " dim " + dim + (desc ? " desc" : "");
            int n = shape[Math.floorMod(dim, shape.length)];
            return new Case(d, new Tensor[] {x}, in -> switch (form) {
                case 0 -> in[0].sort(dim, desc).values();
                case 1 -> in[0].sort(dim, desc).indices();
                default -> in[0].argsort(dim, desc);
            }, in -> sortRef(in[0], dim, desc, n, form != 0));
        }));
        ops.add(new OpInfo("topk", Set.of("topk"), true, false, (rng, dt, grad) -> {
            int[] shape = TensorGen.shape(rng, 1, 3, 5);
            int dim = rng.nextInt(shape.length) - (rng.nextBoolean() ? shape.length : 0);
            int n = shape[Math.floorMod(dim, shape.length)];
            int k = grad ? 1 + rng.nextInt(n) : rng.nextInt(n + 1);
            boolean largest = rng.nextBoolean(), indices = !grad && rng.nextBoolean(), sorted = rng.nextBoolean();
            Tensor x = grad ? OpRegistry.distinct(rng, dt, shape) : OpRegistry.grid(rng, dt, shape);
            return new Case("topk " + k + " of " + OpRegistry.fmt(shape) + " dim " + dim + (largest ? " largest" : " smallest") + (indices ? " indices" : ""),
                    new Tensor[] {x}, in -> {
                        Tensor.Sorted t = in[0].topk(k, dim, largest, sorted);
                        return indices ? t.indices() : t.values();
                    }, in -> sortRef(in[0], dim, largest, k, indices));
        }));
        ops.add(new OpInfo("scatter", Set.of("scatter"), true, false, (rng, dt, grad) -> {
            Layout s = Layout.random(rng);
            Tensor self = TensorGen.tensor(rng, dt, s.self(), NORMAL), index = TensorGen.indices(rng, s.index(), s.self()[s.dim()]);
            if (rng.nextInt(3) == 0) {
                double value = Math.round(rng.nextGaussian() * 4) / 4.0;
                return new Case("scatter value " + value + " " + s, new Tensor[] {self, index}, in -> in[0].scatter(s.dim(), in[1], value),
                        in -> scatterRef(in[0], s.dim(), in[1], null, value));
            }
            Tensor src = TensorGen.tensor(rng, dt, s.src(), NORMAL);
            return new Case("scatter " + s, new Tensor[] {self, index, src}, in -> in[0].scatter(s.dim(), in[1], in[2]),
                    in -> scatterRef(in[0], s.dim(), in[1], in[2], 0));
        }));
        ops.add(new OpInfo("scatterReduce", Set.of("scatterReduce"), true, true, (rng, dt, grad) -> {
            Layout s = Layout.random(rng);
            String reduce = List.of("sum", "prod", "mean", "amax", "amin").get(rng.nextInt(5));
            boolean includeSelf = rng.nextBoolean();
            Tensor self, src;
            if (grad && reduce.startsWith("am")) { // distinct values: no ties, so max and min are smooth under finite differences
                int ns = OpRegistry.values(Tensor.zeros(s.self())).length;
                Tensor all = OpRegistry.distinct(rng, dt, new int[] {ns + OpRegistry.values(Tensor.zeros(s.src())).length});
                self = all.narrow(0, 0, ns).reshape(s.self()).clone();
                src = all.narrow(0, ns, all.size(0) - ns).reshape(s.src()).clone();
            } else if (!grad && reduce.startsWith("am")) { // a coarse grid: ties happen
                self = OpRegistry.grid(rng, dt, s.self());
                src = OpRegistry.grid(rng, dt, s.src());
            } else {
                self = TensorGen.tensor(rng, dt, s.self(), NORMAL);
                src = TensorGen.tensor(rng, dt, s.src(), NORMAL);
            }
            Tensor index = TensorGen.indices(rng, s.index(), s.self()[s.dim()]);
            return new Case("scatterReduce " + reduce + (includeSelf ? " includeSelf " : " ") + s, new Tensor[] {self, index, src},
                    in -> in[0].scatterReduce(s.dim(), in[1], in[2], reduce, includeSelf),
                    in -> scatterReduceRef(in[0], s.dim(), in[1], in[2], reduce, includeSelf));
        }));
    }

    /** Shapes for a scatter: self, an index no larger than self off dim, a src at least as large as the index. */
    record Layout(int[] self, int[] index, int[] src, int dim) {
        static Layout random(RandomGenerator rng) {
            int[] self = TensorGen.shape(rng, 1, 3, 4);
            int dim = rng.nextInt(self.length);
            int[] index = self.clone(), src = self.clone();
            for (int i = 0; i < self.length; i++) {
                index[i] = i == dim ? 1 + rng.nextInt(5) : 1 + rng.nextInt(self[i]);
                src[i] = index[i] + (rng.nextInt(4) == 0 ? 1 : 0); // now and then larger than the index
            }
            return new Layout(self, index, src, dim);
        }

        @Override
        public String toString() {
            return "dim " + dim + " self " + OpRegistry.fmt(self) + " index " + OpRegistry.fmt(index) + " src " + OpRegistry.fmt(src);
        }
    }

    /** The first k of each slice after Java's stable sort of its positions by value (NaN last ascending); values or positions. */
    static Expected sortRef(Tensor x, int dim, boolean descending, int k, boolean positions) {
        int[] shape = x.shape();
        int d = Math.floorMod(dim, shape.length);
        int[] out = shape.clone();
        out[d] = k;
        return Ref.build(out, idx -> {
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < shape[d]; i++) order.add(i);
            int[] j = idx.clone();
            Comparator<Integer> byValue = Comparator.comparingDouble(i -> {
                j[d] = i;
                double v = x.get(j);
                return Double.isNaN(v) ? Double.POSITIVE_INFINITY : v; // NaN is not in the generated values; infinities sort last
            });
            order.sort(descending ? byValue.reversed() : byValue);
            int at = order.get(idx[d]);
            if (positions) return at;
            j[d] = at;
            return x.get(j);
        });
    }

    /** Writes src (or value) at each index position in row-major order: the last write wins. */
    static Expected scatterRef(Tensor self, int dim, Tensor index, Tensor src, double value) {
        double[] out = OpRegistry.values(self);
        int[] s = self.shape();
        for (int f = 0; f < index.numel(); f++) {
            int[] p = Ref.unravel(f, index.shape());
            int[] t = p.clone();
            t[dim] = (int) index.getLong(p);
            out[OpRegistry.flat(t, s)] = src == null ? value : src.get(p);
        }
        return new Expected(s, out);
    }

    /** Groups the values sent to each target (plus its own with includeSelf) and reduces each group by its definition. */
    static Expected scatterReduceRef(Tensor self, int dim, Tensor index, Tensor src, String reduce, boolean includeSelf) {
        double[] out = OpRegistry.values(self);
        int[] s = self.shape();
        List<List<Double>> groups = new ArrayList<>();
        for (int i = 0; i < out.length; i++) groups.add(new ArrayList<>());
        for (int f = 0; f < index.numel(); f++) {
            int[] p = Ref.unravel(f, index.shape());
            int[] t = p.clone();
            t[dim] = (int) index.getLong(p);
            groups.get(OpRegistry.flat(t, s)).add(src.get(p));
        }
        for (int i = 0; i < out.length; i++) {
            List<Double> g = groups.get(i);
            if (g.isEmpty()) continue;
            if (includeSelf) g.add(out[i]);
            double[] v = g.stream().mapToDouble(Double::doubleValue).toArray();
            out[i] = switch (reduce) {
                case "sum" -> Arrays.stream(v).sum();
                case "prod" -> Arrays.stream(v).reduce(1, (a, b) -> a * b);
                case "mean" -> Arrays.stream(v).average().orElseThrow();
                case "amax" -> Arrays.stream(v).max().orElseThrow();
                default -> Arrays.stream(v).min().orElseThrow();
            };
        }
        return new Expected(s, out);
    }
}
