using System;
using System.Collections.Generic;
using System.Linq;
using GraphNet.Compiler;
using GraphNet.Reference;
using GraphNet.Runtime;
using Xunit;

namespace GraphNet.Tests;

/// <summary>
/// Fused attention: the runtime kernels (forward, query gradient, key and value gradients) against the reference
/// interpreter's double-precision definition, across tile edges and causal masks; thread-count independence; second
/// order through the fused op; and the unfused graph it replaces.
/// </summary>
[Collection("Workers")]
public class AttentionTests
{
    private sealed record Case(int Slices, int Tq, int Tk, int D, int Dv, bool Causal)
    {
        public override string ToString() => $"[{Slices}] q {Tq}x{D} k {Tk} v {Dv}{(Causal ? " causal" : "")}";
    }

    private static readonly Case[] Cases =
    {
        new(2, 3, 5, 4, 2, false),
        new(3, 37, 37, 24, 17, true),
        new(2, 130, 130, 64, 64, true),
        new(1, 33, 70, 8, 8, false),
        new(4, 1, 1, 3, 5, true),
        new(3, 150, 150, 8, 24, false),
        new(2, 45, 19, 16, 40, false),
    };

    /// <summary>The reference values of the packed output and the gradient ops (parts 0, 1 and, for Tq = Tk, 2), and the inputs.</summary>
    private static (Dictionary<string, (int[], double[])> Leaves, double[] Out, double[][] Parts) Reference(Case c, int seed)
    {
        var b = new GraphBuilder();
        var q = b.Input("q", new Shape(c.Slices, c.Tq, c.D));
        var k = b.Input("k", new Shape(c.Slices, c.Tk, c.D));
        var v = b.Input("v", new Shape(c.Slices, c.Tk, c.Dv));
        var packed = b.Attention(q, k, v, c.Causal)[0];
        Assert.Equal(OpKind.Attention, packed.Op);
        var g = b.Input("g", packed.Shape);
        var parts = Enumerable.Range(0, c.Tq == c.Tk ? 3 : 2).Select(p => b.AttentionGrad(packed, g, p)).ToList();
        // the gradient rule: all three in one op when there are as many queries as keys, else queries and keys apart
        int before = b.Graph.Nodes.Count;
        Gradients.Grad(b, new[] { (packed, g) }, new[] { q, k, v });
        var made = b.Graph.Nodes.Skip(before).Where(n => n.Op == OpKind.AttentionGrad).Select(n => n.Attrs.Ints[1]).ToArray();
        Assert.Equal(c.Tq == c.Tk ? new[] { 2 } : new[] { 0, 1 }, made);
        var rng = new Random(seed);
        var leaves = new Dictionary<string, (int[], double[])>
        {
            ["q"] = (new[] { c.Slices, c.Tq, c.D }, Draws.Normal(c.Slices * c.Tq * c.D, rng)),
            ["k"] = (new[] { c.Slices, c.Tk, c.D }, Draws.Normal(c.Slices * c.Tk * c.D, rng)),
            ["v"] = (new[] { c.Slices, c.Tk, c.Dv }, Draws.Normal(c.Slices * c.Tk * c.Dv, rng)),
            ["g"] = (new[] { c.Slices, c.Tq, c.Dv + 1 }, Draws.Normal(c.Slices * c.Tq * (c.Dv + 1), rng)),
        };
        var eval = new Evaluator<double>(b.Graph, leaves);
        return (leaves, eval[packed].Data, parts.Select(p => eval[p].Data).ToArray());
    }

    private static float[] F(double[] x) => x.Select(v => (float)v).ToArray();

