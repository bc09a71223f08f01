package dev.descent.core.ops;

import dev.descent.core.DType;
import dev.descent.core.Shape;
import dev.descent.core.Storage;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.Autograd;
import dev.descent.core.kernel.BinaryKernels;
import dev.descent.core.kernel.CopyKernels;
import dev.descent.core.kernel.Loops;
import dev.descent.core.kernel.UnaryKernels;

/**
 * Elementwise ops, forward and backward side by side. Binary ops broadcast by NumPy's rules and
 * promote dtypes (float64 over float32 over int64 over bool); their gradients are summed back to each
 * input's shape. Every backward rule is written with tensor ops, so it can itself be differentiated.
 */
public final class Elementwise {
    private Elementwise() {}

    // ------------------------------------------------------------ binary arithmetic

    /**
     * {@code a + b}, broadcasting, after promoting both to {@link #resultType}; each input's gradient is the
     * output's summed back to its shape. The op behind {@link Tensor#add(Tensor)}.
     *
     * @param a the left operand
     * @param b the right operand
     * @return a new tensor of the broadcast shape
     */
    public static Tensor add(Tensor a, Tensor b) {
        Tensor[] p = promote(a, b);
        Tensor y = binary("add", BinaryKernels.Kind.ADD, p[0], p[1]);
        Tensor x0 = p[0], x1 = p[1];
        return Autograd.record("add", y, g -> new Tensor[] {
                x0.requiresGrad() ? Views.sumToShape(g, x0.shape()) : null,
                x1.requiresGrad() ? Views.sumToShape(g, x1.shape()) : null},
                t -> Tangents.sum(y.shape(), t[0], t[1]), x0, x1);
    }

    /**
     * {@code a − b}, broadcasting and promoting; gradients g and −g, summed back to each input's shape.
     *
     * @param a the left operand
     * @param b the right operand
     * @return a new tensor of the broadcast shape
     * @see Tensor#sub
     */
    public static Tensor sub(Tensor a, Tensor b) {
        Tensor[] p = promote(a, b);
        Tensor y = binary("sub", BinaryKernels.Kind.SUB, p[0], p[1]);
        Tensor x0 = p[0], x1 = p[1];
        return Autograd.record("sub", y, g -> new Tensor[] {
                x0.requiresGrad() ? Views.sumToShape(g, x0.shape()) : null,
                x1.requiresGrad() ? Views.sumToShape(g.neg(), x1.shape()) : null},
                t -> Tangents.sum(y.shape(), t[0], t[1] == null ? null : t[1].neg()), x0, x1);
    }

    /**
     * {@code a · b}, broadcasting and promoting; gradients g·b and g·a, summed back to each input's shape.
     *
     * @param a the left operand
     * @param b the right operand
     * @return a new tensor of the broadcast shape
     * @see Tensor#mul
     */
    public static Tensor mul(Tensor a, Tensor b) {
        Tensor[] p = promote(a, b);
        Tensor x0 = p[0], x1 = p[1];
        Tensor y = binary("mul", BinaryKernels.Kind.MUL, x0, x1);
        return Autograd.record("mul", y, g -> new Tensor[] {
                x0.requiresGrad() ? Views.sumToShape(g.mul(x1), x0.shape()) : null,
                x1.requiresGrad() ? Views.sumToShape(g.mul(x0), x1.shape()) : null},
                t -> Tangents.sum(y.shape(), Tangents.times(t[0], x1), Tangents.times(t[1], x0)), x0, x1);
    }

    /**
     * {@code a / b}, broadcasting and promoting; gradients g/b and −g·a/b². Two integer operands give an int64
     * quotient truncated toward zero.
     *
     * @param a the dividend
     * @param b the divisor
     * @return a new tensor of the broadcast shape
     * @see Tensor#div
     */
    public static Tensor div(Tensor a, Tensor b) {
        Tensor[] p = promote(a, b);
        Tensor x0 = p[0], x1 = p[1];
        Tensor y = binary("div", BinaryKernels.Kind.DIV, x0, x1);
        // d(a/b)/da = 1/b;  d(a/b)/db = -a/b²
        return Autograd.record("div", y, g -> new Tensor[] {
                x0.requiresGrad() ? Views.sumToShape(g.div(x1), x0.shape()) : null,
                x1.requiresGrad() ? Views.sumToShape(g.mul(x0).div(x1.mul(x1)).neg(), x1.shape()) : null},
                t -> Tangents.sum(y.shape(), t[0] == null ? null : t[0].div(x1), t[1] == null ? null : t[1].mul(x0).div(x1.mul(x1)).neg()), x0, x1);
    }

    /**
     * {@code aᵇ}, broadcasting and promoting; gradients g·b·aᵇ⁻¹ and g·aᵇ·ln a, the latter taken as 0 where
     * a = 0 (as PyTorch does).
     *
     * @param a the base
     * @param b the exponent
     * @return a new tensor of the broadcast shape
     * @see Tensor#pow
     */
    public static Tensor pow(Tensor a, Tensor b) {
        Tensor[] p = promote(a, b);
        Tensor x0 = p[0], x1 = p[1];
        Tensor y = binary("pow", BinaryKernels.Kind.POW, x0, x1);
        // d(aᵇ)/da = b·aᵇ⁻¹;  d(aᵇ)/db = aᵇ·ln a (taken as 0 where a = 0, as PyTorch does)
        return Autograd.record("pow", y, g -> new Tensor[] {
                x0.requiresGrad() ? Views.sumToShape(g.mul(x1).mul(x0.pow(x1.sub(1))), x0.shape()) : null,
                x1.requiresGrad() ? Views.sumToShape(where(x0.eq(0), g.scalarLike(0), g.mul(y).mul(x0.log())), x1.shape()) : null},
                t -> Tangents.sum(y.shape(), t[0] == null ? null : t[0].mul(x1).mul(x0.pow(x1.sub(1))),
                        t[1] == null ? null : where(x0.eq(0), y.scalarLike(0), t[1].mul(y).mul(x0.log()))), x0, x1);
    }

