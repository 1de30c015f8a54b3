using System;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace GraphNet.Runtime;

/// <summary>
/// Sliding windows (im2col) and their adjoint (col2im) for 1 or 2 spatial dims; a 1-d window is the
/// 2-d case with a height of 1. Windows are laid out [N, OH, OW, C, KH, KW], so a convolution is one
/// GEMM of [N·OH·OW, C·KH·KW] by the transposed weights. Called by generated code; not part of the user-facing API.
/// </summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public static unsafe class Windows
{
    /// <summary>
    /// The window geometry and operands of one call; images are independent, so the pool splits them. Rows of up to
    /// eight taps (stride-1 taps, inside the image) move as one 8-lane vector: unfolding writes a window's row with up
    /// to seven floats past it, which a later row of the same window overwrites (rows near a window's end are written
    /// exactly, so nothing reaches another window or part); folding adds masked lanes and keeps to the image row, so
    /// no vector reaches another image.
    /// </summary>
    private struct Job : IParallelJob
    {
        public float* X, Cols;
        public int N, C, H, W, OH, OW, KH, KW, SH, SW, DH, DW, PH, PW, Parts;
        public bool Adjoint;

        public void Run(int task)
        {
            int b0 = (int)((long)N * task / Parts), b1 = (int)((long)N * (task + 1) / Parts);
            if (Adjoint) FoldImages(b0, b1); else UnfoldImages(b0, b1);
        }

        private readonly void UnfoldImages(int b0, int b1)
        {
            int window = C * KH * KW;
            long xEnd = (long)N * C * H * W;
            bool vectorRows = KW <= 8 && DW == 1 && Vector256.IsHardwareAccelerated;
            // One window row (ch, ky) at a time across every output column, so the loop over columns is short: a source
            // row and a destination stride. A vector's excess lands on later rows of the same window only (rows whose
            // excess would reach the next window, written already, are written exactly).
            for (int b = b0; b < b1; b++)
                for (int oy = 0; oy < OH; oy++)
                {
                    float* block = Cols + (long)(b * OH + oy) * OW * window;
                    for (int ch = 0; ch < C; ch++)
                    {
                        long plane = ((long)b * C + ch) * H * W;
                        for (int ky = 0; ky < KH; ky++)
                        {
                            int r = ch * KH + ky, iy = oy * SH - PH + ky * DH;
                            float* dst = block + r * KW;
                            bool vector = vectorRows && r * KW + 8 <= window;
                            if ((uint)iy >= (uint)H)
                            {
                                for (int ox = 0; ox < OW; ox++, dst += window)
                                    if (vector) Vector256<float>.Zero.Store(dst);
                                    else new Span<float>(dst, KW).Clear();
                                continue;
                            }
                            long at = plane + (long)iy * W;
                            float* row = X + at;
                            for (int ox = 0, x0 = -PW; ox < OW; ox++, x0 += SW, dst += window)
                            {
                                if (x0 >= 0 && x0 + (KW - 1) * DW < W)
                                {
                                    if (vector && at + x0 + 8 <= xEnd) { Vector256.Load(row + x0).Store(dst); continue; }
                                    if (KW >= 4 && DW == 1)
                                    {
                                        Vector128.Load(row + x0).Store(dst);
                                        Vector128.Load(row + x0 + KW - 4).Store(dst + KW - 4);
                                        for (int kx = 4; kx < KW - 4; kx++) dst[kx] = row[x0 + kx];
                                        continue;
                                    }
                                }
                                for (int kx = 0; kx < KW; kx++)
                                {
                                    int ix = x0 + kx * DW;
                                    dst[kx] = (uint)ix < (uint)W ? row[ix] : 0f;
                                }
                            }
                        }
                    }
                }
        }

        private readonly void FoldImages(int b0, int b1)
        {
            new Span<float>(X + (long)b0 * C * H * W, (b1 - b0) * C * H * W).Clear();
            long p = (long)b0 * OH * OW * C * KH * KW, end = (long)b1 * OH * OW * C * KH * KW;
            bool vectorRows = KW <= 8 && DW == 1 && Vector256.IsHardwareAccelerated;
            var taps = Vector256.LessThan(Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7), Vector256.Create(KW)).AsSingle();
            for (int b = b0; b < b1; b++)
                for (int oy = 0; oy < OH; oy++)
                    for (int ox = 0; ox < OW; ox++)
                    {
                        int x0 = ox * SW - PW;
                        bool inside = x0 >= 0 && x0 + (KW - 1) * DW < W;
                        bool vector = vectorRows && inside && x0 + 8 <= W;
                        for (int ch = 0; ch < C; ch++)
                        {
                            long plane = ((long)b * C + ch) * H * W;
                            for (int ky = 0; ky < KH; ky++)
                            {
                                int iy = oy * SH - PH + ky * DH;
                                float* src = Cols + p;
                                bool room = p + 8 <= end;
                                p += KW;
                                if ((uint)iy >= (uint)H) continue;
                                float* row = X + plane + (long)iy * W;
                                if (vector && room)
                                {
                                    (Vector256.Load(row + x0) + (Vector256.Load(src) & taps)).Store(row + x0);
                                    continue;
                                }
                                for (int kx = 0; kx < KW; kx++)
                                {
                                    int ix = x0 + kx * DW;
                                    if ((uint)ix < (uint)W) row[ix] += src[kx];
                                }
                            }
                        }
                    }
        }
    }

    /// <summary>
    /// Writes the windows [N, OH, OW, C, KH, KW] of images <paramref name="x"/> [N, C, H, W] into <paramref name="cols"/>:
    /// output position (oy, ox) reads rows oy·sh − ph + ky·dh and columns ox·sw − pw + kx·dw, zero outside the image.
    /// Throws <see cref="ArgumentException"/> when either buffer is too small.
    /// </summary>
    public static void Unfold(ReadOnlySpan<float> x, Span<float> cols, int n, int c, int h, int w, int oh, int ow,
        int kh, int kw, int sh, int sw, int dh, int dw, int ph, int pw) =>
        Run(false, x, cols, n, c, h, w, oh, ow, kh, kw, sh, sw, dh, dw, ph, pw);

    /// <summary>The adjoint of <see cref="Unfold"/>: adds every window element back at its source position.</summary>
    public static void Fold(ReadOnlySpan<float> cols, Span<float> x, int n, int c, int h, int w, int oh, int ow,
        int kh, int kw, int sh, int sw, int dh, int dw, int ph, int pw) =>
        Run(true, x, cols, n, c, h, w, oh, ow, kh, kw, sh, sw, dh, dw, ph, pw);

    private static void Run(bool adjoint, ReadOnlySpan<float> x, ReadOnlySpan<float> cols, int n, int c, int h, int w, int oh, int ow,
        int kh, int kw, int sh, int sw, int dh, int dw, int ph, int pw)
    {
        long colsLen = (long)n * oh * ow * c * kh * kw, xLen = (long)n * c * h * w;
        if (cols.Length < colsLen || x.Length < xLen)
            throw new ArgumentException($"Window buffers too small: image needs {xLen} floats (has {x.Length}), windows {colsLen} (has {cols.Length}).");
        fixed (float* px = x, pc = cols)
        {
            int parts = colsLen >= Workers.SplitElements ? Math.Min(n, Workers.Threads * 2) : 1;
            var job = new Job
            {
                X = px, Cols = pc, N = n, C = c, H = h, W = w, OH = oh, OW = ow, KH = kh, KW = kw, SH = sh, SW = sw,
                DH = dh, DW = dw, PH = ph, PW = pw, Parts = Math.Max(parts, 1), Adjoint = adjoint,
            };
            if (job.Parts == 1) job.Run(0);
            else Workers.For(job.Parts, ref job);
        }
    }
}

