/**
 * ONNX import: {@link dev.descent.onnx.OnnxFile} reads a model file with a protobuf reader of Descent's own,
 * {@link dev.descent.onnx.OnnxModel} runs it as a {@link dev.descent.nn.Module} of Descent ops.
 */
package dev.descent.onnx;
