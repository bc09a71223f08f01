package dev.descent.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ModelsTest {

    @Test
    void simpleCnnHasThePapersParameterCount() {
        Sequential m = Models.simpleCnn(3, 32, 10, new SplittableRandom(1));
        assertEquals(545_098, m.parameterCount());
        assertArrayEquals(new int[] {2, 10}, m.forward(Tensor.randn(new SplittableRandom(2), 2, 3, 32, 32)).shape());
        String summary = m.summary(1, 3, 32, 32);
        assertTrue(summary.contains("545,098"), summary);
        assertTrue(summary.contains("0 (Conv2d)") && summary.contains("[1,32,32,32]") && summary.contains("[1,64,8,8]")
                && summary.contains("[1,4096]") && summary.contains("[1,10]"), summary);
        assertTrue(summary.contains("896") && summary.contains("18,496") && summary.contains("524,416") && summary.contains("1,290"), summary);
    }

    @Test
    void simpleCnnAdaptsToFashionMnist() {
        Sequential m = Models.simpleCnn(1, 28, 10, new SplittableRandom(1));
        assertEquals(1 * 32 * 9 + 32 + 32 * 64 * 9 + 64 + 64 * 7 * 7 * 128 + 128 + 128 * 10 + 10, m.parameterCount());
        assertArrayEquals(new int[] {3, 10}, m.forward(Tensor.randn(new SplittableRandom(2), 3, 1, 28, 28)).shape());
    }

    @Test
    void resnet32HasAbout460kParameters() {
        Sequential m = Models.resnet32(10, new SplittableRandom(1));
        // 461,232 conv weights (no biases) + 2,272 batch-norm weights and biases + 650 in the classifier
        assertEquals(464_154, m.parameterCount());
        long convs = m.namedModules().values().stream().filter(x -> x instanceof Conv2d).count();
        assertEquals(31, convs, "1 stem conv + 3 stages × 5 blocks × 2 convs");
        m.eval();
        assertArrayEquals(new int[] {2, 10}, m.forward(Tensor.randn(new SplittableRandom(2), 2, 3, 32, 32)).shape());
        String summary = m.summary(1, 3, 32, 32);
        assertTrue(summary.contains("[1,16,32,32]") && summary.contains("[1,32,16,16]") && summary.contains("[1,64,8,8]") && summary.contains("464,154"), summary);
    }
}
