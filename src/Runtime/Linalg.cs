using System;
using System.Linq;

namespace GraphNet;

/// <summary>
/// Dense linear algebra for closed forms and second-order methods: LU solve (the kernel behind the
/// <c>Solve</c> op; eagerly, call <see cref="Ops.Solve"/>), triangular solves, Cholesky, slogdet and the symmetric eigendecomposition. Factorizations run in double for accuracy; inputs and results are float.
/// </summary>
public static class Linalg
{
    [ThreadStatic] private static double[]? _lu;
    [ThreadStatic] private static double[]? _rhs;
    [ThreadStatic] private static int[]? _pivot;

    /// <summary>
    /// The eigendecomposition of the symmetric matrix a [n, n] (upper triangle read) into output [n + 1, n]: row 0 the
    /// eigenvalues ascending, rows 1..n the eigenvectors as columns, each with its largest component positive.
    /// </summary>
    public static void Eigh(ReadOnlySpan<float> a, Span<float> output, int n)
    {
        var (w, v) = Eigh(ToDouble(a, n), n);
        for (int i = 0; i < n; i++) output[i] = (float)w[i];
        for (int i = 0; i < n * n; i++) output[n + i] = (float)v[i];
    }

    private static double[] ToDouble(ReadOnlySpan<float> a, int n)
    {
        if (a.Length < n * n) throw new ArgumentException($"Eigh: the matrix has {a.Length} values, expected {n}×{n}.");
        var d = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) d[i * n + j] = a[Math.Min(i, j) * n + Math.Max(i, j)]; // the upper triangle, mirrored
        return d;
    }

    /// <summary>
    /// Cyclic Jacobi rotations in double until the off-diagonal mass is negligible: eigenvalues ascending, eigenvectors
    /// as columns (row-major [n, n]), each flipped so its largest-magnitude component is positive.
    /// </summary>
    public static (double[] Values, double[] Vectors) Eigh(double[] a, int n)
    {
        var m = (double[])a.Clone();
        var v = new double[n * n];
        for (int i = 0; i < n; i++) v[i * n + i] = 1;
        double scale = 0;
        foreach (var x in m) scale += x * x;
        for (int sweep = 0; sweep < 100; sweep++)
        {
            double off = 0;
            for (int p = 0; p < n; p++) for (int q = p + 1; q < n; q++) off += m[p * n + q] * m[p * n + q];
            if (off <= 1e-30 * Math.Max(scale, 1e-300)) break;
            for (int p = 0; p < n; p++)
                for (int q = p + 1; q < n; q++)
                {
                    double apq = m[p * n + q];
                    if (apq == 0) continue;
                    double theta = (m[q * n + q] - m[p * n + p]) / (2 * apq);
                    double t = Math.Sign(theta == 0 ? 1 : theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
                    double c = 1 / Math.Sqrt(t * t + 1), s = t * c;
                    for (int k = 0; k < n; k++) // A ← Jᵀ A J, columns then rows
                    {
                        double akp = m[k * n + p], akq = m[k * n + q];
                        m[k * n + p] = c * akp - s * akq;
                        m[k * n + q] = s * akp + c * akq;
                    }
                    for (int k = 0; k < n; k++)
                    {
                        double apk = m[p * n + k], aqk = m[q * n + k];
                        m[p * n + k] = c * apk - s * aqk;
                        m[q * n + k] = s * apk + c * aqk;
                    }
                    for (int k = 0; k < n; k++)
                    {
                        double vkp = v[k * n + p], vkq = v[k * n + q];
                        v[k * n + p] = c * vkp - s * vkq;
                        v[k * n + q] = s * vkp + c * vkq;
                    }
                }
        }
        var order = Enumerable.Range(0, n).OrderBy(i => m[i * n + i]).ThenBy(i => i).ToArray();
        var values = order.Select(i => m[i * n + i]).ToArray();
        var vectors = new double[n * n];
        for (int j = 0; j < n; j++)
        {
            int src = order[j], big = 0;
            for (int k = 1; k < n; k++) if (Math.Abs(v[k * n + src]) > Math.Abs(v[big * n + src])) big = k;
            double sign = v[big * n + src] < 0 ? -1 : 1;
            for (int k = 0; k < n; k++) vectors[k * n + j] = sign * v[k * n + src];
        }
        return (values, vectors);
    }

    /// <summary>Solves op(A_p) X_p = B_p for each of <paramref name="batch"/> systems stored one after another (A [batch, n, n], B and X [batch, n, k]).</summary>
    public static void Solve(bool transA, int batch, int n, int k, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> x)
    {
        for (int p = 0; p < batch; p++)
            Solve(transA, n, k, a.Slice(p * n * n, n * n), b.Slice(p * n * k, n * k), x.Slice(p * n * k, n * k));
    }

    /// <summary>
    /// Kernel form: solves op(A) X = B with A [n, n] row-major (op = transpose when <paramref name="transA"/>),
    /// B and X [n, k]. LU with partial pivoting; throws when A is singular to working precision.
    /// </summary>
    public static void Solve(bool transA, int n, int k, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> x)
    {
        var lu = Scratch(ref _lu, n * n);
        var r = Scratch(ref _rhs, n * k);
        if (_pivot is null || _pivot.Length < n) _pivot = new int[Math.Max(n, 16)];
        var piv = _pivot;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                lu[i * n + j] = transA ? a[j * n + i] : a[i * n + j];
        for (int i = 0; i < n * k; i++) r[i] = b[i];
        double scale = 0;
        for (int i = 0; i < n * n; i++) scale = Math.Max(scale, Math.Abs(lu[i]));
        for (int c = 0; c < n; c++)
        {
            int p = c;
            for (int i = c + 1; i < n; i++) if (Math.Abs(lu[i * n + c]) > Math.Abs(lu[p * n + c])) p = i;
            if (Math.Abs(lu[p * n + c]) <= 1e-12 * Math.Max(scale, double.Epsilon))
                throw new ArithmeticException($"Solve: the matrix A [{n}, {n}] is singular to working precision (pivot {c} is {lu[p * n + c]:G3}).");
            piv[c] = p;
            if (p != c)
            {
                for (int j = 0; j < n; j++) (lu[c * n + j], lu[p * n + j]) = (lu[p * n + j], lu[c * n + j]);
                for (int j = 0; j < k; j++) (r[c * k + j], r[p * k + j]) = (r[p * k + j], r[c * k + j]);
            }
            double d = lu[c * n + c];
            for (int i = c + 1; i < n; i++)
            {
                double f = lu[i * n + c] /= d;
                if (f == 0) continue;
                for (int j = c + 1; j < n; j++) lu[i * n + j] -= f * lu[c * n + j];
                for (int j = 0; j < k; j++) r[i * k + j] -= f * r[c * k + j];
            }
        }
        for (int i = n - 1; i >= 0; i--)
            for (int j = 0; j < k; j++)
            {
                double s = r[i * k + j];
                for (int q = i + 1; q < n; q++) s -= lu[i * n + q] * r[q * k + j];
                r[i * k + j] = s / lu[i * n + i];
            }
        for (int i = 0; i < n * k; i++) x[i] = (float)r[i];
    }

    /// <summary>
    /// Kernel form of a triangular solve: op(A_p) X_p = B_p for each of <paramref name="batch"/> systems, reading only
    /// the lower (or <paramref name="upper"/>) triangle of each A [n, n]; a zero on the diagonal is an error.
    /// </summary>
    public static void SolveTriangular(bool upper, bool transA, int batch, int n, int k, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> x)
    {
        var r = Scratch(ref _rhs, n * k);
        bool backward = upper != transA; // op(A) upper: substitute from the last row
        for (int p = 0; p < batch; p++)
        {
            var m = a.Slice(p * n * n, n * n);
            var rhs = b.Slice(p * n * k, n * k);
            for (int i = 0; i < n * k; i++) r[i] = rhs[i];
            for (int step = 0; step < n; step++)
            {
                int i = backward ? n - 1 - step : step;
                double d = m[i * n + i];
                if (d == 0)
                    throw new ArithmeticException($"SolveTriangular: the {(upper ? "upper" : "lower")}-triangular matrix A [{n}, {n}] (system {p}) has a zero on its diagonal at row {i}.");
                for (int j = 0; j < k; j++)
                {
                    double s = r[i * k + j];
                    if (backward) for (int q = i + 1; q < n; q++) s -= (transA ? m[q * n + i] : m[i * n + q]) * r[q * k + j];
                    else for (int q = 0; q < i; q++) s -= (transA ? m[q * n + i] : m[i * n + q]) * r[q * k + j];
                    r[i * k + j] = s / d;
                }
            }
            var o = x.Slice(p * n * k, n * k);
            for (int i = 0; i < n * k; i++) o[i] = (float)r[i];
        }
    }

    /// <summary>Kernel form of the Cholesky op: L [n, n] for each of <paramref name="batch"/> matrices, each read as (A + Aᵀ)/2.</summary>
    public static void Cholesky(ReadOnlySpan<float> a, Span<float> output, int batch, int n)
    {
        var l = Scratch(ref _lu, n * n);
        for (int p = 0; p < batch; p++)
        {
            var m = a.Slice(p * n * n, n * n);
            Factor(m, n, l, p);
            var o = output.Slice(p * n * n, n * n);
            for (int i = 0; i < n * n; i++) o[i] = (float)l[i];
        }
    }

    /// <summary>Kernel form of the SLogDet op: for each of <paramref name="batch"/> matrices [n, n], the determinant's sign and log |det| (LU with partial pivoting).</summary>
    public static void SLogDet(ReadOnlySpan<float> a, Span<float> output, int batch, int n)
    {
        var lu = Scratch(ref _lu, n * n);
        for (int p = 0; p < batch; p++)
        {
            var m = a.Slice(p * n * n, n * n);
            for (int i = 0; i < n * n; i++) lu[i] = m[i];
            double sign = 1, log = 0;
            for (int c = 0; c < n && sign != 0; c++)
            {
                int piv = c;
                for (int i = c + 1; i < n; i++) if (Math.Abs(lu[i * n + c]) > Math.Abs(lu[piv * n + c])) piv = i;
                double d = lu[piv * n + c];
                if (d == 0) { sign = 0; log = double.NegativeInfinity; break; }
                if (piv != c)
                {
                    for (int j = 0; j < n; j++) (lu[c * n + j], lu[piv * n + j]) = (lu[piv * n + j], lu[c * n + j]);
                    sign = -sign;
                }
                if (d < 0) sign = -sign;
                log += Math.Log(Math.Abs(d));
                for (int i = c + 1; i < n; i++)
                {
                    double f = lu[i * n + c] / d;
                    if (f == 0) continue;
                    for (int j = c + 1; j < n; j++) lu[i * n + j] -= f * lu[c * n + j];
                }
            }
            output[2 * p] = (float)sign;
            output[2 * p + 1] = (float)log;
        }
    }

    /// <summary>The lower-triangular L with A = L·Lᵀ, for a symmetric positive definite A [n, n].</summary>
    public static Tensor Cholesky(Tensor a)
    {
        int n = SquareSize(a, nameof(a));
        var l = new double[n * n];
        Factor(a.Data, n, l);
        var t = new Tensor(n, n);
        for (int i = 0; i < l.Length; i++) t.Data[i] = (float)l[i];
        return t;
    }

    /// <summary>Solves A x = b for a symmetric positive definite A by Cholesky (b [n] or [n, k]).</summary>
    public static Tensor CholeskySolve(Tensor a, Tensor b)
    {
        int n = SquareSize(a, nameof(a));
        if (b.Rank is not (1 or 2) || b.Shape[0] != n)
            throw new ArgumentException($"CholeskySolve: b must be [{n}] or [{n}, k] to match A {Tensor.Format(a.Shape)}, got {Tensor.Format(b.Shape)}.", nameof(b));
        int k = b.Rank == 1 ? 1 : b.Shape[1];
        var l = new double[n * n];
        Factor(a.Data, n, l);
        var y = new double[n * k];
        for (int i = 0; i < n * k; i++) y[i] = b.Data[i];
        for (int j = 0; j < k; j++)
        {
            for (int i = 0; i < n; i++)
            {
                double s = y[i * k + j];
                for (int q = 0; q < i; q++) s -= l[i * n + q] * y[q * k + j];
                y[i * k + j] = s / l[i * n + i];
            }
            for (int i = n - 1; i >= 0; i--)
            {
                double s = y[i * k + j];
                for (int q = i + 1; q < n; q++) s -= l[q * n + i] * y[q * k + j];
                y[i * k + j] = s / l[i * n + i];
            }
        }
        var x = new Tensor(b.Shape);
        for (int i = 0; i < y.Length; i++) x.Data[i] = (float)y[i];
        return x;
    }

    /// <summary>L with A = L·Lᵀ into <paramref name="l"/> (zeros above the diagonal), A read as (A + Aᵀ)/2; <paramref name="index"/> names the matrix in errors.</summary>
    private static void Factor(ReadOnlySpan<float> a, int n, double[] l, int index = 0)
    {
        Array.Clear(l, 0, n * n);
        for (int j = 0; j < n; j++)
        {
            double d = a[j * n + j];
            for (int q = 0; q < j; q++) d -= l[j * n + q] * l[j * n + q];
            if (!(d > 0))
                throw new ArithmeticException($"Cholesky: matrix {index} [{n}, {n}] is not positive definite (pivot {j} is {d:G3}); add a small ridge to the diagonal or use Solve.");
            double ljj = Math.Sqrt(d);
            l[j * n + j] = ljj;
            for (int i = j + 1; i < n; i++)
            {
                double s = 0.5 * ((double)a[i * n + j] + a[j * n + i]);
                for (int q = 0; q < j; q++) s -= l[i * n + q] * l[j * n + q];
                l[i * n + j] = s / ljj;
            }
        }
    }

    private static int SquareSize(Tensor a, string name) =>
        a.Rank == 2 && a.Shape[0] == a.Shape[1] ? a.Shape[0]
        : throw new ArgumentException($"Expected a square matrix [n, n], got {Tensor.Format(a.Shape)}.", name);

    private static double[] Scratch(ref double[]? buffer, int size)
    {
        if (buffer is null || buffer.Length < size) buffer = new double[Math.Max(size, 64)];
        return buffer;
    }
}
