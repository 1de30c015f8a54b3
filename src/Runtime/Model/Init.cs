using System;

namespace GraphNet;

/// <summary>Parameter initializers.</summary>
public enum Init
{
    /// <summary>Glorot uniform for rank 2 and above, zeros for vectors and scalars.</summary>
    Auto,
    Zeros,
    Ones,
    /// <summary>Uniform on [-0.05, 0.05).</summary>
    Uniform,
    /// <summary>Normal with standard deviation 0.01.</summary>
    Normal,
    /// <summary>He/Kaiming normal: N(0, 2 / fanIn), for ReLU layers.</summary>
    He,
    /// <summary>Glorot/Xavier uniform: U(±sqrt(6 / (fanIn + fanOut))).</summary>
    Xavier,
}

/// <summary>
/// Creates initialized tensors. Fan-in/fan-out: a matrix [in, out] has fanIn = in, fanOut = out;
/// a rank-k kernel [out, in, k...] has fanIn = in·k..., fanOut = out·k....
/// </summary>
public static class Initializers
{
    public static Tensor Create(Init init, int seed, int stream, params ReadOnlySpan<int> shape)
    {
        var t = new Tensor(shape);
        Fill(t, init, seed, stream);
        return t;
    }

    public static void Fill(Tensor t, Init init, int seed, int stream)
    {
        var (fanIn, fanOut) = Fans(t.Shape);
        var rng = new Rng((ulong)seed, (ulong)stream);
        var d = t.Data;
        switch (init)
        {
            case Init.Auto when t.Shape.Length >= 2: Fill(t, Init.Xavier, seed, stream); break;
            case Init.Auto or Init.Zeros: Array.Clear(d); break;
            case Init.Ones: d.AsSpan().Fill(1f); break;
            case Init.Uniform: rng.FillUniform(d, -0.05f, 0.05f); break;
            case Init.Normal: rng.FillNormal(d, 0f, 0.01f); break;
            case Init.He: rng.FillNormal(d, 0f, MathF.Sqrt(2f / fanIn)); break;
            case Init.Xavier: var a = MathF.Sqrt(6f / (fanIn + fanOut)); rng.FillUniform(d, -a, a); break;
            default: throw new ArgumentOutOfRangeException(nameof(init), init, "Unknown initializer.");
        }
    }

    private static (int FanIn, int FanOut) Fans(int[] s) => s.Length switch
    {
        0 => (1, 1),
        1 => (s[0], s[0]),
        2 => (s[0], s[1]),
        _ => (Product(s, 1) , s[0] * Product(s, 2)),
    };

    private static int Product(int[] s, int from)
    {
        int p = 1;
        for (int i = from; i < s.Length; i++) p *= s[i];
        return p;
    }
}