    /**
     * The elementwise maximum, broadcasting and promoting; the gradient goes to the larger input, and on ties
     * each input gets half of it.
     *
     * @param a one operand
     * @param b the other
     * @return a new tensor of the broadcast shape
     * @see Tensor#maximum
     */
    public static Tensor maximum(Tensor a, Tensor b) {
        Tensor[] p = promote(a, b);
        Tensor x0 = p[0], x1 = p[1];
        Tensor y = binary("maximum", BinaryKernels.Kind.MAX, x0, x1);
        return Autograd.record("maximum", y, g -> tieSplit(g, x0.gt(x1), x0.eq(x1), x0, x1), t -> tieTangent(t, x0.gt(x1), x0.eq(x1), y), x0, x1);
    }

    /**
     * The elementwise minimum, broadcasting and promoting; the gradient goes to the smaller input, and on ties
     * each input gets half of it.
     *
     * @param a one operand
     * @param b the other
     * @return a new tensor of the broadcast shape
     * @see Tensor#minimum
     */
    public static Tensor minimum(Tensor a, Tensor b) {
        Tensor[] p = promote(a, b);
        Tensor x0 = p[0], x1 = p[1];
        Tensor y = binary("minimum", BinaryKernels.Kind.MIN, x0, x1);
        return Autograd.record("minimum", y, g -> tieSplit(g, x0.lt(x1), x0.eq(x1), x0, x1), t -> tieTangent(t, x0.lt(x1), x0.eq(x1), y), x0, x1);
    }

    /** Gradient weights: 1 to a where {@code aWins}, ½ to each on {@code tie}, else 1 to b. */
    private static Tensor[] tieSplit(Tensor g, Tensor aWins, Tensor tie, Tensor a, Tensor b) {
        Tensor one = g.scalarLike(1), half = g.scalarLike(0.5), zero = g.scalarLike(0);
        Tensor wa = where(aWins, one, where(tie, half, zero));
        Tensor wb = one.sub(wa);
        return new Tensor[] {
            a.requiresGrad() ? Views.sumToShape(g.mul(wa), a.shape()) : null,
            b.requiresGrad() ? Views.sumToShape(g.mul(wb), b.shape()) : null};
    }

    /** The forward-mode counterpart of {@link #tieSplit}: a's tangent where {@code aWins}, the mean of both on {@code tie}, else b's. */
    private static Tensor tieTangent(Tensor[] t, Tensor aWins, Tensor tie, Tensor y) {
        Tensor one = y.scalarLike(1), half = y.scalarLike(0.5), zero = y.scalarLike(0);
        Tensor wa = where(aWins, one, where(tie, half, zero));
        return Tangents.sum(y.shape(), Tangents.times(t[0], wa), Tangents.times(t[1], one.sub(wa)));
    }

    /**
     * {@code min(max(x, lo), hi)}; the gradient passes where lo ≤ x ≤ hi (boundaries included) and is 0
     * elsewhere. An infinite bound is skipped.
     *
     * @param x the input
     * @param lo the lower limit, or {@link Double#NEGATIVE_INFINITY}
     * @param hi the upper limit, or {@link Double#POSITIVE_INFINITY}
     * @return a new tensor of x's shape and dtype
     * @see Tensor#clamp
     */
    public static Tensor clamp(Tensor x, double lo, double hi) {
        if (lo > hi) throw new IllegalArgumentException("clamp: min " + lo + " is greater than max " + hi);
        Tensor y = x;
        if (lo != Double.NEGATIVE_INFINITY) y = binary("clamp", BinaryKernels.Kind.MAX, y, x.scalarLike(lo));
        if (hi != Double.POSITIVE_INFINITY) y = binary("clamp", BinaryKernels.Kind.MIN, y, x.scalarLike(hi));
        if (y == x) y = Views.copy(x.detach());
        return Autograd.record("clamp", y, g -> {
            Tensor zero = g.scalarLike(0);
            Tensor inside = where(x.ge(lo), where(x.le(hi), g, zero), zero);
            return new Tensor[] {inside};
        }, t -> {
            Tensor zero = t[0].scalarLike(0);
            return where(x.ge(lo), where(x.le(hi), t[0], zero), zero);
        }, x);
    }

    // ------------------------------------------------------------ unary

    /**
     * {@code −x}; gradient −g.
     *
     * @param x a float32 or float64 tensor
     * @return a new tensor of x's shape and dtype
     * @see Tensor#neg
     */
    public static Tensor neg(Tensor x) {
        Tensor y = unary(UnaryKernels.Kind.NEG, x);
        return Autograd.record("neg", y, g -> new Tensor[] {g.neg()}, t -> t[0].neg(), x);
    }

    /**
     * {@code eˣ}; gradient g·eˣ (the output, reused).
     *
     * @param x a float32 or float64 tensor
     * @return a new tensor of x's shape and dtype
     * @see Tensor#exp
     */
    public static Tensor exp(Tensor x) {
        Tensor y = unary(UnaryKernels.Kind.EXP, x);
        return Autograd.record("exp", y, g -> new Tensor[] {g.mul(y)}, t -> t[0].mul(y), x);
    }

