/**
 * Descent onnx: reads ONNX model files with a protobuf reader of its own (no dependency) and runs them as
 * {@link dev.descent.nn.Module}s made of Descent ops. Depends on core and nn only.
 */
module dev.descent.onnx {
    requires transitive dev.descent.core;
    requires transitive dev.descent.nn;
    requires jdk.incubator.vector;

    exports dev.descent.onnx;
    // Module reads its subclasses' fields by reflection (OnnxModel registers explicitly, but stays readable).
    opens dev.descent.onnx to dev.descent.nn;
}
