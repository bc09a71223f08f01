package dev.descent.core.ops;

import dev.descent.core.DType;
import dev.descent.core.Shape;
import dev.descent.core.Storage;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.Autograd;
import dev.descent.core.autograd.BackwardFn;
import dev.descent.core.autograd.ForwardAD;
import dev.descent.core.autograd.GradMode;
import dev.descent.core.autograd.JvpFn;
import dev.descent.core.kernel.BinaryKernels;
import dev.descent.core.kernel.CopyKernels;
import dev.descent.core.kernel.Vectors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Ops that pick or place elements by index, and joins. gather and scatterAdd are each other's
 * adjoint, as are indexSelect and indexAdd; cat's backward narrows the gradient back into pieces.
 * Indices are int64 tensors and are bounds-checked, naming the offending value.
 */
public final class Indexing {
    private Indexing() {}

    // ------------------------------------------------------------ gather / scatterAdd

    /**
     * {@code out[p] = x[p with coordinate dim replaced by index[p]]} for every position p of {@code index};
     * the backward scatters the gradient back with {@link #scatterAdd}.
     *
     * @param x the source
     * @param dim the dimension indexed (negative counts from the end)
     * @param index int64 positions, of x's rank and no larger than x off {@code dim}
     * @return a tensor of index's shape and x's dtype
     * @see Tensor#gather
     */
    public static Tensor gather(Tensor x, int dim, Tensor index) {
        int d = checkIndexLike("gather", x, dim, index, index);
        Tensor out = Tensor.zeros(x.dtype(), index.shape());
        walkIndex(index, d, x.size(d), "gather", (outPos, idxPos, target) -> {
            int src = offsetOf(x, idxPos, d, target);
            out.storage().setDouble(outPos, x.storage().getDouble(src));
        });
        int[] inShape = x.shape();
        return Autograd.record("gather", out, g -> new Tensor[] {Tensor.zeros(g.dtype(), inShape).scatterAdd(d, index, g)},
                t -> gather(t[0], d, index), x);
    }

    /**
     * A copy of {@code self} with {@code out[p with coordinate dim replaced by index[p]] += src[p]} for every
     * position p of {@code index}; repeated targets add up. Gradients: g to self, {@code g.gather(dim, index)}
     * to src.
     *
     * @param self the base values (not modified)
     * @param dim the dimension indexed (negative counts from the end)
     * @param index int64 target positions, of self's rank, no larger than src, nor than self off {@code dim}
     * @param src the values added (converted to self's dtype)
     * @return a new tensor of self's shape
     * @see Tensor#scatterAdd
     */
    public static Tensor scatterAdd(Tensor self, int dim, Tensor index, Tensor src) {
        int d = checkIndexLike("scatterAdd", self, dim, index, src);
        Tensor s = src.dtype() == self.dtype() ? src : src.to(self.dtype());
        Tensor out = Views.copy(self.detach());
        Storage os = out.storage();
        int[] outStrides = out.strides();
        walkIndex(index, d, self.size(d), "scatterAdd", (idxFlat, idxPos, target) -> {
            int dst = 0;
            for (int i = 0; i < idxPos.length; i++) dst += (i == d ? target : idxPos[i]) * outStrides[i];
            int sp = offsetOf(s, idxPos, -1, 0);
            os.setDouble(dst, os.getDouble(dst) + s.storage().getDouble(sp));
        });
        return Autograd.record("scatterAdd", out, g -> new Tensor[] {
                self.requiresGrad() ? g : null,
                s.requiresGrad() ? g.gather(d, index) : null},
                t -> t[1] == null ? t[0] : scatterAdd(orZeros(t[0], self), d, index, t[1]), self, s);
    }

    // ------------------------------------------------------------ scatter / scatterReduce

