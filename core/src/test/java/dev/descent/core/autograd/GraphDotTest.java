package dev.descent.core.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.Parameter;
import dev.descent.core.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class GraphDotTest {

    @Test
    void showsOpsLeavesConstantsAndDataFlow() {
        Parameter w = new Parameter("layer.weight", Tensor.randn(new SplittableRandom(1), 3, 2));
        Tensor x = Tensor.ones(4, 3);
        Tensor loss = x.matmul(w).relu().mul(2).sum();
        String dot = GraphDot.of(loss);
        assertTrue(dot.startsWith("digraph"), dot);
        for (String s : new String[] {"matmul\\n[4,2] float32", "relu", "mul", "sum\\n[] float32", "layer.weight\\n[3,2] float32", "const 2", "const\\n[4,3]"}) {
            assertTrue(dot.contains(s), "missing " + s + " in\n" + dot);
        }
        // five tensors with a node (matmul, relu, mul, sum) plus the parameter, x and the constant 2: 7 nodes, 6 edges
        assertEquals(7, dot.lines().filter(l -> l.contains("label=")).count(), dot);
        assertEquals(6, dot.lines().filter(l -> l.contains("->")).count(), dot);
    }

    @Test
    void aSharedTensorAppearsOnce() {
        Tensor a = Tensor.of(2.0).requiresGrad(true);
        String dot = GraphDot.of(a.mul(a));
        assertEquals(2, dot.lines().filter(l -> l.contains("label=")).count(), dot);
        assertEquals(2, dot.lines().filter(l -> l.contains("->")).count(), "both inputs of mul are drawn as edges from the one leaf");
    }
}
