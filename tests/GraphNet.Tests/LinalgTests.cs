using System;
using Xunit;

namespace GraphNet.Tests;

/// <summary>Linear solves against their defining residual, and the named errors for bad matrices.</summary>
public class LinalgTests
{
    private static Tensor Spd(int n, int seed)
    {
        var m = new Tensor(n, n);
        new Rng((ulong)seed, 1).FillNormal(m.Data, 0, 1);
        var a = Ops.MatMul(m, m, transposeA: true);
        for (int i = 0; i < n; i++) a[i, i] += 0.5f;
        return a;
    }

    private static double Residual(Tensor a, Tensor x, Tensor b)
    {
        var ax = Ops.MatMul(a, x);
        double worst = 0;
        for (int i = 0; i < b.Length; i++) worst = Math.Max(worst, Math.Abs(ax.Data[i] - b.Data[i]));
        return worst;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(31)]
    public void Cholesky_and_LU_solves_satisfy_A_x_equals_b(int n)
    {
        var a = Spd(n, n);
        var b = new Tensor(n, 2);
        new Rng(3, 3).FillNormal(b.Data, 0, 1);
        Assert.True(Residual(a, Linalg.CholeskySolve(a, b), b) < 1e-3, "Cholesky residual");
        Assert.True(Residual(a, Ops.Solve(a, b), b) < 1e-3, "eager solve residual");
        var l = Linalg.Cholesky(a);
        var llt = Ops.MatMul(l, l, transposeB: true);
        for (int i = 0; i < a.Length; i++) Assert.Equal(a.Data[i], llt.Data[i], 3);
        var x = new float[n * 2];
        Linalg.Solve(true, n, 2, a.Data, b.Data, x); // Aᵀ = A here
        Assert.True(Residual(a, new Tensor(x, n, 2), b) < 1e-3, "kernel residual");
    }

    [Fact]
    public void Bad_matrices_get_named_errors()
    {
        var notSpd = Tensor.FromArray(new float[] { 1, 2, 2, 1 }, 2, 2);
        Assert.Contains("not positive definite", Assert.Throws<ArithmeticException>(() => Linalg.CholeskySolve(notSpd, new Tensor(2))).Message);
        var singular = Tensor.FromArray(new float[] { 1, 2, 2, 4 }, 2, 2);
        Assert.Contains("singular", Assert.Throws<ArithmeticException>(() => Ops.Solve(singular, new Tensor(2, 1))).Message);
        Assert.Contains("[2, 3]", Assert.Throws<ArgumentException>(() => Linalg.Cholesky(new Tensor(2, 3))).Message);
    }
}
