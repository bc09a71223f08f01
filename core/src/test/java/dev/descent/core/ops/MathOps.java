package dev.descent.core.ops;

import static dev.descent.core.check.TensorGen.Values.AWAY_FROM_ZERO;
import static dev.descent.core.check.TensorGen.Values.EDGES;
import static dev.descent.core.check.TensorGen.Values.NORMAL;
import static dev.descent.core.check.TensorGen.Values.POSITIVE;
import static dev.descent.core.ops.OpRegistry.fmt;
import static dev.descent.core.ops.OpRegistry.map;

import dev.descent.core.DType;
import dev.descent.core.Ref;
import dev.descent.core.Tensor;
import dev.descent.core.check.TensorGen;
import dev.descent.core.ops.OpRegistry.Case;
import dev.descent.core.ops.OpRegistry.OpInfo;
import java.util.List;
import java.util.Set;
import java.util.function.DoubleUnaryOperator;
import java.util.function.Function;

/**
 * Registry entries for issue 16's math: activations (SiLU, leaky ReLU, ELU, softplus), elementwise functions,
 * masking and structure ops, reductions. References are plain double loops written from the definitions.
 */
final class MathOps {
    private MathOps() {}

    private static final int MAX_RANK = 3, MAX_DIM = 4;

    static void addTo(List<OpInfo> ops) {
        // ---- activations
        ops.add(unary("silu", Set.of("silu"), NORMAL, false, Tensor::silu, x -> x / (1 + Math.exp(-x))));
        // hard swish and hard sigmoid bend at ±3: inputs of spread 3 put about a third of the values on the flat parts
        ops.add(hard("hardswish", Tensor::hardswish, x -> x * Math.min(Math.max(x + 3, 0), 6) / 6));
        ops.add(hard("hardsigmoid", Tensor::hardsigmoid, x -> Math.min(Math.max(x + 3, 0), 6) / 6));
        ops.add(new OpInfo("leakyRelu", Set.of("leakyRelu"), true, false, (rng, dt, grad) -> {
            Tensor x = TensorGen.tensor(rng, dt, TensorGen.shape(rng, 0, MAX_RANK, MAX_DIM), grad ? AWAY_FROM_ZERO : EDGES);
            if (rng.nextInt(3) == 0) {
                return new Case("leakyRelu() " + fmt(x.shape()), new Tensor[] {x}, in -> in[0].leakyRelu(), in -> map(in[0], v -> v > 0 ? v : 0.01 * v));
            }
            double slope = List.of(0.01, 0.2, -0.5, 1.5).get(rng.nextInt(4));
            return new Case("leakyRelu " + slope + " " + fmt(x.shape()), new Tensor[] {x}, in -> in[0].leakyRelu(slope),
                    in -> map(in[0], v -> v > 0 ? v : slope * v));
        }));
        ops.add(new OpInfo("elu", Set.of("elu"), true, true, (rng, dt, grad) -> {
            Tensor x = TensorGen.tensor(rng, dt, TensorGen.shape(rng, 0, MAX_RANK, MAX_DIM), grad ? AWAY_FROM_ZERO : EDGES);
            if (rng.nextInt(3) == 0) {
                return new Case("elu() " + fmt(x.shape()), new Tensor[] {x}, in -> in[0].elu(), in -> map(in[0], v -> v > 0 ? v : Math.exp(v) - 1));
            }
            double alpha = List.of(1.0, 0.5, 2.0).get(rng.nextInt(3));
            return new Case("elu " + alpha + " " + fmt(x.shape()), new Tensor[] {x}, in -> in[0].elu(alpha),
                    in -> map(in[0], v -> v > 0 ? v : alpha * (Math.exp(v) - 1)));
        }));
        ops.add(new OpInfo("softplus", Set.of("softplus"), true, true, (rng, dt, grad) -> {
            Tensor x = TensorGen.tensor(rng, dt, TensorGen.shape(rng, 0, MAX_RANK, MAX_DIM), grad ? NORMAL : EDGES);
            if (rng.nextInt(3) == 0) {
                return new Case("softplus() " + fmt(x.shape()), new Tensor[] {x}, in -> in[0].softplus(), in -> map(in[0], v -> softplusRef(v, 1, 20)));
            }
            double beta = List.of(1.0, 2.0, 0.5).get(rng.nextInt(3)), threshold = List.of(20.0, 1.0, 2.0).get(rng.nextInt(3));
            return new Case("softplus " + beta + " " + threshold + " " + fmt(x.shape()), new Tensor[] {x}, in -> in[0].softplus(beta, threshold),
                    in -> map(in[0], v -> softplusRef(v, beta, threshold)));
        }));
        // ---- elementwise math
        ops.add(unary("sin", Set.of("sin"), NORMAL, false, Tensor::sin, Math::sin));
        ops.add(unary("cos", Set.of("cos"), NORMAL, false, Tensor::cos, Math::cos));
        ops.add(unary("log1p", Set.of("log1p"), POSITIVE, false, Tensor::log1p, MathOps::log1pRef));
        ops.add(unary("expm1", Set.of("expm1"), NORMAL, false, Tensor::expm1, MathOps::expm1Ref));
        ops.add(unary("rsqrt", Set.of("rsqrt"), POSITIVE, false, Tensor::rsqrt, v -> 1 / Math.sqrt(v)));
        ops.add(unary("reciprocal", Set.of("reciprocal"), AWAY_FROM_ZERO, false, Tensor::reciprocal, v -> 1 / v));
        ops.add(step("sign", Tensor::sign, v -> v > 0 ? 1 : v < 0 ? -1 : v));
        ops.add(step("floor", Tensor::floor, MathOps::floorRef));
        ops.add(step("ceil", Tensor::ceil, v -> -floorRef(-v)));
        ops.add(step("round", Tensor::round, MathOps::roundHalfEven));
        ops.add(new OpInfo("isfinite", Set.of("isfinite", "isnan"), false, false, (rng, dt, grad) -> {
            int[] shape = TensorGen.shape(rng, 0, MAX_RANK, MAX_DIM);
            Tensor x = TensorGen.tensor(rng, dt, shape, EDGES);
            double[] specials = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
            for (int i = 0; i < x.numel(); i++) if (rng.nextInt(3) == 0) x.storage().setDouble(i, specials[rng.nextInt(3)]);
            boolean nan = rng.nextBoolean();
            return new Case((nan ? "isnan " : "isfinite ") + fmt(shape), new Tensor[] {x}, in -> nan ? in[0].isnan() : in[0].isfinite(),
                    in -> map(in[0], v -> nan ? (v != v ? 1 : 0) : (v - v == 0 ? 1 : 0)));
        }));
        // ---- masking and structure
        ops.add(new OpInfo("maskedFill", Set.of("maskedFill"), true, false, (rng, dt, grad) -> {
            int[] shape = TensorGen.shape(rng, 0, MAX_RANK, MAX_DIM);
            int[] ms = OpRegistry.dropSome(rng, shape);
            double value = List.of(0.0, -1.5, 1e4, Double.NEGATIVE_INFINITY).get(rng.nextInt(grad ? 3 : 4)); // finite differences need finite outputs
            Tensor x = TensorGen.tensor(rng, dt, shape, grad ? NORMAL : EDGES), mask = TensorGen.mask(rng, ms).reshape(ms);
            return new Case("maskedFill " + fmt(shape) + " mask " + fmt(ms) + " " + value, new Tensor[] {x, mask}, in -> in[0].maskedFill(in[1], value),
                    in -> Ref.build(in[0].shape(), idx -> Ref.broadcastGet(in[1], idx) != 0 ? value : in[0].get(idx)));
        }));
        ops.add(new OpInfo("tril", Set.of("tril", "triu"), true, false, (rng, dt, grad) -> {
            int[] shape = TensorGen.shape(rng, 2, 4, MAX_DIM);
            int diagonal = rng.nextInt(7) - 3;
            boolean lower = rng.nextBoolean(), dflt = rng.nextInt(4) == 0;
            int dg = dflt ? 0 : diagonal;
            Tensor x = TensorGen.tensor(rng, dt, shape, grad ? NORMAL : EDGES);
            Function<Tensor[], Tensor> f = dflt ? (lower ? in -> in[0].tril() : in -> in[0].triu())
                    : (lower ? in -> in[0].tril(dg) : in -> in[0].triu(dg));
            return new Case((lower ? "tril " : "triu ") + (dflt ? "()" : dg) + " " + fmt(shape), new Tensor[] {x}, f, in -> Ref.build(in[0].shape(), idx -> {
                int i = idx[idx.length - 2], j = idx[idx.length - 1];
                boolean keep = lower ? j - i <= dg : j - i >= dg;
                return keep ? in[0].get(idx) : 0;
            }));
        }));
        ops.add(new OpInfo("causalMask", Set.of("causalMask"), false, false, (rng, dt, grad) -> {
            int size = rng.nextInt(6);
            return new Case("causalMask " + size, new Tensor[0], in -> Tensor.causalMask(size),
                    in -> Ref.build(new int[] {size, size}, idx -> idx[1] > idx[0] ? 1 : 0));
        }));
        ops.add(new OpInfo("split", Set.of("split", "chunk"), true, false, (rng, dt, grad) -> {
            int[] shape = TensorGen.shape(rng, 1, MAX_RANK, 6);
            int d = rng.nextInt(shape.length), n = shape[d];
            int dim = rng.nextBoolean() ? d : d - shape.length;
            Tensor x = TensorGen.tensor(rng, dt, shape, grad ? NORMAL : EDGES);
            int[] starts, lengths; // the pieces, computed from the definitions
            String what;
            Function<Tensor, List<Tensor>> f;
            switch (rng.nextInt(3)) {
                case 0 -> {
                    int size = 1 + rng.nextInt(4);
                    int count = (n + size - 1) / size;
                    starts = new int[count];
                    lengths = new int[count];
                    for (int p = 0; p < count; p++) {
                        starts[p] = p * size;
                        lengths[p] = Math.min(size, n - p * size);
                    }
                    what = "split " + size;
                    f = t -> t.split(size, dim);
                }
                case 1 -> {
                    int count = 1 + rng.nextInt(3);
                    int[] sizes = new int[count];
                    int left = n;
                    for (int p = 0; p < count - 1; p++) {
                        sizes[p] = rng.nextInt(left + 1);
                        left -= sizes[p];
                    }
                    sizes[count - 1] = left;
                    starts = new int[count];
                    lengths = sizes.clone();
                    for (int p = 1; p < count; p++) starts[p] = starts[p - 1] + sizes[p - 1];
                    what = "split " + java.util.Arrays.toString(sizes);
                    f = t -> t.split(sizes, dim);
                }
                default -> {
                    int chunks = 1 + rng.nextInt(5);
                    int per = (n + chunks - 1) / chunks;
                    int count = (n + per - 1) / per;
                    starts = new int[count];
                    lengths = new int[count];
                    for (int p = 0; p < count; p++) {
                        starts[p] = p * per;
                        lengths[p] = Math.min(per, n - p * per);
                    }
                    what = "chunk " + chunks;
                    f = t -> t.chunk(chunks, dim);
                }
            }
            int pick = rng.nextInt(starts.length);
            int start = starts[pick], count = starts.length;
            int[] outShape = shape.clone();
            outShape[d] = lengths[pick];
            // one piece, picked at random; the number of pieces is checked too (a wrong count throws)
            return new Case(what + " dim " + dim + " piece " + pick + " of " + fmt(shape), new Tensor[] {x}, in -> {
                List<Tensor> pieces = f.apply(in[0]);
                if (pieces.size() != count) throw new AssertionError(what + ": " + pieces.size() + " pieces, expected " + count);
                return pieces.get(pick);
            }, in -> Ref.build(outShape, idx -> {
                int[] src = idx.clone();
                src[d] += start;
                return in[0].get(src);
            }));
        }));
        ops.add(new OpInfo("repeat", Set.of("repeat"), true, false, (rng, dt, grad) -> {
            int[] shape = TensorGen.shape(rng, 0, MAX_RANK, MAX_DIM);
            int[] repeats = new int[shape.length + rng.nextInt(2)];
            for (int i = 0; i < repeats.length; i++) repeats[i] = rng.nextInt(4) == 0 ? 0 + rng.nextInt(2) : 1 + rng.nextInt(3);
            int lead = repeats.length - shape.length;
            int[] out = new int[repeats.length];
            for (int i = 0; i < out.length; i++) out[i] = repeats[i] * (i < lead ? 1 : shape[i - lead]);
            Tensor x = TensorGen.tensor(rng, dt, shape, grad ? NORMAL : EDGES);
            return new Case("repeat " + java.util.Arrays.toString(repeats) + " of " + fmt(shape), new Tensor[] {x}, in -> in[0].repeat(repeats),
                    in -> Ref.build(out, idx -> {
                        int[] src = new int[shape.length];
                        for (int i = 0; i < shape.length; i++) src[i] = idx[i + lead] % shape[i];
                        return in[0].get(src);
                    }));
        }));
        // ---- reductions
        ops.add(new OpInfo("prod", Set.of("prod"), true, true, (rng, dt, grad) -> {
            int[] shape = TensorGen.shape(rng, 1, MAX_RANK, MAX_DIM);
            Tensor x = TensorGen.tensor(rng, dt, shape, NORMAL);
            int zeros = rng.nextInt(3); // none, one, or two zeros: the three cases of the backward rule
            for (int z = 0; z < zeros; z++) x.storage().setDouble(rng.nextInt(x.numel()), 0);
            int form = rng.nextInt(4);
            if (form == 0) {
                return new Case("prod() " + fmt(shape) + " zeros " + zeros, new Tensor[] {x}, in -> in[0].prod(),
                        in -> OpRegistry.scalar(product(OpRegistry.values(in[0]))));
            }
            int[] dims = form == 1 ? new int[] {rng.nextInt(shape.length)} : OpRegistry.randomDims(rng, shape.length);
            boolean keep = rng.nextBoolean();
            return new Case("prod " + fmt(shape) + " dims " + java.util.Arrays.toString(dims) + " keepdim " + keep + " zeros " + zeros, new Tensor[] {x},
                    in -> form == 1 ? in[0].prod(dims[0], keep) : in[0].prod(dims, keep), in -> OpRegistry.reduceRef(in[0], dims, keep, MathOps::product));
        }));
        ops.add(new OpInfo("std", Set.of("std"), true, true, (rng, dt, grad) -> {
            int[] shape = TensorGen.shape(rng, 1, MAX_RANK, MAX_DIM);
            int form = rng.nextInt(3);
            int[] dims = form == 0 ? new int[0] : form == 1 ? new int[] {rng.nextInt(shape.length)} : OpRegistry.randomDims(rng, shape.length);
            int correction = form == 2 ? rng.nextInt(2) : 1;
            int n = 1;
            for (int d : dims) n *= shape[Math.floorMod(d, shape.length)];
            if (dims.length == 0) for (int v : shape) n *= v;
            if (n - correction < 1 || n < 2) shape[dims.length == 0 ? 0 : Math.floorMod(dims[0], shape.length)] = 3;
            boolean keep = rng.nextBoolean();
            Tensor x = OpRegistry.distinct(rng, dt, shape);
            int[] all = dims.length == 0 ? java.util.stream.IntStream.range(0, shape.length).toArray() : dims;
            Function<Tensor[], Tensor> f = switch (form) {
                case 0 -> in -> in[0].std();
                case 1 -> in -> in[0].std(dims[0], keep);
                default -> in -> in[0].std(dims, correction, keep);
            };
            boolean keepRef = form != 0 && keep;
            return new Case("std form " + form + " " + fmt(shape) + " dims " + java.util.Arrays.toString(dims) + " correction " + correction + " keepdim " + keep,
                    new Tensor[] {x}, f, in -> OpRegistry.reduceRef(in[0], all, keepRef, g -> Math.sqrt(sumSquaredDeviations(g) / (g.length - correction))));
        }));
        ops.add(new OpInfo("norm", Set.of("norm"), true, true, (rng, dt, grad) -> {
            int[] shape = TensorGen.shape(rng, 1, MAX_RANK, MAX_DIM);
            double p = List.of(1.0, 2.0, Double.POSITIVE_INFINITY).get(rng.nextInt(3));
            Tensor x = p == Double.POSITIVE_INFINITY ? OpRegistry.distinct(rng, dt, shape)
                    : TensorGen.tensor(rng, dt, shape, p == 1 && grad ? AWAY_FROM_ZERO : NORMAL);
            if (p == 2 && rng.nextInt(6) == 0) x = Tensor.zeros(dt, shape); // ‖0‖: the gradient must be 0, which central differences agree with
            int form = rng.nextInt(4);
            int[] dims = form <= 1 ? new int[0] : form == 2 ? new int[] {rng.nextInt(shape.length)} : OpRegistry.randomDims(rng, shape.length);
            boolean keep = form >= 2 && rng.nextBoolean();
            int[] all = dims.length == 0 ? java.util.stream.IntStream.range(0, shape.length).toArray() : dims;
            Function<Tensor[], Tensor> f = switch (form) {
                case 0 -> p == 2 ? in -> in[0].norm() : in -> in[0].norm(p);
                case 1 -> in -> in[0].norm(p);
                case 2 -> in -> in[0].norm(p, dims[0], keep);
                default -> in -> in[0].norm(p, dims, keep);
            };
            return new Case("norm " + p + " form " + form + " " + fmt(shape) + " dims " + java.util.Arrays.toString(dims) + " keepdim " + keep, new Tensor[] {x}, f,
                    in -> OpRegistry.reduceRef(in[0], all, keep, g -> pNorm(g, p)));
        }));
        ops.add(new OpInfo("cumsum", Set.of("cumsum"), true, true, (rng, dt, grad) -> {
            int[] shape = TensorGen.shape(rng, 1, MAX_RANK, 5);
            int d = rng.nextInt(shape.length), dim = rng.nextBoolean() ? d : d - shape.length;
            Tensor x = TensorGen.tensor(rng, dt, shape, NORMAL);
            return new Case("cumsum " + dim + " " + fmt(shape), new Tensor[] {x}, in -> in[0].cumsum(dim), in -> Ref.build(shape, idx -> {
                double sum = 0;
                int[] j = idx.clone();
                for (int t = 0; t <= idx[d]; t++) {
                    j[d] = t;
                    sum += in[0].get(j);
                }
                return sum;
            }));
        }));
        ops.add(new OpInfo("any", Set.of("any", "all"), false, false, (rng, dt, grad) -> {
            int[] shape = TensorGen.shape(rng, 1, MAX_RANK, MAX_DIM);
            Tensor x = TensorGen.tensor(rng, dt, shape, NORMAL);
            double zeroRate = rng.nextDouble();
            for (int i = 0; i < x.numel(); i++) if (rng.nextDouble() < zeroRate) x.storage().setDouble(i, 0);
            if (rng.nextInt(5) == 0) x.storage().setDouble(0, Double.NaN);
            boolean any = rng.nextBoolean(), bools = rng.nextBoolean();
            int form = rng.nextInt(3);
            int[] dims = form == 0 ? new int[0] : form == 1 ? new int[] {rng.nextInt(shape.length)} : OpRegistry.randomDims(rng, shape.length);
            boolean keep = form != 0 && rng.nextBoolean();
            int[] all = dims.length == 0 ? java.util.stream.IntStream.range(0, shape.length).toArray() : dims;
            Function<Tensor, Tensor> f = switch (form) {
                case 0 -> any ? Tensor::any : Tensor::all;
                case 1 -> any ? t -> t.any(dims[0], keep) : t -> t.all(dims[0], keep);
                default -> any ? t -> t.any(dims, keep) : t -> t.all(dims, keep);
            };
            return new Case((any ? "any" : "all") + " form " + form + (bools ? " of bools " : " ") + fmt(shape) + " dims " + java.util.Arrays.toString(dims)
                    + " keepdim " + keep, new Tensor[] {x}, in -> f.apply(bools ? in[0].ne(0) : in[0]), in -> OpRegistry.reduceRef(in[0], all, keep, g -> {
                        boolean seen = !any;
                        for (double v : g) if (any ? v != 0 : v == 0) seen = any;
                        return seen ? 1 : 0;
                    }));
        }));
        // ---- softmax over masked logits (−∞ entries; a fully masked slice only in the forward check, where it is NaN)
        ops.add(new OpInfo("softmax_masked", Set.of("softmax", "logSoftmax"), true, true, (rng, dt, grad) -> {
            int[] shape = TensorGen.shape(rng, 1, MAX_RANK, MAX_DIM);
            int d = rng.nextInt(shape.length), dim = rng.nextBoolean() ? d : d - shape.length;
            Tensor x = TensorGen.tensor(rng, dt, shape, NORMAL).mul(grad ? 1 : List.of(1.0, 100.0).get(rng.nextInt(2)));
            Tensor mask = TensorGen.mask(rng, shape).reshape(shape);
            if (grad) { // keep position 0 of every slice visible: finite differences need finite outputs
                for (int i = 0; i < mask.numel(); i++) if (Ref.unravel(i, shape)[d] == 0) mask.storage().bools()[i] = false;
            }
            boolean log = rng.nextBoolean();
            Tensor m = mask;
            // logSoftmax is −∞ at masked places; refilling them with 0 keeps the finite-difference check meaningful
            Function<Tensor[], Tensor> f = log ? in -> in[0].maskedFill(in[1], Double.NEGATIVE_INFINITY).logSoftmax(dim).maskedFill(in[1], 0)
                    : in -> in[0].maskedFill(in[1], Double.NEGATIVE_INFINITY).softmax(dim);
            return new Case((log ? "logSoftmax" : "softmax") + " masked " + fmt(shape) + " dim " + dim, new Tensor[] {x, m}, f,
                    in -> Ref.build(shape, idx -> {
                        int[] j = idx.clone();
                        double max = Double.NEGATIVE_INFINITY;
                        for (int t = 0; t < shape[d]; t++) {
                            j[d] = t;
                            if (in[1].get(j) == 0) max = Math.max(max, in[0].get(j));
                        }
                        boolean hidden = in[1].get(idx) != 0;
                        if (log && hidden) return 0;
                        if (max == Double.NEGATIVE_INFINITY) return Double.NaN; // every entry masked: NaN, as PyTorch
                        double sum = 0;
                        for (int t = 0; t < shape[d]; t++) {
                            j[d] = t;
                            if (in[1].get(j) == 0) sum += Math.exp(in[0].get(j) - max);
                        }
                        if (log) return in[0].get(idx) - max - Math.log(sum);
                        return hidden ? 0 : Math.exp(in[0].get(idx) - max) / sum;
                    }));
        }));
    }