    /**
     * {@code ln x}; gradient g/x.
     *
     * @param x a float32 or float64 tensor
     * @return a new tensor of x's shape and dtype (NaN below 0, −∞ at 0)
     * @see Tensor#log
     */
    public static Tensor log(Tensor x) {
        Tensor y = unary(UnaryKernels.Kind.LOG, x);
        return Autograd.record("log", y, g -> new Tensor[] {g.div(x)}, t -> t[0].div(x), x);
    }

    /**
     * {@code √x}; gradient g/(2√x), infinite at 0.
     *
     * @param x a float32 or float64 tensor
     * @return a new tensor of x's shape and dtype (NaN below 0)
     * @see Tensor#sqrt
     */
    public static Tensor sqrt(Tensor x) {
        Tensor y = unary(UnaryKernels.Kind.SQRT, x);
        return Autograd.record("sqrt", y, g -> new Tensor[] {g.div(y.mul(2))}, t -> t[0].div(y.mul(2)), x);
    }

    /**
     * {@code |x|}; gradient g·sign(x), with sign(0) = 0 at the kink.
     *
     * @param x a float32 or float64 tensor
     * @return a new tensor of x's shape and dtype
     * @see Tensor#abs
     */
    public static Tensor abs(Tensor x) {
        Tensor y = unary(UnaryKernels.Kind.ABS, x);
        return Autograd.record("abs", y, g -> {
            Tensor zero = g.scalarLike(0);
            Tensor sign = where(x.gt(0), g.scalarLike(1), where(x.lt(0), g.scalarLike(-1), zero));
            return new Tensor[] {g.mul(sign)};
        }, t -> t[0].mul(where(x.gt(0), y.scalarLike(1), where(x.lt(0), y.scalarLike(-1), y.scalarLike(0)))), x);
    }

    /**
     * {@code max(x, 0)}; gradient {@link #positivePart}(g, x): g where x &gt; 0, 0 elsewhere (0 at the kink,
     * as PyTorch).
     *
     * @param x a float32 or float64 tensor
     * @return a new tensor of x's shape and dtype
     * @see Tensor#relu
     */
    public static Tensor relu(Tensor x) {
        Tensor y = unary(UnaryKernels.Kind.RELU, x);
        return Autograd.record("relu", y, g -> new Tensor[] {positivePart(g, x)}, t -> positivePart(t[0], x), x);
    }

    /**
     * g where x &gt; 0, else 0: relu's backward in one pass. Linear in g, so its own backward is itself (with
     * the same x); x only selects, and gets no gradient.
     *
     * @param g the values passed through (the gradient of relu's output)
     * @param x the selector (relu's input)
     * @return a new tensor of g and x's broadcast shape
     * @throws IllegalArgumentException when the shapes do not broadcast
     */
    public static Tensor positivePart(Tensor g, Tensor x) {
        if (!java.util.Arrays.equals(g.shape(), x.shape()) || g.dtype() != x.dtype() || !g.dtype().isFloatingPoint() || g.dtype().isHalf()) {
            return where(x.gt(0), g, g.scalarLike(0));
        }
        Tensor gc = g.detach().contiguous(), xc = x.detach().contiguous();
        Tensor y = Tensor.empty(g.dtype(), g.shape());
        int n = y.numel(), go = gc.storageOffset(), xo = xc.storageOffset();
        if (g.dtype() == DType.FLOAT32) {
            float[] ga = gc.storage().floats(), xa = xc.storage().floats(), ya = y.storage().floats();
            Loops.forEachRow(new int[] {n}, new int[] {1}, 0, null, 0, null, 0,
                    (o, a, as, b, bs, c, cs, len) -> UnaryKernels.maskPositiveF(ga, go + o, xa, xo + o, ya, o, len, dev.descent.core.kernel.Vectors.ENABLED));
        } else {
            double[] ga = gc.storage().doubles(), xa = xc.storage().doubles(), ya = y.storage().doubles();
            Loops.forEachRow(new int[] {n}, new int[] {1}, 0, null, 0, null, 0,
                    (o, a, as, b, bs, c, cs, len) -> UnaryKernels.maskPositiveD(ga, go + o, xa, xo + o, ya, o, len, dev.descent.core.kernel.Vectors.ENABLED));
        }
        return Autograd.record("positivePart", y, h -> new Tensor[] {positivePart(h, x), null},
                t -> t[0] == null ? null : Tangents.broadcast(positivePart(t[0], x), y.shape()), g, x);
    }

    /**
     * {@code σ(x) = 1/(1 + e⁻ˣ)}; gradient g·σ·(1 − σ).
     *
     * @param x a float32 or float64 tensor
     * @return a new tensor of x's shape and dtype
     * @see Tensor#sigmoid
     */
    public static Tensor sigmoid(Tensor x) {
        Tensor y = unary(UnaryKernels.Kind.SIGMOID, x);
        return Autograd.record("sigmoid", y, g -> new Tensor[] {g.mul(y).mul(y.neg().add(1))}, t -> t[0].mul(y).mul(y.neg().add(1)), x);
    }

    /**
     * {@code tanh x}; gradient g·(1 − tanh²x).
     *
     * @param x a float32 or float64 tensor
     * @return a new tensor of x's shape and dtype
     * @see Tensor#tanh
     */
    public static Tensor tanh(Tensor x) {
        Tensor y = unary(UnaryKernels.Kind.TANH, x);
        return Autograd.record("tanh", y, g -> new Tensor[] {g.mul(y.mul(y).neg().add(1))}, t -> t[0].mul(y.mul(y).neg().add(1)), x);
    }

