package dev.descent.core.autograd;

import dev.descent.core.Shape;
import dev.descent.core.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Reverse-mode autodiff: the graph walk behind {@link Tensor#backward()} and
 * {@link Autograd#grad}. It is the whole engine.
 *
 * <ol>
 *   <li>Sort the tensors that require a gradient and lead to the root in topological order, with an
 *       explicit stack (no recursion: a chain of a million ops does not overflow the Java stack).
 *   <li>Seed the root's gradient (1 for a scalar, or the caller's tensor) and visit tensors from the
 *       root towards the leaves. Each tensor's gradient is complete when it is visited, because
 *       every consumer of it comes earlier in the order. An interior tensor hands its gradient to its
 *       node's backward rule and adds what comes back to its inputs' gradients; a leaf adds its
 *       gradient into {@code .grad()} (or, for {@code grad()}, the gradient is returned instead).
 * </ol>
 *
 * <p>Assumptions, stated: every op has one output; backward rules return gradients of their inputs'
 * shapes (checked by {@link Node#backward}); tensors in a recorded graph are not modified in place
 * afterwards. The graph is kept after a walk: calling {@code backward()} twice adds the gradients
 * twice, like PyTorch with {@code retain_graph=True}. Rules run with grad mode on only when
 * {@code createGraph} is asked for, so that gradients of gradients are recorded. Tangents ({@link ForwardAD}) flow
 * through the rules either way: the gradient of a function of dual inputs carries its own tangent (H·v), so sums of
 * gradients are never taken in place when a tangent is involved.
 */
public final class Engine {
    private Engine() {}

    /**
     * Accumulates d(root)/d(leaf), seeded with {@code gradRoot}, into the {@code .grad()} of every leaf that
     * requires grad and that {@code root} depends on. The engine behind {@link Tensor#backward()}.
     *
     * @param root the tensor to differentiate (usually a loss)
     * @param gradRoot d(loss)/d(root), of root's shape (converted to its dtype), or null for a one-element
     *        root (seeded with 1)
     * @param createGraph run the rules with grad mode on, so that the accumulated gradients are themselves
     *        recorded
     * @throws IllegalStateException when root does not require grad, or a backward rule returns gradients of
     *         the wrong number, shape or dtype
     * @throws IllegalArgumentException when gradRoot is null for a root of several elements, or its shape
     *         differs from root's
     */
    public static void backward(Tensor root, Tensor gradRoot, boolean createGraph) {
        if (!root.requiresGrad()) {
            throw new IllegalStateException("backward(): this tensor does not require grad; no input of its graph called requiresGrad(true)"
                    + " (or it was computed in a no-grad scope)");
        }
        walk(root, seed(root, gradRoot), createGraph, null);
    }

    /**
     * d(output)/d(input) for each input, leaving every {@code .grad()} untouched; the engine behind
     * {@link Autograd#grad}.
     *
     * @param output the tensor to differentiate
     * @param inputs the tensors to differentiate with respect to (leaves or interior tensors), each requiring
     *        grad
     * @param gradOutput d(loss)/d(output), of output's shape, or null for a one-element output
     * @param createGraph run the rules with grad mode on, so that the returned gradients are recorded
     * @return one gradient per input, in order; zeros for an input the output does not depend on
     * @throws IllegalArgumentException when output or an input does not require grad, or gradOutput is
     *         missing or of the wrong shape
     */
    public static List<Tensor> grad(Tensor output, List<Tensor> inputs, Tensor gradOutput, boolean createGraph) {
        IdentityHashMap<Tensor, Tensor> wanted = new IdentityHashMap<>();
        for (int i = 0; i < inputs.size(); i++) {
            Tensor in = inputs.get(i);
            if (!in.requiresGrad()) throw new IllegalArgumentException("grad(): input " + i + " does not require grad");
            wanted.put(in, null);
        }
        if (!output.requiresGrad()) throw new IllegalArgumentException("grad(): the output does not require grad");
        walk(output, seed(output, gradOutput), createGraph, wanted);
        List<Tensor> out = new ArrayList<>(inputs.size());
        for (Tensor in : inputs) {
            Tensor g = wanted.get(in);
            out.add(g != null ? g : Tensor.zerosLike(in));
        }
        return out;
    }

    private static Tensor seed(Tensor root, Tensor grad) {
        if (grad == null) {
            if (root.numel() != 1) {
                throw new IllegalArgumentException("backward(): a gradient must be given for a non-scalar output of shape "
                        + Shape.format(root.shape()) + " (or reduce it to a scalar first, e.g. with sum())");
            }
            return Tensor.onesLike(root);
        }
        if (!Arrays.equals(grad.shape(), root.shape())) {
            throw new IllegalArgumentException("backward(): gradient shape " + Shape.format(grad.shape()) + " does not match output shape "
                    + Shape.format(root.shape()));
        }
        return grad.dtype() == root.dtype() ? grad : grad.to(root.dtype());
    }

    /** The walk; {@code wanted == null} means accumulate into leaves, else collect the wanted gradients. */
    private static void walk(Tensor root, Tensor seed, boolean createGraph, Map<Tensor, Tensor> wanted) {
        List<Tensor> order = topologicalOrder(root);
        IdentityHashMap<Tensor, Tensor> grads = new IdentityHashMap<>();
        IdentityHashMap<Tensor, Boolean> owned = new IdentityHashMap<>(); // sums we allocated: safe to add into in place
        grads.put(root, seed);
        try (var _ = GradMode.set(createGraph)) {
            for (Tensor t : order) {
                Tensor g = grads.remove(t);
                if (g == null) continue;
                boolean isOwned = owned.remove(g) != null;
                for (UnaryOperator<Tensor> hook : t.gradHooks()) {
                    Tensor replaced = hook.apply(g);
                    if (replaced == null || replaced == g) continue;
                    if (!Arrays.equals(replaced.shape(), t.shape())) {
                        throw new IllegalStateException("a gradient hook returned shape " + Shape.format(replaced.shape()) + " for a tensor of shape "
                                + Shape.format(t.shape()));
                    }
                    g = replaced.dtype() == t.dtype() ? replaced : replaced.to(t.dtype());
                    isOwned = false;
                }
                if (wanted != null && wanted.containsKey(t)) wanted.put(t, g);
                Node node = t.gradFn();
                if (node == null) {
                    if (wanted == null) accumulateIntoLeaf(t, g, createGraph, isOwned);
                    continue;
                }
                if (wanted == null && t.retainsGrad()) accumulateIntoLeaf(t, g, createGraph, false);
                Tensor[] inputGrads = node.backward(g);
                List<Tensor> inputs = node.inputs();
                for (int i = 0; i < inputGrads.length; i++) {
                    Tensor in = inputs.get(i), gi = inputGrads[i];
                    if (gi == null || in == null || !in.requiresGrad()) continue;
                    if (Anomaly.isEnabled()) Anomaly.checkBackward(node, i, gi);
                    Tensor prev = grads.get(in);
                    if (prev == null) {
                        grads.put(in, gi);
                    } else if (createGraph || prev.tangent() != null || gi.tangent() != null) {
                        grads.put(in, prev.add(gi)); // recorded, or carrying a tangent (forward-over-reverse): not in place
                    } else if (owned.containsKey(prev)) {
                        prev.addInPlace(gi);
                    } else {
                        Tensor sum = prev.add(gi);
                        owned.put(sum, Boolean.TRUE);
                        grads.put(in, sum);
                    }
                }
            }
        }
    }

    private static void accumulateIntoLeaf(Tensor leaf, Tensor g, boolean createGraph, boolean owned) {
        Tensor current = leaf.grad();
        if (current == null) {
            // A gradient handed down by a rule may alias another tensor (add passes one gradient to both
            // inputs): store a private copy unless we allocated it ourselves.
            leaf.setGrad(createGraph || owned ? g.contiguous() : g.clone());
        } else if (createGraph || current.requiresGrad() || current.tangent() != null || g.tangent() != null) {
            leaf.setGrad(current.add(g));
        } else {
            current.addInPlace(g);
        }
    }

    /** Tensors that require grad and lead to {@code root}, root first, each before all of its inputs. */
    static List<Tensor> topologicalOrder(Tensor root) {
        ArrayList<Tensor> postOrder = new ArrayList<>();
        IdentityHashMap<Tensor, Boolean> seen = new IdentityHashMap<>();
        ArrayList<Tensor> stack = new ArrayList<>();
        int[] next = new int[16]; // per stack entry: the index of the next input to visit
        stack.add(root);
        seen.put(root, Boolean.TRUE);
        while (!stack.isEmpty()) {
            int top = stack.size() - 1;
            Tensor t = stack.get(top);
            Node node = t.gradFn();
            List<Tensor> inputs = node == null ? List.of() : node.inputs();
            if (next[top] < inputs.size()) {
                Tensor in = inputs.get(next[top]++);
                if (in != null && in.requiresGrad() && seen.put(in, Boolean.TRUE) == null) {
                    if (stack.size() == next.length) next = Arrays.copyOf(next, next.length * 2);
                    next[stack.size()] = 0;
                    stack.add(in);
                }
            } else {
                stack.remove(top);
                postOrder.add(t);
            }
        }
        java.util.Collections.reverse(postOrder);
        return postOrder;
    }
}
