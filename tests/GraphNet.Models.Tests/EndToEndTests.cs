using System;
using System.Linq;
using Xunit;

namespace GraphNet.Models.Tests;

/// <summary>
/// Models compiled by the generator at build time: the generated forward equals the eager path
/// (the spec method called directly), and the generated gradients match central finite differences
/// of the eager loss, at two batch sizes bound at run time.
/// </summary>
public class EndToEndTests
{
    private static Tensor Random(int seed, float scale, params int[] shape)
    {
        var t = new Tensor(shape);
        new Rng((ulong)seed, 7).FillNormal(t.Data, 0, scale);
        return t;
    }

    private static Tensor Labels(int seed, int n, int classes)
    {
        var rng = new Rng((ulong)seed, 9);
        return Tensor.FromArray(Enumerable.Range(0, n).Select(i => (float)(rng.Bits((ulong)i) % (ulong)classes)).ToArray(), n);
    }

    /// <summary>
    /// Checks gradients against central differences of <paramref name="loss"/>: along the gradient itself
    /// (relative error of the slope) and along random directions (error relative to the gradient's norm).
    /// </summary>
    internal static void CheckGradients(ParameterSet ps, Func<double> loss, double tolerance) =>
        CheckGradients(ps.Select(p => (p.Value, p.Grad.ToArray())).ToList(), loss, tolerance);

    internal static void CheckGradients(System.Collections.Generic.IReadOnlyList<(Tensor Value, float[] Grad)> ps, Func<double> loss, double tolerance)
    {
        var g = ps.Select(p => p.Grad).ToArray();
        double norm = Math.Sqrt(g.Sum(a => a.Sum(v => (double)v * v)));
        Assert.True(norm > 0, "gradient is zero");
        for (int trial = 0; trial < 4; trial++)
        {
            var dir = trial == 0
                ? g.Select(a => a.Select(v => v / norm).ToArray()).ToArray()
                : ps.Select((p, i) => { var d = new float[p.Value.Length]; new Rng((ulong)trial, (ulong)i).FillNormal(d, 0, 1); return d.Select(v => (double)v).ToArray(); }).ToArray();
            if (trial > 0)
            {
                double dn = Math.Sqrt(dir.Sum(a => a.Sum(v => v * v)));
                dir = dir.Select(a => a.Select(v => v / dn).ToArray()).ToArray();
            }
            double slope = g.Zip(dir, (a, d) => a.Zip(d, (x, y) => x * y).Sum()).Sum();
            double Fd(double eps)
            {
                var keep = ps.Select(p => p.Value.ToArray()).ToArray();
                double At(double s)
                {
                    for (int i = 0; i < ps.Count; i++)
                        for (int j = 0; j < keep[i].Length; j++) ps[i].Value.Data[j] = (float)(keep[i][j] + s * dir[i][j]);
                    return loss();
                }
                double r = (At(eps) - At(-eps)) / (2 * eps);
                for (int i = 0; i < ps.Count; i++) keep[i].CopyTo(ps[i].Value.Data, 0);
                return r;
            }
            double fd = (4 * Fd(1e-3) - Fd(2e-3)) / 3; // Richardson: cancels the eps^2 term
            double err = Math.Abs(fd - slope) / (trial == 0 ? Math.Abs(slope) : norm);
            Assert.True(err < tolerance, $"direction {trial}: finite difference {fd}, gradient slope {slope}, relative error {err}");
        }
    }

    [Theory]
    [InlineData(16)]
    [InlineData(37)]
    public void Linear_regression_gradients_match_finite_differences(int n)
    {
        var m = new LinearRegression(seed: 1);
        var x = Random(n, 1f, n, 10);
        var y = Random(n + 1, 1f, n);
        float loss = m.LossAndGradients(x, y);
        Assert.Equal(m.Loss(x, y).ToScalar(), loss, 4);
        AssertClose(m.Predict(x), m.Forward(x), 1e-5);
        CheckGradients(m.Parameters, () => m.Loss(x, y).ToScalar(), 1e-3);
    }

