/**
 * Layers and models: stateful {@link dev.descent.nn.Module}s over the ops of {@code dev.descent.core.ops}.
 *
 * <p>A module owns named {@link dev.descent.core.Parameter}s (trained), buffers (saved but not trained,
 * such as batch norm's running statistics) and child modules, all in registration order, so that every
 * tensor has a deterministic dotted name ({@code "0.weight"}) as in PyTorch. Those names are the keys of
 * {@link dev.descent.nn.Module#stateDict()} and of model files ({@link dev.descent.nn.Module#save},
 * {@link dev.descent.nn.Module#load}: safetensors, checked before anything is copied). Modules start in
 * training mode; {@link dev.descent.nn.Module#eval()} switches dropout and batch norm to inference.
 *
 * <p>The layers: {@link dev.descent.nn.Linear}, {@link dev.descent.nn.Conv2d}, {@link dev.descent.nn.MaxPool2d},
 * {@link dev.descent.nn.AvgPool2d}, {@link dev.descent.nn.GlobalAvgPool2d}, {@link dev.descent.nn.BatchNorm1d},
 * {@link dev.descent.nn.BatchNorm2d}, {@link dev.descent.nn.LayerNorm}, {@link dev.descent.nn.Dropout},
 * {@link dev.descent.nn.Flatten}, the activations {@link dev.descent.nn.ReLU}, {@link dev.descent.nn.GELU},
 * {@link dev.descent.nn.Sigmoid}, {@link dev.descent.nn.Tanh}, and the containers
 * {@link dev.descent.nn.Sequential}, {@link dev.descent.nn.Residual} and {@link dev.descent.nn.BasicBlock}.
 * More convolution and normalisation: {@link dev.descent.nn.Conv1d}, {@link dev.descent.nn.ConvTranspose2d},
 * {@link dev.descent.nn.AdaptiveAvgPool2d}, {@link dev.descent.nn.GroupNorm}, {@link dev.descent.nn.RMSNorm}; the
 * activations {@link dev.descent.nn.SiLU}, {@link dev.descent.nn.LeakyReLU}, {@link dev.descent.nn.ELU},
 * {@link dev.descent.nn.Softplus}, {@link dev.descent.nn.Hardswish}, {@link dev.descent.nn.Hardsigmoid}. For sequences: {@link dev.descent.nn.Embedding}, {@link dev.descent.nn.LSTM},
 * {@link dev.descent.nn.GRU}, {@link dev.descent.nn.LSTMCell}, {@link dev.descent.nn.GRUCell},
 * {@link dev.descent.nn.MultiheadAttention}, {@link dev.descent.nn.TransformerEncoderLayer} and the GPT block
 * {@link dev.descent.nn.TransformerBlock}; layers with several inputs or outputs keep {@code forward(Tensor)} for
 * the common case beside a typed full call whose states and results are records ({@code LSTM.State},
 * {@code LSTM.Output}). {@link dev.descent.nn.Init} holds the weight initialisers (every random draw from a
 * generator the caller passes), and {@link dev.descent.nn.Models} the papers' reference models and two small
 * language models ({@link dev.descent.nn.GPT}, {@link dev.descent.nn.CharLSTM}). Losses are functions, in
 * {@link dev.descent.core.ops.Losses}; {@link dev.descent.nn.CrossEntropyLoss} is PyTorch's object form of one.
 * This package knows nothing of optimizers or data.
 *
 * <pre>{@code
 * var rng = new SplittableRandom(42);
 * Sequential model = new Sequential(new Linear(784, 128, rng), new ReLU(), new Linear(128, 10, rng));
 * Tensor logits = model.forward(x);                       // x: [N, 784]
 * model.save(Path.of("model.safetensors"));
 * }</pre>
 */
package dev.descent.nn;