    /**
     * The error function erf(x) = 2/√π ∫₀ˣ e^{−t²} dt; d erf/dx = 2/√π · e^{−x²}.
     *
     * @param x a float32 or float64 tensor
     * @return a new tensor of x's shape and dtype
     * @see Tensor#erf
     */
    public static Tensor erf(Tensor x) {
        if (!x.dtype().isFloatingPoint()) throw new IllegalArgumentException("erf: expects a float32 or float64 tensor, got " + x.dtype());
        Tensor xc = x.detach().contiguous();
        Tensor y = Tensor.zeros(x.dtype(), x.shape());
        Storage xs = xc.storage(), ys = y.storage();
        int base = xc.storageOffset();
        for (int i = 0; i < y.numel(); i++) ys.setDouble(i, dev.descent.core.kernel.SpecialFunctions.erfFast(xs.getDouble(base + i)));
        return Autograd.record("erf", y, g -> new Tensor[] {g.mul(x.square().neg().exp()).mul(1.1283791670955126)},
                t -> t[0].mul(x.square().neg().exp()).mul(1.1283791670955126), x);
    }

    /**
     * {@code sin x}; gradient g·cos x.
     *
     * @param x a float32 or float64 tensor
     * @return a new tensor of x's shape and dtype
     * @see Tensor#sin
     */
    public static Tensor sin(Tensor x) {
        Tensor y = unary(UnaryKernels.Kind.SIN, x);
        return Autograd.record("sin", y, g -> new Tensor[] {g.mul(x.cos())}, t -> t[0].mul(x.cos()), x);
    }

    /**
     * {@code cos x}; gradient −g·sin x.
     *
     * @param x a float32 or float64 tensor
     * @return a new tensor of x's shape and dtype
     * @see Tensor#cos
     */
    public static Tensor cos(Tensor x) {
        Tensor y = unary(UnaryKernels.Kind.COS, x);
        return Autograd.record("cos", y, g -> new Tensor[] {g.mul(x.sin()).neg()}, t -> t[0].mul(x.sin()).neg(), x);
    }

    /**
     * {@code ln(1 + x)}, accurate for small x; gradient g/(1 + x).
     *
     * @param x a float32 or float64 tensor
     * @return a new tensor of x's shape and dtype (NaN below −1, −∞ at −1)
     * @see Tensor#log1p
     */
    public static Tensor log1p(Tensor x) {
        Tensor y = unary(UnaryKernels.Kind.LOG1P, x);
        return Autograd.record("log1p", y, g -> new Tensor[] {g.div(x.add(1))}, t -> t[0].div(x.add(1)), x);
    }

    /**
     * {@code eˣ − 1}, accurate for small x; gradient g·eˣ = g·(y + 1).
     *
     * @param x a float32 or float64 tensor
     * @return a new tensor of x's shape and dtype
     * @see Tensor#expm1
     */
    public static Tensor expm1(Tensor x) {
        Tensor y = unary(UnaryKernels.Kind.EXPM1, x);
        return Autograd.record("expm1", y, g -> new Tensor[] {g.mul(y.add(1))}, t -> t[0].mul(y.add(1)), x);
    }

    /**
     * {@code 1/√x}; gradient −½·g·x^(−3/2) = −½·g·y³.
     *
     * @param x a float32 or float64 tensor
     * @return a new tensor of x's shape and dtype (NaN below 0, +∞ at 0)
     * @see Tensor#rsqrt
     */
    public static Tensor rsqrt(Tensor x) {
        Tensor y = unary(UnaryKernels.Kind.RSQRT, x);
        return Autograd.record("rsqrt", y, g -> new Tensor[] {g.mul(y.mul(y).mul(y)).mul(-0.5)}, t -> t[0].mul(y.mul(y).mul(y)).mul(-0.5), x);
    }

    /**
     * {@code 1/x}; gradient −g/x² = −g·y².
     *
     * @param x a float32 or float64 tensor
     * @return a new tensor of x's shape and dtype (±∞ at ±0)
     * @see Tensor#reciprocal
     */
    public static Tensor reciprocal(Tensor x) {
        Tensor y = unary(UnaryKernels.Kind.RECIPROCAL, x);
        return Autograd.record("reciprocal", y, g -> new Tensor[] {g.mul(y.mul(y)).neg()}, t -> t[0].mul(y.mul(y)).neg(), x);
    }

    /**
     * The sign: 1 above 0, −1 below, x itself at ±0 and NaN. Piecewise constant: the gradient is 0 everywhere
     * (as PyTorch's).
     *
     * @param x a float32 or float64 tensor
     * @return a new tensor of x's shape and dtype
     * @see Tensor#sign
     */
    public static Tensor sign(Tensor x) {
        return stepFunction("sign", UnaryKernels.Kind.SIGN, x);
    }

    /**
     * The largest integer ≤ x; gradient 0 everywhere (as PyTorch's).
     *
     * @param x a float32 or float64 tensor
     * @return a new tensor of x's shape and dtype
     * @see Tensor#floor
     */
    public static Tensor floor(Tensor x) {
        return stepFunction("floor", UnaryKernels.Kind.FLOOR, x);
    }

    /**
     * The smallest integer ≥ x; gradient 0 everywhere (as PyTorch's).
     *
     * @param x a float32 or float64 tensor
     * @return a new tensor of x's shape and dtype
     * @see Tensor#ceil
     */
    public static Tensor ceil(Tensor x) {
        return stepFunction("ceil", UnaryKernels.Kind.CEIL, x);
    }

