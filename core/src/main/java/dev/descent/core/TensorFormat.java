package dev.descent.core;

/** Renders a tensor as text, PyTorch-style: nested brackets, long dims elided with "...". */
final class TensorFormat {
    private TensorFormat() {}

    private static final int EDGE = 3;      // elements shown at each end of an elided dim
    private static final int FULL = 1000;   // tensors up to this many elements are printed whole

    static String format(Tensor t) {
        StringBuilder sb = new StringBuilder("tensor(");
        boolean elide = t.numel() > FULL;
        int[] shape = t.shape();
        int[] idx = new int[shape.length];
        appendDim(sb, t, shape, idx, 0, elide, 7);
        if (t.dtype() != DType.FLOAT32) sb.append(", dtype=").append(t.dtype().name().toLowerCase(java.util.Locale.ROOT));
        if (t.gradFn() != null) sb.append(", gradFn=").append(t.gradFn().op());
        else if (t.requiresGrad()) sb.append(", requiresGrad=true");
        return sb.append(')').toString();
    }

    private static void appendDim(StringBuilder sb, Tensor t, int[] shape, int[] idx, int d, boolean elide, int indent) {
        if (d == shape.length) {
            appendValue(sb, t, idx);
            return;
        }
        sb.append('[');
        int n = shape[d];
        for (int i = 0; i < n; i++) {
            if (elide && n > 2 * EDGE && i == EDGE) {
                sb.append("...");
                i = n - EDGE - 1;
                sb.append(d == shape.length - 1 ? ", " : ",\n" + " ".repeat(indent + d + 1));
                continue;
            }
            idx[d] = i;
            appendDim(sb, t, shape, idx, d + 1, elide, indent);
            if (i < n - 1) sb.append(d == shape.length - 1 ? ", " : ",\n" + " ".repeat(indent + d + 1));
        }
        sb.append(']');
    }

    private static void appendValue(StringBuilder sb, Tensor t, int[] idx) {
        switch (t.dtype()) {
            case INT64, INT32, INT8, UINT8 -> sb.append(t.getLong(idx));
            case BOOL -> sb.append(t.get(idx) != 0);
            default -> {
                double v = t.get(idx);
                sb.append(Double.isFinite(v) && v == Math.rint(v) && Math.abs(v) < 1e15 ? String.format(java.util.Locale.ROOT, "%.1f", v)
                        : String.format(java.util.Locale.ROOT, "%.4g", v));
            }
        }
    }
}
