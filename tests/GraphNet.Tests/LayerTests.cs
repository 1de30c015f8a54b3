using System;
using System.Collections.Generic;
using System.Linq;
using GraphNet.Compiler;
using GraphNet.Reference;
using Xunit;

namespace GraphNet.Tests;

/// <summary>
/// The layers' defining properties, checked in double precision on the reference interpreter: batch norm's
/// invariances, attention rows, convolution as an im2col product, weight sharing in the convolution's gradient.
/// </summary>
public class LayerTests
{
    private static double[] Normal(int n, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble())).ToArray();
    }

    private static Dictionary<string, (int[], double[])> Leaves(params (string Name, int[] Shape, double[] Data)[] xs) =>
        xs.ToDictionary(x => x.Name, x => (x.Shape, x.Data));

    private static double[] Run(GraphBuilder b, Node y, Dictionary<string, (int[], double[])> leaves) => new Evaluator<double>(b.Graph, leaves)[y].Data;

    private static void AllClose(double[] expected, double[] actual, double tol, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tol * (1 + Math.Abs(expected[i])), $"{what}: element {i}: {expected[i]} vs {actual[i]}");
    }

    /// <summary>Batch norm (training mode) of x·scale + shift with per-channel gamma and beta.</summary>
    private static double[] BatchNormOf(Func<double, double> transform)
    {
        var b = new GraphBuilder { Training = true };
        var x = b.Input("x", new Shape(6, 3, 2, 2));
        var y = b.BatchNorm(x, b.Input("g", new Shape(3)), b.Input("beta", new Shape(3)), null, null, epsilon: 1e-12);
        var data = Normal(72, 1).Select(transform).ToArray();
        return Run(b, y, Leaves(("x", new[] { 6, 3, 2, 2 }, data), ("g", new[] { 3 }, new[] { 1.5, -0.5, 2.0 }), ("beta", new[] { 3 }, new[] { 0.1, 0.2, -0.3 })));
    }

    [Fact]
    public void Batch_norm_is_invariant_to_scaling_its_input()
    {
        var plain = BatchNormOf(v => v);
        AllClose(plain, BatchNormOf(v => 7.5 * v), 1e-9, "scaled by 7.5");
        AllClose(plain, BatchNormOf(v => 0.01 * v), 1e-7, "scaled by 0.01"); // ε = 1e-12 against a variance of 1e-4
        Assert.NotEqual(plain, BatchNormOf(v => -v)); // a negative scale flips the sign: the check can fail
    }

    [Fact]
    public void Adding_a_constant_before_batch_norm_changes_nothing()
    {
        var plain = BatchNormOf(v => v);
        AllClose(plain, BatchNormOf(v => v + 42), 1e-9, "shifted by 42");
        AllClose(plain, BatchNormOf(v => v - 3.25), 1e-9, "shifted by -3.25");
    }

    [Fact]
    public void Batch_norm_output_has_zero_mean_and_unit_variance_per_channel_before_the_affine_part()
    {
        var b = new GraphBuilder { Training = true };
        var x = b.Input("x", new Shape(5, 2, 3));
        var y = b.BatchNorm(x, b.Full(1, new Shape(2)), b.Full(0, new Shape(2)), null, null, epsilon: 1e-12);
        var r = Run(b, y, Leaves(("x", new[] { 5, 2, 3 }, Normal(30, 4).Select(v => 3 * v + 1).ToArray())));
        for (int c = 0; c < 2; c++)
        {
            var vals = Enumerable.Range(0, 30).Where(i => i / 3 % 2 == c).Select(i => r[i]).ToArray();
            Assert.Equal(0, vals.Average(), 9);
            Assert.Equal(1, vals.Select(v => v * v).Average(), 9);
        }
    }

    [Fact]
    public void Attention_weight_rows_sum_to_one_with_and_without_a_causal_mask()
    {
        foreach (bool causal in new[] { false, true })
        {
            var b = new GraphBuilder();
            var q = b.Input("q", new Shape(2, 5, 4));
            var k = b.Input("k", new Shape(2, 5, 4));
            var w = b.AttentionWeights(q, k, causal);
            var r = Run(b, w, Leaves(("q", new[] { 2, 5, 4 }, Normal(40, 2)), ("k", new[] { 2, 5, 4 }, Normal(40, 3))));
            for (int row = 0; row < 10; row++)
            {
                Assert.Equal(1.0, r.Skip(row * 5).Take(5).Sum(), 12);
                if (causal) // keys after the query get exactly zero weight
                    for (int j = row % 5 + 1; j < 5; j++) Assert.Equal(0.0, r[row * 5 + j]);
            }
        }
    }

    [Fact]
    public void Conv2d_equals_an_explicit_im2col_matrix_product()
    {
        int n = 2, c = 3, h = 6, w = 5, o = 4, kh = 3, kw = 2, stride = 2, pad = 1;
        var x = Normal(n * c * h * w, 5);
        var wt = Normal(o * c * kh * kw, 6);
        var bias = Normal(o, 7);
        var b = new GraphBuilder();
        var y = b.Conv(b.Input("x", new Shape(n, c, h, w)), b.Input("w", new Shape(o, c, kh, kw)), b.Input("b", new Shape(o)), stride, pad, 1, 1);
        var got = Run(b, y, Leaves(("x", new[] { n, c, h, w }, x), ("w", new[] { o, c, kh, kw }, wt), ("b", new[] { o }, bias)));
        int oh = (h + 2 * pad - kh) / stride + 1, ow = (w + 2 * pad - kw) / stride + 1;
        Assert.Equal(new[] { n, o, oh, ow }, y.Shape.Dims.Select(d => (int)d.Coef));
        // The im2col matrix: one row per (image, output position), one column per (channel, ky, kx).
        int rows = n * oh * ow, cols = c * kh * kw;
        var m = new double[rows, cols];
        for (int img = 0; img < n; img++)
            for (int py = 0; py < oh; py++)
                for (int px = 0; px < ow; px++)
                    for (int ch = 0; ch < c; ch++)
                        for (int ky = 0; ky < kh; ky++)
                            for (int kx = 0; kx < kw; kx++)
                            {
                                int iy = py * stride - pad + ky, ix = px * stride - pad + kx;
                                m[(img * oh + py) * ow + px, (ch * kh + ky) * kw + kx] = iy < 0 || iy >= h || ix < 0 || ix >= w ? 0 : x[((img * c + ch) * h + iy) * w + ix];
                            }
        for (int img = 0; img < n; img++)
            for (int oc = 0; oc < o; oc++)
                for (int py = 0; py < oh; py++)
                    for (int px = 0; px < ow; px++)
                    {
                        double s = bias[oc];
                        for (int j = 0; j < cols; j++) s += m[(img * oh + py) * ow + px, j] * wt[oc * cols + j];
                        Assert.Equal(s, got[((img * o + oc) * oh + py) * ow + px], 10);
                    }
    }

    [Fact]
    public void Conv_weight_gradient_is_the_sum_over_positions_of_the_unshared_gradients()
    {
        int n = 2, c = 2, h = 5, w = 4, o = 3, k = 2;
        int oh = h - k + 1, ow = w - k + 1, ck = c * k * k;
        var leaves = Leaves(("x", new[] { n, c, h, w }, Normal(n * c * h * w, 8)), ("w", new[] { o, c, k, k }, Normal(o * ck, 9)),
            ("r", new[] { n, o, oh, ow }, Normal(n * o * oh * ow, 10)));
        // Shared: an ordinary convolution.
        var b = new GraphBuilder();
        var x = b.Input("x", new Shape(n, c, h, w));
        var wt = b.Input("w", new Shape(o, c, k, k));
        var r = b.Input("r", new Shape(n, o, oh, ow));
        var loss = b.Sum(b.Mul(b.Conv(x, wt, null, 1, 0, 1, 1), r));
        var shared = Run(b, Gradients.Grad(b, loss, new[] { wt })[0], leaves);
        // Unshared (locally connected): every output position has its own copy of the weights, all equal to w.
        var u = new GraphBuilder();
        var ux = u.Input("x", new Shape(n, c, h, w));
        var copies = u.Input("copies", new Shape(oh, ow, o, ck));
        var patches = u.Reshape(u.Window(ux, new Window(new[] { k, k }, new[] { 1, 1 }, new[] { 1, 1 }, new[] { 0, 0 }, new[] { 0, 0 })), new Shape(n, oh, ow, 1, ck));
        var y = u.Permute(u.Sum(u.Mul(patches, copies), new[] { -1 }), new[] { 0, 3, 1, 2 });
        var uloss = u.Sum(u.Mul(y, u.Input("r", new Shape(n, o, oh, ow))));
        var perPosition = Gradients.Grad(u, uloss, new[] { copies })[0];
        var tiled = Enumerable.Range(0, oh * ow).SelectMany(_ => leaves["w"].Item2).ToArray();
        leaves["copies"] = (new[] { oh, ow, o, ck }, tiled);
        var unshared = Run(u, perPosition, leaves);
        Assert.Equal(Run(b, b.Conv(x, wt, null, 1, 0, 1, 1), leaves), Run(u, y, leaves), new ToleranceComparer(1e-12));
        var summed = new double[o * ck];
        for (int p = 0; p < oh * ow; p++)
            for (int j = 0; j < o * ck; j++) summed[j] += unshared[p * o * ck + j];
        AllClose(summed, shared, 1e-10, "sum over positions of the unshared gradients");
        Assert.True(unshared.Take(o * ck).Zip(shared).Any(t => Math.Abs(t.First - t.Second) > 1e-3), "one position alone is not the whole gradient");
    }

    [Fact]
    public void Max_pool_gradient_routes_to_the_arg_max()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", new Shape(1, 1, 4, 4));
        var y = b.Pool(x, true, new[] { 2, 2 }, new[] { 2, 2 }, new[] { 0, 0 });
        var g = Gradients.Grad(b, b.Sum(b.Mul(y, b.Input("r", new Shape(1, 1, 2, 2)))), new[] { x })[0];
        var data = new double[] { 1, 5, 2, 0, 3, 4, 9, 8, 0, 0, 1, 1, 7, 0, 1, 6 };
        var grad = Run(b, g, Leaves(("x", new[] { 1, 1, 4, 4 }, data), ("r", new[] { 1, 1, 2, 2 }, new[] { 10.0, 20, 30, 40 })));
        Assert.Equal(new double[] { 0, 10, 0, 0, 0, 0, 20, 0, 0, 0, 0, 0, 30, 0, 0, 40 }, grad);
    }

    [Fact]
    public void Gather_with_an_index_outside_the_table_names_it()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Ops.Embedding(Tensor.Zeros(4, 2), Tensor.FromArray(new float[] { 1, 4 }, 2)));
        Assert.Contains("Index 4 at position 1", e.Message);
        Assert.Contains("0 .. 3", e.Message);
        var ids = Tensor.FromArray(new float[] { 2, 0, 2 }, 3);
        var table = Tensor.FromArray(new float[] { 1, 2, 3, 4, 5, 6 }, 3, 2);
        Assert.Equal(new float[] { 5, 6, 1, 2, 5, 6 }, Ops.Embedding(table, ids).Data);
    }

    [Fact]
    public void Shape_errors_of_layers_name_the_shapes()
    {
        var b = new GraphBuilder();
        var e = Assert.Throws<ShapeError>(() => b.Conv(b.Input("x", new Shape(2, 3, 8, 8)), b.Input("w", new Shape(4, 2, 3, 3)), null, 1, 0, 1, 1));
        Assert.Contains("[2, 3, 8, 8] has 3 channels", e.Message);
        e = Assert.Throws<ShapeError>(() => b.Pool(b.Input("y", new Shape(2, 8)), true, new[] { 2, 2 }, new[] { 2, 2 }, new[] { 0, 0 }));
        Assert.Contains("[2, 8]", e.Message);
        e = Assert.Throws<ShapeError>(() => b.MultiHeadAttention(b.Input("q", new Shape(2, 3, 10)), b.Input("k", new Shape(2, 3, 10)), b.Input("v", new Shape(2, 3, 10)), 4));
        Assert.Contains("10 features do not split into 4 heads", e.Message);
    }

    private sealed class ToleranceComparer(double tol) : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) <= tol * (1 + Math.Abs(a));
        public int GetHashCode(double v) => 0;
    }
}
