using System.Globalization;
using System.Linq;
using System.Text;

namespace GraphNet.Compiler;

/// <summary>The stable text dump of a graph: one line per node, then the outputs. Snapshot tests diff it.</summary>
public static class GraphPrinter
{
    public static string Print(Graph graph)
    {
        var sb = new StringBuilder();
        foreach (var n in graph.Nodes)
        {
            sb.Append(Line(n)).Append('\n');
            if (n.Op == OpKind.Scan)
                foreach (var line in Print(n.Attrs.Scan!.Body).TrimEnd('\n').Split('\n'))
                    sb.Append("  | ").Append(line).Append('\n');
        }
        foreach (var o in graph.Outputs)
            sb.Append("out ").Append(o.Key).Append(" = ").Append(o.Value).Append('\n');
        return sb.ToString();
    }

    public static string Line(Node n)
    {
        var sb = new StringBuilder();
        sb.Append(n).Append(" = ").Append(n.Op.Info().Name);
        var attrs = Attrs(n);
        if (attrs.Length > 0) sb.Append('{').Append(attrs).Append('}');
        if (n.Inputs.Count > 0) sb.Append(' ').Append(string.Join(", ", n.Inputs.Select(i => i.ToString())));
        sb.Append(" : ").Append(n.Shape);
        return sb.ToString();
    }

    public static string Attrs(Node n) => n.Op switch
    {
        OpKind.Input or OpKind.Param or OpKind.State => n.Attrs.Name,
        OpKind.Random => "stream=" + n.Attrs.Value.ToString("R", CultureInfo.InvariantCulture),
        OpKind.Window or OpKind.Unwindow or OpKind.Convolve or OpKind.ConvolveWeights => Window.FromInts(n.Attrs.Ints).ToString(),
        OpKind.Slice => $"axis={n.Attrs.Axes[0]},start={n.Attrs.DimValue}",
        OpKind.ArgMax or OpKind.ArgMin or OpKind.TakeAlong => $"axis={n.Attrs.Axes[0]}",
        OpKind.ArgSort => $"axis={n.Attrs.Axes[0]}{(n.Attrs.Ints[0] == 1 ? ",descending" : "")}",
        OpKind.CumSum => $"axis={n.Attrs.Axes[0]}{(n.Attrs.Ints[0] == 1 ? ",reverse" : "")}",
        OpKind.PutAlong => $"axis={n.Attrs.Axes[0]},size={n.Attrs.Ints[0]}",
        OpKind.Pad => $"axis={n.Attrs.Axes[0]},before={n.Attrs.DimValue},after={GraphBuilder.PadAfter(n)}",
        OpKind.ScatterAdd => "rows=" + n.Attrs.Ints[0],
        OpKind.Attention or OpKind.AttentionGrad => "scale=" + n.Attrs.Value.ToString("R", CultureInfo.InvariantCulture) + (n.Attrs.Ints[0] == 1 ? ",causal" : "")
            + (n.Op == OpKind.AttentionGrad ? (n.Attrs.Ints[1] switch { 0 => ",queries", 1 => ",keys", _ => ",all" }) : ""),
        OpKind.Scan => n.Attrs.Scan!.ToString(),
        OpKind.ScanOutput => "index=" + n.Attrs.Ints[0],
        OpKind.Const => n.Attrs.Value.ToString("R", CultureInfo.InvariantCulture),
        OpKind.DimValue => n.Attrs.DimValue.ToString(),
        OpKind.Iota or OpKind.ReduceSum or OpKind.ReduceMax or OpKind.Permute => "axes=" + string.Join(",", n.Attrs.Axes),
        OpKind.Solve when GraphBuilder.Triangle(n) != 0 => (GraphBuilder.Triangle(n) == 1 ? "lower" : "upper") + (n.Attrs.TransA ? ",tA" : ""),
        OpKind.MatMul => (n.Attrs.TransA ? "tA" : "") + (n.Attrs.TransA && n.Attrs.TransB ? "," : "") + (n.Attrs.TransB ? "tB" : ""),
        _ => "",
    };
}