    /**
     * A copy of {@code self} with {@code out[p with coordinate dim replaced by index[p]] = src[p]} for every position p
     * of {@code index}. Where several positions name one target, the last in row-major order of {@code index} wins
     * (PyTorch leaves that case undefined). Gradients: g to self, except at the targets written (0 there); to src,
     * {@code g.gather(dim, index)} at the positions that won, 0 elsewhere (also where src is larger than index).
     *
     * @param self the base values (not modified)
     * @param dim the dimension indexed (negative counts from the end)
     * @param index int64 target positions, of self's rank, no larger than src, nor than self off {@code dim}
     * @param src the values written (converted to self's dtype)
     * @return a new tensor of self's shape
     * @see Tensor#scatter(int, Tensor, Tensor)
     */
    public static Tensor scatter(Tensor self, int dim, Tensor index, Tensor src) {
        int d = checkIndexLike("scatter", self, dim, index, src);
        Tensor s = src.dtype() == self.dtype() ? src : src.to(self.dtype());
        Scattered sc = scatterInto("scatter", self, d, index, s, null);
        Tensor hit = Tensor.of(sc.hit()).reshape(self.shape()), won = Tensor.of(sc.won()).reshape(index.shape());
        int[] srcShape = s.shape();
        return Autograd.record("scatter", sc.out(), g -> new Tensor[] {
                self.requiresGrad() ? Tensor.where(hit, g.scalarLike(0), g) : null,
                s.requiresGrad() ? padTo(Tensor.where(won, g.gather(d, index), g.scalarLike(0)), srcShape) : null},
                t -> scatter(orZeros(t[0], self), d, index, orZeros(t[1], s)), self, s);
    }

    /**
     * A copy of {@code self} with {@code value} written at {@code out[p with coordinate dim replaced by index[p]]} for
     * every position p of {@code index}. Gradient: g to self, 0 at the targets written.
     *
     * @param self the base values (not modified)
     * @param dim the dimension indexed (negative counts from the end)
     * @param index int64 target positions, of self's rank and no larger than self off {@code dim}
     * @param value the value written (converted to self's dtype)
     * @return a new tensor of self's shape
     * @see Tensor#scatter(int, Tensor, double)
     */
    public static Tensor scatter(Tensor self, int dim, Tensor index, double value) {
        int d = checkIndexLike("scatter", self, dim, index, index);
        Scattered sc = scatterInto("scatter", self, d, index, null, value);
        Tensor hit = Tensor.of(sc.hit()).reshape(self.shape());
        return Autograd.record("scatter", sc.out(), g -> new Tensor[] {Tensor.where(hit, g.scalarLike(0), g)},
                t -> Tensor.where(hit, t[0].scalarLike(0), t[0]), self);
    }

    /** A scatter's result, which targets were written, and which index positions wrote last. */
    private record Scattered(Tensor out, boolean[] hit, boolean[] won) {}

    private static Scattered scatterInto(String op, Tensor self, int d, Tensor index, Tensor src, Double value) {
        Tensor out = Views.copy(self.detach()); // fresh, row-major, offset 0: a storage index is a flat index
        Storage os = out.storage();
        int[] outStrides = out.strides();
        int[] lastWriter = new int[out.numel()];
        Arrays.fill(lastWriter, -1);
        walkIndex(index, d, self.size(d), op, (f, pos, target) -> {
            int dst = 0;
            for (int i = 0; i < pos.length; i++) dst += (i == d ? target : pos[i]) * outStrides[i];
            os.setDouble(dst, src == null ? value : src.storage().getDouble(offsetOf(src, pos, -1, 0)));
            lastWriter[dst] = f;
        });
        boolean[] hit = new boolean[out.numel()], won = new boolean[index.numel()];
        for (int i = 0; i < hit.length; i++) {
            if (lastWriter[i] >= 0) {
                hit[i] = true;
                won[lastWriter[i]] = true;
            }
        }
        return new Scattered(out, hit, won);
    }

