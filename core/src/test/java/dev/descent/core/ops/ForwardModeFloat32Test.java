package dev.descent.core.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.Autograd;
import dev.descent.core.autograd.ForwardAD;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BinaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The op sweep checks forward mode in float64 only; here the same rules run on float32 dual tensors: every tangent
 * keeps the output's dtype (the constants and masks inside the rules must not promote it to float64) and equals the
 * float64 tangent to float32 accuracy.
 */
class ForwardModeFloat32Test {
    @Test
    void float32TangentsHaveTheOutputsDtypeAndMatchFloat64() {
        Tensor c64 = Tensor.of(new double[] {0.3, -1.2, 0.8, 1.5}), c32 = c64.to(DType.FLOAT32);
        Map<String, BinaryOperator<Tensor>> fs = new LinkedHashMap<>();
        fs.put("sub, div, pow", (x, c) -> x.sub(c).div(c.square().add(0.5)).add(x.square().add(0.5).pow(c)).add(c.square().add(0.5).pow(x)));
        fs.put("maximum, minimum", (x, c) -> x.maximum(c).add(x.minimum(c.neg())));
        fs.put("clamp", (x, c) -> x.clamp(-0.5, 0.7));
        fs.put("unary functions", (x, c) -> x.exp().add(x.square().add(1).sqrt()).add(x.abs().neg()).add(x.sigmoid()).add(x.tanh()).add(x.erf())
                .add(x.sin()).add(x.cos()).add(x.square().log1p()).add(x.expm1()).add(x.square().add(1).rsqrt()).add(c.add(x.square()).reciprocal()));
        fs.put("step functions", (x, c) -> x.sign().add(x.floor()).add(x.ceil()).add(x.round()).add(x));
        fs.put("where, maskedFill", (x, c) -> Tensor.where(x.gt(0), x, c).add(x.maskedFill(x.lt(0), 2)));
        fs.put("activations", (x, c) -> x.relu().add(x.gelu()).add(x.silu()).add(x.leakyRelu(0.1)).add(x.elu(0.5)).add(x.softplus(2, 1)));
        fs.put("reductions", (x, c) -> x.reshape(2, 2).max(new int[] {1}, false).add(x.reshape(2, 2).min(new int[] {0}, false))
                .add(x.reshape(2, 2).prod(new int[] {1}, false)).add(x.reshape(2, 2).norm(2, new int[] {1}, false)).add(x.reshape(2, 2).cumsum(0).sum(0)));
        fs.put("tril, softmax, sort", (x, c) -> x.reshape(2, 2).tril().add(x.reshape(2, 2).softmax(1)).add(x.reshape(2, 2).sort(1, false).values()).reshape(4));
        Tensor x64 = Tensor.randn(DType.FLOAT64, new SplittableRandom(32), 4), v64 = Tensor.randn(DType.FLOAT64, new SplittableRandom(33), 4);
        for (var e : fs.entrySet()) {
            ForwardAD.Result r64 = Autograd.jvp(x -> e.getValue().apply(x, c64), x64, v64);
            ForwardAD.Result r32 = Autograd.jvp(x -> e.getValue().apply(x, c32), x64.to(DType.FLOAT32), v64.to(DType.FLOAT32));
            assertEquals(DType.FLOAT32, r32.tangent().dtype(), e.getKey());
            assertTrue(r64.tangent().abs().sum().item() > 0, e.getKey() + ": a zero tangent tests nothing");
            assertTrue(r32.tangent().to(DType.FLOAT64).allClose(r64.tangent(), 1e-4, 1e-4), e.getKey() + ": float32 " + r32.tangent() + " vs float64 "
                    + r64.tangent());
        }
    }
}
