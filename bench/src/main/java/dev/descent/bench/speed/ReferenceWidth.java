package dev.descent.bench.speed;

import dev.descent.core.kernel.Vectors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The instruction set the reference engines may use, matched to Descent's vector width. On an AVX-512 CPU the benches
 * are also run with {@code -XX:MaxVectorSize=32} to stand for an AVX2 machine (issue 19: "both widths"). Descent then
 * computes with 256-bit vectors, but PyTorch (MKL, oneDNN, ATen's kernels) and numpy's OpenBLAS would still pick their
 * AVX-512 kernels from the CPU's flags: the comparison would be one no AVX2 machine can make, Descent at half the
 * vector width of its reference. So when Descent's vectors are narrower than 512 bits on a CPU with AVX-512, each
 * reference is limited to AVX2 through its own documented switch — PyTorch: {@code ATEN_CPU_CAPABILITY=avx2},
 * {@code MKL_ENABLE_INSTRUCTIONS=AVX2}, {@code ONEDNN_MAX_CPU_ISA=AVX2}; numpy: {@code OPENBLAS_CORETYPE=Haswell} — for
 * the reference's process only. A variable the caller already set is kept; {@code -Ddescent.bench.matchWidth=false}
 * turns the matching off (the reference then runs its widest kernels, as before 2026-12-03). ONNX Runtime has no such
 * switch and always runs its widest kernels.
 */
public final class ReferenceWidth {
    private ReferenceWidth() {}

    /** Whether the references are limited to AVX2: Descent narrower than 512 bits on an AVX-512 CPU, matching not off. */
    public static boolean limited() {
        return Boolean.parseBoolean(System.getProperty("descent.bench.matchWidth", "true"))
                && Vectors.F.vectorBitSize() < 512 && cpuHasAvx512();
    }

    /** The variables that limit PyTorch (libtorch's ATen dispatch, MKL, oneDNN) to AVX2. */
    static Map<String, String> pytorchLimits() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("ATEN_CPU_CAPABILITY", "avx2");
        env.put("MKL_ENABLE_INSTRUCTIONS", "AVX2");
        env.put("ONEDNN_MAX_CPU_ISA", "AVX2");
        return env;
    }

    /** Adds {@link #pytorchLimits()} to a PyTorch side's environment when {@link #limited()}, keeping the caller's own values. */
    static void limitPyTorch(Map<String, String> env) {
        limitPyTorch(env, limited());
    }

    static void limitPyTorch(Map<String, String> env, boolean limited) {
        if (limited) pytorchLimits().forEach(env::putIfAbsent);
    }

    /**
     * Sets numpy's OpenBLAS kernel for one command: its AVX2 kernel ({@code Haswell}) when {@link #limited()}, otherwise
     * the kernels the CPU has. {@code OPENBLAS_CORETYPE} and {@code OPENBLAS_L2_SIZE} are removed first: some machines set
     * them for every program to force old kernels (newer CPUs once crashed older OpenBLAS builds).
     */
    static void numpyKernel(Map<String, String> env) {
        numpyKernel(env, limited());
    }

    static void numpyKernel(Map<String, String> env, boolean limited) {
        env.remove("OPENBLAS_L2_SIZE");
        env.remove("OPENBLAS_CORETYPE");
        if (limited) env.put("OPENBLAS_CORETYPE", "Haswell");
    }

    /** {@return a line for a bench's header saying which instruction set the references were allowed} */
    public static String describe() {
        if (limited()) {
            return "references limited to AVX2 to match Descent's " + Vectors.F.vectorBitSize() + "-bit vectors (PyTorch: "
                    + String.join(", ", pytorchLimits().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList())
                    + "; numpy: OPENBLAS_CORETYPE=Haswell; ONNX Runtime cannot be limited); -Ddescent.bench.matchWidth=false lifts it";
        }
        return "references run their widest kernels (Descent's vectors: " + Vectors.F.vectorBitSize() + " bits)";
    }

    /** {@return a line for a bench's header saying which of the two x86 widths this run measures, and how to get the other} */
    public static String widthNote() {
        return widthNote(System.getProperty("os.arch"), cpuHasAvx512(), Vectors.F.vectorBitSize());
    }

    /**
     * The width line for a CPU of architecture {@code arch} with or without AVX-512 whose kernels run {@code bits}-bit vectors:
     * issue 19 asks for the figures at both x86 widths where the CPU has them, and says so where it has only AVX2. Empty
     * on other architectures.
     */
    static String widthNote(String arch, boolean avx512, int bits) {
        if (!"amd64".equals(arch) && !"x86_64".equals(arch)) return "";
        if (!avx512) return "this CPU has no AVX-512: the 512-bit figures are not measured here (" + bits + "-bit vectors)";
        if (bits >= 512) return "AVX-512 CPU at 512 bits; for the AVX2 width run again with DESCENT_JAVA_OPTS=-XX:MaxVectorSize=32";
        return "AVX-512 CPU at the AVX2 width (" + bits + "-bit vectors); without -XX:MaxVectorSize=32 it runs 512 bits";
    }

    /** Whether the CPU reports AVX-512 Foundation (Linux's /proc/cpuinfo; false where it cannot tell). */
    static boolean cpuHasAvx512() {
        try {
            Path info = Path.of("/proc/cpuinfo");
            return Files.isReadable(info) && Files.readString(info).contains(" avx512f");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
