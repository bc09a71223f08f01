package dev.descent.core.ops;

import static dev.descent.core.check.TensorGen.Values.AWAY_FROM_ZERO;
import static dev.descent.core.check.TensorGen.Values.EDGES;
import static dev.descent.core.check.TensorGen.Values.NORMAL;
import static dev.descent.core.check.TensorGen.Values.POSITIVE;

import dev.descent.core.DType;
import dev.descent.core.Ref;
import dev.descent.core.Ref.Expected;
import dev.descent.core.Tensor;
import dev.descent.core.check.GradCheck;
import dev.descent.core.check.TensorGen;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * Every op, with a generator of valid inputs and a scalar reference. Generic properties
 * ({@code OpSweepTest}) sweep each entry: float64 gradient check, forward against the reference in
 * float32 and float64, non-contiguous inputs against contiguous ones. {@code OpRegistryCompletenessTest}
 * fails when {@link Tensor} has a public op that no entry covers.
 *
 * <p>Adding an op means adding one entry here: its name, the {@code Tensor} methods it covers, and a
 * generator that returns inputs, the call, and the reference (plain loops over coordinates, in double).
 */
public final class OpRegistry {
    private OpRegistry() {}

    /** One generated case: inputs, the op applied to them, and the expected result from plain loops. */
    public record Case(String description, Tensor[] inputs, Function<Tensor[], Tensor> fn, Function<Tensor[], Expected> reference,
                       GradCheck.Options gradOptions) {
        public Case(String description, Tensor[] inputs, Function<Tensor[], Tensor> fn, Function<Tensor[], Expected> reference) {
            this(description, inputs, fn, reference, GradCheck.Options.defaults());
        }
    }

    /** Makes a case with float inputs of {@code dtype}; {@code forGrad} asks for values where finite differences are valid. */
    @FunctionalInterface
    public interface Gen {
        Case make(RandomGenerator rng, DType dtype, boolean forGrad);
    }

    /**
     * A registered op. {@code accumulates}: its float32 result goes through several roundings (sums of
     * several inputs, or a chain of float ops with cancellation), so its float32 forward check allows
     * 1e-5 absolute and relative error instead of a few ulps.
     */
    public record OpInfo(String name, Set<String> methods, boolean differentiable, boolean accumulates, Gen gen) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final int MAX_RANK = 3, MAX_DIM = 4;

