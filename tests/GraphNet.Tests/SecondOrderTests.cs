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
}
