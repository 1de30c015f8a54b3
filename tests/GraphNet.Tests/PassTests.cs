using System.Linq;
using GraphNet.Compiler;
using Xunit;

namespace GraphNet.Tests;

public class PassTests
{
    /// <summary>h = tanh(h·W + x[.., t]) with per-step results h ⊙ x[.., t]; the output reads only the final h.</summary>
    private static Graph FinalStateOnly()
    {
        var b = new GraphBuilder();
        var xs = b.Input("x", new Shape(Dim.Sym("B"), Dim.Sym("T"), 3));
        var h0 = b.Input("h", new Shape(Dim.Sym("B"), 3));
        var w = b.Param("w", new Shape(3, 3));
        var body = new GraphBuilder();
        var h = body.Input(ScanBody.Carry(0), h0.Shape);
        var xt = body.Input(ScanBody.X(0), h0.Shape);
        var v = body.Input(ScanBody.Invariant(0), w.Shape);
        var next = body.Tanh(body.Add(body.MatMul(h, v), xt));
        body.Graph.SetOutput(ScanBody.Carry(0), next);
        body.Graph.SetOutput(ScanBody.Y(0), body.Mul(next, xt));
        var outs = b.Scan(new ScanBody(body.Graph, Dim.Sym("T"), 1, new[] { 1 }, 1, 1, false), new[] { h0 }, new[] { xs }, new[] { w });
        b.Graph.SetOutput(OutputNames.Result, b.Sum(b.Mul(outs[0], outs[0])));
        return b.Graph;
    }

    [Fact]
    public void Per_step_results_nobody_reads_are_pruned_from_the_body()
    {
        var forward = ModelCompiler.Compile("F", EntryKind.Forward, "F", FinalStateOnly(), verify: true);
        var scan = Assert.Single(forward.Schedule.Kernels, k => k.Kind == KernelKind.Scan);
        Assert.Equal(0, scan.Root.Attrs.Scan!.Ys);
        Assert.DoesNotContain(scan.Sub!.Graph.Nodes, n => n.Op == OpKind.Mul); // h ⊙ x[.., t] is not computed
    }

    [Fact]
    public void Backprop_through_a_scan_is_a_reverse_scan_with_the_weight_gradient_hoisted()
    {
        var train = ModelCompiler.Compile("G", EntryKind.LossAndGradients, "F", FinalStateOnly(), verify: true);
        var scans = train.Schedule.Kernels.Where(k => k.Kind == KernelKind.Scan).Select(k => k.Root.Attrs.Scan!).ToList();
        Assert.Equal(2, scans.Count);
        Assert.False(scans[0].Reverse);
        Assert.True(scans[1].Reverse && scans[1].IsBackward);
        Assert.Equal(1, scans[1].Carries); // only the carry's adjoint: dW is one GEMM over the stacked steps, not a per-step sum
        Assert.Contains(train.Schedule.Kernels, k => k.Kind == KernelKind.MatMul && k.Root.Shape.Equals(new Shape(3, 3)));
    }

    /// <summary>An LSTM step as the library writes it: gates = x[.., t] + h·Wᵀ, chunked into i, f, g, o.</summary>
    private static Graph Lstm()
    {
        var b = new GraphBuilder();
        const int H = 4;
        var xs = b.Input("x", new Shape(Dim.Sym("B"), Dim.Sym("T"), 4 * H));
        var h0 = b.Input("h", new Shape(Dim.Sym("B"), H));
        var w = b.Param("w", new Shape(4 * H, H));
        var body = new GraphBuilder();
        var h = body.Input(ScanBody.Carry(0), h0.Shape);
        var c = body.Input(ScanBody.Carry(1), h0.Shape);
        var xt = body.Input(ScanBody.X(0), new Shape(Dim.Sym("B"), 4 * H));
        var v = body.Input(ScanBody.Invariant(0), w.Shape);
        var gates = body.Add(xt, body.MatMul(h, v, transB: true));
        var g = Enumerable.Range(0, 4).Select(i => body.Slice(gates, 1, i * H, H)).ToArray();
        var next = body.Add(body.Mul(body.Sigmoid(g[1]), c), body.Mul(body.Sigmoid(g[0]), body.Tanh(g[2])));
        body.Graph.SetOutput(ScanBody.Carry(0), body.Mul(body.Sigmoid(g[3]), body.Tanh(next)));
        body.Graph.SetOutput(ScanBody.Carry(1), next);
        var outs = b.Scan(new ScanBody(body.Graph, Dim.Sym("T"), 2, new[] { 1 }, 1, 0, false), new[] { h0, h0 }, new[] { xs }, new[] { w });
        b.Graph.SetOutput(OutputNames.Result, b.Sum(b.Mul(outs[0], outs[1])));
        return b.Graph;
    }