    /** Every registered op. */
    public static List<OpInfo> all() {
        List<OpInfo> ops = new ArrayList<>();
        // ---- unary elementwise
        ops.add(unary("neg", Set.of("neg"), NORMAL, Tensor::neg, x -> -x));
        ops.add(unary("exp", Set.of("exp"), NORMAL, Tensor::exp, Math::exp));
        ops.add(unary("log", Set.of("log"), POSITIVE, Tensor::log, Math::log));
        ops.add(unary("sqrt", Set.of("sqrt"), POSITIVE, Tensor::sqrt, Math::sqrt));
        ops.add(unary("abs", Set.of("abs"), AWAY_FROM_ZERO, Tensor::abs, Math::abs));
        ops.add(unary("relu", Set.of("relu"), AWAY_FROM_ZERO, Tensor::relu, x -> x > 0 ? x : 0));
        ops.add(new OpInfo("positivePart", Set.of("positivePart"), true, false, (rng, dt, grad) -> {
            int[] shape = TensorGen.shape(rng, 0, MAX_RANK, MAX_DIM);
            Tensor g = TensorGen.tensor(rng, dt, shape, grad ? NORMAL : EDGES), x = TensorGen.tensor(rng, dt, shape, AWAY_FROM_ZERO);
            return new Case("positivePart " + fmt(shape), new Tensor[] {g, x}, in -> Elementwise.positivePart(in[0], in[1]),
                    in -> zip(in[0], in[1], (a, b) -> b > 0 ? a : 0));
        }));
        ops.add(new OpInfo("sumToShape", Set.of("sumToShape"), true, true, (rng, dt, grad) -> {
            int[][] pair = TensorGen.broadcastPair(rng, MAX_RANK, MAX_DIM);
            int[] full = Ref.broadcastShape(pair[0], pair[1]);
            int[] small = dropSome(rng, full);
            Tensor g = TensorGen.tensor(rng, dt, full, NORMAL);
            return new Case("sumToShape " + fmt(full) + "->" + fmt(small), new Tensor[] {g}, in -> Views.sumToShape(in[0], small), in -> {
                double[] out = new double[Ref.build(small, i -> 0).values().length];
                for (int f = 0; f < in[0].numel(); f++) {
                    int[] idx = Ref.unravel(f, full);
                    int[] t = new int[small.length];
                    for (int k = 0; k < small.length; k++) t[k] = small[k] == 1 ? 0 : idx[idx.length - small.length + k];
                    out[flat(t, small)] += in[0].get(idx);
                }
                return new Expected(small, out);
            });
        }));
        ops.add(unary("sigmoid", Set.of("sigmoid"), NORMAL, Tensor::sigmoid, x -> 1 / (1 + Math.exp(-x))));
        ops.add(unary("tanh", Set.of("tanh"), NORMAL, Tensor::tanh, Math::tanh));
        ops.add(unary("square", Set.of("square"), NORMAL, Tensor::square, x -> x * x));
        ops.add(new OpInfo("pow_scalar", Set.of("pow"), true, false, (rng, dt, grad) -> {
            double e = List.of(-1.5, -1.0, 0.5, 2.0, 3.0).get(rng.nextInt(5));
            Tensor x = TensorGen.tensor(rng, dt, TensorGen.shape(rng, 0, MAX_RANK, MAX_DIM), POSITIVE);
            return new Case("pow " + e, new Tensor[] {x}, in -> in[0].pow(e), in -> map(in[0], v -> Math.pow(v, e)));
        }));
        ops.add(new OpInfo("clamp", Set.of("clamp", "clampMin", "clampMax"), true, false, (rng, dt, grad) -> {
            double lo = -0.5 + 0.25 * rng.nextInt(2), hi = lo + 0.375 + 0.5 * rng.nextInt(3);
            Tensor x = grid(rng, dt, TensorGen.shape(rng, 0, MAX_RANK, MAX_DIM)).add(0.1); // never on a bound: 0.1 off the ½-grid, bounds on the ⅛-grid
            return switch (rng.nextInt(3)) {
                case 0 -> new Case("clamp " + lo + " " + hi, new Tensor[] {x}, in -> in[0].clamp(lo, hi), in -> map(in[0], v -> Math.min(Math.max(v, lo), hi)));
                case 1 -> new Case("clampMin " + lo, new Tensor[] {x}, in -> in[0].clampMin(lo), in -> map(in[0], v -> Math.max(v, lo)));
                default -> new Case("clampMax " + hi, new Tensor[] {x}, in -> in[0].clampMax(hi), in -> map(in[0], v -> Math.min(v, hi)));
            };
        }));
        // ---- binary elementwise with broadcasting
        ops.add(binary("add", NORMAL, NORMAL, Tensor::add, Double::sum));
        ops.add(binary("sub", NORMAL, NORMAL, Tensor::sub, (a, b) -> a - b));
        ops.add(binary("mul", NORMAL, NORMAL, Tensor::mul, (a, b) -> a * b));
        ops.add(binary("div", NORMAL, AWAY_FROM_ZERO, Tensor::div, (a, b) -> a / b));
        ops.add(binary("pow", POSITIVE, NORMAL, Tensor::pow, Math::pow));
        ops.add(binary("maximum", NORMAL, NORMAL, Tensor::maximum, Math::max));
        ops.add(binary("minimum", NORMAL, NORMAL, Tensor::minimum, Math::min));
        ops.add(new OpInfo("scalar_arithmetic", Set.of("add", "sub", "mul", "div"), true, false, (rng, dt, grad) -> {
            double c = Math.round(rng.nextGaussian() * 4) / 4.0 + 0.125;
            Tensor x = TensorGen.tensor(rng, dt, TensorGen.shape(rng, 0, MAX_RANK, MAX_DIM), grad ? NORMAL : EDGES);
            return switch (rng.nextInt(4)) {
                case 0 -> new Case("add " + c, new Tensor[] {x}, in -> in[0].add(c), in -> map(in[0], v -> v + c));
                case 1 -> new Case("sub " + c, new Tensor[] {x}, in -> in[0].sub(c), in -> map(in[0], v -> v - c));
                case 2 -> new Case("mul " + c, new Tensor[] {x}, in -> in[0].mul(c), in -> map(in[0], v -> v * c));
                default -> new Case("div " + c, new Tensor[] {x}, in -> in[0].div(c), in -> map(in[0], v -> v / c));
            };
        }));
        ops.add(new OpInfo("where", Set.of("where"), true, false, (rng, dt, grad) -> {
            int[][] ab = TensorGen.broadcastPair(rng, MAX_RANK, MAX_DIM);
            int[] full = Ref.broadcastShape(ab[0], ab[1]);
            int[] cs = dropSome(rng, full);
            Tensor c = TensorGen.mask(rng, cs);
            Tensor a = TensorGen.tensor(rng, dt, ab[0], grad ? NORMAL : EDGES), b = TensorGen.tensor(rng, dt, ab[1], grad ? NORMAL : EDGES);
            return new Case("where " + fmt(cs) + " " + fmt(ab[0]) + " " + fmt(ab[1]), new Tensor[] {c, a, b},
                    in -> Tensor.where(in[0], in[1], in[2]),
                    in -> Ref.build(Ref.broadcastShape(in[0].shape(), in[1].shape(), in[2].shape()),
                            idx -> Ref.broadcastGet(in[0], idx) != 0 ? Ref.broadcastGet(in[1], idx) : Ref.broadcastGet(in[2], idx)));
        }));
        ops.add(new OpInfo("to", Set.of("to", "cast"), true, false, (rng, dt, grad) -> {
            DType other = dt == DType.FLOAT32 ? DType.FLOAT64 : DType.FLOAT32;
            Tensor x = TensorGen.tensor(rng, dt, TensorGen.shape(rng, 0, MAX_RANK, MAX_DIM), grad ? NORMAL : EDGES);
            // Converting away and back: float64 → float32 → float64 rounds to float, which the reference does too.
            // Through float32 the function is a staircase of float spacing (~1e-7): finite differences need a step far above it.
            return new Case("to " + other + " and back", new Tensor[] {x}, in -> in[0].to(other).to(in[0].dtype()),
                    in -> map(in[0], v -> (double) (float) v), GradCheck.Options.defaults().withEps(1e-2));
        }));
        // ---- comparisons (bool results; no gradient)
        for (String cmp : List.of("eq", "ne", "lt", "le", "gt", "ge")) ops.add(comparison(cmp));
        // ---- reductions
        ops.add(reduction("sum", Set.of("sum"), (t, d, k) -> k ? t.sum(d, true) : t.sum(d), g -> Arrays.stream(g).sum(), false)); // sum(int...) without keepdim
        ops.add(reduction("mean", Set.of("mean"), (t, d, k) -> t.mean(d, k), g -> Arrays.stream(g).average().orElse(Double.NaN), false));
        ops.add(reduction("max", Set.of("max"), (t, d, k) -> t.max(d, k), g -> Arrays.stream(g).max().orElse(Double.NaN), true));
        ops.add(reduction("min", Set.of("min"), (t, d, k) -> t.min(d, k), g -> Arrays.stream(g).min().orElse(Double.NaN), true));
        ops.add(reduction("var", Set.of("var"), (t, d, k) -> t.var(d, 1, k), OpRegistry::unbiasedVariance, true));
        ops.add(reduction("logsumexp", Set.of("logsumexp"), (t, d, k) -> t.logsumexp(d[0], k), OpRegistry::logSumExp, true));
        ops.add(new OpInfo("reduce_all", Set.of("sum", "mean", "max", "min", "var"), true, true, (rng, dt, grad) -> {
            Tensor x = distinct(rng, dt, TensorGen.shape(rng, 1, MAX_RANK, MAX_DIM));
            return switch (rng.nextInt(5)) {
                case 0 -> new Case("sum()", new Tensor[] {x}, in -> in[0].sum(), in -> scalar(Arrays.stream(values(in[0])).sum()));
                case 1 -> new Case("mean()", new Tensor[] {x}, in -> in[0].mean(), in -> scalar(Arrays.stream(values(in[0])).average().orElseThrow()));
                case 2 -> new Case("max()", new Tensor[] {x}, in -> in[0].max(), in -> scalar(Arrays.stream(values(in[0])).max().orElseThrow()));
                case 3 -> new Case("min()", new Tensor[] {x}, in -> in[0].min(), in -> scalar(Arrays.stream(values(in[0])).min().orElseThrow()));
                default -> new Case("var()", new Tensor[] {x}, in -> in[0].var(), in -> scalar(unbiasedVariance(values(in[0]))));
            };
        }));
        ops.add(new OpInfo("softmax", Set.of("softmax", "logSoftmax"), true, true, (rng, dt, grad) -> {
            int[] shape = TensorGen.shape(rng, 1, MAX_RANK, MAX_DIM);
            int dim = rng.nextInt(shape.length) - (rng.nextBoolean() ? shape.length : 0);
            boolean log = rng.nextBoolean();
            double scale = grad ? 1 : List.of(1.0, 100.0, 1e4).get(rng.nextInt(3));
            Tensor x = TensorGen.tensor(rng, dt, shape, NORMAL).mul(scale);
            return new Case((log ? "logSoftmax " : "softmax ") + dim + " scale " + scale, new Tensor[] {x},
                    in -> log ? in[0].logSoftmax(dim) : in[0].softmax(dim), in -> softmaxRef(in[0], dim, log));
        }));
        ops.add(new OpInfo("argmax", Set.of("argmax", "argmin"), false, false, (rng, dt, grad) -> {
            int[] shape = TensorGen.shape(rng, 1, MAX_RANK, MAX_DIM);
            int dim = rng.nextInt(shape.length);
            boolean keep = rng.nextBoolean(), largest = rng.nextBoolean();
            Tensor x = grid(rng, dt, shape); // coarse grid: ties happen, and the first index must win
            return new Case((largest ? "argmax " : "argmin ") + dim + " keepdim " + keep, new Tensor[] {x},
                    in -> keep ? (largest ? in[0].argmax(dim, true) : in[0].argmin(dim, true)) // without keepdim: the one-argument forms
                            : (largest ? in[0].argmax(dim) : in[0].argmin(dim)), in -> argRef(in[0], dim, keep, largest));
        }));
        // ---- linear algebra
        ops.add(new OpInfo("matmul", Set.of("matmul"), true, true, OpRegistry::matmulCase));
        // ---- indexing and joins
        ops.add(new OpInfo("gather", Set.of("gather"), true, false, (rng, dt, grad) -> {
            int[] shape = TensorGen.shape(rng, 1, MAX_RANK, MAX_DIM);
            int dim = rng.nextInt(shape.length);
            int[] is = shape.clone();
            for (int i = 0; i < is.length; i++) is[i] = i == dim ? 1 + rng.nextInt(MAX_DIM) : 1 + rng.nextInt(shape[i]);
            Tensor x = TensorGen.tensor(rng, dt, shape, NORMAL), index = TensorGen.indices(rng, is, shape[dim]);
            return new Case("gather dim " + dim + " index " + fmt(is), new Tensor[] {x, index}, in -> in[0].gather(dim, in[1]),
                    in -> Ref.build(in[1].shape(), idx -> {
                        int[] src = idx.clone();
                        src[dim] = (int) in[1].getLong(idx);
                        return in[0].get(src);
                    }));
        }));
        // scatterAdd and indexAdd accumulate: a repeated index sums several float32 inputs into one element.
        ops.add(new OpInfo("scatterAdd", Set.of("scatterAdd"), true, true, (rng, dt, grad) -> {
            int[] shape = TensorGen.shape(rng, 1, MAX_RANK, MAX_DIM);
            int dim = rng.nextInt(shape.length);
            int[] is = shape.clone();
            for (int i = 0; i < is.length; i++) is[i] = i == dim ? 1 + rng.nextInt(MAX_DIM) : 1 + rng.nextInt(shape[i]);
            Tensor self = TensorGen.tensor(rng, dt, shape, NORMAL), index = TensorGen.indices(rng, is, shape[dim]);
            Tensor src = TensorGen.tensor(rng, dt, is, NORMAL);
            return new Case("scatterAdd dim " + dim + " self " + fmt(shape) + " index " + fmt(is), new Tensor[] {self, index, src}, in -> in[0].scatterAdd(dim, in[1], in[2]), in -> {
                double[] out = values(in[0]);
                int[] s = in[0].shape();
                for (int f = 0; f < in[1].numel(); f++) {
                    int[] idx = Ref.unravel(f, in[1].shape());
                    int[] dst = idx.clone();
                    dst[dim] = (int) in[1].getLong(idx);
                    out[flat(dst, s)] += in[2].get(idx);
                }
                return new Expected(s, out);
            });
        }));
        ops.add(new OpInfo("indexSelect", Set.of("indexSelect"), true, false, (rng, dt, grad) -> {
            int[] shape = TensorGen.shape(rng, 1, MAX_RANK, MAX_DIM);
            int dim = rng.nextInt(shape.length);
            Tensor x = TensorGen.tensor(rng, dt, shape, NORMAL), index = TensorGen.indices(rng, new int[] {1 + rng.nextInt(5)}, shape[dim]);
            return new Case("indexSelect dim " + dim, new Tensor[] {x, index}, in -> in[0].indexSelect(dim, in[1]), in -> {
                int[] os = in[0].shape();
                os[dim] = in[1].numel();
                return Ref.build(os, idx -> {
                    int[] src = idx.clone();
                    src[dim] = (int) in[1].getLong(idx[dim]);
                    return in[0].get(src);
                });
            });
        }));
        ops.add(new OpInfo("indexAdd", Set.of("indexAdd"), true, true, (rng, dt, grad) -> {
            int[] shape = TensorGen.shape(rng, 1, MAX_RANK, MAX_DIM);
            int dim = rng.nextInt(shape.length);
            int k = 1 + rng.nextInt(5);
            int[] ss = shape.clone();
            ss[dim] = k;
            Tensor self = TensorGen.tensor(rng, dt, shape, NORMAL), index = TensorGen.indices(rng, new int[] {k}, shape[dim]);
            Tensor src = TensorGen.tensor(rng, dt, ss, NORMAL);
            return new Case("indexAdd dim " + dim + " self " + fmt(shape) + " k " + k, new Tensor[] {self, index, src}, in -> in[0].indexAdd(dim, in[1], in[2]), in -> {
                double[] out = values(in[0]);
                int[] s = in[0].shape();
                for (int f = 0; f < in[2].numel(); f++) {
                    int[] idx = Ref.unravel(f, in[2].shape());
                    int[] dst = idx.clone();
                    dst[dim] = (int) in[1].getLong(idx[dim]);
                    out[flat(dst, s)] += in[2].get(idx);
                }
                return new Expected(s, out);
            });
        }));
        ops.add(new OpInfo("cat", Set.of("cat"), true, false, (rng, dt, grad) -> {
            int[] shape = TensorGen.shape(rng, 1, MAX_RANK, MAX_DIM);
            int dim = rng.nextInt(shape.length);
            int count = 1 + rng.nextInt(3);
            Tensor[] parts = new Tensor[count];
            for (int i = 0; i < count; i++) {
                int[] s = shape.clone();
                s[dim] = rng.nextInt(4); // empty pieces too
                parts[i] = TensorGen.tensor(rng, dt, s, NORMAL);
            }
            return new Case("cat " + count + " along " + dim, parts, in -> Tensor.cat(List.of(in), dim), in -> catRef(in, dim));
        }));
        ops.add(new OpInfo("stack", Set.of("stack"), true, false, (rng, dt, grad) -> {
            int[] shape = TensorGen.shape(rng, 0, MAX_RANK, MAX_DIM);
            int dim = rng.nextInt(shape.length + 1);
            int count = 1 + rng.nextInt(3);
            Tensor[] parts = new Tensor[count];
            for (int i = 0; i < count; i++) parts[i] = TensorGen.tensor(rng, dt, shape, NORMAL);
            int[] out = new int[shape.length + 1];
            for (int i = 0, j = 0; i < out.length; i++) out[i] = i == dim ? count : shape[j++];
            return new Case("stack " + count + " at " + dim, parts, in -> Tensor.stack(List.of(in), dim), in -> Ref.build(out, idx -> {
                int[] src = new int[shape.length];
                for (int i = 0, j = 0; i < idx.length; i++) if (i != dim) src[j++] = idx[i];
                return in[idx[dim]].get(src);
            }));
        }));
        ops.add(new OpInfo("oneHot", Set.of("oneHot"), false, false, (rng, dt, grad) -> {
            int classes = 1 + rng.nextInt(5);
            Tensor idx = TensorGen.indices(rng, TensorGen.shape(rng, 0, 2, MAX_DIM), classes);
            return new Case("oneHot " + classes, new Tensor[] {idx}, in -> in[0].oneHot(classes), in -> {
                int[] s = Arrays.copyOf(in[0].shape(), in[0].dim() + 1);
                s[in[0].dim()] = classes;
                return Ref.build(s, c -> in[0].getLong(Arrays.copyOf(c, c.length - 1)) == c[c.length - 1] ? 1 : 0);
            });
        }));
        // ---- views
        ops.addAll(ViewOps.all());
        // ---- network ops: convolution, pooling, normalisation, dropout, activations, losses
        ops.addAll(NnOps.all());
        // ---- linear algebra
        LinalgOps.addTo(ops);
        // ---- issue 16: activations, elementwise math, masking and structure, reductions
        MathOps.addTo(ops);
        // ---- sorting and scattering
        SequenceOps.addTo(ops);
        return ops;
    }

