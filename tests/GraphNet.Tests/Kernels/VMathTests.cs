using System;
using System.Runtime.Intrinsics;
using GraphNet.Runtime;
using Xunit;

namespace GraphNet.Tests.Kernels;

/// <summary>The vectorized transcendentals against double precision, lane by lane, at 16 and 8 lanes.</summary>
public class VMathTests
{
    private static double ErfReference(double x)
    {
        if (Math.Abs(x) > 5) return Math.Sign(x);
        double sum = 0, term = x; // Maclaurin series, fine in double for |x| <= 5
        for (int n = 0; n < 200; n++)
        {
            sum += term / (2 * n + 1);
            term *= -x * x / (n + 1);
        }
        return 2 / Math.Sqrt(Math.PI) * sum;
    }

    public static TheoryData<string, double, double> Cases => new()
    {
        { "exp", -87, 88.7 }, { "exp", -1, 1 }, { "tanh", -12, 12 }, { "tanh", -0.7, 0.7 }, { "sigmoid", -60, 60 }, { "erf", -6, 6 }, { "erf", -1.2, 1.2 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void WithinOneMillionthRelative(string f, double lo, double hi)
    {
        Func<double, double> want = f switch
        {
            "exp" => Math.Exp, "tanh" => Math.Tanh, "sigmoid" => v => 1 / (1 + Math.Exp(-v)), _ => ErfReference,
        };
        const int N = 20000;
        var xs = new float[N + 16];
        for (int i = 0; i < xs.Length; i++) xs[i] = (float)(lo + (hi - lo) * i / (xs.Length - 1));
        xs[3] = 0; xs[5] = 1e-30f; xs[7] = -1e-7f;
        double worst = 0;
        for (int i = 0; i + 16 <= xs.Length; i += 16)
        {
            var v16 = Vector512.Create(xs.AsSpan(i, 16));
            var v8 = Vector256.Create(xs.AsSpan(i, 8));
            var r16 = f switch { "exp" => VMath.Exp(v16), "tanh" => VMath.Tanh(v16), "sigmoid" => VMath.Sigmoid(v16), _ => VMath.Erf(v16) };
            var r8 = f switch { "exp" => VMath.Exp(v8), "tanh" => VMath.Tanh(v8), "sigmoid" => VMath.Sigmoid(v8), _ => VMath.Erf(v8) };
            for (int l = 0; l < 16; l++)
            {
                double w = want(xs[i + l]);
                double err = Math.Abs(r16[l] - w) / Math.Max(Math.Abs(w), 1e-30);
                worst = Math.Max(worst, err);
                Assert.True(err < 1e-6, $"{f}({xs[i + l]:R}) = {r16[l]:R}, want {w:R} (relative error {err:E2})");
                if (l < 8) Assert.Equal(r16[l], r8[l]);
            }
        }
        Assert.True(worst > 0, "every lane exact is suspicious: the reference is double precision");
    }

    [Fact]
    public void TanhStaysWithinOneAndIsOneWhereFloatTanhIs()
    {
        // The rational function overshoots 1 by an ulp near its clamp: the result is kept within ±1, and from where
        // tanh rounds to 1 in float (x ≥ 9.02) it is exactly ±1, at 16 and 8 lanes.
        for (int i = 0; i <= 4000; i++)
        {
            float x = 6f + 6f * i / 4000;
            float t16 = VMath.Tanh(Vector512.Create(x))[0], t8 = VMath.Tanh(Vector256.Create(-x))[0];
            Assert.True(t16 <= 1f && t16 > 0.9999f, $"tanh({x:R}) = {t16:R}");
            Assert.Equal(-t16, t8);
            if (x >= 9.02f) Assert.Equal(1f, t16);
        }
    }

    [Fact]
    public void ExpUnderflowsGraduallyThroughTheDenormals()
    {
        // Below e^-87.3 the result is denormal: 2^n must be applied in one rounding (vscalef, or two exact halves),
        // so each result is within one denormal step (2^-149) of the double-precision value, at 16 and 8 lanes.
        const double Step = 1.401298464324817e-45;
        for (int i = 0; i < 256; i++)
        {
            float x = -87.5f - 16.4f * i / 255;
            double want = Math.Exp(x);
            float got16 = VMath.Exp(Vector512.Create(x))[0], got8 = VMath.Exp(Vector256.Create(x))[0];
            Assert.True(Math.Abs(got16 - want) <= Step * (1 + Math.Abs(want) / Step * 1e-6), $"exp({x:R}) = {got16:R}, want {want:R}");
            Assert.Equal(got16, got8);
        }
        Assert.True(VMath.Exp(Vector512.Create(-100f))[0] > 0, "exp(-100) is a denormal, not zero");
    }

    [Fact]
    public void ExpSaturatesToInfinityAndZeroAndKeepsNaN()
    {
        var r = VMath.Exp(Vector512.Create(100f));
        Assert.True(float.IsPositiveInfinity(r[0]));
        Assert.Equal(0f, VMath.Exp(Vector512.Create(-200f))[0]);
        Assert.Equal(1f, VMath.Tanh(Vector512.Create(50f))[0]);
        Assert.Equal(-1f, VMath.Tanh(Vector512.Create(-50f))[0]);
        Assert.Equal(0f, VMath.Sigmoid(Vector512.Create(-200f))[0]);
        Assert.Equal(1f, VMath.Sigmoid(Vector512.Create(200f))[0]);
        Assert.True(float.IsNaN(VMath.Tanh(Vector512.Create(float.NaN))[0]));
        Assert.True(float.IsNaN(VMath.Exp(Vector512.Create(float.NaN))[0]));
    }
}
