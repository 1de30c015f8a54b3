using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace GraphNet.Runtime;

/// <summary>
/// The one matrix-multiply routine generated code calls: C[p] = op(A[p]) · op(B[p]) for each batch p,
/// row-major, op = transpose when asked. Vectorized over the output row (no transpose of B) or over
/// the contraction (B transposed).
/// </summary>
public static class Gemm
{
    [ThreadStatic] private static float[]? _column;

    [ThreadStatic] private static float[]? _transposed;

    public static void MatMul(bool transA, bool transB, int batch, int m, int n, int k,
        ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c)
    {
        if ((long)batch * m * k > a.Length || (long)batch * k * n > b.Length || (long)batch * m * n > c.Length)
            throw new ArgumentException($"GEMM operands too small for batch={batch}, m={m}, n={n}, k={k}.");
        for (int p = 0; p < batch; p++)
        {
            var ap = a.Slice(p * m * k, m * k);
            var bp = b.Slice(p * k * n, k * n);
            var cp = c.Slice(p * m * n, m * n);
            if (transB && (n < Vector<float>.Count || m < 4))
            {
                RowsDotRows(transA, m, n, k, ap, bp, cp);
                continue;
            }
            if (transB)
            {
                // Bᵀ once into a [k, n] scratch (O(kn), amortized over the m rows), then the blocked kernel.
                var t = _transposed is { } buf && buf.Length >= k * n ? buf : _transposed = new float[Math.Max(k * n, 1024)];
                for (int j = 0; j < n; j++)
                    for (int q = 0; q < k; q++) t[q * n + j] = bp[j * k + q];
                bp = t.AsSpan(0, k * n);
            }
            Blocked(transA, m, n, k, ap, bp, cp);
        }
    }

    /// <summary>
    /// C = op(A)·B with a 4-row × 2-vector register block (then 4 × 1 vector, then scalar columns): per step of the contraction, 2 loads of B, 4 broadcasts
    /// of A and 8 fused multiply-adds into accumulators that stay in registers; C is written once.
    /// </summary>
    private static void Blocked(bool transA, int m, int n, int k, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c)
    {
        int w = Vector<float>.Count;
        ref float ap = ref MemoryMarshal.GetReference(a);
        ref float bp = ref MemoryMarshal.GetReference(b);
        ref float cp = ref MemoryMarshal.GetReference(c);
        int rowStep = transA ? 1 : k, qStep = transA ? m : 1; // A(i, q) = a[i*rowStep + q*qStep]
        int i = 0;
        for (; i <= m - 4; i += 4)
        {
            int j = 0;
            for (; j <= n - 2 * w; j += 2 * w)
            {
                Vector<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
                for (int q = 0; q < k; q++)
                {
                    ref float brow = ref Unsafe.Add(ref bp, q * n + j);
                    var b0 = Vector.LoadUnsafe(ref brow);
                    var b1 = Vector.LoadUnsafe(ref brow, (nuint)w);
                    ref float aq = ref Unsafe.Add(ref ap, i * rowStep + q * qStep);
                    var a0 = new Vector<float>(aq);
                    var a1 = new Vector<float>(Unsafe.Add(ref aq, rowStep));
                    var a2 = new Vector<float>(Unsafe.Add(ref aq, 2 * rowStep));
                    var a3 = new Vector<float>(Unsafe.Add(ref aq, 3 * rowStep));
                    c00 = Vector.FusedMultiplyAdd(a0, b0, c00); c01 = Vector.FusedMultiplyAdd(a0, b1, c01);
                    c10 = Vector.FusedMultiplyAdd(a1, b0, c10); c11 = Vector.FusedMultiplyAdd(a1, b1, c11);
                    c20 = Vector.FusedMultiplyAdd(a2, b0, c20); c21 = Vector.FusedMultiplyAdd(a2, b1, c21);
                    c30 = Vector.FusedMultiplyAdd(a3, b0, c30); c31 = Vector.FusedMultiplyAdd(a3, b1, c31);
                }
                ref float c0 = ref Unsafe.Add(ref cp, i * n + j);
                c00.StoreUnsafe(ref c0); c01.StoreUnsafe(ref c0, (nuint)w);
                c10.StoreUnsafe(ref c0, (nuint)n); c11.StoreUnsafe(ref c0, (nuint)(n + w));
                c20.StoreUnsafe(ref c0, (nuint)(2 * n)); c21.StoreUnsafe(ref c0, (nuint)(2 * n + w));
                c30.StoreUnsafe(ref c0, (nuint)(3 * n)); c31.StoreUnsafe(ref c0, (nuint)(3 * n + w));
            }
            for (; j <= n - w; j += w)
            {
                Vector<float> c0v = default, c1v = default, c2v = default, c3v = default;
                for (int q = 0; q < k; q++)
                {
                    var b0 = Vector.LoadUnsafe(ref Unsafe.Add(ref bp, q * n + j));
                    ref float aq = ref Unsafe.Add(ref ap, i * rowStep + q * qStep);
                    c0v = Vector.FusedMultiplyAdd(new Vector<float>(aq), b0, c0v);
                    c1v = Vector.FusedMultiplyAdd(new Vector<float>(Unsafe.Add(ref aq, rowStep)), b0, c1v);
                    c2v = Vector.FusedMultiplyAdd(new Vector<float>(Unsafe.Add(ref aq, 2 * rowStep)), b0, c2v);
                    c3v = Vector.FusedMultiplyAdd(new Vector<float>(Unsafe.Add(ref aq, 3 * rowStep)), b0, c3v);
                }
                ref float c0 = ref Unsafe.Add(ref cp, i * n + j);
                c0v.StoreUnsafe(ref c0); c1v.StoreUnsafe(ref c0, (nuint)n);
                c2v.StoreUnsafe(ref c0, (nuint)(2 * n)); c3v.StoreUnsafe(ref c0, (nuint)(3 * n));
            }
            for (; j < n; j++)
                for (int r = 0; r < 4; r++)
                {
                    float sum = 0;
                    for (int q = 0; q < k; q++) sum += Unsafe.Add(ref ap, (i + r) * rowStep + q * qStep) * Unsafe.Add(ref bp, q * n + j);
                    Unsafe.Add(ref cp, (i + r) * n + j) = sum;
                }
        }
        if (i < m) RowsTimesMatrix(transA, m, n, k, a, b, c, i);
    }

