using System.Collections.Generic;
using System.Linq;

namespace GraphNet.Compiler;

public sealed partial class GraphBuilder
{
    /// <summary>
    /// A scan over <paramref name="body"/>'s steps: its outputs, the final carries then each per-step result stacked
    /// time-major ([T, ...]). <paramref name="xs"/> are read at step t along their axis in <see cref="ScanBody.XAxes"/>.
    /// </summary>
    public Node[] Scan(ScanBody body, IReadOnlyList<Node> init, IReadOnlyList<Node> xs, IReadOnlyList<Node> invariants)
    {
        if (init.Count != body.Carries || xs.Count != body.Xs || invariants.Count != body.Invariants)
            throw Rewriter.Internal($"scan ({body}) given {init.Count} carries, {xs.Count} sequences, {invariants.Count} invariants");
        for (int i = 0; i < init.Count; i++)
            if (!init[i].Shape.Equals(ScanBody.In(body.Body, ScanBody.Carry(i)).Shape) || !init[i].Shape.Equals(body.Body.Output(ScanBody.Carry(i)).Shape))
                throw new ShapeError(ShapeErrorKind.Mismatch,
                    $"the value carried from step to step must keep its shape: it is {init[i].Shape} before the loop and {body.Body.Output(ScanBody.Carry(i)).Shape} after a step");
        for (int i = 0; i < xs.Count; i++)
        {
            var s = xs[i].Shape; int axis = body.XAxes[i];
            var step = new Shape(s.Dims.Where((_, a) => a != axis).ToList());
            if (s[axis] != body.Length || !step.Equals(ScanBody.In(body.Body, ScanBody.X(i)).Shape))
                throw new ShapeError(ShapeErrorKind.Mismatch, $"sequence {s} is read along axis {axis} over {body.Length} steps");
        }
        for (int i = 0; i < invariants.Count; i++)
            if (!invariants[i].Shape.Equals(ScanBody.In(body.Body, ScanBody.Invariant(i)).Shape))
                throw Rewriter.Internal($"scan invariant {i} has shape {invariants[i].Shape}");
        var scan = Prim(OpKind.Scan, Shape.Scalar, new NodeAttrs { Scan = body }, init.Concat(xs).Concat(invariants).ToArray());
        return Enumerable.Range(0, body.Carries + body.Ys).Select(i => ScanOutput(scan, i)).ToArray();
    }

    /// <summary>Output <paramref name="i"/> of a scan node.</summary>
    public Node ScanOutput(Node scan, int i) =>
        Prim(OpKind.ScanOutput, scan.Attrs.Scan!.OutputShape(i), new NodeAttrs { Ints = new[] { i } }, scan);
}