    // ------------------------------------------------------------ entry builders

    private static OpInfo unary(String name, Set<String> methods, TensorGen.Values gradProfile, Function<Tensor, Tensor> f, DoubleUnaryOperator ref) {
        return new OpInfo(name, methods, true, false, (rng, dt, grad) -> {
            Tensor x = TensorGen.tensor(rng, dt, TensorGen.shape(rng, 0, MAX_RANK, MAX_DIM), grad ? gradProfile : EDGES);
            return new Case(name + " " + fmt(x.shape()), new Tensor[] {x}, in -> f.apply(in[0]), in -> map(in[0], ref));
        });
    }

    private static OpInfo binary(String name, TensorGen.Values pa, TensorGen.Values pb, java.util.function.BinaryOperator<Tensor> f, DoubleBinaryOperator ref) {
        return new OpInfo(name, Set.of(name), true, false, (rng, dt, grad) -> {
            int[][] s = TensorGen.broadcastPair(rng, MAX_RANK, MAX_DIM);
            Tensor a = TensorGen.tensor(rng, dt, s[0], grad ? pa : EDGES), b = TensorGen.tensor(rng, dt, s[1], grad ? pb : EDGES);
            return new Case(name + " " + fmt(s[0]) + " " + fmt(s[1]), new Tensor[] {a, b}, in -> f.apply(in[0], in[1]), in -> zip(in[0], in[1], ref));
        });
    }

