using System;

namespace GraphNet.Runtime;

/// <summary>
/// The per-entry-point memory arena: one float buffer per slot of the memory plan. A slot grows
/// only when the bound dims need more than it has, so steady-state calls allocate nothing.
/// </summary>
public sealed class Arena
{
    private readonly float[][] _slots;

    public Arena(int slots)
    {
        _slots = new float[slots][];
        for (int i = 0; i < slots; i++) _slots[i] = Array.Empty<float>();
    }

    public float[] this[int slot] => _slots[slot];

    /// <summary>Makes slot <paramref name="slot"/> hold at least <paramref name="floats"/> floats.</summary>
    public void Reserve(int slot, long floats)
    {
        if (_slots[slot].Length < floats) _slots[slot] = new float[floats];
    }

    /// <summary>Total floats held, for plan reports and tests.</summary>
    public long Floats { get { long n = 0; foreach (var s in _slots) n += s.Length; return n; } }
}

/// <summary>Argument checks at entry points: errors name the input and the expected shape.</summary>
public static class Guard
{
    public static void Rank(Tensor t, string name, int rank, string expected)
    {
        if (t is null) throw new ArgumentNullException(name, $"Input '{name}' is null; expected a tensor of shape {expected}.");
        if (t.Rank != rank)
            throw new ArgumentException($"Input '{name}' has shape {Tensor.Format(t.Shape)}, expected {expected} (rank {rank}).", name);
    }

    public static void Dim(Tensor t, string name, int axis, int expectedValue, string expected)
    {
        if (t.Shape[axis] != expectedValue)
            throw new ArgumentException(
                $"Input '{name}' has shape {Tensor.Format(t.Shape)}, expected {expected}: dim {axis} must be {expectedValue}.", name);
    }

    public static void Shape(Tensor t, string name, int[] dims)
    {
        if (t is null) throw new InvalidOperationException($"Parameter '{name}' is null.");
        if (!t.HasShape(dims))
            throw new InvalidOperationException($"Parameter '{name}' has shape {Tensor.Format(t.Shape)}, expected {Tensor.Format(dims)}.");
    }
}

/// <summary>Fill kernels.</summary>
public static class Fill
{
    /// <summary><c>out[o, i, r] = i</c> for a tensor viewed as [outer, n, inner].</summary>
    public static void Iota(Span<float> output, int outer, int n, int inner)
    {
        int p = 0;
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < n; i++)
            {
                output.Slice(p, inner).Fill(i);
                p += inner;
            }
    }

    /// <summary>
    /// Uniform draws on [0, 1) for a random node: element i of call <paramref name="draw"/> of the entry point,
    /// stream <paramref name="salt"/> (the node), under the model's <paramref name="seed"/>.
    /// </summary>
    public static void Uniform(Span<float> output, int length, int seed, ulong draw, int salt)
    {
        var rng = Stream(seed, draw, salt);
        for (int i = 0; i < length; i++) output[i] = rng.Uniform((ulong)i);
    }

    /// <summary>The generator that <see cref="Uniform"/> draws from (the reference interpreter uses it too).</summary>
    public static global::GraphNet.Rng Stream(int seed, ulong draw, int salt) => new((ulong)(uint)seed, draw * 65536UL + (ulong)salt);
}
