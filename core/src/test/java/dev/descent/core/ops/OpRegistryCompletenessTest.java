package dev.descent.core.ops;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.Tensor;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** An op that exists on {@link Tensor} but not in the registry is visible: this test fails and names it. */
class OpRegistryCompletenessTest {

    /** Public methods of Tensor that are not ops: creation, inspection, autodiff plumbing, raw in-place writes. */
    static final Set<String> NOT_OPS = Set.of(
            // creation
            "wrap", "zeros", "empty", "ones", "full", "zerosLike", "onesLike", "fullLike", "of", "ofIndices", "scalar", "arange", "eye",
            "rand", "randn", "uniform", "scalarLike",
            // sampling (int64 draws from the caller's generator)
            "multinomial", "randint", "randperm",
            // inspection and values
            "dtype", "shape", "size", "dim", "numel", "strides", "stride", "storageOffset", "storage", "isContiguous", "item", "get",
            "getLong", "toFloatArray", "toDoubleArray", "toLongArray", "toBooleanArray", "contentEquals", "allClose", "toString", "name",
            // autodiff plumbing
            "requiresGrad", "isLeaf", "gradFn", "attachGradFn", "grad", "setGrad", "zeroGrad", "backward", "detach",
            "registerHook", "gradHooks", "retainGrad", "retainsGrad", "tangent", "attachTangent",
            // raw in-place writes (no graph)
            "copyFrom", "fill", "zero", "addInPlace", "mulInPlace", "set");

    @Test
    void everyTensorOpIsRegistered() {
        Set<String> covered = new HashSet<>();
        OpRegistry.all().forEach(op -> covered.addAll(op.methods()));
        Set<String> missing = new TreeSet<>();
        for (Method m : Tensor.class.getDeclaredMethods()) {
            if (!Modifier.isPublic(m.getModifiers()) || m.isSynthetic()) continue;
            if (!covered.contains(m.getName()) && !NOT_OPS.contains(m.getName())) missing.add(m.getName());
        }
        assertTrue(missing.isEmpty(), "Tensor ops with no registry entry (add them to OpRegistry, or to NOT_OPS if not an op): " + missing);
    }

    /** Every class of public static ops: Tensor's methods delegate to the first six and Activations; the rest are torch.nn.functional's counterparts. */
    static final java.util.List<Class<?>> OP_CLASSES = java.util.List.of(Elementwise.class, Reductions.class, Softmax.class, Views.class,
            LinearAlgebra.class, Indexing.class, Convolution.class, Pooling.class, Normalization.class, RandomMasking.class, Activations.class, Losses.class,
            Attention.class, Sorting.class, Linalg.class, Affine.class);

    @Test
    void everyFunctionalOpIsRegistered() {
        Set<String> covered = new HashSet<>();
        OpRegistry.all().forEach(op -> covered.addAll(op.methods()));
        Set<String> missing = new TreeSet<>();
        for (Class<?> k : OP_CLASSES) {
            for (Method m : k.getDeclaredMethods()) {
                if (!Modifier.isPublic(m.getModifiers()) || !Modifier.isStatic(m.getModifiers()) || m.isSynthetic()) continue;
                if (m.getReturnType() == Tensor.class && !covered.contains(m.getName())) missing.add(k.getSimpleName() + "." + m.getName());
            }
        }
        assertTrue(missing.isEmpty(), "ops with no registry entry: " + missing);
    }

    /** Families whose ops are called as Tensor methods (DEVELOPERS.md, "Where an op's entry point lives"). */
    static final java.util.List<Class<?>> TENSOR_METHOD_FAMILIES = java.util.List.of(Elementwise.class, Reductions.class, Softmax.class,
            Views.class, LinearAlgebra.class, Indexing.class, Activations.class, Sorting.class);

    /** Layer and loss computations: static functions only, like torch.nn.functional. */
    static final java.util.List<Class<?>> FUNCTIONAL_FAMILIES = java.util.List.of(Convolution.class, Pooling.class, Normalization.class,
            RandomMasking.class, Losses.class, Attention.class, Linalg.class, Affine.class);

    /** Statics of the Tensor-method families that are not entry points: implementations under another name, backward building blocks. */
    static final Set<String> NOT_ENTRY_POINTS = Set.of("cast", "compare", "copy", "positivePart", "sumToShape");

    @Test
    void everyElementwiseReductionViewOrIndexingOpIsATensorMethod() {
        Set<String> tensorMethods = new HashSet<>();
        for (Method m : Tensor.class.getDeclaredMethods()) if (Modifier.isPublic(m.getModifiers())) tensorMethods.add(m.getName());
        Set<String> missing = new TreeSet<>();
        for (Class<?> k : TENSOR_METHOD_FAMILIES) {
            for (Method m : k.getDeclaredMethods()) {
                if (!Modifier.isPublic(m.getModifiers()) || !Modifier.isStatic(m.getModifiers()) || m.getReturnType() != Tensor.class) continue;
                if (!tensorMethods.contains(m.getName()) && !NOT_ENTRY_POINTS.contains(m.getName())) missing.add(k.getSimpleName() + "." + m.getName());
            }
        }
        assertTrue(missing.isEmpty(), "ops with no Tensor method (add one, or move the op to a functional family): " + missing);
    }

    @Test
    void layerAndLossOpsAreNotTensorMethods() {
        Set<String> functional = new HashSet<>();
        for (Class<?> k : FUNCTIONAL_FAMILIES) {
            for (Method m : k.getDeclaredMethods()) {
                if (Modifier.isPublic(m.getModifiers()) && Modifier.isStatic(m.getModifiers()) && m.getReturnType() == Tensor.class) functional.add(m.getName());
            }
        }
        Set<String> both = new TreeSet<>();
        for (Method m : Tensor.class.getDeclaredMethods()) if (Modifier.isPublic(m.getModifiers()) && functional.contains(m.getName())) both.add(m.getName());
        assertTrue(both.isEmpty(), "layer or loss ops that are also Tensor methods (keep them static in their ops class): " + both);
    }

    @Test
    void registryNamesOnlyExistingMethods() {
        Set<String> methods = new HashSet<>();
        Arrays.stream(Tensor.class.getDeclaredMethods()).forEach(m -> methods.add(m.getName()));
        OP_CLASSES.forEach(k -> Arrays.stream(k.getDeclaredMethods()).forEach(m -> methods.add(m.getName())));
        Set<String> stale = new TreeSet<>();
        OpRegistry.all().forEach(op -> op.methods().stream().filter(n -> !methods.contains(n)).forEach(stale::add));
        NOT_OPS.stream().filter(n -> !methods.contains(n)).forEach(stale::add);
        assertTrue(stale.isEmpty(), "registry or NOT_OPS names methods Tensor does not have: " + stale);
    }
}