    // C[i, :] = sum_q A[i, q] * B[q, :] for rows from..m
    private static void RowsTimesMatrix(bool transA, int m, int n, int k, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int from)
    {
        ref float bp = ref MemoryMarshal.GetReference(b);
        int w = Vector<float>.Count;
        for (int i = from; i < m; i++)
        {
            var row = c.Slice(i * n, n);
            row.Clear();
            ref float cr = ref MemoryMarshal.GetReference(row);
            for (int q = 0; q < k; q++)
            {
                float s = transA ? a[q * m + i] : a[i * k + q];
                if (s == 0) continue;
                var vs = new Vector<float>(s);
                ref float br = ref Unsafe.Add(ref bp, q * n);
                int j = 0;
                for (; j <= n - w; j += w)
                {
                    var acc = Vector.LoadUnsafe(ref cr, (nuint)j);
                    (acc + vs * Vector.LoadUnsafe(ref br, (nuint)j)).StoreUnsafe(ref cr, (nuint)j);
                }
                for (; j < n; j++) Unsafe.Add(ref cr, j) += s * Unsafe.Add(ref br, j);
            }
        }
    }

    // C[i, j] = dot(A[i, :], B[j, :])
    private static void RowsDotRows(bool transA, int m, int n, int k, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c)
    {
        var col = _column is { } buf && buf.Length >= k ? buf : _column = new float[Math.Max(k, 64)];
        for (int i = 0; i < m; i++)
        {
            ReadOnlySpan<float> ai;
            if (transA)
            {
                for (int q = 0; q < k; q++) col[q] = a[q * m + i];
                ai = col.AsSpan(0, k);
            }
            else ai = a.Slice(i * k, k);
            for (int j = 0; j < n; j++) c[i * n + j] = Dot(ai, b.Slice(j * k, k));
        }
    }

    private static float Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        int w = Vector<float>.Count, q = 0;
        var acc = Vector<float>.Zero;
        ref float xp = ref MemoryMarshal.GetReference(x);
        ref float yp = ref MemoryMarshal.GetReference(y);
        for (; q <= x.Length - w; q += w) acc += Vector.LoadUnsafe(ref xp, (nuint)q) * Vector.LoadUnsafe(ref yp, (nuint)q);
        float s = Vector.Sum(acc);
        for (; q < x.Length; q++) s += Unsafe.Add(ref xp, q) * Unsafe.Add(ref yp, q);
        return s;
    }
}
