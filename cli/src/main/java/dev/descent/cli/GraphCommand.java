package dev.descent.cli;

import dev.descent.bench.ModelFactory;
import dev.descent.bench.report.Count;
import dev.descent.core.Tensor;
import dev.descent.core.autograd.GraphDot;
import dev.descent.core.ops.Losses;
import dev.descent.nn.Sequential;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code descent graph}: the autodiff graph of one training step as Graphviz DOT (and PNG/SVG when {@code dot} is installed). */
@Command(name = "graph", mixinStandardHelpOptions = true, description = "Write the autodiff graph of one training step (loss of a batch of 2) as Graphviz DOT.")
final class GraphCommand implements Callable<Integer> {
    @Option(names = "--model", description = "mlp, simplecnn (default), resnet32")
    String model = "simplecnn";
    @Option(names = "--input", split = ",", description = "input shape C,H,W (default: 1,28,28)")
    int[] input = {1, 28, 28};
    @Option(names = "--classes", description = "number of classes (default: ${DEFAULT-VALUE})")
    int classes = 10;
    @Option(names = "--out", required = true, description = "the .dot file to write; FILE.png and FILE.svg are rendered beside it when `dot` is installed")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (input.length != 3) throw new IllegalArgumentException("--input must be C,H,W, got " + Count.of(input.length, "number"));
        Sequential m = ModelFactory.create(model, input[0], input[1], input[2], classes, new SplittableRandom(0));
        m.namedParameters(); // gives every parameter its dotted name for the picture
        Tensor x = Tensor.randn(new SplittableRandom(1), 2, input[0], input[1], input[2]).name("images");
        Tensor y = Tensor.ofIndices(new int[] {0, 1}).name("labels");
        Tensor loss = Losses.crossEntropy(m.forward(x), y);
        String dot = GraphDot.of(loss);
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        Files.writeString(out, dot);
        System.out.println("wrote " + out + " (" + Count.of(dot.lines().filter(l -> l.contains("label=")).count(), "node") + ")");
        String base = out.toString().endsWith(".dot") ? out.toString().substring(0, out.toString().length() - 4) : out.toString();
        for (String fmt : new String[] {"svg", "png"}) {
            try {
                Process p = new ProcessBuilder("dot", "-T" + fmt, out.toString(), "-o", base + "." + fmt).redirectErrorStream(true).start();
                if (p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0) System.out.println("wrote " + base + "." + fmt);
            } catch (java.io.IOException noDot) {
                System.out.println("(install graphviz to render it: apt-get install graphviz; then dot -T" + fmt + " " + out + " -o " + base + "." + fmt + ")");
                break;
            }
        }
        return 0;
    }
}
