using System;

namespace GraphNet;

/// <summary>
/// A counter-based random generator: element i of stream s under seed k is a hash of (k, s, i),
/// so results do not depend on the order or the thread that draws them.
/// </summary>
public readonly struct Rng
{
    private readonly ulong _key;

    /// <summary>The generator of stream <paramref name="stream"/> under <paramref name="seed"/>.</summary>
    public Rng(ulong seed, ulong stream = 0) { _key = Mix(seed * 0x9E3779B97F4A7C15UL ^ Mix(stream + 0x632BE59BD9B4E019UL)); }

    /// <summary>64 random bits for counter <paramref name="i"/>.</summary>
    public ulong Bits(ulong i) => Mix(_key ^ Mix(i * 0xD1B54A32D192ED03UL + 0x8CB92BA72F3D8DD7UL));

    /// <summary>Uniform on [0, 1) with 24 bits of precision.</summary>
    public float Uniform(ulong i) => (Bits(i) >> 40) * (1f / (1 << 24));

    /// <summary>Standard normal (Box–Muller over counters 2i and 2i+1).</summary>
    public float Normal(ulong i)
    {
        double u1 = ((Bits(2 * i) >> 11) + 1) * (1.0 / (1UL << 53));
        double u2 = (Bits(2 * i + 1) >> 11) * (1.0 / (1UL << 53));
        return (float)(Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
    }

    /// <summary>Element i of <paramref name="d"/> ← uniform on [<paramref name="lo"/>, <paramref name="hi"/>) from counter i.</summary>
    public void FillUniform(Span<float> d, float lo, float hi)
    {
        for (int i = 0; i < d.Length; i++) d[i] = lo + (hi - lo) * Uniform((ulong)i);
    }

    /// <summary>Element i of <paramref name="d"/> ← normal with <paramref name="mean"/> and standard deviation <paramref name="std"/>, from counter i.</summary>
    public void FillNormal(Span<float> d, float mean, float std)
    {
        for (int i = 0; i < d.Length; i++) d[i] = mean + std * Normal((ulong)i);
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
