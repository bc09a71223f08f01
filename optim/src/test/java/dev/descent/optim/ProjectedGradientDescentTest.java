package dev.descent.optim;

import static dev.descent.optim.Steps.assertBitwise;
import static dev.descent.optim.Steps.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.descent.core.DType;
import dev.descent.core.Parameter;
import dev.descent.core.Tensor;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Projected gradient descent (docs/papers.md §3) against a float64 reference, and its convex sets. */
class ProjectedGradientDescentTest {

    static double[] ballProjection(double[] x, double[] c, double r) {
        double d = 0;
        for (int i = 0; i < x.length; i++) d += (x[i] - c[i]) * (x[i] - c[i]);
        d = Math.sqrt(d);
        double[] out = x.clone();
        if (d > r) for (int i = 0; i < x.length; i++) out[i] = c[i] + (x[i] - c[i]) * r / d;
        return out;
    }

    @Test
    void matchesReferenceOnABallAroundACentre() {
        SplittableRandom rng = new SplittableRandom(5);
        Quadratic q = Quadratic.random(rng, 7, 0.5, 4);
        double[] theta0 = Quadratic.gaussian(rng, 7, 0.1), centre = Quadratic.gaussian(rng, 7, 0.1);
        double lr = 0.2, wd = 0.05, r = 0.5;
        double[] th = theta0.clone();
        int projected = 0;
        for (int t = 0; t < 6; t++) {
            double[] g = q.grad(th);
            for (int i = 0; i < th.length; i++) th[i] -= lr * (g[i] + wd * th[i]);
            double[] p = ballProjection(th, centre, r);
            if (!java.util.Arrays.equals(p, th)) projected++;
            th = p;
        }
        assertTrue(projected > 0, "the reference never leaves the ball: the test would be vacuous");
        List<Tensor> centreTensors = List.copyOf(Quadratic.params(centre, DType.FLOAT64, Steps.SHAPES));
        for (DType dtype : List.of(DType.FLOAT64, DType.FLOAT32)) {
            double[] got = Steps.run(q, theta0, dtype, 6, ps -> new ProjectedGradientDescent(List.of(ParamGroup.of(ps).with("lr", lr)
                    .with("weight_decay", wd).with("set", Ball.around(centreTensors, r)))));
            assertClose(th, got, dtype == DType.FLOAT64 ? 1e-12 : 1e-5, "projected GD " + dtype);
        }
    }

    @Test
    void iteratesStayInTheBall() {
        qt().forAll(longs().all()).checkAssert(seed -> {
            SplittableRandom rng = new SplittableRandom(seed);
            int n = 7;
            Quadratic q = Quadratic.random(rng, n, 0.1, 10);
            double radius = Math.exp(rng.nextDouble(-3, 2));
            DType dtype = rng.nextBoolean() ? DType.FLOAT64 : DType.FLOAT32;
            List<Parameter> params = Quadratic.params(new double[n], dtype, Steps.SHAPES);
            var ball = Ball.origin(radius);
            var opt = new ProjectedGradientDescent(List.of(ParamGroup.of(params)), Math.exp(rng.nextDouble(-4, 0)), ball);
            for (int s = 0; s < 10; s++) {
                q.setGrads(params);
                opt.step();
                assertTrue(ball.contains(params, 0),
                        "‖θ‖ = " + ball.distance(params) + " > r = " + radius + " at step " + (s + 1));
            }
        });
    }

    @Test
    void ballProjectionIsTheNearestPointAndIdempotent() {
        qt().forAll(longs().all()).checkAssert(seed -> {
            SplittableRandom rng = new SplittableRandom(seed);
            double radius = Math.exp(rng.nextDouble(-2, 2));
            double[] c = Quadratic.gaussian(rng, 7, 1), x = Quadratic.gaussian(rng, 7, 3);
            List<Tensor> centre = List.copyOf(Quadratic.params(c, DType.FLOAT64, Steps.SHAPES));
            List<Parameter> point = Quadratic.params(x, DType.FLOAT64, Steps.SHAPES);
            Ball ball = Ball.around(centre, radius);
            try (var _ = dev.descent.core.autograd.GradMode.noGrad()) {
                ball.project(point);
                double[] p = Quadratic.flat(point);
                // Any other point y of the ball is no nearer to x than p is.
                double[] y = Quadratic.gaussian(rng, 7, 1);
                y = ballProjection(y, c, radius * rng.nextDouble());
                assertTrue(dist(x, p) <= dist(x, y) * (1 + 1e-12), "projection " + dist(x, p) + " farther than a ball point " + dist(x, y));
                ball.project(point);
                assertBitwise(p, Quadratic.flat(point), "projecting twice");
            }
        });
    }

    static double dist(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += (a[i] - b[i]) * (a[i] - b[i]);
        return Math.sqrt(s);
    }

    /** A half-space {x : x_0 ≤ 0}: proves the set is pluggable. */
    record HalfSpace() implements ConvexSet {
        @Override
        public void project(List<? extends Tensor> point) {
            Tensor first = point.get(0);
            if (first.toDoubleArray()[0] > 0) first.storage().setDouble(first.storageOffset(), 0);
        }

        @Override
        public boolean contains(List<? extends Tensor> point, double tolerance) {
            return point.get(0).toDoubleArray()[0] <= tolerance;
        }
    }

    @Test
    void anyConvexSetPlugsIn() {
        List<Parameter> params = Quadratic.params(new double[] {-1, 2, 3}, DType.FLOAT64, new int[] {3});
        var opt = new ProjectedGradientDescent(List.of(ParamGroup.of(params)), 1.0, new HalfSpace());
        params.get(0).setGrad(Tensor.of(new double[] {-5, 1, 1}));
        opt.step();
        assertClose(new double[] {0, 1, 2}, Quadratic.flat(params), 0, "half-space projection");
        var box = new ProjectedGradientDescent(List.of(ParamGroup.of(params)), 1.0, new Box(0.5, 1.5));
        params.get(0).setGrad(Tensor.of(new double[] {0, 0, 0}));
        box.step();
        assertClose(new double[] {0.5, 1, 1.5}, Quadratic.flat(params), 0, "box projection");
    }

    @Test
    void theSetIsRequired() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> new ProjectedGradientDescent(List.of(ParamGroup.of(new Parameter(Tensor.zeros(2))).with("lr", 0.1))));
        assertEquals("set is required (group 0 of ProjectedGradientDescent)", e.getMessage());
    }
}