    /**
     * The nearest integer, halves to the even neighbour (as {@code torch.round}: 0.5 → 0, 1.5 → 2, −2.5 → −2);
     * gradient 0 everywhere.
     *
     * @param x a float32 or float64 tensor
     * @return a new tensor of x's shape and dtype
     * @see Tensor#round
     */
    public static Tensor round(Tensor x) {
        return stepFunction("round", UnaryKernels.Kind.ROUND, x);
    }

    /** A piecewise-constant function: its gradient is zeros of x's shape (where it jumps, too). */
    private static Tensor stepFunction(String op, UnaryKernels.Kind k, Tensor x) {
        Tensor y = unary(k, x);
        return Autograd.record(op, y, g -> new Tensor[] {Tensor.zeros(g.dtype(), x.shape())}, t -> null, x);
    }

    /**
     * A bool tensor, true where x is neither infinite nor NaN (every element of an int64 or bool tensor). No
     * gradient.
     *
     * @param x the tensor
     * @return a new bool tensor of x's shape
     * @see Tensor#isfinite
     */
    public static Tensor isfinite(Tensor x) {
        return classify(x, true);
    }

    /**
     * A bool tensor, true where x is NaN (nowhere in an int64 or bool tensor). No gradient.
     *
     * @param x the tensor
     * @return a new bool tensor of x's shape
     * @see Tensor#isnan
     */
    public static Tensor isnan(Tensor x) {
        return classify(x, false);
    }

    private static Tensor classify(Tensor x, boolean finite) {
        Tensor y = Tensor.empty(DType.BOOL, x.shape());
        boolean[] out = y.storage().bools();
        if (!x.dtype().isFloatingPoint()) {
            java.util.Arrays.fill(out, 0, y.numel(), finite);
            return y;
        }
        Storage xs = x.storage();
        Loops.forEachRow(x.shape(), x.strides(), x.storageOffset(), null, 0, null, 0, (o, a, as, b, bs, c, cs, n) -> {
            if (xs.dtype() == DType.FLOAT32) {
                float[] f = xs.floats();
                for (int i = 0; i < n; i++) out[o + i] = finite ? Float.isFinite(f[a + i * as]) : Float.isNaN(f[a + i * as]);
            } else if (xs.dtype().isHalf()) {
                for (int i = 0; i < n; i++) out[o + i] = finite ? Double.isFinite(xs.getDouble(a + i * as)) : Double.isNaN(xs.getDouble(a + i * as));
            } else {
                double[] d = xs.doubles();
                for (int i = 0; i < n; i++) out[o + i] = finite ? Double.isFinite(d[a + i * as]) : Double.isNaN(d[a + i * as]);
            }
        });
        return y;
    }

    // ------------------------------------------------------------ select, compare, convert

    /**
     * {@code cond ? a : b}, broadcasting all three; the gradient goes to a where cond holds, to b elsewhere.
     *
     * @param cond a bool tensor
     * @param a the values where cond is true
     * @param b the values where cond is false
     * @return a new tensor of the broadcast shape and a and b's promoted dtype
     * @see Tensor#where
     */
    public static Tensor where(Tensor cond, Tensor a, Tensor b) {
        if (cond.dtype() != DType.BOOL) throw new IllegalArgumentException("where: condition must be BOOL, was " + cond.dtype());
        Tensor[] p = promote(a, b);
        Tensor x0 = p[0], x1 = p[1];
        int[] shape = Shape.broadcast("where", Shape.broadcast("where", cond.shape(), x0.shape()), x1.shape());
        Tensor y = Tensor.zeros(x0.dtype(), shape);
        Storage cs = cond.storage(), as = x0.storage(), bs = x1.storage(), ys = y.storage();
        boolean[] c = cs.bools();
        Loops.forEachRow(shape, broadcastStrides(x0, shape), x0.storageOffset(), broadcastStrides(x1, shape), x1.storageOffset(),
                broadcastStrides(cond, shape), cond.storageOffset(), (o, pa, sa, pb, sb, pc, sc, n) -> {
                    switch (ys.dtype()) {
                        case FLOAT32 -> {
                            float[] fa = as.floats(), fb = bs.floats(), fy = ys.floats();
                            for (int i = 0; i < n; i++) fy[o + i] = c[pc + i * sc] ? fa[pa + i * sa] : fb[pb + i * sb];
                        }
                        case FLOAT64 -> {
                            double[] fa = as.doubles(), fb = bs.doubles(), fy = ys.doubles();
                            for (int i = 0; i < n; i++) fy[o + i] = c[pc + i * sc] ? fa[pa + i * sa] : fb[pb + i * sb];
                        }
                        case FLOAT16, BFLOAT16 -> {
                            short[] fa = as.shorts(), fb = bs.shorts(), fy = ys.shorts();
                            for (int i = 0; i < n; i++) fy[o + i] = c[pc + i * sc] ? fa[pa + i * sa] : fb[pb + i * sb];
                        }
                        default -> {
                            for (int i = 0; i < n; i++) ys.setLong(o + i, c[pc + i * sc] ? as.getLong(pa + i * sa) : bs.getLong(pb + i * sb));
                        }
                    }
                });
        return Autograd.record("where", y, g -> {
            Tensor zero = g.scalarLike(0);
            return new Tensor[] {
                x0.requiresGrad() ? Views.sumToShape(where(cond, g, zero), x0.shape()) : null,
                x1.requiresGrad() ? Views.sumToShape(where(cond, zero, g), x1.shape()) : null};
        }, t -> {
            Tensor zero = y.scalarLike(0);
            return Tangents.broadcast(where(cond, t[0] == null ? zero : t[0], t[1] == null ? zero : t[1]), y.shape());
        }, x0, x1);
    }

