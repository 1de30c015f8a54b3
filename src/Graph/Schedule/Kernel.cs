using System.Collections.Generic;

namespace GraphNet.Compiler;

/// <summary>A strided read of a buffer (or a broadcast scalar) in a kernel's iteration space, from element <see cref="Offset"/> on (a slice's start).</summary>
public sealed record Load(Node Base, Dim[] Strides)
{
    /// <summary>Where the read starts in the buffer: 0, or the start of a slice read in place.</summary>
    public Dim Offset { get; init; } = Dim.Const(0);

    /// <summary>Scalars (constants, dim values) are splatted, not read from memory.</summary>
    public bool IsScalar => Base.Op is OpKind.Const or OpKind.DimValue;

    public bool Equals(Load? other) => other is not null && other.Base == Base && System.Linq.Enumerable.SequenceEqual(Strides, other.Strides) && other.Offset == Offset;

    public override int GetHashCode() => Base.Id;
}

/// <summary>A value computed inside a kernel: a load, or an elementwise op over other terms.</summary>
public sealed record Term(OpKind Op, IReadOnlyList<Term> Args, Load? Load)
{
    public static Term FromLoad(Load l) => new(OpKind.Input, new Term[0], l);
}

public enum KernelKind
{
    /// <summary>Fused elementwise chain over the root's shape.</summary>
    Elementwise,
    /// <summary>A reduction with its elementwise producers fused into the loop.</summary>
    Reduce,
    /// <summary>A (batched) matrix product through the runtime's GEMM.</summary>
    MatMul,
    /// <summary>Fills a buffer with the index along one axis.</summary>
    Iota,
    /// <summary>A linear solve A X = B through the runtime's LU routine.</summary>
    Solve,
    /// <summary>A structured op (window, unwindow, gather, scatter-add, slice, pad) or a random fill, through its runtime routine.</summary>
    Routine,
    /// <summary>A loop over steps running the body's own schedule (<see cref="Kernel.Body"/> is null, <see cref="Kernel.Sub"/> set).</summary>
    Scan,
}

/// <summary>One step of a schedule: computes <see cref="Root"/> into its buffer.</summary>
public sealed class Kernel
{
    public Kernel(int index, KernelKind kind, Node root, Shape iterShape, Term? body, IReadOnlyList<Node> fused)
    {
        Index = index; Kind = kind; Root = root; IterShape = iterShape; Body = body; Fused = fused;
    }

    public int Index { get; }

    public KernelKind Kind { get; }

    public Node Root { get; }

    /// <summary>The loop nest's shape: the root's for elementwise, the reduction's input for reduce.</summary>
    public Shape IterShape { get; }

    /// <summary>What the loop computes per element (elementwise and reduce kernels).</summary>
    public Term? Body { get; }

    /// <summary>The graph nodes this kernel computes, in order (for the comment naming fused ops).</summary>
    public IReadOnlyList<Node> Fused { get; }

    /// <summary>For a scan: the body's schedule, compiled once and run every step.</summary>
    public Schedule? Sub { get; init; }

    /// <summary>The values this kernel writes: its root, or a scan's outputs that the graph uses.</summary>
    public IReadOnlyList<Node> Writes { get => _writes ?? new[] { Root }; init => _writes = value; }

    private readonly IReadOnlyList<Node>? _writes;

    /// <summary>Buffers (materialized nodes) this kernel reads.</summary>
    public List<Node> Reads { get; } = new();

    /// <summary>
    /// The row pipeline this kernel belongs to (see <see cref="RowPipelines"/>), or −1. A pipeline's kernels are adjacent in
    /// the schedule, its first a product x·w and its last xᵀ·r; the CPU runs them block of rows by block of rows.
    /// </summary>
    public int Group { get; init; } = -1;

    /// <summary>
    /// The group (see <see cref="Group"/>) is a product and its epilogue (see <see cref="Epilogues"/>), not a row pipeline.
    /// </summary>
    public bool Epilogue { get; init; }

    /// <summary>This kernel at another place in the schedule (and in a group, or none; an epilogue's group when <paramref name="epilogue"/>).</summary>
    public Kernel Renumbered(int index, int group, bool epilogue = false)
    {
        var k = new Kernel(index, Kind, Root, IterShape, Body, Fused) { Sub = Sub, Writes = _writes!, Group = group, Epilogue = epilogue };
        k.Reads.AddRange(Reads);
        return k;
    }
}
