package dev.descent.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Parameter;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.Autograd;
import dev.descent.core.autograd.ForwardAD;
import dev.descent.core.autograd.HookHandle;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Module forward pre-, forward and backward hooks through call(), checked against the same computation without hooks. */
class ModuleHooksTest {

    private static Sequential mlp() {
        SplittableRandom rng = new SplittableRandom(5);
        return new Sequential(new Linear(3, 4, rng), new Tanh(), new Linear(4, 2, rng));
    }

    private static Tensor input() {
        return Tensor.randn(DType.FLOAT32, new SplittableRandom(6), 5, 3);
    }

    @Test
    void forwardHooksSeeEveryLayersActivationAndCanReplaceIt() {
        Sequential net = mlp();
        Map<String, Tensor> seen = new LinkedHashMap<>();
        List<HookHandle> handles = new ArrayList<>();
        net.namedChildren().forEach((name, m) -> handles.add(m.registerForwardHook((mod, in, out) -> {
            seen.put(name, out);
            return null;
        })));
        Tensor x = input();
        Tensor y = net.call(x);
        assertEquals(List.of("0", "1", "2"), List.copyOf(seen.keySet()));
        Tensor first = net.namedChildren().get("0").forward(x);
        assertTrue(seen.get("0").allClose(first, 0, 0), "the first layer's output");
        assertTrue(seen.get("2").allClose(y, 0, 0));
        handles.forEach(HookHandle::remove);
        seen.clear();
        net.call(x);
        assertTrue(seen.isEmpty(), "removed");
        HookHandle zero = net.namedChildren().get("1").registerForwardHook((mod, in, out) -> out.mul(0));
        Tensor bias = net.namedChildren().get("2").namedParameters().get("bias");
        assertTrue(net.call(x).allClose(bias.unsqueeze(0).expand(5, 2), 0, 0), "with a zeroed hidden layer the output is the last bias");
        zero.remove();
    }

    @Test
    void aPreHookReplacesTheInput() {
        Sequential net = mlp();
        Tensor x = input();
        net.registerForwardPreHook((m, in) -> in.mul(2));
        assertTrue(net.call(x).allClose(net.forward(x.mul(2)), 0, 0));
        assertTrue(!net.call(x).allClose(net.forward(x), 1e-6, 1e-6), "call runs the hook, forward does not");
    }

    @Test
    void backwardHooksSeeTheGradientsAtTheModulesBoundary() {
        Sequential net = mlp();
        Module hidden = net.namedChildren().get("1");
        Tensor x = input().requiresGrad(true);
        // Without hooks: the gradients at the Tanh's input and output, by Autograd.grad on the pieces.
        Tensor a = net.namedChildren().get("0").call(x), b = hidden.forward(a), loss = net.namedChildren().get("2").call(b).square().sum();
        List<Tensor> expected = Autograd.grad(loss, List.of(a, b));
        Tensor[] got = new Tensor[2];
        hidden.registerBackwardHook((m, gin, gout) -> {
            got[0] = gin;
            got[1] = gout;
            return null;
        });
        net.call(x).square().sum().backward();
        assertTrue(got[0].allClose(expected.get(0), 1e-6, 1e-7), "grad input");
        assertTrue(got[1].allClose(expected.get(1), 1e-6, 1e-7), "grad output");
    }

    @Test
    void aBackwardHookCanScaleTheInputGradientAndPerLayerNormsComeFromParameterHooks() {
        Sequential plain = mlp(), hooked = mlp();
        Tensor x = input();
        plain.call(x).square().sum().backward();
        hooked.namedChildren().get("1").registerBackwardHook((m, gin, gout) -> gin.mul(3));
        Map<String, Double> norms = new LinkedHashMap<>();
        hooked.namedParameters().forEach((name, p) -> p.registerHook(g -> {
            norms.put(name, Math.sqrt(g.square().sum().item()));
            return null;
        }));
        hooked.call(x).square().sum().backward();
        Parameter w0 = hooked.namedParameters().get("0.weight"), w2 = hooked.namedParameters().get("2.weight");
        assertTrue(w0.grad().allClose(plain.namedParameters().get("0.weight").grad().mul(3), 1e-5, 1e-6), "below the hook: ×3");
        assertTrue(w2.grad().allClose(plain.namedParameters().get("2.weight").grad(), 0, 0), "above the hook: unchanged");
        assertEquals(4, norms.size());
        assertEquals(Math.sqrt(w2.grad().square().sum().item()), norms.get("2.weight"), 1e-6);
    }

    @Test
    void noHooksMeansForward() {
        Sequential net = mlp();
        Tensor x = input();
        assertTrue(net.call(x).allClose(net.forward(x), 0, 0));
        assertTrue(!net.call(x).gradFn().op().startsWith("backwardHook"), "no identity nodes without hooks");
    }

    @Test
    void backwardHooksPassTangentsThroughTheirIdentityNodes() {
        Sequential net = mlp();
        Tensor x = input().requiresGrad(true), v = Tensor.randn(DType.FLOAT32, new SplittableRandom(7), 5, 3);
        Tensor plain = ForwardAD.tangent(net.call(ForwardAD.dual(x, v)));
        int[] calls = {0};
        net.namedChildren().values().forEach(m -> m.registerBackwardHook((mod, gin, gout) -> {
            calls[0]++;
            return null;
        }));
        Tensor y = net.call(ForwardAD.dual(x, v));
        assertTrue(ForwardAD.tangent(y).allClose(plain, 0, 0), "the hooks' identity nodes pass the tangent through unchanged");
        y.sum().backward();
        assertEquals(3, calls[0], "and the backward hooks still run");
        // J·v of the first layer alone: v·Wᵀ
        Module first = net.namedChildren().get("0");
        Tensor w = first.namedParameters().get("weight");
        assertTrue(ForwardAD.tangent(first.call(ForwardAD.dual(x, v))).allClose(v.matmul(w.t()), 1e-6, 1e-6));
    }

    /** Composite layers call their children through call(), so hooks deep inside a GPT fire (every block's layer norms, MLP, attention projection). */
    @Test
    void hooksOnTheChildrenOfCompositeLayersFire() {
        GPT gpt = Models.gpt(11, 8, 2, 2, 8, new SplittableRandom(3));
        Map<String, Integer> calls = new LinkedHashMap<>();
        Map<String, Tensor> outputs = new LinkedHashMap<>();
        gpt.namedModules().forEach((name, m) -> {
            if (name.isEmpty()) return;
            m.registerForwardHook((mod, in, out) -> {
                calls.merge(name, 1, Integer::sum);
                outputs.put(name, out);
                return null;
            });
        });
        Tensor tokens = Tensor.ofIndices(new int[] {1, 2, 3, 4, 5, 6}, 2, 3);
        gpt.call(tokens);
        List<String> never = new ArrayList<>();
        gpt.namedModules().keySet().forEach(n -> {
            if (!n.isEmpty() && !calls.containsKey(n)) never.add(n);
        });
        assertTrue(never.isEmpty(), "modules whose forward hook never fired: " + never);
        // a replacing hook inside the model changes the model's output
        Tensor before = gpt.call(tokens);
        HookHandle h = gpt.namedModules().get("ln_f").registerForwardHook((mod, in, out) -> out.mul(0));
        Tensor after = gpt.call(tokens);
        h.remove();
        assertTrue(after.abs().sum().item() == 0 && before.abs().sum().item() > 0, "zeroing ln_f zeroes the tied-head logits");
    }
}