    /**
     * x with {@code value} where {@code mask} is true: {@code where(mask, value, x)}, the mask broadcast to x's
     * shape. The gradient passes to x where the mask is false and is 0 where it is true.
     *
     * @param x the tensor
     * @param mask a bool tensor whose shape broadcasts to x's
     * @param value the fill value (converted to x's dtype)
     * @return a new tensor of x's shape and dtype
     * @throws IllegalArgumentException when the mask is not bool or does not broadcast to x's shape
     * @see Tensor#maskedFill
     */
    public static Tensor maskedFill(Tensor x, Tensor mask, double value) {
        if (mask.dtype() != DType.BOOL) throw new IllegalArgumentException("maskedFill: mask must be BOOL, was " + mask.dtype());
        if (!Shape.broadcastsTo(mask.shape(), x.shape())) {
            throw new IllegalArgumentException("maskedFill: mask of shape " + Shape.format(mask.shape()) + " does not broadcast to the tensor's shape "
                    + Shape.format(x.shape()));
        }
        return where(mask, Tensor.scalar(value, x.dtype()), x);
    }

    /**
     * The lower triangle of the last two dims: elements with column − row ≤ {@code diagonal} are kept, the others
     * set to 0 (as {@code torch.tril}; diagonal 0 is the main diagonal, 1 the one above it). The gradient is the
     * lower triangle of g.
     *
     * @param x a tensor of rank ≥ 2 (the leading dims are a batch)
     * @param diagonal which diagonal bounds the kept part
     * @return a new tensor of x's shape and dtype
     * @throws IllegalArgumentException when x has fewer than 2 dims
     * @see Tensor#tril
     */
    public static Tensor tril(Tensor x, int diagonal) {
        return triangle("tril", x, diagonal, true);
    }

    /**
     * The upper triangle of the last two dims: elements with column − row ≥ {@code diagonal} are kept, the others
     * set to 0 (as {@code torch.triu}). The gradient is the upper triangle of g.
     *
     * @param x a tensor of rank ≥ 2 (the leading dims are a batch)
     * @param diagonal which diagonal bounds the kept part
     * @return a new tensor of x's shape and dtype
     * @throws IllegalArgumentException when x has fewer than 2 dims
     * @see Tensor#triu
     */
    public static Tensor triu(Tensor x, int diagonal) {
        return triangle("triu", x, diagonal, false);
    }

    private static Tensor triangle(String op, Tensor x, int diagonal, boolean lower) {
        if (x.dim() < 2) throw new IllegalArgumentException(op + ": expects a tensor of at least 2 dims, got shape " + Shape.format(x.shape()));
        Tensor y = Views.copy(x.detach());
        int rows = x.size(-2), cols = x.size(-1), matrices = rows * cols == 0 ? 0 : y.numel() / (rows * cols);
        Storage ys = y.storage();
        for (int m = 0; m < matrices; m++) {
            for (int i = 0; i < rows; i++) {
                // tril zeroes columns j > i + diagonal; triu zeroes columns j < i + diagonal
                long edge = (long) i + diagonal;
                int from = lower ? (int) Math.max(0, Math.min(cols, edge + 1)) : 0;
                int to = lower ? cols : (int) Math.max(0, Math.min(cols, edge));
                if (from >= to) continue;
                int base = (m * rows + i) * cols;
                switch (ys.dtype()) {
                    case FLOAT32 -> java.util.Arrays.fill(ys.floats(), base + from, base + to, 0f);
                    case FLOAT64 -> java.util.Arrays.fill(ys.doubles(), base + from, base + to, 0d);
                    case INT64 -> java.util.Arrays.fill(ys.longs(), base + from, base + to, 0L);
                    case BOOL -> java.util.Arrays.fill(ys.bools(), base + from, base + to, false);
                    default -> {
                        for (int j = base + from; j < base + to; j++) ys.setLong(j, 0);
                    }
                }
            }
        }
        return Autograd.record(op, y, g -> new Tensor[] {triangle(op, g, diagonal, lower)},
                t -> triangle(op, t[0], diagonal, lower), x);
    }

    /**
     * The attention mask of a causal (autoregressive) model: a bool {@code [size, size]} tensor, true where
     * column j &gt; row i, i.e. true at the positions a query i must NOT see (the future keys). Pass it to
     * {@link Tensor#maskedFill} with −∞ before a softmax; it equals {@code triu(ones, 1)}.
     *
     * @param size the sequence length, ≥ 0
     * @return a new bool tensor
     * @throws IllegalArgumentException when size is negative
     * @see Tensor#causalMask
     */
    public static Tensor causalMask(int size) {
        if (size < 0) throw new IllegalArgumentException("causalMask: size must be ≥ 0, was " + size);
        Tensor y = Tensor.zeros(DType.BOOL, size, size);
        boolean[] b = y.storage().bools();
        for (int i = 0; i < size; i++) java.util.Arrays.fill(b, i * size + i + 1, (i + 1) * size, true);
        return y;
    }

    /** The six comparisons: {@code ==}, {@code !=}, {@code <}, {@code <=}, {@code >}, {@code >=}. */
    public enum Comparison {
        /** {@code a == b}. */ EQ,
        /** {@code a != b}. */ NE,
        /** {@code a < b}. */ LT,
        /** {@code a <= b}. */ LE,
        /** {@code a > b}. */ GT,
        /** {@code a >= b}. */ GE
    }

