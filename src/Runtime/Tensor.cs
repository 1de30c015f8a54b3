using System;
using System.Globalization;
using System.Linq;
using System.Text;

namespace GraphNet;

/// <summary>
/// A dense row-major float32 tensor on the CPU. Spec methods use it symbolically (the generator
/// compiles them); called directly, its operators and <see cref="Ops"/> run eagerly, op by op.
/// No Dispose: memory is managed, and compiled entry points reuse their buffers.
/// </summary>
public sealed partial class Tensor
{
    /// <summary>A zero-filled tensor of <paramref name="shape"/> (no dims: a scalar); a negative dim throws <see cref="ArgumentException"/>.</summary>
    public Tensor(params ReadOnlySpan<int> shape)
    {
        Shape = Dims(shape);
        Data = new float[Count(Shape)];
    }

    private Tensor(int[] shape, float[] data)
    {
        Shape = shape;
        Data = data;
    }

    /// <summary>The dims as an array, or <see cref="ArgumentException"/> for a negative one.</summary>
    private static int[] Dims(ReadOnlySpan<int> shape)
    {
        var dims = shape.ToArray();
        foreach (var d in dims)
            if (d < 0) throw new ArgumentException($"Tensor dims must be non-negative, got {Format(dims)}.", nameof(shape));
        return dims;
    }

    /// <summary>Wraps <paramref name="data"/> (not copied) as a tensor of <paramref name="shape"/>.</summary>
    public Tensor(float[] data, params ReadOnlySpan<int> shape)
    {
        Shape = shape.ToArray();
        if (data.Length != Count(Shape))
            throw new ArgumentException($"Data has {data.Length} elements but shape {Format(Shape)} needs {Count(Shape)}.", nameof(data));
        Data = data;
    }

    /// <summary>
    /// A tensor of <paramref name="shape"/> whose elements are not zeroed: for a compiled entry's result, which its kernels
    /// write in full before anything reads it (a fresh zeroed result of 64 MB cost a pass over memory per call).
    /// Called by generated code; not part of the user-facing API.
    /// </summary>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public static Tensor Uninitialized(params ReadOnlySpan<int> shape)
    {
        var dims = Dims(shape);
        return new Tensor(dims, GC.AllocateUninitializedArray<float>(Count(dims)));
    }

    /// <summary>The dims, outermost first.</summary>
    public int[] Shape { get; }

    /// <summary>The elements in row-major order.</summary>
    public float[] Data { get; }

    /// <summary>The number of dims (0 for a scalar).</summary>
    public int Rank => Shape.Length;

    /// <summary>The number of elements: the product of the dims.</summary>
    public int Length => Data.Length;

    /// <summary>Copies <paramref name="data"/> into a new tensor.</summary>
    public static Tensor FromArray(ReadOnlySpan<float> data, params ReadOnlySpan<int> shape)
    {
        var t = new Tensor(shape);
        if (data.Length != t.Length)
            throw new ArgumentException($"Data has {data.Length} elements but shape {Format(shape.ToArray())} needs {t.Length}.", nameof(data));
        data.CopyTo(t.Data);
        return t;
    }

    /// <summary>Copies a 2-d array into a new [rows, columns] tensor.</summary>
    public static Tensor FromArray(float[,] data)
    {
        var t = new Tensor(data.GetLength(0), data.GetLength(1));
        Buffer.BlockCopy(data, 0, t.Data, 0, t.Length * sizeof(float));
        return t;
    }

    /// <summary>A rank-0 tensor holding <paramref name="value"/>.</summary>
    public static Tensor Scalar(float value) => new(new[] { value });

    /// <summary>A zero-filled tensor of <paramref name="shape"/>.</summary>
    public static Tensor Zeros(params ReadOnlySpan<int> shape) => new(shape);

    /// <summary>A tensor of <paramref name="shape"/> with every element <paramref name="value"/>.</summary>
    public static Tensor Full(float value, params ReadOnlySpan<int> shape)
    {
        var t = new Tensor(shape);
        t.Data.AsSpan().Fill(value);
        return t;
    }

    /// <summary>Returns <paramref name="cached"/> when it already has <paramref name="shape"/>, else a new tensor stored there.</summary>
    public static Tensor Reuse(ref Tensor? cached, params ReadOnlySpan<int> shape)
    {
        if (cached is not null && cached.HasShape(shape)) return cached;
        return cached = new Tensor(shape);
    }

    // Fixed-arity forms for generated code: a params-span call site may allocate, these never do.

    /// <summary>As <see cref="Reuse(ref Tensor?, ReadOnlySpan{int})"/> for a scalar, without allocating at the call site.</summary>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public static Tensor Reuse(ref Tensor? cached) => cached is { Rank: 0 } ? cached : cached = new Tensor();

    /// <summary>As <see cref="Reuse(ref Tensor?, ReadOnlySpan{int})"/> for rank 1, without allocating at the call site.</summary>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public static Tensor Reuse(ref Tensor? cached, int d0) =>
        cached is { Rank: 1 } c && c.Shape[0] == d0 ? c : cached = new Tensor(d0);

    /// <summary>As <see cref="Reuse(ref Tensor?, ReadOnlySpan{int})"/> for rank 2, without allocating at the call site.</summary>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public static Tensor Reuse(ref Tensor? cached, int d0, int d1) =>
        cached is { Rank: 2 } c && c.Shape[0] == d0 && c.Shape[1] == d1 ? c : cached = new Tensor(d0, d1);

