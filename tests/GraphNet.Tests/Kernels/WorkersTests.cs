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
}
