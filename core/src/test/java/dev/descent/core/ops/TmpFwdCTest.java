package dev.descent.core.ops;

import dev.descent.core.DType;
import dev.descent.core.check.OpSweep;
import dev.descent.core.ops.OpRegistry.Case;
import dev.descent.core.ops.OpRegistry.OpInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TmpFwdCTest {
    @Test
    void linalg() {
        List<OpInfo> ops = new ArrayList<>();
        LinalgOps.addTo(ops);
        StringBuilder sb = new StringBuilder();
        for (OpInfo op : ops) {
            if (!op.differentiable()) continue;
            int fails = 0;
            String first = null;
            for (int s = 0; s < 40; s++) {
                Case c = op.gen().make(new SplittableRandom(s), DType.FLOAT64, true);
                try {
                    OpSweep.checkForwardMode(OpSweepTest.publicCase(op, c));
                } catch (Throwable t) {
                    fails++;
                    if (first == null) { java.io.StringWriter w = new java.io.StringWriter(); t.printStackTrace(new java.io.PrintWriter(w)); first = w.toString().lines().limit(8).reduce("", (a, b) -> a + "\n" + b); }
                }
            }
            sb.append(op.name()).append(": ").append(fails).append(" fails ").append(first == null ? "" : first).append('\n');
        }
        System.out.println("TMPFWDC\n" + sb);
    }
}
