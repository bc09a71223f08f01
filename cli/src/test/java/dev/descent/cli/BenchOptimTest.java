package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.bench.speed.Workloads;
import dev.descent.core.Parameter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code descent bench optim}: it times every optimizer train accepts, and one step of each runs. Timings are not asserted. */
class BenchOptimTest {

    @Test
    void theBenchmarkListIsEveryTrainOptimizerAndLbfgs() {
        List<String> expected = new ArrayList<>(OptimizerFactory.NAMES);
        expected.add("lbfgs");
        assertEquals(expected, BenchCommand.OPTIMIZERS, "a name --optimizer accepts is missing from bench optim, or one is extra");
    }

    @Test
    void oneStepOfEveryOptimizerMovesTheParametersToFiniteValues() {
        for (String name : BenchCommand.OPTIMIZERS) {
            Workloads.OptimizerStep step = Workloads.optimizerStep(m -> BenchCommand.optimizer(name, m));
            List<Parameter> params = step.optimizer().groups().stream().flatMap(g -> g.parameters().stream()).toList();
            List<float[]> before = params.stream().map(p -> p.contiguous().toFloatArray()).toList();
            step.run();
            boolean moved = false;
            for (int i = 0; i < params.size(); i++) {
                float[] now = params.get(i).contiguous().toFloatArray(), was = before.get(i);
                for (int j = 0; j < now.length; j++) {
                    assertTrue(Float.isFinite(now[j]), name + ": parameter " + i + "[" + j + "] = " + now[j] + " after one step");
                    moved |= now[j] != was[j];
                }
            }
            assertTrue(moved, name + ": one step with nonzero gradients left every parameter unchanged");
        }
    }

    @Test
    void theCommandPrintsARowPerOptimizerAndTheTrainingStep() {
        CommandRun r = CommandRun.of("bench", "optim", "--samples", "1", "--threads-list", "1", "--optimizers", "sgd,sam,lbfgs");
        assertEquals(0, r.code(), r.all());
        for (String row : List.of("| SimpleCNN training step | ms | 1 |", "| step sgd | ms | 1 |", "| step sam | ms | 1 |", "| step lbfgs | ms | 1 |")) {
            assertTrue(r.out().contains(row), "missing " + row + "\n" + r.out());
        }
        assertTrue(r.out().contains("closure returns a fixed loss"), r.out());
    }

    @Test
    void anUnknownNameIsRefused() {
        CommandRun r = CommandRun.of("bench", "optim", "--optimizers", "nosuch");
        assertTrue(r.code() != 0, r.all());
        assertTrue(r.all().contains("nosuch"), r.all());
    }
}
