using System.Collections.Generic;
using System.Linq;
using GraphNet.Compiler;

namespace GraphNet.Onnx;

/// <summary>
/// A scan as an ONNX Loop over its length: the carries are the loop-carried values, step t of each sequence is a Gather
/// at t along its axis inside the body, invariants are read from the enclosing graph, and the per-step results are the
/// loop's scan outputs (stacked time-major; a reverse scan runs t = T-1 down to 0, so its stacks are flipped back).
/// </summary>
internal sealed partial class OnnxLowering
{
    private readonly Dictionary<Node, string[]> _loops = new();

    private string Loop(Node n, string[] x)
    {
        var sb = n.Attrs.Scan!;
        int carries = sb.Carries, xs = sb.Xs;
        var trips = DimScalar(sb.Length);
        var last = sb.Reverse ? DimScalar(sb.Length - 1) : null;
        var body = new OnnxGraph($"{_entry}_loop{n.Id}");
        var (outerScope, outerNames) = (_scope, _names);
        (_scope, _names) = (body, new Dictionary<Node, string>());
        try
        {
            string iteration = Fresh("iteration"), condition = Fresh("condition");
            body.Inputs.Add(new OnnxValueInfo(iteration, OnnxType.Int64, new OnnxDim[0]));
            body.Inputs.Add(new OnnxValueInfo(condition, OnnxType.Bool, new OnnxDim[0]));
            for (int i = 0; i < carries; i++)
            {
                var c = ScanBody.In(sb.Body, ScanBody.Carry(i));
                body.Inputs.Add(new OnnxValueInfo(_names[c] = Fresh("carry"), OnnxType.Float, Signature(c.Shape)));
            }
            var t = last is null ? iteration : Op("Sub", last, iteration).Y;
            for (int i = 0; i < xs; i++)
                _names[ScanBody.In(sb.Body, ScanBody.X(i))] = Op("Gather", x[carries + i], t).With("axis", (long)sb.XAxes[i]).Y;
            for (int j = 0; j < sb.Invariants; j++)
                _names[ScanBody.In(sb.Body, ScanBody.Invariant(j))] = x[carries + xs + j];
            LowerNodes(sb.Body.Nodes);
            void Result(string from, OnnxType type, Shape shape)
            {
                var y = Op("Identity", from).Y;
                body.Outputs.Add(new OnnxValueInfo(y, type, Signature(shape)));
            }
            Result(condition, OnnxType.Bool, Shape.Scalar);
            for (int i = 0; i < carries; i++) Result(_names[sb.Body.Output(ScanBody.Carry(i))], OnnxType.Float, sb.OutputShape(i));
            for (int q = 0; q < sb.Ys; q++) Result(_names[sb.Body.Output(ScanBody.Y(q))], OnnxType.Float, sb.Body.Output(ScanBody.Y(q)).Shape);
        }
        finally
        {
            (_scope, _names) = (outerScope, outerNames);
        }
        var loop = Op("Loop", carries + sb.Ys, new[] { trips, True }.Concat(x.Take(carries)).ToArray()).With("body", body);
        var outputs = loop.Outputs.ToArray();
        if (sb.Reverse)
            for (int q = carries; q < outputs.Length; q++)
                outputs[q] = Op("Slice", outputs[q], Ints(-1), Ints(long.MinValue), Ints(0), Ints(-1)).Y;
        _loops[n] = outputs;
        return outputs.Length > 0 ? outputs[0] : "";
    }
}
