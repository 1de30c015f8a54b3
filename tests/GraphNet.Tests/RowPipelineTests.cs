using System;
using System.Linq;
using GraphNet.Compiler;
using GraphNet.Runtime;
using Xunit;

namespace GraphNet.Tests;

/// <summary>Row pipelines: which schedules form one, and the runtime's one pass against the two products it replaces.</summary>
[Collection("Workers")]
public class RowPipelineTests
{
    /// <summary>Σ (σ(x·w) − y)², with x [N, 5] and w [5, 1]: the gradient step reads x for x·w and again for xᵀ·r.</summary>
    private static Graph SigmoidRegression(bool centered)
    {
        var b = new GraphBuilder();
        var x = b.Input("x", new Shape(Dim.Sym("N"), 5));
        var y = b.Input("y", new Shape(Dim.Sym("N"), 1));
        var w = b.Param("w", new Shape(5, 1));
        var z = b.MatMul(x, w);
        if (centered) z = b.Sub(z, b.Mean(z, new[] { 0 }, keepDims: true)); // r needs every row's z: no pipeline
        var d = b.Sub(b.Sigmoid(z), y);
        b.Graph.SetOutput(OutputNames.Result, b.Sum(b.Mul(d, d)));
        return b.Graph;
    }

    [Fact]
    public void A_gradient_step_over_rows_runs_x_w_its_residual_and_x_transposed_r_as_one_pipeline()
    {
        var train = ModelCompiler.Compile("G", EntryKind.LossAndGradients, "F", SigmoidRegression(centered: false), verify: true);
        var group = train.Schedule.Kernels.Where(k => k.Group >= 0).ToList();
        Assert.NotEmpty(group);
        Assert.True(group.Select(k => k.Index).SequenceEqual(Enumerable.Range(group[0].Index, group.Count)), "a pipeline's kernels are adjacent");
        Assert.Equal(KernelKind.MatMul, group[0].Kind);
        Assert.False(group[0].Root.Attrs.TransA);
        Assert.Equal(KernelKind.MatMul, group[^1].Kind);
        Assert.True(group[^1].Root.Attrs.TransA);
        Assert.Same(group[0].Reads[0], group[^1].Reads[0]); // the same x
        Assert.All(group.Skip(1).SkipLast(1), k => Assert.Equal(KernelKind.Elementwise, k.Kind));
        // the loss's sum over rows is not needed by xᵀ·r: it runs after the pipeline
        Assert.Contains(train.Schedule.Kernels, k => k.Kind == KernelKind.Reduce && k.Index > group[^1].Index);
        // no buffer a pipeline kernel reads shares a slot with one another pipeline kernel writes
        var plan = train.Schedule.Memory.SlotOf;
        var reads = group.SelectMany(k => k.Reads).Where(plan.ContainsKey).ToList();
        foreach (var k in group)
            foreach (var wr in k.Writes.Where(plan.ContainsKey))
                Assert.DoesNotContain(reads, r => r != wr && plan[r] == plan[wr]);
    }

    [Fact]
    public void A_residual_that_needs_a_reduction_over_all_rows_forms_no_pipeline()
    {
        var train = ModelCompiler.Compile("G", EntryKind.LossAndGradients, "F", SigmoidRegression(centered: true), verify: true);
        Assert.DoesNotContain(train.Schedule.Kernels, k => k.Group >= 0);
    }

    private struct Residual : IRangeJob
    {
        public float[] Z, Y, R;

        public readonly void Run(int lo, int hi)
        {
            for (int i = lo; i < hi; i++) R[i] = 1f / (1f + MathF.Exp(-Z[i])) - Y[i];
        }
    }

    [Theory]
    [InlineData(1, 3)]
    [InlineData(300, 7)]
    [InlineData(10_000, 100)] // several parts, blocks, a tail of rows and of columns
    public void The_one_pass_matches_the_two_products_and_does_not_depend_on_the_thread_count(int n, int d)
    {
        var r0 = new Random(n + d);
        float[] Values(int count) => Enumerable.Range(0, count).Select(_ => (float)(r0.NextDouble() * 2 - 1)).ToArray();
        var x = Values(n * d);
        var w = Values(d);
        var y = Values(n);
        // the reference: z = x·w, r from z, g = xᵀ·r, each a plain product
        var zRef = new float[n];
        Gemm.MatMul(false, false, 1, n, 1, d, x, w, zRef);
        var rRef = new float[n];
        new Residual { Z = zRef, Y = y, R = rRef }.Run(0, n);
        var gRef = new float[d];
        Gemm.MatMul(true, false, 1, d, 1, n, x, rRef, gRef);
        float[]? first = null;
        try
        {
            foreach (int threads in new[] { 1, 2, 3 })
            {
                Workers.SetThreads(threads);
                var z = new float[n];
                var r = new float[n];
                var g = Enumerable.Repeat(9f, d).ToArray(); // overwritten, not added to
                var rows = new Residual { Z = z, Y = y, R = r };
                Gemm.RowPipeline(ref rows, n, d, x, w, z, r, g);
                Assert.Equal(zRef, z); // z's rows: the plain product's bits
                Assert.Equal(rRef, r);
                for (int j = 0; j < d; j++) Assert.True(Math.Abs(g[j] - gRef[j]) <= 1e-4 * (1 + Math.Sqrt(n)), $"g[{j}]: {g[j]} vs {gRef[j]}");
                first ??= g;
                Assert.Equal(first, g);
            }
        }
        finally { Workers.SetThreads(Environment.ProcessorCount); }
        var noRows = new Gemm.NoRows();
        var e = Assert.Throws<ArgumentException>(() => Gemm.RowPipeline(ref noRows, n, d, x, w, new float[n], new float[n - 1], new float[d]));
        Assert.Contains($"r {n - 1} ({n})", e.Message);
    }
}
