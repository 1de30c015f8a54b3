using System;

namespace GraphNet.Compiler;

/// <summary>What kind of user error a shape rule found; the generator maps each to a GN id.</summary>
public enum ShapeErrorKind
{
    /// <summary>Two shapes that must agree do not (GN0004).</summary>
    Mismatch,
    /// <summary>An operand has the wrong number of dims (GN0005).</summary>
    WrongRank,
    /// <summary>An axis, permutation or reshape target is not valid for the operand (GN0011).</summary>
    InvalidArgument,
}

/// <summary>Thrown by <see cref="GraphBuilder"/> when the user's program is ill-shaped. The message names the op and the shapes.</summary>
public sealed class ShapeError : Exception
{
    public ShapeError(ShapeErrorKind kind, string message) : base(message) { Kind = kind; }

    public ShapeErrorKind Kind { get; }
}
