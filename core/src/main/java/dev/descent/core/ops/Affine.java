package dev.descent.core.ops;

import dev.descent.core.Shape;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.Autograd;

/**
 * The affine map of a fully connected layer, {@code x·weightᵀ + bias} (PyTorch's {@code torch.nn.functional.linear}):
 * a layer computation, so a static function only, not a Tensor method.
 */
public final class Affine {
    private Affine() {}

    /**
     * {@code x·weightᵀ + bias}, PyTorch's {@code torch.nn.functional.linear}: the product as {@code x.matmul(weight.t())}
     * (the same node and bits), then the bias added into the fresh product in place, recorded as an add of the
     * product and the bias. That is the composed {@code x.matmul(weight.t()).add(bias)} in value (each element is the
     * finished dot product plus the bias, one rounding each, as the separate add does), gradients and graph, without
     * the second [..., out] tensor. A bias of another dtype than the product takes the composed path (it promotes).
     *
     * @param x the input {@code [..., in]}, rank ≥ 1
     * @param weight the weight {@code [out, in]}
     * @param bias the bias {@code [out]}, or null for none
     * @return {@code [..., out]}
     * @throws IllegalArgumentException when weight is not 2-D, x's last dim is not weight's second, or bias is not
     *         {@code [out]}
     */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        if (weight.dim() != 2 || x.dim() == 0 || x.size(-1) != weight.size(1)) {
            throw new IllegalArgumentException("linear: input " + Shape.format(x.shape()) + " and weight " + Shape.format(weight.shape())
                    + " do not fit: the weight must be [out, in] with in the input's last dim");
        }
        if (bias != null && (bias.dim() != 1 || bias.size(0) != weight.size(0))) {
            throw new IllegalArgumentException("linear: bias " + Shape.format(bias.shape()) + " should be [" + weight.size(0) + "] for weight "
                    + Shape.format(weight.shape()));
        }
        if (HalfCompute.any(x, weight, bias)) { // compute in float32, round on store: one rounding, as every op on half inputs
            return HalfCompute.round(linear(HalfCompute.widen(x), HalfCompute.widen(weight), HalfCompute.widen(bias)), HalfCompute.storeAs(x, weight, bias));
        }
        Tensor y = x.matmul(weight.t());
        return bias == null ? y : addToFresh(y, bias);
    }

    /**
     * {@code y.add(b)} for a y that an op has just produced and nobody else reads (matmul's and mul's rules do not read
     * their output): b is added into y's storage in place by the add kernel, and the sum recorded as the same add node
     * on (y, b), so its values, gradients and tangents are the composed add's bit for bit. Takes the composed path when
     * the dtypes differ (promotion), y is not contiguous, or b does not broadcast to y's shape.
     */
    static Tensor addToFresh(Tensor y, Tensor b) {
        int[] ys = y.shape(), bs = b.shape();
        if (b.dtype() != y.dtype() || !y.isContiguous() || !Shape.broadcastsTo(bs, ys)) return y.add(b);
        Tensor out = y.detach(); // y's storage: the sum replaces the product there
        Elementwise.addInto(out, b);
        return Autograd.record("add", out, g -> new Tensor[] {
                y.requiresGrad() ? Views.sumToShape(g, ys) : null,
                b.requiresGrad() ? Views.sumToShape(g, bs) : null},
                t -> Tangents.sum(ys, t[0], t[1]), y, b);
    }
}