    private static (float[] Out, float[][] Parts) Kernels(Case c, Dictionary<string, (int[], double[])> leaves)
    {
        float[] q = F(leaves["q"].Item2), k = F(leaves["k"].Item2), v = F(leaves["v"].Item2), g = F(leaves["g"].Item2);
        var output = new float[c.Slices * c.Tq * (c.Dv + 1)];
        float scale = (float)(1 / Math.Sqrt(c.D));
        AttentionKernels.Forward(q, k, v, output, c.Slices, c.Tq, c.Tk, c.D, c.Dv, scale, c.Causal);
        var sizes = new[] { c.Tq * c.D, c.Tk * (c.D + c.Dv), c.Tq * (2 * c.D + c.Dv) };
        var parts = Enumerable.Range(0, c.Tq == c.Tk ? 3 : 2).Select(p =>
        {
            var grad = new float[c.Slices * sizes[p]];
            AttentionKernels.Backward(q, k, v, output, g, grad, c.Slices, c.Tq, c.Tk, c.D, c.Dv, scale, c.Causal, p);
            return grad;
        }).ToArray();
        return (output, parts);
    }

    [Fact]
    public void Fused_kernels_match_the_reference_definition_forward_and_backward_with_8_and_16_lanes()
    {
        bool wide = AttentionKernels.Wide;
        try
        {
            foreach (bool lanes16 in new[] { false, System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated }.Distinct())
            {
                AttentionKernels.Wide = lanes16;
                Check();
            }
        }
        finally { AttentionKernels.Wide = wide; }
    }

    private static void Check()
    {
        foreach (var c in Cases)
        {
            var (leaves, want, wantParts) = Reference(c, seed: c.Tq * 31 + c.Tk);
            var (output, parts) = Kernels(c, leaves);
            Draws.Close(want, output, 2e-5, $"{c} output");
            for (int p = 0; p < parts.Length; p++) Draws.Close(wantParts[p], parts[p], 1e-4, $"{c} gradient part {p}");
        }
    }

    [Fact]
    public void Fused_kernels_give_the_same_bits_on_one_thread_and_on_two()
    {
        int threads = Workers.Threads;
        try
        {
            var c = new Case(6, 100, 100, 32, 32, true);
            var (leaves, _, _) = Reference(c, seed: 3);
            Workers.SetThreads(1);
            var one = Kernels(c, leaves);
            Workers.SetThreads(2);
            var two = Kernels(c, leaves);
            Assert.Equal(one.Out, two.Out);
            for (int p = 0; p < one.Parts.Length; p++) Assert.Equal(one.Parts[p], two.Parts[p]);
        }
        finally { Workers.SetThreads(threads); }
    }

    [Fact]
    public void Fused_attention_equals_the_unfused_weights_times_values_and_keeps_broadcasting_unfused()
    {
        var b = new GraphBuilder();
        var q = b.Input("q", new Shape(2, 6, 4));
        var k = b.Input("k", new Shape(2, 6, 4));
        var v = b.Input("v", new Shape(2, 6, 3));
        var fused = b.Attention(q, k, v, causal: true);
        var unfused = b.MatMul(b.AttentionWeights(q, k, causal: true), v);
        var shared = b.Attention(q, b.Input("k2", new Shape(6, 4)), b.Input("v2", new Shape(6, 3))); // keys shared by the batch: broadcast, so unfused
        Assert.DoesNotContain(shared.Inputs, n => n.Op == OpKind.Attention);
        var rng = new Random(5);
        var leaves = new Dictionary<string, (int[], double[])>
        {
            ["q"] = (new[] { 2, 6, 4 }, Draws.Normal(48, rng)), ["k"] = (new[] { 2, 6, 4 }, Draws.Normal(48, rng)), ["v"] = (new[] { 2, 6, 3 }, Draws.Normal(36, rng)),
            ["k2"] = (new[] { 6, 4 }, Draws.Normal(24, rng)), ["v2"] = (new[] { 6, 3 }, Draws.Normal(18, rng)),
        };
        var eval = new Evaluator<double>(b.Graph, leaves);
        var (a, e) = (eval[fused].Data, eval[unfused].Data);
        for (int i = 0; i < a.Length; i++) Assert.Equal(e[i], a[i], 12);
        Assert.Equal(new[] { 2, 6, 3 }, eval[shared].Shape);
    }

