using System;
using GraphNet;

namespace GraphNet.Runtime;

/// <summary>
/// The per-entry-point memory arena: one float buffer per slot of the memory plan. A slot grows
/// only when the bound dims need more than it has, so steady-state calls allocate nothing. Called by generated code;
/// not part of the user-facing API.
/// </summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public sealed class Arena
{
    private readonly float[][] _slots;

    /// <summary>An arena of <paramref name="slots"/> empty slots.</summary>
    public Arena(int slots)
    {
        _slots = new float[slots][];
        for (int i = 0; i < slots; i++) _slots[i] = Array.Empty<float>();
    }

    /// <summary>The buffer of slot <paramref name="slot"/> (empty until <see cref="Reserve"/> grows it).</summary>
    public float[] this[int slot] => _slots[slot];

    /// <summary>Makes slot <paramref name="slot"/> hold at least <paramref name="floats"/> floats.</summary>
    public void Reserve(int slot, long floats)
    {
        if (_slots[slot].Length < floats) _slots[slot] = new float[floats];
    }

    /// <summary>Total floats held, for plan reports and tests.</summary>
    public long Floats { get { long n = 0; foreach (var s in _slots) n += s.Length; return n; } }
}

/// <summary>
/// Argument checks at entry points: errors name the input and the expected shape. Called by generated code; not part
/// of the user-facing API.
/// </summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public static class Guard
{
    /// <summary>Throws <see cref="ArgumentNullException"/> for a null input, <see cref="ArgumentException"/> when its rank is not <paramref name="rank"/>.</summary>
    public static void Rank(Tensor t, string name, int rank, string expected) => Rank(t?.Shape, name, rank, expected);

    /// <summary>Throws <see cref="ArgumentException"/> when dim <paramref name="axis"/> of the input is not <paramref name="expectedValue"/> (after <see cref="Rank(Tensor, string, int, string)"/>).</summary>
    public static void Dim(Tensor t, string name, int axis, int expectedValue, string expected) => Dim(t.Shape, name, axis, expectedValue, expected);

    /// <summary>Binds a symbolic dim from an input: it must be at least 1 (an empty batch is an error, it would poison statistics).</summary>
    public static int Bound(Tensor t, string name, int axis, string dim, string expected) => Bound(t.Shape, name, axis, dim, expected);

    /// <summary>The rank check of an input known by its dims (a device tensor's); null for a null input.</summary>
    public static void Rank(int[]? shape, string name, int rank, string expected)
    {
        if (shape is null) throw new ArgumentNullException(name, $"Input '{name}' is null; expected a tensor of shape {expected}.");
        if (shape.Length != rank)
            throw new ArgumentException($"Input '{name}' has shape {Tensor.Format(shape)}, expected {expected} (rank {rank}).", name);
    }

    /// <summary>The dim check of an input known by its dims (a device tensor's).</summary>
    public static void Dim(int[]? shape, string name, int axis, int expectedValue, string expected)
    {
        if (shape![axis] != expectedValue)
            throw new ArgumentException(
                $"Input '{name}' has shape {Tensor.Format(shape)}, expected {expected}: dim {axis} must be {expectedValue}.", name);
    }

    /// <summary>Binds a symbolic dim from an input known by its dims; it must be at least 1.</summary>
    public static int Bound(int[]? shape, string name, int axis, string dim, string expected)
    {
        int v = shape![axis]; // after Rank
        if (v < 1)
            throw new ArgumentException(
                $"Input '{name}' has shape {Tensor.Format(shape)}, expected {expected}: dim {axis} ({dim}) is {v}; an entry point needs at least one element along every dim (an empty batch has no mean, no statistics and no gradient).", name);
        return v;
    }

    /// <summary>Binds a run-time length from an <c>int</c> argument (a loop's trip count): it must be at least 1, like every dim.</summary>
    public static int Count(int value, string name, string entry)
    {
        if (value < 1)
            throw new ArgumentOutOfRangeException(name, value,
                $"Argument '{name}' of {entry} is {value}; it is the length of a loop over time there, and a length must be at least 1.");
        return value;
    }

    /// <summary>The most elements one tensor can hold: a .NET array's limit.</summary>
    public const long MaxElements = 0x7FFFFFC7;

    /// <summary>
    /// Checks, once the dims are bound, that a value the entry point computes fits in one tensor. Sizes are counted in
    /// double precision, so a product of large dims cannot wrap around and slip through as a small or negative size.
    /// </summary>
    public static void Elements(string entry, string size, double elements)
    {
        if (elements > MaxElements)
            throw new ArgumentException(
                $"Entry point '{entry}' needs a value of {size} = {elements:0} elements for these inputs, more than the {MaxElements} a tensor can hold; use a smaller batch.");
    }

    /// <summary>
    /// Checks a size the entry point derives from its inputs' dims (T − 1 after a next-token slice, what a slice leaves
    /// over): it must be at least <paramref name="least"/>, or the inputs are too short for the model.
    /// </summary>
    public static void AtLeast(string entry, string size, long value, long least, string what)
    {
        if (value < least)
            throw new ArgumentException(
                $"Entry point '{entry}' needs {what} {size} to be at least {least}, but it is {value} for these inputs; the inputs are too short along that dim.");
    }

    /// <summary>A reference argument that is not a tensor (the optimizer of a training step).</summary>
    public static void NotNull(object? value, string name, string expected)
    {
        if (value is null) throw new ArgumentNullException(name, $"Argument '{name}' is null; expected {expected}.");
    }

    /// <summary>Throws <see cref="InvalidOperationException"/> when parameter or buffer <paramref name="name"/> is null or not of shape <paramref name="dims"/>.</summary>
    public static void Shape(Tensor t, string name, int[] dims)
    {
        if (t is null) throw new InvalidOperationException($"Parameter '{name}' is null.");
        if (!t.HasShape(dims))
            throw new InvalidOperationException($"Parameter '{name}' has shape {Tensor.Format(t.Shape)}, expected {Tensor.Format(dims)}.");
    }
}