    private static OpInfo comparison(String name) {
        DoubleBinaryOperator test = switch (name) {
            case "eq" -> (a, b) -> a == b ? 1 : 0;
            case "ne" -> (a, b) -> a != b ? 1 : 0;
            case "lt" -> (a, b) -> a < b ? 1 : 0;
            case "le" -> (a, b) -> a <= b ? 1 : 0;
            case "gt" -> (a, b) -> a > b ? 1 : 0;
            default -> (a, b) -> a >= b ? 1 : 0;
        };
        return new OpInfo(name, Set.of(name, "compare"), false, false, (rng, dt, grad) -> {
            int[][] s = TensorGen.broadcastPair(rng, MAX_RANK, MAX_DIM);
            Tensor a = grid(rng, dt, s[0]), b = grid(rng, dt, s[1]); // coarse values: equality happens
            boolean scalarForm = rng.nextInt(4) == 0;
            double c = Math.round(rng.nextGaussian() * 2) / 2.0;
            if (scalarForm) {
                return new Case(name + " scalar " + c, new Tensor[] {a}, in -> compareScalar(name, in[0], c), in -> map(in[0], v -> test.applyAsDouble(v, c)));
            }
            return new Case(name + " " + fmt(s[0]) + " " + fmt(s[1]), new Tensor[] {a, b}, in -> compareTensor(name, in[0], in[1]), in -> zip(in[0], in[1], test));
        });
    }

