using System;
using GraphNet.Runtime;
using Xunit;

namespace GraphNet.Tests.Kernels;

/// <summary>The eager path's whole-array ops: against double precision, the same bits on any thread count, and what Ops returns.</summary>
[Collection("Workers")]
public class ElementwiseTests
{
    private static float[] Values(int n, int seed, float lo, float hi)
    {
        var r = new Random(seed);
        var v = new float[n];
        for (int i = 0; i < n; i++) v[i] = lo + (float)r.NextDouble() * (hi - lo);
        return v;
    }

    private static void Close(double want, float got, string what)
    {
        Assert.True(Math.Abs(got - want) <= 2e-6 * Math.Max(1, Math.Abs(want)), $"{what}: {got} vs {want}");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(17)]
    [InlineData(1000)]
    [InlineData(100_003)] // split over the pool, with a tail past the last multiple of 16
    public void Unary_and_binary_ops_match_double_precision_on_any_thread_count(int n)
    {
        var x = Values(n, n, -3, 3);
        var pos = Values(n, n + 1, 0.1f, 5);
        var b = Values(n, n + 2, 0.5f, 2);
        var checks = new (string Name, Func<float[]> Run, Func<int, double> Want)[]
        {
            ("exp", () => Run1<Elementwise.Exp>(x), i => Math.Exp(x[i])),
            ("tanh", () => Run1<Elementwise.Tanh>(x), i => Math.Tanh(x[i])),
            ("sigmoid", () => Run1<Elementwise.Sigmoid>(x), i => 1 / (1 + Math.Exp(-x[i]))),
            ("log", () => Run1<Elementwise.Log>(pos), i => Math.Log(pos[i])),
            ("sqrt", () => Run1<Elementwise.Sqrt>(pos), i => Math.Sqrt(pos[i])),
            ("abs", () => Run1<Elementwise.Abs>(x), i => Math.Abs(x[i])),
            ("neg", () => Run1<Elementwise.Neg>(x), i => -x[i]),
            ("add", () => Run2<Elementwise.Add>(x, b), i => (double)x[i] + b[i]),
            ("sub", () => Run2<Elementwise.Sub>(x, b), i => (double)x[i] - b[i]),
            ("mul", () => Run2<Elementwise.Mul>(x, b), i => (double)x[i] * b[i]),
            ("div", () => Run2<Elementwise.Div>(x, b), i => (double)x[i] / b[i]),
        };
        try
        {
            foreach (var (name, run, want) in checks)
            {
                Workers.SetThreads(1);
                var one = run();
                Workers.SetThreads(2);
                var two = run();
                Assert.True(one.AsSpan().SequenceEqual(two), $"{name}: one thread and two differ");
                for (int i = 0; i < n; i++) Close(want(i), two[i], $"{name}[{i}] of {n}");
            }
        }
        finally { Workers.SetThreads(Environment.ProcessorCount); }
    }

    private static float[] Run1<TOp>(float[] x) where TOp : Elementwise.IUnaryOp
    {
        var y = new float[x.Length];
        Elementwise.Map<TOp>(x, y);
        return y;
    }

    private static float[] Run2<TOp>(float[] a, float[] b) where TOp : Elementwise.IBinaryOp
    {
        var y = new float[a.Length];
        Elementwise.Zip<TOp>(a, b, y);
        return y;
    }

    [Fact]
    public void Eager_ops_on_tensors_return_the_whole_array_kernels_results()
    {
        var x = new Tensor(Values(300 * 257, 5, -2, 2), 300, 257);
        var y = new Tensor(Values(300 * 257, 6, -2, 2), 300, 257);
        Assert.Equal(Run2<Elementwise.Add>(x.Data, y.Data), Ops.Add(x, y).Data);
        Assert.Equal(Run1<Elementwise.Tanh>(x.Data), Ops.Tanh(x).Data);
        Assert.Equal(Run1<Elementwise.Exp>(x.Data), Ops.Exp(x).Data);
        Assert.Equal(new[] { 300, 257 }, Ops.Exp(x).Shape);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(3, 2)]
    [InlineData(5, 49)]
    [InlineData(40, 1000)]
    public void Strided_gathers_read_every_lane_from_its_offset(int start, int stride)
    {
        var x = Values(start + 16 * stride + 1, stride, -1, 1);
        var v8 = V256.Gather(ref x[0], start, stride);
        var v16 = V512.Gather(ref x[0], start, stride);
        for (int k = 0; k < 16; k++)
        {
            if (k < 8) Assert.Equal(x[start + k * stride], v8[k]);
            Assert.Equal(x[start + k * stride], v16[k]);
        }
    }

    [Fact]
    public void Mismatched_lengths_are_refused_with_both_lengths()
    {
        var e = Assert.Throws<ArgumentException>(() => Elementwise.Zip<Elementwise.Add>(new float[4], new float[5], new float[4]));
        Assert.Contains("4 and 5", e.Message);
    }
}
