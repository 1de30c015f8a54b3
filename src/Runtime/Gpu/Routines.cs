using ILGPU;
using ILGPU.Algorithms;

namespace GraphNet.Gpu;

/// <summary>
/// The device forms of the runtime routines the generated schedules call besides their fused kernels: matrix products,
/// index fills, gathers and scatters, slices and pads, arg-extremes, running sums, random fills. One thread per output
/// element (per line for the line-wise ones); offsets are elements of the device memory. An index that is not a valid
/// row writes its position + 1 to the error cell (element 0), which the entry point turns into the CPU path's error.
/// Called by generated code and the device runner; not part of the user-facing API.
/// </summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public static class Routines
{
    /// <summary>Element 0 of the device memory: 0, or 1 + the position of the first bad index a kernel met.</summary>
    public const int ErrorCell = 0;

    private static int Row(ArrayView<float> mem, float value, int position, int rows)
    {
        int id = (int)value;
        if (id == value && id >= 0 && id < rows) return id;
        mem[ErrorCell] = position + 1;
        return 0;
    }

    /// <summary>
    /// C = op(A)·op(B) with one thread per element of C, for ILGPU's CPU accelerator (where a group's barriers are
    /// thread synchronizations and the tiled kernel is slow): A0 batch, A1 m, A2 n, A3 k, A4 transA, A5 transB, A6 A, A7 B, A8 C.
    /// </summary>
    public static void GemmSimple(Index1D i, ArrayView<float> mem, KernelArgs a)
    {
        int m = a.A1, n = a.A2, k = a.A3;
        int p = i / (m * n), r = i % (m * n), row = r / n, col = r % n;
        long baseA = a.A6 + (long)p * m * k, baseB = a.A7 + (long)p * k * n;
        float sum = 0;
        for (int q = 0; q < k; q++)
        {
            float x = a.A4 != 0 ? mem[baseA + (long)q * m + row] : mem[baseA + (long)row * k + q];
            float y = a.A5 != 0 ? mem[baseB + (long)col * k + q] : mem[baseB + (long)q * n + col];
            sum += x * y;
        }
        mem[a.A8 + (long)p * m * n + r] = sum;
    }

    /// <summary>The largest GEMM tile edge: a tile of A and one of B, 16×16 each, sit in a group's shared memory.</summary>
    public const int MaxTile = 16;

    /// <summary>
    /// The tiled GEMM (explicitly grouped: a T×T group computes a T×T block of C, staging T×T tiles of A and B through
    /// shared memory): A0 batch, A1 m, A2 n, A3 k, A4 transA, A5 transB, A6 A, A7 B, A8 C, A10 the tile edge T ≤ 16.
    /// Grid: (⌈n/T⌉, ⌈m/T⌉, batch), groups (T, T).
    /// </summary>
    public static void GemmTiled(ArrayView<float> mem, KernelArgs a)
    {
        var tileA = SharedMemory.Allocate<float>(MaxTile * MaxTile);
        var tileB = SharedMemory.Allocate<float>(MaxTile * MaxTile);
        int t = a.A10, m = a.A1, n = a.A2, k = a.A3;
        int tx = Group.IdxX, ty = Group.IdxY;
        int col = Grid.IdxX * t + tx, row = Grid.IdxY * t + ty, p = Grid.IdxZ;
        long baseA = a.A6 + (long)p * m * k, baseB = a.A7 + (long)p * k * n;
        float sum = 0;
        for (int q0 = 0; q0 < k; q0 += t)
        {
            int qa = q0 + tx, qb = q0 + ty;
            tileA[ty * MaxTile + tx] = row < m && qa < k ? (a.A4 != 0 ? mem[baseA + (long)qa * m + row] : mem[baseA + (long)row * k + qa]) : 0f;
            tileB[ty * MaxTile + tx] = qb < k && col < n ? (a.A5 != 0 ? mem[baseB + (long)col * k + qb] : mem[baseB + (long)qb * n + col]) : 0f;
            Group.Barrier();
            for (int q = 0; q < t; q++) sum += tileA[ty * MaxTile + q] * tileB[q * MaxTile + tx];
            Group.Barrier();
        }
        if (row < m && col < n) mem[a.A8 + (long)p * m * n + (long)row * n + col] = sum;
    }

    /// <summary>out[o, j, r] = j over [outer, n, inner]: A0 n, A1 inner, A2 out.</summary>
    public static void Iota(Index1D i, ArrayView<float> mem, KernelArgs a) => mem[a.A2 + (long)i.X] = (i / a.A1) % a.A0;

    /// <summary>A0 elements of the value F0 from A1.</summary>
    public static void Fill(Index1D i, ArrayView<float> mem, KernelArgs a) => mem[a.A1 + (long)i.X] = a.F0;

    /// <summary>A0 elements from A1 to A2.</summary>
    public static void Copy(Index1D i, ArrayView<float> mem, KernelArgs a) => mem[a.A2 + (long)i.X] = mem[a.A1 + (long)i.X];

    /// <summary>Rows of a table by id: A0 row length, A1 rows, A2 table, A3 ids, A4 out.</summary>
    public static void Gather(Index1D i, ArrayView<float> mem, KernelArgs a)
    {
        int item = i / a.A0, j = i % a.A0;
        int id = Row(mem, mem[a.A3 + (long)item], item, a.A1);
        mem[a.A4 + (long)i.X] = mem[a.A2 + (long)id * a.A0 + j];
    }

    /// <summary>Row r of dst is row order[start + r] of src (rows of rowLength floats): a data set's batch, gathered on the device.</summary>
    public static void GatherRows(Index1D i, ArrayView<float> src, ArrayView<int> order, ArrayView<float> dst, int rowLength, int start)
    {
        int row = i / rowLength, j = i % rowLength;
        dst[i] = src[(long)order[start + row] * rowLength + j];
    }

    /// <summary>Rows added into a cleared table by id (atomically): A0 row length, A1 rows, A2 ids, A3 values, A4 out.</summary>
    public static void ScatterAdd(Index1D i, ArrayView<float> mem, KernelArgs a)
    {
        int item = i / a.A0, j = i % a.A0;
        int id = Row(mem, mem[a.A2 + (long)item], item, a.A1);
        Atomic.Add(ref mem[a.A4 + (long)id * a.A0 + j], mem[a.A3 + (long)i.X]);
    }

    /// <summary>[outer, n, inner] to [outer, length, inner] from start: A0 n, A1 inner, A2 start, A3 length, A4 x, A5 out.</summary>
    public static void Slice(Index1D i, ArrayView<float> mem, KernelArgs a)
    {
        int r = i % a.A1, j = (i / a.A1) % a.A3, o = i / (a.A1 * a.A3);
        mem[a.A5 + (long)i.X] = mem[a.A4 + ((long)o * a.A0 + a.A2 + j) * a.A1 + r];
    }

    /// <summary>[outer, n, inner] zero-padded to [outer, before + n + after, inner]: A0 n, A1 inner, A2 before, A3 padded n, A4 x, A5 out.</summary>
    public static void Pad(Index1D i, ArrayView<float> mem, KernelArgs a)
    {
        int r = i % a.A1, j = (i / a.A1) % a.A3 - a.A2, o = i / (a.A1 * a.A3);
        mem[a.A5 + (long)i.X] = j >= 0 && j < a.A0 ? mem[a.A4 + ((long)o * a.A0 + j) * a.A1 + r] : 0f;
    }

    /// <summary>The first index of the largest (A2 = 1) or smallest value along the middle axis, NaN winning: A0 n, A1 inner, A3 x, A4 out.</summary>
    public static void ArgExtreme(Index1D i, ArrayView<float> mem, KernelArgs a)
    {
        int o = i / a.A1, r = i % a.A1;
        long row = a.A3 + (long)o * a.A0 * a.A1 + r;
        int best = 0;
        float bestValue = mem[row];
        for (int k = 1; k < a.A0 && !XMath.IsNaN(bestValue); k++)
        {
            float v = mem[row + (long)k * a.A1];
            if (XMath.IsNaN(v) || (a.A2 != 0 ? v > bestValue : v < bestValue)) { best = k; bestValue = v; }
        }
        mem[a.A4 + (long)i.X] = best;
    }

    /// <summary>
    /// Direct convolution, one thread per output element of [n, o, oh, ow]: A0 n, A1 c, A2 h, A3 w, A4 oh, A5 ow, A6 kh, A7 kw,
    /// A8 sh, A9 sw, A10 dh, A11 dw, A12 ph, A13 pw, A14 o, A15 images, A16 weights, A17 out.
    /// </summary>
    public static void Convolve(Index1D i, ArrayView<float> mem, KernelArgs a)
    {
        int z = i % a.A5, y = i / a.A5 % a.A4, o = i / (a.A5 * a.A4) % a.A14, b = i / (a.A5 * a.A4 * a.A14);
        float sum = 0;
        for (int c = 0; c < a.A1; c++)
            for (int ky = 0; ky < a.A6; ky++)
            {
                int iy = y * a.A8 + ky * a.A10 - a.A12;
                if (iy < 0 || iy >= a.A2) continue;
                for (int kx = 0; kx < a.A7; kx++)
                {
                    int ix = z * a.A9 + kx * a.A11 - a.A13;
                    if (ix < 0 || ix >= a.A3) continue;
                    sum += mem[a.A16 + (((long)o * a.A1 + c) * a.A6 + ky) * a.A7 + kx] * mem[a.A15 + (((long)b * a.A1 + c) * a.A2 + iy) * a.A3 + ix];
                }
            }
        mem[a.A17 + (long)i.X] = sum;
    }

    /// <summary>A direct convolution's weight gradient, one thread per weight of [o, c, kh, kw]: arguments as <see cref="Convolve"/>, A16 the output gradient.</summary>
    public static void ConvolveWeights(Index1D i, ArrayView<float> mem, KernelArgs a)
    {
        int kx = i % a.A7, ky = i / a.A7 % a.A6, c = i / (a.A7 * a.A6) % a.A1, o = i / (a.A7 * a.A6 * a.A1);
        float sum = 0;
        for (int b = 0; b < a.A0; b++)
            for (int y = 0; y < a.A4; y++)
            {
                int iy = y * a.A8 + ky * a.A10 - a.A12;
                if (iy < 0 || iy >= a.A2) continue;
                for (int z = 0; z < a.A5; z++)
                {
                    int ix = z * a.A9 + kx * a.A11 - a.A13;
                    if (ix < 0 || ix >= a.A3) continue;
                    sum += mem[a.A16 + (((long)b * a.A14 + o) * a.A4 + y) * a.A5 + z] * mem[a.A15 + (((long)b * a.A1 + c) * a.A2 + iy) * a.A3 + ix];
                }
            }
        mem[a.A17 + (long)i.X] = sum;
    }

    private static float Dot(ArrayView<float> mem, long a, long b, int n)
    {
        float sum = 0;
        for (int c = 0; c < n; c++) sum += mem[a + c] * mem[b + c];
        return sum;
    }

    /// <summary>
    /// Fused attention, one thread per element of [slices, tq, dv + 1] (the row's output, then its log-sum-exp); each thread
    /// recomputes its row's scores: A0 tq, A1 tk, A2 d, A3 dv, A4 causal, A5 q, A6 k, A7 v, A8 out, F0 scale.
    /// </summary>
    public static void Attention(Index1D i, ArrayView<float> mem, KernelArgs a)
    {
        int tq = a.A0, tk = a.A1, d = a.A2, dv = a.A3, width = dv + 1;
        int s = i / (tq * width), row = i / width % tq, c = i % width;
        long q = a.A5 + ((long)s * tq + row) * d, k = a.A6 + (long)s * tk * d, v = a.A7 + (long)s * tk * dv;
        int seen = a.A4 != 0 ? row + 1 : tk;
        float max = float.NegativeInfinity;
        for (int j = 0; j < seen; j++) max = XMath.Max(max, a.F0 * Dot(mem, q, k + (long)j * d, d));
        float sum = 0, acc = 0;
        for (int j = 0; j < seen; j++)
        {
            float e = XMath.Exp(a.F0 * Dot(mem, q, k + (long)j * d, d) - max);
            sum += e;
            if (c < dv) acc += e * mem[v + (long)j * dv + c];
        }
        mem[a.A8 + (long)i.X] = c < dv ? (seen == 0 ? 0 : acc / sum) : (seen == 0 ? float.NegativeInfinity : max + XMath.Log(sum));
    }

    /// <summary>
    /// A fused attention's query gradient, one thread per element of [slices, tq, d]: A0 tq, A1 tk, A2 d, A3 dv, A4 causal,
    /// A5 q, A6 k, A7 v, A8 the packed output, A9 its gradient, A10 out, F0 scale.
    /// </summary>
    public static void AttentionQueryGrad(Index1D i, ArrayView<float> mem, KernelArgs a) =>
        mem[a.A10 + (long)i.X] = QueryGrad(mem, a, i / (a.A0 * a.A2), i / a.A2 % a.A0, i % a.A2);

    /// <summary>
    /// A fused attention's key and value gradients side by side, one thread per element of [slices, tk, d + dv]; arguments
    /// as <see cref="AttentionQueryGrad"/>.
    /// </summary>
    public static void AttentionKeyGrad(Index1D i, ArrayView<float> mem, KernelArgs a)
    {
        int width = a.A2 + a.A3;
        mem[a.A10 + (long)i.X] = KeyGrad(mem, a, i / (a.A1 * width), i / width % a.A1, i % width);
    }

    /// <summary>
    /// All three gradients side by side (tq = tk), one thread per element of [slices, t, 2·d + dv]; arguments as
    /// <see cref="AttentionQueryGrad"/>.
    /// </summary>
    public static void AttentionAllGrad(Index1D i, ArrayView<float> mem, KernelArgs a)
    {
        int width = 2 * a.A2 + a.A3, s = i / (a.A0 * width), row = i / width % a.A0, c = i % width;
        mem[a.A10 + (long)i.X] = c < a.A2 ? QueryGrad(mem, a, s, row, c) : KeyGrad(mem, a, s, row, c - a.A2);
    }

    private static float QueryGrad(ArrayView<float> mem, KernelArgs a, int s, int row, int c)
    {
        int tq = a.A0, tk = a.A1, d = a.A2, dv = a.A3;
        long q = a.A5 + ((long)s * tq + row) * d, k = a.A6 + (long)s * tk * d, v = a.A7 + (long)s * tk * dv;
        long o = a.A8 + ((long)s * tq + row) * (dv + 1), g = a.A9 + ((long)s * tq + row) * (dv + 1);
        float lse = mem[o + dv], shift = mem[g + dv] - Dot(mem, g, o, dv);
        int seen = a.A4 != 0 ? row + 1 : tk;
        float acc = 0;
        for (int j = 0; j < seen; j++)
        {
            float p = XMath.Exp(a.F0 * Dot(mem, q, k + (long)j * d, d) - lse);
            acc += p * (Dot(mem, g, v + (long)j * dv, dv) + shift) * mem[k + (long)j * d + c];
        }
        return a.F0 * acc;
    }

    /// <summary>Element c of key <paramref name="key"/>'s gradient (c &lt; d) or value gradient (c − d).</summary>
    private static float KeyGrad(ArrayView<float> mem, KernelArgs a, int s, int key, int c)
    {
        int tq = a.A0, tk = a.A1, d = a.A2, dv = a.A3;
        long k = a.A6 + ((long)s * tk + key) * d, v = a.A7 + ((long)s * tk + key) * dv;
        float acc = 0;
        for (int row = a.A4 != 0 ? key : 0; row < tq; row++)
        {
            long q = a.A5 + ((long)s * tq + row) * d;
            long o = a.A8 + ((long)s * tq + row) * (dv + 1), g = a.A9 + ((long)s * tq + row) * (dv + 1);
            float p = XMath.Exp(a.F0 * Dot(mem, q, k, d) - mem[o + dv]);
            if (c >= d) acc += p * mem[g + c - d];
            else acc += p * (Dot(mem, g, v, dv) + mem[g + dv] - Dot(mem, g, o, dv)) * mem[q + c];
        }
        return c < d ? a.F0 * acc : acc;
    }

    /// <summary>Running sums along the middle axis, from the first (A2 = 0) or the last element: A0 n, A1 inner, A3 x, A4 out.</summary>
    public static void CumSum(Index1D i, ArrayView<float> mem, KernelArgs a)
    {
        int o = i / a.A1, r = i % a.A1;
        float sum = 0;
        for (int s = 0; s < a.A0; s++)
        {
            int k = a.A2 != 0 ? a.A0 - 1 - s : s;
            long at = ((long)o * a.A0 + k) * a.A1 + r;
            sum += mem[a.A3 + at];
            mem[a.A4 + at] = sum;
        }
    }

    /// <summary>out[o, j, r] = x[o, idx[o, j, r], r]: A0 n, A1 m, A2 inner, A3 x, A4 indices, A5 out.</summary>
    public static void TakeAlong(Index1D i, ArrayView<float> mem, KernelArgs a)
    {
        int r = i % a.A2, o = i / (a.A1 * a.A2);
        int id = Row(mem, mem[a.A4 + (long)i.X], i, a.A0);
        mem[a.A5 + (long)i.X] = mem[a.A3 + ((long)o * a.A0 + id) * a.A2 + r];
    }

    /// <summary>out[o, idx[o, j, r], r] += values[o, j, r] into a cleared out: A0 n, A1 m, A2 inner, A3 indices, A4 values, A5 out.</summary>
    public static void PutAlong(Index1D i, ArrayView<float> mem, KernelArgs a)
    {
        int r = i % a.A2, o = i / (a.A1 * a.A2);
        int id = Row(mem, mem[a.A3 + (long)i.X], i, a.A0);
        Atomic.Add(ref mem[a.A5 + ((long)o * a.A0 + id) * a.A2 + r], mem[a.A4 + (long)i.X]);
    }

    /// <summary>
    /// One element of the windows [N, OH, OW, C, KH, KW] of images [N, C, H, W] (zero outside): A0 n, A1 c, A2 h, A3 w,
    /// A4 oh, A5 ow, A6 kh, A7 kw, A8 sh, A9 sw, A10 dh, A11 dw, A12 ph, A13 pw, A14 images, A15 windows.
    /// </summary>
    public static void Unfold(Index1D i, ArrayView<float> mem, KernelArgs a)
    {
        if (WindowSource(i, a) is var at && at >= 0) mem[a.A15 + (long)i.X] = mem[a.A14 + at];
        else mem[a.A15 + (long)i.X] = 0f;
    }

    /// <summary>The adjoint of <see cref="Unfold"/>: each window element added (atomically) at its source in cleared images.</summary>
    public static void Fold(Index1D i, ArrayView<float> mem, KernelArgs a)
    {
        if (WindowSource(i, a) is var at && at >= 0) Atomic.Add(ref mem[a.A14 + at], mem[a.A15 + (long)i.X]);
    }

    /// <summary>Where window element i reads in the images, or −1 in the padding.</summary>
    private static long WindowSource(Index1D i, KernelArgs a)
    {
        long rest = i.X;
        int kx = (int)(rest % a.A7); rest /= a.A7;
        int ky = (int)(rest % a.A6); rest /= a.A6;
        int ch = (int)(rest % a.A1); rest /= a.A1;
        int ox = (int)(rest % a.A5); rest /= a.A5;
        int oy = (int)(rest % a.A4); rest /= a.A4;
        long b = rest;
        int iy = oy * a.A8 - a.A12 + ky * a.A10, ix = ox * a.A9 - a.A13 + kx * a.A11;
        if (iy < 0 || iy >= a.A2 || ix < 0 || ix >= a.A3) return -1;
        return ((b * a.A1 + ch) * a.A2 + iy) * a.A3 + ix;
    }

    /// <summary>Marks system <paramref name="p"/> as singular or not positive definite: the error cell holds −(p + 1).</summary>
    private static void Singular(ArrayView<float> mem, int p) => mem[ErrorCell] = -(p + 1);

    /// <summary>
    /// op(A_p)·X_p = B_p, one thread per system, by LU with partial pivoting in the scratch: A0 n, A1 k, A2 transA,
    /// A3 triangle read (0 all, 1 lower, 2 upper), A4 A, A5 B, A6 X, A7 scratch (n·n per system).
    /// </summary>
    public static void Solve(Index1D i, ArrayView<float> mem, KernelArgs a)
    {
        int p = i.X, n = a.A0, k = a.A1;
        long A = a.A4 + (long)p * n * n, B = a.A5 + (long)p * n * k, X = a.A6 + (long)p * n * k, S = a.A7 + (long)p * n * n;
        for (int r = 0; r < n; r++)
            for (int c = 0; c < n; c++)
            {
                int row = a.A2 != 0 ? c : r, col = a.A2 != 0 ? r : c;
                bool read = a.A3 == 1 ? col <= row : a.A3 == 2 ? col >= row : true;
                mem[S + (long)r * n + c] = read ? mem[A + (long)row * n + col] : 0f;
            }
        for (long q = 0; q < (long)n * k; q++) mem[X + q] = mem[B + q];
        for (int c = 0; c < n; c++)
        {
            int piv = c;
            for (int r = c + 1; r < n; r++) if (XMath.Abs(mem[S + (long)r * n + c]) > XMath.Abs(mem[S + (long)piv * n + c])) piv = r;
            float d = mem[S + (long)piv * n + c];
            if (d == 0f) { Singular(mem, p); return; }
            if (piv != c)
            {
                for (int j = 0; j < n; j++) { float t = mem[S + (long)c * n + j]; mem[S + (long)c * n + j] = mem[S + (long)piv * n + j]; mem[S + (long)piv * n + j] = t; }
                for (int j = 0; j < k; j++) { float t = mem[X + (long)c * k + j]; mem[X + (long)c * k + j] = mem[X + (long)piv * k + j]; mem[X + (long)piv * k + j] = t; }
            }
            for (int r = c + 1; r < n; r++)
            {
                float f = mem[S + (long)r * n + c] / d;
                if (f == 0f) continue;
                for (int j = c + 1; j < n; j++) mem[S + (long)r * n + j] -= f * mem[S + (long)c * n + j];
                for (int j = 0; j < k; j++) mem[X + (long)r * k + j] -= f * mem[X + (long)c * k + j];
            }
        }
        for (int r = n - 1; r >= 0; r--)
            for (int j = 0; j < k; j++)
            {
                float sum = mem[X + (long)r * k + j];
                for (int q = r + 1; q < n; q++) sum -= mem[S + (long)r * n + q] * mem[X + (long)q * k + j];
                mem[X + (long)r * k + j] = sum / mem[S + (long)r * n + r];
            }
    }

    /// <summary>L with A = L·Lᵀ per matrix (A read as (A + Aᵀ)/2), one thread per matrix: A0 n, A1 A, A2 L.</summary>
    public static void Cholesky(Index1D i, ArrayView<float> mem, KernelArgs a)
    {
        int p = i.X, n = a.A0;
        long A = a.A1 + (long)p * n * n, L = a.A2 + (long)p * n * n;
        for (long q = 0; q < (long)n * n; q++) mem[L + q] = 0f;
        for (int j = 0; j < n; j++)
        {
            float d = mem[A + (long)j * n + j];
            for (int q = 0; q < j; q++) d -= mem[L + (long)j * n + q] * mem[L + (long)j * n + q];
            if (!(d > 0f)) { Singular(mem, p); return; }
            float ljj = XMath.Sqrt(d);
            mem[L + (long)j * n + j] = ljj;
            for (int r = j + 1; r < n; r++)
            {
                float sum = 0.5f * (mem[A + (long)r * n + j] + mem[A + (long)j * n + r]);
                for (int q = 0; q < j; q++) sum -= mem[L + (long)r * n + q] * mem[L + (long)j * n + q];
                mem[L + (long)r * n + j] = sum / ljj;
            }
        }
    }

    /// <summary>The sign and log |det| of each matrix by LU in the scratch, one thread per matrix: A0 n, A1 A, A2 out [.., 2], A3 scratch.</summary>
    public static void SLogDet(Index1D i, ArrayView<float> mem, KernelArgs a)
    {
        int p = i.X, n = a.A0;
        long A = a.A1 + (long)p * n * n, S = a.A3 + (long)p * n * n;
        for (long q = 0; q < (long)n * n; q++) mem[S + q] = mem[A + q];
        float sign = 1f, log = 0f;
        for (int c = 0; c < n; c++)
        {
            int piv = c;
            for (int r = c + 1; r < n; r++) if (XMath.Abs(mem[S + (long)r * n + c]) > XMath.Abs(mem[S + (long)piv * n + c])) piv = r;
            float d = mem[S + (long)piv * n + c];
            if (d == 0f) { sign = 0f; log = float.NegativeInfinity; break; }
            if (piv != c)
            {
                for (int j = 0; j < n; j++) { float t = mem[S + (long)c * n + j]; mem[S + (long)c * n + j] = mem[S + (long)piv * n + j]; mem[S + (long)piv * n + j] = t; }
                sign = -sign;
            }
            if (d < 0f) sign = -sign;
            log += XMath.Log(XMath.Abs(d));
            for (int r = c + 1; r < n; r++)
            {
                float f = mem[S + (long)r * n + c] / d;
                for (int j = c + 1; j < n; j++) mem[S + (long)r * n + j] -= f * mem[S + (long)c * n + j];
            }
        }
        mem[a.A2 + 2L * p] = sign;
        mem[a.A2 + 2L * p + 1] = log;
    }

    /// <summary>
    /// The symmetric eigendecomposition (upper triangle read) by cyclic Jacobi on one thread: A0 n, A1 A, A2 out [n + 1, n]
    /// (eigenvalues ascending, then the eigenvectors as columns, each with its largest component positive), A3 scratch (n·n).
    /// </summary>
    public static void Eigh(Index1D i, ArrayView<float> mem, KernelArgs a)
    {
        int n = a.A0;
        long A = a.A1, M = a.A3, V = a.A2 + n; // the vectors live in rows 1..n of the output
        float scale = 0f;
        for (int r = 0; r < n; r++)
            for (int c = 0; c < n; c++)
            {
                float v = mem[A + (long)XMath.Min(r, c) * n + XMath.Max(r, c)];
                mem[M + (long)r * n + c] = v;
                mem[V + (long)r * n + c] = r == c ? 1f : 0f;
                scale += v * v;
            }
        for (int sweep = 0; sweep < 100; sweep++)
        {
            float off = 0f;
            for (int p = 0; p < n; p++) for (int q = p + 1; q < n; q++) off += mem[M + (long)p * n + q] * mem[M + (long)p * n + q];
            if (off <= 1e-14f * scale) break;
            for (int p = 0; p < n; p++)
                for (int q = p + 1; q < n; q++)
                {
                    float apq = mem[M + (long)p * n + q];
                    if (apq == 0f) continue;
                    float theta = (mem[M + (long)q * n + q] - mem[M + (long)p * n + p]) / (2f * apq);
                    float t = (theta >= 0f ? 1f : -1f) / (XMath.Abs(theta) + XMath.Sqrt(theta * theta + 1f));
                    float cs = 1f / XMath.Sqrt(t * t + 1f), sn = t * cs;
                    for (int r = 0; r < n; r++)
                    {
                        float rp = mem[M + (long)r * n + p], rq = mem[M + (long)r * n + q];
                        mem[M + (long)r * n + p] = cs * rp - sn * rq;
                        mem[M + (long)r * n + q] = sn * rp + cs * rq;
                    }
                    for (int r = 0; r < n; r++)
                    {
                        float pr = mem[M + (long)p * n + r], qr = mem[M + (long)q * n + r];
                        mem[M + (long)p * n + r] = cs * pr - sn * qr;
                        mem[M + (long)q * n + r] = sn * pr + cs * qr;
                    }
                    for (int r = 0; r < n; r++)
                    {
                        float vp = mem[V + (long)r * n + p], vq = mem[V + (long)r * n + q];
                        mem[V + (long)r * n + p] = cs * vp - sn * vq;
                        mem[V + (long)r * n + q] = sn * vp + cs * vq;
                    }
                }
        }
        for (int j = 0; j < n; j++) // selection sort by eigenvalue, the columns with them (the first index on ties)
        {
            int best = j;
            for (int c = j + 1; c < n; c++) if (mem[M + (long)c * n + c] < mem[M + (long)best * n + best]) best = c;
            if (best != j)
            {
                float t = mem[M + (long)j * n + j]; mem[M + (long)j * n + j] = mem[M + (long)best * n + best]; mem[M + (long)best * n + best] = t;
                for (int r = 0; r < n; r++) { float v = mem[V + (long)r * n + j]; mem[V + (long)r * n + j] = mem[V + (long)r * n + best]; mem[V + (long)r * n + best] = v; }
            }
            mem[a.A2 + j] = mem[M + (long)j * n + j];
            int big = 0;
            for (int r = 1; r < n; r++) if (XMath.Abs(mem[V + (long)r * n + j]) > XMath.Abs(mem[V + (long)big * n + j])) big = r;
            if (mem[V + (long)big * n + j] < 0f) for (int r = 0; r < n; r++) mem[V + (long)r * n + j] = -mem[V + (long)r * n + j];
        }
    }

    /// <summary>
    /// The indices that sort each line along the middle axis (stable, NaN largest), one thread per line by insertion:
    /// A0 n, A1 inner, A2 descending, A3 x, A4 out.
    /// </summary>
    public static void ArgSort(Index1D i, ArrayView<float> mem, KernelArgs a)
    {
        int o = i.X / a.A1, r = i.X % a.A1, n = a.A0;
        long x = a.A3 + (long)o * n * a.A1 + r, outp = a.A4 + (long)o * n * a.A1 + r;
        for (int j = 0; j < n; j++)
        {
            float v = mem[x + (long)j * a.A1];
            int at = j;
            while (at > 0)
            {
                float u = mem[x + (long)mem[outp + (long)(at - 1) * a.A1] * a.A1];
                int c = XMath.IsNaN(v) ? (XMath.IsNaN(u) ? 0 : 1) : XMath.IsNaN(u) ? -1 : v < u ? -1 : v > u ? 1 : 0;
                bool before = a.A2 != 0 ? c > 0 : c < 0; // strictly before: equal values keep their order
                if (!before) break;
                mem[outp + (long)at * a.A1] = mem[outp + (long)(at - 1) * a.A1];
                at--;
            }
            mem[outp + (long)at * a.A1] = j;
        }
    }

    /// <summary>
    /// Uniform draws on [0, 1), the same numbers as the CPU path's counter-based generator: A0 salt (the call site),
    /// A1 seed, L0 the entry call's draw counter, L1 the offset of element 0 in the stream (a loop step's share), A2 out.
    /// </summary>
    public static void Uniform(Index1D i, ArrayView<float> mem, KernelArgs a)
    {
        ulong stream = (ulong)a.L0 * 65536UL + (ulong)a.A0;
        ulong key = Mix((ulong)(uint)a.A1 * 0x9E3779B97F4A7C15UL ^ Mix(stream + 0x632BE59BD9B4E019UL));
        ulong counter = (ulong)(a.L1 + i);
        ulong bits = Mix(key ^ Mix(counter * 0xD1B54A32D192ED03UL + 0x8CB92BA72F3D8DD7UL));
        mem[a.A2 + (long)i.X] = (bits >> 40) * (1f / (1 << 24));
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>
    /// One optimizer step on a parameter (the runtime's <see cref="RuleKind"/> rules): A0 the rule, A1 w, A2 g, A3 the
    /// first state slot, A4 the second; the constants C0..C4, the gradient scale, L2 and keep as float bits in A5..A12.
    /// </summary>
    public static void Update(Index1D i, ArrayView<float> mem, KernelArgs a)
    {
        float c0 = F(a.A5), c1 = F(a.A6), c2 = F(a.A7), c3 = F(a.A8), c4 = F(a.A9);
        long at = a.A1 + (long)(int)i;
        float w = mem[at];
        float g = mem[a.A2 + (long)(int)i] * F(a.A10) + F(a.A11) * w;
        float delta;
        switch ((RuleKind)a.A0)
        {
            case RuleKind.Momentum:
            case RuleKind.Nesterov:
            {
                float v = c1 * mem[a.A3 + (long)(int)i] + g;
                mem[a.A3 + (long)(int)i] = v;
                delta = a.A0 == (int)RuleKind.Nesterov ? c0 * (g + c1 * v) : c0 * v;
                break;
            }
            case RuleKind.AdaGrad:
            {
                float sum = mem[a.A3 + (long)(int)i] + g * g;
                mem[a.A3 + (long)(int)i] = sum;
                delta = c0 * g / (XMath.Sqrt(sum) + c1);
                break;
            }
            case RuleKind.RmsProp:
            {
                float sq = c1 * mem[a.A3 + (long)(int)i] + (1f - c1) * g * g;
                mem[a.A3 + (long)(int)i] = sq;
                delta = c0 * g / (XMath.Sqrt(sq) + c2);
                break;
            }
            case RuleKind.Adam:
            {
                float m1 = c1 * mem[a.A3 + (long)(int)i] + (1f - c1) * g;
                float v = c2 * mem[a.A4 + (long)(int)i] + (1f - c2) * g * g;
                mem[a.A3 + (long)(int)i] = m1;
                mem[a.A4 + (long)(int)i] = v;
                delta = c0 * m1 / (XMath.Sqrt(v * c3) + c4);
                break;
            }
            case RuleKind.SignSgd:
                delta = c0 * (g > 0 ? 1f : g < 0 ? -1f : 0f);
                break;
            default:
                delta = c0 * g;
                break;
        }
        mem[at] = F(a.A12) * w - delta;
    }

    private static float F(int bits) => Interop.IntAsFloat((uint)bits);

    /// <summary>Adds the squares of A0 elements at A1 into the cell A2, 256 elements per thread.</summary>
    public static void SumSquares(Index1D i, ArrayView<float> mem, KernelArgs a)
    {
        long start = (long)(int)i * 256, end = System.Math.Min(start + 256, a.A0);
        float sum = 0;
        for (long j = start; j < end; j++) { float g = mem[a.A1 + j]; sum += g * g; }
        Atomic.Add(ref mem[a.A2], sum);
    }
}