    /**
     * A copy of {@code self} where each target {@code out[p with coordinate dim replaced by index[p]]} becomes the
     * reduction of the {@code src[p]} sent to it, together with its own value when {@code includeSelf}; targets
     * nothing is sent to keep self's value (PyTorch's {@code scatter_reduce}). For an integer self, mean rounds
     * toward zero.
     *
     * <p>Gradients (floating point): {@code sum}: g to self (0 at targets when not includeSelf) and
     * {@code g.gather} to src; {@code mean}: the same divided by each target's count; {@code amax}/{@code amin}: g
     * shared equally among the members equal to the result (self included when includeSelf), 0 to the others;
     * {@code prod}: g times the product of the other members (exact with zeros). The prod gradient is computed by
     * loops and has no second derivative (gradients of gradients throw); the others are built from tensor ops.
     *
     * @param self the base values (not modified)
     * @param dim the dimension indexed (negative counts from the end)
     * @param index int64 target positions, of self's rank, no larger than src, nor than self off {@code dim}
     * @param src the values sent (converted to self's dtype)
     * @param reduce one of {@code "sum"}, {@code "prod"}, {@code "mean"}, {@code "amax"}, {@code "amin"}
     * @param includeSelf whether a target's own value joins the reduction
     * @return a new tensor of self's shape
     * @see Tensor#scatterReduce
     */
    public static Tensor scatterReduce(Tensor self, int dim, Tensor index, Tensor src, String reduce, boolean includeSelf) {
        if (!java.util.Set.of("sum", "prod", "mean", "amax", "amin").contains(reduce)) {
            throw new IllegalArgumentException("scatterReduce: reduce must be one of sum, prod, mean, amax, amin; was '" + reduce + "'");
        }
        int d = checkIndexLike("scatterReduce", self, dim, index, src);
        Tensor s = src.dtype() == self.dtype() ? src : src.to(self.dtype());
        Tensor base = Views.copy(self.detach());
        Storage os = base.storage();
        int n = base.numel(), m = index.numel();
        int[] outStrides = base.strides(), srcShape = s.shape();
        int[] dstOf = new int[m], srcFlat = new int[m];
        double[] srcVal = new double[m];
        walkIndex(index, d, self.size(d), "scatterReduce", (f, pos, target) -> {
            int dst = 0, sf = 0;
            for (int i = 0; i < pos.length; i++) {
                dst += (i == d ? target : pos[i]) * outStrides[i];
                sf = sf * srcShape[i] + pos[i];
            }
            dstOf[f] = dst;
            srcFlat[f] = sf;
            srcVal[f] = s.storage().getDouble(offsetOf(s, pos, -1, 0));
        });
        double[] selfVal = new double[n], acc = new double[n];
        int[] count = new int[n];
        boolean[] hit = new boolean[n];
        for (int i = 0; i < n; i++) selfVal[i] = os.getDouble(i);
        for (int f = 0; f < m; f++) {
            hit[dstOf[f]] = true;
            count[dstOf[f]]++;
        }
        double identity = switch (reduce) {
            case "prod" -> 1;
            case "amax" -> Double.NEGATIVE_INFINITY;
            case "amin" -> Double.POSITIVE_INFINITY;
            default -> 0;
        };
        for (int i = 0; i < n; i++) acc[i] = includeSelf ? selfVal[i] : identity;
        for (int f = 0; f < m; f++) {
            int t = dstOf[f];
            double x = srcVal[f];
            acc[t] = switch (reduce) {
                case "prod" -> acc[t] * x;
                case "amax" -> Math.max(acc[t], x);
                case "amin" -> Math.min(acc[t], x);
                default -> acc[t] + x;
            };
        }
        int own = includeSelf ? 1 : 0;
        for (int i = 0; i < n; i++) {
            if (!hit[i]) continue;
            double r = reduce.equals("mean") ? acc[i] / (count[i] + own) : acc[i];
            if (reduce.equals("mean") && !self.dtype().isFloatingPoint()) r = (long) r;
            acc[i] = r;
            os.setDouble(i, r);
        }
        if (!Autograd.isRecording(self, s)) return base;
        int[] shape = self.shape(), is = index.shape();
        Tensor hitT = Tensor.of(hit).reshape(shape);
        BackwardFn rule;
        JvpFn jvp;
        switch (reduce) {
            case "sum", "mean" -> {
                double[] div = new double[n];
                for (int i = 0; i < n; i++) div[i] = hit[i] && reduce.equals("mean") ? count[i] + own : 1;
                Tensor divT = Tensor.of(div).reshape(shape).to(self.dtype());
                rule = g -> {
                    Tensor gs = g.div(divT);
                    return new Tensor[] {
                            self.requiresGrad() ? (includeSelf ? gs : Tensor.where(hitT, g.scalarLike(0), g)) : null,
                            s.requiresGrad() ? padTo(gs.gather(d, index), srcShape) : null};
                };
                // sum and mean are linear in (self, src) together: the tangent is the same reduction of the tangents
                jvp = t -> scatterReduce(orZeros(t[0], self), d, index, orZeros(t[1], s), reduce, includeSelf);
            }
            case "amax", "amin" -> {
                double[] ties = new double[n];
                boolean[] selfWins = new boolean[n], srcWins = new boolean[m];
                for (int i = 0; i < n; i++) {
                    selfWins[i] = hit[i] && includeSelf && selfVal[i] == acc[i];
                    ties[i] = selfWins[i] ? 1 : 0;
                }
                for (int f = 0; f < m; f++) {
                    srcWins[f] = srcVal[f] == acc[dstOf[f]];
                    if (srcWins[f]) ties[dstOf[f]]++;
                }
                for (int i = 0; i < n; i++) if (ties[i] == 0) ties[i] = 1;
                Tensor tiesT = Tensor.of(ties).reshape(shape).to(self.dtype()), selfWinsT = Tensor.of(selfWins).reshape(shape), srcWinsT = Tensor.of(srcWins).reshape(is);
                rule = g -> {
                    Tensor share = g.div(tiesT), zero = g.scalarLike(0);
                    return new Tensor[] {
                            self.requiresGrad() ? Tensor.where(hitT, Tensor.where(selfWinsT, share, zero), g) : null,
                            s.requiresGrad() ? padTo(Tensor.where(srcWinsT, share.gather(d, index), zero), srcShape) : null};
                };
                // a target's tangent: the mean of its winners' tangents (the transpose of the backward's shares)
                jvp = t -> Tangents.sum(shape,
                        t[0] == null ? null : Tensor.where(hitT, Tensor.where(selfWinsT, t[0].div(tiesT), t[0].scalarLike(0)), t[0]),
                        t[1] == null ? null : Tensor.zeros(self.dtype(), shape)
                                .scatterAdd(d, index, Tensor.where(srcWinsT, cropTo(t[1], is), t[1].scalarLike(0))).div(tiesT));
            }
            default -> { // prod: the product of the other members, counting zeros so that no division by 0 happens
                double[] nonZero = new double[n];
                int[] zeros = new int[n];
                for (int i = 0; i < n; i++) {
                    nonZero[i] = 1;
                    if (includeSelf) {
                        if (selfVal[i] == 0) zeros[i]++;
                        else nonZero[i] *= selfVal[i];
                    }
                }
                for (int f = 0; f < m; f++) {
                    if (srcVal[f] == 0) zeros[dstOf[f]]++;
                    else nonZero[dstOf[f]] *= srcVal[f];
                }
                // ∂out/∂self (1 where nothing was written) and ∂out[target]/∂src for each index position
                double[] selfFactor = new double[n], srcFactor = new double[m];
                for (int i = 0; i < n; i++) selfFactor[i] = !hit[i] ? 1 : includeSelf ? others(selfVal[i], nonZero[i], zeros[i]) : 0;
                for (int f = 0; f < m; f++) srcFactor[f] = others(srcVal[f], nonZero[dstOf[f]], zeros[dstOf[f]]);
                rule = g -> {
                    if (GradMode.isEnabled() || carriesTangent(g, self, s)) {
                        throw new UnsupportedOperationException("scatterReduce: gradients of gradients of reduce 'prod' are not supported"
                                + " (neither by createGraph nor by a backward pass through dual tensors)");
                    }
                    double[] gv = g.toDoubleArray();
                    double[] gSelf = new double[n], gSrc = new double[Shape.numel(srcShape)];
                    for (int i = 0; i < n; i++) gSelf[i] = gv[i] * selfFactor[i];
                    for (int f = 0; f < m; f++) gSrc[srcFlat[f]] = gv[dstOf[f]] * srcFactor[f];
                    return new Tensor[] {
                            self.requiresGrad() ? Tensor.of(gSelf).reshape(shape).to(g.dtype()) : null,
                            s.requiresGrad() ? Tensor.of(gSrc).reshape(srcShape).to(g.dtype()) : null};
                };
                jvp = t -> Tangents.sum(shape, t[0] == null ? null : t[0].mul(Tensor.of(selfFactor).reshape(shape).to(self.dtype())),
                        t[1] == null ? null : Tensor.zeros(self.dtype(), shape)
                                .scatterAdd(d, index, cropTo(t[1], is).mul(Tensor.of(srcFactor).reshape(is).to(self.dtype()))));
            }
        }
        return Autograd.record("scatterReduce", base, rule, jvp, self, s);
    }