    private static Tensor compareTensor(String name, Tensor a, Tensor b) {
        return switch (name) {
            case "eq" -> a.eq(b);
            case "ne" -> a.ne(b);
            case "lt" -> a.lt(b);
            case "le" -> a.le(b);
            case "gt" -> a.gt(b);
            default -> a.ge(b);
        };
    }

    private static Tensor compareScalar(String name, Tensor a, double b) {
        return switch (name) {
            case "eq" -> a.eq(b);
            case "ne" -> a.ne(b);
            case "lt" -> a.lt(b);
            case "le" -> a.le(b);
            case "gt" -> a.gt(b);
            default -> a.ge(b);
        };
    }

    @FunctionalInterface
    interface Reducer {
        Tensor apply(Tensor t, int[] dims, boolean keepdim);
    }

    /** A reduction over a random set of dims (sometimes one, sometimes several, negative allowed). */
    private static OpInfo reduction(String name, Set<String> methods, Reducer f, java.util.function.ToDoubleFunction<double[]> ref, boolean distinct) {
        boolean single = name.equals("logsumexp");
        return new OpInfo(name, methods, true, true, (rng, dt, grad) -> {
            int[] shape = TensorGen.shape(rng, 1, MAX_RANK, MAX_DIM);
            int[] dims = single ? new int[] {rng.nextInt(shape.length)} : randomDims(rng, shape.length);
            if (name.equals("var")) { // n − 1 > 0 over the reduced dims
                int n = 1;
                for (int d : dims) n *= shape[Math.floorMod(d, shape.length)];
                if (n < 2) {
                    shape[Math.floorMod(dims[0], shape.length)] = 3;
                }
            }
            boolean keep = rng.nextBoolean();
            Tensor x = distinct ? distinct(rng, dt, shape) : TensorGen.tensor(rng, dt, shape, NORMAL);
            return new Case(name + " " + fmt(shape) + " dims " + Arrays.toString(dims) + " keepdim " + keep, new Tensor[] {x},
                    in -> f.apply(in[0], dims, keep), in -> reduceRef(in[0], dims, keep, ref));
        });
    }