/// <summary>
/// Gather and scatter-add by row index, slice and pad along one axis, arg-max and arg-min (a tensor seen as [outer, n, inner]).
/// Called by generated code; not part of the user-facing API.
/// </summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public static class Indexing
{
    /// <summary>For each (outer, inner) position, the index along the middle axis of the largest (<paramref name="max"/>) or smallest value, the first on ties; NaN counts as the extreme, as in PyTorch.</summary>
    public static unsafe void ArgExtreme(ReadOnlySpan<float> x, Span<float> output, int outer, int n, int inner, bool max)
    {
        if ((long)outer * n * inner > x.Length || (long)outer * inner > output.Length)
            throw new ArgumentException($"ArgExtreme buffers too small for [{outer}, {n}, {inner}]: input {x.Length}, output {output.Length} floats.");
        fixed (float* px = x, po = output)
        {
            var job = new ArgJob { X = px, Output = po, N = n, Inner = inner, Max = max };
            Workers.ForRange(ref job, outer, (long)n * inner); // each outer row on its own: the same result on any thread count
        }
    }

    /// <summary>
    /// <see cref="ArgExtreme"/> over rows [<paramref name="lo"/>, <paramref name="hi"/>) of x [rows, n] on the calling thread:
    /// a GEMM epilogue's step (k-means' nearest centroid, on each block of distances as it is finished).
    /// </summary>
    public static unsafe void ArgExtremeRows(float[] x, float[] output, int lo, int hi, int n, bool max)
    {
        if (lo < 0 || hi < lo || n < 1 || (long)hi * n > x.Length || hi > output.Length)
            throw new ArgumentException($"ArgExtremeRows: rows {lo}..{hi} of {n} need {(long)hi * n} floats in (has {x.Length}) and {hi} out (has {output.Length}).");
        fixed (float* px = x, po = output)
        {
            var job = new ArgJob { X = px, Output = po, N = n, Inner = 1, Max = max };
            job.Run(lo, hi);
        }
    }

    /// <summary>For each (outer, inner) position, the indices that sort the middle axis, ascending or descending; stable, NaN largest.</summary>
    public static void ArgSort(ReadOnlySpan<float> x, Span<float> output, int outer, int n, int inner, bool descending)
    {
        var by = _sortOrder ??= new SortOrder();
        if (by.Keys.Length < n) { by.Keys = new float[n]; by.Order = new int[n]; } // reused across calls: no steady-state allocation
        by.Descending = descending;
        var order = by.Order.AsSpan(0, n);
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                int b = o * n * inner + i;
                for (int k = 0; k < n; k++) { by.Keys[k] = x[b + k * inner]; order[k] = k; }
                order.Sort(by);
                for (int k = 0; k < n; k++) output[b + k * inner] = order[k];
            }
    }

    [ThreadStatic] private static SortOrder? _sortOrder;

    /// <summary>Positions ordered by their keys (NaN above every number), ties by position: a stable sort.</summary>
    private sealed class SortOrder : System.Collections.Generic.IComparer<int>
    {
        public float[] Keys = Array.Empty<float>();
        public int[] Order = Array.Empty<int>();
        public bool Descending;

        public int Compare(int p, int q)
        {
            float a = Keys[p], b = Keys[q];
            int c = float.IsNaN(a) ? (float.IsNaN(b) ? 0 : 1) : float.IsNaN(b) ? -1 : a.CompareTo(b);
            return c != 0 ? (Descending ? -c : c) : p.CompareTo(q);
        }
    }

    /// <summary>output[o, j, i] = x[o, idx[o, j, i], i] for x [outer, n, inner] and idx [outer, m, inner].</summary>
    public static void TakeAlong(ReadOnlySpan<float> x, ReadOnlySpan<float> indices, Span<float> output, int outer, int n, int m, int inner)
    {
        for (int o = 0; o < outer; o++)
            for (int j = 0; j < m; j++)
                for (int i = 0; i < inner; i++)
                {
                    int at = (o * m + j) * inner + i;
                    output[at] = x[(o * n + Row(indices[at], at, n, "indices")) * inner + i];
                }
    }

    /// <summary>The adjoint of <see cref="TakeAlong"/>: output [outer, n, inner] = 0, then output[o, idx[o, j, i], i] += values[o, j, i].</summary>
    public static void PutAlong(ReadOnlySpan<float> indices, ReadOnlySpan<float> values, Span<float> output, int outer, int n, int m, int inner)
    {
        output.Slice(0, outer * n * inner).Clear();
        for (int o = 0; o < outer; o++)
            for (int j = 0; j < m; j++)
                for (int i = 0; i < inner; i++)
                {
                    int at = (o * m + j) * inner + i;
                    output[(o * n + Row(indices[at], at, n, "indices")) * inner + i] += values[at];
                }
    }

    /// <summary>Running sums along the middle axis of [outer, n, inner], from the first element or the last.</summary>
    public static void CumSum(ReadOnlySpan<float> x, Span<float> output, int outer, int n, int inner, bool reverse)
    {
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                float sum = 0;
                for (int s = 0; s < n; s++)
                {
                    int k = reverse ? n - 1 - s : s, at = (o * n + k) * inner + i;
                    sum += x[at];
                    output[at] = sum;
                }
            }
    }

    private unsafe struct ArgJob : IRangeJob
    {
        public float* X, Output;
        public int N, Inner;
        public bool Max;

        public void Run(int lo, int hi)
        {
            for (int o = lo; o < hi; o++)
            {
                float* block = X + (long)o * N * Inner;
                int i = 0;
                if (Vector256.IsHardwareAccelerated && N > 1)
                {
                    if (Inner == 1 && N < 8 && Avx2.IsSupported && o + 8 <= hi)
                    {
                        // Short rows (a pooling window): eight rows at once, a row per lane, by gathers.
                        if (Max) Across<Greater>(block, Output + o); else Across<Less>(block, Output + o);
                        o += 7;
                        continue;
                    }
                    if (Inner == 1 && N <= 16 && Avx512F.IsSupported) { Output[o] = Max ? Short<Greater>(block) : Short<Less>(block); continue; }
                    if (Inner == 1) { Output[o] = Max ? Row<Greater>(block, N) : Row<Less>(block, N); continue; }
                    for (; i + 8 <= Inner; i += 8)
                        if (Max) Lanes<Greater>(block + i, Output + (long)o * Inner + i); else Lanes<Less>(block + i, Output + (long)o * Inner + i);
                }
                for (; i < Inner; i++) Output[(long)o * Inner + i] = Scalar(block + i);
            }
        }

        /// <summary>The reference loop: the first strictly better value wins, and the first NaN ends the search.</summary>
        private readonly int Scalar(float* row)
        {
            int best = 0;
            float bestValue = row[0];
            for (int k = 1; k < N && !float.IsNaN(bestValue); k++)
            {
                float v = row[(long)k * Inner];
                if (float.IsNaN(v) || (Max ? v > bestValue : v < bestValue)) { best = k; bestValue = v; }
            }
            return best;
        }

        /// <summary>
        /// One contiguous row: the extreme by vector min/max, then the first position equal to it (so ties and signed zeros
        /// resolve to the first, as in the scalar loop); a row holding a NaN goes to the scalar loop.
        /// </summary>
        private readonly int Row<TCmp>(float* row, int n) where TCmp : struct, ICompare
        {
            int k = 0;
            var nan = Vector256<float>.Zero;
            float extreme = row[0];
            if (n >= 8)
            {
                var acc = Vector256.Load(row);
                for (; k + 8 <= n; k += 8)
                {
                    var v = Vector256.Load(row + k);
                    nan |= ~Vector256.Equals(v, v);
                    acc = TCmp.Pick(acc, v);
                }
                if (nan != Vector256<float>.Zero) return Scalar(row);
                acc = TCmp.Pick(acc, Vector256.Shuffle(acc, Vector256.Create(4, 5, 6, 7, 0, 1, 2, 3)));
                acc = TCmp.Pick(acc, Vector256.Shuffle(acc, Vector256.Create(2, 3, 0, 1, 6, 7, 4, 5)));
                acc = TCmp.Pick(acc, Vector256.Shuffle(acc, Vector256.Create(1, 0, 3, 2, 5, 4, 7, 6)));
                extreme = acc.ToScalar();
            }
            for (int t = k; t < n; t++)
            {
                float v = row[t];
                if (float.IsNaN(v)) return Scalar(row);
                if (TCmp.Better(v, extreme)) extreme = v;
            }
            var target = Vector256.Create(extreme);
            int q = 0;
            for (; q + 8 <= n; q += 8)
            {
                uint hits = Vector256.Equals(Vector256.Load(row + q), target).ExtractMostSignificantBits();
                if (hits != 0) return q + System.Numerics.BitOperations.TrailingZeroCount(hits);
            }
            for (; q < n; q++) if (row[q] == extreme) return q;
            return 0; // unreachable: the extreme is one of the row's values
        }

        /// <summary>
        /// A row of at most 16 in one masked load (lanes past it hold the comparison's worst value, so they never come
        /// first): the extreme by four halving steps, then the first lane equal to it; a row holding a NaN goes to the scalar loop.
        /// </summary>
        private readonly int Short<TCmp>(float* row) where TCmp : struct, ICompare
        {
            var inside = Vector512.LessThan(Vector512.Create(0f, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), Vector512.Create((float)N));
            var v = Avx512F.MaskLoad(row, inside, Vector512.Create(TCmp.Worst));
            if (!Vector512.EqualsAll(v, v)) return Scalar(row);
            var e = TCmp.Pick(v, Vector512.Shuffle(v, Vector512.Create(8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7)));
            e = TCmp.Pick(e, Vector512.Shuffle(e, Vector512.Create(4, 5, 6, 7, 0, 1, 2, 3, 12, 13, 14, 15, 8, 9, 10, 11)));
            e = TCmp.Pick(e, Vector512.Shuffle(e, Vector512.Create(2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13)));
            e = TCmp.Pick(e, Vector512.Shuffle(e, Vector512.Create(1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10, 13, 12, 15, 14)));
            return System.Numerics.BitOperations.TrailingZeroCount(Vector512.Equals(v, e).ExtractMostSignificantBits());
        }

        /// <summary>Eight adjacent rows of a contiguous [rows, N] block at once, a row per lane: the scalar loop's rule, as in <see cref="Lanes"/>.</summary>
        private readonly void Across<TCmp>(float* rows, float* output) where TCmp : struct, ICompare
        {
            var at = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7) * N;
            var best = Avx2.GatherVector256(rows, at, 4);
            var index = Vector256<float>.Zero;
            for (int k = 1; k < N; k++)
            {
                var v = Avx2.GatherVector256(rows + k, at, 4);
                var take = (~Vector256.Equals(v, v) | TCmp.Strictly(v, best)) & Vector256.Equals(best, best);
                best = Vector256.ConditionalSelect(take, v, best);
                index = Vector256.ConditionalSelect(take, Vector256.Create((float)k), index);
            }
            index.Store(output);
        }

        /// <summary>Eight adjacent inner positions at once: per lane the scalar loop's rule (a NaN is kept once met).</summary>
        private readonly void Lanes<TCmp>(float* col, float* output) where TCmp : struct, ICompare
        {
            var best = Vector256.Load(col);
            var index = Vector256<float>.Zero;
            for (int k = 1; k < N; k++)
            {
                var v = Vector256.Load(col + (long)k * Inner);
                var take = (~Vector256.Equals(v, v) | TCmp.Strictly(v, best)) & Vector256.Equals(best, best);
                best = Vector256.ConditionalSelect(take, v, best);
                index = Vector256.ConditionalSelect(take, Vector256.Create((float)k), index);
            }
            index.Store(output);
        }
    }

    private interface ICompare
    {
        /// <summary>The value that never wins: −∞ for the maximum, +∞ for the minimum.</summary>
        static abstract float Worst { get; }
        static abstract Vector512<float> Pick(Vector512<float> a, Vector512<float> b);
        static abstract Vector256<float> Pick(Vector256<float> a, Vector256<float> b);
        static abstract Vector256<float> Strictly(Vector256<float> v, Vector256<float> than);
        static abstract bool Better(float v, float than);
    }

    private struct Greater : ICompare
    {
        public static float Worst => float.NegativeInfinity;
        public static Vector512<float> Pick(Vector512<float> a, Vector512<float> b) => Vector512.Max(a, b);
        public static Vector256<float> Pick(Vector256<float> a, Vector256<float> b) => Vector256.Max(a, b);
        public static Vector256<float> Strictly(Vector256<float> v, Vector256<float> than) => Vector256.GreaterThan(v, than);
        public static bool Better(float v, float than) => v > than;
    }

    private struct Less : ICompare
    {
        public static float Worst => float.PositiveInfinity;
        public static Vector512<float> Pick(Vector512<float> a, Vector512<float> b) => Vector512.Min(a, b);
        public static Vector256<float> Pick(Vector256<float> a, Vector256<float> b) => Vector256.Min(a, b);
        public static Vector256<float> Strictly(Vector256<float> v, Vector256<float> than) => Vector256.LessThan(v, than);
        public static bool Better(float v, float than) => v < than;
    }

    /// <summary>
    /// Row ids[i] of <paramref name="table"/> [rows, rowLen] into row i of <paramref name="output"/>, for i &lt; <paramref name="count"/>;
    /// an id that is not an integer in 0 .. rows − 1 throws <see cref="ArgumentOutOfRangeException"/> naming <paramref name="source"/>
    /// (what the ids are, for errors: "input 'label'").
    /// </summary>
    public static unsafe void Gather(ReadOnlySpan<float> table, ReadOnlySpan<float> ids, Span<float> output, int count, int rowLen, int rows, string source = "ids")
    {
        Sizes("Gather", ids.Length, count, table.Length, rows, rowLen, output.Length, count);
        if ((long)count * rowLen < Workers.SplitElements)
        {
            for (int i = 0; i < count; i++)
                table.Slice(Row(ids[i], i, rows, source) * rowLen, rowLen).CopyTo(output.Slice(i * rowLen, rowLen));
            return;
        }
        CheckIds(ids, count, rows, source); // the first bad id, named, before the pool copies
        fixed (float* pt = table, pi = ids, po = output)
        {
            var job = new GatherJob { Table = pt, Ids = pi, Output = po, RowLen = rowLen };
            Workers.ForRange(ref job, count, rowLen); // each output row on its own
        }
    }

    private unsafe struct GatherJob : IRangeJob
    {
        public float* Table, Ids, Output;
        public int RowLen;

        public readonly void Run(int lo, int hi)
        {
            if (RowLen > 256 || !Vector256.IsHardwareAccelerated)
            {
                for (int i = lo; i < hi; i++)
                    new ReadOnlySpan<float>(Table + (long)(int)Ids[i] * RowLen, RowLen).CopyTo(new Span<float>(Output + (long)i * RowLen, RowLen));
                return;
            }
            // Short rows (an embedding's 32 floats) by vectors in place: a copy routine's call cost more than the row.
            for (int i = lo; i < hi; i++)
            {
                float* src = Table + (long)(int)Ids[i] * RowLen, dst = Output + (long)i * RowLen;
                int j = 0;
                if (Vector512.IsHardwareAccelerated)
                    for (; j + 16 <= RowLen; j += 16) Vector512.Load(src + j).Store(dst + j);
                for (; j + 8 <= RowLen; j += 8) Vector256.Load(src + j).Store(dst + j);
                for (; j < RowLen; j++) dst[j] = src[j];
            }
        }
    }

    /// <summary>
    /// The adjoint of <see cref="Gather"/>: clears <paramref name="output"/> [rows, rowLen], then adds row i of <paramref name="values"/>
    /// into row ids[i], for i &lt; <paramref name="count"/>; a bad id throws as in <see cref="Gather"/>. A table of 64 rows or
    /// more with rows of 32 floats or more is split by columns over the pool, each part adding every row in order: the same
    /// sums as one thread.
    /// </summary>
    public static unsafe void ScatterAdd(ReadOnlySpan<float> ids, ReadOnlySpan<float> values, Span<float> output, int count, int rowLen, int rows, string source = "ids")
    {
        Sizes("ScatterAdd", ids.Length, count, output.Length, rows, rowLen, values.Length, count);
        // Column parts of 16 floats or more, for tables of many rows: a table of a few rows (k-means' cluster sums) has
        // every part write the same few cache lines, and one thread is faster there.
        int parts = (long)count * rowLen >= Workers.SplitElements && rows >= 64 ? rowLen / 16 : 1;
        // A small table (k-means' cluster sums and counts) over many rows: ranges of rows, each summed into a private
        // table, the tables then added in order. The ranges follow from the sizes alone, so the sums are the same on
        // one thread as on many.
        int ranges = (int)Math.Min(MaxTables, (long)count * rowLen / FloatsPerTable);
        if (parts < 2 && ranges >= 2 && (long)rows * rowLen <= SmallTable)
        {
            CheckIds(ids, count, rows, source);
            int size = rows * rowLen;
            var scratch = _tables is { } old && old.Length >= ranges * size ? old : _tables = new float[Math.Max(ranges * size, 1024)];
            fixed (float* pi = ids, pv = values, po = output, pt = scratch)
            {
                var job = new TablesJob { Ids = pi, Values = pv, Tables = pt, Count = count, RowLen = rowLen, Size = size, Ranges = ranges };
                Workers.For(ranges, ref job);
                new Span<float>(pt, size).CopyTo(new Span<float>(po, size));
                for (int t = 1; t < ranges; t++) AddInto(new Span<float>(po, size), new ReadOnlySpan<float>(pt + (long)t * size, size));
            }
            return;
        }
        if (parts < 2)
        {
            output.Slice(0, rows * rowLen).Clear();
            for (int i = 0; i < count; i++)
                AddInto(output.Slice(Row(ids[i], i, rows, source) * rowLen, rowLen), values.Slice(i * rowLen, rowLen));
            return;
        }
        CheckIds(ids, count, rows, source); // the first bad id, named, before the pool adds
        fixed (float* pi = ids, pv = values, po = output)
        {
            var clear = new ClearJob { Output = po, RowLen = rowLen };
            Workers.ForRange(ref clear, rows, rowLen);
            var job = new ScatterJob { Ids = pi, Values = pv, Output = po, Count = count, RowLen = rowLen, Parts = parts };
            Workers.For(parts, ref job);
        }
    }

    private static void Sizes(string op, int idsLength, int count, int tableLength, int rows, int rowLen, int rowsLength, int rowCount)
    {
        if (count < 0 || rows < 0 || rowLen < 0 || idsLength < count || tableLength < (long)rows * rowLen || rowsLength < (long)rowCount * rowLen)
            throw new ArgumentException($"{op} buffers too small for {count} ids into a table of {rows} rows of {rowLen}: ids {idsLength}, table {tableLength}, rows {rowsLength} floats.");
    }

    private unsafe struct ClearJob : IRangeJob
    {
        public float* Output;
        public int RowLen;

        public readonly void Run(int lo, int hi) => new Span<float>(Output + (long)lo * RowLen, (hi - lo) * RowLen).Clear();
    }

    private const int MaxTables = 16, FloatsPerTable = 16384, SmallTable = 16384;

    [ThreadStatic] private static float[]? _tables;

    private unsafe struct TablesJob : IParallelJob
    {
        public float* Ids, Values, Tables;
        public int Count, RowLen, Size, Ranges;

        public readonly void Run(int task) // rows of range task, in order, into table task
        {
            int i0 = (int)((long)Count * task / Ranges), i1 = (int)((long)Count * (task + 1) / Ranges);
            float* table = Tables + (long)task * Size;
            new Span<float>(table, Size).Clear();
            // Counts (rows of one) by scalar adds in place: a span pair per element cost more than the add. Each element
            // gets the same adds in the same order on either path.
            if (RowLen == 1)
                for (int i = i0; i < i1; i++) table[(int)Ids[i]] += Values[i];
            else
                for (int i = i0; i < i1; i++)
                    AddInto(new Span<float>(table + (long)(int)Ids[i] * RowLen, RowLen), new ReadOnlySpan<float>(Values + (long)i * RowLen, RowLen));
        }
    }

    private unsafe struct ScatterJob : IParallelJob
    {
        public float* Ids, Values, Output;
        public int Count, RowLen, Parts;

        public readonly void Run(int task) // columns of part task, every row in order
        {
            int c0 = RowLen * task / Parts / 8 * 8, c1 = task == Parts - 1 ? RowLen : RowLen * (task + 1) / Parts / 8 * 8;
            for (int i = 0; i < Count; i++)
                AddInto(new Span<float>(Output + (long)(int)Ids[i] * RowLen + c0, c1 - c0), new ReadOnlySpan<float>(Values + (long)i * RowLen + c0, c1 - c0));
        }
    }

    /// <summary>dst += src, element by element (the same sums in any width).</summary>
    private static void AddInto(Span<float> dst, ReadOnlySpan<float> src)
    {
        ref float d = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(dst);
        ref float x = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(src);
        int j = 0, n = dst.Length;
        if (Vector256.IsHardwareAccelerated)
            for (; j + 8 <= n; j += 8)
                (Vector256.LoadUnsafe(ref d, (nuint)j) + Vector256.LoadUnsafe(ref x, (nuint)j)).StoreUnsafe(ref d, (nuint)j);
        for (; j < n; j++) dst[j] += src[j];
    }

    /// <summary>
    /// Throws for the first of ids[0..count) that is not a row number (see <see cref="Row"/>); eight ids at a time
    /// (an integer in 0 .. rows − 1 equals its floor and lies in range; a NaN fails both), one by one from a failing group.
    /// </summary>
    private static void CheckIds(ReadOnlySpan<float> ids, int count, int rows, string source)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref float p = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(ids);
            var zero = Vector256<float>.Zero;
            var limit = Vector256.Create((float)rows);
            for (; i + 8 <= count; i += 8)
            {
                var v = Vector256.LoadUnsafe(ref p, (nuint)i);
                var ok = Vector256.GreaterThanOrEqual(v, zero) & Vector256.LessThan(v, limit) & Vector256.Equals(Vector256.Floor(v), v);
                if (!Vector256.EqualsAll(ok.AsInt32(), Vector256<int>.AllBitsSet)) break;
            }
        }
        for (; i < count; i++) Row(ids[i], i, rows, source);
    }

    /// <summary>An index (a class label, a token id) as a row number: an integer in 0 .. rows − 1, or an error naming it.</summary>
    private static int Row(float value, int position, int rows, string source)
    {
        int id = (int)value;
        if (id != value || (uint)id >= (uint)rows)
            throw new ArgumentOutOfRangeException(source.StartsWith("input '", StringComparison.Ordinal) ? source[7..^1] : source, // the parameter's bare name
                $"Index {value} at position {position} of {source} is out of range: expected an integer in 0 .. {rows - 1} (a class label, a token id or a row of a table with {rows} rows).");
        return id;
    }

    /// <summary>Elements start .. start + length − 1 along the middle axis of x [outer, n, inner] into output [outer, length, inner].</summary>
    public static void Slice(ReadOnlySpan<float> x, Span<float> output, int outer, int n, int inner, int start, int length)
    {
        for (int o = 0; o < outer; o++)
            x.Slice((o * n + start) * inner, length * inner).CopyTo(output.Slice(o * length * inner, length * inner));
    }

    /// <summary>x [outer, n, inner] into output [outer, before + n + after, inner], zeros before and after along the middle axis.</summary>
    public static unsafe void Pad(ReadOnlySpan<float> x, Span<float> output, int outer, int n, int inner, int before, int after)
    {
        int m = n + before + after;
        if ((long)outer * n * inner > x.Length || (long)outer * m * inner > output.Length)
            throw new ArgumentException($"Pad buffers too small for [{outer}, {n}, {inner}] padded by {before} and {after}: input {x.Length}, output {output.Length} floats.");
        fixed (float* px = x, po = output)
        {
            // Rows over the pool when there are many (an LSTM's gate gradients, 32 × 1024 floats a time step).
            var job = new PadJob { X = px, Output = po, N = n, M = m, Inner = inner, Before = before };
            Workers.ForRange(ref job, outer, (long)m * inner);
        }
    }

    /// <summary>
    /// x [outer, n, inner] into its place in output [outer, before + n + after, inner], the rest of output left as it is:
    /// one part of a concatenation (compiled code places each part instead of padding them all with zeros and adding).
    /// </summary>
    public static unsafe void Place(ReadOnlySpan<float> x, Span<float> output, int outer, int n, int inner, int before, int after)
    {
        int m = n + before + after;
        if ((long)outer * n * inner > x.Length || (long)outer * m * inner > output.Length)
            throw new ArgumentException($"Place buffers too small for [{outer}, {n}, {inner}] placed after {before} of {m}: input {x.Length}, output {output.Length} floats.");
        fixed (float* px = x, po = output)
        {
            var job = new PadJob { X = px, Output = po, N = n, M = m, Inner = inner, Before = before, Keep = true };
            Workers.ForRange(ref job, outer, (long)n * inner);
        }
    }

    /// <summary>
    /// <see cref="Place"/> when the part is the output buffer's own first [outer, n, inner] floats (the memory plan gave
    /// the concatenation the part's dead buffer): rows spread out from the last to the first, so no row is overwritten
    /// before it is moved (row o goes to o·m + before ≥ o·n, past every row still to move). Serial: the order is the point.
    /// </summary>
    public static void PlaceInPlace(Span<float> buffer, int outer, int n, int inner, int before, int after)
    {
        int m = n + before + after;
        if ((long)outer * m * inner > buffer.Length)
            throw new ArgumentException($"Place buffer too small for [{outer}, {n}, {inner}] placed after {before} of {m}: {buffer.Length} floats.");
        for (int o = outer - 1; o >= 0; o--)
            buffer.Slice(o * n * inner, n * inner).CopyTo(buffer.Slice((o * m + before) * inner, n * inner));
    }

    private unsafe struct PadJob : IRangeJob
    {
        public float* X, Output;
        public int N, M, Inner, Before;
        public bool Keep; // leave the rest of each row (Place)

        public readonly void Run(int lo, int hi)
        {
            for (int o = lo; o < hi; o++)
            {
                var row = new Span<float>(Output + (long)o * M * Inner, M * Inner);
                if (!Keep) row.Slice(0, Before * Inner).Clear();
                new ReadOnlySpan<float>(X + (long)o * N * Inner, N * Inner).CopyTo(row.Slice(Before * Inner));
                if (!Keep) row.Slice((Before + N) * Inner).Clear();
            }
        }
    }
}