/// <summary>Fill kernels. Called by generated code; not part of the user-facing API.</summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
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
    /// stream <paramref name="salt"/> (the node), under the model's <paramref name="seed"/>; inside a loop, step t
    /// draws elements from <paramref name="offset"/> = t · length on (the numbers a draw for all steps at once would give).
    /// </summary>
    public static void Uniform(Span<float> output, int length, int seed, ulong draw, int salt, long offset = 0)
    {
        var rng = Stream(seed, draw, salt);
        for (int i = 0; i < length; i++) output[i] = rng.Uniform((ulong)(offset + i));
    }

    /// <summary>The generator that <see cref="Uniform"/> draws from (the reference interpreter uses it too).</summary>
    public static global::GraphNet.Rng Stream(int seed, ulong draw, int salt) => new((ulong)(uint)seed, draw * 65536UL + (ulong)salt);
}

/// <summary>
/// One call at a time per model instance: entry points share the instance's arena, gradient buffers and
/// parameters, so a second thread entering while one runs would read half-written buffers. It gets this
/// error instead; use one model instance per thread. Called by generated code; not part of the user-facing API.
/// </summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public ref struct Exclusive
{
    private readonly ref int _busy;

    private Exclusive(ref int busy) { _busy = ref busy; }

    /// <summary>
    /// Marks the model busy for the call (<c>using var run = Exclusive.Enter(...)</c>); throws <see cref="InvalidOperationException"/>
    /// naming <paramref name="model"/> and <paramref name="entry"/> when another call is already running on it.
    /// </summary>
    public static Exclusive Enter(ref int busy, string model, string entry)
    {
        if (System.Threading.Interlocked.Exchange(ref busy, 1) != 0)
            throw new InvalidOperationException(
                $"Model '{model}' is already running an entry point on another thread (called '{entry}'). A model instance runs one call at a time: " +
                "its buffers are shared between calls. Use one instance per thread (they can share weights by loading the same checkpoint).");
        return new Exclusive(ref busy);
    }

    /// <summary>Marks the model free again.</summary>
    public void Dispose() => System.Threading.Volatile.Write(ref _busy, 0);
}

/// <summary>
/// Opt-in numerics checks, like PyTorch's anomaly detection: with <see cref="Detect"/> on, every entry point checks
/// its inputs and the output of each kernel, and the first NaN or infinity throws a <see cref="NumericsException"/>
/// naming the entry point, the op (or input) that produced it and the position. Off by default: it reads every value.
/// </summary>
public static class Anomaly
{
    private static readonly bool FromEnvironment = Environment.GetEnvironmentVariable("GRAPHNET_DETECT_ANOMALY") == "1";

    [ThreadStatic] private static bool? _detect;

    /// <summary>On for the calling thread (like PyTorch's detect_anomaly); the default is GRAPHNET_DETECT_ANOMALY=1 in the environment.</summary>
    public static bool Detect { get => _detect ?? FromEnvironment; set => _detect = value; }

    /// <summary>Throws when an input of an entry point holds NaN or an infinity.</summary>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public static void CheckInput(string entry, Tensor t, string name)
    {
        int i = FirstNonFinite(t.Data, t.Data.Length);
        if (i >= 0)
            throw new NumericsException($"Entry point '{entry}': input '{name}' {Tensor.Format(t.Shape)} holds {t.Data[i]} at position {i}, before any op ran.");
    }

    /// <summary>Throws when the first <paramref name="length"/> values a kernel wrote hold NaN or an infinity.</summary>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public static void CheckOutput(string entry, ReadOnlySpan<float> values, long length, string op)
    {
        int i = FirstNonFinite(values, (int)Math.Min(length, values.Length));
        if (i >= 0)
            throw new NumericsException($"Entry point '{entry}': {op} produced {values[i]} at position {i}; its inputs were finite (the ops before it are checked too).");
    }

    private static int FirstNonFinite(ReadOnlySpan<float> v, int length)
    {
        for (int i = 0; i < length; i++)
            if (!float.IsFinite(v[i])) return i;
        return -1;
    }
}

/// <summary>A NaN or an infinity found by <see cref="Anomaly"/> detection.</summary>
public sealed class NumericsException : ArithmeticException
{
    /// <summary>An error with <paramref name="message"/>, which names the entry point, the op and the position.</summary>
    public NumericsException(string message) : base(message) { }
}