    // ------------------------------------------------------------ references

    /** (1/β)·ln(1 + e^(βx)), x where βx &gt; threshold; ln(1 + u) summed as a series for tiny u. */
    static double softplusRef(double x, double beta, double threshold) {
        double bx = beta * x;
        if (bx > threshold) return x;
        double u = Math.exp(bx);
        double l = u < 1e-8 ? u - u * u / 2 : Math.log(1 + u);
        return l / beta;
    }

    static double product(double[] g) {
        double p = 1;
        for (double v : g) p *= v;
        return p;
    }

    static double sumSquaredDeviations(double[] g) {
        double m = 0;
        for (double v : g) m += v;
        m /= g.length;
        double s = 0;
        for (double v : g) s += (v - m) * (v - m);
        return s;
    }

    static double pNorm(double[] g, double p) {
        double s = 0;
        for (double v : g) s = p == 1 ? s + Math.abs(v) : p == 2 ? s + v * v : Math.max(s, Math.abs(v));
        return p == 2 ? Math.sqrt(s) : s;
    }

    /** ln(1 + v): its Taylor series near 0 (where 1 + v would round), else the plain formula. */
    static double log1pRef(double v) {
        if (Math.abs(v) >= 1e-3) return Math.log(1 + v);
        double s = 0, p = v;
        for (int k = 1; k <= 7; k++, p *= -v) s += p / k;
        return s;
    }

