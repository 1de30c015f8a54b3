using System;
using System.Linq;
using Xunit;

namespace GraphNet.Tests;

/// <summary>Random test inputs and the tolerance check the kernel-against-reference tests share.</summary>
internal static class Draws
{
    /// <summary><paramref name="n"/> standard normal draws (Box–Muller).</summary>
    public static double[] Normal(int n, Random rng) =>
        Enumerable.Range(0, n).Select(_ => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble())).ToArray();

    /// <summary>Each float within <paramref name="tol"/>·(1 + |expected|) of the double it should be.</summary>
    public static void Close(double[] expected, float[] actual, double tol, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tol * (1 + Math.Abs(expected[i])), $"{what}: element {i}: expected {expected[i]}, got {actual[i]}");
    }
}
