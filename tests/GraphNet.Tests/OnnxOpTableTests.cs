using System;
using System.Collections.Generic;
using System.Linq;
using GraphNet.Compiler;
using GraphNet.Onnx;
using GraphNet.Reference;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Xunit;

namespace GraphNet.Tests;

/// <summary>
/// Every row of the op table exported as an ONNX entry (its forward program after the passes, through the graph codec)
/// and run by ONNX Runtime at two bindings of its symbolic dims, against the reference interpreter; rows with an op that
/// has no ONNX mapping must fail with an error that names the op and the entry, and only those.
/// </summary>
public class OnnxOpTableTests
{
    private static readonly OpKind[] Unmapped = { OpKind.Random, OpKind.Solve, OpKind.Eigh, OpKind.Cholesky, OpKind.SLogDet, OpKind.Unwindow };

    private static readonly Dictionary<string, long>[] Bindings =
    {
        new() { ["B"] = 5, ["T"] = 3 },
        new() { ["B"] = 2, ["T"] = 7 },
    };

    private static IEnumerable<OpKind> Ops(Graph g) => g.Nodes.SelectMany(n => n.Attrs.Scan is { } s ? Ops(s.Body).Append(n.Op) : new[] { n.Op });

    [Theory]
    [MemberData(nameof(OpTable.Cases), MemberType = typeof(OpTable))]
    public void Exported_row_matches_the_reference_in_OnnxRuntime(string name)
    {
        var row = OpTable.Rows.Single(r => r.Name == name);
        var b = new GraphBuilder();
        var xs = row.Shapes.Select((s, i) => b.Input("x" + i, OpRow.ParseShape(s))).ToArray();
        var y = row.Build(b, xs);
        b.Graph.SetOutput(OutputNames.Result, y);
        var program = GraphCodec.Decode(GraphCodec.Encode(ModelCompiler.Compile("Run", EntryKind.Forward, name, b.Graph).Schedule.Graph));
        var unmapped = Ops(program).Intersect(Unmapped).ToList();
        if (unmapped.Count > 0)
        {
            var e = Assert.Throws<NotSupportedException>(() => OnnxLowering.Lower(program, "Run", _ => null));
            Assert.Contains("entry 'Run'", e.Message);
            Assert.Contains(unmapped.Select(op => $"'{op.Info().Name}'"), e.Message.Contains);
            return;
        }
        using var session = new InferenceSession(OnnxSerializer.Model(OnnxLowering.Lower(program, "Run", _ => null), OnnxLowering.Opset, "test", name));
        var rng = new Random(3);
        foreach (var bind in Bindings)
        {
            var leaves = xs.ToDictionary(x => x.Attrs.Name, x =>
            {
                var shape = x.Shape.Dims.Select(d => (int)d.Evaluate(s => bind[s])).ToArray();
                return (shape, OpTable.Sample(row.DomainOf(Array.IndexOf(xs, x)), shape.Aggregate(1, (p, d) => p * d), rng));
            });
            var (wantShape, want) = new Evaluator<double>(b.Graph, leaves)[y];
            var feeds = session.InputMetadata.Keys.Select(k => NamedOnnxValue.CreateFromTensor(k,
                new DenseTensor<float>(leaves[k].Item2.Select(v => (float)v).ToArray(), leaves[k].shape))).ToList();
            using var results = session.Run(feeds);
            var got = results.Single().AsTensor<float>();
            Assert.Equal(wantShape, got.Dimensions.ToArray());
            var values = got.ToArray();
            for (int i = 0; i < want.Length; i++)
                Assert.True(double.IsNaN(want[i]) ? float.IsNaN(values[i]) : Math.Abs(want[i] - values[i]) <= 1e-4 * (1 + Math.Abs(want[i])),
                    $"{name} at {string.Join(",", bind.Values)}: element {i} expected {want[i]}, ONNX Runtime gave {values[i]}");
        }
    }
}