    [Fact]
    public void An_lstm_step_is_one_product_and_two_fused_kernels_saving_only_its_product_and_states()
    {
        var train = ModelCompiler.Compile("G", EntryKind.LossAndGradients, "F", Lstm(), verify: true);
        var forward = train.Schedule.Kernels.First(k => k.Kind == KernelKind.Scan);
        var kinds = forward.Sub!.Kernels.Select(k => k.Kind).ToList();
        // h·Wᵀ, then c' and h', each computing its gates from x[.., t] and h·Wᵀ read in place (no slice copies, no sum written)
        Assert.Equal(new[] { KernelKind.MatMul, KernelKind.Elementwise, KernelKind.Elementwise }, kinds);
        // residuals: the product and the two carried states (h for the weight's gradient, c for c's), not the four
        // activations: the backward recomputes those from the product
        Assert.Equal(3, forward.Root.Attrs.Scan!.ResidualIds.Count);
    }

    [Fact]
    public void The_input_projection_is_one_gemm_over_all_steps_forward_and_backward()
    {
        // h = tanh(x[.., t]·W + h·U), written per step as a user would
        var b = new GraphBuilder();
        var xs = b.Input("x", new Shape(Dim.Sym("B"), Dim.Sym("T"), 3));
        var h0 = b.Input("h", new Shape(Dim.Sym("B"), 4));
        var w = b.Param("w", new Shape(3, 4));
        var u = b.Param("u", new Shape(4, 4));
        var body = new GraphBuilder();
        var h = body.Input(ScanBody.Carry(0), h0.Shape);
        var xt = body.Input(ScanBody.X(0), new Shape(Dim.Sym("B"), 3));
        var vw = body.Input(ScanBody.Invariant(0), w.Shape);
        var vu = body.Input(ScanBody.Invariant(1), u.Shape);
        var next = body.Tanh(body.Add(body.MatMul(xt, vw), body.MatMul(h, vu)));
        body.Graph.SetOutput(ScanBody.Carry(0), next);
        body.Graph.SetOutput(ScanBody.Y(0), next);
        var outs = b.Scan(new ScanBody(body.Graph, Dim.Sym("T"), 1, new[] { 1 }, 2, 1, false), new[] { h0 }, new[] { xs }, new[] { w, u });
        b.Graph.SetOutput(OutputNames.Result, b.Sum(b.Mul(outs[1], outs[1])));

        var train = ModelCompiler.Compile("G", EntryKind.LossAndGradients, "F", b.Graph, verify: true);
        var scans = train.Schedule.Kernels.Where(k => k.Kind == KernelKind.Scan).ToList();
        Assert.Equal(2, scans.Count);
        foreach (var scan in scans) // one product per step: h·U forward, its adjoint times Uᵀ backward
            Assert.Single(scan.Sub!.Kernels, k => k.Kind == KernelKind.MatMul);
        var bt = Dim.Sym("B") * Dim.Sym("T");
        Assert.Contains(train.Schedule.Kernels, k => k.Kind == KernelKind.MatMul && k.Root.Shape.Equals(new Shape(bt, Dim.Const(4)))); // X·W
        Assert.Contains(train.Schedule.Kernels, k => k.Kind == KernelKind.MatMul && k.Root.Shape.Equals(new Shape(3, 4)));           // dW = Xᵀ·dP
    }

    [Fact]
    public void One_hot_products_and_counts_become_scatters()
    {
        // K-means' update: per-cluster sums OneHot(ids)ᵀ·X and counts Sum(OneHot(ids), 0)
        var b = new GraphBuilder();
        var x = b.Input("x", new Shape(Dim.Sym("N"), 3));
        var ids = b.ArgMin(x, -1);
        var onehot = b.OneHot(ids, 3);
        b.Graph.SetOutput("sums", b.MatMul(onehot, x, transA: true));
        b.Graph.SetOutput("counts", b.Sum(onehot, new[] { 0 }));
        var program = ModelCompiler.Compile("F", EntryKind.Forward, "F", b.Graph, verify: true);
        var nodes = program.Schedule.Graph.Nodes;
        Assert.DoesNotContain(nodes, n => n.Op == OpKind.MatMul);
        Assert.DoesNotContain(nodes, n => n.Op == OpKind.Gather); // the [N, 3] one-hot matrix is never built
        Assert.Equal(2, nodes.Count(n => n.Op == OpKind.ScatterAdd));
    }
}
