package dev.descent.spark;

import dev.descent.core.Tensor;
import dev.descent.core.Threads;
import dev.descent.data.DataLoader;
import dev.descent.data.ImageDataset;
import dev.descent.data.Mnist;
import dev.descent.data.SyntheticImages;
import dev.descent.nn.BatchNorm2d;
import dev.descent.nn.Conv2d;
import dev.descent.nn.Flatten;
import dev.descent.nn.Linear;
import dev.descent.nn.MaxPool2d;
import dev.descent.nn.Module;
import dev.descent.nn.ReLU;
import dev.descent.nn.Sequential;
import dev.descent.optim.Adam;
import dev.descent.train.Callback;
import dev.descent.train.Step;
import dev.descent.train.Trainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/** What the spark tests share: IDX data on disk, a small CNN with BatchNorm, the replica factory, a local Spark context. */
final class Fixtures {
    private Fixtures() {}

    /** 72 images in batches of 8: 9 batches an epoch, so with 2 workers the last group of an epoch is one batch (rank 1 idle). */
    static final int IMAGES = 72, BATCH = 8, WORKERS = 2, EPOCHS = 2;
    static final long MODEL_SEED = 11, LOADER_SEED = 5;

    /** Writes generated 28×28 images as MNIST's IDX files into {@code dir}. */
    static Path writeData(Path dir) throws IOException {
        ImageDataset train = SyntheticImages.generate(IMAGES, 3), test = SyntheticImages.generate(20, 4);
        Mnist.write(dir, train, test, false);
        return dir;
    }

    /** conv 3×3 (4 channels) → BatchNorm → ReLU → max pool 2 → linear to 10 classes. */
    static Sequential model() {
        SplittableRandom rng = new SplittableRandom(MODEL_SEED);
        return new Sequential(new Conv2d(1, 4, 3, 1, 1, rng), new BatchNorm2d(4), new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(4 * 14 * 14, 10, rng));
    }

    static DataLoader loader(Path data) throws IOException {
        return new DataLoader(Mnist.train(data), BATCH, LOADER_SEED);
    }

    /** Builds a replica from the data under a path: what every Spark task runs. Optionally fails once (see {@link FailOnce}). */
    record Replica(String dataDir, String faultMarker, long faultStep) implements ReplicaFactory {
        Replica(String dataDir) {
            this(dataDir, null, 0);
        }

        @Override
        public Trainer.Builder build(int rank) throws Exception {
            Sequential m = model();
            Trainer.Builder b = Trainer.builder(m, new Adam(m.parameters(), 0.01), loader(Path.of(dataDir))).epochs(EPOCHS);
            if (faultMarker != null) b.callbacks(new FailOnce(Path.of(faultMarker), faultStep));
            return b;
        }
    }

    /**
     * A test-only fault: rank 1 throws after step {@code step}, once per marker file (the file survives the retry, so the
     * retried stage runs through), as an executor lost mid-run would end the stage.
     */
    record FailOnce(Path marker, long step) implements Callback {
        @Override
        public void onStep(Trainer t, Step s) {
            org.apache.spark.BarrierTaskContext ctx = org.apache.spark.BarrierTaskContext.get();
            if (ctx.partitionId() == 1 && s.step() == step && !Files.exists(marker)) {
                try {
                    Files.writeString(marker, "failed at step " + step + "\n");
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                throw new IllegalStateException("injected fault: rank 1 fails after step " + step);
            }
        }
    }

    /** The single-process reference: one trainer accumulating {@code WORKERS} micro-batches per step, one thread. */
    static Sequential accumulationRun(Path data) throws Exception {
        return accumulationRun(data, WORKERS);
    }

    /** The single-process reference accumulating {@code p} micro-batches per step. */
    static Sequential accumulationRun(Path data, int p) throws Exception {
        try (var _ = Threads.limit(1)) {
            Sequential m = model();
            Trainer.builder(m, new Adam(m.parameters(), 0.01), loader(data)).epochs(EPOCHS).accumulate(p).build().fit();
            return m;
        }
    }

    static JavaSparkContext localContext() {
        return localContext(WORKERS);
    }

    static JavaSparkContext localContext(int slots) {
        SparkConf conf = new SparkConf().setMaster("local[" + slots + "]").setAppName("descent-spark-test")
                .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1")
                .set("spark.barrier.sync.timeout", "120s");
        return new JavaSparkContext(conf);
    }

    /** The tensors of a state dict as float bits (buffers as doubles' bits), by name. */
    static Map<String, long[]> bits(Map<String, Tensor> state) {
        Map<String, long[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : state.entrySet()) {
            double[] d = e.getValue().toDoubleArray();
            long[] b = new long[d.length];
            for (int i = 0; i < d.length; i++) b[i] = Double.doubleToRawLongBits(d[i]);
            out.put(e.getKey(), b);
        }
        return out;
    }

    static Map<String, Tensor> parameters(Module m) {
        return new LinkedHashMap<>(m.namedParameters());
    }
}
