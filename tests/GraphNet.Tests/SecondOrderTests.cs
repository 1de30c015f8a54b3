using System.Collections.Generic;
using System.Linq;
using GraphNet.Compiler;
using GraphNet.Reference;
using Xunit;

namespace GraphNet.Tests;

/// <summary>Gradients are IR, so differentiating them again gives second order (Hessian-vector products).</summary>
public class SecondOrderTests
{
    [Fact]
    public void Hessian_vector_product_matches_finite_differences_of_the_gradient()
    {
        (GraphBuilder B, Node X, Node V, Node G, Node Hv) Build()
        {
            var b = new GraphBuilder();
            var x = b.Input("x", new Shape(2, 3));
            var v = b.Input("v", new Shape(2, 3));
            var w = b.Input("w", new Shape(3, 4));
            var f = b.Sum(b.Mul(b.Tanh(b.MatMul(x, w)), b.Sigmoid(b.MatMul(x, w))));
            var g = Gradients.Grad(b, f, new[] { x })[0];
            var hv = Gradients.Grad(b, b.Sum(b.Mul(g, v)), new[] { x })[0];
            return (b, x, v, g, hv);
        }
        var (bld, _, _, gNode, hvNode) = Build();
        var rng = new System.Random(3);
        var leaves = new Dictionary<string, (int[], double[])>
        {
            ["x"] = (new[] { 2, 3 }, OpTable.Sample(Domain.Any, 6, rng)),
            ["v"] = (new[] { 2, 3 }, OpTable.Sample(Domain.Any, 6, rng)),
            ["w"] = (new[] { 3, 4 }, OpTable.Sample(Domain.Any, 12, rng)),
        };
        var hv = new Evaluator<double>(bld.Graph, leaves)[hvNode].Data;
        const double eps = 1e-5;
        var (xs, xd) = leaves["x"];
        var vd = leaves["v"].Item2;
        double[] GradAt(double s)
        {
            var moved = new Dictionary<string, (int[], double[])>(leaves) { ["x"] = (xs, xd.Zip(vd, (a, d) => a + s * d).ToArray()) };
            return new Evaluator<double>(bld.Graph, moved)[gNode].Data;
        }
        var up = GradAt(eps);
        var down = GradAt(-eps);
        for (int i = 0; i < hv.Length; i++)
            Assert.Equal((up[i] - down[i]) / (2 * eps), hv[i], 6);
        Verifier.Verify(Pipeline.Optimize(bld.Graph, verify: true));
    }

    /// <summary>
    /// Softplus (and BCE with logits) at exactly 0, where zero-initialized models start: first derivative 1/2,
    /// second 1/4, and finite values and derivatives far out on both sides.
    /// </summary>
    [Theory]
    [InlineData(0.0)]
    [InlineData(3.0)]
    [InlineData(-3.0)]
    [InlineData(200.0)]
    [InlineData(-200.0)]
    public void Softplus_has_true_first_and_second_derivatives_everywhere(double at)
    {
        var b = new GraphBuilder();
        var x = b.Input("x", new Shape(1));
        var f = b.Sum(b.Softplus(x));
        var g = Gradients.Grad(b, f, new[] { x })[0];
        var h = Gradients.Grad(b, b.Sum(g), new[] { x })[0];
        var ev = new Evaluator<double>(b.Graph, new Dictionary<string, (int[], double[])> { ["x"] = (new[] { 1 }, new[] { at }) });
        double sig = 1 / (1 + System.Math.Exp(-at));
        Assert.Equal(System.Math.Log(1 + System.Math.Exp(-System.Math.Abs(at))) + System.Math.Max(at, 0), ev[f].Data[0], 12);
        Assert.Equal(sig, ev[g].Data[0], 12);
        Assert.Equal(sig * (1 - sig), ev[h].Data[0], 12);
    }
}
