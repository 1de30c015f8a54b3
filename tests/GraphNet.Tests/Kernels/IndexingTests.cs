using System;
using GraphNet.Runtime;
using Xunit;

namespace GraphNet.Tests.Kernels;

/// <summary>The vectorized arg-extreme and scatter-add against plain loops, over ties, signed zeros and NaNs.</summary>
[Collection("Workers")]
public class IndexingTests
{
    /// <summary>The rule in one loop: the first strictly better value wins; the first NaN wins and ends the search.</summary>
    private static float[] ArgReference(float[] x, int outer, int n, int inner, bool max)
    {
        var y = new float[outer * inner];
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                int best = 0;
                float bv = x[o * n * inner + i];
                for (int k = 1; k < n && !float.IsNaN(bv); k++)
                {
                    float v = x[(o * n + k) * inner + i];
                    if (float.IsNaN(v) || (max ? v > bv : v < bv)) { best = k; bv = v; }
                }
                y[o * inner + i] = best;
            }
        return y;
    }

    public static TheoryData<int, int, int> ArgShapes => new()
    {
        { 50, 1, 1 }, { 300, 3, 1 }, { 300, 8, 1 }, { 300, 16, 1 }, { 300, 17, 1 }, { 40, 45, 1 },
        { 20, 5, 8 }, { 20, 16, 11 }, { 7, 3, 24 }, { 9, 1, 9 },
        { 203, 4, 1 }, { 77, 2, 1 }, { 64, 7, 1 }, { 5, 4, 1 }, // short rows, eight at a time, and a remainder
        { 203, 12, 1 }, { 100, 9, 1 }, // rows of 9 to 16 in one masked vector
    };

    [Theory]
    [MemberData(nameof(ArgShapes))]
    public void Arg_extremes_match_the_scalar_rule_with_ties_zeros_and_nans(int outer, int n, int inner)
    {
        var r = new Random(outer * 31 + n * 7 + inner);
        var x = new float[outer * n * inner];
        // Few distinct values so ties are common; signed zeros; a NaN in about one row in six.
        float[] pool = { -2f, -1f, -0f, 0f, 1f, 3f, float.NegativeInfinity, float.PositiveInfinity };
        for (int i = 0; i < x.Length; i++) x[i] = r.Next(5) == 0 ? (float)r.NextDouble() : pool[r.Next(pool.Length)];
        for (int i = 0; i < x.Length / Math.Max(1, 6 * n); i++) x[r.Next(x.Length)] = float.NaN;
        foreach (bool max in new[] { false, true })
            foreach (int threads in new[] { 1, 2 })
            {
                Workers.SetThreads(threads);
                try
                {
                    var got = new float[outer * inner];
                    Indexing.ArgExtreme(x, got, outer, n, inner, max);
                    Assert.Equal(ArgReference(x, outer, n, inner, max), got);
                }
                finally { Workers.SetThreads(Environment.ProcessorCount); }
            }
    }

    /// <summary>Random row ids in 0 .. rows − 1 and values in [−1, 1) for count rows of rowLen.</summary>
    private static (float[] Ids, float[] Values) RandomRows(int count, int rowLen, int rows, int seed)
    {
        var r = new Random(seed);
        var ids = new float[count];
        var values = new float[count * rowLen];
        for (int i = 0; i < count; i++) ids[i] = r.Next(rows);
        for (int i = 0; i < values.Length; i++) values[i] = (float)(r.NextDouble() * 2 - 1);
        return (ids, values);
    }

    [Theory]
    [InlineData(1000, 32, 16)]
    [InlineData(333, 7, 5)]
    [InlineData(100, 1, 3)]
    [InlineData(5000, 48, 70)] // split over the pool by columns: 3 parts of 16
    [InlineData(1000, 12, 7)] // a small table, too few rows for private tables: in order on the caller
    [InlineData(4096, 32, 10000)] // an embedding table's gradient: most rows cleared, not touched
    public void Scatter_add_sums_rows_in_order(int count, int rowLen, int rows)
    {
        var (ids, values) = RandomRows(count, rowLen, rows, count + rowLen);
        var want = new float[rows * rowLen];
        for (int i = 0; i < count; i++)
            for (int j = 0; j < rowLen; j++) want[(int)ids[i] * rowLen + j] += values[i * rowLen + j];
        var got = new float[rows * rowLen];
        Array.Fill(got, 5f); // cleared first
        Indexing.ScatterAdd(ids, values, got, count, rowLen, rows);
        Assert.Equal(want, got);
        ids[count / 2] = rows; // out of range: named
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Indexing.ScatterAdd(ids, values, got, count, rowLen, rows, "input 'label'"));
        Assert.Equal("label", e.ParamName);
    }

    [Theory]
    [InlineData(100000, 32, 16)] // k-means' cluster sums: private tables per range of rows
    [InlineData(100000, 1, 16)]  // and its counts
    [InlineData(40000, 3, 50)]
    public void Scatter_add_into_a_small_table_sums_ranges_the_same_way_on_any_thread_count(int count, int rowLen, int rows)
    {
        var (ids, values) = RandomRows(count, rowLen, rows, count + rowLen + rows);
        var want = new double[rows * rowLen];
        for (int i = 0; i < count; i++)
            for (int j = 0; j < rowLen; j++) want[(int)ids[i] * rowLen + j] += values[i * rowLen + j];
        float[]? first = null;
        foreach (int threads in new[] { 1, 2, 3 })
        {
            Workers.SetThreads(threads);
            try
            {
                var got = new float[rows * rowLen];
                Array.Fill(got, 5f); // overwritten, not added to
                Indexing.ScatterAdd(ids, values, got, count, rowLen, rows);
                for (int i = 0; i < got.Length; i++)
                    Assert.True(Math.Abs(got[i] - want[i]) < 2e-3, $"element {i} on {threads} threads: {got[i]:R}, want {want[i]:R}");
                first ??= got;
                Assert.Equal(first, got);
            }
            finally { Workers.SetThreads(Environment.ProcessorCount); }
        }
        ids[count - 3] = -2; // out of range: named, before any table is added
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Indexing.ScatterAdd(ids, values, new float[rows * rowLen], count, rowLen, rows, "input 'label'"));
        Assert.Contains($"position {count - 3}", e.Message);
    }

    [Theory]
    [InlineData(10, 3, 4)]
    [InlineData(5000, 32, 100)] // over the pool: an embedding's rows, vector by vector
    [InlineData(5000, 27, 100)] // 16 + 8 + 3 floats a row
    [InlineData(40000, 1, 10)]
    [InlineData(3000, 300, 50)] // long rows: the copy routine
    public void Gather_copies_rows_and_names_the_first_bad_id(int count, int rowLen, int rows)
    {
        var r = new Random(count);
        var table = new float[rows * rowLen];
        for (int i = 0; i < table.Length; i++) table[i] = i;
        var ids = new float[count];
        for (int i = 0; i < count; i++) ids[i] = r.Next(rows);
        var got = new float[count * rowLen];
        Indexing.Gather(table, ids, got, count, rowLen, rows);
        for (int i = 0; i < count; i++)
            for (int j = 0; j < rowLen; j++) Assert.Equal(table[(int)ids[i] * rowLen + j], got[i * rowLen + j]);
        ids[count - 1] = 2.5f;
        ids[count / 2] = -1;
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Indexing.Gather(table, ids, got, count, rowLen, rows, "input 'tokens'"));
        Assert.Equal("tokens", e.ParamName);
        Assert.Contains($"Index -1 at position {count / 2}", e.Message);
        Assert.Throws<ArgumentException>(() => Indexing.Gather(table, ids, new float[count * rowLen - 1], count, rowLen, rows));
    }

    [Theory]
    [InlineData(64, 256, 1, 512, 256)] // an LSTM's gate gradient placed in its [B, 1024] slot: rows over the pool
    [InlineData(3, 5, 4, 2, 1)]
    public void Pad_and_Place_put_each_row_in_its_slot_on_any_thread_count(int outer, int n, int inner, int before, int after)
    {
        var r = new Random(outer + n);
        var x = new float[outer * n * inner];
        for (int i = 0; i < x.Length; i++) x[i] = (float)r.NextDouble() + 1;
        int m = n + before + after;
        foreach (int threads in new[] { 1, 2, 3 })
        {
            Workers.SetThreads(threads);
            try
            {
                var y = new float[outer * m * inner];
                y.AsSpan().Fill(float.NaN);
                Indexing.Pad(x, y, outer, n, inner, before, after);
                for (int o = 0; o < outer; o++)
                    for (int j = 0; j < m * inner; j++)
                    {
                        int k = j / inner - before;
                        float want = k >= 0 && k < n ? x[(o * n + k) * inner + j % inner] : 0f;
                        Assert.Equal(want, y[o * m * inner + j]);
                    }
                // Place: the same part, and the rest of each row left as it was (a concatenation's other parts).
                y.AsSpan().Fill(-7f);
                Indexing.Place(x, y, outer, n, inner, before, after);
                for (int o = 0; o < outer; o++)
                    for (int j = 0; j < m * inner; j++)
                    {
                        int k = j / inner - before;
                        float want = k >= 0 && k < n ? x[(o * n + k) * inner + j % inner] : -7f;
                        Assert.Equal(want, y[o * m * inner + j]);
                    }
                // In place: the part is the buffer's own first outer·n·inner floats; it ends in its slots, whatever was around.
                var z = new float[outer * m * inner];
                x.CopyTo(z, 0);
                Indexing.PlaceInPlace(z, outer, n, inner, before, after);
                for (int o = 0; o < outer; o++)
                    for (int j = before * inner; j < (before + n) * inner; j++)
                        Assert.Equal(x[(o * n + j / inner - before) * inner + j % inner], z[o * m * inner + j]);
            }
            finally { Workers.SetThreads(Environment.ProcessorCount); }
        }
        Assert.Throws<ArgumentException>(() => Indexing.Pad(x, new float[outer * m * inner - 1], outer, n, inner, before, after));
        Assert.Throws<ArgumentException>(() => Indexing.Place(x, new float[outer * m * inner - 1], outer, n, inner, before, after));
        Assert.Throws<ArgumentException>(() => Indexing.Place(new float[x.Length - 1], new float[outer * m * inner], outer, n, inner, before, after));
    }

    [Fact]
    public void A_loop_reads_each_time_step_of_a_batch_major_sequence_on_any_thread_count()
    {
        const int outer = 32, steps = 5, inner = 1024;
        var seq = new float[outer * steps * inner];
        for (int i = 0; i < seq.Length; i++) seq[i] = i;
        foreach (int threads in new[] { 1, 2, 3 })
        {
            Workers.SetThreads(threads);
            try
            {
                for (int t = 0; t < steps; t++)
                {
                    var step = new float[outer * inner];
                    Steps.Read(seq, step, outer, steps, inner, t);
                    for (int o = 0; o < outer; o++)
                        for (int j = 0; j < inner; j++) Assert.Equal(seq[(o * steps + t) * inner + j], step[o * inner + j]);
                }
            }
            finally { Workers.SetThreads(Environment.ProcessorCount); }
        }
        Assert.Throws<ArgumentException>(() => Steps.Read(seq, new float[outer * inner], outer, steps, inner, steps));
    }
}
