using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace GraphNet.Runtime;

/// <summary>
/// The matrix-multiply routine generated code calls: C[p] = op(A[p]) · op(B[p]) (+ C[p] when accumulating) for each
/// batch item p, row-major, op = transpose when asked.
/// <para>
/// Cache-blocked and packed in the BLIS manner: a KC×NC block of op(B) is packed into NR-wide micro-panels (stays in
/// L3/L2), an MC×KC block of op(A) into MR-tall micro-panels (stays in L2), and a register-blocked microkernel
/// multiplies one A micro-panel by one B micro-panel (one streams from L1) into an MR×NR tile of C held in
/// registers. Packing reads A and B through strides, so the transposed variants need no copy first (a transposed B is
/// a strided gather, so a product split by rows packs it once for all its tasks).
/// The microkernel is AVX-512 (12×32, 24 zmm accumulators) where the CPU has it, else AVX2 (6×16), chosen at run
/// time. Products big enough to pay for it are split over <see cref="Workers"/>: across batch items, else across
/// column or row ranges of C, or, for a long contraction into a small result, across ranges of K whose partial
/// results are added in a fixed order. Every split follows from the shape alone, so results are the same bits
/// whatever the thread count. Matrix-vector products (n = 1 or m = 1) take a streaming path, results of at most 16
/// columns a row kernel that reads A in place, and a few rows over a long contraction (a convolution's weight
/// gradient) outer products that pack nothing.
/// </para>
/// Called by generated code; not part of the user-facing API.
/// </summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public static unsafe class Gemm
{
    private static readonly int KC = Env("GRAPHNET_GEMM_KC", 192), MC = Env("GRAPHNET_GEMM_MC", 144), NC = Env("GRAPHNET_GEMM_NC", 4096);

    // Large products (a result of at least 1024×1024 over a contraction of at least 1024) take longer K blocks and
    // shorter M blocks: fewer passes over C and A blocks that still sit in L2 (n = 2048 on two threads: 193 → 204
    // GFLOP/s, the median of two runs; smaller products, a transformer's among them, were slower so). Chosen by the
    // shape alone, so a result's bits still do not depend on the thread count.
    private static readonly int KCLarge = Env("GRAPHNET_GEMM_KC_LARGE", 384), MCLarge = Env("GRAPHNET_GEMM_MC_LARGE", 96);
    private static bool Large(int m, int n, int k) => (long)m * n >= 1 << 20 && k >= 1024;
    private static int Env(string k, int d) => int.TryParse(Environment.GetEnvironmentVariable(k), out var v) ? v : d;

    /// <summary>Which microkernel runs: true = AVX-512 (default where supported), false = AVX2/portable.</summary>
    public static bool UseAvx512
    {
        get => _useAvx512;
        set => _useAvx512 = value && Vector512.IsHardwareAccelerated;
    }

    private static bool _useAvx512 = Vector512.IsHardwareAccelerated;

    private static int MR => UseAvx512 ? 12 : 6;
    private static int NR => UseAvx512 ? 32 : 16;

    // Below this many multiply-adds a product runs on the calling thread (a split costs a few microseconds).
    private const long ParallelMacs = 1 << 17;

    // A split contraction has one part per StepsPerPart steps of K (RowsPerPart rows for a vector times a matrix),
    // at most MaxParts. The parts and the order their partial results are added in follow from the shape alone,
    // on one thread as on many (and for either microkernel), so a result does not depend on the thread count; the
    // pool's threads only share the parts out.
    private const int StepsPerPart = 1024, RowsPerPart = 256, MaxParts = 32;

    [ThreadStatic] private static float[]? _packA;
    [ThreadStatic] private static float[]? _packB;

    /// <summary>
    /// C[p] = op(A[p])·op(B[p]) for p &lt; <paramref name="batch"/>: A [batch, m, k] (stored [k, m] per item when
    /// <paramref name="transA"/>), B [batch, k, n] (stored [n, k] when <paramref name="transB"/>), C [batch, m, n], all row-major.
    /// Throws <see cref="ArgumentException"/> for a negative dim or an operand too small for them.
    /// </summary>
    public static void MatMul(bool transA, bool transB, int batch, int m, int n, int k,
        ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c) => MatMul(transA, transB, batch, m, n, k, a, b, c, accumulate: false);

    /// <summary>As above; with <paramref name="accumulate"/> the product is added to C instead of overwriting it.</summary>
    public static void MatMul(bool transA, bool transB, int batch, int m, int n, int k,
        ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, bool accumulate)
    {
        CheckOperands(batch, m, n, k, a.Length, b.Length, c.Length);
        if (batch == 0 || m == 0 || n == 0) return;
        fixed (float* pa = a, pb = b, pc = c)
        {
            var job = NewJob(transA, transB, batch, m, n, k, pa, pb, pc, accumulate);
            bool parallel = (long)batch * m * n * Math.Max(k, 1) >= ParallelMacs;
            // A short vector times a matrix stored row by row (Xᵀr, rᵀB): split the rows, sum the partial vectors.
            if (batch == 1 && parallel && ((n == 1 && transA) || (m == 1 && !transB)))
            {
                int len = n == 1 ? m : n, parts = Math.Min(k / RowsPerPart, MaxParts);
                if (parts > (len + 15) / 16) // more parts than the 16-wide column ranges a split of the result has
                {
                    if (n == 1) CombineRows(pa, m, m, pb, 1, k, pc, 1, accumulate, parts); // B(q, 0) = b[q] either way
                    else CombineRows(pb, n, n, pa, 1, k, pc, 1, accumulate, parts); // A(0, q) = a[q] either way
                    return;
                }
            }
            // A few rows over a long contraction with op(B) stored row by row (a convolution's weight gradient, Gᵀ·windows):
            // outer products of A's columns and B's rows, nothing packed, in parts of the contraction.
            if (batch == 1 && Outer(m, n, k, transB, parallel))
            {
                SplitContraction(ref job, Math.Min(k / StepsPerPart, MaxParts), outer: true);
                return;
            }
            // A small output over a long contraction (a weight gradient summed over many positions): split the
            // contraction, each part into its own partial C, then add the partials.
            if (batch == 1 && ContractionParts(m, n, k, parallel) is var split && split > 0)
            {
                SplitContraction(ref job, split);
                return;
            }
            // A narrow result (k-means distances to 16 centroids, a 10-class layer): op(B) packed once into 16 zero-padded
            // columns, A read in place, 6 rows × 16 columns per kernel call (the 12×32 kernel would pack all of A and
            // waste half its columns).
            if (batch == 1 && Narrow(m, n))
            {
                var none = new NoRows();
                Skinny(ref job, parallel, ref none);
                return;
            }
            job.Plan(parallel ? Workers.Threads : 1);
            if (job.Tasks == 1) job.Run(0);
            else
            {
                if (job.Batch == 1 && job.SplitN == 1 && SharesB(m, n, k, transB)) job.Packed = PackShared(in job);
                Workers.For(job.Tasks, ref job);
            }
        }
    }

    /// <summary>
    /// A product split by rows over several tasks packs a transposed op(B) (a strided gather: a backward product against
    /// the weights) once for all of them (<see cref="PackShared"/>) rather than once per task. A plain B is cheap to pack
    /// and each task packing its own K block just before use keeps it in its own L2: shared, 256³ was 10–40 % and 512³ 7 %
    /// slower (a second fork-join, blocks read from the other core). Not with the large products' blocking, whose K blocks
    /// the packed layout does not have.
    /// </summary>
    private static bool SharesB(int m, int n, int k, bool transB) => transB && !Large(m, n, k) && m > 1 && n > 1 && n <= NC && k > 0;

    [ThreadStatic] private static float[]? _sharedB; // pinned: its address outlives a fixed block

    /// <summary>
    /// op(B) of <paramref name="job"/> packed in the layout of <see cref="PackB(bool, int, int, ReadOnlySpan{float}, Span{float})"/>,
    /// its K blocks and column panels shared out over the pool, for the tasks that then read it (the blocked path reads
    /// a packed B the same way, so the product keeps its bits).
    /// </summary>
    private static float* PackShared(in Job job)
    {
        int n = job.N, k = job.K, nr = NR, length = PackedLength(n, k);
        var buffer = _sharedB is { } old && old.Length >= length ? old : _sharedB = GC.AllocateUninitializedArray<float>(Math.Max(length, 1024), pinned: true);
        float* packed = (float*)Unsafe.AsPointer(ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(buffer));
        var pack = new PackBJob { B = job.B, Rs = job.RsB, Cs = job.CsB, N = n, K = k, Nr = nr, Dst = packed, Parts = Math.Min((n + nr - 1) / nr, Workers.Threads) };
        Workers.For(pack.Tasks, ref pack);
        return packed;
    }

    /// <summary>
    /// The packed layout of op(B) (<see cref="PackB(bool, int, int, ReadOnlySpan{float}, Span{float})"/>): K blocks of KC
    /// rows, each NR-wide column panels of kc × NR; a task packs one K block × one of <see cref="Parts"/> ranges of panels.
    /// </summary>
    private struct PackBJob : IParallelJob
    {
        public float* B, Dst;
        public int Rs, Cs, N, K, Nr, Parts;

        public readonly int Tasks => (K + KC - 1) / KC * Parts;

        public readonly void Run(int task)
        {
            int block = task / Parts, part = task % Parts, pc = block * KC, kc = Math.Min(KC, K - pc);
            int panels = (N + Nr - 1) / Nr, npad = panels * Nr;
            int j0 = panels * part / Parts * Nr, j1 = Math.Min(N, panels * (part + 1) / Parts * Nr);
            if (j0 < j1) PackB(B, Rs, Cs, pc, kc, j0, j1 - j0, Nr, Dst + (long)pc * npad + (long)j0 * kc);
        }
    }

    private static void CheckOperands(int batch, int m, int n, int k, int a, int b, int c)
    {
        if (batch < 0 || m < 0 || n < 0 || k < 0)
            throw new ArgumentException($"GEMM dimensions must be non-negative: batch={batch}, m={m}, n={n}, k={k}.");
        if ((long)batch * m * k > a || (long)batch * k * n > b || (long)batch * m * n > c)
            throw new ArgumentException($"GEMM operands too small for batch={batch}, m={m}, n={n}, k={k}: " +
                $"A has {a} floats (needs {(long)batch * m * k}), B {b} ({(long)batch * k * n}), C {c} ({(long)batch * m * n}).");
    }

    /// <summary>The product's job over the whole contraction, with the blocking its size calls for (see <see cref="Large"/>).</summary>
    private static Job NewJob(bool transA, bool transB, int batch, int m, int n, int k, float* pa, float* pb, float* pc, bool accumulate)
    {
        bool large = Large(m, n, k);
        return new Job
        {
            A = pa, B = pb, C = pc, Batch = batch, M = m, N = n, K = k, K0 = 0, K1 = k, Accumulate = accumulate,
            Kc = large ? KCLarge : KC, Mc = large ? MCLarge : MC,
            RsA = transA ? 1 : k, CsA = transA ? m : 1, RsB = transB ? 1 : n, CsB = transB ? k : 1,
        };
    }

    /// <summary>The parts a split contraction cuts k into when it has more than the result has 12×32 tiles (either kernel), else 0.</summary>
    private static int ContractionParts(int m, int n, int k, bool parallel)
    {
        int parts = Math.Min(k / StepsPerPart, MaxParts);
        return parallel && m > 1 && n > 1 && (long)((m + 11) / 12) * ((n + 31) / 32) < parts ? parts : 0;
    }

    /// <summary>
    /// A result of a few rows (at most <see cref="OuterRowsMax"/>, at most <see cref="OuterColsMax"/> columns, so a part's
    /// rows of B stay in L2 between the row blocks) over a contraction long enough to split, op(B) stored row by row:
    /// <see cref="OuterProducts"/>, where packing would cost more than the product (6 filters × 25 taps over 50 176 positions).
    /// </summary>
    private static bool Outer(int m, int n, int k, bool transB, bool parallel) =>
        parallel && !transB && m > 1 && m <= OuterRowsMax && n > 1 && n <= OuterColsMax && k >= StepsPerPart;

    private const int OuterRowsMax = 24, OuterColsMax = 256;

    /// <summary>A result narrow enough for the 6×16 row kernel (<see cref="Skinny"/>).</summary>
    private static bool Narrow(int m, int n) => n <= SkinnyWidth && n > 1 && m >= 2 * SkinnyRows;

    /// <summary>
    /// C = op(A)·op(B) [m, n], then <paramref name="rows"/> over C's rows (an epilogue: the elementwise kernels that consume
    /// the product, such as a bias add and an activation, or the activation's derivative mask in a backward pass). On
    /// the blocked kernels each of the pool's tasks owns a range of rows and runs the epilogue on each block of them as
    /// soon as the block is final, while it is in cache, instead of another pass over C after the product. Narrow
    /// results, vectors and split contractions take their own paths, then the epilogue runs over the rows on the pool.
    /// The product has <see cref="MatMul(bool, bool, int, int, int, int, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float})"/>'s
    /// bits either way; <paramref name="rows"/>.Run(lo, hi) must touch only rows lo .. hi − 1 of C and of what it writes.
    /// </summary>
    public static void MatMulThen<TRows>(bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, ref TRows rows) where TRows : struct, IRangeJob
    {
        CheckOperands(1, m, n, k, a.Length, b.Length, c.Length);
        if (m == 0 || n == 0) return;
        bool parallel = (long)m * n * Math.Max(k, 1) >= ParallelMacs;
        if (m == 1 || n == 1 || k == 0 || n > NC || Outer(m, n, k, transB, parallel) || ContractionParts(m, n, k, parallel) > 0)
        {
            MatMul(transA, transB, 1, m, n, k, a, b, c);
            Workers.ForRange(ref rows, m, n);
            return;
        }
        fixed (float* pa = a, pb = b, pc = c)
        {
            var job = NewJob(transA, transB, 1, m, n, k, pa, pb, pc, accumulate: false);
            if (Narrow(m, n))
            {
                Skinny(ref job, parallel, ref rows);
                return;
            }
            var then = new ThenJob<TRows> { Job = job, Rows = rows, Tasks = parallel ? Math.Min(Workers.Threads, (m + MR - 1) / MR) : 1 };
            if (then.Tasks <= 1) then.Run(0);
            else
            {
                if (SharesB(m, n, k, transB)) then.Job.Packed = PackShared(in then.Job);
                Workers.For(then.Tasks, ref then);
            }
        }
    }

    /// <summary>A range of rows of a product, each block of them followed by the epilogue.</summary>
    private struct ThenJob<TRows> : IParallelJob where TRows : struct, IRangeJob
    {
        public Job Job;
        public TRows Rows;
        public int Tasks;

        public void Run(int task)
        {
            var (m0, m1) = Range(Job.M, Tasks, task, MR);
            var rows = Rows;
            if (m0 < m1) Job.Blocked(Job.A, Job.B, Job.C, m0, m1, 0, Job.N, ref rows);
        }
    }

    private const int SkinnyWidth = 16, SkinnyRows = 6, SkinnyChunk = 16; // a chunk's rows (96 × 16 floats) stay in L1 for the epilogue

    [ThreadStatic] private static float[]? _packSkinny;

    /// <summary>A narrow product (see <see cref="SkinnyJob{TRows}"/>), with <paramref name="rows"/> run on each chunk of rows once final.</summary>
    private static void Skinny<TRows>(ref Job job, bool parallel, ref TRows rows) where TRows : struct, IRangeJob
    {
        int k = job.K;
        var packed = _packSkinny is { } old && old.Length >= k * SkinnyWidth ? old : _packSkinny = new float[Math.Max(k * SkinnyWidth, 256)];
        fixed (float* pb = packed)
        {
            for (int p = 0; p < k; p++)
                for (int j = 0; j < SkinnyWidth; j++)
                    pb[p * SkinnyWidth + j] = j < job.N ? job.B[(long)p * job.RsB + (long)j * job.CsB] : 0f;
            var run = new SkinnyJob<TRows> { A = job.A, B = pb, C = job.C, M = job.M, N = job.N, K = k, RsA = job.RsA, CsA = job.CsA, Accumulate = job.Accumulate, Rows = rows };
            int blocks = (job.M + SkinnyRows - 1) / SkinnyRows;
            if (parallel) Workers.ForRange(ref run, blocks, (long)SkinnyRows * SkinnyWidth * Math.Max(k, 1));
            else run.Run(0, blocks);
        }
    }

    /// <summary>
    /// Row blocks of a narrow product: per block of <see cref="SkinnyRows"/> rows and per <see cref="KC"/> steps of the
    /// contraction, each element's products summed by fused multiply-adds in the order of k from zero and then stored
    /// (or added to C), as the packed kernels do, so a result has the same bits on either path. An epilogue
    /// (<see cref="MatMulThen"/>) runs on every <see cref="SkinnyChunk"/> blocks' rows once they are final, while in cache.
    /// </summary>
    private struct SkinnyJob<TRows> : IRangeJob where TRows : struct, IRangeJob
    {
        public float* A, B, C;
        public int M, N, K, RsA, CsA;
        public bool Accumulate;
        public TRows Rows;

        public void Run(int lo, int hi)
        {
            for (int b0 = lo; b0 < hi; b0 += SkinnyChunk)
            {
                int b1 = Math.Min(hi, b0 + SkinnyChunk);
                Blocks(b0, b1);
                Rows.Run(b0 * SkinnyRows, Math.Min(M, b1 * SkinnyRows));
            }
        }

        private readonly void Blocks(int lo, int hi)
        {
            float* t = stackalloc float[SkinnyRows * SkinnyWidth];
            for (int blk = lo; blk < hi; blk++)
            {
                int i0 = blk * SkinnyRows, rows = Math.Min(SkinnyRows, M - i0);
                // Rows past the end repeat the last row (computed, not stored): one kernel without branches.
                float* a0 = A + (long)i0 * RsA, a1 = A + (long)(i0 + Math.Min(1, rows - 1)) * RsA, a2 = A + (long)(i0 + Math.Min(2, rows - 1)) * RsA,
                    a3 = A + (long)(i0 + Math.Min(3, rows - 1)) * RsA, a4 = A + (long)(i0 + Math.Min(4, rows - 1)) * RsA, a5 = A + (long)(i0 + Math.Min(5, rows - 1)) * RsA;
                for (int pc = 0; pc < K; pc += KC)
                {
                    int p1 = Math.Min(K, pc + KC);
                    Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default,
                        c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
                    for (int p = pc; p < p1; p++)
                    {
                        float* b = B + p * SkinnyWidth;
                        var b0 = Vector256.Load(b);
                        var b1 = Vector256.Load(b + 8);
                        long o = (long)p * CsA;
                        Vector256<float> x;
                        x = Vector256.Create(a0[o]); c00 = Vector256.FusedMultiplyAdd(x, b0, c00); c01 = Vector256.FusedMultiplyAdd(x, b1, c01);
                        x = Vector256.Create(a1[o]); c10 = Vector256.FusedMultiplyAdd(x, b0, c10); c11 = Vector256.FusedMultiplyAdd(x, b1, c11);
                        x = Vector256.Create(a2[o]); c20 = Vector256.FusedMultiplyAdd(x, b0, c20); c21 = Vector256.FusedMultiplyAdd(x, b1, c21);
                        x = Vector256.Create(a3[o]); c30 = Vector256.FusedMultiplyAdd(x, b0, c30); c31 = Vector256.FusedMultiplyAdd(x, b1, c31);
                        x = Vector256.Create(a4[o]); c40 = Vector256.FusedMultiplyAdd(x, b0, c40); c41 = Vector256.FusedMultiplyAdd(x, b1, c41);
                        x = Vector256.Create(a5[o]); c50 = Vector256.FusedMultiplyAdd(x, b0, c50); c51 = Vector256.FusedMultiplyAdd(x, b1, c51);
                    }
                    bool add = Accumulate || pc > 0;
                    float* c = C + (long)i0 * N;
                    if (N == SkinnyWidth && rows == SkinnyRows)
                    {
                        Store(c, c00, c01, add); Store(c + N, c10, c11, add); Store(c + 2 * N, c20, c21, add);
                        Store(c + 3 * N, c30, c31, add); Store(c + 4 * N, c40, c41, add); Store(c + 5 * N, c50, c51, add);
                        continue;
                    }
                    Vector256.Store(c00, t); Vector256.Store(c01, t + 8); Vector256.Store(c10, t + 16); Vector256.Store(c11, t + 24);
                    Vector256.Store(c20, t + 32); Vector256.Store(c21, t + 40); Vector256.Store(c30, t + 48); Vector256.Store(c31, t + 56);
                    Vector256.Store(c40, t + 64); Vector256.Store(c41, t + 72); Vector256.Store(c50, t + 80); Vector256.Store(c51, t + 88);
                    Edge(t, SkinnyWidth, c, N, rows, N, add);
                }
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Store(float* c, Vector256<float> lo, Vector256<float> hi, bool add)
        {
            if (add) { lo += Vector256.Load(c); hi += Vector256.Load(c + 8); }
            Vector256.Store(lo, c);
            Vector256.Store(hi, c + 8);
        }
    }

    /// <summary>The floats <see cref="PackB(bool, int, int, ReadOnlySpan{float}, Span{float})"/> writes for op(B) of k rows and n columns.</summary>
    public static int PackedLength(int n, int k) => checked((n + NR - 1) / NR * NR * k);

    /// <summary>
    /// Packs op(B) [k, n] once for many products with different A (a loop's weight, the same at every step): the
    /// micro-panels <see cref="MatMulPacked"/> reads, KC rows by NR columns, in place of the packing every plain call
    /// does. For a product with few rows of A (a recurrent step: the batch) packing B costs more than the multiply.
    /// The layout belongs to the microkernel chosen when packing (<see cref="UseAvx512"/>).
    /// </summary>
    public static void PackB(bool transB, int n, int k, ReadOnlySpan<float> b, Span<float> packed)
    {
        if (n < 1 || k < 1) throw new ArgumentException($"A packed matrix needs n >= 1 and k >= 1, got n={n}, k={k}.");
        if ((long)k * n > b.Length || PackedLength(n, k) > packed.Length)
            throw new ArgumentException($"PackB: B has {b.Length} floats (needs {(long)k * n}), the packed buffer {packed.Length} (needs {PackedLength(n, k)}).");
        fixed (float* pb = b, dst = packed)
        {
            var pack = new PackBJob { B = pb, Rs = transB ? 1 : n, Cs = transB ? k : 1, N = n, K = k, Nr = NR, Dst = dst, Parts = 1 };
            for (int block = 0; block < pack.Tasks; block++) pack.Run(block);
        }
    }

    /// <summary>C = op(A) · B (+ C when accumulating) with B packed by <see cref="PackB(bool, int, int, ReadOnlySpan{float}, Span{float})"/>; split over the workers like <see cref="MatMul(bool, bool, int, int, int, int, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, bool)"/>.</summary>
    public static void MatMulPacked(bool transA, int m, int n, int k, ReadOnlySpan<float> a, ReadOnlySpan<float> packedB, Span<float> c, bool accumulate = false)
    {
        if (m < 0 || n < 1 || k < 1 || (long)m * k > a.Length || PackedLength(n, k) > packedB.Length || (long)m * n > c.Length)
            throw new ArgumentException($"MatMulPacked: m={m}, n={n}, k={k} with A of {a.Length} floats, packed B of {packedB.Length} (needs {PackedLength(n, k)}), C of {c.Length}.");
        if (m == 0) return;
        fixed (float* pa = a, pb = packedB, pc = c)
        {
            var job = new Job
            {
                A = pa, Packed = pb, C = pc, Batch = 1, M = m, N = n, K = k, K0 = 0, K1 = k, Accumulate = accumulate, Kc = KC, Mc = MC, // the packed layout's blocks
                RsA = transA ? 1 : k, CsA = transA ? m : 1,
            };
            job.Plan((long)m * n * k >= ParallelMacs ? Workers.Threads : 1);
            if (job.Tasks == 1) job.Run(0);
            else Workers.For(job.Tasks, ref job);
        }
    }

    /// <summary>One GEMM call: operands by pointer and strides, cut into tasks (batch items or ranges of C).</summary>
    private struct Job : IParallelJob
    {
        public float* A, B, C;
        public float* Packed; // op(B) already packed (MatMulPacked): B and its strides are unused
        public int Batch, M, N, K, RsA, CsA, RsB, CsB;
        public bool Accumulate;
        public int Tasks, SplitM, SplitN; // tasks = batch items × SplitM × SplitN (or batch ranges when SplitM = SplitN = 0)
        public int BatchPerTask;
        public int K0, K1; // the contraction range this job covers (all of K unless split)
        public int Kc, Mc; // the block sizes: KC and MC, or the large products' (see Large)

        public void Plan(int threads)
        {
            SplitM = SplitN = 1;
            BatchPerTask = 1;
            if (threads <= 1) { Tasks = 1; BatchPerTask = Batch; SplitM = SplitN = 0; return; }
            if (Batch >= threads)
            {
                BatchPerTask = (Batch + threads * 2 - 1) / (threads * 2); // a few tasks per thread for balance
                Tasks = (Batch + BatchPerTask - 1) / BatchPerTask;
                SplitM = SplitN = 0;
                return;
            }
            int nr = NR, mr = MR;
            int nBlocks = (N + nr - 1) / nr, mBlocks = (M + mr - 1) / mr;
            if (N == 1 || M == 1) { SplitM = M == 1 ? 1 : threads; SplitN = M == 1 ? threads : 1; }
            else if (nBlocks >= threads && (nBlocks >= mBlocks || mBlocks < threads)) SplitN = threads;
            else if (mBlocks >= threads) SplitM = threads;
            Tasks = Batch * SplitM * SplitN;
        }

        public void Run(int task)
        {
            if (SplitM == 0)
            {
                int p0 = task * BatchPerTask, p1 = Math.Min(Batch, p0 + BatchPerTask);
                for (int p = p0; p < p1; p++) Item(p, 0, M, 0, N);
                return;
            }
            int parts = SplitM * SplitN;
            int item = task / parts, part = task % parts;
            int pm = part / SplitN, pn = part % SplitN;
            var (m0, m1) = Range(M, SplitM, pm, N == 1 && Packed == null ? 16 : MR);
            var (n0, n1) = Range(N, SplitN, pn, M == 1 && Packed == null ? 16 : NR); // packed panels start on NR columns
            if (m0 < m1 && n0 < n1) Item(item, m0, m1, n0, n1);
        }

        private void Item(int p, int m0, int m1, int n0, int n1)
        {
            float* a = A + (long)p * M * K, b = B + (long)p * K * N, c = C + (long)p * M * N;
            if (K == 0)
            {
                if (!Accumulate)
                    for (int i = m0; i < m1; i++) new Span<float>(c + (long)i * N + n0, n1 - n0).Clear();
                return;
            }
            if (Packed == null && N == 1) { Gemv(a, RsA, CsA, b, RsB, c, 1, m0, m1, K, Accumulate); return; }
            if (Packed == null && M == 1) { Gemv(b, CsB, RsB, a, CsA, c, 1, n0, n1, K, Accumulate); return; }
            Blocked(a, b, c, m0, m1, n0, n1);
        }

        public void Blocked(float* a, float* b, float* c, int m0, int m1, int n0, int n1)
        {
            var none = new NoRows();
            Blocked(a, b, c, m0, m1, n0, n1, ref none);
        }

        /// <summary>
        /// The product's block [m0, m1) × [n0, n1); with <paramref name="then"/> (an epilogue: see <see cref="MatMulThen"/>),
        /// each block of rows is handed to it as soon as its last contraction block is stored, while it is in cache
        /// (the caller passes whole rows, n0 = 0 and n1 = N, of a product no wider than NC).
        /// </summary>
        public void Blocked<TRows>(float* a, float* b, float* c, int m0, int m1, int n0, int n1, ref TRows then) where TRows : struct, IRangeJob
        {
            int mr = MR, nr = NR;
            int KC = Kc, MC = Mc;
            // Sized by the block sizes alone (not by the columns this task got), so a thread's buffers stop growing after
            // its first product of each kind, whichever tasks it is handed.
            var packA = _packA ??= new float[Math.Max(Gemm.MC * Gemm.KC, MCLarge * KCLarge) + 64]; // either blocking's A block
            var packB = Packed != null ? packA : _packB is { } ob && ob.Length >= KC * NC + 64 ? ob : _packB = new float[KC * NC + 64];
            fixed (float* pa0 = packA, pb0 = packB)
            {
                float* pa = Align(pa0), pb = Align(pb0);
                for (int jc = n0; jc < n1; jc += NC)
                {
                    int nc = Math.Min(NC, n1 - jc);
                    for (int pc = K0; pc < K1; pc += KC)
                    {
                        int kc = Math.Min(KC, K1 - pc);
                        bool add = Accumulate || pc > K0;
                        if (Packed != null) pb = Packed + (long)pc * ((N + nr - 1) / nr * nr) + (long)jc * kc; // jc is a multiple of NR
                        else PackB(b, RsB, CsB, pc, kc, jc, nc, nr, pb);
                        for (int ic = m0; ic < m1; ic += MC)
                        {
                            int mc = Math.Min(MC, m1 - ic);
                            PackA(a, RsA, CsA, ic, mc, pc, kc, mr, pa);
                            for (int jr = 0; jr < nc; jr += nr)
                            {
                                int cols = Math.Min(nr, nc - jr);
                                for (int ir = 0; ir < mc; ir += mr)
                                {
                                    int rows = Math.Min(mr, mc - ir);
                                    float* ct = c + (long)(ic + ir) * N + jc + jr;
                                    if (UseAvx512) Kernel12x32(kc, pa + ir * kc, pb + jr * kc, ct, N, rows, cols, add);
                                    else Kernel6x16(kc, pa + ir * kc, pb + jr * kc, ct, N, rows, cols, add);
                                }
                            }
                            if (pc + kc >= K1 && jc + nc >= n1) then.Run(ic, ic + mc); // these rows are final
                        }
                    }
                }
            }
        }
    }

    /// <summary>Range <paramref name="index"/> of [0, total) cut into <paramref name="parts"/> near-equal ranges on multiples of <paramref name="unit"/>.</summary>
    private static (int, int) Range(int total, int parts, int index, int unit)
    {
        int units = (total + unit - 1) / unit;
        int lo = (int)((long)units * index / parts) * unit, hi = (int)((long)units * (index + 1) / parts) * unit;
        return (Math.Min(lo, total), Math.Min(hi, total));
    }

    [ThreadStatic] private static float[]? _partials;

    private static void SplitContraction(ref Job job, int parts, bool outer = false)
    {
        int size = job.M * job.N;
        var scratch = _partials is { } buf && buf.Length >= parts * size ? buf : _partials = new float[Math.Max(parts * size, 1024)];
        fixed (float* ps = scratch)
        {
            var split = new ContractionJob { Job = job, Partials = ps, Parts = parts, Outer = outer };
            Workers.For(parts, ref split);
            float* c = job.C;
            for (int i = 0; i < size; i++)
            {
                float sum = job.Accumulate ? c[i] : 0;
                for (int p = 0; p < parts; p++) sum += ps[(long)p * size + i];
                c[i] = sum;
            }
        }
    }

    private struct ContractionJob : IParallelJob
    {
        public Job Job;
        public float* Partials;
        public int Parts;
        public bool Outer;

        public void Run(int task)
        {
            var part = Job;
            (part.K0, part.K1) = Range(Job.K, Parts, task, KC); // whole KC blocks, as the unsplit product packs them
            part.Accumulate = false;
            float* partial = Partials + (long)task * Job.M * Job.N;
            if (part.K0 == part.K1) new Span<float>(partial, Job.M * Job.N).Clear(); // only when GRAPHNET_GEMM_KC is set above K / parts
            else if (Outer) OuterProducts(in part, partial);
            else part.Blocked(Job.A, Job.B, partial, 0, Job.M, 0, Job.N);
        }
    }

    /// <summary>
    /// C[M, N] (dense, overwritten) = Σ over the job's K range of op(A)[:, p] ⊗ B[p, :], B stored row by row: per tile of
    /// 6 rows × 32 columns (16 without AVX-512) the rows of B stream through and each step adds A's 6 values times
    /// them; every element is the same chain of fused multiply-adds in p order whatever the vector width.
    /// </summary>
    private static void OuterProducts(in Job job, float* c)
    {
        int width = UseAvx512 ? 32 : 16;
        for (int i0 = 0; i0 < job.M; i0 += 6)
            for (int j0 = 0; j0 < job.N; j0 += width)
            {
                int rows = Math.Min(6, job.M - i0), cols = Math.Min(width, job.N - j0);
                float* a = job.A + (long)i0 * job.RsA + (long)job.K0 * job.CsA, b = job.B + (long)job.K0 * job.RsB + j0;
                float* tile = c + (long)i0 * job.N + j0;
                if (UseAvx512) OuterTile512(job.K1 - job.K0, a, job.RsA, job.CsA, rows, b, job.RsB, cols, tile, job.N);
                else OuterTile256(job.K1 - job.K0, a, job.RsA, job.CsA, rows, b, job.RsB, cols, tile, job.N);
            }
    }

    /// <summary>One tile of <see cref="OuterProducts"/>: a at op(A)[i0, k0] (rows rsA apart, steps csA apart), b at B[k0, j0] (rows rsB apart).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void OuterTile512(int steps, float* a, long rsA, long csA, int rows, float* b, long rsB, int cols, float* c, int ldc)
    {
        float* t = stackalloc float[6 * 32]; // before the loop: its zeroing is a call, which would spill the accumulators
        // Rows past the result's repeat its last row (their sums are dropped); masked loads read nothing past the columns.
        long a1 = Math.Min(1, rows - 1) * rsA, a2 = Math.Min(2, rows - 1) * rsA, a3 = Math.Min(3, rows - 1) * rsA,
            a4 = Math.Min(4, rows - 1) * rsA, a5 = Math.Min(5, rows - 1) * rsA;
        var lanes = Vector512.Create(0f, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        var m0 = Vector512.LessThan(lanes, Vector512.Create((float)cols));
        var m1 = Vector512.LessThan(lanes + Vector512.Create(16f), Vector512.Create((float)cols));
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default,
            c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int q = 0; q < steps; q++)
        {
            var b0 = Avx512F.MaskLoad(b, m0, Vector512<float>.Zero);
            var b1 = Avx512F.MaskLoad(b + 16, m1, Vector512<float>.Zero);
            Vector512<float> x;
            x = Vector512.Create(a[0]); c00 = Vector512.FusedMultiplyAdd(x, b0, c00); c01 = Vector512.FusedMultiplyAdd(x, b1, c01);
            x = Vector512.Create(a[a1]); c10 = Vector512.FusedMultiplyAdd(x, b0, c10); c11 = Vector512.FusedMultiplyAdd(x, b1, c11);
            x = Vector512.Create(a[a2]); c20 = Vector512.FusedMultiplyAdd(x, b0, c20); c21 = Vector512.FusedMultiplyAdd(x, b1, c21);
            x = Vector512.Create(a[a3]); c30 = Vector512.FusedMultiplyAdd(x, b0, c30); c31 = Vector512.FusedMultiplyAdd(x, b1, c31);
            x = Vector512.Create(a[a4]); c40 = Vector512.FusedMultiplyAdd(x, b0, c40); c41 = Vector512.FusedMultiplyAdd(x, b1, c41);
            x = Vector512.Create(a[a5]); c50 = Vector512.FusedMultiplyAdd(x, b0, c50); c51 = Vector512.FusedMultiplyAdd(x, b1, c51);
            a += csA;
            b += rsB;
        }
        Vector512.Store(c00, t + 0); Vector512.Store(c01, t + 16); Vector512.Store(c10, t + 32); Vector512.Store(c11, t + 48);
        Vector512.Store(c20, t + 64); Vector512.Store(c21, t + 80); Vector512.Store(c30, t + 96); Vector512.Store(c31, t + 112);
        Vector512.Store(c40, t + 128); Vector512.Store(c41, t + 144); Vector512.Store(c50, t + 160); Vector512.Store(c51, t + 176);
        Edge(t, 32, c, ldc, rows, cols, add: false);
    }

    /// <summary>One tile of <see cref="OuterProducts"/>: a at op(A)[i0, k0] (rows rsA apart, steps csA apart), b at B[k0, j0] (rows rsB apart).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void OuterTile256(int steps, float* a, long rsA, long csA, int rows, float* b, long rsB, int cols, float* c, int ldc)
    {
        float* t = stackalloc float[6 * 16]; // before the loop: its zeroing is a call, which would spill the accumulators
        // Rows past the result's repeat its last row (their sums are dropped); masked loads read nothing past the columns.
        long a1 = Math.Min(1, rows - 1) * rsA, a2 = Math.Min(2, rows - 1) * rsA, a3 = Math.Min(3, rows - 1) * rsA,
            a4 = Math.Min(4, rows - 1) * rsA, a5 = Math.Min(5, rows - 1) * rsA;
        var lanes = Vector256.Create(0f, 1, 2, 3, 4, 5, 6, 7);
        var m0 = Vector256.LessThan(lanes, Vector256.Create((float)cols));
        var m1 = Vector256.LessThan(lanes + Vector256.Create(8f), Vector256.Create((float)cols));
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default,
            c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int q = 0; q < steps; q++)
        {
            var b0 = Avx.MaskLoad(b, m0);
            var b1 = Avx.MaskLoad(b + 8, m1);
            Vector256<float> x;
            x = Vector256.Create(a[0]); c00 = Vector256.FusedMultiplyAdd(x, b0, c00); c01 = Vector256.FusedMultiplyAdd(x, b1, c01);
            x = Vector256.Create(a[a1]); c10 = Vector256.FusedMultiplyAdd(x, b0, c10); c11 = Vector256.FusedMultiplyAdd(x, b1, c11);
            x = Vector256.Create(a[a2]); c20 = Vector256.FusedMultiplyAdd(x, b0, c20); c21 = Vector256.FusedMultiplyAdd(x, b1, c21);
            x = Vector256.Create(a[a3]); c30 = Vector256.FusedMultiplyAdd(x, b0, c30); c31 = Vector256.FusedMultiplyAdd(x, b1, c31);
            x = Vector256.Create(a[a4]); c40 = Vector256.FusedMultiplyAdd(x, b0, c40); c41 = Vector256.FusedMultiplyAdd(x, b1, c41);
            x = Vector256.Create(a[a5]); c50 = Vector256.FusedMultiplyAdd(x, b0, c50); c51 = Vector256.FusedMultiplyAdd(x, b1, c51);
            a += csA;
            b += rsB;
        }
        Vector256.Store(c00, t + 0); Vector256.Store(c01, t + 8); Vector256.Store(c10, t + 16); Vector256.Store(c11, t + 24);
        Vector256.Store(c20, t + 32); Vector256.Store(c21, t + 40); Vector256.Store(c30, t + 48); Vector256.Store(c31, t + 56);
        Vector256.Store(c40, t + 64); Vector256.Store(c41, t + 72); Vector256.Store(c50, t + 80); Vector256.Store(c51, t + 88);
        Edge(t, 16, c, ldc, rows, cols, add: false);
    }

    /// <summary>
    /// y[0..len) (+)= Σ_q x[q·xs] · R[q, 0..len) for k stored rows of stride rs: each of <paramref name="parts"/> ranges
    /// of rows is summed into its own partial vector (in L1 for the lengths this serves) by whichever of the pool's
    /// threads takes it, then the partials add up in order.
    /// </summary>
    private static void CombineRows(float* rows, int rs, int len, float* x, int xs, int k, float* y, int ys, bool accumulate, int parts)
    {
        int stride = (len + 15) & ~15;
        var scratch = _partials is { } buf && buf.Length >= parts * stride ? buf : _partials = new float[Math.Max(parts * stride, 1024)];
        fixed (float* ps = scratch)
        {
            var job = new CombineJob { Rows = rows, Rs = rs, Len = len, X = x, Xs = xs, K = k, Partials = ps, Stride = stride, Parts = parts };
            Workers.For(parts, ref job);
            for (int j = 0; j < len; j++)
            {
                float sum = accumulate ? y[j * ys] : 0;
                for (int p = 0; p < parts; p++) sum += ps[p * stride + j];
                y[j * ys] = sum;
            }
        }
    }

    private struct CombineJob : IParallelJob
    {
        public float* Rows, X, Partials;
        public int Rs, Len, Xs, K, Stride, Parts;

        public void Run(int task)
        {
            int q0 = (int)((long)K * task / Parts), q1 = (int)((long)K * (task + 1) / Parts);
            float* y = Partials + task * Stride;
            new Span<float>(y, Len).Clear();
            AddRows(Rows, Rs, Len, X, Xs, q0, q1, y);
        }
    }

    /// <summary>Rows per block of a row pipeline: x's block (a few hundred KB at most) stays in L2 while it is read twice.</summary>
    private const int PipelineBlock = 256, PipelineRowsPerPart = 2048;

    /// <summary>
    /// A row pipeline (the compiler's <c>RowPipelines</c>): z = x·w, then <paramref name="rows"/> (the kernels that make r
    /// from z row by row), then g = xᵀ·r, one block of rows at a time, so x [n, d] is streamed once instead of twice.
    /// The rows are cut into parts by n alone (each part's xᵀ·r summed on its own, the parts added in order), so the
    /// result does not depend on the thread count; z's rows are the plain product's bits.
    /// </summary>
    public static void RowPipeline<TRows>(ref TRows rows, int n, int d, ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> z,
        ReadOnlySpan<float> r, Span<float> g) where TRows : struct, IRangeJob
    {
        if (n < 0 || d < 0 || (long)n * d > x.Length || w.Length < d || z.Length < n || r.Length < n || g.Length < d)
            throw new ArgumentException($"Row pipeline operands too small for n={n}, d={d}: x has {x.Length} floats (needs {(long)n * d}), "
                + $"w {w.Length} ({d}), z {z.Length} ({n}), r {r.Length} ({n}), g {g.Length} ({d}).");
        int parts = Math.Clamp(n / PipelineRowsPerPart, 1, MaxParts), stride = (d + 15) & ~15;
        var scratch = _partials is { } buf && buf.Length >= parts * stride ? buf : _partials = new float[Math.Max(parts * stride, 1024)];
        fixed (float* px = x, pw = w, pz = z, pr = r, pg = g, ps = scratch)
        {
            var job = new PipelineJob<TRows> { Rows = rows, X = px, W = pw, Z = pz, R = pr, Partials = ps, N = n, D = d, Stride = stride, Parts = parts };
            if (parts == 1 || (long)n * d < ParallelMacs) for (int p = 0; p < parts; p++) job.Run(p);
            else Workers.For(parts, ref job);
            for (int j = 0; j < d; j++)
            {
                float sum = 0;
                for (int p = 0; p < parts; p++) sum += ps[p * stride + j];
                pg[j] = sum;
            }
        }
    }

    private struct PipelineJob<TRows> : IParallelJob where TRows : struct, IRangeJob
    {
        public TRows Rows;
        public float* X, W, Z, R, Partials;
        public int N, D, Stride, Parts;

        public void Run(int task)
        {
            int i0 = (int)((long)N * task / Parts), i1 = (int)((long)N * (task + 1) / Parts);
            float* y = Partials + task * Stride;
            new Span<float>(y, D).Clear();
            var rows = Rows;
            for (int lo = i0; lo < i1; lo += PipelineBlock)
            {
                int hi = Math.Min(i1, lo + PipelineBlock);
                for (int i = lo; i < hi; i++) Z[i] = Dot(X + (long)i * D, W, 1, D);
                rows.Run(lo, hi);
                AddRows4(X, D, R, lo, hi, y);
            }
        }
    }

    /// <summary>y[0..d) += Σ_{i in [lo, hi)} r[i] · x[i, 0..d), four rows per pass over y (a row pipeline's partial xᵀ·r).</summary>
    private static void AddRows4(float* x, int d, float* r, int lo, int hi, float* y)
    {
        int i = lo;
        for (; i + 4 <= hi; i += 4)
        {
            float* x0 = x + (long)i * d, x1 = x0 + d, x2 = x1 + d, x3 = x2 + d;
            float s0 = r[i], s1 = r[i + 1], s2 = r[i + 2], s3 = r[i + 3];
            int j = 0;
            if (Vector512.IsHardwareAccelerated)
            {
                Vector512<float> v0 = Vector512.Create(s0), v1 = Vector512.Create(s1), v2 = Vector512.Create(s2), v3 = Vector512.Create(s3);
                for (; j <= d - 16; j += 16)
                {
                    var acc = Vector512.Load(y + j);
                    acc = Vector512.FusedMultiplyAdd(v0, Vector512.Load(x0 + j), acc);
                    acc = Vector512.FusedMultiplyAdd(v1, Vector512.Load(x1 + j), acc);
                    acc = Vector512.FusedMultiplyAdd(v2, Vector512.Load(x2 + j), acc);
                    acc = Vector512.FusedMultiplyAdd(v3, Vector512.Load(x3 + j), acc);
                    Vector512.Store(acc, y + j);
                }
            }
            else
            {
                Vector256<float> v0 = Vector256.Create(s0), v1 = Vector256.Create(s1), v2 = Vector256.Create(s2), v3 = Vector256.Create(s3);
                for (; j <= d - 8; j += 8)
                {
                    var acc = Vector256.Load(y + j);
                    acc = Vector256.FusedMultiplyAdd(v0, Vector256.Load(x0 + j), acc);
                    acc = Vector256.FusedMultiplyAdd(v1, Vector256.Load(x1 + j), acc);
                    acc = Vector256.FusedMultiplyAdd(v2, Vector256.Load(x2 + j), acc);
                    acc = Vector256.FusedMultiplyAdd(v3, Vector256.Load(x3 + j), acc);
                    Vector256.Store(acc, y + j);
                }
            }
            for (; j < d; j++) y[j] = MathF.FusedMultiplyAdd(s3, x3[j], MathF.FusedMultiplyAdd(s2, x2[j], MathF.FusedMultiplyAdd(s1, x1[j], MathF.FusedMultiplyAdd(s0, x0[j], y[j]))));
        }
        for (; i < hi; i++)
        {
            float* xi = x + (long)i * d;
            for (int j = 0; j < d; j++) y[j] = MathF.FusedMultiplyAdd(r[i], xi[j], y[j]);
        }
    }

    /// <summary>A range job that does nothing (a row pipeline whose r needs no kernel of z).</summary>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public struct NoRows : IRangeJob
    {
        /// <summary>Does nothing.</summary>
        public readonly void Run(int lo, int hi) { }
    }

    private static float* Align(float* p) => (float*)(((nuint)p + 63) & ~(nuint)63);

    /// <summary>op(A)[i0..i0+mc, p0..p0+kc] into MR-row micro-panels: panel r holds, for each q, its MR rows' values.</summary>
    private static void PackA(float* a, int rs, int cs, int i0, int mc, int p0, int kc, int mr, float* dst)
    {
        for (int ir = 0; ir < mc; ir += mr)
        {
            int rows = Math.Min(mr, mc - ir);
            float* d = dst + ir * kc;
            if (cs == 1 && rows == mr && mr % 4 == 0 && Sse.IsSupported)
            {
                // row-major A, full panel: 4×4 blocks transposed in registers (4 loads, 8 shuffles, 4 stores per 16 floats)
                int q4 = kc & ~3;
                for (int r = 0; r < mr; r += 4)
                {
                    float* s0 = a + (long)(i0 + ir + r) * rs + p0, s1 = s0 + rs, s2 = s1 + rs, s3 = s2 + rs;
                    for (int q = 0; q < q4; q += 4)
                    {
                        var r0 = Sse.LoadVector128(s0 + q); var r1 = Sse.LoadVector128(s1 + q);
                        var r2 = Sse.LoadVector128(s2 + q); var r3 = Sse.LoadVector128(s3 + q);
                        var t0 = Sse.UnpackLow(r0, r1); var t1 = Sse.UnpackLow(r2, r3);
                        var t2 = Sse.UnpackHigh(r0, r1); var t3 = Sse.UnpackHigh(r2, r3);
                        float* o = d + q * mr + r;
                        Sse.Store(o, Sse.MoveLowToHigh(t0, t1));
                        Sse.Store(o + mr, Sse.MoveHighToLow(t1, t0));
                        Sse.Store(o + 2 * mr, Sse.MoveLowToHigh(t2, t3));
                        Sse.Store(o + 3 * mr, Sse.MoveHighToLow(t3, t2));
                    }
                    for (int q = q4; q < kc; q++)
                    {
                        d[q * mr + r] = s0[q]; d[q * mr + r + 1] = s1[q]; d[q * mr + r + 2] = s2[q]; d[q * mr + r + 3] = s3[q];
                    }
                }
            }
            else if (cs == 1)
            {
                // row-major A, partial panel: read each row contiguously, write with stride mr
                for (int r = 0; r < rows; r++)
                {
                    float* src = a + (long)(i0 + ir + r) * rs + p0;
                    for (int q = 0; q < kc; q++) d[q * mr + r] = src[q];
                }
            }
            else
            {
                // transposed A: the mr values of one q are contiguous
                for (int q = 0; q < kc; q++)
                {
                    float* src = a + (long)(p0 + q) * cs + (i0 + ir);
                    if (rows == 12)
                    {
                        Vector256.Store(Vector256.Load(src), d + q * 12);
                        Vector128.Store(Vector128.Load(src + 8), d + q * 12 + 8);
                        continue;
                    }
                    for (int r = 0; r < rows; r++) d[q * mr + r] = src[r];
                }
            }
            if (rows < mr)
                for (int q = 0; q < kc; q++)
                    for (int r = rows; r < mr; r++) d[q * mr + r] = 0;
        }
    }

    /// <summary>op(B)[p0..p0+kc, j0..j0+nc] into NR-column micro-panels: panel j holds, for each q, its NR columns' values.</summary>
    private static void PackB(float* b, int rs, int cs, int p0, int kc, int j0, int nc, int nr, float* dst)
    {
        for (int jr = 0; jr < nc; jr += nr)
        {
            int cols = Math.Min(nr, nc - jr);
            float* d = dst + jr * kc;
            if (cs == 1 && cols == nr)
            {
                for (int q = 0; q < kc; q++)
                {
                    float* src = b + (long)(p0 + q) * rs + j0 + jr;
                    if (nr == 32)
                    {
                        Vector512.Store(Vector512.Load(src), d + q * 32);
                        Vector512.Store(Vector512.Load(src + 16), d + q * 32 + 16);
                    }
                    else
                    {
                        Vector256.Store(Vector256.Load(src), d + q * 16);
                        Vector256.Store(Vector256.Load(src + 8), d + q * 16 + 8);
                    }
                }
                continue;
            }
            if (cs == 1)
            {
                for (int q = 0; q < kc; q++)
                {
                    float* src = b + (long)(p0 + q) * rs + j0 + jr;
                    int j = 0;
                    for (; j < cols; j++) d[q * nr + j] = src[j];
                    for (; j < nr; j++) d[q * nr + j] = 0;
                }
                continue;
            }
            // transposed B: column j of op(B) is contiguous along q
            for (int j = 0; j < cols; j++)
            {
                float* src = b + (long)(j0 + jr + j) * cs + p0;
                for (int q = 0; q < kc; q++) d[q * nr + j] = src[q];
            }
            for (int j = cols; j < nr; j++)
                for (int q = 0; q < kc; q++) d[q * nr + j] = 0;
        }
    }

    /// <summary>
    /// y[i] (+)= Σ_q M(i, q)·x[q·xs] for i in [i0, i1), M(i, q) = m[i·rs + q·cs]. Rows contiguous (cs = 1): one dot
    /// product per row; otherwise (M stored transposed) rows of the stored matrix are scaled and added.
    /// </summary>
    private static void Gemv(float* mat, int rs, int cs, float* x, int xs, float* y, int ys, int i0, int i1, int k, bool accumulate)
    {
        if (cs == 1)
        {
            for (int i = i0; i < i1; i++)
            {
                float s = Dot(mat + (long)i * rs, x, xs, k);
                y[i * ys] = accumulate ? y[i * ys] + s : s;
            }
            return;
        }
        // stored [k, ...] with rs == 1: y[i0..i1) += x[q] * row q
        int len = i1 - i0;
        float* yy = y + i0;
        if (!accumulate) new Span<float>(yy, len).Clear();
        AddRows(mat + i0, cs, len, x, xs, 0, k, yy);
    }

    /// <summary>y[0..len) += Σ_{q in [q0, q1)} x[q·xs] · rows[q·rs + 0..len).</summary>
    private static void AddRows(float* rows, int rs, int len, float* x, int xs, int q0, int q1, float* y)
    {
        for (int q = q0; q < q1; q++)
        {
            float s = x[(long)q * xs];
            if (s != 0) Axpy(s, rows + (long)q * rs, y, len);
        }
    }

    private static float Dot(float* a, float* x, int xs, int k)
    {
        int q = 0;
        if (xs == 1 && Vector512.IsHardwareAccelerated)
        {
            var s0 = Vector512<float>.Zero; var s1 = Vector512<float>.Zero;
            for (; q <= k - 32; q += 32)
            {
                s0 = Vector512.FusedMultiplyAdd(Vector512.Load(a + q), Vector512.Load(x + q), s0);
                s1 = Vector512.FusedMultiplyAdd(Vector512.Load(a + q + 16), Vector512.Load(x + q + 16), s1);
            }
            for (; q <= k - 16; q += 16) s0 = Vector512.FusedMultiplyAdd(Vector512.Load(a + q), Vector512.Load(x + q), s0);
            float s = Vector512.Sum(s0 + s1);
            for (; q < k; q++) s += a[q] * x[q];
            return s;
        }
        float t = 0;
        for (; q < k; q++) t += a[q] * x[(long)q * xs];
        return t;
    }

    private static void Axpy(float s, float* x, float* y, int len)
    {
        int j = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var vs = Vector512.Create(s);
            for (; j <= len - 16; j += 16) Vector512.Store(Vector512.FusedMultiplyAdd(vs, Vector512.Load(x + j), Vector512.Load(y + j)), y + j);
        }
        else
        {
            var vs = Vector256.Create(s);
            for (; j <= len - 8; j += 8) Vector256.Store(Vector256.FusedMultiplyAdd(vs, Vector256.Load(x + j), Vector256.Load(y + j)), y + j);
        }
        for (; j < len; j++) y[j] += s * x[j];
    }

    /// <summary>
    /// C[0..rows, 0..cols] (+)= Apanel · Bpanel over kc steps: 12 rows × 32 columns in 24 zmm accumulators; per step
    /// 2 loads of B, 12 broadcasts of A, 24 FMAs.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel12x32(int kc, float* a, float* b, float* c, int ldc, int rows, int cols, bool add)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default,
            c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default,
            c60 = default, c61 = default, c70 = default, c71 = default, c80 = default, c81 = default,
            c90 = default, c91 = default, ca0 = default, ca1 = default, cb0 = default, cb1 = default;
        for (int q = 0; q < kc; q++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            Vector512<float> x;
            x = Vector512.Create(a[0]); c00 = Vector512.FusedMultiplyAdd(x, b0, c00); c01 = Vector512.FusedMultiplyAdd(x, b1, c01);
            x = Vector512.Create(a[1]); c10 = Vector512.FusedMultiplyAdd(x, b0, c10); c11 = Vector512.FusedMultiplyAdd(x, b1, c11);
            x = Vector512.Create(a[2]); c20 = Vector512.FusedMultiplyAdd(x, b0, c20); c21 = Vector512.FusedMultiplyAdd(x, b1, c21);
            x = Vector512.Create(a[3]); c30 = Vector512.FusedMultiplyAdd(x, b0, c30); c31 = Vector512.FusedMultiplyAdd(x, b1, c31);
            x = Vector512.Create(a[4]); c40 = Vector512.FusedMultiplyAdd(x, b0, c40); c41 = Vector512.FusedMultiplyAdd(x, b1, c41);
            x = Vector512.Create(a[5]); c50 = Vector512.FusedMultiplyAdd(x, b0, c50); c51 = Vector512.FusedMultiplyAdd(x, b1, c51);
            x = Vector512.Create(a[6]); c60 = Vector512.FusedMultiplyAdd(x, b0, c60); c61 = Vector512.FusedMultiplyAdd(x, b1, c61);
            x = Vector512.Create(a[7]); c70 = Vector512.FusedMultiplyAdd(x, b0, c70); c71 = Vector512.FusedMultiplyAdd(x, b1, c71);
            x = Vector512.Create(a[8]); c80 = Vector512.FusedMultiplyAdd(x, b0, c80); c81 = Vector512.FusedMultiplyAdd(x, b1, c81);
            x = Vector512.Create(a[9]); c90 = Vector512.FusedMultiplyAdd(x, b0, c90); c91 = Vector512.FusedMultiplyAdd(x, b1, c91);
            x = Vector512.Create(a[10]); ca0 = Vector512.FusedMultiplyAdd(x, b0, ca0); ca1 = Vector512.FusedMultiplyAdd(x, b1, ca1);
            x = Vector512.Create(a[11]); cb0 = Vector512.FusedMultiplyAdd(x, b0, cb0); cb1 = Vector512.FusedMultiplyAdd(x, b1, cb1);
            a += 12;
            b += 32;
        }
        if (rows == 12 && cols == 32)
        {
            Put(c, c00, c01, add); Put(c + ldc, c10, c11, add); Put(c + 2 * ldc, c20, c21, add); Put(c + 3 * ldc, c30, c31, add);
            Put(c + 4 * ldc, c40, c41, add); Put(c + 5 * ldc, c50, c51, add); Put(c + 6 * ldc, c60, c61, add); Put(c + 7 * ldc, c70, c71, add);
            Put(c + 8 * ldc, c80, c81, add); Put(c + 9 * ldc, c90, c91, add); Put(c + 10 * ldc, ca0, ca1, add); Put(c + 11 * ldc, cb0, cb1, add);
            return;
        }
        float* t = stackalloc float[12 * 32];
        Vector512.Store(c00, t); Vector512.Store(c01, t + 16); Vector512.Store(c10, t + 32); Vector512.Store(c11, t + 48);
        Vector512.Store(c20, t + 64); Vector512.Store(c21, t + 80); Vector512.Store(c30, t + 96); Vector512.Store(c31, t + 112);
        Vector512.Store(c40, t + 128); Vector512.Store(c41, t + 144); Vector512.Store(c50, t + 160); Vector512.Store(c51, t + 176);
        Vector512.Store(c60, t + 192); Vector512.Store(c61, t + 208); Vector512.Store(c70, t + 224); Vector512.Store(c71, t + 240);
        Vector512.Store(c80, t + 256); Vector512.Store(c81, t + 272); Vector512.Store(c90, t + 288); Vector512.Store(c91, t + 304);
        Vector512.Store(ca0, t + 320); Vector512.Store(ca1, t + 336); Vector512.Store(cb0, t + 352); Vector512.Store(cb1, t + 368);
        Edge(t, 32, c, ldc, rows, cols, add);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(float* c, Vector512<float> lo, Vector512<float> hi, bool add)
    {
        if (add) { lo += Vector512.Load(c); hi += Vector512.Load(c + 16); }
        Vector512.Store(lo, c);
        Vector512.Store(hi, c + 16);
    }

    /// <summary>The first rows × cols of a tile t (rows nr apart, nr a multiple of 16) stored to (or added to) C: by masked 16-lane moves where AVX-512 has them.</summary>
    private static void Edge(float* t, int nr, float* c, int ldc, int rows, int cols, bool add)
    {
        if (Avx512F.IsSupported)
        {
            var lanes = Vector512.Create(0f, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
            for (int j0 = 0; j0 < cols; j0 += 16)
            {
                var inside = Vector512.LessThan(lanes, Vector512.Create((float)(cols - j0)));
                for (int r = 0; r < rows; r++)
                {
                    float* to = c + (long)r * ldc + j0;
                    var v = Vector512.Load(t + r * nr + j0);
                    if (add) v = Avx512F.MaskLoad(to, inside, Vector512<float>.Zero) + v;
                    Avx512F.MaskStore(to, inside, v);
                }
            }
            return;
        }
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < cols; j++)
                c[(long)r * ldc + j] = add ? c[(long)r * ldc + j] + t[r * nr + j] : t[r * nr + j];
    }

    /// <summary>The AVX2 microkernel: 6 rows × 16 columns in 12 ymm accumulators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel6x16(int kc, float* a, float* b, float* c, int ldc, int rows, int cols, bool add)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default,
            c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int q = 0; q < kc; q++)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + 8);
            Vector256<float> x;
            x = Vector256.Create(a[0]); c00 = Vector256.FusedMultiplyAdd(x, b0, c00); c01 = Vector256.FusedMultiplyAdd(x, b1, c01);
            x = Vector256.Create(a[1]); c10 = Vector256.FusedMultiplyAdd(x, b0, c10); c11 = Vector256.FusedMultiplyAdd(x, b1, c11);
            x = Vector256.Create(a[2]); c20 = Vector256.FusedMultiplyAdd(x, b0, c20); c21 = Vector256.FusedMultiplyAdd(x, b1, c21);
            x = Vector256.Create(a[3]); c30 = Vector256.FusedMultiplyAdd(x, b0, c30); c31 = Vector256.FusedMultiplyAdd(x, b1, c31);
            x = Vector256.Create(a[4]); c40 = Vector256.FusedMultiplyAdd(x, b0, c40); c41 = Vector256.FusedMultiplyAdd(x, b1, c41);
            x = Vector256.Create(a[5]); c50 = Vector256.FusedMultiplyAdd(x, b0, c50); c51 = Vector256.FusedMultiplyAdd(x, b1, c51);
            a += 6;
            b += 16;
        }
        float* t = stackalloc float[6 * 16];
        Vector256.Store(c00, t); Vector256.Store(c01, t + 8); Vector256.Store(c10, t + 16); Vector256.Store(c11, t + 24);
        Vector256.Store(c20, t + 32); Vector256.Store(c21, t + 40); Vector256.Store(c30, t + 48); Vector256.Store(c31, t + 56);
        Vector256.Store(c40, t + 64); Vector256.Store(c41, t + 72); Vector256.Store(c50, t + 80); Vector256.Store(c51, t + 88);
        if (rows == 6 && cols == 16)
        {
            for (int r = 0; r < 6; r++)
            {
                var lo = Vector256.Load(t + r * 16); var hi = Vector256.Load(t + r * 16 + 8);
                float* cr = c + (long)r * ldc;
                if (add) { lo += Vector256.Load(cr); hi += Vector256.Load(cr + 8); }
                Vector256.Store(lo, cr); Vector256.Store(hi, cr + 8);
            }
            return;
        }
        Edge(t, 16, c, ldc, rows, cols, add);
    }
}
