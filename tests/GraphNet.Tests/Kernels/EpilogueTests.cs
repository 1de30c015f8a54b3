using System;
using System.Linq;
using GraphNet.Compiler;
using GraphNet.Runtime;
using Xunit;

namespace GraphNet.Tests.Kernels;

/// <summary>A product followed by an epilogue over its rows, against the product and then the same rows, bitwise.</summary>
[Collection("Workers")]
public class EpilogueTests
{
    /// <summary>out = relu(c + bias) row by row, and a count of the times each row was visited.</summary>
    private struct BiasRelu : IRangeJob
    {
        public float[] C, Bias, Out;
        public int[] Visits;
        public int N;

        public void Run(int lo, int hi)
        {
            for (int i = lo; i < hi; i++)
            {
                System.Threading.Interlocked.Increment(ref Visits[i]);
                for (int j = 0; j < N; j++) Out[i * N + j] = MathF.Max(C[i * N + j] + Bias[j], 0f);
            }
        }
    }

    // m, n, k, transA, transB
    [Theory]
    [InlineData(128, 256, 784, false, false)] // an MLP layer: the blocked kernels, the epilogue per block of rows
    [InlineData(128, 256, 256, false, true)]  // a backward product against the transposed weights
    [InlineData(300, 70, 33, true, false)]    // edges of every blocking
    [InlineData(13, 40, 5, false, false)]     // one row block
    [InlineData(500, 10, 64, false, false)]   // a narrow result: its own path, the epilogue on each chunk of rows
    [InlineData(64, 1, 300, false, false)]    // a vector
    [InlineData(16, 24, 40000, true, false)]  // a split contraction
    [InlineData(16, 150, 2048, true, false)]  // outer products (a weight gradient), then the epilogue over the rows
    [InlineData(100000, 16, 32, false, true)] // k-means distances: narrow, the epilogue on each chunk of rows
    [InlineData(300, 12, 400, true, false)]   // narrow over several contraction blocks: rows final only after the last
    public void Epilogue_sees_final_rows_once_and_the_product_keeps_its_bits(int m, int n, int k, bool transA, bool transB)
    {
        var r = new Random(m * 7 + n + k);
        float[] Random(int len) { var v = new float[len]; for (int i = 0; i < len; i++) v[i] = (float)(r.NextDouble() * 2 - 1); return v; }
        var a = Random(m * k);
        var b = Random(k * n);
        var bias = Random(n);
        var want = new float[m * n];
        Gemm.MatMul(transA, transB, 1, m, n, k, a, b, want);
        var wantOut = new float[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) wantOut[i * n + j] = MathF.Max(want[i * n + j] + bias[j], 0f);
        foreach (int threads in new[] { 1, 2, 3 })
        {
            Workers.SetThreads(threads);
            try
            {
                var c = new float[m * n];
                c.AsSpan().Fill(float.NaN);
                var rows = new BiasRelu { C = c, Bias = bias, Out = new float[m * n], Visits = new int[m], N = n };
                Gemm.MatMulThen(transA, transB, m, n, k, a, b, c, ref rows);
                Assert.Equal(want, c);
                Assert.Equal(wantOut, rows.Out); // computed from final rows only: a row seen early would differ
                Assert.All(rows.Visits, v => Assert.Equal(1, v));
            }
            finally { Workers.SetThreads(Environment.ProcessorCount); }
        }
    }

    [Fact]
    public void Operands_too_small_are_refused()
    {
        var rows = new Gemm.NoRows();
        Assert.Throws<ArgumentException>(() => Gemm.MatMulThen(false, false, 4, 4, 4, new float[15], new float[16], new float[16], ref rows));
    }
}

/// <summary>Which kernels the compiler puts in a product's epilogue.</summary>
public class EpilogueScheduleTests
{
    /// <summary>k-means' assignment: ‖c‖² − 2·x·cᵀ per row, then the nearest centroid (arg-min along the row).</summary>
    private static Graph Nearest(bool columns)
    {
        var b = new GraphBuilder();
        var x = b.Input("x", new Shape(Dim.Sym("N"), 32));
        var c = b.Param("c", new Shape(16, 32));
        var d = b.Sub(b.Reshape(b.Sum(b.Mul(c, c), new[] { 1 }), new Shape(1, 16)), b.Mul(b.Const(2), b.MatMul(x, c, transB: true)));
        b.Graph.SetOutput(OutputNames.Result, columns ? b.ArgMin(d, 0) : b.ArgMin(d, -1));
        return b.Graph;
    }

    [Fact]
    public void The_nearest_centroid_joins_the_distance_product_as_its_epilogue()
    {
        var f = ModelCompiler.Compile("G", EntryKind.Forward, "F", Nearest(columns: false), verify: true);
        var product = Assert.Single(f.Schedule.Kernels, k => k.Kind == KernelKind.MatMul);
        var group = f.Schedule.Kernels.Where(k => k.Group >= 0 && k.Group == product.Group).ToList();
        Assert.True(product.Epilogue);
        Assert.Equal(3, group.Count); // the product, the distances, the arg-min
        Assert.Equal(KernelKind.Elementwise, group[1].Kind);
        Assert.Equal(OpKind.ArgMin, group[2].Root.Op);
        Assert.Same(group[1].Root, group[2].Reads[0]);
    }

    [Fact]
    public void An_arg_min_down_the_columns_needs_every_row_and_stays_out()
    {
        var f = ModelCompiler.Compile("G", EntryKind.Forward, "F", Nearest(columns: true), verify: true);
        var argMin = Assert.Single(f.Schedule.Kernels, k => k.Root.Op == OpKind.ArgMin);
        Assert.False(argMin.Epilogue);
        Assert.True(argMin.Group < 0);
    }
}
