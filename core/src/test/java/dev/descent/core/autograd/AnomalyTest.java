package dev.descent.core.autograd;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.Tensor;
import org.junit.jupiter.api.Test;

class AnomalyTest {

    @Test
    void namesTheFirstOpWithANonFiniteOutputAndItsInputShapes() throws Exception {
        Tensor x = Tensor.of(new double[] {1, -1, 2}).requiresGrad(true);
        try (var _ = Anomaly.detect()) {
            Anomaly.AnomalyException e = assertThrows(Anomaly.AnomalyException.class, () -> x.mul(2).log().sum());
            assertTrue(e.getMessage().contains("'log'") && e.getMessage().contains("NaN at element 1") && e.getMessage().contains("[[3]]"), e.getMessage());
        }
        assertFalse(Anomaly.isEnabled());
        assertTrue(Double.isNaN(x.mul(2).log().sum().item()), "without detection the NaN passes silently");
    }

    @Test
    void namesTheBackwardRuleThatMadeAGradientNonFinite() throws Exception {
        Tensor x = Tensor.of(new double[] {0, 4}).requiresGrad(true);
        Tensor y = x.sqrt().sum(); // finite forward; d√x/dx = 1/(2√x) is infinite at 0
        try (var _ = Anomaly.detect()) {
            Anomaly.AnomalyException e = assertThrows(Anomaly.AnomalyException.class, y::backward);
            assertTrue(e.getMessage().contains("backward of 'sqrt'") && e.getMessage().contains("Infinity"), e.getMessage());
        }
    }
}
