package dev.descent.core.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Matrix multiply C = A·B (or C += A·B) for strided A and B, BLIS-style for float32.
 *
 * <p>The micro-kernel keeps an {@link #MR}×{@link #NR} tile of C in vector registers and streams A and
 * packed B through FMAs. The tile is chosen once from the vector registers the JIT can allocate. With 32
 * (AVX-512 at any vector width, ARM) it is 6 rows × 4 vectors: 24 accumulators, which is what two FMA units of
 * 4-cycle latency need to stay busy with slack to spare, and only 10 loads per 24 FMAs. With 16 (AVX2) it is
 * 3 × 3: C2 schedules every load of an iteration ahead of the FMAs, so a tile needs accumulators + all of one
 * iteration's loads in registers, and 6 × 2 vectors (12 + 2 + 6) would spill an accumulator on every iteration.
 * On the AVX-512 machine of docs/benchmarks.md, 6×4 measured 1.3–2.5× the 3×3 tile at 512 bits and 1.1–2.2×
 * at 256 bits. 12×2 was 6–14% faster at 512 bits for n ≥ 512 but 3–11% slower on the narrow products of a
 * small model and at 256 bits; 8×2, 9×2, 10×2, 5×4 were no better; 14×2 and 7×4 (which spill) slower. So the tile
 * is chosen per product: at 512 bits, products wider than {@link #DIRECT_MAX_N} columns run 12 × 2 ({@link #WIDE}),
 * with B packed into micro-panels of two vectors; the rest 6 × 4.
 * A partial column panel of at most one or two vectors (an attention head's 16 or 32 columns) runs a
 * 6×1 or 6×2 kernel rather than doing four or two times the work in the 6×4 one.
 *
 * <p>Loops, outermost first: columns in blocks of at most {@link #NC}; depth in blocks of
 * {@link #KB}, whose B block is packed once into NR-wide micro-panels (every thread packing some of
 * them) and shared by all threads; rows in blocks of {@link #MC}; then, per NR-wide micro-panel of B, the
 * depth in steps of {@link #KC} and under it every MR-row micro-panel of the A block. Depth sits inside the column
 * micro-panel so that the sums it carries from one depth step to the next stay in L1/L2: with 32 registers in a scratch
 * block of running sums, C then loaded and stored once per depth block (see {@link #block}), else in C itself. Packed
 * micro-panels hold a whole depth block, so one panel's depth steps are contiguous and the hardware prefetcher can
 * follow them.
 *
 * <p>A is packed into MR-row micro-panels (per thread, per row block, kept in L2) unless it is row-major
 * and B is narrow ({@link #DIRECT_MAX_N} columns or fewer): then the kernel broadcasts A's elements from
 * its rows in place; or unless it is column-major (a transposed operand): then the packed kernels read its full
 * micro-panels in place with B as narrow, one column stride per depth step instead of MR, and with a wider B from a copy
 * of the block's columns laid end to end ({@link #copyColumns}). Packing A costs a pass over A per column block, which only pays off when it is reused
 * over many columns; for the narrow products of a small model (d_model 64: n = 64…256, k = 64…256)
 * it cost as much as the multiply. A ragged last micro-panel is then copied row-major, zero-padded to MR rows,
 * and runs the same in-place kernel.
 *
 * <p>Work is split across threads over rows (each thread its own A blocks, B packed once and shared)
 * or, when there are too few rows, over columns (each thread its own B, all of the small A). Either
 * way a C element is computed by one kernel over the same depth steps in the same order, starting at
 * fixed multiples of KC: results are bitwise identical whatever the thread count, tile and packing
 * (the tile and packing change which registers hold a sum, not the order of its terms). A transposed A over a long
 * depth with a small C (a weight gradient over many tokens) is summed as fixed depth slices instead
 * ({@link #depthParts}), each as above, added in order: a rule of the shape, not of the threads.
 *
 * <p>Packing reads A and B through arbitrary row and column strides, so transposed operands cost
 * nothing extra. The micro-kernels are flat methods: a helper that took or returned vectors and was
 * not inlined would make the JIT box every vector. C2's range-check elimination hoists a check out of a loop
 * when the index is a constant multiple of the loop counter plus a loop-invariant offset: B's loads are so
 * (p·NR), and so was A's until the packed kernels took A's depth stride as an argument ({@code as}, for Winograd's
 * weight gradient and for A transposed in place). Checked on the machine code (JDK 25, AVX-512, 2026-12-06;
 * -XX:+PrintAssembly with the fcml hsdis prints the bytes, objdump decodes them): kP6x4's loop is 4 loads, 6
 * broadcasts, 24 FMAs and 15 integer instructions, two of them compare-and-branch checks of A's index (p·as) against
 * its array's length, and no safepoint poll; a copy indexing A as p·MR had no check left in its loop, and the
 * constant stride measured no faster in the hot kernel (0.995–1.011, docs/benchmarks.md), so the checks stay. JFR
 * names {@code Objects.checkIndex} as the top frame of nearly every sample in these loops: their instructions carry
 * the debug information of the hoisted checks, so the frame says "in the kernel loop", not "in a bounds check".
 * Each tile shape is written out in full,
 * one method per shape: a loop over accumulators would need an array of vectors, which C2 does not keep in
 * registers.
 */
public final class Gemm {
    private Gemm() {}

    private static final VectorSpecies<Float> S = Vectors.F;
    private static final int L = S.length();
    /** Whether this is a 64-bit ARM JVM (32 vector registers at every width). */
    private static final boolean AARCH64 = "aarch64".equals(System.getProperty("os.arch"));
    /** Whether the JIT has 32 vector registers to give the micro-kernel (else 16): picks the tile. */
    static final boolean MANY_REGISTERS = vectorRegisters() >= 32;
    /**
     * Whether every CPU that runs this vector width on this architecture has 32 vector registers: 512-bit vectors on
     * x86-64 (AVX-512) and any width on 64-bit ARM. At 256 and 128 bits an x86-64 CPU may have 16 (AVX2) or 32
     * (AVX-512), so a kernel whose sums' order depends on the register count may choose by {@link #MANY_REGISTERS} only
     * where this holds: "the same width gives the same bits on AVX2 and AVX-512" (README, Bit for bit).
     */
    static final boolean REGISTERS_FIXED_BY_WIDTH = MANY_REGISTERS && (L >= 16 || AARCH64);
    /** Rows of the register tile. */
    public static final int MR = MANY_REGISTERS ? 6 : 3;
    /** Vectors per row of the register tile. */
    private static final int NRV = MANY_REGISTERS ? 4 : 3;
    /** Columns of the register tile. */
    public static final int NR = NRV * L;
    /**
     * Depth of one micro-kernel call: a KC×NR slice of a B micro-panel (24–64 KB; the 64 KB of 512 bits streams from L2,
     * at the kernel's speed: docs/benchmarks.md, 2026-12-06). It is also the length of
     * every accumulation chain (each restarted from zero every KC terms, the chains added to C in turn), so it sets the
     * rounding of every product deeper than it. KC = 1024 (one call per 1024-deep block, no sub-steps) was 3–7% faster
     * on 2026-12-06 ({@code tools/kernel-ab}, 512 bits, n = 512…2048, 1 and 2 threads; 1.5–3% at 256 bits) and doubled
     * the float32 error of deep products: Muon's Gram form, whose error is X·Xᵀ's rounding over 4096 terms, went from
     * 0.85e-4 / 2.9e-4 / 7.0e-4 to 2.0e-4 / 5.8e-4 / 1.5e-3 on its three hard inputs (MuonGramFormTest). Not taken.
     */
    public static final int KC = 256;
    /**
     * Depth of a packed block; a multiple of KC. Each C tile is loaded cold (from L3 or memory) once per block, at its
     * first depth step. At 2·KC that cold load was a fifth of the time of the
     * kernel calls making it (JFR at n = 2048: the closing half-kernel, which loads C, 21% slower than the opening one
     * with the same flops); 4·KC measured 5–10% faster at n = 1024 and 2048 (thread CPU time, interleaved runs under
     * load), 8·KC slower (the A block, MC×KB, crowds L2).
     */
    public static final int KB = 4 * KC;
    /** Rows of a packed A block (MC×KB floats, about 400 KB, stay in L2); a multiple of MR. */
    public static final int MC = (96 + MR - 1) / MR * MR;
    /**
     * Columns of a packed B block: KB×NC floats (4 MB) stay in L3. A multiple of NR. A block that fits L2 beside the A
     * block (NC = 512) was 5–10% slower at n = 2048: A is packed again for every column block.
     */
    public static final int NC = Math.max(NR, (1 << 20) / KB / NR * NR);
    /** Least work (flops) worth handing to another thread. */
    private static final long MIN_CHUNK_FLOPS = 2_000_000L;
    /** Least share of a B block (floats) worth packing on another thread. */
    private static final long MIN_PACK_CHUNK = 200_000L;
    /**
     * Widest B (columns) for which a row-major A is read in place rather than packed. Measured: in place was
     * 1.2–1.7× faster for n ≤ 256 (k = 16…256), packed 1.2× faster for 512×512×512.
     */
    static final int DIRECT_MAX_N = 256;

    /**
     * Whether products wider than {@link #DIRECT_MAX_N} columns run the {@link #WIDE_MR} × 2-vector tile instead of
     * 6 × 4: only when asked ({@code -Ddescent.gemm.wide=true}; core's build tests it forced at 256 bits). At 512 bits a
     * vector is a whole cache line and loads, not FMAs, bound the 6 × 4 tile: per depth step it loads 4 B vectors and
     * broadcasts 6 A values for 24 FMAs; 12 × 2 loads 2 and broadcasts 12. The micro-kernel alone, hot, over 16 A
     * micro-panels at depth 256: 6 × 4 168–177 GFLOP/s, 8 × 3 173–178, 12 × 2 197–207, 24 × 1 159–170 (FMA peak 241).
     * Whole products never showed that gain: within ±4% of 6 × 4 in the quiet bench of 2026-12-03 (n = 512…2048, 1 and
     * 2 threads), 0.93–0.95 forced on 2026-12-05, and 0.954 / 0.968 / 0.961 at n = 512 / 1024 / 2048 after its 12-row
     * packing was made 1.7× faster (2026-12-05, {@code kernel-ab}, 1 thread): its B micro-panels are half as wide, so
     * every A block is read from L2 twice as often. Until 2026-12-05 it ran wherever a 256-deep slice of its B micro-panel
     * fit two thirds of L1d (48 KB L1d: Zen 5, Ice Lake and later); on this project's Zen 5 VM only because sysfs hid the
     * cache sizes did 6 × 4 run. Narrower products keep 6 × 4 either way (12 × 2 was 3–11% slower there).
     */
    static final boolean WIDE = Boolean.getBoolean("descent.gemm.wide");
    /** Rows of the wide tile. */
    static final int WIDE_MR = 12;
    /** Columns of the wide tile: two vectors, the width of its packed B micro-panels. */
    static final int WIDE_NR = 2 * L;

    /**
     * A register tile and the packing that feeds it: {@code mr} rows × {@code nrv} vectors ({@code nr} columns, the
     * width of a packed B micro-panel).
     */
    private record Tile(int mr, int nrv, boolean wide) {
        int nr() {
            return nrv * L;
        }
    }

    private static final Tile STANDARD = new Tile(MR, NRV, false);
    private static final Tile WIDE_TILE = new Tile(WIDE_MR, 2, true);

    /** The tile for a product of n columns. */
    private static Tile tile(int n) {
        return WIDE && n > DIRECT_MAX_N ? WIDE_TILE : STANDARD;
    }

    /**
     * The vector registers C2 can allocate: 32 on AVX-512 CPUs (at every vector width: AVX-512VL gives the
     * 256-bit and 128-bit forms all 32) and on 64-bit ARM, 16 otherwise. An AVX-512 CPU run with
     * {@code -XX:MaxVectorSize=32} reports a 256-bit preferred shape, so Linux's CPU flags are asked too.
     * {@code -Ddescent.gemm.registers=16} forces the small tile (core's build tests it that way on any CPU).
     */
    private static int vectorRegisters() {
        String forced = System.getProperty("descent.gemm.registers");
        if ("16".equals(forced) || "32".equals(forced)) return Integer.parseInt(forced);
        if (AARCH64) return 32;
        if (VectorShape.preferredShape().vectorBitSize() >= 512) return 32;
        try {
            Path info = Path.of("/proc/cpuinfo");
            if (Files.isReadable(info) && Files.readString(info).contains(" avx512f")) return 32;
        } catch (IOException | RuntimeException e) {
            // unknown: assume the smaller register file (a slower tile, never a wrong one)
        }
        return 16;
    }

    /** Per-thread packing buffers and the scratch tile of partial tiles. */
    private static final class Scratch {
        float[] a = new float[0];
        float[] b = new float[0];
        final float[] tile = new float[Math.max(MR * NR, WIDE_MR * WIDE_NR)];
        /** The running sums of an MC-row block's full 6 × 4 tiles between depth steps (see {@link #block}). */
        final float[] part = new float[MC * NR];

        float[] a(int size) {
            if (a.length < size) a = new float[size];
            return a;
        }

        float[] b(int size) {
            if (b.length < size) b = new float[size];
            return b;
        }

        /** The block of B that {@link #b} holds a packed copy of, when {@link #packedB} packed it. */
        private Object packedFor;

        /** This thread's packed copy of {@code block} of B, packed by {@code pack} the first time it is asked for. */
        float[] packedB(Object block, int size, java.util.function.Consumer<float[]> pack) {
            if (packedFor != block) {
                packedFor = null;
                pack.accept(b(size));
                packedFor = block;
            }
            return b;
        }

        private float[][] parts = new float[0][];

        /** {@code count} buffers of at least {@code size} floats for the slices of a split product (see splitDepth). */
        float[][] parts(int count, int size) {
            if (parts.length < count) parts = java.util.Arrays.copyOf(parts, count);
            for (int i = 0; i < count; i++) if (parts[i] == null || parts[i].length < size) parts[i] = new float[size];
            return parts;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * C[i*ldc + j] (+)= Σ_p A[i,p]·B[p,j] with A[i,p] = a[ao + i*ars + p*acs], B[p,j] = b[bo + p*brs + j*bcs].
     * C rows are contiguous from {@code co} with leading dimension {@code ldc}.
     */
    public static void sgemm(int m, int n, int k,
                             float[] a, int ao, int ars, int acs,
                             float[] b, int bo, int brs, int bcs,
                             float[] c, int co, int ldc, boolean accumulate) {
        if (m == 0 || n == 0) return;
        if (k == 0 || !Vectors.ENABLED) {
            sgemmReference(m, n, k, a, ao, ars, acs, b, bo, brs, bcs, c, co, ldc, accumulate);
            return;
        }
        int parts = depthParts(m, n, k, ars, acs);
        if (parts > 1) splitDepth(parts, m, n, k, a, ao, ars, acs, b, bo, brs, bcs, c, co, ldc, accumulate);
        else blocked(m, n, k, a, ao, ars, acs, b, bo, brs, bcs, c, co, ldc, accumulate);
    }

    /** {@link #sgemm} for m, n, k ≥ 1 with vectors, undivided along k: blocks across threads by rows or by columns. */
    private static void blocked(int m, int n, int k,
                                float[] a, int ao, int ars, int acs,
                                float[] b, int bo, int brs, int bcs,
                                float[] c, int co, int ldc, boolean accumulate) {
        Vectors.count();
        Tile t = tile(n);
        int mr = t.mr(), nr = t.nr();
        int mPanels = (m + mr - 1) / mr, nPanels = (n + nr - 1) / nr;
        boolean direct = acs == 1 && n <= DIRECT_MAX_N;
        boolean transposedInPlace = !direct && n <= DIRECT_MAX_N && inPlaceTransposed(ars, acs);
        // A deep product with few columns and A read in place (a Gram matrix X·Xᵀ of a wide X): the rows path would
        // fork and join twice per depth block; split the columns evenly instead, one region, nothing packed twice.
        int threads = Parallel.threads();
        boolean columnsEvenly = direct && k > KB && threads > 1 && nPanels >= threads && nPanels % threads == 0;
        if (!columnsEvenly && (mPanels >= nPanels || mPanels >= 4 * threads)) {
            // Rows across threads. B is packed once per block, by all threads, into the caller's buffer.
            int step = columnStep(n, nr);
            float[] bp = SCRATCH.get().b(Math.min(KB, k) * step);
            for (int jc = 0; jc < n; jc += step) {
                final int nc = Math.min(step, n - jc), fjc = jc;
                final int panels = (nc + nr - 1) / nr;
                for (int kb = 0; kb < k; kb += KB) {
                    final int kbs = Math.min(KB, k - kb), fkb = kb;
                    int packGrain = (int) Math.max(1, MIN_PACK_CHUNK / ((long) nr * kbs));
                    int grain = (int) Math.max(1, MIN_CHUNK_FLOPS / (2L * mr * nc * kbs));
                    if (Parallel.chunkCount(panels, packGrain) <= 1 && Parallel.chunkCount(mPanels, grain) > 1) {
                        // A block of B small enough to pack on one thread: each thread packs its own copy with its first
                        // chunk, instead of the caller packing it alone before the others start and the other core then
                        // reading all of it out of the caller's cache. 2 threads against 1, same JVM (CPU boosted, load
                        // of other work ~5): 128³ 1.0× → 1.6×, 256³ 1.4× → 1.8×, 512³ 1.6× → 1.7×. A copy: same bits.
                        Object block = new Object();
                        Parallel.forRange(mPanels, grain, (from, to) -> {
                            float[] own = SCRATCH.get().packedB(block, kbs * step, q -> packB(t, b, bo, brs, bcs, fkb, kbs, fjc, nc, q, 0, panels));
                            block(t, from * mr, Math.min(m, to * mr), fjc, nc, fkb, kbs, a, ao, ars, acs, direct, transposedInPlace, own, c, co, ldc, accumulate);
                        });
                        continue;
                    }
                    Parallel.forRange(panels, packGrain, (from, to) -> packB(t, b, bo, brs, bcs, fkb, kbs, fjc, nc, bp, from, to));
                    Parallel.forRange(mPanels, grain, (from, to) ->
                            block(t, from * mr, Math.min(m, to * mr), fjc, nc, fkb, kbs, a, ao, ars, acs, direct, transposedInPlace, bp, c, co, ldc, accumulate));
                }
            }
        } else {
            // Few rows: columns across threads, each thread packing its own B and all of the (small) A.
            int grain = (int) Math.max(1, MIN_CHUNK_FLOPS / (2L * nr * m * k));
            Parallel.forRange(nPanels, grain, (from, to) -> {
                int j0 = from * nr, j1 = Math.min(n, to * nr);
                int step = columnStep(j1 - j0, nr);
                float[] bp = SCRATCH.get().b(Math.min(KB, k) * step);
                for (int jc = j0; jc < j1; jc += step) {
                    int nc = Math.min(step, j1 - jc);
                    for (int kb = 0; kb < k; kb += KB) {
                        int kbs = Math.min(KB, k - kb);
                        packB(t, b, bo, brs, bcs, kb, kbs, jc, nc, bp, 0, (nc + nr - 1) / nr);
                        block(t, 0, m, jc, nc, kb, kbs, a, ao, ars, acs, direct, transposedInPlace, bp, c, co, ldc, accumulate);
                    }
                }
            });
        }
    }

    /** Least depth of a product summed in slices (see {@link #depthParts}). */
    static final int SPLIT_DEPTH_MIN_K = 2048;
    /** Largest C (elements) of a product summed in depth slices. */
    static final int SPLIT_DEPTH_MAX_MN = 256 * 256;
    /** Most depth slices of one product. */
    static final int SPLIT_DEPTH_MAX_PARTS = 8;

    /**
     * Into how many consecutive depth slices a product is cut: ⌊k / 1024⌋, at most 8, for a transposed A (stored
     * column-major: {@code ars == 1}) over a depth of at least {@link #SPLIT_DEPTH_MIN_K} with a C of at most
     * {@link #SPLIT_DEPTH_MAX_MN} elements; else 1. That is a weight gradient Xᵀ·dY over a long batch (the GPT's
     * 64×64×2048 over its 2048 tokens): too few tiles of C to share between threads, and each thread would read all of X
     * and dY, half of them out of the other core's cache, where the ops before wrote them. A depth slice is a slice of
     * the batch, the rows that thread wrote: 2 threads went from 1.0× to 1.8× one on it. Fixed by the shape alone, not
     * by the thread count, so the bits do not depend on the threads.
     */
    static int depthParts(int m, int n, int k, int ars, int acs) {
        if (ars != 1 || acs == 1 || k < SPLIT_DEPTH_MIN_K || (long) m * n > SPLIT_DEPTH_MAX_MN) return 1;
        return Math.min(SPLIT_DEPTH_MAX_PARTS, k / (SPLIT_DEPTH_MIN_K / 2));
    }

    /** Where depth slice {@code p} of {@code parts} starts: the nearest multiple of KC to k·p/parts (k for p = parts). */
    static int sliceStart(int k, int p, int parts) {
        return p == parts ? k : (int) Math.round((double) k * p / parts / KC) * KC;
    }

    /**
     * C (+)= A·B as {@code parts} depth slices, each summed as an unsplit product over its depth (slice 0 into C with
     * {@code accumulate}, the others from zero into buffers), on as many threads as there are, then the other slices
     * added into C in order.
     */
    private static void splitDepth(int parts, int m, int n, int k,
                                   float[] a, int ao, int ars, int acs,
                                   float[] b, int bo, int brs, int bcs,
                                   float[] c, int co, int ldc, boolean accumulate) {
        float[][] partial = SCRATCH.get().parts(parts - 1, m * n);
        Parallel.forRange(parts, 1, (from, to) -> {
            for (int p = from; p < to; p++) {
                int k0 = sliceStart(k, p, parts), k1 = sliceStart(k, p + 1, parts);
                if (p == 0) blocked(m, n, k1, a, ao, ars, acs, b, bo, brs, bcs, c, co, ldc, accumulate);
                else blocked(m, n, k1 - k0, a, ao + k0 * acs, ars, acs, b, bo + k0 * brs, brs, bcs, partial[p - 1], 0, n, false);
            }
        });
        for (int i = 0; i < m; i++) {
            for (int p = 1; p < parts; p++) {
                BinaryKernels.rowF(BinaryKernels.Kind.ADD, c, co + i * ldc, 1, partial[p - 1], i * n, 1, c, co + i * ldc, n, true);
            }
        }
    }

    /**
     * Width of the column blocks of n columns: at most NC, a multiple of the micro-panel width nr, and as even as that
     * allows (n = 2048 as 2040 + 8 would pack all of A again for 8 columns).
     */
    private static int columnStep(int n, int nr) {
        int blocks = (n + NC - 1) / NC;
        return ((n + blocks - 1) / blocks + nr - 1) / nr * nr;
    }

    /**
     * C[i0:i1, jc:jc+nc] (+)= A[i0:i1, kb:kb+kbs]·B[kb:kb+kbs, jc:jc+nc] on the calling thread, with that
     * B block already packed in {@code bp}.
     */
    private static void block(Tile t, int i0, int i1, int jc, int nc, int kb, int kbs,
                              float[] a, int ao, int ars, int acs, boolean direct, boolean transposedInPlace, float[] bp,
                              float[] c, int co, int ldc, boolean accumulate) {
        Scratch s = SCRATCH.get();
        int tmr = t.mr(), tnr = t.nr();
        float[] ap = s.a(Math.min(MC, (i1 - i0 + tmr - 1) / tmr * tmr) * kbs);
        float[] tile = s.tile;
        float[] part = s.part;
        boolean carry = MANY_REGISTERS && !t.wide();
        // A transposed and not read in place (B wider than DIRECT_MAX_N): each block's columns copied one after another
        // (see copyColumns), which the packed kernels read as they read A in place, a column of the copy (mcPad floats)
        // a depth step.
        boolean columns = !direct && !transposedInPlace && inPlaceTransposed(ars, acs);
        for (int ic = i0; ic < i1; ic += MC) {
            int mc = Math.min(MC, i1 - ic);
            // Read in place, a ragged last micro-panel is copied row-major (zero-padded to MR rows) into ap, so
            // that it runs the same in-place kernel: one kernel to compile and warm up rather than two.
            // A transposed (column-major: ars = 1) is read in place too, its full micro-panels: the MR values of one depth
            // step are consecutive floats, as in a packed panel, one column stride (acs) apart instead of MR; the ragged
            // last panel is packed.
            int packed = direct || transposedInPlace ? mc / tmr * tmr : 0;
            int mcPad = (mc + tmr - 1) / tmr * tmr;
            if (columns) {
                copyColumns(a, ao, acs, ic, mc, mcPad, kb, kbs, ap);
                packed = mcPad;
            } else if (direct) {
                if (packed < mc) copyRows(a, ao, ars, ic + packed, mc - packed, kb, kbs, ap);
            } else if (packed < mc) {
                packA(tmr, a, ao, ars, acs, ic + packed, mc - packed, kb, kbs, ap);
            }
            for (int jr = 0; jr < nc; jr += tnr) {
                int nr = Math.min(tnr, nc - jr);
                for (int pc = 0; pc < kbs; pc += KC) {
                    int kc = Math.min(KC, kbs - pc);
                    boolean first = kb + pc == 0 && !accumulate, lastStep = pc + kc == kbs;
                    int bpo = jr * kbs + pc * tnr;
                    for (int ir = 0; ir < mc; ir += tmr) {
                        int mr = Math.min(tmr, mc - ir);
                        // The packed kernels' A: a packed panel (stride MR), or A transposed in place (stride acs).
                        boolean inPlace = transposedInPlace && ir < packed;
                        float[] pa = inPlace ? a : ap;
                        int apo = inPlace ? ao + ic + ir + (kb + pc) * acs : columns ? ir + pc * mcPad : (ir - packed) * kbs + pc * tmr;
                        int as = inPlace ? acs : columns ? mcPad : tmr;
                        int cOff = co + (ic + ir) * ldc + jc + jr;
                        // In place: A's rows, or the copied ragged rows.
                        boolean copied = ir >= packed;
                        float[] ad = copied ? ap : a;
                        int aOff = copied ? (ir - packed) * kbs + pc : ao + (ic + ir) * ars + kb + pc, aRows = copied ? kbs : ars;
                        boolean full = mr == tmr && nr == tnr;
                        if (full && carry) {
                            // A full 6 × 4 tile: its step's chain onto the running sums in `part` (onto C, or stored, at the
                            // block's first step), which go to C at its last: C is loaded and stored once per depth block
                            // (its rows a page apart at n = 2048; `part` is one contiguous MC × NR block). The same chains,
                            // added in the same order, as adding each step's chain to C. kernel-ab against adding to C at
                            // every step (2026-12-06, 1 thread unless said): 1.023 at n = 2048, 1.010 at 512, 0.997 at 1024,
                            // 1.036 at 2048 on 2 threads.
                            float[] src = pc == 0 ? c : part, dst = lastStep ? c : part;
                            int so = pc == 0 ? cOff : ir * tnr, sld = pc == 0 ? ldc : tnr;
                            int dOff = lastStep ? cOff : ir * tnr, dld = lastStep ? ldc : tnr;
                            if (direct) kD6x4(kc, ad, aOff, aRows, bp, bpo, src, so, sld, pc > 0 || !first, dst, dOff, dld);
                            else kP6x4(kc, pa, apo, as, bp, bpo, src, so, sld, pc > 0 || !first, dst, dOff, dld);
                            continue;
                        }
                        if (full) {
                            if (direct) kernelD(kc, ad, aOff, aRows, bp, bpo, c, cOff, ldc, first);
                            else kernelP(t, kc, pa, apo, as, bp, bpo, c, cOff, ldc, first);
                            continue;
                        }
                        // A partial tile: the same sums, in the same order, over as few vectors as cover its columns;
                        // through a scratch tile unless it fills those vectors exactly.
                        boolean exact = mr == tmr && nr == narrowVectors(t, nr) * L;
                        float[] dst = exact ? c : tile;
                        int dOff = exact ? cOff : 0, dld = exact ? ldc : tnr;
                        boolean dFirst = first || !exact;
                        if (direct) narrowD(nr, kc, ad, aOff, aRows, bp, bpo, dst, dOff, dld, dFirst);
                        else narrowP(t, nr, kc, pa, apo, as, bp, bpo, dst, dOff, dld, dFirst);
                        if (!exact) storeTile(tile, tnr, mr, nr, c, cOff, ldc, first);
                    }
                }
            }
        }
    }

    /**
     * C[0:mr, 0:nr] = tile (first) or C + tile, the scratch tile's rows {@code tnr} floats apart: a vector of columns at a
     * time and the last under a mask: the same one float addition per element as the scalar loop it replaces. A product
     * whose last column panel is partial runs through here on every row tile: the GPT's vocabulary product 2048×113×64
     * (a 49-column panel), 1 thread at 512 bits, measured 112–126 GFLOP/s of CPU time with the scalar loop and 121–149
     * with this (load 7–8, alternating runs).
     */
    private static void storeTile(float[] tile, int tnr, int mr, int nr, float[] c, int cOff, int ldc, boolean first) {
        for (int i = 0; i < mr; i++) {
            int ci = cOff + i * ldc, ti = i * tnr, j = 0;
            for (; j <= nr - L; j += L) {
                FloatVector v = FloatVector.fromArray(S, tile, ti + j);
                if (!first) v = v.add(FloatVector.fromArray(S, c, ci + j));
                v.intoArray(c, ci + j);
            }
            if (j < nr) {
                VectorMask<Float> in = S.indexInRange(j, nr);
                FloatVector v = FloatVector.fromArray(S, tile, ti + j, in);
                if (!first) v = v.add(FloatVector.fromArray(S, c, ci + j, in));
                v.intoArray(c, ci + j, in);
            }
        }
    }

    /**
     * Vectors per row that the kernel for an nr-column partial tile computes: with 32 registers one or two when
     * they cover nr (n = 16 or 32, an attention head's width, would otherwise do 4 or 2 times the work),
     * else all of the tile's.
     */
    private static int narrowVectors(Tile t, int nr) {
        if ((MANY_REGISTERS || t.wide()) && nr <= L) return 1;
        if ((MANY_REGISTERS || t.wide()) && nr <= 2 * L) return 2;
        return t.nrv();
    }

    /**
     * Whether the packed kernels can read a transposed A (A[i,p] = a[ao + i + p·acs]: Xᵀ in a weight gradient Xᵀ·dY) in
     * place rather than from a packed copy: its MR values of a depth step are consecutive, as in a packed panel. With 32
     * registers (the 3 × 3 tile's kernel keeps its packed-panel stride). Taken, like the row-major in-place path, for B of
     * at most {@link #DIRECT_MAX_N} columns, over which an A panel is reused too few times to pay for packing it. The GPT's
     * weight gradients (m = 64…256, n = 64…256, k = 2048 tokens) packed their A with a six-float gather per depth step:
     * 1 thread, 512 bits, CPU time under load: 64×64×2048 70–73 → 117–120 GFLOP/s, 256×64×2048 64–65 → 124–136,
     * 64×256×2048 105–107 → 118–131, 64×113×2048 73–81 → 92–105. Wider B lost (1024³ transposed 136–138 → 77–85: one page
     * per depth step, read again for every column panel), so it stays packed.
     */
    private static boolean inPlaceTransposed(int ars, int acs) {
        return MANY_REGISTERS && ars == 1 && acs != 1;
    }

    /**
     * Copies rows [row, row+mc) × depth [kb, kb+kbs) of a column-major A (A[i,p] = a[ao + i + p·acs]) column after
     * column into dst: depth step p at p·mcPad, its rows zero-padded to mcPad (whole micro-panels). Micro-panel i of
     * the block is then depth step p's MR values at i·MR + p·mcPad: what the packed kernels read from A in place, with a
     * column stride of mcPad floats rather than a column of A (a page or more apart). Packing such an A into micro-panels
     * instead took six values of each column at a time, one masked load and store a depth step, walking a panel's
     * columns a page apart: 12 ms of a 2048³ product Aᵀ·B that took 97 ms on 1 thread at 512 bits (packing a row-major A:
     * 2.4 ms); this copy takes 3.4 ms. Whole products Aᵀ·B (M × N × K), copied over packed, 1 thread
     * ({@code tools/kernel-ab HEAD matmul-at M N K}): 512 bits 1.058 at 2048³, 1.112 at 1024 × 512 × 1024, 1.067 at
     * 784 × 512 × 128 (an MLP's weight gradient over a batch of 128), 1.029 at 512 × 1024 × 128; 256 bits 1.033, 1.083,
     * 1.018, 1.000. Only the values' places change: the bits of C do not.
     */
    private static void copyColumns(float[] a, int ao, int acs, int row, int mc, int mcPad, int kb, int kbs, float[] dst) {
        for (int p = 0; p < kbs; p++) {
            int d = p * mcPad;
            System.arraycopy(a, ao + row + (kb + p) * acs, dst, d, mc);
            for (int r = mc; r < mcPad; r++) dst[d + r] = 0f;
        }
    }

    /** Copies rows [row, row+rows) × depth [kb, kb+kbs) of a row-major A into MR rows of kbs floats, zero-padded. */
    private static void copyRows(float[] a, int ao, int ars, int row, int rows, int kb, int kbs, float[] dst) {
        for (int i = 0; i < rows; i++) System.arraycopy(a, ao + (row + i) * ars + kb, dst, i * kbs, kbs);
        java.util.Arrays.fill(dst, rows * kbs, MR * kbs, 0f);
    }

    /**
     * Packs rows [row, row+mc) × depth [kb, kb+kbs) of A into micro-panels of mrows rows: panel q at q·mrows·kbs holds
     * kbs groups of mrows values (the last panel zero-padded), so depth [pc, pc+kc) of a panel is contiguous.
     *
     * <p>A full panel of at most one vector's rows is packed with vector instructions: from a row-major A, L depth steps
     * at a time by {@link #transposeRows}, the rest a step at a time by one gather of its mrows values (a row stride apart)
     * and one masked store; from a column-major A, where they are consecutive, one masked load and store a step. The
     * scalar transposing loop took about 2 cycles an element; the gather a step halved that (146 → 152–154 GFLOP/s of CPU
     * time at 1024², 2026-12-03); the transposition took the pass over a 1024² A from 1.09 to 0.41 ms and the 1 thread
     * product at 512 bits from 166–176 to 190–196 GFLOP/s (n = 512, 1024, 2048; JVMs alternating, 2026-12-05).
     * Packing only moves values: the results' bits do not change.
     *
     * <p>Where a whole product's time goes beside the hot micro-kernel (issue 19; 1 thread, 512 bits, CPU time, the same
     * process alternating variants, load 5–9, 2026-12-03). Packing, after the gather: A 2–4% and B 2–3% of the time
     * (timed around the calls; but JFR put packA at 15% of a 1024² product's samples, and the transposition above gained
     * 11%), and skipping both (timing only, wrong results) made 1024² and 2048² products 4–9%
     * faster, so they also cost the kernel some cache. Without packing, a 1024² product ran 175–183 GFLOP/s against 191
     * for a product whose B and A stay in L2 (96 × 512 × 256): the rest is the memory hierarchy. Not measurable (within
     * ±3%): the 64-byte alignment of the packed B panels (offsets of 0…14 floats), C's rows padded against 4 KiB
     * aliasing, transparent huge pages, and other blockings (KC 128, MC 48…384, KB 256…2048, NC 512…2048). The
     * micro-kernel is C2-compiled within 2 s of warm-up and never deoptimised after. Cutting the rows into the 8 chunks of
     * a 2-thread split (run on 1 thread) cost nothing either. Outside this class, {@code Tensor.matmul} allocates (and so
     * the JVM zeroes, in a young generation far larger than the caches) its result on every call: allocating an n × n
     * float array beside each product, not even used by it, took a 128² product from 159 to 120 GFLOP/s of CPU time,
     * 256² from 168 to 146, 1024² from 181 to 175 (a fresh C, used: 2048² 2% slower).
     */
    static void packA(int mrows, float[] a, int ao, int ars, int acs, int row, int mc, int kb, int kbs, float[] ap) {
        int[] rows = null;
        VectorMask<Float> lanes = null;
        if (mrows <= L && mc >= mrows && (acs == 1 || ars == 1)) {
            lanes = S.indexInRange(0, mrows);
            if (acs == 1) {
                // Lanes past mrows gather the first row's value again (an index known to be in range); they are not stored.
                rows = new int[L];
                for (int i = 0; i < mrows; i++) rows[i] = i * ars;
            }
        }
        for (int ir = 0; ir < mc; ir += mrows) {
            int mr = Math.min(mrows, mc - ir);
            int base = ao + (row + ir) * ars + kb * acs, dst = ir * kbs;
            if (lanes != null && mr == mrows) {
                if (rows != null) {
                    int p = transposeRows(mrows, a, base, ars, kbs, ap, dst);
                    for (; p < kbs; p++) FloatVector.fromArray(S, a, base + p, rows, 0).intoArray(ap, dst + p * mrows, lanes);
                } else {
                    for (int p = 0; p < kbs; p++) FloatVector.fromArray(S, a, base + p * acs, lanes).intoArray(ap, dst + p * mrows, lanes);
                }
            } else if (acs == 1) {
                // Row-major A: each row read front to back, one long stream the prefetcher follows.
                for (int i = 0; i < mr; i++) {
                    int src = base + i * ars;
                    for (int p = 0; p < kbs; p++) ap[dst + p * mrows + i] = a[src + p];
                }
                for (int i = mr; i < mrows; i++) {
                    for (int p = 0; p < kbs; p++) ap[dst + p * mrows + i] = 0f;
                }
            } else {
                for (int p = 0; p < kbs; p++) {
                    int d = dst + p * mrows, src = base + p * acs;
                    for (int i = 0; i < mr; i++) ap[d + i] = a[src + i * ars];
                    for (int i = mr; i < mrows; i++) ap[d + i] = 0f;
                }
            }
        }
    }

    /**
     * Lane choices of {@link #transposeRows} for a panel of {@code mrows} rows (at most L), per output vector j and row
     * pair q at (j·pairs + q)·L: which lane of the pair's two row vectors (0…L−1 the first row's, L…2L−1 the second's)
     * each output lane takes (0 where another pair gives the lane), and whether it takes it (its row is one of the pair);
     * and at j·pairs + q the same choice as bits (lane e at bit e).
     */
    private record RowTranspose(int pairs, int[] index, boolean[] take, long[] lanes) {
        static RowTranspose of(int mrows) {
            if (mrows > L) return null;
            int pairs = (mrows + 1) / 2;
            int[] index = new int[mrows * pairs * L];
            boolean[] take = new boolean[index.length];
            long[] lanes = new long[mrows * pairs];
            for (int j = 0; j < mrows; j++) {
                for (int e = 0; e < L; e++) {
                    int o = j * L + e, row = o % mrows, step = o / mrows, q = row / 2, at = (j * pairs + q) * L + e;
                    index[at] = row % 2 == 0 ? step : L + step;
                    take[at] = true;
                    lanes[j * pairs + q] |= 1L << e;
                }
            }
            return new RowTranspose(pairs, index, take, lanes);
        }
    }

    private static final RowTranspose TRANSPOSE_MR = RowTranspose.of(MR), TRANSPOSE_WIDE = RowTranspose.of(WIDE_MR);

    /**
     * Packs depth [0, p) of one full micro-panel of {@code mrows} rows of a row-major A (row i from {@code base + i·ars})
     * into {@code ap} from {@code dst}, ap[dst + p·mrows + i] = A[i, p], for the largest p ≤ kbs that is a multiple of L,
     * and returns p (0 when mrows > L). L depth steps of the panel are mrows·L consecutive floats: mrows vectors, each
     * assembled from the rows' next L values, two rows at a time (a two-vector {@code selectFrom}, blended into the
     * vector). Before, each depth step was a gather of mrows values a row stride apart: a 16-lane gather for 6 values at
     * 512 bits, 1.05 ns an element, 1.1 ms of a 1024² product's 12 ms on 1 thread (JFR: packA 15% of its samples).
     * The permutation takes int lane indices on the floats' bits: with float indices each {@code selectFrom} also
     * converted its indices and tested them for NaN (packA over a 1024² A, 1 thread, 512 bits: 0.56–0.78 → 0.29–0.44 ms;
     * 256 bits 0.54–0.83 → 0.42–0.60). Six rows, the tile's, run {@link #transposeSix}.
     */
    private static int transposeRows(int mrows, float[] a, int base, int ars, int kbs, float[] ap, int dst) {
        if (mrows == MR && MR == 6) return transposeSix(a, base, ars, kbs, ap, dst);
        if (mrows == WIDE_MR && TRANSPOSE_WIDE != null) return transposeTwelve(a, base, ars, kbs, ap, dst);
        RowTranspose t = mrows == MR ? TRANSPOSE_MR : null;
        if (t == null) return 0;
        int pairs = t.pairs();
        int[] index = t.index();
        boolean[] take = t.take();
        int p = 0;
        for (; p + L <= kbs; p += L) {
            int out = dst + p * mrows;
            for (int j = 0; j < mrows; j++) {
                FloatVector v = FloatVector.zero(S);
                for (int q = 0; q < pairs; q++) {
                    int first = base + 2 * q * ars + p, second = 2 * q + 1 < mrows ? first + ars : first, at = (j * pairs + q) * L;
                    IntVector rows = IntVector.fromArray(Vectors.I, index, at);
                    FloatVector pair = rows.selectFrom(rowBits(a, first), rowBits(a, second)).reinterpretAsFloats();
                    v = v.blend(pair, VectorMask.fromArray(S, take, at));
                }
                v.intoArray(ap, out + j * L);
            }
        }
        return p;
    }

    /**
     * {@link #transposeRows} for the 6-row tile: each row's L values loaded once a step (not once per output vector and
     * pair), and the first pair's choice taken as the output's start (not blended into zeros). Six named vectors: in a
     * loop over pairs the JIT did not keep the vectors in registers. A 96-row block of a 1024² A, 1 thread, hot in L2:
     * 0.24 → 0.09–0.11 ns an element at 512 bits (a plain copy 0.07), 0.22 → 0.11 at 256; walking all of a 2048² A (from
     * memory) 0.32 → 0.19–0.21, what a plain copy takes. Whole products ({@code kernel-ab}, 1 thread): 512² 1.02×
     * (256 bits 1.005×), 1024² and 2048² within ±0.5% (1.004, 0.997; 256 bits 0.998, 0.992): there the packing waits on
     * memory, not on its permutations.
     */
    private static int transposeSix(float[] a, int base, int ars, int kbs, float[] ap, int dst) {
        int[] index = TRANSPOSE_MR.index();
        long[] lanes = TRANSPOSE_MR.lanes();
        int p = 0;
        for (; p + L <= kbs; p += L) {
            IntVector r0 = rowBits(a, base + p), r1 = rowBits(a, base + ars + p), r2 = rowBits(a, base + 2 * ars + p);
            IntVector r3 = rowBits(a, base + 3 * ars + p), r4 = rowBits(a, base + 4 * ars + p), r5 = rowBits(a, base + 5 * ars + p);
            int out = dst + p * 6;
            for (int j = 0; j < 6; j++) {
                int at = 3 * j * L;
                IntVector v = IntVector.fromArray(Vectors.I, index, at).selectFrom(r0, r1)
                        .blend(IntVector.fromArray(Vectors.I, index, at + L).selectFrom(r2, r3), VectorMask.fromLong(Vectors.I, lanes[3 * j + 1]))
                        .blend(IntVector.fromArray(Vectors.I, index, at + 2 * L).selectFrom(r4, r5), VectorMask.fromLong(Vectors.I, lanes[3 * j + 2]));
                v.reinterpretAsFloats().intoArray(ap, out + j * L);
            }
        }
        return p;
    }

    /**
     * {@link #transposeSix} for the wide tile's 12 rows (L ≥ 12: 512 bits): six pairs a vector. A 96-row block of a 1024²
     * A, 1 thread, hot in L2: 0.67–0.70 → 0.40–0.41 ns an element. With the wide tile forced on this machine
     * ({@code -Ddescent.gemm.wide=true}), products of 512², 1024², 2048² ran 1.06×, 1.04×, 1.06× as fast ({@code kernel-ab}).
     */
    private static int transposeTwelve(float[] a, int base, int ars, int kbs, float[] ap, int dst) {
        int[] index = TRANSPOSE_WIDE.index();
        long[] lanes = TRANSPOSE_WIDE.lanes();
        int p = 0;
        for (; p + L <= kbs; p += L) {
            IntVector r0 = rowBits(a, base + p), r1 = rowBits(a, base + ars + p), r2 = rowBits(a, base + 2 * ars + p);
            IntVector r3 = rowBits(a, base + 3 * ars + p), r4 = rowBits(a, base + 4 * ars + p), r5 = rowBits(a, base + 5 * ars + p);
            IntVector r6 = rowBits(a, base + 6 * ars + p), r7 = rowBits(a, base + 7 * ars + p), r8 = rowBits(a, base + 8 * ars + p);
            IntVector r9 = rowBits(a, base + 9 * ars + p), r10 = rowBits(a, base + 10 * ars + p), r11 = rowBits(a, base + 11 * ars + p);
            int out = dst + p * 12;
            for (int j = 0; j < 12; j++) {
                int at = 6 * j * L, m = 6 * j;
                IntVector v = IntVector.fromArray(Vectors.I, index, at).selectFrom(r0, r1)
                        .blend(IntVector.fromArray(Vectors.I, index, at + L).selectFrom(r2, r3), VectorMask.fromLong(Vectors.I, lanes[m + 1]))
                        .blend(IntVector.fromArray(Vectors.I, index, at + 2 * L).selectFrom(r4, r5), VectorMask.fromLong(Vectors.I, lanes[m + 2]))
                        .blend(IntVector.fromArray(Vectors.I, index, at + 3 * L).selectFrom(r6, r7), VectorMask.fromLong(Vectors.I, lanes[m + 3]))
                        .blend(IntVector.fromArray(Vectors.I, index, at + 4 * L).selectFrom(r8, r9), VectorMask.fromLong(Vectors.I, lanes[m + 4]))
                        .blend(IntVector.fromArray(Vectors.I, index, at + 5 * L).selectFrom(r10, r11), VectorMask.fromLong(Vectors.I, lanes[m + 5]));
                v.reinterpretAsFloats().intoArray(ap, out + j * L);
            }
        }
        return p;
    }

    /** The bits of the L floats of a from {@code at}, as ints (the lane permutations run on ints). */
    private static IntVector rowBits(float[] a, int at) {
        return FloatVector.fromArray(S, a, at).reinterpretAsInts();
    }

    /**
     * Packs micro-panels [q0, q1) of depth [kb, kb+kbs) × columns [col, col+nc) of B for tile t: panel q at q·nr·kbs
     * holds kbs rows of nr = t.nr() values (the last panel zero-padded), so depth [pc, pc+kc) of a panel is contiguous.
     */
    private static void packB(Tile t, float[] b, int bo, int brs, int bcs, int kb, int kbs, int col, int nc, float[] bp, int q0, int q1) {
        int pnr = t.nr();
        int fullEnd = Math.min(q1, nc / pnr);
        if (bcs == 1) {
            // Row-major B: along each row, a micro-panel's width at a time. Walking down one micro-panel instead
            // would touch a new page per row.
            for (int p = 0; p < kbs; p++) {
                int src = bo + (kb + p) * brs + col;
                for (int q = q0; q < fullEnd; q++) System.arraycopy(b, src + q * pnr, bp, q * pnr * kbs + p * pnr, pnr);
            }
        } else if (brs == 1 && TRANSPOSE_EIGHT) {
            // Column-major (transposed) B, its columns contiguous: eight columns by L depth steps at a time, transposed
            // in registers (transposeEight); the last kbs mod L steps one value at a time.
            for (int q = q0; q < fullEnd; q++) {
                int dst = q * pnr * kbs;
                for (int g = 0; g < pnr; g += 8) {
                    int src = bo + kb + (col + q * pnr + g) * bcs, p = 0;
                    for (; p + L <= kbs; p += L) transposeEight(b, src + p, bcs, bp, dst + p * pnr + g, pnr);
                    for (; p < kbs; p++) {
                        for (int j = 0; j < 8; j++) bp[dst + p * pnr + g + j] = b[src + p + j * bcs];
                    }
                }
            }
        } else {
            // Column-major (transposed) B: down each column.
            for (int q = q0; q < fullEnd; q++) {
                int dst = q * pnr * kbs;
                for (int j = 0; j < pnr; j++) {
                    int src = bo + kb * brs + (col + q * pnr + j) * bcs;
                    for (int p = 0; p < kbs; p++) bp[dst + p * pnr + j] = b[src + p * brs];
                }
            }
        }
        if (fullEnd < q1) {
            // The partial panel, zero-padded only as far as its kernel reads (narrowVectors).
            int q = fullEnd, nr = nc - q * pnr, dst = q * pnr * kbs, width = narrowVectors(t, nr) * L;
            for (int p = 0; p < kbs; p++) {
                int src = bo + (kb + p) * brs + (col + q * pnr) * bcs, d = dst + p * pnr;
                if (bcs == 1) System.arraycopy(b, src, bp, d, nr);
                else for (int j = 0; j < nr; j++) bp[d + j] = b[src + j * bcs];
                for (int j = nr; j < width; j++) bp[d + j] = 0f;
            }
        }
    }

    /**
     * Whether packB transposes a column-major B eight columns at a time ({@link #transposeEight}): with 32 vector
     * registers and vectors of 8 or 16 floats (AVX-512 at either width), where a two-vector permutation is one
     * instruction; the micro-panels are then a multiple of 8 columns wide.
     */
    private static final boolean TRANSPOSE_EIGHT = MANY_REGISTERS && (L == 8 || L == 16) && !AARCH64;
    /**
     * The lane choices of transposeEight's three rounds, in each 8-lane half of a vector: round r (d = 2^r) pairs
     * vectors d apart, and the first of a pair takes lane k of itself where bit r of k is clear, else lane k − d of the
     * second; the second takes lane k + d of the first where that bit is clear, else its own lane k. Constants, so that
     * C2 knows each vector's class.
     */
    private static final IntVector EIGHT_LO1 = eightChoice(1, true), EIGHT_HI1 = eightChoice(1, false), EIGHT_LO2 = eightChoice(2, true),
        EIGHT_HI2 = eightChoice(2, false), EIGHT_LO4 = eightChoice(4, true), EIGHT_HI4 = eightChoice(4, false);
    /** The lanes of a vector's first and (with 16 lanes) second half. */
    private static final VectorMask<Float> EIGHT_FIRST = S.indexInRange(0, 8), EIGHT_SECOND = VectorMask.fromLong(S, 0xFF00L);

    private static IntVector eightChoice(int d, boolean first) {
        int[] lanes = new int[L];
        for (int k = 0; k < L; k++) lanes[k] = (k & d) == 0 ? (first ? k : k + d) : (first ? L + k - d : L + k);
        return IntVector.fromArray(Vectors.I, lanes, 0);
    }

    /**
     * dst[d0 + k·ld + i] = b[s0 + i·bcs + k] for i in [0, 8) and k in [0, L): eight columns of a column-major B, L depth
     * steps each, as L rows of eight in a micro-panel. Each vector is one column's L steps, and three rounds of two-vector
     * permutations swap the off-diagonal blocks of 4, 2 and 1 within each 8 × 8 block (each half of a vector, at 16
     * lanes); vector m then holds rows m and (at 16 lanes) 8 + m, stored under a mask of the half. Vectors of the one
     * float species ({@link Vectors#F}; see OneFloatSpeciesTest), constant lane choices, and methods of their own: written
     * inside packB's loops, C2's inlining budget ran out before the last permutations, which then boxed their vectors
     * (2.5–10 ns an element); with both halves' stores in one method C1 ran out of registers, which left it in boxing
     * tier-2 code (a 128 × 256 × 784 product at 24 GFLOP/s).
     *
     * <p>Packing the transposed 1024 × 1024 blocks of a 2048² Bᵀ (as x·Wᵀ in a linear layer reads W) one value at a time,
     * each written a panel row after the last, took 0.76–1.0 ns an element: 5.9 ms of a 2048² product's 104 on 1 thread
     * at 512 bits (a row-major B's packing: 1.9 ms); 8 × 8 blocks in registers, 0.35–0.40. Whole products X·Wᵀ
     * (M × N × K), this over the scalar loop, 1 thread ({@code tools/kernel-ab HEAD matmul-bt M N K}): 512 bits 1.42 at
     * 128 × 256 × 784 (an MLP layer's forward over a batch of 128: B is packed for only 128 rows), 1.37 at
     * 128 × 512 × 784, 1.04 at 1024³, 1.035 at 2048³; 256 bits 1.20, 1.21, 1.02, 1.02.
     */
    private static void transposeEight(float[] b, int s0, int bcs, float[] dst, int d0, int ld) {
        transposeEightHalf(b, s0, bcs, dst, d0, ld, EIGHT_FIRST);
        // Lanes 8…15 of vector m are row 8 + m: stored from 8 floats before it, under the second half's mask.
        if (L == 16) transposeEightHalf(b, s0, bcs, dst, d0 + 8 * ld - 8, ld, EIGHT_SECOND);
    }

    /**
     * {@link #transposeEight}'s permutations, storing the lanes of {@code half}: one method per half and the whole
     * permutation in each, as C1 ran out of registers for both halves' stores in one method (it then left it boxing
     * its vectors in tier-2 code).
     */
    private static void transposeEightHalf(float[] b, int s0, int bcs, float[] dst, int d0, int ld, VectorMask<Float> half) {
        IntVector v0 = rowBits(b, s0), v1 = rowBits(b, s0 + bcs), v2 = rowBits(b, s0 + 2 * bcs), v3 = rowBits(b, s0 + 3 * bcs);
        IntVector v4 = rowBits(b, s0 + 4 * bcs), v5 = rowBits(b, s0 + 5 * bcs), v6 = rowBits(b, s0 + 6 * bcs), v7 = rowBits(b, s0 + 7 * bcs);
        IntVector t0 = EIGHT_LO1.selectFrom(v0, v1), t1 = EIGHT_HI1.selectFrom(v0, v1), t2 = EIGHT_LO1.selectFrom(v2, v3), t3 = EIGHT_HI1.selectFrom(v2, v3);
        IntVector t4 = EIGHT_LO1.selectFrom(v4, v5), t5 = EIGHT_HI1.selectFrom(v4, v5), t6 = EIGHT_LO1.selectFrom(v6, v7), t7 = EIGHT_HI1.selectFrom(v6, v7);
        IntVector u0 = EIGHT_LO2.selectFrom(t0, t2), u2 = EIGHT_HI2.selectFrom(t0, t2), u1 = EIGHT_LO2.selectFrom(t1, t3), u3 = EIGHT_HI2.selectFrom(t1, t3);
        IntVector u4 = EIGHT_LO2.selectFrom(t4, t6), u6 = EIGHT_HI2.selectFrom(t4, t6), u5 = EIGHT_LO2.selectFrom(t5, t7), u7 = EIGHT_HI2.selectFrom(t5, t7);
        EIGHT_LO4.selectFrom(u0, u4).reinterpretAsFloats().intoArray(dst, d0, half);
        EIGHT_LO4.selectFrom(u1, u5).reinterpretAsFloats().intoArray(dst, d0 + ld, half);
        EIGHT_LO4.selectFrom(u2, u6).reinterpretAsFloats().intoArray(dst, d0 + 2 * ld, half);
        EIGHT_LO4.selectFrom(u3, u7).reinterpretAsFloats().intoArray(dst, d0 + 3 * ld, half);
        EIGHT_HI4.selectFrom(u0, u4).reinterpretAsFloats().intoArray(dst, d0 + 4 * ld, half);
        EIGHT_HI4.selectFrom(u1, u5).reinterpretAsFloats().intoArray(dst, d0 + 5 * ld, half);
        EIGHT_HI4.selectFrom(u2, u6).reinterpretAsFloats().intoArray(dst, d0 + 6 * ld, half);
        EIGHT_HI4.selectFrom(u3, u7).reinterpretAsFloats().intoArray(dst, d0 + 7 * ld, half);
    }

    /** The register tile over a packed A micro-panel: C tile (+)= A·Bpanel over kc. */
    private static void kernelP(Tile t, int kc, float[] ap, int apo, int as, float[] bp, int bpo, float[] c, int co, int ldc, boolean first) {
        if (t.wide()) kP12x2(kc, ap, apo, as, bp, bpo, c, co, ldc, first);
        else if (MANY_REGISTERS) kP6x4(kc, ap, apo, as, bp, bpo, c, co, ldc, !first, c, co, ldc);
        else kP3x3(kc, ap, apo, bp, bpo, c, co, ldc, first); // packed only (as = 3): see inPlaceTransposed
    }

    /** The packed A micro-panel kernel that fills {@link #narrowVectors}(nr) vectors of each tile row: the first ones of the B micro-panel. */
    private static void narrowP(Tile t, int nr, int kc, float[] ap, int apo, int as, float[] bp, int bpo, float[] c, int co, int ldc, boolean first) {
        if (t.wide()) {
            if (nr <= L) kP12x1(kc, ap, apo, as, bp, bpo, c, co, ldc, first);
            else kP12x2(kc, ap, apo, as, bp, bpo, c, co, ldc, first);
        } else if (MANY_REGISTERS && nr <= L) kP6x1(kc, ap, apo, as, bp, bpo, c, co, ldc, first);
        else if (MANY_REGISTERS && nr <= 2 * L) kP6x2(kc, ap, apo, as, bp, bpo, c, co, ldc, first);
        else kernelP(t, kc, ap, apo, as, bp, bpo, c, co, ldc, first);
    }

    /**
     * The register tile ({@link #MR} rows × {@link #NR} columns) over a row-major A read in place: C tile (+)= A·Bpanel
     * over kc. Each element is one fma chain over the kc steps in order from zero (then, unless first, added to C), so its
     * bits do not depend on the tile: the 6 × 4 and the 3 × 3 tiles give the same.
     */
    static void kernelD(int kc, float[] a, int ao, int ars, float[] bp, int bpo, float[] c, int co, int ldc, boolean first) {
        if (MANY_REGISTERS) kD6x4(kc, a, ao, ars, bp, bpo, c, co, ldc, !first, c, co, ldc);
        else kD3x3(kc, a, ao, ars, bp, bpo, c, co, ldc, first);
    }

    /**
     * The register tile ({@link #MR} rows × {@link #NR} columns) over an A whose rows are adjacent and whose depth steps
     * are {@code as} apart (A[i,p] = a[ao + i + p·as], a packed micro-panel when as = MR; Winograd's weight gradient
     * reads its transformed input [tile][channel] so): C tile (+)= A·Bpanel over kc. Each element is one fma chain over
     * the kc steps in order from zero (then, unless first, added to C): the same bits on the 6 × 4 and the 3 × 3 tiles.
     */
    static void kernelS(int kc, float[] a, int ao, int as, float[] bp, int bpo, float[] c, int co, int ldc, boolean first) {
        if (MANY_REGISTERS) kP6x4(kc, a, ao, as, bp, bpo, c, co, ldc, !first, c, co, ldc);
        else kS3x3(kc, a, ao, as, bp, bpo, c, co, ldc, first);
    }

    /**
     * {@link #kernelD} over the first {@code vectors} vectors of each B micro-panel row, for a panel narrower than the
     * register tile (Winograd's forward and input gradient with 16 registers, whose outputs end in a panel of 1 or 2
     * vectors): the 6 × 1 or 6 × 2 tile ({@link #rowsS} rows), else the full tile, which computes any vector past
     * {@code vectors} into C's slack. The same bits whatever the tile.
     */
    static void kernelD(int vectors, int kc, float[] a, int ao, int ars, float[] bp, int bpo, float[] c, int co, int ldc, boolean first) {
        if (vectors == 1) kD6x1(kc, a, ao, ars, bp, bpo, c, co, ldc, first);
        else if (vectors == 2) kD6x2(kc, a, ao, ars, bp, bpo, c, co, ldc, first);
        else kernelD(kc, a, ao, ars, bp, bpo, c, co, ldc, first);
    }

    /**
     * {@link #kernelS} over the first {@code vectors} vectors of each B micro-panel row, for a panel narrower than the
     * register tile (Winograd's weight gradient when its outputs end in a panel of 1 or 2 vectors): the 6 × 1 or 6 × 2
     * tile ({@link #rowsS} rows; 8 and 15 live vectors, so with 16 registers too), else the full tile, which computes
     * any vector past {@code vectors} into C's slack. The same bits whatever the tile: each element one fma chain over
     * the kc steps from zero.
     */
    static void kernelS(int vectors, int kc, float[] a, int ao, int as, float[] bp, int bpo, float[] c, int co, int ldc, boolean first) {
        if (vectors == 1) kP6x1(kc, a, ao, as, bp, bpo, c, co, ldc, first);
        else if (vectors == 2) kP6x2(kc, a, ao, as, bp, bpo, c, co, ldc, first);
        else kernelS(kc, a, ao, as, bp, bpo, c, co, ldc, first);
    }

    /** Rows of the tile {@code kernelD} or {@code kernelS} runs for a panel of {@code vectors} vectors. */
    static int rowsS(int vectors) {
        return vectors <= 2 ? 6 : MR;
    }

    /** The row-major A read in place kernel that fills {@link #narrowVectors}(nr) vectors of each tile row: the first ones of the B micro-panel. */
    private static void narrowD(int nr, int kc, float[] a, int ao, int ars, float[] bp, int bpo, float[] c, int co, int ldc, boolean first) {
        if (MANY_REGISTERS && nr <= L) kD6x1(kc, a, ao, ars, bp, bpo, c, co, ldc, first);
        else if (MANY_REGISTERS && nr <= 2 * L) kD6x2(kc, a, ao, ars, bp, bpo, c, co, ldc, first);
        else kernelD(kc, a, ao, ars, bp, bpo, c, co, ldc, first);
    }

    /**
     * The 6×(4 vectors) tile over a packed A micro-panel and a B micro-panel: dst = chain, or chain + src when
     * {@code add}; src and dst tiles' rows {@code sld} and {@code dld} floats apart (C, or a block of running sums).
     */
    private static void kP6x4(int kc, float[] ap, int apo, int as, float[] bp, int bpo, float[] src, int so, int sld, boolean add, float[] dst, int dOff, int dld) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c02 = FloatVector.zero(S), c03 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S), c12 = FloatVector.zero(S), c13 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S), c22 = FloatVector.zero(S), c23 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S), c32 = FloatVector.zero(S), c33 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S), c42 = FloatVector.zero(S), c43 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S), c52 = FloatVector.zero(S), c53 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int pa = apo + p * as, pb = bpo + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, bp, pb);
            FloatVector b1 = FloatVector.fromArray(S, bp, pb + 1 * L);
            FloatVector b2 = FloatVector.fromArray(S, bp, pb + 2 * L);
            FloatVector b3 = FloatVector.fromArray(S, bp, pb + 3 * L);
            FloatVector a0 = FloatVector.broadcast(S, ap[pa]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            c02 = a0.fma(b2, c02);
            c03 = a0.fma(b3, c03);
            FloatVector a1 = FloatVector.broadcast(S, ap[pa + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            c12 = a1.fma(b2, c12);
            c13 = a1.fma(b3, c13);
            FloatVector a2 = FloatVector.broadcast(S, ap[pa + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            c22 = a2.fma(b2, c22);
            c23 = a2.fma(b3, c23);
            FloatVector a3 = FloatVector.broadcast(S, ap[pa + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            c32 = a3.fma(b2, c32);
            c33 = a3.fma(b3, c33);
            FloatVector a4 = FloatVector.broadcast(S, ap[pa + 4]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            c42 = a4.fma(b2, c42);
            c43 = a4.fma(b3, c43);
            FloatVector a5 = FloatVector.broadcast(S, ap[pa + 5]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
            c52 = a5.fma(b2, c52);
            c53 = a5.fma(b3, c53);
        }
        if (add) {
            c00 = c00.add(FloatVector.fromArray(S, src, so));
            c01 = c01.add(FloatVector.fromArray(S, src, so + L));
            c02 = c02.add(FloatVector.fromArray(S, src, so + 2 * L));
            c03 = c03.add(FloatVector.fromArray(S, src, so + 3 * L));
            c10 = c10.add(FloatVector.fromArray(S, src, so + 1 * sld));
            c11 = c11.add(FloatVector.fromArray(S, src, so + 1 * sld + L));
            c12 = c12.add(FloatVector.fromArray(S, src, so + 1 * sld + 2 * L));
            c13 = c13.add(FloatVector.fromArray(S, src, so + 1 * sld + 3 * L));
            c20 = c20.add(FloatVector.fromArray(S, src, so + 2 * sld));
            c21 = c21.add(FloatVector.fromArray(S, src, so + 2 * sld + L));
            c22 = c22.add(FloatVector.fromArray(S, src, so + 2 * sld + 2 * L));
            c23 = c23.add(FloatVector.fromArray(S, src, so + 2 * sld + 3 * L));
            c30 = c30.add(FloatVector.fromArray(S, src, so + 3 * sld));
            c31 = c31.add(FloatVector.fromArray(S, src, so + 3 * sld + L));
            c32 = c32.add(FloatVector.fromArray(S, src, so + 3 * sld + 2 * L));
            c33 = c33.add(FloatVector.fromArray(S, src, so + 3 * sld + 3 * L));
            c40 = c40.add(FloatVector.fromArray(S, src, so + 4 * sld));
            c41 = c41.add(FloatVector.fromArray(S, src, so + 4 * sld + L));
            c42 = c42.add(FloatVector.fromArray(S, src, so + 4 * sld + 2 * L));
            c43 = c43.add(FloatVector.fromArray(S, src, so + 4 * sld + 3 * L));
            c50 = c50.add(FloatVector.fromArray(S, src, so + 5 * sld));
            c51 = c51.add(FloatVector.fromArray(S, src, so + 5 * sld + L));
            c52 = c52.add(FloatVector.fromArray(S, src, so + 5 * sld + 2 * L));
            c53 = c53.add(FloatVector.fromArray(S, src, so + 5 * sld + 3 * L));
        }
        c00.intoArray(dst, dOff);
        c01.intoArray(dst, dOff + L);
        c02.intoArray(dst, dOff + 2 * L);
        c03.intoArray(dst, dOff + 3 * L);
        c10.intoArray(dst, dOff + 1 * dld);
        c11.intoArray(dst, dOff + 1 * dld + L);
        c12.intoArray(dst, dOff + 1 * dld + 2 * L);
        c13.intoArray(dst, dOff + 1 * dld + 3 * L);
        c20.intoArray(dst, dOff + 2 * dld);
        c21.intoArray(dst, dOff + 2 * dld + L);
        c22.intoArray(dst, dOff + 2 * dld + 2 * L);
        c23.intoArray(dst, dOff + 2 * dld + 3 * L);
        c30.intoArray(dst, dOff + 3 * dld);
        c31.intoArray(dst, dOff + 3 * dld + L);
        c32.intoArray(dst, dOff + 3 * dld + 2 * L);
        c33.intoArray(dst, dOff + 3 * dld + 3 * L);
        c40.intoArray(dst, dOff + 4 * dld);
        c41.intoArray(dst, dOff + 4 * dld + L);
        c42.intoArray(dst, dOff + 4 * dld + 2 * L);
        c43.intoArray(dst, dOff + 4 * dld + 3 * L);
        c50.intoArray(dst, dOff + 5 * dld);
        c51.intoArray(dst, dOff + 5 * dld + L);
        c52.intoArray(dst, dOff + 5 * dld + 2 * L);
        c53.intoArray(dst, dOff + 5 * dld + 3 * L);
    }

    /** The 6×(4 vectors) tile over row-major A read in place (A[i,p] = a[ao + i·ars + p]) and a B micro-panel; C as {@link #kP6x4}. */
    private static void kD6x4(int kc, float[] a, int ao, int ars, float[] bp, int bpo, float[] src, int so, int sld, boolean add, float[] dst, int dOff, int dld) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c02 = FloatVector.zero(S), c03 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S), c12 = FloatVector.zero(S), c13 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S), c22 = FloatVector.zero(S), c23 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S), c32 = FloatVector.zero(S), c33 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S), c42 = FloatVector.zero(S), c43 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S), c52 = FloatVector.zero(S), c53 = FloatVector.zero(S);
        int r0 = ao;
        int r1 = ao + 1 * ars;
        int r2 = ao + 2 * ars;
        int r3 = ao + 3 * ars;
        int r4 = ao + 4 * ars;
        int r5 = ao + 5 * ars;
        for (int p = 0; p < kc; p++) {
            int pb = bpo + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, bp, pb);
            FloatVector b1 = FloatVector.fromArray(S, bp, pb + 1 * L);
            FloatVector b2 = FloatVector.fromArray(S, bp, pb + 2 * L);
            FloatVector b3 = FloatVector.fromArray(S, bp, pb + 3 * L);
            FloatVector a0 = FloatVector.broadcast(S, a[r0 + p]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            c02 = a0.fma(b2, c02);
            c03 = a0.fma(b3, c03);
            FloatVector a1 = FloatVector.broadcast(S, a[r1 + p]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            c12 = a1.fma(b2, c12);
            c13 = a1.fma(b3, c13);
            FloatVector a2 = FloatVector.broadcast(S, a[r2 + p]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            c22 = a2.fma(b2, c22);
            c23 = a2.fma(b3, c23);
            FloatVector a3 = FloatVector.broadcast(S, a[r3 + p]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            c32 = a3.fma(b2, c32);
            c33 = a3.fma(b3, c33);
            FloatVector a4 = FloatVector.broadcast(S, a[r4 + p]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            c42 = a4.fma(b2, c42);
            c43 = a4.fma(b3, c43);
            FloatVector a5 = FloatVector.broadcast(S, a[r5 + p]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
            c52 = a5.fma(b2, c52);
            c53 = a5.fma(b3, c53);
        }
        if (add) {
            c00 = c00.add(FloatVector.fromArray(S, src, so));
            c01 = c01.add(FloatVector.fromArray(S, src, so + L));
            c02 = c02.add(FloatVector.fromArray(S, src, so + 2 * L));
            c03 = c03.add(FloatVector.fromArray(S, src, so + 3 * L));
            c10 = c10.add(FloatVector.fromArray(S, src, so + 1 * sld));
            c11 = c11.add(FloatVector.fromArray(S, src, so + 1 * sld + L));
            c12 = c12.add(FloatVector.fromArray(S, src, so + 1 * sld + 2 * L));
            c13 = c13.add(FloatVector.fromArray(S, src, so + 1 * sld + 3 * L));
            c20 = c20.add(FloatVector.fromArray(S, src, so + 2 * sld));
            c21 = c21.add(FloatVector.fromArray(S, src, so + 2 * sld + L));
            c22 = c22.add(FloatVector.fromArray(S, src, so + 2 * sld + 2 * L));
            c23 = c23.add(FloatVector.fromArray(S, src, so + 2 * sld + 3 * L));
            c30 = c30.add(FloatVector.fromArray(S, src, so + 3 * sld));
            c31 = c31.add(FloatVector.fromArray(S, src, so + 3 * sld + L));
            c32 = c32.add(FloatVector.fromArray(S, src, so + 3 * sld + 2 * L));
            c33 = c33.add(FloatVector.fromArray(S, src, so + 3 * sld + 3 * L));
            c40 = c40.add(FloatVector.fromArray(S, src, so + 4 * sld));
            c41 = c41.add(FloatVector.fromArray(S, src, so + 4 * sld + L));
            c42 = c42.add(FloatVector.fromArray(S, src, so + 4 * sld + 2 * L));
            c43 = c43.add(FloatVector.fromArray(S, src, so + 4 * sld + 3 * L));
            c50 = c50.add(FloatVector.fromArray(S, src, so + 5 * sld));
            c51 = c51.add(FloatVector.fromArray(S, src, so + 5 * sld + L));
            c52 = c52.add(FloatVector.fromArray(S, src, so + 5 * sld + 2 * L));
            c53 = c53.add(FloatVector.fromArray(S, src, so + 5 * sld + 3 * L));
        }
        c00.intoArray(dst, dOff);
        c01.intoArray(dst, dOff + L);
        c02.intoArray(dst, dOff + 2 * L);
        c03.intoArray(dst, dOff + 3 * L);
        c10.intoArray(dst, dOff + 1 * dld);
        c11.intoArray(dst, dOff + 1 * dld + L);
        c12.intoArray(dst, dOff + 1 * dld + 2 * L);
        c13.intoArray(dst, dOff + 1 * dld + 3 * L);
        c20.intoArray(dst, dOff + 2 * dld);
        c21.intoArray(dst, dOff + 2 * dld + L);
        c22.intoArray(dst, dOff + 2 * dld + 2 * L);
        c23.intoArray(dst, dOff + 2 * dld + 3 * L);
        c30.intoArray(dst, dOff + 3 * dld);
        c31.intoArray(dst, dOff + 3 * dld + L);
        c32.intoArray(dst, dOff + 3 * dld + 2 * L);
        c33.intoArray(dst, dOff + 3 * dld + 3 * L);
        c40.intoArray(dst, dOff + 4 * dld);
        c41.intoArray(dst, dOff + 4 * dld + L);
        c42.intoArray(dst, dOff + 4 * dld + 2 * L);
        c43.intoArray(dst, dOff + 4 * dld + 3 * L);
        c50.intoArray(dst, dOff + 5 * dld);
        c51.intoArray(dst, dOff + 5 * dld + L);
        c52.intoArray(dst, dOff + 5 * dld + 2 * L);
        c53.intoArray(dst, dOff + 5 * dld + 3 * L);
    }

    /** The 3×(3 vectors) tile over a packed A micro-panel and a B micro-panel. */
    private static void kP3x3(int kc, float[] ap, int apo, float[] bp, int bpo, float[] c, int co, int ldc, boolean first) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c02 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S), c12 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S), c22 = FloatVector.zero(S);
        // The A index is the loop variable and the B index a multiple of it (NR = L·MR): C2 then addresses
        // both with three scalar instructions per step instead of eight when both derive from a counter.
        // On a busy (shared) core the instruction count bounds this small tile: up to 1.19× faster.
        int bOff = bpo - apo * L;
        for (int pa = apo, end = apo + kc * 3; pa < end; pa += 3) {
            int pb = bOff + pa * L;
            FloatVector b0 = FloatVector.fromArray(S, bp, pb);
            FloatVector b1 = FloatVector.fromArray(S, bp, pb + L);
            FloatVector b2 = FloatVector.fromArray(S, bp, pb + 2 * L);
            FloatVector a0 = FloatVector.broadcast(S, ap[pa]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            c02 = a0.fma(b2, c02);
            FloatVector a1 = FloatVector.broadcast(S, ap[pa + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            c12 = a1.fma(b2, c12);
            FloatVector a2 = FloatVector.broadcast(S, ap[pa + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            c22 = a2.fma(b2, c22);
        }
        if (!first) {
            c00 = c00.add(FloatVector.fromArray(S, c, co));
            c01 = c01.add(FloatVector.fromArray(S, c, co + L));
            c02 = c02.add(FloatVector.fromArray(S, c, co + 2 * L));
            c10 = c10.add(FloatVector.fromArray(S, c, co + 1 * ldc));
            c11 = c11.add(FloatVector.fromArray(S, c, co + 1 * ldc + L));
            c12 = c12.add(FloatVector.fromArray(S, c, co + 1 * ldc + 2 * L));
            c20 = c20.add(FloatVector.fromArray(S, c, co + 2 * ldc));
            c21 = c21.add(FloatVector.fromArray(S, c, co + 2 * ldc + L));
            c22 = c22.add(FloatVector.fromArray(S, c, co + 2 * ldc + 2 * L));
        }
        c00.intoArray(c, co);
        c01.intoArray(c, co + L);
        c02.intoArray(c, co + 2 * L);
        c10.intoArray(c, co + 1 * ldc);
        c11.intoArray(c, co + 1 * ldc + L);
        c12.intoArray(c, co + 1 * ldc + 2 * L);
        c20.intoArray(c, co + 2 * ldc);
        c21.intoArray(c, co + 2 * ldc + L);
        c22.intoArray(c, co + 2 * ldc + 2 * L);
    }

    /**
     * The 3×(3 vectors) tile over A[i,p] = a[ao + i + p·as] ({@link #kernelS}) and a B micro-panel. Flat, as the other
     * tiles: its loop differs from {@link #kP3x3}'s only in the A index (kP3x3's is tuned to a stride of 3), its epilogue
     * is theirs.
     */
    private static void kS3x3(int kc, float[] a, int ao, int as, float[] bp, int bpo, float[] c, int co, int ldc, boolean first) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c02 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S), c12 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S), c22 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int pa = ao + p * as, pb = bpo + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, bp, pb);
            FloatVector b1 = FloatVector.fromArray(S, bp, pb + L);
            FloatVector b2 = FloatVector.fromArray(S, bp, pb + 2 * L);
            FloatVector a0 = FloatVector.broadcast(S, a[pa]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            c02 = a0.fma(b2, c02);
            FloatVector a1 = FloatVector.broadcast(S, a[pa + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            c12 = a1.fma(b2, c12);
            FloatVector a2 = FloatVector.broadcast(S, a[pa + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            c22 = a2.fma(b2, c22);
        }
        if (!first) {
            c00 = c00.add(FloatVector.fromArray(S, c, co));
            c01 = c01.add(FloatVector.fromArray(S, c, co + L));
            c02 = c02.add(FloatVector.fromArray(S, c, co + 2 * L));
            c10 = c10.add(FloatVector.fromArray(S, c, co + ldc));
            c11 = c11.add(FloatVector.fromArray(S, c, co + ldc + L));
            c12 = c12.add(FloatVector.fromArray(S, c, co + ldc + 2 * L));
            c20 = c20.add(FloatVector.fromArray(S, c, co + 2 * ldc));
            c21 = c21.add(FloatVector.fromArray(S, c, co + 2 * ldc + L));
            c22 = c22.add(FloatVector.fromArray(S, c, co + 2 * ldc + 2 * L));
        }
        c00.intoArray(c, co);
        c01.intoArray(c, co + L);
        c02.intoArray(c, co + 2 * L);
        c10.intoArray(c, co + ldc);
        c11.intoArray(c, co + ldc + L);
        c12.intoArray(c, co + ldc + 2 * L);
        c20.intoArray(c, co + 2 * ldc);
        c21.intoArray(c, co + 2 * ldc + L);
        c22.intoArray(c, co + 2 * ldc + 2 * L);
    }

    /** The 3×(3 vectors) tile over row-major A read in place (A[i,p] = a[ao + i·ars + p]) and a B micro-panel. */
    private static void kD3x3(int kc, float[] a, int ao, int ars, float[] bp, int bpo, float[] c, int co, int ldc, boolean first) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c02 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S), c12 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S), c22 = FloatVector.zero(S);
        int r0 = ao;
        int r1 = ao + 1 * ars;
        int r2 = ao + 2 * ars;
        for (int p = 0; p < kc; p++) {
            int pb = bpo + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, bp, pb);
            FloatVector b1 = FloatVector.fromArray(S, bp, pb + L);
            FloatVector b2 = FloatVector.fromArray(S, bp, pb + 2 * L);
            FloatVector a0 = FloatVector.broadcast(S, a[r0 + p]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            c02 = a0.fma(b2, c02);
            FloatVector a1 = FloatVector.broadcast(S, a[r1 + p]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            c12 = a1.fma(b2, c12);
            FloatVector a2 = FloatVector.broadcast(S, a[r2 + p]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            c22 = a2.fma(b2, c22);
        }
        if (!first) {
            c00 = c00.add(FloatVector.fromArray(S, c, co));
            c01 = c01.add(FloatVector.fromArray(S, c, co + L));
            c02 = c02.add(FloatVector.fromArray(S, c, co + 2 * L));
            c10 = c10.add(FloatVector.fromArray(S, c, co + 1 * ldc));
            c11 = c11.add(FloatVector.fromArray(S, c, co + 1 * ldc + L));
            c12 = c12.add(FloatVector.fromArray(S, c, co + 1 * ldc + 2 * L));
            c20 = c20.add(FloatVector.fromArray(S, c, co + 2 * ldc));
            c21 = c21.add(FloatVector.fromArray(S, c, co + 2 * ldc + L));
            c22 = c22.add(FloatVector.fromArray(S, c, co + 2 * ldc + 2 * L));
        }
        c00.intoArray(c, co);
        c01.intoArray(c, co + L);
        c02.intoArray(c, co + 2 * L);
        c10.intoArray(c, co + 1 * ldc);
        c11.intoArray(c, co + 1 * ldc + L);
        c12.intoArray(c, co + 1 * ldc + 2 * L);
        c20.intoArray(c, co + 2 * ldc);
        c21.intoArray(c, co + 2 * ldc + L);
        c22.intoArray(c, co + 2 * ldc + 2 * L);
    }

    /** The 6×(2 vectors) tile over a packed A micro-panel and the first 2 of a B micro-panel. */
    private static void kP6x2(int kc, float[] ap, int apo, int as, float[] bp, int bpo, float[] c, int co, int ldc, boolean first) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int pa = apo + p * as, pb = bpo + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, bp, pb);
            FloatVector b1 = FloatVector.fromArray(S, bp, pb + L);
            FloatVector a0 = FloatVector.broadcast(S, ap[pa]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, ap[pa + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, ap[pa + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, ap[pa + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(S, ap[pa + 4]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(S, ap[pa + 5]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
        }
        if (!first) {
            c00 = c00.add(FloatVector.fromArray(S, c, co));
            c01 = c01.add(FloatVector.fromArray(S, c, co + L));
            c10 = c10.add(FloatVector.fromArray(S, c, co + 1 * ldc));
            c11 = c11.add(FloatVector.fromArray(S, c, co + 1 * ldc + L));
            c20 = c20.add(FloatVector.fromArray(S, c, co + 2 * ldc));
            c21 = c21.add(FloatVector.fromArray(S, c, co + 2 * ldc + L));
            c30 = c30.add(FloatVector.fromArray(S, c, co + 3 * ldc));
            c31 = c31.add(FloatVector.fromArray(S, c, co + 3 * ldc + L));
            c40 = c40.add(FloatVector.fromArray(S, c, co + 4 * ldc));
            c41 = c41.add(FloatVector.fromArray(S, c, co + 4 * ldc + L));
            c50 = c50.add(FloatVector.fromArray(S, c, co + 5 * ldc));
            c51 = c51.add(FloatVector.fromArray(S, c, co + 5 * ldc + L));
        }
        c00.intoArray(c, co);
        c01.intoArray(c, co + L);
        c10.intoArray(c, co + 1 * ldc);
        c11.intoArray(c, co + 1 * ldc + L);
        c20.intoArray(c, co + 2 * ldc);
        c21.intoArray(c, co + 2 * ldc + L);
        c30.intoArray(c, co + 3 * ldc);
        c31.intoArray(c, co + 3 * ldc + L);
        c40.intoArray(c, co + 4 * ldc);
        c41.intoArray(c, co + 4 * ldc + L);
        c50.intoArray(c, co + 5 * ldc);
        c51.intoArray(c, co + 5 * ldc + L);
    }

    /** The 6×(2 vectors) tile over row-major A read in place (A[i,p] = a[ao + i·ars + p]) and the first 2 of a B micro-panel. */
    private static void kD6x2(int kc, float[] a, int ao, int ars, float[] bp, int bpo, float[] c, int co, int ldc, boolean first) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        int r0 = ao;
        int r1 = ao + 1 * ars;
        int r2 = ao + 2 * ars;
        int r3 = ao + 3 * ars;
        int r4 = ao + 4 * ars;
        int r5 = ao + 5 * ars;
        for (int p = 0; p < kc; p++) {
            int pb = bpo + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, bp, pb);
            FloatVector b1 = FloatVector.fromArray(S, bp, pb + L);
            FloatVector a0 = FloatVector.broadcast(S, a[r0 + p]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, a[r1 + p]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, a[r2 + p]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, a[r3 + p]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(S, a[r4 + p]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(S, a[r5 + p]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
        }
        if (!first) {
            c00 = c00.add(FloatVector.fromArray(S, c, co));
            c01 = c01.add(FloatVector.fromArray(S, c, co + L));
            c10 = c10.add(FloatVector.fromArray(S, c, co + 1 * ldc));
            c11 = c11.add(FloatVector.fromArray(S, c, co + 1 * ldc + L));
            c20 = c20.add(FloatVector.fromArray(S, c, co + 2 * ldc));
            c21 = c21.add(FloatVector.fromArray(S, c, co + 2 * ldc + L));
            c30 = c30.add(FloatVector.fromArray(S, c, co + 3 * ldc));
            c31 = c31.add(FloatVector.fromArray(S, c, co + 3 * ldc + L));
            c40 = c40.add(FloatVector.fromArray(S, c, co + 4 * ldc));
            c41 = c41.add(FloatVector.fromArray(S, c, co + 4 * ldc + L));
            c50 = c50.add(FloatVector.fromArray(S, c, co + 5 * ldc));
            c51 = c51.add(FloatVector.fromArray(S, c, co + 5 * ldc + L));
        }
        c00.intoArray(c, co);
        c01.intoArray(c, co + L);
        c10.intoArray(c, co + 1 * ldc);
        c11.intoArray(c, co + 1 * ldc + L);
        c20.intoArray(c, co + 2 * ldc);
        c21.intoArray(c, co + 2 * ldc + L);
        c30.intoArray(c, co + 3 * ldc);
        c31.intoArray(c, co + 3 * ldc + L);
        c40.intoArray(c, co + 4 * ldc);
        c41.intoArray(c, co + 4 * ldc + L);
        c50.intoArray(c, co + 5 * ldc);
        c51.intoArray(c, co + 5 * ldc + L);
    }

    /** The 6×(1 vectors) tile over a packed A micro-panel and the first 1 of a B micro-panel. */
    private static void kP6x1(int kc, float[] ap, int apo, int as, float[] bp, int bpo, float[] c, int co, int ldc, boolean first) {
        FloatVector c00 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int pa = apo + p * as, pb = bpo + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, bp, pb);
            FloatVector a0 = FloatVector.broadcast(S, ap[pa]);
            c00 = a0.fma(b0, c00);
            FloatVector a1 = FloatVector.broadcast(S, ap[pa + 1]);
            c10 = a1.fma(b0, c10);
            FloatVector a2 = FloatVector.broadcast(S, ap[pa + 2]);
            c20 = a2.fma(b0, c20);
            FloatVector a3 = FloatVector.broadcast(S, ap[pa + 3]);
            c30 = a3.fma(b0, c30);
            FloatVector a4 = FloatVector.broadcast(S, ap[pa + 4]);
            c40 = a4.fma(b0, c40);
            FloatVector a5 = FloatVector.broadcast(S, ap[pa + 5]);
            c50 = a5.fma(b0, c50);
        }
        if (!first) {
            c00 = c00.add(FloatVector.fromArray(S, c, co));
            c10 = c10.add(FloatVector.fromArray(S, c, co + 1 * ldc));
            c20 = c20.add(FloatVector.fromArray(S, c, co + 2 * ldc));
            c30 = c30.add(FloatVector.fromArray(S, c, co + 3 * ldc));
            c40 = c40.add(FloatVector.fromArray(S, c, co + 4 * ldc));
            c50 = c50.add(FloatVector.fromArray(S, c, co + 5 * ldc));
        }
        c00.intoArray(c, co);
        c10.intoArray(c, co + 1 * ldc);
        c20.intoArray(c, co + 2 * ldc);
        c30.intoArray(c, co + 3 * ldc);
        c40.intoArray(c, co + 4 * ldc);
        c50.intoArray(c, co + 5 * ldc);
    }

    /** The 6×(1 vectors) tile over row-major A read in place (A[i,p] = a[ao + i·ars + p]) and the first 1 of a B micro-panel. */
    private static void kD6x1(int kc, float[] a, int ao, int ars, float[] bp, int bpo, float[] c, int co, int ldc, boolean first) {
        FloatVector c00 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S);
        int r0 = ao;
        int r1 = ao + 1 * ars;
        int r2 = ao + 2 * ars;
        int r3 = ao + 3 * ars;
        int r4 = ao + 4 * ars;
        int r5 = ao + 5 * ars;
        for (int p = 0; p < kc; p++) {
            int pb = bpo + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, bp, pb);
            FloatVector a0 = FloatVector.broadcast(S, a[r0 + p]);
            c00 = a0.fma(b0, c00);
            FloatVector a1 = FloatVector.broadcast(S, a[r1 + p]);
            c10 = a1.fma(b0, c10);
            FloatVector a2 = FloatVector.broadcast(S, a[r2 + p]);
            c20 = a2.fma(b0, c20);
            FloatVector a3 = FloatVector.broadcast(S, a[r3 + p]);
            c30 = a3.fma(b0, c30);
            FloatVector a4 = FloatVector.broadcast(S, a[r4 + p]);
            c40 = a4.fma(b0, c40);
            FloatVector a5 = FloatVector.broadcast(S, a[r5 + p]);
            c50 = a5.fma(b0, c50);
        }
        if (!first) {
            c00 = c00.add(FloatVector.fromArray(S, c, co));
            c10 = c10.add(FloatVector.fromArray(S, c, co + 1 * ldc));
            c20 = c20.add(FloatVector.fromArray(S, c, co + 2 * ldc));
            c30 = c30.add(FloatVector.fromArray(S, c, co + 3 * ldc));
            c40 = c40.add(FloatVector.fromArray(S, c, co + 4 * ldc));
            c50 = c50.add(FloatVector.fromArray(S, c, co + 5 * ldc));
        }
        c00.intoArray(c, co);
        c10.intoArray(c, co + 1 * ldc);
        c20.intoArray(c, co + 2 * ldc);
        c30.intoArray(c, co + 3 * ldc);
        c40.intoArray(c, co + 4 * ldc);
        c50.intoArray(c, co + 5 * ldc);
    }


    /** The 12×(2 vectors) tile of {@link #WIDE} over a packed A micro-panel and the first 2 of a wide B micro-panel ({@link #WIDE_NR} floats a row). */
    private static void kP12x2(int kc, float[] ap, int apo, int as, float[] bp, int bpo, float[] c, int co, int ldc, boolean first) {
        FloatVector c000 = FloatVector.zero(S), c001 = FloatVector.zero(S);
        FloatVector c010 = FloatVector.zero(S), c011 = FloatVector.zero(S);
        FloatVector c020 = FloatVector.zero(S), c021 = FloatVector.zero(S);
        FloatVector c030 = FloatVector.zero(S), c031 = FloatVector.zero(S);
        FloatVector c040 = FloatVector.zero(S), c041 = FloatVector.zero(S);
        FloatVector c050 = FloatVector.zero(S), c051 = FloatVector.zero(S);
        FloatVector c060 = FloatVector.zero(S), c061 = FloatVector.zero(S);
        FloatVector c070 = FloatVector.zero(S), c071 = FloatVector.zero(S);
        FloatVector c080 = FloatVector.zero(S), c081 = FloatVector.zero(S);
        FloatVector c090 = FloatVector.zero(S), c091 = FloatVector.zero(S);
        FloatVector c100 = FloatVector.zero(S), c101 = FloatVector.zero(S);
        FloatVector c110 = FloatVector.zero(S), c111 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int pa = apo + p * as, pb = bpo + p * WIDE_NR;
            FloatVector b0 = FloatVector.fromArray(S, bp, pb);
            FloatVector b1 = FloatVector.fromArray(S, bp, pb + L);
            FloatVector a0 = FloatVector.broadcast(S, ap[pa]);
            c000 = a0.fma(b0, c000);
            c001 = a0.fma(b1, c001);
            FloatVector a1 = FloatVector.broadcast(S, ap[pa + 1]);
            c010 = a1.fma(b0, c010);
            c011 = a1.fma(b1, c011);
            FloatVector a2 = FloatVector.broadcast(S, ap[pa + 2]);
            c020 = a2.fma(b0, c020);
            c021 = a2.fma(b1, c021);
            FloatVector a3 = FloatVector.broadcast(S, ap[pa + 3]);
            c030 = a3.fma(b0, c030);
            c031 = a3.fma(b1, c031);
            FloatVector a4 = FloatVector.broadcast(S, ap[pa + 4]);
            c040 = a4.fma(b0, c040);
            c041 = a4.fma(b1, c041);
            FloatVector a5 = FloatVector.broadcast(S, ap[pa + 5]);
            c050 = a5.fma(b0, c050);
            c051 = a5.fma(b1, c051);
            FloatVector a6 = FloatVector.broadcast(S, ap[pa + 6]);
            c060 = a6.fma(b0, c060);
            c061 = a6.fma(b1, c061);
            FloatVector a7 = FloatVector.broadcast(S, ap[pa + 7]);
            c070 = a7.fma(b0, c070);
            c071 = a7.fma(b1, c071);
            FloatVector a8 = FloatVector.broadcast(S, ap[pa + 8]);
            c080 = a8.fma(b0, c080);
            c081 = a8.fma(b1, c081);
            FloatVector a9 = FloatVector.broadcast(S, ap[pa + 9]);
            c090 = a9.fma(b0, c090);
            c091 = a9.fma(b1, c091);
            FloatVector a10 = FloatVector.broadcast(S, ap[pa + 10]);
            c100 = a10.fma(b0, c100);
            c101 = a10.fma(b1, c101);
            FloatVector a11 = FloatVector.broadcast(S, ap[pa + 11]);
            c110 = a11.fma(b0, c110);
            c111 = a11.fma(b1, c111);
        }
        if (!first) {
            c000 = c000.add(FloatVector.fromArray(S, c, co));
            c001 = c001.add(FloatVector.fromArray(S, c, co + L));
            c010 = c010.add(FloatVector.fromArray(S, c, co + 1 * ldc));
            c011 = c011.add(FloatVector.fromArray(S, c, co + 1 * ldc + L));
            c020 = c020.add(FloatVector.fromArray(S, c, co + 2 * ldc));
            c021 = c021.add(FloatVector.fromArray(S, c, co + 2 * ldc + L));
            c030 = c030.add(FloatVector.fromArray(S, c, co + 3 * ldc));
            c031 = c031.add(FloatVector.fromArray(S, c, co + 3 * ldc + L));
            c040 = c040.add(FloatVector.fromArray(S, c, co + 4 * ldc));
            c041 = c041.add(FloatVector.fromArray(S, c, co + 4 * ldc + L));
            c050 = c050.add(FloatVector.fromArray(S, c, co + 5 * ldc));
            c051 = c051.add(FloatVector.fromArray(S, c, co + 5 * ldc + L));
            c060 = c060.add(FloatVector.fromArray(S, c, co + 6 * ldc));
            c061 = c061.add(FloatVector.fromArray(S, c, co + 6 * ldc + L));
            c070 = c070.add(FloatVector.fromArray(S, c, co + 7 * ldc));
            c071 = c071.add(FloatVector.fromArray(S, c, co + 7 * ldc + L));
            c080 = c080.add(FloatVector.fromArray(S, c, co + 8 * ldc));
            c081 = c081.add(FloatVector.fromArray(S, c, co + 8 * ldc + L));
            c090 = c090.add(FloatVector.fromArray(S, c, co + 9 * ldc));
            c091 = c091.add(FloatVector.fromArray(S, c, co + 9 * ldc + L));
            c100 = c100.add(FloatVector.fromArray(S, c, co + 10 * ldc));
            c101 = c101.add(FloatVector.fromArray(S, c, co + 10 * ldc + L));
            c110 = c110.add(FloatVector.fromArray(S, c, co + 11 * ldc));
            c111 = c111.add(FloatVector.fromArray(S, c, co + 11 * ldc + L));
        }
        c000.intoArray(c, co);
        c001.intoArray(c, co + L);
        c010.intoArray(c, co + 1 * ldc);
        c011.intoArray(c, co + 1 * ldc + L);
        c020.intoArray(c, co + 2 * ldc);
        c021.intoArray(c, co + 2 * ldc + L);
        c030.intoArray(c, co + 3 * ldc);
        c031.intoArray(c, co + 3 * ldc + L);
        c040.intoArray(c, co + 4 * ldc);
        c041.intoArray(c, co + 4 * ldc + L);
        c050.intoArray(c, co + 5 * ldc);
        c051.intoArray(c, co + 5 * ldc + L);
        c060.intoArray(c, co + 6 * ldc);
        c061.intoArray(c, co + 6 * ldc + L);
        c070.intoArray(c, co + 7 * ldc);
        c071.intoArray(c, co + 7 * ldc + L);
        c080.intoArray(c, co + 8 * ldc);
        c081.intoArray(c, co + 8 * ldc + L);
        c090.intoArray(c, co + 9 * ldc);
        c091.intoArray(c, co + 9 * ldc + L);
        c100.intoArray(c, co + 10 * ldc);
        c101.intoArray(c, co + 10 * ldc + L);
        c110.intoArray(c, co + 11 * ldc);
        c111.intoArray(c, co + 11 * ldc + L);
    }

    /** The 12×(1 vector) tile of {@link #WIDE} over a packed A micro-panel and the first 1 of a wide B micro-panel ({@link #WIDE_NR} floats a row). */
    private static void kP12x1(int kc, float[] ap, int apo, int as, float[] bp, int bpo, float[] c, int co, int ldc, boolean first) {
        FloatVector c000 = FloatVector.zero(S);
        FloatVector c010 = FloatVector.zero(S);
        FloatVector c020 = FloatVector.zero(S);
        FloatVector c030 = FloatVector.zero(S);
        FloatVector c040 = FloatVector.zero(S);
        FloatVector c050 = FloatVector.zero(S);
        FloatVector c060 = FloatVector.zero(S);
        FloatVector c070 = FloatVector.zero(S);
        FloatVector c080 = FloatVector.zero(S);
        FloatVector c090 = FloatVector.zero(S);
        FloatVector c100 = FloatVector.zero(S);
        FloatVector c110 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int pa = apo + p * as, pb = bpo + p * WIDE_NR;
            FloatVector b0 = FloatVector.fromArray(S, bp, pb);
            FloatVector a0 = FloatVector.broadcast(S, ap[pa]);
            c000 = a0.fma(b0, c000);
            FloatVector a1 = FloatVector.broadcast(S, ap[pa + 1]);
            c010 = a1.fma(b0, c010);
            FloatVector a2 = FloatVector.broadcast(S, ap[pa + 2]);
            c020 = a2.fma(b0, c020);
            FloatVector a3 = FloatVector.broadcast(S, ap[pa + 3]);
            c030 = a3.fma(b0, c030);
            FloatVector a4 = FloatVector.broadcast(S, ap[pa + 4]);
            c040 = a4.fma(b0, c040);
            FloatVector a5 = FloatVector.broadcast(S, ap[pa + 5]);
            c050 = a5.fma(b0, c050);
            FloatVector a6 = FloatVector.broadcast(S, ap[pa + 6]);
            c060 = a6.fma(b0, c060);
            FloatVector a7 = FloatVector.broadcast(S, ap[pa + 7]);
            c070 = a7.fma(b0, c070);
            FloatVector a8 = FloatVector.broadcast(S, ap[pa + 8]);
            c080 = a8.fma(b0, c080);
            FloatVector a9 = FloatVector.broadcast(S, ap[pa + 9]);
            c090 = a9.fma(b0, c090);
            FloatVector a10 = FloatVector.broadcast(S, ap[pa + 10]);
            c100 = a10.fma(b0, c100);
            FloatVector a11 = FloatVector.broadcast(S, ap[pa + 11]);
            c110 = a11.fma(b0, c110);
        }
        if (!first) {
            c000 = c000.add(FloatVector.fromArray(S, c, co));
            c010 = c010.add(FloatVector.fromArray(S, c, co + 1 * ldc));
            c020 = c020.add(FloatVector.fromArray(S, c, co + 2 * ldc));
            c030 = c030.add(FloatVector.fromArray(S, c, co + 3 * ldc));
            c040 = c040.add(FloatVector.fromArray(S, c, co + 4 * ldc));
            c050 = c050.add(FloatVector.fromArray(S, c, co + 5 * ldc));
            c060 = c060.add(FloatVector.fromArray(S, c, co + 6 * ldc));
            c070 = c070.add(FloatVector.fromArray(S, c, co + 7 * ldc));
            c080 = c080.add(FloatVector.fromArray(S, c, co + 8 * ldc));
            c090 = c090.add(FloatVector.fromArray(S, c, co + 9 * ldc));
            c100 = c100.add(FloatVector.fromArray(S, c, co + 10 * ldc));
            c110 = c110.add(FloatVector.fromArray(S, c, co + 11 * ldc));
        }
        c000.intoArray(c, co);
        c010.intoArray(c, co + 1 * ldc);
        c020.intoArray(c, co + 2 * ldc);
        c030.intoArray(c, co + 3 * ldc);
        c040.intoArray(c, co + 4 * ldc);
        c050.intoArray(c, co + 5 * ldc);
        c060.intoArray(c, co + 6 * ldc);
        c070.intoArray(c, co + 7 * ldc);
        c080.intoArray(c, co + 8 * ldc);
        c090.intoArray(c, co + 9 * ldc);
        c100.intoArray(c, co + 10 * ldc);
        c110.intoArray(c, co + 11 * ldc);
    }

    /** The scalar reference: plain triple loop in float, summing p in ascending order. */
    public static void sgemmReference(int m, int n, int k,
                                      float[] a, int ao, int ars, int acs,
                                      float[] b, int bo, int brs, int bcs,
                                      float[] c, int co, int ldc, boolean accumulate) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float s = 0;
                for (int p = 0; p < k; p++) s += a[ao + i * ars + p * acs] * b[bo + p * brs + j * bcs];
                int ci = co + i * ldc + j;
                c[ci] = accumulate ? c[ci] + s : s;
            }
        }
    }

    /**
     * Double-precision C (+)= A·B for strided A and B: row-by-row axpy over a contiguous copy of B,
     * vectorised along the columns. float64 serves checking and science, so simplicity wins here.
     */
    public static void dgemm(int m, int n, int k,
                             double[] a, int ao, int ars, int acs,
                             double[] b, int bo, int brs, int bcs,
                             double[] c, int co, int ldc, boolean accumulate) {
        if (m == 0 || n == 0) return;
        double[] bc;
        if (bcs == 1 && brs == n) {
            bc = null;
        } else {
            bc = new double[k * n];
            for (int p = 0; p < k; p++) for (int j = 0; j < n; j++) bc[p * n + j] = b[bo + p * brs + j * bcs];
        }
        final double[] bb = bc == null ? b : bc;
        final int bbo = bc == null ? bo : 0;
        final boolean vector = Vectors.ENABLED;
        if (vector) Vectors.count();
        int grain = (int) Math.max(1, 1_000_000L / Math.max(1, 2L * n * k));
        Parallel.forRange(m, grain, (from, to) -> {
            var DS = Vectors.D;
            int DLn = DS.length();
            for (int i = from; i < to; i++) {
                int ci = co + i * ldc;
                if (!accumulate) java.util.Arrays.fill(c, ci, ci + n, 0d);
                for (int p = 0; p < k; p++) {
                    double aip = a[ao + i * ars + p * acs];
                    int bi = bbo + p * n;
                    int j = 0;
                    if (vector) {
                        DoubleVector va = DoubleVector.broadcast(DS, aip);
                        int upper = DS.loopBound(n);
                        for (; j < upper; j += DLn) {
                            va.fma(DoubleVector.fromArray(DS, bb, bi + j), DoubleVector.fromArray(DS, c, ci + j)).intoArray(c, ci + j);
                        }
                    }
                    for (; j < n; j++) c[ci + j] = Math.fma(aip, bb[bi + j], c[ci + j]);
                }
            }
        });
    }
}