    // ------------------------------------------------------------ references

    static Expected map(Tensor x, DoubleUnaryOperator f) {
        return Ref.build(x.shape(), idx -> f.applyAsDouble(x.get(idx)));
    }

    static Expected zip(Tensor a, Tensor b, DoubleBinaryOperator f) {
        return Ref.build(Ref.broadcastShape(a.shape(), b.shape()), idx -> f.applyAsDouble(Ref.broadcastGet(a, idx), Ref.broadcastGet(b, idx)));
    }

    static Expected scalar(double v) {
        return new Expected(new int[0], new double[] {v});
    }

    /** Groups input elements by output coordinate and reduces each group. */
    static Expected reduceRef(Tensor x, int[] dims, boolean keep, java.util.function.ToDoubleFunction<double[]> f) {
        int[] shape = x.shape();
        boolean[] red = new boolean[shape.length];
        for (int d : dims) red[Math.floorMod(d, shape.length)] = true;
        int[] kept = shape.clone();
        for (int i = 0; i < shape.length; i++) if (red[i]) kept[i] = 1;
        int outN = 1;
        for (int k : kept) outN *= k;
        List<List<Double>> groups = new ArrayList<>();
        for (int i = 0; i < outN; i++) groups.add(new ArrayList<>());
        for (int f2 = 0; f2 < x.numel(); f2++) {
            int[] idx = Ref.unravel(f2, shape);
            int[] o = idx.clone();
            for (int i = 0; i < o.length; i++) if (red[i]) o[i] = 0;
            groups.get(flat(o, kept)).add(x.get(idx));
        }
        double[] v = new double[outN];
        for (int i = 0; i < outN; i++) v[i] = f.applyAsDouble(groups.get(i).stream().mapToDouble(Double::doubleValue).toArray());
        int[] outShape = keep ? kept : java.util.stream.IntStream.range(0, shape.length).filter(i -> !red[i]).map(i -> shape[i]).toArray();
        return new Expected(outShape, v);
    }

