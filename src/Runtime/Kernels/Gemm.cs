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
            if (transB) RowsDotRows(transA, m, n, k, ap, bp, cp);
            else RowsTimesMatrix(transA, m, n, k, ap, bp, cp);
        }
    }

    // C[i, :] = sum_q A[i, q] * B[q, :]
    private static void RowsTimesMatrix(bool transA, int m, int n, int k, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c)
    {
        ref float bp = ref MemoryMarshal.GetReference(b);
        int w = Vector<float>.Count;
        for (int i = 0; i < m; i++)
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
