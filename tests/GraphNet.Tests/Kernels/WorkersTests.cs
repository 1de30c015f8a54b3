using System;
using System.Collections.Concurrent;
using System.Linq;
using GraphNet.Runtime;
using Xunit;

namespace GraphNet.Tests.Kernels;

/// <summary>How the pool cuts a kernel's outer loop: by the work, on multiples of 16 for a flat loop, covering it once.</summary>
[Collection("Workers")]
public class WorkersTests
{
    private struct Record : IRangeJob
    {
        public ConcurrentBag<(int Lo, int Hi)> Ranges;

        public readonly void Run(int lo, int hi) => Ranges.Add((lo, hi));
    }

    private static (int Lo, int Hi)[] Cuts(int extent, long inner, int weight)
    {
        var job = new Record { Ranges = new ConcurrentBag<(int, int)>() };
        Workers.ForRange(ref job, extent, inner, weight);
        return job.Ranges.OrderBy(r => r.Lo).ToArray();
    }

    [Fact]
    public void A_costly_kernel_is_split_where_a_cheap_one_of_the_same_size_is_not()
    {
        Workers.SetThreads(2);
        try
        {
            Assert.Single(Cuts(8192, 1, 1)); // 8192 simple elements: below the split threshold, run inline
            var cut = Cuts(8192, 1, 21); // an LSTM cell's gates: five transcendentals per element
            Assert.True(cut.Length >= 2, $"{cut.Length} ranges");
            Assert.Equal(0, cut[0].Lo);
            Assert.Equal(8192, cut[^1].Hi);
            for (int i = 1; i < cut.Length; i++) Assert.Equal(cut[i - 1].Hi, cut[i].Lo); // once, in order, no gaps
            Assert.All(cut.Take(cut.Length - 1), r => Assert.Equal(0, r.Hi % 16)); // the vector loop runs to each cut
            var rows = Cuts(100, 33, 9); // rows of 33: cut between rows, on any row
            Assert.Equal(100, rows.Sum(r => r.Hi - r.Lo));
            Workers.SetThreads(1);
            Assert.Single(Cuts(8192, 1, 21)); // one thread: inline whatever the weight
        }
        finally { Workers.SetThreads(Environment.ProcessorCount); }
    }

    /// <summary>Column sums of a [rows, n] matrix, rows [lo, hi) into a part (cleared first), and the parts it was given.</summary>
    private struct ColumnSums : IPartialJob
    {
        public float[] X;
        public int N;
        public ConcurrentBag<(int Lo, int Hi)> Parts;

        public readonly void Run(int lo, int hi, Span<float> part)
        {
            Parts.Add((lo, hi));
            part.Clear();
            for (int r = lo; r < hi; r++)
                for (int j = 0; j < N; j++) part[j] += X[r * N + j];
        }
    }

    [Theory]
    [InlineData(50176, 6)] // LeNet-5's first bias gradient: 64·28·28 rows of 6
    [InlineData(2048, 1024)] // a transformer block's feed-forward bias
    [InlineData(300, 7)] // small: one part, on the caller
    public void A_column_sum_runs_in_parts_fixed_by_its_size_with_the_same_bits_on_any_thread_count(int rows, int n)
    {
        var r = new Random(rows);
        var x = new float[rows * n];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(r.NextDouble() * 2 - 1);
        float[]? first = null;
        int? partCount = null;
        try
        {
            foreach (int threads in new[] { 1, 2, 3 })
            {
                Workers.SetThreads(threads);
                var job = new ColumnSums { X = x, N = n, Parts = new ConcurrentBag<(int, int)>() };
                var output = new float[n + 3];
                output[n] = 42f; // past the result: left alone
                Workers.ForParts(ref job, rows, n, 1, output, n);
                Assert.Equal(42f, output[n]);
                var parts = job.Parts.OrderBy(p => p.Lo).ToArray();
                Assert.Equal(0, parts[0].Lo);
                Assert.Equal(rows, parts[^1].Hi);
                for (int i = 1; i < parts.Length; i++) Assert.Equal(parts[i - 1].Hi, parts[i].Lo);
                partCount ??= parts.Length;
                Assert.Equal(partCount, parts.Length); // the parts follow from the size, not the threads
                for (int j = 0; j < n; j++)
                {
                    double want = 0;
                    for (int row = 0; row < rows; row++) want += x[row * n + j];
                    Assert.True(Math.Abs(output[j] - want) <= 1e-4 * rows, $"column {j}: {output[j]} vs {want}");
                }
                first ??= output;
                Assert.Equal(first, output);
            }
        }
        finally { Workers.SetThreads(Environment.ProcessorCount); }
        Assert.Equal(rows * n >= 131072, partCount > 1);
    }
}