    /** The product of a group's other members: the group's non-zero product and zero count, without member x. */
    private static double others(double x, double nonZeroProduct, int zeros) {
        if (x == 0) return zeros == 1 ? nonZeroProduct : 0;
        return zeros == 0 ? nonZeroProduct / x : 0;
    }

    /** Whether forward mode is on and one of the tensors carries a tangent. */
    private static boolean carriesTangent(Tensor... ts) {
        if (!ForwardAD.isEnabled()) return false;
        for (Tensor t : ts) if (t != null && t.tangent() != null) return true;
        return false;
    }

    /** A tangent, or zeros of {@code like}'s shape and dtype when it is null (a zero tangent). */
    private static Tensor orZeros(Tensor t, Tensor like) {
        return t != null ? t : Tensor.zeros(like.dtype(), like.shape());
    }

    /** The part of t at the start of each dim, {@code shape} long (the transpose of {@link #padTo}). */
    private static Tensor cropTo(Tensor t, int[] shape) {
        Tensor r = t;
        for (int i = 0; i < shape.length; i++) if (r.size(i) != shape[i]) r = r.narrow(i, 0, shape[i]);
        return r;
    }

    /** t placed at the start of a zero tensor of {@code shape} (each dim of t no larger): zeros are joined on with cat. */
    private static Tensor padTo(Tensor t, int[] shape) {
        Tensor r = t;
        for (int i = 0; i < shape.length; i++) {
            int have = r.size(i);
            if (have == shape[i]) continue;
            int[] zs = r.shape();
            zs[i] = shape[i] - have;
            r = cat(List.of(r, Tensor.zeros(r.dtype(), zs)), i);
        }
        return r;
    }