    [Fact]
    public void Second_order_through_fused_attention_matches_finite_differences_of_its_gradient()
    {
        (GraphBuilder B, Node G, Node Hv) Build()
        {
            var b = new GraphBuilder();
            var x = b.Input("x", new Shape(2, 5, 4));
            var u = b.Input("u", new Shape(2, 5, 4));
            var w = b.Input("w", new Shape(2, 5, 3));
            var y = b.Attention(b.Tanh(x), x, b.Slice(x, -1, 0, 3), causal: true);
            var f = b.Sum(b.Mul(b.Square(y), w));
            var g = Gradients.Grad(b, f, new[] { x })[0];
            var hv = Gradients.Grad(b, b.Sum(b.Mul(g, u)), new[] { x })[0];
            Assert.Contains(b.Graph.Nodes, n => n.Op == OpKind.AttentionGrad);
            return (b, g, hv);
        }
        var (bld, gNode, hvNode) = Build();
        var rng = new Random(9);
        var leaves = new Dictionary<string, (int[], double[])>
        {
            ["x"] = (new[] { 2, 5, 4 }, Draws.Normal(40, rng)), ["u"] = (new[] { 2, 5, 4 }, Draws.Normal(40, rng)), ["w"] = (new[] { 2, 5, 3 }, Draws.Normal(30, rng)),
        };
        var hv = new Evaluator<double>(bld.Graph, leaves)[hvNode].Data;
        var (xs, xd) = leaves["x"];
        var ud = leaves["u"].Item2;
        double[] GradAt(double s) => new Evaluator<double>(bld.Graph,
            new Dictionary<string, (int[], double[])>(leaves) { ["x"] = (xs, xd.Zip(ud, (a, d) => a + s * d).ToArray()) })[gNode].Data;
        const double eps = 1e-5;
        var (up, down) = (GradAt(eps), GradAt(-eps));
        for (int i = 0; i < hv.Length; i++)
            Assert.True(Math.Abs((up[i] - down[i]) / (2 * eps) - hv[i]) <= 1e-5 * (1 + Math.Abs(hv[i])), $"element {i}: {(up[i] - down[i]) / (2 * eps)} vs {hv[i]}");
        Verifier.Verify(Pipeline.Optimize(bld.Graph, verify: true));
    }

    [Fact]
    public void Warm_calls_allocate_nothing()
    {
        var c = new Case(4, 70, 70, 16, 16, true);
        var (leaves, _, _) = Reference(c, seed: 4);
        Kernels(c, leaves);
        float[] q = F(leaves["q"].Item2), k = F(leaves["k"].Item2), v = F(leaves["v"].Item2), g = F(leaves["g"].Item2);
        var output = new float[c.Slices * c.Tq * (c.Dv + 1)];
        var grad = new float[c.Slices * c.Tq * (2 * c.D + c.Dv)];
        AttentionKernels.Forward(q, k, v, output, c.Slices, c.Tq, c.Tk, c.D, c.Dv, 0.25f, true);
        AttentionKernels.Backward(q, k, v, output, g, grad, c.Slices, c.Tq, c.Tk, c.D, c.Dv, 0.25f, true, 2);
        long before = GC.GetAllocatedBytesForCurrentThread();
        AttentionKernels.Forward(q, k, v, output, c.Slices, c.Tq, c.Tk, c.D, c.Dv, 0.25f, true);
        AttentionKernels.Backward(q, k, v, output, g, grad, c.Slices, c.Tq, c.Tk, c.D, c.Dv, 0.25f, true, 2);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Bad_buffers_and_shapes_are_named()
    {
        var e = Assert.Throws<ArgumentException>(() => AttentionKernels.Forward(new float[8], new float[8], new float[8], new float[3], 1, 2, 2, 4, 4, 0.5f, false));
        Assert.Contains("output buffer", e.Message);
        e = Assert.Throws<ArgumentException>(() => AttentionKernels.Forward(new float[12], new float[8], new float[8], new float[15], 1, 3, 2, 4, 4, 0.5f, true));
        Assert.Contains("as many queries as keys", e.Message);
    }
}
