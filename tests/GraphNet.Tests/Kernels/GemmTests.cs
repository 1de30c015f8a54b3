using System;
using System.Threading.Tasks;
using GraphNet.Runtime;
using Xunit;

namespace GraphNet.Tests.Kernels;

/// <summary>The packed GEMM against a double-precision triple loop, over shapes that hit every edge of its blocking.</summary>
[Collection("Workers")]
public class GemmTests
{
    private static float[] Random(int n, int seed)
    {
        var r = new Random(seed);
        var v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float)(r.NextDouble() * 2 - 1);
        return v;
    }

    private static double[] Reference(bool tA, bool tB, int batch, int m, int n, int k, float[] a, float[] b, float[]? c0)
    {
        var c = new double[batch * m * n];
        for (int p = 0; p < batch; p++)
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                {
                    double s = c0 is null ? 0 : c0[p * m * n + i * n + j];
                    for (int q = 0; q < k; q++)
                    {
                        double x = tA ? a[p * m * k + q * m + i] : a[p * m * k + i * k + q];
                        double y = tB ? b[p * k * n + j * k + q] : b[p * k * n + q * n + j];
                        s += x * y;
                    }
                    c[p * m * n + i * n + j] = s;
                }
        return c;
    }

    public static TheoryData<int, int, int, int> Shapes => new()
    {
        { 1, 1, 1, 1 }, { 1, 13, 1, 7 }, { 1, 1, 37, 300 }, { 1, 37, 1, 300 }, { 1, 12, 32, 256 }, { 1, 13, 33, 257 },
        { 1, 121, 65, 513 }, { 1, 250, 70, 40 }, { 1, 6, 25, 5000 }, { 1, 7, 40, 2048 }, { 1, 100, 1, 3000 }, { 1, 1, 100, 3000 }, { 3, 5, 6, 25 }, { 4, 64, 64, 64 }, { 1, 128, 3100, 9 }, { 2, 7, 40, 0 },
        { 1, 1000, 16, 32 }, { 1, 37, 10, 300 }, { 1, 13, 2, 7 }, { 1, 25, 15, 1 }, // narrow results: 6×16 row blocks, A read in place
    };

    /// <summary>
    /// Runs <paramref name="run"/>(tA, tB, accumulate, C) for every microkernel, thread count, transpose and
    /// accumulate setting, C starting as <paramref name="c0"/> each time, asserts C against the triple loop, then
    /// runs <paramref name="also"/> on the same C.
    /// </summary>
    private static void ForEverySetting(int batch, int m, int n, int k, float[] a, float[] b, float[] c0, Action<bool, bool, bool, float[]> run, Action<bool, bool, bool, float[]>? also = null)
    {
        bool avx512 = Gemm.UseAvx512;
        try
        {
            foreach (bool kernel512 in avx512 ? new[] { true, false } : new[] { false })
                foreach (int threads in new[] { 1, 2 })
                    foreach (bool tA in new[] { false, true })
                        foreach (bool tB in new[] { false, true })
                            foreach (bool acc in new[] { false, true })
                            {
                                Gemm.UseAvx512 = kernel512;
                                Workers.SetThreads(threads);
                                var c = (float[])c0.Clone();
                                run(tA, tB, acc, c);
                                var want = Reference(tA, tB, batch, m, n, k, a, b, acc ? c0 : null);
                                for (int i = 0; i < want.Length; i++)
                                    Assert.True(Math.Abs(c[i] - want[i]) <= 1e-4 * (1 + Math.Sqrt(k)),
                                        $"avx512={kernel512} threads={threads} tA={tA} tB={tB} acc={acc} [{i}]: {c[i]} vs {want[i]}");
                                also?.Invoke(tA, tB, acc, c);
                            }
        }
        finally
        {
            Gemm.UseAvx512 = avx512;
            Workers.SetThreads(Environment.ProcessorCount);
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void MatchesTripleLoopForEveryTransposeKernelAndThreadCount(int batch, int m, int n, int k)
    {
        var a = Random(batch * m * k, 1);
        var b = Random(batch * k * n, 2);
        var c0 = Random(batch * m * n, 3);
        ForEverySetting(batch, m, n, k, a, b, c0, (tA, tB, acc, c) => Gemm.MatMul(tA, tB, batch, m, n, k, a, b, c, acc));
    }

    public static TheoryData<int, int, int> PackedShapes => new()
    {
        { 1, 1, 1 }, { 32, 1024, 256 }, { 32, 256, 1024 }, { 13, 33, 257 }, { 1, 100, 300 }, { 37, 1, 300 }, { 5, 4097, 3 },
        { 1000, 16, 32 }, { 37, 10, 300 }, { 13, 2, 7 }, // the narrow path's bits are the packed kernels'
    };

    [Theory]
    [MemberData(nameof(PackedShapes))]
    public void A_prepacked_b_gives_the_plain_products_bits(int m, int n, int k)
    {
        var a = Random(m * k, 4);
        var b = Random(k * n, 5);
        var c0 = Random(m * n, 6);
        ForEverySetting(1, m, n, k, a, b, c0, (tA, tB, acc, c) =>
        {
            var packed = new float[Gemm.PackedLength(n, k)];
            Gemm.PackB(tB, n, k, b, packed);
            Gemm.MatMulPacked(tA, m, n, k, a, packed, c, acc);
        }, (tA, tB, acc, c) =>
        {
            if (m == 1 || n == 1) return; // the plain product takes its streaming path there
            var plain = (float[])c0.Clone(); // the blocked path: the same bits as packing on the fly
            Gemm.MatMul(tA, tB, 1, m, n, k, a, b, plain, acc);
            Assert.Equal(plain, c);
        });
    }

    public static TheoryData<int, int, int, int> SplitShapes => new()
    {
        { 1, 6, 25, 50_176 }, // a conv weight gradient (6 filters of 5×5, 64 images of 28×28): K split into partials
        { 1, 16, 150, 6400 }, { 1, 7, 40, 2048 }, { 1, 24, 256, 1100 }, // outer products (with transB: the packed paths)
        { 1, 32, 10, 4096 }, // an MLP's last weight gradient over a batch of 4096
        { 1, 300, 1, 20_000 }, { 1, 1, 300, 20_000 }, // Xᵀr and rᵀB with a short result: rows split into partial vectors
        { 1, 2000, 1, 5000 }, { 1, 1, 2000, 5000 }, // a long result: column ranges
        { 1, 64, 784, 64 }, { 1, 121, 65, 513 }, { 1, 1000, 16, 32 }, { 1, 5003, 10, 400 }, { 1, 128, 3100, 9 }, { 4, 64, 64, 64 }, // row or column ranges, batch items
    };

    [Theory]
    [MemberData(nameof(SplitShapes))]
    public void ResultsAreTheSameBitsForEveryThreadCountAndKernel(int batch, int m, int n, int k)
    {
        var a = Random(batch * m * k, 4);
        var b = Random(batch * k * n, 5);
        var c0 = Random(batch * m * n, 6);
        bool avx512 = Gemm.UseAvx512;
        try
        {
            foreach (bool tA in new[] { false, true })
                foreach (bool tB in new[] { false, true })
                    foreach (bool acc in new[] { false, true })
                    {
                        float[]? first = null;
                        foreach (bool kernel512 in avx512 ? new[] { true, false } : new[] { false })
                            foreach (int threads in new[] { 1, 2, 3 })
                            {
                                Gemm.UseAvx512 = kernel512;
                                Workers.SetThreads(threads);
                                var c = (float[])c0.Clone();
                                Gemm.MatMul(tA, tB, batch, m, n, k, a, b, c, acc);
                                first ??= c;
                                Assert.True(first.AsSpan().SequenceEqual(c), $"avx512={kernel512} threads={threads} tA={tA} tB={tB} acc={acc} differs from the first run");
                            }
                    }
        }
        finally
        {
            Gemm.UseAvx512 = avx512;
            Workers.SetThreads(Environment.ProcessorCount);
        }
    }

    [Fact]
    public void A_large_product_with_its_longer_k_blocks_matches_products_of_its_row_halves()
    {
        const int n = 1024; // the smallest large product: 1024×1024 over 1024 (the halves are not large)
        var a = Random(n * n, 7);
        var b = Random(n * n, 8);
        foreach (bool tB in new[] { false, true })
        {
            var whole = new float[n * n];
            Gemm.MatMul(false, tB, 1, n, n, n, a, b, whole);
            var halves = new float[n * n];
            Gemm.MatMul(false, tB, 1, n / 2, n, n, a.AsSpan(0, n * n / 2), b, halves.AsSpan(0, n * n / 2));
            Gemm.MatMul(false, tB, 1, n / 2, n, n, a.AsSpan(n * n / 2), b, halves.AsSpan(n * n / 2));
            for (int i = 0; i < whole.Length; i++)
                Assert.True(Math.Abs(whole[i] - halves[i]) <= 1e-4 * (1 + Math.Sqrt(n)), $"tB={tB} [{i}]: {whole[i]} vs {halves[i]}");
            Assert.False(whole.AsSpan().SequenceEqual(halves), "the large blocking was not taken (every element the same bits)");
        }
    }

    [Fact]
    public void OperandsTooSmallNameTheShape()
    {
        var e = Assert.Throws<ArgumentException>(() => Gemm.MatMul(false, false, 1, 4, 4, 4, new float[15], new float[16], new float[16]));
        Assert.Contains("m=4", e.Message);
        Assert.Contains("A has 15 floats", e.Message);
    }

    [Fact]
    public void ConcurrentCallersFromManyThreadsGetTheirOwnResults()
    {
        // Callers racing for the pool: one gets it, the others run inline; every result must be right.
        Workers.SetThreads(Environment.ProcessorCount);
        Parallel.For(0, 8, t =>
        {
            var a = Random(96 * 80, 10 + t);
            var b = Random(80 * 70, 20 + t);
            var want = Reference(false, false, 1, 96, 70, 80, a, b, null);
            for (int rep = 0; rep < 20; rep++)
            {
                var c = new float[96 * 70];
                Gemm.MatMul(false, false, 1, 96, 70, 80, a, b, c);
                for (int i = 0; i < c.Length; i++) Assert.True(Math.Abs(c[i] - want[i]) < 1e-3, $"thread {t} rep {rep} [{i}]");
            }
        });
    }
}

[CollectionDefinition("Workers", DisableParallelization = true)]
public class WorkersCollection
{
}