    // ------------------------------------------------------------ indexSelect / indexAdd

    /**
     * The slices of x at the positions in {@code index} along {@code dim}, in index order; the backward adds
     * the gradient back with {@link #indexAdd}.
     *
     * @param x the source, rank ≥ 1
     * @param dim the dimension indexed (negative counts from the end)
     * @param index a 1-D (or 0-d) int64 tensor
     * @return a new tensor whose {@code dim} has {@code index.numel()} entries
     * @see Tensor#indexSelect
     */
    public static Tensor indexSelect(Tensor x, int dim, Tensor index) {
        if (x.dim() == 0) throw new IllegalArgumentException("indexSelect: needs a tensor of rank >= 1, got a 0-d tensor");
        int d = Shape.normalizeDim("indexSelect", dim, x.dim());
        long[] idx = checkedIndices("indexSelect", index, x.size(d), d);
        int[] shape = x.shape();
        shape[d] = idx.length;
        Tensor out;
        if (x.isContiguous()) { // whole blocks of the slices' elements: one arraycopy each (an embedding lookup's rows)
            out = Tensor.empty(x.dtype(), shape);
            int[] xs = x.shape();
            int outer = Shape.numel(Arrays.copyOfRange(xs, 0, d)), inner = Shape.numel(Arrays.copyOfRange(xs, d + 1, xs.length));
            Object from = array(x.storage()), to = array(out.storage());
            int base = x.storageOffset(), n = idx.length, rows = xs[d];
            for (int o = 0; o < outer; o++) {
                for (int i = 0; i < n; i++) System.arraycopy(from, base + (o * rows + (int) idx[i]) * inner, to, (o * n + i) * inner, inner);
            }
        } else {
            out = Tensor.zeros(x.dtype(), shape);
            for (int i = 0; i < idx.length; i++) copySlice(x.detach().select(d, (int) idx[i]), out.select(d, i));
        }
        int[] inShape = x.shape();
        return Autograd.record("indexSelect", out, g -> new Tensor[] {Tensor.zeros(g.dtype(), inShape).indexAdd(d, index, g)},
                t -> indexSelect(t[0], d, index), x);
    }