    /**
     * A bool tensor: {@code a ⋄ b} elementwise, broadcasting, compared as doubles (IEEE: every comparison with
     * NaN is false except {@code NE}). Comparisons carry no gradient.
     *
     * @param k which comparison
     * @param a the left operand
     * @param b the right operand
     * @return a new bool tensor of the broadcast shape
     * @see Tensor#eq
     */
    public static Tensor compare(Comparison k, Tensor a, Tensor b) {
        int[] shape = Shape.broadcast(k.name().toLowerCase(java.util.Locale.ROOT), a.shape(), b.shape());
        Tensor y = Tensor.zeros(DType.BOOL, shape);
        boolean[] out = y.storage().bools();
        Storage as = a.storage(), bs = b.storage();
        boolean floats = a.dtype() == DType.FLOAT32 && b.dtype() == DType.FLOAT32;
        Loops.forEachRow(shape, broadcastStrides(a, shape), a.storageOffset(), broadcastStrides(b, shape), b.storageOffset(), null, 0,
                (o, pa, sa, pb, sb, pc, sc, n) -> {
                    if (floats) {
                        float[] fa = as.floats(), fb = bs.floats();
                        for (int i = 0; i < n; i++) out[o + i] = test(k, fa[pa + i * sa], fb[pb + i * sb]);
                    } else {
                        for (int i = 0; i < n; i++) out[o + i] = test(k, as.getDouble(pa + i * sa), bs.getDouble(pb + i * sb));
                    }
                });
        return y;
    }

    private static boolean test(Comparison k, double a, double b) {
        return switch (k) {
            case EQ -> a == b;
            case NE -> a != b;
            case LT -> a < b;
            case LE -> a <= b;
            case GT -> a > b;
            case GE -> a >= b;
        };
    }

    /**
     * x converted to {@code dtype} (floats to int64 truncate toward zero; non-zero to bool is true); between
     * float dtypes the gradient is converted back, other conversions carry none.
     *
     * @param x the tensor to convert
     * @param dtype the dtype wanted
     * @return x itself when it already has {@code dtype}, else a new contiguous tensor
     * @see Tensor#to
     */
    public static Tensor cast(Tensor x, DType dtype) {
        if (x.dtype() == dtype) return x;
        Tensor y = Tensor.zeros(dtype, x.shape());
        CopyKernels.copy(x.storage(), x.storageOffset(), x.strides(), y.storage(), 0, y.strides(), x.shape());
        if (!dtype.isFloatingPoint() || !x.dtype().isFloatingPoint()) return y;
        DType back = x.dtype();
        return Autograd.record("to", y, g -> new Tensor[] {g.to(back)}, t -> t[0].to(y.dtype()), x);
    }

    // ------------------------------------------------------------ in place (raw: no graph)

    /**
     * {@code dst[...] = src} broadcast to dst's shape, converting dtype; a raw write that records nothing and
     * does not check grad mode (use {@link Tensor#copyFrom} for the checked form).
     *
     * @param src the values
     * @param dst the tensor written into
     * @throws IllegalArgumentException when src's shape does not broadcast to dst's
     */
    public static void copyInto(Tensor src, Tensor dst) {
        int[] shape = dst.shape();
        if (!Shape.broadcastsTo(src.shape(), shape)) {
            throw new IllegalArgumentException("copyFrom: source of shape " + Shape.format(src.shape()) + " does not broadcast to "
                    + Shape.format(shape));
        }
        CopyKernels.copy(src.storage(), src.storageOffset(), broadcastStrides(src, shape), dst.storage(), dst.storageOffset(), dst.strides(), shape);
    }

    /**
     * {@code dst += src} (src broadcast to dst's shape and converted to its dtype), raw: records nothing.
     *
     * @param dst the tensor updated in place
     * @param src the values added
     * @throws IllegalArgumentException when src's shape does not broadcast to dst's
     */
    public static void addInto(Tensor dst, Tensor src) {
        inPlace(BinaryKernels.Kind.ADD, dst, src);
    }

    /**
     * {@code dst *= src} (src broadcast to dst's shape and converted to its dtype), raw: records nothing.
     *
     * @param dst the tensor updated in place
     * @param src the factors
     * @throws IllegalArgumentException when src's shape does not broadcast to dst's
     */
    public static void mulInto(Tensor dst, Tensor src) {
        inPlace(BinaryKernels.Kind.MUL, dst, src);
    }

    /** dst = dst ⋄ src (src broadcast to dst's shape). */
    private static void inPlace(BinaryKernels.Kind k, Tensor dst, Tensor src) {
        int[] shape = dst.shape();
        if (!Shape.broadcastsTo(src.shape(), shape)) {
            throw new IllegalArgumentException(k.name().toLowerCase(java.util.Locale.ROOT) + " in place: source of shape " + Shape.format(src.shape())
                    + " does not broadcast to " + Shape.format(shape));
        }
        Tensor s = src.dtype() == dst.dtype() ? src : src.detach().to(dst.dtype());
        if (dst.isContiguous() && dst.dtype().isFloatingPoint() && !dst.dtype().isHalf()) {
            int[] sd = dst.strides(), ss = broadcastStrides(s, shape);
            int d0 = dst.storageOffset(), s0 = s.storageOffset();
            if (dst.dtype() == DType.FLOAT32) {
                float[] y = dst.storage().floats(), b = s.storage().floats();
                Loops.forEachRow(shape, sd, d0, ss, s0, null, 0, (o, pa, sa, pb, sb, pc, sc, n) ->
                        BinaryKernels.rowF(k, y, pa, sa, b, pb, sb, y, pa, n, dev.descent.core.kernel.Vectors.ENABLED));
            } else {
                double[] y = dst.storage().doubles(), b = s.storage().doubles();
                Loops.forEachRow(shape, sd, d0, ss, s0, null, 0, (o, pa, sa, pb, sb, pc, sc, n) ->
                        BinaryKernels.rowD(k, y, pa, sa, b, pb, sb, y, pa, n, dev.descent.core.kernel.Vectors.ENABLED));
            }
            return;
        }
        Tensor result = binary(k.name().toLowerCase(java.util.Locale.ROOT), k, dst.detach(), s);
        copyInto(result, dst);
    }

