using System.Collections.Generic;
using System.Linq;
using GraphNet.Compiler;
using Xunit;

namespace GraphNet.Tests;

/// <summary>The graph text codec: decode(encode(g)) prints as g, over every row of the op table, forward and differentiated.</summary>
public class GraphCodecTests
{
    /// <summary>The row's forward graph as built, then its forward and input-gradient programs after the passes (loop bodies with residuals, adjoint ops).</summary>
    private static IEnumerable<Graph> Graphs(OpRow row)
    {
        Graph Built(bool loss)
        {
            var b = new GraphBuilder();
            var xs = row.Shapes.Select((s, i) => b.Input("x" + i, OpRow.ParseShape(s))).ToArray();
            var y = row.Build(b, xs);
            b.Graph.SetOutput(OutputNames.Result, loss ? b.Sum(b.Mul(y, b.Input("w", y.Shape))) : y);
            return b.Graph;
        }
        yield return Built(false);
        yield return ModelCompiler.Compile("Run", EntryKind.Forward, row.Name, Built(false)).Schedule.Graph;
        for (int i = 0; i < row.Shapes.Length; i++)
            if (OpRow.Differentiable(row.DomainOf(i)))
                yield return ModelCompiler.Compile("Grad", EntryKind.InputGradient, row.Name, Built(true), "x" + i).Schedule.Graph;
    }

    [Theory]
    [MemberData(nameof(OpTable.Cases), MemberType = typeof(OpTable))]
    public void Decoding_the_encoded_graph_prints_the_same(string name)
    {
        foreach (var g in Graphs(OpTable.Rows.Single(r => r.Name == name)))
        {
            var text = GraphCodec.Encode(g);
            var decoded = GraphCodec.Decode(text);
            Assert.Equal(GraphPrinter.Print(g), GraphPrinter.Print(decoded));
            Assert.Equal(text, GraphCodec.Encode(decoded));
            Assert.DoesNotContain('"', text);
            Assert.DoesNotContain('\\', text);
        }
    }

    [Fact]
    public void Every_op_is_covered_by_the_round_trip()
    {
        var seen = new HashSet<OpKind>();
        void Walk(Graph g) { foreach (var n in g.Nodes) { seen.Add(n.Op); if (n.Attrs.Scan is { } s) Walk(s.Body); } }
        foreach (var row in OpTable.Rows) foreach (var g in Graphs(row)) Walk(g);
        Walk(Leaves());
        Assert.Empty(System.Enum.GetValues<OpKind>().Except(seen));
    }

    [Theory]
    [InlineData("784")]
    [InlineData("B")]
    [InlineData("4*B")]
    [InlineData("B*T")]
    [InlineData("T-1")]
    [InlineData("S+T")]
    [InlineData("-1")]
    [InlineData("2*B*T-3")]
    public void Dims_parse_from_their_text(string text) => Assert.Equal(text, Dim.Parse(text).ToString());

    /// <summary>A graph with a parameter and a buffer (the op table's rows have only inputs), an odd input name and odd constants.</summary>
    private static Graph Leaves()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", new Shape(Dim.Sym("B"), 3));
        var w = b.Add(b.Param("blocks_0_w", new Shape(3)), b.State("bn_mean", new Shape(3)));
        var odd = b.Input("odd name;}>=%", Shape.Scalar);
        var y = b.Add(b.Mul(x, w), b.Add(odd, b.Add(b.Const(double.NegativeInfinity), b.Add(b.Const(-0.0), b.Const(1e-300)))));
        b.Graph.SetOutput("result", b.Where(b.Gt(y, b.Const(double.NaN)), y, b.Neg(y)));
        return b.Graph;
    }

    [Fact]
    public void Leaves_are_renamed_and_odd_names_and_values_survive()
    {
        var g = Leaves();
        var decoded = GraphCodec.Decode(GraphCodec.Encode(g, new Dictionary<string, string> { ["blocks_0_w"] = "blocks.0.w" }));
        Assert.Equal(GraphPrinter.Print(g).Replace("blocks_0_w", "blocks.0.w"), GraphPrinter.Print(decoded));
        Assert.Contains(decoded.Nodes, n => n.Op == OpKind.Input && n.Attrs.Name == "odd name;}>=%");
    }
}
