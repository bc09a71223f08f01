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
import java.util.List;
import java.util.Set;

/** Registry entries for the view ops; references map output coordinates to input coordinates by hand. */
final class ViewOps {
    private ViewOps() {}

    static List<OpInfo> all() {
        List<OpInfo> ops = new ArrayList<>();
        ops.add(new OpInfo("reshape", Set.of("reshape", "view", "flatten"), true, false, (rng, dt, grad) -> {
            int[] shape = TensorGen.shape(rng, 0, 3, 4);
            Tensor x = TensorGen.tensor(rng, dt, shape, NORMAL);
            int n = x.numel();
            int[] target = factor(rng, n);
            int form = rng.nextInt(4);
            if (form == 1 && target.length > 0) target[rng.nextInt(target.length)] = -1;
            int[] t = target;
            int[] resolved = resolve(target, n);
            return switch (form) {
                case 2 -> new Case("view " + OpRegistry.fmt(t), new Tensor[] {x}, in -> in[0].contiguous().view(resolved), in -> flatAs(in[0], resolved));
                case 3 -> {
                    int s = shape.length == 0 ? 0 : rng.nextInt(shape.length), e = shape.length == 0 ? 0 : s + rng.nextInt(shape.length - s);
                    int[] fs = flattenShape(shape, s, e);
                    yield new Case("flatten " + s + ".." + e, new Tensor[] {x}, in -> in[0].flatten(s, e), in -> flatAs(in[0], fs));
                }
                default -> new Case("reshape " + OpRegistry.fmt(t), new Tensor[] {x}, in -> in[0].reshape(t), in -> flatAs(in[0], resolved));
            };
        }));
        ops.add(new OpInfo("permute", Set.of("permute", "transpose", "t"), true, false, (rng, dt, grad) -> {
            int[] shape = TensorGen.shape(rng, 0, 3, 4);
            int r = shape.length;
            Tensor x = TensorGen.tensor(rng, dt, shape, NORMAL);
            int form = rng.nextInt(3);
            if (form == 2 && r <= 2) {
                return new Case("t", new Tensor[] {x}, in -> in[0].t(), in -> permuteRef(in[0], r == 2 ? new int[] {1, 0} : identity(r)));
            }
            if (form == 1 && r >= 1) {
                int a = rng.nextInt(r), b = rng.nextInt(r);
                int[] order = identity(r);
                order[a] = b;
                order[b] = a;
                return new Case("transpose " + a + " " + b, new Tensor[] {x}, in -> in[0].transpose(a, b - r), in -> permuteRef(in[0], order));
            }
            int[] order = identity(r);
            for (int i = r - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1), tmp = order[i];
                order[i] = order[j];
                order[j] = tmp;
            }
            return new Case("permute " + Arrays.toString(order), new Tensor[] {x}, in -> in[0].permute(order), in -> permuteRef(in[0], order));
        }));
        ops.add(new OpInfo("narrow", Set.of("narrow", "slice", "select"), true, false, (rng, dt, grad) -> {
            int[] shape = TensorGen.shape(rng, 1, 3, 5);
            int d = rng.nextInt(shape.length), size = shape[d];
            Tensor x = TensorGen.tensor(rng, dt, shape, NORMAL);
            int start = rng.nextInt(size);
            switch (rng.nextInt(3)) {
                case 0 -> {
                    int len = rng.nextInt(size - start + 1);
                    return new Case("narrow " + d + " " + start + " " + len, new Tensor[] {x}, in -> in[0].narrow(d, start, len),
                            in -> sliceRef(in[0], d, start, len, 1));
                }
                case 1 -> {
                    int step = 1 + rng.nextInt(3), end = start + rng.nextInt(size - start + 1);
                    int len = end > start ? (end - start + step - 1) / step : 0;
                    return new Case("slice " + d + " " + start + ":" + end + ":" + step, new Tensor[] {x}, in -> in[0].slice(d, start, end, step),
                            in -> sliceRef(in[0], d, start, len, step));
                }
                default -> {
                    return new Case("select " + d + " " + start, new Tensor[] {x}, in -> in[0].select(d, start), in -> {
                        Expected s = sliceRef(in[0], d, start, 1, 1);
                        return new Expected(OpRegistry.removeDim(s.shape(), d), s.values());
                    });
                }
            }
        }));
        ops.add(new OpInfo("expand", Set.of("expand", "expandAs"), true, false, (rng, dt, grad) -> {
            int[][] pair = TensorGen.broadcastPair(rng, 3, 4);
            int[] full = Ref.broadcastShape(pair[0], pair[1]);
            int[] small = OpRegistry.dropSome(rng, full);
            Tensor x = TensorGen.tensor(rng, dt, small, NORMAL);
            boolean as = rng.nextBoolean();
            return new Case((as ? "expandAs " : "expand ") + OpRegistry.fmt(small) + "->" + OpRegistry.fmt(full), new Tensor[] {x},
                    in -> as ? in[0].expandAs(Tensor.zeros(full)) : in[0].expand(full), in -> Ref.build(full, idx -> Ref.broadcastGet(in[0], idx)));
        }));
        ops.add(new OpInfo("squeeze", Set.of("squeeze", "unsqueeze"), true, false, (rng, dt, grad) -> {
            int[] shape = TensorGen.shape(rng, 0, 4, 3);
            Tensor x = TensorGen.tensor(rng, dt, shape, NORMAL);
            int r = shape.length;
            switch (rng.nextInt(3)) {
                case 0 -> {
                    int[] out = Arrays.stream(shape).filter(s -> s != 1).toArray();
                    return new Case("squeeze()", new Tensor[] {x}, in -> in[0].squeeze(), in -> flatAs(in[0], out));
                }
                case 1 -> {
                    if (r == 0) return new Case("unsqueeze 0 of scalar", new Tensor[] {x}, in -> in[0].unsqueeze(0), in -> flatAs(in[0], new int[] {1}));
                    int d = rng.nextInt(r);
                    int[] out = shape[d] == 1 ? OpRegistry.removeDim(shape, d) : shape;
                    return new Case("squeeze " + d, new Tensor[] {x}, in -> in[0].squeeze(d), in -> flatAs(in[0], out));
                }
                default -> {
                    int d = rng.nextInt(r + 1);
                    int[] out = new int[r + 1];
                    for (int i = 0, j = 0; i <= r; i++) out[i] = i == d ? 1 : shape[j++];
                    return new Case("unsqueeze " + d, new Tensor[] {x}, in -> in[0].unsqueeze(d), in -> flatAs(in[0], out));
                }
            }
        }));
        ops.add(new OpInfo("clone", Set.of("clone", "contiguous", "copy"), true, false, (rng, dt, grad) -> {
            int[] shape = TensorGen.shape(rng, 0, 3, 4);
            Tensor x = TensorGen.tensor(rng, dt, shape, NORMAL);
            boolean contiguous = rng.nextBoolean();
            return new Case(contiguous ? "contiguous of a transpose" : "clone", new Tensor[] {x},
                    in -> contiguous ? (in[0].dim() >= 2 ? in[0].transpose(0, 1).contiguous() : in[0].contiguous()) : in[0].clone(),
                    in -> contiguous && in[0].dim() >= 2 ? permuteRef(in[0], swap01(in[0].dim())) : flatAs(in[0], in[0].shape()));
        }));
        return ops;
    }

    /** The input's row-major values in a new shape. */
    static Expected flatAs(Tensor x, int[] shape) {
        return new Expected(shape, OpRegistry.values(x));
    }

    static Expected permuteRef(Tensor x, int[] order) {
        int[] s = x.shape();
        int[] out = new int[order.length];
        for (int i = 0; i < order.length; i++) out[i] = s[order[i]];
        return Ref.build(out, idx -> {
            int[] src = new int[idx.length];
            for (int i = 0; i < idx.length; i++) src[order[i]] = idx[i];
            return x.get(src);
        });
    }

    static Expected sliceRef(Tensor x, int d, int start, int len, int step) {
        int[] out = x.shape();
        out[d] = len;
        return Ref.build(out, idx -> {
            int[] src = idx.clone();
            src[d] = start + idx[d] * step;
            return x.get(src);
        });
    }

    static int[] identity(int r) {
        int[] o = new int[r];
        for (int i = 0; i < r; i++) o[i] = i;
        return o;
    }

    static int[] swap01(int r) {
        int[] o = identity(r);
        o[0] = 1;
        o[1] = 0;
        return o;
    }

    /** A random factorisation of n into 0–3 dims (plus size-1 dims now and then). */
    static int[] factor(java.util.random.RandomGenerator rng, int n) {
        List<Integer> dims = new ArrayList<>();
        int rest = n;
        while (rest > 1 && dims.size() < 3) {
            List<Integer> divisors = new ArrayList<>();
            for (int k = 2; k <= rest; k++) if (rest % k == 0) divisors.add(k);
            int k = divisors.get(rng.nextInt(divisors.size()));
            dims.add(k);
            rest /= k;
        }
        if (rest != 1) dims.add(rest);
        if (n == 0) dims.add(0);
        if (rng.nextInt(3) == 0) dims.add(rng.nextInt(dims.size() + 1), 1);
        return dims.stream().mapToInt(Integer::intValue).toArray();
    }

    static int[] resolve(int[] target, int n) {
        int[] r = target.clone();
        int known = 1, at = -1;
        for (int i = 0; i < r.length; i++) {
            if (r[i] == -1) at = i;
            else known *= r[i];
        }
        if (at >= 0) r[at] = n / known;
        return r;
    }

    static int[] flattenShape(int[] shape, int s, int e) {
        if (shape.length == 0) return new int[] {1};
        int[] out = new int[shape.length - (e - s)];
        int j = 0;
        for (int i = 0; i < s; i++) out[j++] = shape[i];
        int m = 1;
        for (int i = s; i <= e; i++) m *= shape[i];
        out[j++] = m;
        for (int i = e + 1; i < shape.length; i++) out[j++] = shape[i];
        return out;
    }
}
