using System;
using System.Linq;
using Xunit;

namespace GraphNet.Models.Tests;

/// <summary>
/// Generated [Train], [HessianVectorProduct] and [Hessian] entries. Oracles: the logistic-regression
/// Hessian in closed form, (1/N) Xᵀ diag(p(1−p)) X over [x, 1]; finite differences of the generated
/// gradient; and the [Gradients] entry followed by the optimizer by hand.
/// </summary>
public class SecondOrderAndTrainTests
{
    private static (Tensor X, Tensor Y) Data(int n)
    {
        var x = new Tensor(n, 30);
        new Rng(5, 1).FillNormal(x.Data, 0, 1);
        var y = new Tensor(n);
        var flip = new Rng(5, 2);
        for (int i = 0; i < n; i++) y.Data[i] = (x.Data[i * 30] + 0.5f * x.Data[i * 30 + 1] > 0) ^ (flip.Uniform((ulong)i) < 0.15f) ? 1 : 0;
        return (x, y);
    }

    [Fact]
    public void Hessian_matches_the_closed_form_of_logistic_regression()
    {
        var m = new LogisticRegression(seed: 3);
        var (x, y) = Data(400);
        var h = m.Hessian(x, y);
        Assert.Equal(new[] { 31, 31 }, h.Shape);
        var logits = m.Forward(x);
        var expected = new double[31, 31];
        for (int i = 0; i < 400; i++)
        {
            double p = 1 / (1 + Math.Exp(-logits.Data[i])), s = p * (1 - p) / 400;
            for (int a = 0; a < 31; a++)
                for (int b = 0; b < 31; b++)
                    expected[a, b] += s * (a < 30 ? x[i, a] : 1) * (b < 30 ? x[i, b] : 1);
        }
        for (int a = 0; a < 31; a++)
            for (int b = 0; b < 31; b++)
                Assert.True(Math.Abs(h[a, b] - expected[a, b]) < 1e-5 + 1e-4 * Math.Abs(expected[a, b]),
                    $"H[{a},{b}] = {h[a, b]}, closed form {expected[a, b]}");
    }

    [Fact]
    public void Hessian_vector_product_matches_finite_differences_of_the_gradient()
    {
        var m = new LogisticRegression(seed: 4);
        var (x, y) = Data(25);
        var v = new Tensor(31);
        new Rng(9, 9).FillNormal(v.Data, 0, 1);
        var hv = m.Hvp(x, y, v).ToArray();
        var theta = m.Parameters.Flatten();
        double eps = 1e-2;
        double[] GradAt(double s)
        {
            var t = theta.Clone();
            for (int i = 0; i < 31; i++) t.Data[i] += (float)(s * v.Data[i]);
            m.Parameters.Assign(t);
            m.LossAndGradients(x, y);
            return m.Parameters.FlattenGradients().Data.Select(f => (double)f).ToArray();
        }
        var plus = GradAt(eps);
        var minus = GradAt(-eps);
        m.Parameters.Assign(theta);
        double norm = Math.Sqrt(hv.Sum(a => (double)a * a));
        for (int i = 0; i < 31; i++)
            Assert.True(Math.Abs((plus[i] - minus[i]) / (2 * eps) - hv[i]) < 2e-3 * norm, $"(Hv)[{i}] = {hv[i]}, finite difference {(plus[i] - minus[i]) / (2 * eps)}");
    }

    [Fact]
    public void Hvp_rejects_a_direction_of_the_wrong_length()
    {
        var m = new LogisticRegression(seed: 4);
        var (x, y) = Data(5);
        var e = Assert.Throws<ArgumentException>(() => m.Hvp(x, y, new Tensor(30)));
        Assert.Contains("'v'", e.Message);
        Assert.Contains("[31]", e.Message);
    }

    [Fact]
    public void Train_step_is_the_gradient_entry_followed_by_the_optimizer()
    {
        var (x, y) = Data(32);
        var a = new LogisticRegression(seed: 6);
        var b = new LogisticRegression(seed: 6);
        var optA = new Adam(0.05f);
        var optB = new Adam(0.05f);
        for (int step = 0; step < 5; step++)
        {
            float la = a.Step(x, y, optA);
            float lb = b.LossAndGradients(x, y);
            optB.Step(b.Parameters);
            Assert.Equal(lb, la);
        }
        Assert.Equal(b.Parameters.Flatten().Data, a.Parameters.Flatten().Data);
        Assert.Equal(5, optA.Steps);
    }

    [Fact]
    public void Newton_steps_from_a_zero_start_with_the_generated_Hessian_converge()
    {
        var (x, y) = Data(400);
        var newton = new LogisticRegression(seed: 1);
        newton.Parameters.Assign(new Tensor(31));
        var ridge = 1e-3f;
        for (int it = 0; it < 7; it++)
        {
            newton.LossAndGradients(x, y);
            var g = newton.Parameters.FlattenGradients();
            var h = newton.Hessian(x, y);
            for (int i = 0; i < 31; i++) h.Data[i * 31 + i] += ridge;
            var d = Linalg.CholeskySolve(h, g);
            var t = newton.Parameters.Flatten();
            for (int i = 0; i < 31; i++) t.Data[i] -= d.Data[i];
            newton.Parameters.Assign(t);
        }
        newton.LossAndGradients(x, y);
        var gn = newton.Parameters.FlattenGradients().Data;
        Assert.True(gn.Max(MathF.Abs) < 1e-5f, $"Newton's gradient after 7 steps: max |g| = {gn.Max(MathF.Abs)}");
    }
}
