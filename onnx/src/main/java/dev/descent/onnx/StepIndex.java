package dev.descent.onnx;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Who produces and who reads each value of a plan's steps: what every fusion pass asks before it merges steps. A
 * value that is a graph output, or that more than one input reads (one step reading it twice counts twice), must
 * stay: only a value with a single reader can vanish inside a fused step.
 */
final class StepIndex {
    private final Map<String, Integer> producer = new HashMap<>(), readers = new HashMap<>(), reader = new HashMap<>();
    private final Set<String> graphOutputs;

    /**
     * @param steps        the steps in run order
     * @param graphOutputs the graph's outputs
     */
    StepIndex(List<OnnxModel.Step> steps, Set<String> graphOutputs) {
        this.graphOutputs = graphOutputs;
        for (int k = 0; k < steps.size(); k++) {
            for (String o : steps.get(k).outputs()) if (!o.isEmpty()) producer.put(o, k);
            for (String in : steps.get(k).inputs()) {
                if (in.isEmpty()) continue;
                readers.merge(in, 1, Integer::sum);
                reader.put(in, k);
            }
        }
    }

    /** {@return the index of the step producing {@code value}, or null for a graph input, an initializer or ""} */
    Integer producer(String value) {
        return producer.get(value);
    }

    /** {@return whether {@code value} is read by exactly one input and is not a graph output} */
    boolean single(String value) {
        return !graphOutputs.contains(value) && readers.getOrDefault(value, 0) == 1;
    }

    /** {@return the index of the step that reads {@code value} when it is {@link #single}; else null} */
    Integer soleReader(String value) {
        return single(value) ? reader.get(value) : null;
    }

    /** {@return the index of the step producing {@code value} when it is {@link #single}; else null} */
    Integer soleProducer(String value) {
        return single(value) ? producer.get(value) : null;
    }

    /** {@return the steps of {@code out} a pass kept (non-null), in order: the plan after it fused some} */
    static List<OnnxModel.Step> kept(OnnxModel.Step[] out) {
        List<OnnxModel.Step> result = new ArrayList<>();
        for (OnnxModel.Step s : out) if (s != null) result.add(s);
        return result;
    }
}