    [Theory]
    [InlineData(8)]
    [InlineData(50)]
    public void Logistic_regression_gradients_match_finite_differences(int n)
    {
        var m = new LogisticRegression(seed: 2);
        var x = Random(n, 1f, n, 30);
        var y = Tensor.FromArray(Enumerable.Range(0, n).Select(i => (float)(i % 2)).ToArray(), n);
        float loss = m.LossAndGradients(x, y);
        Assert.Equal(m.Loss(x, y).ToScalar(), loss, 4);
        CheckGradients(m.Parameters, () => m.Loss(x, y).ToScalar(), 1e-3);
        var gx = m.InputGradient(x, y);
        Assert.Equal(x.Shape, gx.Shape);
        // d loss / d x[i, :] = (sigmoid(logit_i) - y_i) * w / n
        var logits = m.Forward(x);
        var w = m.Parameters["w"].Value;
        for (int i = 0; i < n; i++)
        {
            double r = (1 / (1 + Math.Exp(-logits.Data[i])) - y.Data[i]) / n;
            for (int j = 0; j < 30; j++) Assert.Equal(r * w.Data[j], gx[i, j], 5);
        }
    }

    [Theory]
    [InlineData(4)]
    [InlineData(33)]
    public void Mlp_gradients_match_finite_differences(int batch)
    {
        var m = new Mlp(seed: 3);
        var x = Random(batch, 1f, batch, 784);
        var label = Labels(batch, batch, 10);
        float loss = m.LossAndGradients(x, label);
        Assert.Equal(m.Loss(x, label).ToScalar(), loss, 4);
        AssertClose(m.Logits(x), m.Predict(x), 1e-4);
        CheckGradients(m.Parameters, () => m.Loss(x, label).ToScalar(), 1e-3);
    }

    [Fact]
    public void Input_gradient_matches_finite_differences()
    {
        var m = new Mlp(seed: 4);
        var x = Random(5, 1f, 3, 784);
        var label = Labels(6, 3, 10);
        var gx = m.InputGradient(x, label).ToArray();
        CheckGradients(new[] { (x, gx) }, () => m.Loss(x, label).ToScalar(), 1e-3);
    }

    [Fact]
    public void Steady_state_calls_allocate_nothing()
    {
        var m = new Mlp(seed: 5);
        var x = Random(1, 1f, 32, 784);
        var label = Labels(2, 32, 10);
        for (int i = 0; i < 3; i++) { m.LossAndGradients(x, label); m.Predict(x); m.InputGradient(x, label); }
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++) m.LossAndGradients(x, label);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        // An entry that returns a tensor allocates that tensor (the caller keeps it) and nothing else. The least of three
        // rounds: a thread that helps run another test's parallel job meanwhile may allocate that job's one-time buffers.
        long perCall = long.MaxValue;
        for (int round = 0; round < 3; round++)
        {
            before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 20; i++) { m.Predict(x); m.InputGradient(x, label); }
            perCall = Math.Min(perCall, (GC.GetAllocatedBytesForCurrentThread() - before) / 40);
        }
        long results = (32 * 10 + 32 * 784) * sizeof(float) / 2;
        Assert.InRange(perCall, results, results + 256);
    }

    [Fact]
    public void Changing_the_batch_size_needs_no_recompilation()
    {
        var m = new Mlp(seed: 6);
        foreach (var b in new[] { 1, 7, 64, 3 })
        {
            var x = Random(b, 1f, b, 784);
            Assert.Equal(new[] { b, 10 }, m.Predict(x).Shape);
            AssertClose(m.Logits(x), m.Predict(x), 1e-4);
        }
    }

    [Fact]
    public void Bad_input_shapes_name_the_input_and_the_expected_shape()
    {
        var m = new Mlp(seed: 7);
        var e = Assert.Throws<ArgumentException>(() => m.Predict(new Tensor(4, 785)));
        Assert.Contains("'x'", e.Message);
        Assert.Contains("[B, 784]", e.Message);
        var e2 = Assert.Throws<ArgumentException>(() => m.LossAndGradients(new Tensor(4, 784), new Tensor(5)));
        Assert.Contains("'label'", e2.Message);
        Assert.Contains("[B]", e2.Message);
    }

    private static void AssertClose(Tensor expected, Tensor actual, double tol)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected.Data[i] - actual.Data[i]) <= tol * (1 + Math.Abs(expected.Data[i])), $"element {i}: {expected.Data[i]} vs {actual.Data[i]}");
    }
}