    static double unbiasedVariance(double[] g) {
        double m = Arrays.stream(g).average().orElse(Double.NaN);
        double s = 0;
        for (double v : g) s += (v - m) * (v - m);
        return s / (g.length - 1);
    }

    static double logSumExp(double[] g) {
        double m = Arrays.stream(g).max().orElse(Double.NEGATIVE_INFINITY);
        double s = 0;
        for (double v : g) s += Math.exp(v - m);
        return m + Math.log(s);
    }

    static Expected softmaxRef(Tensor x, int dim, boolean log) {
        int[] shape = x.shape();
        int d = Math.floorMod(dim, shape.length);
        return Ref.build(shape, idx -> {
            double[] row = new double[shape[d]];
            int[] j = idx.clone();
            for (int t = 0; t < row.length; t++) {
                j[d] = t;
                row[t] = x.get(j);
            }
            double lse = logSumExp(row);
            return log ? x.get(idx) - lse : Math.exp(x.get(idx) - lse);
        });
    }

    static Expected argRef(Tensor x, int dim, boolean keep, boolean largest) {
        int[] shape = x.shape();
        int[] kept = shape.clone();
        kept[dim] = 1;
        Expected e = Ref.build(kept, idx -> {
            int[] j = idx.clone();
            int best = 0;
            double bv = Double.NaN;
            for (int t = 0; t < shape[dim]; t++) {
                j[dim] = t;
                double v = x.get(j);
                if (t == 0 || (largest ? v > bv : v < bv)) {
                    bv = v;
                    best = t;
                }
            }
            return best;
        });
        if (keep) return e;
        int[] out = new int[shape.length - 1];
        for (int i = 0, k = 0; i < shape.length; i++) if (i != dim) out[k++] = shape[i];
        return new Expected(out, e.values());
    }

    static Case matmulCase(RandomGenerator rng, DType dt, boolean grad) {
        int m = 1 + rng.nextInt(4), k = 1 + rng.nextInt(5), n = 1 + rng.nextInt(4);
        int form = rng.nextInt(7);
        int[] as, bs;
        switch (form) {
            case 0 -> { as = new int[] {k}; bs = new int[] {k}; }
            case 1 -> { as = new int[] {k}; bs = new int[] {k, n}; }
            case 2 -> { as = new int[] {m, k}; bs = new int[] {k}; }
            case 3 -> { as = new int[] {m, k}; bs = new int[] {k, n}; }
            default -> {
                int[][] batch = TensorGen.broadcastPair(rng, 2, 3);
                as = cat(batch[0], new int[] {m, k});
                // form 5: a vector on the right; form 6: a plain matrix (batch dims folded into the rows)
                bs = form == 5 ? new int[] {k} : form == 6 ? new int[] {k, n} : cat(batch[1], new int[] {k, n});
            }
        }
        Tensor a = TensorGen.tensor(rng, dt, as, NORMAL), b = TensorGen.tensor(rng, dt, bs, NORMAL);
        if (!grad && rng.nextBoolean() && a.dim() >= 2) { // a transposed operand, read through its strides
            a = TensorGen.tensor(rng, dt, swapLast(as), NORMAL).transpose(-1, -2);
        }
        return new Case("matmul " + fmt(as) + " " + fmt(bs), new Tensor[] {a, b}, in -> in[0].matmul(in[1]), in -> matmulRef(in[0], in[1]));
    }

