using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace GraphNet.Runtime;

/// <summary>
/// Fused scaled dot-product attention over a batch of independent slices (a transformer's batch × heads):
/// q [Tq, D], k [Tk, D], v [Tk, Dv] per slice. The forward pass writes [Tq, Dv + 1] per slice: the output rows, then
/// each row's log-sum-exp of its scores. The [slices, Tq, Tk] weights never go to memory: a pool task scores a block
/// of 64 query rows against the keys they see (the packed GEMM) into a tile of 64 × Tk floats that stays in cache,
/// normalizes it there (each row whole, so no running rescale is needed while a row of scores fits in L2) and multiplies
/// it by v at once. The backward pass recomputes the same tiles from q, k and the saved log-sum-exp, as flash
/// attention does: one call for the query gradient, one for the key and value gradients (written side by side,
/// [Tk, D + Dv] per slice). A causal mask (key j ≤ query i) skips the keys after a block's last query.
/// Each output row is computed by one task in a fixed order, so results have the same bits on any thread count.
/// Called by generated code; not part of the user-facing API.
/// </summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public static unsafe class AttentionKernels
{
    /// <summary>16-lane loops for the weights' exponentials (default where AVX-512 runs); false: 8 lanes (tests run both).</summary>
    internal static bool Wide { get; set; } = Vector512.IsHardwareAccelerated;

    private const int Block = 64; // query rows (key rows for the key gradient) per pool task: 32 ran slower (each block packs the keys again)

    /// <summary>
    /// out[s, i, 0..Dv) = softmax_j(scale·q_i·k_j)·v, out[s, i, Dv] = log Σ_j exp(scale·q_i·k_j), over the keys row i
    /// sees (all, or j ≤ i when <paramref name="causal"/>).
    /// </summary>
    public static void Forward(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, Span<float> output,
        int batch, int tq, int tk, int d, int dv, float scale, bool causal)
    {
        Check(batch, tq, tk, d, dv, causal);
        Need(q.Length, "q", batch, (long)tq * d); Need(k.Length, "k", batch, (long)tk * d); Need(v.Length, "v", batch, (long)tk * dv);
        Need(output.Length, "output", batch, (long)tq * (dv + 1));
        fixed (float* pq = q, pk = k, pv = v, po = output)
        {
            var job = new Job { Mode = 0, Q = pq, K = pk, V = pv, Out = po, Tq = tq, Tk = tk, D = d, Dv = dv, Scale = scale, Causal = causal };
            Run(ref job, batch, tq);
        }
    }

    /// <summary>
    /// The gradient of <see cref="Forward"/>'s packed output, given it (<paramref name="output"/>) and the gradient of
    /// it (<paramref name="gradOutput"/>, both [batch, Tq, Dv + 1]): <paramref name="part"/> 0 the query gradient
    /// [batch, Tq, D]; 1 the key and value gradients side by side [batch, Tk, D + Dv]; 2 (Tq = Tk) all three side by side
    /// [batch, T, 2·D + Dv], one task per slice that recomputes each block of weights once.
    /// </summary>
    public static void Backward(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, ReadOnlySpan<float> output,
        ReadOnlySpan<float> gradOutput, Span<float> grad, int batch, int tq, int tk, int d, int dv, float scale, bool causal, int part)
    {
        if (part is < 0 or > 2) throw new ArgumentOutOfRangeException(nameof(part), part, "attention gradient: 0 queries, 1 keys and values, 2 all three.");
        if (part == 2 && tq != tk) throw new ArgumentException($"attention gradient: all three side by side needs as many queries as keys, got {tq} and {tk}.");
        Check(batch, tq, tk, d, dv, causal);
        Need(q.Length, "q", batch, (long)tq * d); Need(k.Length, "k", batch, (long)tk * d); Need(v.Length, "v", batch, (long)tk * dv);
        Need(output.Length, "output", batch, (long)tq * (dv + 1)); Need(gradOutput.Length, "output gradient", batch, (long)tq * (dv + 1));
        Need(grad.Length, "gradient", batch, part switch { 0 => (long)tq * d, 1 => (long)tk * (d + dv), _ => (long)tq * (2 * d + dv) });
        fixed (float* pq = q, pk = k, pv = v, po = output, pg = gradOutput, pd = grad)
        {
            var job = new Job { Mode = part + 1, Q = pq, K = pk, V = pv, O = po, G = pg, Out = pd, Tq = tq, Tk = tk, D = d, Dv = dv, Scale = scale, Causal = causal };
            Run(ref job, batch, part switch { 0 => tq, 1 => tk, _ => 1 });
        }
    }

    private static void Check(int batch, int tq, int tk, int d, int dv, bool causal)
    {
        if (batch < 0 || tq < 0 || tk < 0 || d < 1 || dv < 1)
            throw new ArgumentException($"attention: batch {batch}, {tq} queries, {tk} keys, {d} features and {dv} value features must not be negative (features at least 1).");
        if (causal && tq != tk) throw new ArgumentException($"causal attention needs as many queries as keys, got {tq} and {tk}.");
    }

    private static void Need(int length, string name, int batch, long perSlice)
    {
        if (length < batch * perSlice)
            throw new ArgumentException($"attention: the {name} buffer holds {length} floats, expected at least {batch * perSlice} ({batch} × {perSlice}).");
    }

    private static void Run(ref Job job, int batch, int rows)
    {
        int blocks = job.Mode == 3 ? 1 : (rows + Block - 1) / Block;
        long tasks = (long)batch * blocks;
        if (tasks == 0) return;
        job.Blocks = blocks;
        job.Extent = rows;
        long work = (long)batch * job.Tq * job.Tk * (job.D + job.Dv);
        if (tasks == 1 || work < Workers.SplitElements * 4)
            for (int t = 0; t < tasks; t++) job.Run(t);
        else Workers.For((int)tasks, ref job);
    }

    [ThreadStatic] private static float[]? _scratch;

    /// <summary>This thread's working buffer, grown when a call needs more (a warm step allocates nothing).</summary>
    private static float[] Scratch(long need) => _scratch is { } s && s.Length >= need ? s : (_scratch = new float[Math.Max(need, 4096)]);

    private struct Job : IParallelJob
    {
        public int Mode; // 0 forward, 1 query gradient, 2 key and value gradients, 3 all three
        public float* Q, K, V, O, G, Out;
        public int Tq, Tk, D, Dv, Blocks, Extent;
        public float Scale;
        public bool Causal;

        public void Run(int task)
        {
            if (Mode == 3)
            {
                fixed (float* p = Scratch(2L * Block * Tq + (long)Block * (Math.Max(D, Dv) + D) + (long)Tq * (D + Dv) + 64)) SliceGradients(task, p);
                return;
            }
            int s = task / Blocks, lo = task % Blocks * Block, hi = Math.Min(lo + Block, Extent), m = hi - lo;
            int n = Mode == 2 ? Tq - (Causal ? lo : 0) : Causal ? Math.Min(Tk, hi) : Tk; // the keys (queries) the block sees
            fixed (float* p = Scratch(2L * m * n + (long)(m + n) * (Math.Max(D, Dv) + 1) + 2L * n + 64))
            {
                if (Mode == 0) ForwardBlock(s, lo, m, n, p);
                else if (Mode == 1) QueryBlock(s, lo, m, n, p);
                else KeyBlock(s, lo, m, n, p);
            }
        }

        private void ForwardBlock(int s, int lo, int m, int n, float* p)
        {
            float* q = Q + ((long)s * Tq + lo) * D, k = K + (long)s * Tk * D, v = V + (long)s * Tk * Dv, o = Out + ((long)s * Tq + lo) * (Dv + 1);
            float* scores = p, rows = scores + (long)m * n;
            Product(false, true, m, n, D, q, k, scores);
            var sum = stackalloc float[m];
            var max = stackalloc float[m];
            for (int r = 0; r < m; r++)
            {
                int limit = Causal ? Math.Min(lo + r + 1, n) : n;
                float* row = scores + (long)r * n;
                Scale(row, limit, Scale);
                max[r] = MaxOf(row, limit);
                sum[r] = ExpAndSum(row, limit, n, max[r]);
            }
            Product(false, false, m, Dv, n, scores, v, rows);
            for (int r = 0; r < m; r++)
            {
                float* dst = o + (long)r * (Dv + 1), a = rows + (long)r * Dv;
                float inv = n == 0 ? 0 : 1 / sum[r]; // no keys: a zero row, as an empty sum of weighted values
                for (int c = 0; c < Dv; c++) dst[c] = a[c] * inv;
                dst[Dv] = n == 0 ? float.NegativeInfinity : max[r] + MathF.Log(sum[r]);
            }
        }

        private void QueryBlock(int s, int lo, int m, int n, float* p)
        {
            float* q = Q + ((long)s * Tq + lo) * D, k = K + (long)s * Tk * D, v = V + (long)s * Tk * Dv;
            float* o = O + ((long)s * Tq + lo) * (Dv + 1), g = G + ((long)s * Tq + lo) * (Dv + 1), dq = Out + ((long)s * Tq + lo) * D;
            float* scores = p, dp = scores + (long)m * n, gRows = dp + (long)m * n;
            Rows(g, m, Dv, Dv + 1, gRows);
            Product(false, true, m, n, D, q, k, scores);
            Product(false, true, m, n, Dv, gRows, v, dp);
            for (int r = 0; r < m; r++)
            {
                int limit = Causal ? Math.Min(lo + r + 1, n) : n;
                float* oi = o + (long)r * (Dv + 1), gi = g + (long)r * (Dv + 1);
                float shift = gi[Dv] - Dot(gi, oi, Dv); // ∂L/∂lse − Σ_c ∂L/∂o·o
                float* row = scores + (long)r * n;
                Scale(row, limit, Scale);
                Weights(row, dp + (long)r * n, limit, n, oi[Dv], shift);
            }
            Product(false, false, m, D, n, dp, k, dq);
            Scale(dq, m * D, Scale);
        }

        /// <summary>
        /// All three gradients of slice <paramref name="s"/>: per block of query rows, the weights P and dS once (keys up to
        /// the block's last query when causal), then dQ for the block, and dV += Pᵀ·∂L/∂o, dK += dSᵀ·q over the keys it saw.
        /// </summary>
        private void SliceGradients(int s, float* p)
        {
            int t = Tq, width = 2 * D + Dv;
            float* q = Q + (long)s * t * D, k = K + (long)s * t * D, v = V + (long)s * t * Dv;
            float* o = O + (long)s * t * (Dv + 1), g = G + (long)s * t * (Dv + 1), dst = Out + (long)s * t * width;
            float* scores = p, dp = scores + (long)Block * t, gRows = dp + (long)Block * t, dq = gRows + (long)Block * Dv;
            float* dk = dq + (long)Block * D, dv = dk + (long)t * D;
            new Span<float>(dk, t * (D + Dv)).Clear();
            for (int lo = 0; lo < t; lo += Block)
            {
                int m = Math.Min(Block, t - lo), n = Causal ? lo + m : t;
                Rows(g + (long)lo * (Dv + 1), m, Dv, Dv + 1, gRows);
                Product(false, true, m, n, D, q + (long)lo * D, k, scores);
                Product(false, true, m, n, Dv, gRows, v, dp);
                for (int r = 0; r < m; r++)
                {
                    int limit = Causal ? lo + r + 1 : n;
                    float* oi = o + (long)(lo + r) * (Dv + 1), gi = g + (long)(lo + r) * (Dv + 1);
                    float* row = scores + (long)r * n;
                    Scale(row, limit, Scale);
                    Weights(row, dp + (long)r * n, limit, n, oi[Dv], gi[Dv] - Dot(gi, oi, Dv));
                }
                Product(false, false, m, D, n, dp, k, dq);
                for (int r = 0; r < m; r++)
                {
                    float* to = dst + (long)(lo + r) * width, a = dq + (long)r * D;
                    for (int c = 0; c < D; c++) to[c] = a[c] * Scale;
                }
                Product(true, false, n, Dv, m, scores, gRows, dv, accumulate: true);
                Product(true, false, n, D, m, dp, q + (long)lo * D, dk, accumulate: true);
            }
            for (int j = 0; j < t; j++)
            {
                float* to = dst + (long)j * width, a = dk + (long)j * D, b = dv + (long)j * Dv;
                for (int c = 0; c < D; c++) to[D + c] = a[c] * Scale;
                for (int c = 0; c < Dv; c++) to[2 * D + c] = b[c];
            }
        }

        private void KeyBlock(int s, int lo, int m, int n, float* p)
        {
            int first = Causal ? lo : 0;
            float* q = Q + ((long)s * Tq + first) * D, k = K + ((long)s * Tk + lo) * D, v = V + ((long)s * Tk + lo) * Dv;
            float* o = O + ((long)s * Tq + first) * (Dv + 1), g = G + ((long)s * Tq + first) * (Dv + 1), dkv = Out + ((long)s * Tk + lo) * (D + Dv);
            float* scores = p, dp = scores + (long)m * n, gRows = dp + (long)m * n, lse = gRows + (long)n * Dv, shift = lse + n, part = shift + n;
            Rows(g, n, Dv, Dv + 1, gRows);
            for (int t = 0; t < n; t++)
            {
                float* oi = o + (long)t * (Dv + 1), gi = g + (long)t * (Dv + 1);
                lse[t] = oi[Dv];
                shift[t] = gi[Dv] - Dot(gi, oi, Dv);
            }
            Product(false, true, m, n, D, k, q, scores);
            Product(false, true, m, n, Dv, v, gRows, dp);
            for (int r = 0; r < m; r++)
            {
                float* row = scores + (long)r * n;
                Scale(row, n, Scale);
                KeyGradient(row, dp + (long)r * n, lse, shift, Causal ? lo + r - first : 0, n, n);
            }
            // value gradient Σ_i P_ji ∂L/∂o_i; key gradient scale·Σ_i dS_ji q_i
            Product(false, false, m, Dv, n, scores, gRows, part);
            for (int r = 0; r < m; r++)
            {
                float* dst = dkv + (long)r * (D + Dv) + D, a = part + (long)r * Dv;
                for (int c = 0; c < Dv; c++) dst[c] = a[c];
            }
            Product(false, false, m, D, n, dp, q, part);
            for (int r = 0; r < m; r++)
            {
                float* dst = dkv + (long)r * (D + Dv), a = part + (long)r * D;
                for (int c = 0; c < D; c++) dst[c] = a[c] * Scale;
            }
        }
    }

    /// <summary>c [m, n] = op(a)·op(b) with the packed GEMM (inline inside a pool task: the pool runs one job at a time).</summary>
    private static void Product(bool transA, bool transB, int m, int n, int k, float* a, float* b, float* c, bool accumulate = false)
    {
        if (m == 0 || n == 0) return;
        if (k == 0) { if (!accumulate) new Span<float>(c, m * n).Clear(); return; }
        Gemm.MatMul(transA, transB, 1, m, n, k, new ReadOnlySpan<float>(a, m * k), new ReadOnlySpan<float>(b, n * k), new Span<float>(c, m * n), accumulate);
    }

    /// <summary>Rows [count, width] of a buffer whose rows are <paramref name="stride"/> apart, copied contiguous.</summary>
    private static void Rows(float* src, int count, int width, int stride, float* dst)
    {
        for (int t = 0; t < count; t++)
            new ReadOnlySpan<float>(src + (long)t * stride, width).CopyTo(new Span<float>(dst + (long)t * width, width));
    }

    private static void Scale(float* x, int n, float scale)
    {
        var sv = Vector256.Create(scale);
        int j = 0;
        if (Wide)
        {
            var w = Vector512.Create(scale);
            for (; j + 16 <= n; j += 16) (Vector512.Load(x + j) * w).Store(x + j);
        }
        for (; j + 8 <= n; j += 8) (Vector256.Load(x + j) * sv).Store(x + j);
        for (; j < n; j++) x[j] *= scale;
    }

    /// <summary>The largest of row[0, limit) (−∞ for none).</summary>
    private static float MaxOf(float* row, int limit)
    {
        var m = Vector256.Create(float.NegativeInfinity);
        int j = 0;
        if (Wide)
        {
            var w = Vector512.Create(float.NegativeInfinity);
            for (; j + 16 <= limit; j += 16) w = Vector512.Max(w, Vector512.Load(row + j));
            m = Vector256.Max(w.GetLower(), w.GetUpper());
        }
        for (; j + 8 <= limit; j += 8) m = Vector256.Max(m, Vector256.Load(row + j));
        float best = float.NegativeInfinity;
        for (int l = 0; l < 8; l++) best = MathF.Max(best, m.GetElement(l));
        for (; j < limit; j++) best = MathF.Max(best, row[j]);
        return best;
    }

    /// <summary>row[j] = exp(row[j] − m) for j &lt; limit, 0 for limit ≤ j &lt; end; returns the sum.</summary>
    private static float ExpAndSum(float* row, int limit, int end, float m)
    {
        var mv = Vector256.Create(m);
        var s = Vector256<float>.Zero;
        int j = 0;
        float sum = 0;
        if (Wide)
        {
            var mw = Vector512.Create(m);
            var sw = Vector512<float>.Zero;
            for (; j + 16 <= limit; j += 16)
            {
                var e = VMath.Exp(Vector512.Load(row + j) - mw);
                e.Store(row + j);
                sw += e;
            }
            sum = Vector512.Sum(sw);
        }
        for (; j + 8 <= limit; j += 8)
        {
            var e = VMath.Exp(Vector256.Load(row + j) - mv);
            e.Store(row + j);
            s += e;
        }
        sum += Vector256.Sum(s);
        for (; j < limit; j++) { float e = MathF.Exp(row[j] - m); row[j] = e; sum += e; }
        for (; j < end; j++) row[j] = 0;
        return sum;
    }

    /// <summary>
    /// A key row against queries t: P = exp(s − lse_t) into <paramref name="s"/>, dS = P·(dP + shift_t) into
    /// <paramref name="dp"/>, for from ≤ t &lt; n; zero elsewhere below end.
    /// </summary>
    private static void KeyGradient(float* s, float* dp, float* lse, float* shift, int from, int n, int end)
    {
        int t = 0;
        for (; t < from; t++) { s[t] = 0; dp[t] = 0; }
        for (; t + 8 <= n; t += 8)
        {
            var pj = VMath.Exp(Vector256.Load(s + t) - Vector256.Load(lse + t));
            pj.Store(s + t);
            (pj * (Vector256.Load(dp + t) + Vector256.Load(shift + t))).Store(dp + t);
        }
        for (; t < n; t++)
        {
            float pj = MathF.Exp(s[t] - lse[t]);
            s[t] = pj;
            dp[t] = pj * (dp[t] + shift[t]);
        }
        for (; t < end; t++) { s[t] = 0; dp[t] = 0; }
    }

    /// <summary>A query row's weights P = exp(s − lse) in place of its scores and dS = P·(dP + shift) in place of dP, for j &lt; limit; 0 beyond.</summary>
    private static void Weights(float* s, float* dp, int limit, int end, float lse, float shift)
    {
        var lv = Vector256.Create(lse);
        var hv = Vector256.Create(shift);
        int j = 0;
        if (Wide)
        {
            var lw = Vector512.Create(lse);
            var hw = Vector512.Create(shift);
            for (; j + 16 <= limit; j += 16)
            {
                var pj = VMath.Exp(Vector512.Load(s + j) - lw);
                pj.Store(s + j);
                (pj * (Vector512.Load(dp + j) + hw)).Store(dp + j);
            }
        }
        for (; j + 8 <= limit; j += 8)
        {
            var pj = VMath.Exp(Vector256.Load(s + j) - lv);
            pj.Store(s + j);
            (pj * (Vector256.Load(dp + j) + hv)).Store(dp + j);
        }
        for (; j < limit; j++)
        {
            float pj = MathF.Exp(s[j] - lse);
            s[j] = pj;
            dp[j] = pj * (dp[j] + shift);
        }
        for (; j < end; j++) { s[j] = 0; dp[j] = 0; }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Dot(float* a, float* b, int n)
    {
        float sum = 0;
        for (int c = 0; c < n; c++) sum = MathF.FusedMultiplyAdd(a[c], b[c], sum);
        return sum;
    }
}