    /**
     * A copy of {@code self} with slice i of {@code src} added at slice {@code index[i]} along {@code dim};
     * repeated indices add up. Gradients: g to self, {@code g.indexSelect(dim, index)} to src.
     *
     * @param self the base values (not modified)
     * @param dim the dimension indexed (negative counts from the end)
     * @param index a 1-D int64 tensor
     * @param src self's shape with {@code dim} of size {@code index.numel()} (converted to self's dtype)
     * @return a new tensor of self's shape
     * @see Tensor#indexAdd
     */
    public static Tensor indexAdd(Tensor self, int dim, Tensor index, Tensor src) {
        int d = Shape.normalizeDim("indexAdd", dim, self.dim());
        long[] idx = checkedIndices("indexAdd", index, self.size(d), d);
        int[] expect = self.shape();
        expect[d] = idx.length;
        if (!Arrays.equals(expect, src.shape())) {
            throw new IllegalArgumentException("indexAdd: source shape " + Shape.format(src.shape()) + " should be " + Shape.format(expect)
                    + " for self " + Shape.format(self.shape()) + " and " + idx.length + " indices along dim " + d);
        }
        Tensor s = src.dtype() == self.dtype() ? src : src.to(self.dtype());
        Tensor out = Views.copy(self.detach());
        if (s.dtype() == DType.FLOAT32 || s.dtype() == DType.FLOAT64) {
            // Slice i added onto slice idx[i] block by block, i ascending: each element's additions in the same order
            // as slice-by-slice addInPlace, so the same bits, without two views per index.
            Tensor sc = s.detach().contiguous();
            int[] os = out.shape();
            int outer = Shape.numel(Arrays.copyOfRange(os, 0, d)), inner = Shape.numel(Arrays.copyOfRange(os, d + 1, os.length));
            int n = idx.length, rows = os[d], so = sc.storageOffset();
            boolean f32 = s.dtype() == DType.FLOAT32;
            float[] yf = f32 ? out.storage().floats() : null, sf = f32 ? sc.storage().floats() : null;
            double[] yd = f32 ? null : out.storage().doubles(), sd = f32 ? null : sc.storage().doubles();
            for (int o = 0; o < outer; o++) {
                for (int i = 0; i < n; i++) {
                    int to = (o * rows + (int) idx[i]) * inner, from = so + (o * n + i) * inner;
                    if (f32) BinaryKernels.rowF(BinaryKernels.Kind.ADD, yf, to, 1, sf, from, 1, yf, to, inner, Vectors.ENABLED);
                    else BinaryKernels.rowD(BinaryKernels.Kind.ADD, yd, to, 1, sd, from, 1, yd, to, inner, Vectors.ENABLED);
                }
            }
        } else {
            for (int i = 0; i < idx.length; i++) out.select(d, (int) idx[i]).addInPlace(s.detach().select(d, i));
        }
        return Autograd.record("indexAdd", out, g -> new Tensor[] {
                self.requiresGrad() ? g : null,
                s.requiresGrad() ? g.indexSelect(d, index) : null},
                t -> t[1] == null ? t[0] : indexAdd(orZeros(t[0], self), d, index, t[1]), self, s);
    }

    // ------------------------------------------------------------ joins