    /** torch.matmul by its definition: promote 1-D operands, broadcast the batch, sum products, drop promoted dims. */
    static Expected matmulRef(Tensor a, Tensor b) {
        boolean va = a.dim() == 1, vb = b.dim() == 1;
        int[] as = va ? new int[] {1, a.size(0)} : a.shape();
        int[] bs = vb ? new int[] {b.size(0), 1} : b.shape();
        int m = as[as.length - 2], k = as[as.length - 1], n = bs[bs.length - 1];
        int[] batch = Ref.broadcastShape(Arrays.copyOf(as, as.length - 2), Arrays.copyOf(bs, bs.length - 2));
        int[] full = cat(batch, new int[] {m, n});
        Tensor A = va ? a.reshape(as) : a, B = vb ? b.reshape(bs) : b;
        Expected e = Ref.build(full, idx -> {
            double s = 0;
            int[] ai = Arrays.copyOf(idx, idx.length), bi = Arrays.copyOf(idx, idx.length);
            for (int p = 0; p < k; p++) {
                ai[idx.length - 1] = p;
                bi[idx.length - 2] = p;
                s += Ref.broadcastGet(A, ai) * Ref.broadcastGet(B, bi);
            }
            return s;
        });
        int[] out = full;
        if (va) out = removeDim(out, out.length - 2);
        if (vb) out = removeDim(out, out.length - 1);
        return new Expected(out, e.values());
    }

    static Expected catRef(Tensor[] parts, int dim) {
        int[] shape = parts[0].shape();
        int total = 0;
        for (Tensor p : parts) total += p.size(dim);
        shape[dim] = total;
        return Ref.build(shape, idx -> {
            int at = idx[dim];
            for (Tensor p : parts) {
                if (at < p.size(dim)) {
                    int[] j = idx.clone();
                    j[dim] = at;
                    return p.get(j);
                }
                at -= p.size(dim);
            }
            throw new IllegalStateException();
        });
    }

    // ------------------------------------------------------------ small helpers

    /** Row-major values of a tensor, read coordinate by coordinate. */
    static double[] values(Tensor t) {
        return Ref.build(t.shape(), t::get).values();
    }

    static int flat(int[] idx, int[] shape) {
        int f = 0;
        for (int i = 0; i < idx.length; i++) f = f * shape[i] + idx[i];
        return f;
    }

    /** Values on a coarse grid (multiples of ½ in [−2, 2]): ties and exact hits happen. */
    static Tensor grid(RandomGenerator rng, DType dt, int[] shape) {
        Tensor t = Tensor.zeros(dt, shape);
        for (int i = 0; i < t.numel(); i++) t.storage().setDouble(i, (rng.nextInt(9) - 4) / 2.0);
        return t;
    }

    /** Normal values with no two closer than 1e-3 (max/min/var are smooth there). */
    static Tensor distinct(RandomGenerator rng, DType dt, int[] shape) {
        Tensor t = Tensor.zeros(dt, shape);
        int n = t.numel();
        List<Integer> perm = new ArrayList<>();
        for (int i = 0; i < n; i++) perm.add(i);
        java.util.Collections.shuffle(perm, new java.util.Random(rng.nextLong()));
        for (int i = 0; i < n; i++) t.storage().setDouble(i, (perm.get(i) - n / 2.0) * 0.25 + rng.nextDouble() * 0.1);
        return t;
    }

    static int[] randomDims(RandomGenerator rng, int rank) {
        List<Integer> dims = new ArrayList<>();
        for (int d = 0; d < rank; d++) if (rng.nextInt(2) == 0) dims.add(rng.nextBoolean() ? d : d - rank);
        if (dims.isEmpty()) dims.add(rng.nextInt(rank));
        java.util.Collections.shuffle(dims, new java.util.Random(rng.nextLong()));
        return dims.stream().mapToInt(Integer::intValue).toArray();
    }

    /** A shape broadcastable to {@code full}: drop some leading dims, set some to 1. */
    static int[] dropSome(RandomGenerator rng, int[] full) {
        int drop = full.length == 0 ? 0 : rng.nextInt(full.length + 1);
        int[] s = Arrays.copyOfRange(full, drop, full.length);
        for (int i = 0; i < s.length; i++) if (rng.nextInt(3) == 0) s[i] = 1;
        return s;
    }

    static int[] cat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static int[] swapLast(int[] s) {
        int[] o = s.clone();
        o[o.length - 1] = s[s.length - 2];
        o[o.length - 2] = s[s.length - 1];
        return o;
    }

    static int[] removeDim(int[] s, int d) {
        int[] o = new int[s.length - 1];
        for (int i = 0, j = 0; i < s.length; i++) if (i != d) o[j++] = s[i];
        return o;
    }

    static String fmt(int[] s) {
        return Arrays.toString(s).replace(" ", "");
    }
}
