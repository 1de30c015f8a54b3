using System;
using System.Collections.Generic;
using System.Linq;

namespace GraphNet.Compiler;

/// <summary>
/// One value in the graph IR: an op applied to earlier nodes. Immutable; passes build new graphs.
/// Attributes are plain fields so a node prints and compares without reflection.
/// </summary>
public sealed class Node
{
    internal Node(int id, OpKind op, Node[] inputs, Shape shape, NodeAttrs attrs, Graph owner)
    {
        Id = id; Op = op; Inputs = inputs; Shape = shape; Attrs = attrs; Owner = owner;
    }

    /// <summary>The graph this node belongs to (a scan body is a graph of its own).</summary>
    public Graph Owner { get; }

    public int Id { get; }

    public OpKind Op { get; }

    public IReadOnlyList<Node> Inputs { get; }

    public Shape Shape { get; }

    public NodeAttrs Attrs { get; }

    public Node this[int i] => Inputs[i];

    public override string ToString() => "%" + Id;
}

/// <summary>
/// The non-tensor arguments of a node. Which fields mean something depends on the op:
/// <c>Axes</c> for reductions, permutations and iota; <c>Value</c> for constants; <c>Name</c> for
/// inputs and parameters; <c>DimValue</c> for dim scalars; <c>TransA</c>/<c>TransB</c> for matmul; <c>Ints</c> for structured ops.
/// </summary>
public sealed record NodeAttrs
{
    public static readonly NodeAttrs None = new();

    public int[] Axes { get; init; } = Array.Empty<int>();

    public double Value { get; init; }

    public string Name { get; init; } = "";

    public Dim DimValue { get; init; }

    public bool TransA { get; init; }

    public bool TransB { get; init; }

    /// <summary>Integer arguments of structured ops: a window's geometry (<see cref="Window"/>), a slice's start, a pad's widths.</summary>
    public int[] Ints { get; init; } = Array.Empty<int>();

    /// <summary>The loop of a <see cref="OpKind.Scan"/> node (compared by reference).</summary>
    public ScanBody? Scan { get; init; }

    public bool Equals(NodeAttrs? other) =>
        other is not null && Axes.SequenceEqual(other.Axes) && Value.Equals(other.Value) && Name == other.Name
        && DimValue == other.DimValue && TransA == other.TransA && TransB == other.TransB && Ints.SequenceEqual(other.Ints) && ReferenceEquals(Scan, other.Scan);

    public override int GetHashCode() =>
        Ints.Aggregate(Axes.Aggregate(Name.GetHashCode() ^ Value.GetHashCode() ^ DimValue.GetHashCode(), (h, a) => h * 31 + a), (h, a) => h * 17 + a)
        ^ (TransA ? 1 : 0) ^ (TransB ? 2 : 0);
}