    /** eᵛ − 1: its Taylor series near 0, else the plain formula. */
    static double expm1Ref(double v) {
        if (Math.abs(v) >= 1e-3) return Math.exp(v) - 1;
        double s = 0, p = v;
        for (int k = 1; k <= 7; k++) {
            s += p;
            p *= v / (k + 1);
        }
        return s;
    }

    /** The largest integer ≤ v, by counting down from the truncation (no Math.floor). */
    static double floorRef(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v) || Math.abs(v) >= 0x1p52) return v;
        double t = (double) (long) v;
        double r = t > v ? t - 1 : t;
        return r == 0 ? (v < 0 || (v == 0 && 1 / v < 0) ? -0.0 : 0.0) : r;
    }

    /** The nearest integer; on an exact half, the even one. */
    static double roundHalfEven(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v) || Math.abs(v) >= 0x1p52) return v;
        double f = floorRef(v), d = v - f;
        double r = d < 0.5 ? f : d > 0.5 ? f + 1 : (((long) f) % 2 == 0 ? f : f + 1);
        return r == 0 ? Math.copySign(0.0, v) : r;
    }

    // ------------------------------------------------------------ entry builders

    /** An op with kinks at ±3: standard normal values times 3 (for the gradient check too: a kink is hit with probability ~0). */
    private static OpInfo hard(String name, Function<Tensor, Tensor> f, DoubleUnaryOperator ref) {
        return new OpInfo(name, Set.of(name), true, false, (rng, dt, grad) -> {
            Tensor x = TensorGen.tensor(rng, dt, TensorGen.shape(rng, 0, MAX_RANK, MAX_DIM), grad ? NORMAL : EDGES).mul(3);
            return new Case(name + " " + fmt(x.shape()), new Tensor[] {x}, in -> f.apply(in[0]), in -> map(in[0], ref));
        });
    }

    static OpInfo unary(String name, Set<String> methods, TensorGen.Values gradProfile, boolean accumulates, Function<Tensor, Tensor> f,
                        DoubleUnaryOperator ref) {
        return new OpInfo(name, methods, true, accumulates, (rng, dt, grad) -> {
            Tensor x = TensorGen.tensor(rng, dt, TensorGen.shape(rng, 0, MAX_RANK, MAX_DIM), grad ? gradProfile : EDGES);
            return new Case(name + " " + fmt(x.shape()), new Tensor[] {x}, in -> f.apply(in[0]), in -> map(in[0], ref));
        });
    }

    /**
     * A piecewise-constant op: for the gradient check, values 0.1 to 0.4 away from every integer and half-integer
     * (finite differences see the flat part, and the gradient must be 0); otherwise edge values and exact halves.
     */
    static OpInfo step(String name, Function<Tensor, Tensor> f, DoubleUnaryOperator ref) {
        return new OpInfo(name, Set.of(name), true, false, (rng, dt, grad) -> {
            int[] shape = TensorGen.shape(rng, 0, MAX_RANK, MAX_DIM);
            Tensor x = TensorGen.tensor(rng, dt, shape, EDGES);
            for (int i = 0; i < x.numel(); i++) {
                double v = grad ? (rng.nextInt(9) - 4) / 2.0 + (rng.nextBoolean() ? 1 : -1) * (0.1 + 0.3 * rng.nextDouble()) / 2
                        : rng.nextBoolean() ? (rng.nextInt(13) - 6) / 2.0 : x.storage().getDouble(i);
                x.storage().setDouble(i, v);
            }
            return new Case(name + " " + fmt(shape), new Tensor[] {x}, in -> f.apply(in[0]), in -> map(in[0], ref));
        });
    }

}
