package dev.descent.optim;

import dev.descent.core.io.Safetensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Optimizer state files: an optimizer's {@link Optimizer#stateDict()} as a safetensors file, tagged with
 * the optimizer's kind, written to a temporary file that is moved into place atomically (a crash never
 * leaves half a file), and read back with every size bounded before it is allocated and every key,
 * shape, dtype and value checked before anything changes.
 *
 * <pre>{@code
 * OptimizerState.save(opt, Path.of("optimizer.safetensors"));
 * ...
 * var resumed = new Adam(List.of(ParamGroup.of(model.parameters())));
 * OptimizerState.load(resumed, Path.of("optimizer.safetensors"));   // continues bit for bit
 * }</pre>
 *
 * <p>The metadata holds {@code descent.format = descent-optimizer-state-1} and
 * {@code descent.optimizer = } the optimizer's simple class name ({@code Adam}); the tensors are keyed
 * as {@link Optimizer} describes. Attached {@link LrScheduler}s are saved and restored with it.
 */
public final class OptimizerState {
    private OptimizerState() {}

    /** The format tag every state file carries. */
    static final String FORMAT = "descent-optimizer-state-1";

    /**
     * Writes {@code optimizer}'s {@link Optimizer#stateDict() state} to a safetensors file, atomically,
     * tagged with the optimizer's kind.
     *
     * @param optimizer the optimizer whose state to write
     * @param file where to write
     * @throws IOException when the file cannot be written
     */
    public static void save(Optimizer optimizer, Path file) throws IOException {
        Safetensors.save(optimizer.stateDict(), Map.of("descent.format", FORMAT, "descent.optimizer", kind(optimizer)), file);
    }

    /**
     * Reads a file written by {@link #save} and {@linkplain Optimizer#loadStateDict restores} it into
     * {@code optimizer}, which must be of the same kind over parameters of the same shapes and dtypes.
     * Nothing changes unless everything fits.
     *
     * @param optimizer the optimizer to restore
     * @param file the file to read
     * @throws IOException when the file cannot be read
     * @throws IllegalArgumentException when the file holds another optimizer's state, or does not match
     *     this optimizer's; the message names the file and the key
     * @throws dev.descent.core.io.FileFormatException when the file is not a valid safetensors file
     */
    public static void load(Optimizer optimizer, Path file) throws IOException {
        Safetensors.Contents c = Safetensors.load(file);
        String kind = c.metadata().get("descent.optimizer");
        if (!kind(optimizer).equals(kind)) {
            throw new IllegalArgumentException(file + " holds the state of " + (kind == null ? "no Descent optimizer" : kind) + ", not of "
                    + kind(optimizer));
        }
        try {
            optimizer.loadStateDict(c.tensors());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    private static String kind(Optimizer optimizer) {
        return optimizer.getClass().getSimpleName();
    }
}
