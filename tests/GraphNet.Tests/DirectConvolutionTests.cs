using System;
using System.Collections.Generic;
using System.Linq;
using GraphNet.Compiler;
using GraphNet.Reference;
using GraphNet.Runtime;
using Xunit;

namespace GraphNet.Tests;

/// <summary>
/// The direct convolution (stride 1, few taps): the runtime kernels against the reference interpreter's definition at
/// LeNet's shapes and at edges of its register blocks, the same bits on one thread and two, and the builder's choice.
/// </summary>
[Collection("Workers")]
public class DirectConvolutionTests
{
    private sealed record Case(int N, int C, int H, int W, int O, int K, int Pad, int Dilation, bool OneD = false)
    {
        public Window Window => OneD ? new Window(new[] { K }, new[] { 1 }, new[] { Dilation }, new[] { Pad }, new[] { Pad })
            : new Window(new[] { K, K }, new[] { 1, 1 }, new[] { Dilation, Dilation }, new[] { Pad, Pad }, new[] { Pad, Pad });
        public int[] Image => OneD ? new[] { N, C, W } : new[] { N, C, H, W };
        public int[] Weights => OneD ? new[] { O, C, K } : new[] { O, C, K, K };
    }

    private static readonly Case[] Cases =
    {
        new(5, 1, 28, 28, 6, 5, 2, 1),   // LeNet-5 conv1
        new(4, 6, 14, 14, 16, 5, 0, 1),  // LeNet-5 conv2
        new(3, 2, 9, 7, 4, 3, 3, 2),     // padding wider than the dilated kernel's reach on one side
        new(2, 3, 1, 50, 5, 4, 1, 3, OneD: true),
    };

    private static (double[] Out, double[] Dw, int[] OutShape, float[] X, float[] W, float[] G) Reference(Case c, int seed)
    {
        var b = new GraphBuilder();
        var x = b.Input("x", new Shape(c.Image.Select(d => Dim.Const(d))));
        var w = b.Input("w", new Shape(c.Weights.Select(d => Dim.Const(d))));
        var y = b.Convolve(x, w, c.Window);
        var g = b.Input("g", y.Shape);
        var dw = b.ConvolveWeights(g, x, c.Window, w.Shape);
        var rng = new Random(seed);
        var outShape = y.Shape.Dims.Select(d => (int)d.Coef).ToArray();
        var leaves = new Dictionary<string, (int[], double[])>
        {
            ["x"] = (c.Image, Draws.Normal(c.Image.Aggregate(1, (a, d) => a * d), rng)),
            ["w"] = (c.Weights, Draws.Normal(c.Weights.Aggregate(1, (a, d) => a * d), rng)),
            ["g"] = (outShape, Draws.Normal(outShape.Aggregate(1, (a, d) => a * d), rng)),
        };
        var eval = new Evaluator<double>(b.Graph, leaves);
        float[] F(string k) => leaves[k].Item2.Select(v => (float)v).ToArray();
        return (eval[y].Data, eval[dw].Data, outShape, F("x"), F("w"), F("g"));
    }

    private static (float[] Out, float[] Dw) Kernels(Case c, int[] outShape, float[] x, float[] w, float[] g)
    {
        bool two = !c.OneD;
        int oh = two ? outShape[2] : 1, ow = outShape[^1];
        var output = new float[outShape.Aggregate(1, (a, d) => a * d)];
        var dw = new float[w.Length];
        int h = two ? c.H : 1, kh = two ? c.K : 1, dh = two ? c.Dilation : 1, ph = two ? c.Pad : 0;
        Convolution.Forward(x, w, output, c.N, c.C, h, c.W, oh, ow, kh, c.K, 1, 1, dh, c.Dilation, ph, c.Pad, c.O);
        Convolution.WeightGradient(g, x, dw, c.N, c.C, h, c.W, oh, ow, kh, c.K, 1, 1, dh, c.Dilation, ph, c.Pad, c.O);
        return (output, dw);
    }

    [Fact]
    public void Direct_convolution_and_its_weight_gradient_match_the_reference_with_8_and_16_lanes()
    {
        bool wide = Convolution.Wide;
        try
        {
            foreach (bool lanes16 in new[] { false, System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated }.Distinct())
            {
                Convolution.Wide = lanes16;
                foreach (var c in Cases)
                {
                    var (want, wantDw, shape, x, w, g) = Reference(c, seed: c.W + c.C);
                    var (got, dw) = Kernels(c, shape, x, w, g);
                    Draws.Close(want, got, 1e-5, $"{c} output, {(lanes16 ? 16 : 8)} lanes");
                    Draws.Close(wantDw, dw, 1e-4, $"{c} weight gradient, {(lanes16 ? 16 : 8)} lanes");
                }
            }
        }
        finally { Convolution.Wide = wide; }
    }

    [Fact]
    public void Direct_convolution_gives_the_same_bits_on_one_thread_and_on_two()
    {
        int threads = Workers.Threads;
        try
        {
            var c = new Case(64, 1, 28, 28, 6, 5, 2, 1);
            var (_, _, shape, x, w, g) = Reference(c, seed: 1);
            Workers.SetThreads(1);
            var one = Kernels(c, shape, x, w, g);
            Workers.SetThreads(2);
            var two = Kernels(c, shape, x, w, g);
            Assert.Equal(one.Out, two.Out);
            Assert.Equal(one.Dw, two.Dw);
        }
        finally { Workers.SetThreads(threads); }
    }

    [Fact]
    public void The_builder_convolves_directly_only_at_stride_one_with_few_taps()
    {
        var b = new GraphBuilder();
        var image = b.Input("x", new Shape(2, 6, 14, 14));
        Assert.Equal(OpKind.Convolve, b.Conv(image, b.Input("w", new Shape(16, 6, 5, 5)), null, 1, 0, 1, 1).Op);
        Assert.NotEqual(OpKind.Convolve, b.Conv(image, b.Input("w2", new Shape(16, 6, 5, 5)), null, 2, 0, 1, 1).Op); // stride 2: windows
        var wide = b.Input("x2", new Shape(2, 64, 8, 8));
        Assert.NotEqual(OpKind.Convolve, b.Conv(wide, b.Input("w3", new Shape(64, 64, 3, 3)), null, 1, 1, 1, 1).Op); // 576 taps: windows and GEMM
        var e = Assert.Throws<ArgumentException>(() => Convolution.Forward(new float[8], new float[9], new float[1], 1, 1, 3, 3, 1, 1, 3, 3, 1, 1, 1, 1, 0, 0, 1));
        Assert.Contains("image buffer", e.Message);
    }
}
