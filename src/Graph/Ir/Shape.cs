using System;
using System.Collections.Generic;
using System.Linq;

namespace GraphNet.Compiler;

/// <summary>An immutable tensor shape whose dims may be symbolic. Row-major (C) order.</summary>
public sealed class Shape : IEquatable<Shape>
{
    private readonly Dim[] _dims;

    public Shape(IEnumerable<Dim> dims) { _dims = dims.ToArray(); }

    public Shape(params Dim[] dims) : this((IEnumerable<Dim>)dims) { }

    public static readonly Shape Scalar = new(Array.Empty<Dim>());

    public int Rank => _dims.Length;

    public Dim this[int axis] => _dims[axis];

    public IReadOnlyList<Dim> Dims => _dims;

    /// <summary>Number of elements as a monomial.</summary>
    public Dim Size => _dims.Aggregate(Dim.Const(1), (a, d) => a * d);

    public bool IsConstant => _dims.All(d => d.IsConstant);

    /// <summary>Row-major strides of a contiguous tensor of this shape.</summary>
    public Dim[] ContiguousStrides()
    {
        var s = new Dim[Rank];
        Dim acc = 1;
        for (int i = Rank - 1; i >= 0; i--) { s[i] = acc; acc = acc * _dims[i]; }
        return s;
    }

    public bool Equals(Shape? other) => other is not null && _dims.SequenceEqual(other._dims);

    public override bool Equals(object? obj) => obj is Shape s && Equals(s);

    public override int GetHashCode()
    {
        int h = Rank;
        foreach (var d in _dims) h = unchecked(h * 31 + d.GetHashCode());
        return h;
    }

    public override string ToString() => "[" + string.Join(", ", _dims.Select(d => d.ToString())) + "]";
}
