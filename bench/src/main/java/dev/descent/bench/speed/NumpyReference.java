package dev.descent.bench.speed;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** numpy (OpenBLAS) as the matmul reference of {@code descent bench matmul}, run by {@code python3} when it is there. */
final class NumpyReference {
    private NumpyReference() {}

    private static final String SCRIPT = """
            import sys, time
            import numpy as np
            samples = int(sys.argv[1])
            for n in map(int, sys.argv[2:]):
                rng = np.random.default_rng(n)
                a = rng.standard_normal((n, n), dtype=np.float32)
                b = rng.standard_normal((n, n), dtype=np.float32)
                for _ in range(3): a @ b
                t0 = time.perf_counter(); a @ b; once = max(time.perf_counter() - t0, 1e-9)
                reps = max(1, int(0.05 / once + 0.999))
                per = []
                for _ in range(samples):
                    t0 = time.perf_counter()
                    for _ in range(reps): a @ b
                    per.append((time.perf_counter() - t0) / reps)
                per.sort()
                f = 2.0 * n ** 3 / 1e9
                print(n, f / per[len(per) // 2], f / per[-1], f / per[0])
            """;

    /** numpy's GFLOP/s (median, min, max) per size at {@code threads} threads, keyed "n/threads"; empty when unavailable. */
    static Map<String, double[]> matmulGflops(int[] sizes, int threads, int samples) {
        Map<String, double[]> out = new HashMap<>();
        List<String> cmd = new ArrayList<>(List.of("python3", "-c", SCRIPT, Integer.toString(samples)));
        for (int n : sizes) cmd.add(Integer.toString(n));
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            for (String v : List.of("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")) pb.environment().put(v, Integer.toString(threads));
            ReferenceWidth.numpyKernel(pb.environment()); // for this command only
            Process p = pb.start();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length == 4 && f[0].matches("\\d+")) {
                        out.put(f[0] + "/" + threads, new double[] {Double.parseDouble(f[1]), Double.parseDouble(f[2]), Double.parseDouble(f[3])});
                    }
                }
            }
            if (!p.waitFor(10, TimeUnit.MINUTES)) p.destroyForcibly();
        } catch (IOException e) {
            return Map.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Map.of();
        }
        return out;
    }
    /**
     * numpy's GFLOP/s for one size at {@code threads} threads as a bench figure (median, slowest, fastest sample), in a
     * process of its own: a row's round, timed right after Descent's; null when numpy did not answer.
     */
    static SpeedBench.Value matmulGflops(int n, int threads, int samples) {
        double[] g = matmulGflops(new int[] {n}, threads, samples).get(n + "/" + threads);
        return g == null ? null : new SpeedBench.Value(g[0], g[1], g[2]);
    }

    /** {@return whether python3 can import numpy} */
    static boolean available() {
        try {
            Process p = new ProcessBuilder("python3", "-c", "import numpy").redirectErrorStream(true).start();
            p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
            if (!p.waitFor(1, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Which BLAS kernel numpy runs: threadpoolctl's report when it is importable, else OpenBLAS's own
     * {@code openblas_get_corename} and {@code openblas_get_config} through ctypes on the library numpy bundles or links,
     * else the BLAS section of {@code numpy.show_config()}.
     */
    static final String KERNEL_SCRIPT = """
            import glob, os, sys
            import numpy as np
            try:
                from threadpoolctl import threadpool_info
                rows = [i for i in threadpool_info() if i.get("user_api") == "blas"]
                if rows:
                    print("; ".join("%s %s, %s kernel, %s threads (threadpoolctl)" % (i.get("internal_api"), i.get("version"),
                          i.get("architecture"), i.get("num_threads")) for i in rows))
                    sys.exit(0)
            except ImportError:
                pass
            try:
                import ctypes
                base = os.path.dirname(np.__file__)
                libs = sorted(glob.glob(os.path.join(base, "..", "numpy.libs", "*openblas*"))) + \
                       sorted(glob.glob(os.path.join(base, ".libs", "*openblas*")))
                if not libs:
                    import numpy.core._multiarray_umath as mu
                    libs = [mu.__file__]
                for path in libs:
                    lib = ctypes.CDLL(path)
                    for prefix in ("openblas_", "scipy_openblas_", "openblas64_", "scipy_openblas64_"):
                        f = getattr(lib, prefix + "get_corename", None) or getattr(lib, prefix + "get_corename64_", None)
                        if f is None:
                            continue
                        f.restype = ctypes.c_char_p
                        g = getattr(lib, prefix + "get_config", None) or getattr(lib, prefix + "get_config64_", None)
                        config = ""
                        if g is not None:
                            g.restype = ctypes.c_char_p
                            config = ", " + g().decode()
                        print("OpenBLAS %s kernel%s (%s)" % (f().decode(), config, os.path.basename(path)))
                        sys.exit(0)
            except (OSError, ImportError, AttributeError):
                pass
            import io, contextlib
            buf = io.StringIO()
            with contextlib.redirect_stdout(buf):
                np.show_config()
            text = " ".join(buf.getvalue().split())
            i = text.find("blas")
            print("numpy.show_config(): " + (text[i:i + 300] if i >= 0 else text[:300]))
            """;

    /**
     * {@return which BLAS kernel numpy's matmul runs, as {@link #KERNEL_SCRIPT} reports it with the same environment as
     * {@link #matmulGflops}, or "unknown" when it cannot tell}
     */
    static String blasKernel() {
        try {
            ProcessBuilder pb = new ProcessBuilder("python3", "-c", KERNEL_SCRIPT).redirectErrorStream(true);
            ReferenceWidth.numpyKernel(pb.environment());
            Process p = pb.start();
            String text;
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                text = String.join(" ", r.lines().toList()).trim();
            }
            if (!p.waitFor(1, TimeUnit.MINUTES)) p.destroyForcibly();
            return text.isEmpty() ? "unknown" : text;
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    private static final String LINALG_SCRIPT = """
            import sys, time
            import numpy as np
            samples, n = int(sys.argv[1]), int(sys.argv[2])
            rng = np.random.default_rng(n)
            a = rng.standard_normal((n, n)) + n ** 0.5 * np.eye(n)
            spd = a @ a.T / n + np.eye(n)
            b = rng.standard_normal((n, 16))
            work = {
                "solve": lambda: np.linalg.solve(a, b), "inverse": lambda: np.linalg.inv(a), "det": lambda: np.linalg.det(a),
                "cholesky": lambda: np.linalg.cholesky(spd), "qr": lambda: np.linalg.qr(a), "eigh": lambda: np.linalg.eigh(spd),
                "svd": lambda: np.linalg.svd(a, full_matrices=False)}
            for name, f in work.items():
                for _ in range(2): f()
                per = []
                for _ in range(samples):
                    t0 = time.perf_counter(); f(); per.append(time.perf_counter() - t0)
                per.sort()
                print(name, per[len(per) // 2], per[0], per[-1])
            """;

    /**
     * numpy's float64 linear-algebra times at size n (seconds: median, min, max) per op name, at {@code threads} threads;
     * empty when python3 with numpy is unavailable.
     *
     * @param n       the matrix size
     * @param threads the BLAS/LAPACK threads
     * @param samples timed samples per op
     * @return op name to {median, min, max} seconds
     */
    static Map<String, double[]> linalgSeconds(int n, int threads, int samples) {
        Map<String, double[]> out = new HashMap<>();
        try {
            ProcessBuilder pb = new ProcessBuilder("python3", "-c", LINALG_SCRIPT, Integer.toString(samples), Integer.toString(n)).redirectErrorStream(true);
            for (String v : List.of("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")) pb.environment().put(v, Integer.toString(threads));
            ReferenceWidth.numpyKernel(pb.environment()); // as for matmul, for this command only
            Process p = pb.start();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length == 4 && f[0].matches("[a-z]+")) {
                        out.put(f[0], new double[] {Double.parseDouble(f[1]), Double.parseDouble(f[2]), Double.parseDouble(f[3])});
                    }
                }
            }
            if (!p.waitFor(10, TimeUnit.MINUTES)) p.destroyForcibly();
        } catch (IOException | NumberFormatException e) {
            return Map.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Map.of();
        }
        return out;
    }
}