    /**
     * Tensors joined along {@code dim}, their dtypes promoted; all other sizes must agree. The backward
     * narrows the gradient back into the pieces.
     *
     * @param tensors one or more tensors of rank ≥ 1
     * @param dim the dimension joined along (negative counts from the end)
     * @return a new tensor
     * @see Tensor#cat
     */
    public static Tensor cat(List<Tensor> tensors, int dim) {
        if (tensors.isEmpty()) throw new IllegalArgumentException("cat: needs at least one tensor");
        Tensor first = tensors.get(0);
        if (first.dim() == 0) throw new IllegalArgumentException("cat: zero-dimensional tensors cannot be concatenated; use stack");
        int d = Shape.normalizeDim("cat", dim, first.dim());
        DType dtype = first.dtype();
        for (Tensor t : tensors) dtype = DType.promote(dtype, t.dtype());
        int[] shape = first.shape();
        int total = 0;
        List<Tensor> inputs = new ArrayList<>();
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            int[] ts = t.shape();
            if (ts.length != shape.length) {
                throw new IllegalArgumentException("cat: tensor " + i + " has shape " + Shape.format(ts) + ", tensor 0 has " + Shape.format(shape)
                        + " (ranks differ)");
            }
            for (int k = 0; k < ts.length; k++) {
                if (k != d && ts[k] != shape[k]) {
                    throw new IllegalArgumentException("cat: tensor " + i + " has shape " + Shape.format(ts) + ", tensor 0 has " + Shape.format(shape)
                            + "; they differ at dim " + k + " (only dim " + d + " may differ)");
                }
            }
            total += ts[d];
            inputs.add(t.to(dtype));
        }
        shape[d] = total;
        Tensor out = Tensor.empty(dtype, shape); // every element is written below
        int[] starts = new int[inputs.size()];
        int at = 0;
        boolean runs = true;
        for (int i = 0; i < inputs.size(); i++) {
            Tensor t = inputs.get(i);
            starts[i] = at;
            at += t.size(d);
            runs &= t.isContiguous();
        }
        if (runs) {
            // Contiguous inputs: for each index before dim d, each input's part is one run of the output. One pass of
            // System.arraycopy in order: M-LSD's channel concatenations (two [1, 32, 80, 80]) took 0.12 ms on one
            // thread and 0.31 on two through the strided copy, which zero-filled the output first and split rows
            // between the cores.
            int inner = 1, outer = 1;
            for (int k = d + 1; k < shape.length; k++) inner *= shape[k];
            for (int k = 0; k < d; k++) outer *= shape[k];
            Storage os = out.storage();
            for (int o = 0; o < outer; o++) {
                for (int i = 0; i < inputs.size(); i++) {
                    Tensor t = inputs.get(i);
                    int n = t.size(d) * inner;
                    CopyKernels.copyRun(t.storage(), t.storageOffset() + o * n, os, (o * total + starts[i]) * inner, n);
                }
            }
        } else {
            for (int i = 0; i < inputs.size(); i++) copySlice(inputs.get(i), out.detach().narrow(d, starts[i], inputs.get(i).size(d)));
        }
        Tensor[] in = inputs.toArray(new Tensor[0]);
        return Autograd.record("cat", out, g -> {
            Tensor[] grads = new Tensor[in.length];
            for (int i = 0; i < in.length; i++) if (in[i].requiresGrad()) grads[i] = g.narrow(d, starts[i], in[i].size(d));
            return grads;
        }, t -> {
            List<Tensor> parts = new ArrayList<>();
            for (int i = 0; i < in.length; i++) parts.add(orZeros(t[i], in[i]));
            return cat(parts, d);
        }, in);
    }

    /**
     * Tensors of one shape stacked along a new dimension {@code dim}: each is unsqueezed, then all are
     * {@link #cat}-ed.
     *
     * @param tensors one or more tensors of identical shape
     * @param dim the new dimension's position, in {@code [−rank−1, rank]}
     * @return a new tensor of rank one more than the inputs
     * @see Tensor#stack
     */
    public static Tensor stack(List<Tensor> tensors, int dim) {
        if (tensors.isEmpty()) throw new IllegalArgumentException("stack: needs at least one tensor");
        int[] shape = tensors.get(0).shape();
        int d = Shape.normalizeDim("stack", dim, shape.length + 1);
        List<Tensor> parts = new ArrayList<>();
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            if (!Arrays.equals(t.shape(), shape)) {
                throw new IllegalArgumentException("stack: tensor " + i + " has shape " + Shape.format(t.shape()) + ", tensor 0 has "
                        + Shape.format(shape) + " (all must be equal)");
            }
            parts.add(t.unsqueeze(d));
        }
        return cat(parts, d);
    }

    /**
     * One-hot rows: an int64 tensor with a new last dimension of {@code numClasses}, 1 at each index and 0
     * elsewhere. No gradient.
     *
     * @param index int64 class indices, any shape
     * @param numClasses the number of classes, ≥ 1
     * @return an int64 tensor of shape {@code index.shape() + [numClasses]}
     * @see Tensor#oneHot
     */
    public static Tensor oneHot(Tensor index, int numClasses) {
        if (numClasses <= 0) throw new IllegalArgumentException("oneHot: numClasses must be > 0, was " + numClasses);
        long[] idx = checkedIndices("oneHot", index.reshape(-1), numClasses, -1);
        int[] shape = Arrays.copyOf(index.shape(), index.dim() + 1);
        shape[index.dim()] = numClasses;
        long[] out = new long[idx.length * numClasses];
        for (int i = 0; i < idx.length; i++) out[i * numClasses + (int) idx[i]] = 1;
        return Tensor.of(out, shape);
    }

    // ------------------------------------------------------------ helpers

    /** The storage's backing array, of whatever primitive type its dtype uses. */
    private static Object array(Storage s) {
        return switch (s.dtype()) {
            case FLOAT32 -> s.floats();
            case FLOAT64 -> s.doubles();
            case INT64 -> s.longs();
            case BOOL -> s.bools();
            case FLOAT16, BFLOAT16 -> s.shorts();
            case INT8, UINT8 -> s.bytes();
            case INT32 -> s.ints();
        };
    }

    private static void copySlice(Tensor src, Tensor dst) {
        CopyKernels.copy(src.storage(), src.storageOffset(), src.strides(), dst.storage(), dst.storageOffset(), dst.strides(), src.shape());
    }

    /** The values of a 1-D (or 0-d) int64 index, each checked to lie in [0, size). */
    private static long[] checkedIndices(String op, Tensor index, int size, int dim) {
        if (index.dtype() != DType.INT64) throw new IllegalArgumentException(op + ": index must be INT64, was " + index.dtype());
        if (index.dim() > 1) throw new IllegalArgumentException(op + ": index must be 1-D, got shape " + Shape.format(index.shape()));
        long[] v = index.toLongArray();
        for (long i : v) {
            if (i < 0 || i >= size) {
                throw new IndexOutOfBoundsException(op + ": index " + i + " is out of range for " + (dim >= 0 ? "dim " + dim + " of size " : "size ") + size);
            }
        }
        return v;
    }

    /** Checks gather/scatter's index against x (and the shape-giving tensor) and returns the normalised dim. */
    private static int checkIndexLike(String op, Tensor x, int dim, Tensor index, Tensor shaped) {
        if (index.dtype() != DType.INT64) throw new IllegalArgumentException(op + ": index must be INT64, was " + index.dtype());
        int d = Shape.normalizeDim(op, dim, x.dim());
        int[] xs = x.shape(), is = index.shape(), ss = shaped.shape();
        if (is.length != xs.length || ss.length != xs.length) {
            throw new IllegalArgumentException(op + ": index " + Shape.format(is) + " must have the rank of the input " + Shape.format(xs));
        }
        for (int i = 0; i < xs.length; i++) {
            if ((i != d && is[i] > xs[i]) || is[i] > ss[i]) {
                throw new IllegalArgumentException(op + ": index shape " + Shape.format(is) + " is larger than " + Shape.format(i != d ? xs : ss)
                        + " at dim " + i);
            }
        }
        return d;
    }

    @FunctionalInterface
    private interface IndexVisitor {
        void visit(int indexFlat, int[] position, int target);
    }

    /** Visits every element of {@code index} in row-major order with its coordinates and checked value. */
    private static void walkIndex(Tensor index, int d, int size, String op, IndexVisitor v) {
        int[] shape = index.shape();
        int n = index.numel();
        int[] pos = new int[shape.length];
        Tensor idx = index.contiguous();
        long[] values = idx.storage().longs();
        int base = idx.storageOffset();
        for (int f = 0; f < n; f++) {
            long t = values[base + f];
            if (t < 0 || t >= size) {
                throw new IndexOutOfBoundsException(op + ": index " + t + " at position " + Arrays.toString(pos) + " is out of range for dim " + d
                        + " of size " + size);
            }
            v.visit(f, pos, (int) t);
            for (int k = shape.length - 1; k >= 0; k--) {
                if (++pos[k] < shape[k]) break;
                pos[k] = 0;
            }
        }
    }

    /** Storage offset of t at {@code pos}, with coordinate {@code d} replaced by {@code target} (d = -1: none). */
    private static int offsetOf(Tensor t, int[] pos, int d, int target) {
        int[] st = t.strides();
        int off = t.storageOffset();
        for (int i = 0; i < pos.length; i++) off += (i == d ? target : pos[i]) * st[i];
        return off;
    }
}
