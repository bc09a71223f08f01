package dev.descent.onnx;

import dev.descent.core.Shape;
import dev.descent.core.Tensor;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * 1-D Conv (input [N, C, L], weight [O, C/group, K]) as the 2-D Conv of height 1: the node is compiled as a 2-D one
 * whose attributes gain a leading spatial dimension of size 1 (kernel [1, K], strides [1, s], dilations [1, d], pads
 * [0, begin, 0, end]; auto_pad and group as they are), and the kernel reshapes its inputs to [N, C, 1, L] and
 * [O, C/group, 1, K] and its output back. Every attribute is checked by the 2-D compilation, so one it does not know
 * still fails at load; gradients flow as through the 2-D op.
 */
final class OnnxConv1d {
    private OnnxConv1d() {}

    /** Whether a Conv node is 1-D: its weight, when known at load, has rank 3, or its kernel_shape has one value. */
    static boolean applies(NodeContext c) {
        Tensor w = c.constant(1);
        if (w != null) return w.dim() == 3;
        OnnxFile.Attribute k = c.node.attributes().get("kernel_shape");
        return k != null && k.value() instanceof long[] v && v.length == 1;
    }

    static OnnxOps.Kernel conv(NodeContext c) throws OnnxException {
        Map<String, OnnxFile.Attribute> attrs = new LinkedHashMap<>();
        for (OnnxFile.Attribute a : c.node.attributes().values()) {
            long[] v = a.type() == OnnxFile.AttributeType.INTS ? (long[]) a.value() : null;
            OnnxFile.Attribute b = switch (a.name()) {
                case "kernel_shape", "strides", "dilations" -> {
                    if (v == null || v.length != 1) throw c.unsupported("attribute '" + a.name() + "' of a 1-D Conv should hold 1 value");
                    yield new OnnxFile.Attribute(a.name(), a.type(), new long[] {1, v[0]});
                }
                case "pads" -> {
                    if (v == null || v.length != 2) throw c.unsupported("attribute 'pads' of a 1-D Conv should hold 2 values");
                    yield new OnnxFile.Attribute(a.name(), a.type(), new long[] {0, v[0], 0, v[1]});
                }
                default -> a;
            };
            attrs.put(b.name(), b);
            c.ignore(a.name()); // checked by the 2-D compilation below
        }
        OnnxFile.Node n = c.node;
        OnnxFile.Node as2d = new OnnxFile.Node(n.name(), n.opType(), n.domain(), n.inputs(), n.outputs(), attrs);
        Map<String, Tensor> known = new HashMap<>(c.known());
        Tensor w = c.constant(1);
        if (w != null) known.put(n.inputs().get(1), w.reshape(w.size(0), w.size(1), 1, w.size(2)));
        OnnxOps.Kernel conv2d = OnnxOps.compile(c.with(as2d, known));
        return in -> {
            Tensor x = in[0], wt = in[1];
            if (x.dim() != 3 || wt.dim() != 3) {
                throw new IllegalArgumentException("Conv (1-D): input " + Shape.format(x.shape()) + " and weight " + Shape.format(wt.shape()) + " should be 3-D");
            }
            Tensor[] args = in.clone();
            args[0] = x.reshape(x.size(0), x.size(1), 1, x.size(2));
            args[1] = wt.reshape(wt.size(0), wt.size(1), 1, wt.size(2));
            Tensor y = conv2d.apply(args)[0];
            return new Tensor[] {y.reshape(y.size(0), y.size(1), y.size(3))};
        };
    }
}
