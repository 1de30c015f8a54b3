using System;

namespace GraphNet;

/// <summary>Parameter initializers.</summary>
public enum Init
{
    /// <summary>Glorot uniform for rank 2 and above, zeros for vectors and scalars.</summary>
    Auto,
    /// <summary>All zeros.</summary>
    Zeros,
    /// <summary>All ones.</summary>
    Ones,
    /// <summary>Uniform on [-0.05, 0.05).</summary>
    Uniform,
    /// <summary>Normal with standard deviation 0.01.</summary>
    Normal,
    /// <summary>He/Kaiming normal: N(0, 2 / fanIn), for ReLU layers.</summary>
    He,
    /// <summary>Glorot/Xavier uniform: U(±sqrt(6 / (fanIn + fanOut))).</summary>
    Xavier,
    /// <summary>
    /// U(±1/sqrt(fanIn)), PyTorch's default for Linear and Conv weights and biases (kaiming_uniform with a = √5),
    /// with the fan-in of PyTorch's layout [out, in, k...]: the product of every dim after the first; a vector
    /// takes the fan-in given with it (<c>FanIn</c> of [Param]).
    /// </summary>
    UniformFanIn,
    /// <summary>N(0, 1), PyTorch's default for Embedding.</summary>
    StandardNormal,
}

/// <summary>
/// Creates initialized tensors. Fan-in/fan-out: a matrix [in, out] has fanIn = in, fanOut = out;
/// a rank-k kernel [out, in, k...] has fanIn = in·k..., fanOut = out·k....
/// </summary>
public static class Initializers
{
    /// <summary>
    /// A new tensor of <paramref name="shape"/> filled by <paramref name="init"/>, drawing from the counter-based stream
    /// (<paramref name="seed"/>, <paramref name="stream"/>): the same arguments give the same values.
    /// </summary>
    public static Tensor Create(Init init, int seed, int stream, params ReadOnlySpan<int> shape)
    {
        var t = new Tensor(shape);
        Fill(t, init, seed, stream);
        return t;
    }

    /// <summary>Like <see cref="Create"/>, with the fan-in given (a bias of a layer whose input size the bias's shape does not tell).</summary>
    public static Tensor CreateWithFanIn(Init init, int seed, int stream, int fanIn, params ReadOnlySpan<int> shape)
    {
        var t = new Tensor(shape);
        if (init == Init.UniformFanIn)
        {
            var bound = 1f / MathF.Sqrt(Math.Max(1, fanIn));
            new Rng((ulong)seed, (ulong)stream).FillUniform(t.Data, -bound, bound);
        }
        else Fill(t, init, seed, stream);
        return t;
    }

    /// <summary>
    /// Overwrites <paramref name="t"/> with values from <paramref name="init"/>, drawn from the stream (<paramref name="seed"/>,
    /// <paramref name="stream"/>); the fans come from its shape. An undefined <see cref="Init"/> value throws <see cref="ArgumentOutOfRangeException"/>.
    /// </summary>
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
            case Init.UniformFanIn:
                int fan = t.Shape.Length >= 2 ? Product(t.Shape, 1) : t.Shape.Length == 1 ? t.Shape[0] : 1;
                var bound = 1f / MathF.Sqrt(Math.Max(1, fan));
                rng.FillUniform(d, -bound, bound);
                break;
            case Init.StandardNormal: rng.FillNormal(d, 0f, 1f); break;
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