    // ------------------------------------------------------------ kernels behind the ops

    /** Both inputs converted to their common dtype (the conversion is differentiable). */
    static Tensor[] promote(Tensor a, Tensor b) {
        DType d = resultType(a, b);
        return new Tensor[] {a.to(d), b.to(d)};
    }

    /**
     * The dtype of a binary op's result, by PyTorch's rule: tensors of the same kind (both 0-d, or both
     * not) promote as {@link DType#promote}; a 0-d tensor beside a dimensioned one only matters when it
     * is of a higher category (bool &lt; integer &lt; float), so {@code float32 × 0-d float64} stays float32,
     * and {@code int64 × 0-d float} becomes float32.
     *
     * @param a one operand
     * @param b the other
     * @return the dtype both are converted to
     */
    public static DType resultType(Tensor a, Tensor b) {
        boolean za = a.dim() == 0, zb = b.dim() == 0;
        if (za == zb) return DType.promote(a.dtype(), b.dtype());
        Tensor zero = za ? a : b, dims = za ? b : a;
        if (category(zero.dtype()) <= category(dims.dtype())) return dims.dtype();
        return zero.dtype().isFloatingPoint() ? DType.FLOAT32 : DType.INT64;
    }

    private static int category(DType d) {
        return d == DType.BOOL ? 0 : d.isFloatingPoint() ? 2 : 1;
    }

    /**
     * The strides that read t as if broadcast to {@code shape}: 0 on new leading dimensions and on stretched
     * size-1 dimensions, t's own strides elsewhere.
     *
     * @param t a tensor whose shape broadcasts to {@code shape}
     * @param shape the broadcast shape
     * @return one stride per dimension of {@code shape}
     */
    public static int[] broadcastStrides(Tensor t, int[] shape) {
        int[] ts = t.shape(), st = t.strides();
        int[] out = new int[shape.length];
        int off = shape.length - ts.length;
        for (int i = 0; i < ts.length; i++) out[i + off] = ts[i] == 1 && shape[i + off] != 1 ? 0 : st[i];
        return out;
    }

    /**
     * The raw forward of a binary op on inputs of one dtype: a new contiguous tensor. Half inputs compute in float32 and
     * round the result on store; integer inputs compute in double and give int64.
     */
    static Tensor binary(String op, BinaryKernels.Kind k, Tensor a, Tensor b) {
        int[] shape = Shape.broadcast(op, a.shape(), b.shape());
        DType dt = a.dtype();
        if (dt.isHalf()) return binary(op, k, a.detach().to(DType.FLOAT32), b.detach().to(DType.FLOAT32)).to(dt); // round on store
        boolean arithmeticOnInts = !dt.isFloatingPoint();
        Tensor y = Tensor.empty(arithmeticOnInts ? DType.INT64 : dt, shape);
        int[] sa = broadcastStrides(a, shape), sb = broadcastStrides(b, shape);
        switch (dt) {
            case FLOAT32 -> BinaryKernels.apply(k, a.storage().floats(), a.storageOffset(), sa, b.storage().floats(), b.storageOffset(), sb,
                    y.storage().floats(), shape);
            case FLOAT64 -> BinaryKernels.apply(k, a.storage().doubles(), a.storageOffset(), sa, b.storage().doubles(), b.storageOffset(), sb,
                    y.storage().doubles(), shape);
            default -> {
                Storage as = a.storage(), bs = b.storage(), ys = y.storage();
                Loops.forEachRow(shape, sa, a.storageOffset(), sb, b.storageOffset(), null, 0, (o, pa, psa, pb, psb, pc, sc, n) -> {
                    for (int i = 0; i < n; i++) ys.setDouble(o + i, BinaryKernels.reference(k, as.getDouble(pa + i * psa), bs.getDouble(pb + i * psb)));
                });
            }
        }
        return y;
    }

    /** The raw forward of a unary op: a new contiguous tensor of x's (float) dtype. */
    static Tensor unary(UnaryKernels.Kind k, Tensor x) {
        String op = k.name().toLowerCase(java.util.Locale.ROOT);
        if (!x.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException(op + ": expects a float32 or float64 tensor, got " + x.dtype() + "; convert with to(DType.FLOAT32)");
        }
        if (x.dtype().isHalf()) return unary(k, x.detach().to(DType.FLOAT32)).to(x.dtype()); // compute in float32, round on store
        Tensor y = Tensor.empty(x.dtype(), x.shape());
        if (x.dtype() == DType.FLOAT32) {
            UnaryKernels.apply(k, x.storage().floats(), x.storageOffset(), x.strides(), y.storage().floats(), x.shape());
        } else {
            UnaryKernels.apply(k, x.storage().doubles(), x.storageOffset(), x.strides(), y.storage().doubles(), x.shape());
        }
        return y;
    }
}
