/**
 * Descent core: tensors with strided views and broadcasting, Vector API kernels, reverse-mode
 * autodiff, the op set, and the public gradient checker. No dependency beyond the JDK.
 */
module dev.descent.core {
    requires jdk.incubator.vector;

    exports dev.descent.core;
    exports dev.descent.core.autograd;
    exports dev.descent.core.ops;
    exports dev.descent.core.check;
    exports dev.descent.core.io;
    // the onnx module's inference shortcuts run their own float32 loops on the kernels' vector helpers
    exports dev.descent.core.kernel to dev.descent.onnx;
}