/// <summary>The copies a compiled loop over time steps makes around its body. Called by generated code; not part of the user-facing API.</summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public static class Steps
{
    /// <summary>Step <paramref name="t"/> of a sequence seen as [outer, steps, inner] into a contiguous [outer, inner] buffer.</summary>
    public static void Read(float[] sequence, float[] step, int outer, int steps, int inner, int t)
    {
        if (outer == 1)
        {
            Array.Copy(sequence, (long)t * inner, step, 0, inner);
            return;
        }
        if ((long)outer * steps * inner > sequence.Length || (long)outer * inner > step.Length || (uint)t >= (uint)steps)
            throw new ArgumentException($"Steps.Read: step {t} of [{outer}, {steps}, {inner}] from {sequence.Length} floats into {step.Length}.");
        // Rows over the pool when there are many (a batch of 32 rows of an LSTM's 1024 input projections a time step).
        var job = new ReadJob { Sequence = sequence, Step = step, Steps = steps, Inner = inner, T = t };
        Workers.ForRange(ref job, outer, inner);
    }

    private struct ReadJob : IRangeJob
    {
        public float[] Sequence, Step;
        public int Steps, Inner, T;

        public readonly void Run(int lo, int hi)
        {
            for (int o = lo; o < hi; o++)
                Array.Copy(Sequence, ((long)o * Steps + T) * Inner, Step, (long)o * Inner, Inner);
        }
    }

    /// <summary>A step's result into position <paramref name="t"/> of its time-major stack.</summary>
    public static void Write(float[] step, float[] stack, int size, int t) => Array.Copy(step, 0, stack, (long)t * size, size);
}