    /// <summary>As <see cref="Reuse(ref Tensor?, ReadOnlySpan{int})"/> for rank 3, without allocating at the call site.</summary>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public static Tensor Reuse(ref Tensor? cached, int d0, int d1, int d2) =>
        cached is { Rank: 3 } c && c.Shape[0] == d0 && c.Shape[1] == d1 && c.Shape[2] == d2 ? c : cached = new Tensor(d0, d1, d2);

    /// <summary>As <see cref="Reuse(ref Tensor?, ReadOnlySpan{int})"/> for rank 4, without allocating at the call site.</summary>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public static Tensor Reuse(ref Tensor? cached, int d0, int d1, int d2, int d3) =>
        cached is { Rank: 4 } c && c.Shape[0] == d0 && c.Shape[1] == d1 && c.Shape[2] == d2 && c.Shape[3] == d3 ? c : cached = new Tensor(d0, d1, d2, d3);

    /// <summary>True when the dims are exactly <paramref name="shape"/>.</summary>
    public bool HasShape(ReadOnlySpan<int> shape)
    {
        if (shape.Length != Shape.Length) return false;
        for (int i = 0; i < shape.Length; i++)
            if (shape[i] != Shape[i]) return false;
        return true;
    }

    /// <summary>
    /// The element at <paramref name="index"/>, one index per dim (<c>t[i, j]</c>). A wrong number of indices throws
    /// <see cref="ArgumentException"/>, an index outside its dim <see cref="IndexOutOfRangeException"/>.
    /// </summary>
    public float this[params ReadOnlySpan<int> index]
    {
        get => Data[Offset(index)];
        set => Data[Offset(index)] = value;
    }

    /// <summary><c>x[.., t]</c>: index <paramref name="i1"/> along axis 1, the axis removed (step t of a batch-first sequence).</summary>
    public Tensor this[Range r0, int i1] => Ops.Select(Whole(this, r0, 0), 1, i1);

    /// <summary><c>x[.., .., t]</c>: index <paramref name="i2"/> along axis 2, the axis removed.</summary>
    public Tensor this[Range r0, Range r1, int i2] => Ops.Select(Whole(Whole(this, r0, 0), r1, 1), 2, i2);

    /// <summary><c>x[1..]</c>, <c>x[..^1]</c>: a slice along axis 0, as C# ranges read (the end exclusive, <c>^k</c> counted from the end).</summary>
    public Tensor this[Range r0] => Cut(this, r0, 0);

    /// <summary><c>x[.., 1..]</c>: slices along axes 0 and 1 (next-token targets are <c>tokens[.., 1..]</c>, inputs <c>tokens[.., ..^1]</c>).</summary>
    public Tensor this[Range r0, Range r1] => Cut(Cut(this, r0, 0), r1, 1);

    /// <summary><c>x[.., .., 2..]</c>: slices along axes 0, 1 and 2.</summary>
    public Tensor this[Range r0, Range r1, Range r2] => Cut(Cut(Cut(this, r0, 0), r1, 1), r2, 2);

    private static Tensor Cut(Tensor x, Range r, int axis)
    {
        if (r.Equals(Range.All)) return x;
        if (axis >= x.Rank) throw new ArgumentException($"A range at axis {axis} of an index needs a tensor of rank {axis + 1} or more, got {Format(x.Shape)}.");
        int n = x.Shape[axis], start = r.Start.GetOffset(n), end = r.End.GetOffset(n);
        if (start < 0 || end > n || end <= start)
            throw new ArgumentOutOfRangeException(nameof(r), $"The range {r} selects nothing or falls outside axis {axis} of {Format(x.Shape)}; a slice needs at least one element.");
        return Ops.Slice(x, axis, start, end - start);
    }

    private static Tensor Whole(Tensor x, Range r, int axis) =>
        r.Equals(Range.All) ? x : throw new ArgumentException($"Only '..' (the whole axis) is supported at axis {axis} of an index; slice with Ops.Slice.");

    /// <summary>The single value of a one-element tensor.</summary>
    public float ToScalar() => Length == 1 ? Data[0] : throw new InvalidOperationException($"ToScalar() needs a one-element tensor, this one has shape {Format(Shape)}.");

    /// <summary>A copy of the elements in row-major order.</summary>
    public float[] ToArray() => (float[])Data.Clone();

    /// <summary>A new tensor with a copy of the elements and the same shape.</summary>
    public Tensor Clone() => new((float[])Data.Clone(), Shape);

    private int Offset(ReadOnlySpan<int> index)
    {
        if (index.Length != Rank) throw new ArgumentException($"Index has {index.Length} dims, tensor has shape {Format(Shape)}.");
        int o = 0;
        for (int i = 0; i < Rank; i++)
        {
            if ((uint)index[i] >= (uint)Shape[i]) throw new IndexOutOfRangeException($"Index {index[i]} out of range for dim {i} of shape {Format(Shape)}.");
            o = o * Shape[i] + index[i];
        }
        return o;
    }

    internal static int Count(int[] shape)
    {
        long n = 1;
        foreach (var d in shape) n *= d;
        if (n > Array.MaxLength) throw new ArgumentException($"Shape {Format(shape)} has too many elements ({n}).");
        return (int)n;
    }

    /// <summary>A shape as text, for messages: "[2, 3]".</summary>
    public static string Format(int[] shape) => "[" + string.Join(", ", shape) + "]";

    /// <summary>The shape and the first eight elements: "Tensor[2, 3] {1, 2, 3, 4, 5, 6}".</summary>
    public override string ToString()
    {
        var sb = new StringBuilder("Tensor").Append(Format(Shape)).Append(' ');
        sb.Append('{').Append(string.Join(", ", Data.Take(8).Select(v => v.ToString("G6", CultureInfo.InvariantCulture))));
        if (Length > 8) sb.Append(", ...");
        return sb.Append('}').ToString();
    }
}
