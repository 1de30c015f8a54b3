using System;
using System.Linq;
using Xunit;
using static GraphNet.Ops;

namespace GraphNet.Models.Tests;

public class DimTests
{
    private static Tensor Tokens(int batch, int steps, int seed)
    {
        var rng = new Random(seed);
        return Tensor.FromArray(Enumerable.Range(0, batch * steps).Select(_ => (float)rng.Next(NextTokenModel.V)).ToArray(), batch, steps);
    }

    [Fact]
    public void Next_token_slices_compile_to_the_eager_loss_and_its_gradients()
    {
        var model = new NextTokenModel(seed: 3);
        foreach (var steps in new[] { 2, 7 })
        {
            var tokens = Tokens(3, steps, steps);
            float loss = model.LossAndGradients(tokens);
            var embed = model.Parameters["embed"].Value;
            var head = model.Parameters["head"].Value;
            var eager = SoftmaxCrossEntropy(MatMul(Embedding(embed, tokens[.., ..^1]), head), tokens[.., 1..]).Mean().ToScalar();
            Assert.Equal(eager, loss, 5);
            var g = model.Parameters["head"].Grad.ToArray();
            for (int i = 0; i < head.Length; i += 3)
            {
                float keep = head.Data[i];
                head.Data[i] = keep + 1e-2f; double up = model.LossAndGradients(tokens);
                head.Data[i] = keep - 1e-2f; double down = model.LossAndGradients(tokens);
                head.Data[i] = keep;
                Assert.Equal((up - down) / 2e-2, g[i], 3);
            }
        }
    }

    [Fact]
    public void A_sequence_too_short_for_its_slices_is_an_error_naming_the_dim()
    {
        var model = new NextTokenModel();
        var error = Assert.Throws<ArgumentException>(() => model.LossAndGradients(Tokens(2, 1, 0)));
        Assert.Contains("T-1", error.Message);
        Assert.Contains("at least 1", error.Message);
        var join = Assert.Throws<ArgumentException>(() => model.Joined(new Tensor(1, 1, NextTokenModel.D), new Tensor(1, 1, NextTokenModel.D)));
        Assert.Contains("S+T-2", join.Message);
    }

    [Fact]
    public void Concat_along_a_run_time_axis_and_a_symbolic_slice_of_it()
    {
        var model = new NextTokenModel();
        var rng = new Random(5);
        Tensor Random(params int[] shape) { var t = new Tensor(shape); for (int i = 0; i < t.Length; i++) t.Data[i] = (float)rng.NextDouble(); return t; }
        var a = Random(2, 3, NextTokenModel.D);
        var b = Random(2, 4, NextTokenModel.D);
        var (joined, middle) = model.Joined(a, b);
        Assert.Equal(new[] { 2, 7, NextTokenModel.D }, joined.Shape);
        Assert.Equal(new[] { 2, 5, NextTokenModel.D }, middle.Shape);
        for (int i = 0; i < 2; i++)
            for (int t = 0; t < 7; t++)
                for (int d = 0; d < NextTokenModel.D; d++)
                {
                    float expected = t < 3 ? a[i, t, d] : b[i, t - 3, d];
                    Assert.Equal(expected, joined[i, t, d]);
                    if (t >= 1 && t < 6) Assert.Equal(expected, middle[i, t - 1, d]);
                }
    }

    [Fact]
    public void Eye_of_a_symbolic_size_and_the_unbiased_variance()
    {
        var model = new NextTokenModel();
        var x = Tensor.FromArray(new float[] { 1, 2, 3, 4, 2, 2, 5, 0, 0, 1, 1, 1 }, 3, NextTokenModel.D);
        var (ridge, variance) = model.Stats(x);
        Assert.Equal(new[] { 3, 3 }, ridge.Shape);
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
            {
                float dot = 0;
                for (int d = 0; d < NextTokenModel.D; d++) dot += x[i, d] * x[j, d];
                Assert.Equal(dot + (i == j ? 0.5f : 0f), ridge[i, j], 4);
            }
        for (int d = 0; d < NextTokenModel.D; d++)
        {
            var column = Enumerable.Range(0, 3).Select(i => (double)x[i, d]).ToArray();
            double mean = column.Average();
            Assert.Equal(column.Sum(v => (v - mean) * (v - mean)) / 2, variance.Data[d], 4); // numpy's var(ddof=1)
        }
    }

    [Fact]
    public void Grad_inside_a_spec_gives_the_vector_jacobian_product_and_a_penalty_on_it_trains_by_double_backward()
    {
        var model = new DoubleBackward(seed: 4);
        var rng = new Random(3);
        Tensor Random(params int[] shape) { var t = new Tensor(shape); for (int i = 0; i < t.Length; i++) t.Data[i] = (float)(rng.NextDouble() * 2 - 1); return t; }
        var x = Random(5, 3);
        var v = Random(5, 4);
        var w = model.Parameters["w"].Value;
        var b = model.Parameters["b"].Value;
        var jv = model.Jtv(x, v);
        for (int n = 0; n < 5; n++) // Jᵀv = (v ⊙ (1 − h²))·Wᵀ
            for (int i = 0; i < 3; i++)
            {
                double sum = 0;
                for (int j = 0; j < 4; j++)
                {
                    double pre = b.Data[j];
                    for (int q = 0; q < 3; q++) pre += x[n, q] * w[q, j];
                    double h = Math.Tanh(pre);
                    sum += v[n, j] * (1 - h * h) * w[i, j];
                }
                Assert.Equal(sum, jv[n, i], 5);
            }
        model.PenaltyAndGradients(x, v);
        foreach (var p in model.Parameters)
        {
            var g = p.Grad.ToArray();
            for (int i = 0; i < p.Value.Length; i++)
            {
                float keep = p.Value.Data[i];
                p.Value.Data[i] = keep + 1e-2f; double up = model.PenaltyAndGradients(x, v);
                p.Value.Data[i] = keep - 1e-2f; double down = model.PenaltyAndGradients(x, v);
                p.Value.Data[i] = keep;
                Assert.True(Math.Abs((up - down) / 2e-2 - g[i]) < 2e-3 + 0.02 * Math.Abs(g[i]), $"{p.Name}[{i}]: analytic {g[i]}, finite difference {(up - down) / 2e-2}");
            }
        }
        var eager = Assert.Throws<InvalidOperationException>(() => Grad(Sum(x), x));
        Assert.Contains("compiled entry point", eager.Message);
    }

    [Fact]
    public void Range_indexers_slice_eagerly_as_csharp_ranges_read()
    {
        var x = Tensor.FromArray(Enumerable.Range(0, 12).Select(i => (float)i).ToArray(), 3, 4);
        Assert.Equal(new float[] { 1, 2, 3, 5, 6, 7, 9, 10, 11 }, x[.., 1..].Data);
        Assert.Equal(new float[] { 4, 5, 6, 7 }, x[1..^1].Data);
        Assert.Equal(new float[] { 0, 1, 4, 5 }, x[..2, ..^2].Data);
        Assert.Throws<ArgumentOutOfRangeException>(() => x[.., 4..]);
    }
}
