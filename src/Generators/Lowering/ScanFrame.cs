using System.Collections.Generic;
using System.Linq;
using GraphNet.Compiler;

namespace GraphNet.Generators;

/// <summary>
/// A loop over a run-time dim while its body is lowered: the body's own graph, whose inputs are the carried
/// locals, step t of each sequence the body reads, and the values from outside the loop it uses (captured once each).
/// </summary>
internal sealed class ScanFrame
{
    public ScanFrame(GraphBuilder outer, Dim length, bool reverse)
    {
        Outer = outer; Length = length; Reverse = reverse;
        Body = outer.Nested();
        Body.Graph.Capture = Capture;
    }

    public GraphBuilder Outer { get; }

    public GraphBuilder Body { get; }

    public Dim Length { get; }

    public bool Reverse { get; }

    public List<Node> Carries { get; } = new();

    public List<(Node Outer, int Axis, Node Step)> Xs { get; } = new();

    public List<(Node Outer, Node Inner)> Invariants { get; } = new();

    /// <summary>Per-step results: the sequence each fills and the value of this step.</summary>
    public List<(SequenceValue Sequence, Node Value)> Ys { get; } = new();

    private Node Capture(Node n)
    {
        if (n.Op == OpKind.Const) return Body.Const(n.Attrs.Value);
        if (n.Op == OpKind.DimValue) return Body.DimValue(n.Attrs.DimValue);
        n = Visible(n);
        foreach (var (o, i) in Invariants)
            if (o == n) return i;
        var input = Body.Input(ScanBody.Invariant(Invariants.Count), n.Shape);
        Invariants.Add((n, input));
        return input;
    }

    /// <summary>Step t of <paramref name="sequence"/> along <paramref name="axis"/>: a body input, one per (sequence, axis).</summary>
    public Node Step(Node sequence, int axis)
    {
        sequence = Visible(sequence);
        foreach (var (o, a, s) in Xs)
            if (o == sequence && a == axis) return s;
        var shape = new Shape(sequence.Shape.Dims.Where((_, i) => i != axis).ToList());
        var input = Body.Input(ScanBody.X(Xs.Count), shape);
        Xs.Add((sequence, axis, input));
        return input;
    }

    /// <summary>A value of an enclosing loop's scope as a value of the graph around this loop (captured there first).</summary>
    private Node Visible(Node n) => n.Owner == Outer.Graph ? n
        : Outer.Graph.Capture?.Invoke(n) ?? throw new System.InvalidOperationException($"{n} is not visible from this loop");

    public Node Carry(Node init)
    {
        var input = Body.Input(ScanBody.Carry(Carries.Count), init.Shape);
        Carries.Add(init);
        return input;
    }
}
