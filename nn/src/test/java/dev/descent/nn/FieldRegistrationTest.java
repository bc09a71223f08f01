package dev.descent.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.Parameter;
import dev.descent.core.Tensor;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** A Module subclass that keeps its layers in plain fields has them registered, as PyTorch's attribute assignment does. */
class FieldRegistrationTest {

    /** What a PyTorch user writes first: layers in fields, nothing registered by hand. */
    static class TwoLayer extends Module {
        final Linear fc1;
        private final Linear fc2;
        final Parameter scale = new Parameter(Tensor.ones(1));
        Tensor notAParameter = Tensor.ones(2); // a plain tensor is not registered (PyTorch: neither)

        TwoLayer(SplittableRandom rng) {
            fc1 = new Linear(4, 8, rng);
            fc2 = new Linear(8, 3, rng);
        }

        @Override
        public Tensor forward(Tensor x) {
            return fc2.forward(fc1.forward(x).relu()).mul(scale);
        }
    }

    /** A subclass adds its own fields after its superclass's. */
    static final class Deeper extends TwoLayer {
        final ReLU act = new ReLU();
        final Linear head;

        Deeper(SplittableRandom rng) {
            super(rng);
            head = new Linear(3, 2, rng);
        }
    }

    /** Explicit registration and fields holding what was registered: nothing twice, explicit names kept. */
    static final class Mixed extends Module {
        final Linear first;
        final Linear second;
        final Linear unset = null;

        Mixed(SplittableRandom rng) {
            first = addModule("encoder", new Linear(2, 2, rng));
            second = new Linear(2, 2, rng);
        }

        @Override
        public Tensor forward(Tensor x) {
            return second.forward(first.forward(x));
        }
    }

    @Test
    void layersInPlainFieldsAreRegisteredByFieldNameInDeclarationOrder() {
        TwoLayer m = new TwoLayer(new SplittableRandom(1));
        // a module's own parameters come before its children's (PyTorch's named_parameters order too)
        assertEquals(List.of("scale", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"), List.copyOf(m.namedParameters().keySet()));
        assertEquals(4 * 8 + 8 + 8 * 3 + 3 + 1, m.parameterCount());
        assertEquals(List.of("fc1", "fc2"), List.copyOf(m.namedChildren().keySet()));
        assertSame(m.fc1.weight(), m.namedParameters().get("fc1.weight"));
        assertEquals(List.of("scale", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"), List.copyOf(m.stateDict().keySet()));
    }

    @Test
    void superclassFieldsComeFirst() {
        Deeper m = new Deeper(new SplittableRandom(1));
        assertEquals(List.of("", "fc1", "fc2", "act", "head"), List.copyOf(m.namedModules().keySet()));
        assertEquals(List.of("scale", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "head.weight", "head.bias"),
                List.copyOf(m.namedParameters().keySet()));
    }

    @Test
    void explicitRegistrationKeepsItsNameAndComesFirst() {
        Mixed m = new Mixed(new SplittableRandom(1));
        assertEquals(List.of("encoder.weight", "encoder.bias", "second.weight", "second.bias"), List.copyOf(m.namedParameters().keySet()));
    }

    @Test
    void evalReachesLayersInFieldsBeforeAnythingElseAskedForThem() {
        TwoLayer m = new TwoLayer(new SplittableRandom(1));
        m.eval();
        assertFalse(m.fc1.isTraining());
        m.train();
        assertTrue(m.fc2.isTraining());
    }

    @Test
    void saveAndLoadRoundTripAFieldModel(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws java.io.IOException {
        TwoLayer a = new TwoLayer(new SplittableRandom(1)), b = new TwoLayer(new SplittableRandom(2));
        a.save(dir.resolve("m.safetensors"));
        b.load(dir.resolve("m.safetensors"));
        Tensor x = Tensor.randn(new SplittableRandom(3), 5, 4);
        assertTrue(a.forward(x).contentEquals(b.forward(x)));
    }

    /** A field that later holds another layer than the one registered under its name: loud, not a silent stale registration. */
    static final class Swapped extends Module {
        Linear fc = new Linear(2, 2, new SplittableRandom(1));

        @Override
        public Tensor forward(Tensor x) {
            return fc.forward(x);
        }
    }

    @Test
    void aFieldThatChangedAfterRegistrationIsAnError() {
        Swapped m = new Swapped();
        m.parameters();
        m.fc = new Linear(2, 2, new SplittableRandom(2));
        var e = assertThrows(IllegalStateException.class, m::parameters);
        assertTrue(e.getMessage().contains("'fc'") && e.getMessage().contains("Swapped"), e.getMessage());
    }

    /** A back-reference to an enclosing module is not a child: the tree must stay a tree. */
    static final class Child extends Module {
        final Module parent;

        Child(Module parent) {
            this.parent = parent;
        }

        @Override
        public Tensor forward(Tensor x) {
            return x;
        }
    }

    static final class Parent extends Module {
        final Child child = new Child(this);

        @Override
        public Tensor forward(Tensor x) {
            return child.forward(x);
        }
    }

    @Test
    void aCycleThroughFieldsIsReportedNotFollowedForever() {
        var e = assertThrows(IllegalStateException.class, () -> new Parent().namedModules());
        assertTrue(e.getMessage().contains("child.parent"), e.getMessage());
    }
}
