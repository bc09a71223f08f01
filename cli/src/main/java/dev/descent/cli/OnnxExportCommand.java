package dev.descent.cli;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import dev.descent.core.io.Safetensors;
import dev.descent.nn.Module;
import dev.descent.onnx.OnnxExport;
import dev.descent.onnx.OnnxFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code descent onnx export MODEL [--out FILE.onnx] [--opset N]}: a model file written by {@code descent train} (image or
 * text) as an ONNX file, through {@link OnnxExport}. The network is rebuilt from the file's metadata, as {@code descent eval}
 * and {@code descent generate} do, and exported in inference mode with a symbolic batch.
 */
@Command(name = "export", mixinStandardHelpOptions = true, description = {"Write a model trained by descent train as an ONNX file.",
    "Image models take the normalised images ((x - mean) / std per channel, printed here); text models take int64 token ids."})
final class OnnxExportCommand implements Callable<Integer> {
    @Parameters(paramLabel = "MODEL", description = "model.safetensors written by descent train, or its run folder")
    Path model;
    @Option(names = "--out", paramLabel = "FILE.onnx", description = "the file to write (default: model.onnx beside the model file)")
    Path out;
    @Option(names = "--opset", paramLabel = "N", description = "the ONNX opset, 17 to 21 (default: ${DEFAULT-VALUE})")
    long opset = OnnxExport.DEFAULT_OPSET;

    @Override
    public Integer call() throws IOException {
        Path file = Files.isDirectory(model) ? model.resolve("model.safetensors") : model;
        if (!Files.exists(file)) throw new IllegalArgumentException("no model at " + file);
        if (opset < OnnxExport.MIN_OPSET || opset > OnnxExport.MAX_OPSET) {
            throw new IllegalArgumentException("--opset must be in [" + OnnxExport.MIN_OPSET + ", " + OnnxExport.MAX_OPSET + "], was " + opset);
        }
        Path target = out != null ? out : file.toAbsolutePath().resolveSibling("model.onnx");
        Module net;
        Tensor example;
        String note;
        if (TextModelFile.isText(Safetensors.load(file).metadata())) {
            TextModelFile saved = TextModelFile.read(file);
            net = saved.build();
            example = Tensor.zeros(DType.INT64, 1, Math.min(saved.context(), 8));
            note = "int64 token ids of the run's vocabulary.json (" + saved.vocabulary() + " tokens), at most " + saved.context() + " per sequence";
        } else {
            ModelFile saved = ModelFile.read(file);
            net = saved.build();
            example = Tensor.zeros(1, saved.channels(), saved.height(), saved.width());
            note = "images normalised per channel as (x - mean) / std, mean " + list(saved.mean()) + ", std " + list(saved.std());
        }
        OnnxExport.write(net, example, target, opset);
        OnnxFile.Model written = OnnxFile.read(target);
        System.out.println("wrote " + target + " (opset " + opset + ", " + String.format(Locale.ROOT, "%,d", net.parameterCount()) + " parameters)");
        for (OnnxFile.ValueInfo v : written.graph().inputs()) {
            System.out.println("  input  " + v.name() + "  " + OnnxCommand.typeName(v.elemType()) + " " + OnnxCommand.shape(v) + ": " + note);
        }
        for (OnnxFile.ValueInfo v : written.graph().outputs()) {
            System.out.println("  output " + v.name() + "  " + OnnxCommand.typeName(v.elemType()) + " " + OnnxCommand.shape(v) + ": logits");
        }
        return 0;
    }

    private static String list(double[] v) {
        return Arrays.stream(v).mapToObj(d -> String.format(Locale.ROOT, "%.4g", d)).collect(Collectors.joining(","));
    }
}
